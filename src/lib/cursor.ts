// Opaque keyset cursors, bound to the filters and sort of the request that made them.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AppError } from './errors.js';

export type SortValue = string | number | null;

interface CursorBody {
  /** Hash of the collection, filters and sort the cursor belongs to. */
  k: string;
  /** The sort value and id of the last row on the previous page. */
  v: [SortValue, string];
}

/** Parameters as [name, value] pairs in name order, the undefined left out: the same for any order they came in. */
export function canonicalEntries(parameters: Record<string, unknown>): [string, unknown][] {
  return Object.keys(parameters)
    .sort()
    .filter((k) => parameters[k] !== undefined)
    .map((k) => [k, parameters[k]]);
}

/** Keys of the filters asked lately: every page of a list makes one, and the same filters come again and again. */
const boundKeys = new LRUCache<string, string>({ max: 1000 });
/** Longer filters are hashed each time: a few long lists of ids must not fill the memory. */
const KEPT_BINDING_CHARS = 1000;

/** A stable key for "these filters, this sort": reordering query parameters does not change it. */
export function bindingKey(collection: string, sort: string, filters: Record<string, unknown>): string {
  const binding = JSON.stringify([collection, sort, canonicalEntries(filters)]);
  let key = boundKeys.get(binding);
  if (key === undefined) {
    key = createHash('sha256').update(binding).digest('base64url').slice(0, 16);
    if (binding.length <= KEPT_BINDING_CHARS) boundKeys.set(binding, key);
  }
  return key;
}

export function encodeCursor(key: string, value: SortValue, id: string): string {
  const body: CursorBody = { k: key, v: [value, id] };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeCursor(cursor: string, key: string): [SortValue, string] {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor this API issued');
  }
  if (!isCursorBody(body)) throw invalid('is not a cursor this API issued');
  if (body.k !== key) {
    throw invalid(
      'was issued for other filters or another sort: keep them as they were when the cursor was issued, or drop the cursor to start again',
    );
  }
  return body.v;
}

function isCursorBody(body: unknown): body is CursorBody {
  if (typeof body !== 'object' || body === null) return false;
  const { k, v } = body as Record<string, unknown>;
  return (
    typeof k === 'string' &&
    Array.isArray(v) &&
    v.length === 2 &&
    (typeof v[0] === 'string' || typeof v[0] === 'number' || v[0] === null) &&
    typeof v[1] === 'string'
  );
}

const invalid = (why: string) =>
  new AppError('INVALID_CURSOR', `The cursor ${why}.`, { errors: [{ in: 'query', path: '/cursor', message: `cursor ${why}` }] });
