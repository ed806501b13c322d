// A record's ETag: its version, and the state of what its answer holds that other records decide (fields derived
// from them, embedded copies of them), so that it changes whenever the answer does.
import { createHash } from 'node:crypto';
import type { Meta } from '../storage/types.js';

/**
 * The ETag of a record as served: its version, quoted (`"3"`), and for a record whose answer holds fields
 * derived from other records, a suffix naming their state, so that the ETag changes whenever the answer does
 * (RFC 9110 §8.8.3: an ETag validates the representation, not the stored row). A statement's `verified` is read
 * from its sources' texts, which change without the statement's version: `"3.v"` when its quote stands in one
 * of them, `"3.u"` when it does not, `"3"` when there is nothing to check (null or absent). A position's evidence
 * carries its statements' dates, and is ordered by them: a digest of those (`"3.Ab3_x9Qz"`).
 */
export function etag(record: Meta): string {
  const suffix = derivedSuffix(record);
  return suffix === '' ? `"${record.version}"` : `"${record.version}.${suffix}"`;
}

function derivedSuffix(record: Meta): string {
  const { verified, evidence } = record as { verified?: boolean | null; evidence?: { statementId: string; statedOn?: string | null }[] };
  if (verified !== undefined) return verified === true ? 'v' : verified === false ? 'u' : '';
  if (evidence === undefined) return '';
  // The ids too: their order is derived (by date), so it is part of what the digest names.
  const hash = createHash('sha256');
  for (const e of evidence) hash.update(`${e.statementId}\0${e.statedOn ?? ''}\0`);
  return hash.digest('base64url').slice(0, 8);
}

/** The version an entity-tag names, as `etag` writes it (`"3"`, `"3.v"`); undefined for any other tag (a weak one). */
export function versionOfTag(tag: string): number | undefined {
  const match = /^"([1-9][0-9]{0,15})(?:\.[^"]*)?"$/.exec(tag);
  return match ? Number(match[1]) : undefined;
}

/**
 * The ETag of a record answered with `expand=names`: its own ETag with a digest of the ETags of the records
 * embedded in it (`"3.v.Xy12abCd"`), since those change without the record's version (a cited source's title).
 */
export function expandedEtag(answer: Meta, names: string): string {
  const hash = createHash('sha256');
  for (const name of new Set(names.split(','))) {
    hash.update(`${name}\0`);
    for (const embedded of recordsIn((answer as unknown as Record<string, unknown>)[name]))
      hash.update(`${embedded.id}\0${etag(embedded)}\0`);
  }
  return `${etag(answer).slice(0, -1)}.${hash.digest('base64url').slice(0, 8)}"`;
}

/** The records an expanded field holds: a record, null, a list of records, or items holding one (a position's evidence). */
function recordsIn(value: unknown): Meta[] {
  if (Array.isArray(value)) return value.flatMap(recordsIn);
  if (typeof value !== 'object' || value === null) return [];
  if (typeof (value as Partial<Meta>).version === 'number') return [value as Meta];
  return Object.values(value).flatMap(recordsIn);
}
