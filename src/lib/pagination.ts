// Pages shared by every engine: the page's shape, cursors bound to their filters, and pages of rows held in memory.
// Building a keyset page's query is the engine's (storage/sqlite/pagination.ts).
import { bindingKey, decodeCursor, encodeCursor } from './cursor.js';

export interface ListQuery {
  limit: number;
  cursor?: string;
  sort?: string;
  count?: boolean;
}

export interface PageResult<Row> {
  data: Row[];
  nextCursor: string | null;
  total?: number;
}

// Parameters that shape the page but not which rows it holds: changing them between pages is fine.
const PAGE_KEYS = new Set(['limit', 'cursor', 'count', 'expand', 'format']);

/** The key a cursor is bound to: the collection, the sort, and every parameter that chooses the rows. */
export function bindingOf(collection: string, sort: string, query: Record<string, unknown>): string {
  return bindingKey(collection, sort, Object.fromEntries(Object.entries(query).filter(([k]) => !PAGE_KEYS.has(k) && k !== 'sort')));
}

/**
 * A page of rows held in memory (a ranked window of search hits), sorted by a number, ascending or
 * (`-field`) descending, and then by `doc` the other way (at equal scores the most recently recorded comes
 * first), with cursors bound like listPage's. The cursor carries the doc number where listPage's carries the id.
 */
export function pageInMemory<Row extends { doc: number }>(
  collection: string,
  query: ListQuery & Record<string, unknown>,
  defaultSort: string,
  rows: Row[],
  sortValue: (row: Row) => number,
): PageResult<Row> {
  const sort = query.sort ?? defaultSort;
  const sign = sort.startsWith('-') ? -1 : 1;
  const binding = bindingOf(collection, sort, query);
  const keyed = rows.map((row) => ({ row, value: sortValue(row) }));
  /** Positive when (value, doc) comes after (afterValue, afterDoc) in the sort order. */
  const compare = (value: number, doc: number, afterValue: number, afterDoc: number) => sign * (value - afterValue || afterDoc - doc);
  keyed.sort((a, b) => compare(a.value, a.row.doc, b.value, b.row.doc));
  let start = 0;
  if (query.cursor) {
    const [value, doc] = decodeCursor(query.cursor, binding);
    start = keyed.findIndex((k) => compare(k.value, k.row.doc, Number(value), Number(doc)) > 0);
    if (start < 0) start = keyed.length;
  }
  const data = keyed.slice(start, start + query.limit);
  const last = data.at(-1);
  return {
    data: data.map((k) => k.row),
    nextCursor: last && keyed.length > start + query.limit ? encodeCursor(binding, last.value, String(last.row.doc)) : null,
    ...(query.count ? { total: rows.length } : {}),
  };
}

/** `a,b,c` → ['a', 'b', 'c'] (the filter schemas have already checked the shape). */
export const anyOf = (value: string | undefined): string[] | undefined => (value ? value.split(',') : undefined);
