// The rules of a write every engine applies the same way: the whole fields of a record (blanks filled in),
// If-Match against the stored version, whether a change changes anything.

import type { Meta } from '../storage/types.js';
import { AppError } from './errors.js';
import { etag, versionOfTag } from './etag.js';

/** How a store tells the rules its fields' blanks and canonical form (the engine's stores are such a thing). */
export interface FieldRules<F extends object> {
  blank: Partial<F>;
  canonical?(fields: F): F;
}

/**
 * The whole fields of a record: what `input` gives (never its id), and the blank value of every other field.
 * Built key by key on a new object, not on a spread copy of `blank`: setting a record's values over a copy of
 * the blank (a null becoming a string, an empty array another array) made V8 migrate the copy's hidden class,
 * several times the cost of the whole copy, for every record an import writes (docs/performance.md, Imports).
 */
export function withBlanks<F extends object>(store: FieldRules<F>, input: object): F {
  const fields: Record<string, unknown> = {};
  const blank = store.blank as Record<string, unknown>;
  for (const key of Object.keys(blank)) fields[key] = blank[key];
  for (const key of Object.keys(input)) if (key !== 'id') fields[key] = (input as Record<string, unknown>)[key];
  return fields as F;
}

/**
 * A 412 unless If-Match is absent, `*`, or names the stored version: as the ETag `etag` gives (strongly, RFC 9110
 * §13.1.1), or as the version alone, quoted (`"3"`). If-Match guards a record's own fields against lost updates;
 * the derived part of an ETag (a statement's `verified`) changes with other records (a cited source's text), and
 * a write made on a read of the same version overwrites nothing that read did not see: refusing it would fail
 * writes that conflict with nothing. So a tag matches by its version, whatever its derived part says.
 */
export function assertVersion(existing: Meta, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
  if (!ifMatch.split(',').some((tag) => versionOfTag(tag.trim()) === existing.version)) {
    const current = etag(existing);
    throw new AppError(
      'PRECONDITION_FAILED',
      `If-Match ${ifMatch} does not match the current ETag ${current} (version ${existing.version}); read the record again and retry.`,
      { currentVersion: existing.version },
    );
  }
}

/** Whether two sets of fields hold the same values, ignoring key order (and, with `canonical`, the order of unordered arrays). */
export function sameFields<F extends object>(store: FieldRules<F>, a: F, b: F): boolean {
  return store.canonical ? sameValue(store.canonical(a), store.canonical(b)) : sameValue(a, b);
}

/**
 * Deep equality of JSON values, as comparing their JSON with sorted keys would decide (an undefined
 * property counts as absent), without building that JSON: re-importing a bundle compares every record.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key of Object.keys(x)) {
    if (x[key] === undefined) continue;
    defined += 1;
    if (!sameValue(x[key], y[key])) return false;
  }
  for (const key of Object.keys(y)) if (y[key] !== undefined) defined -= 1;
  return defined === 0;
}

/** The writable fields of a record: all but id and metadata. */
export function stripMeta<R extends Meta>({ id: _id, createdAt: _c, updatedAt: _u, version: _v, ...fields }: R): Omit<R, keyof Meta> {
  return fields;
}
