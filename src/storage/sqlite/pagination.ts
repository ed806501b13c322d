// Keyset pagination shared by every list: sort whitelist, id tiebreak, cursors bound to their filters.
import { and, asc, desc, gt, is, lt, SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { bindingKey, decodeCursor, encodeCursor, type SortValue } from '../../lib/cursor.js';

export interface ListSpec {
  collection: string;
  /** The id column: of a table, or of the common table expression the rows come from. */
  id: SQLiteColumn;
  /**
   * Sortable fields by their API name: a column (NULL first ascending, last descending) or an expression
   * the rows carry under the same name (a search score).
   */
  sortable: Record<string, SQLiteColumn | SQL>;
  defaultSort: string;
}

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

/**
 * Runs one page of a list. `select` receives the full WHERE (filters and keyset), the ORDER BY and the
 * row limit to fetch (one more than the page, to know whether another page follows).
 */
export function listPage<Row extends { id: string }>(
  spec: ListSpec,
  query: ListQuery & Record<string, unknown>,
  filters: (SQL | undefined)[],
  select: (where: SQL | undefined, orderBy: SQL[], limit: number) => Row[],
  countRows: (where: SQL | undefined) => number,
): PageResult<Row> {
  const sort = query.sort ?? spec.defaultSort;
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const column = spec.sortable[field] ?? spec.id;
  const key = is(column, SQL) ? column : sql`${column}`;
  const nullable = !is(column, SQL) && !column.notNull;
  const binding = bindingOf(spec.collection, sort, query);

  const filter = and(...filters);
  const direction = descending ? desc : asc;
  // SQLite sorts NULL first ascending and last descending, as the keyset conditions below assume.
  const orderBy = column === spec.id ? [direction(spec.id)] : [direction(key), direction(spec.id)];
  const wanted = query.limit + 1;
  let rows: Row[];
  if (query.cursor) {
    // Each stretch of the rest of the list in turn, until the page is full.
    const [value, id] = decodeCursor(query.cursor, binding);
    rows = [];
    for (const stretch of after(key, spec.id, column === spec.id, value, id, descending, nullable)) {
      rows.push(...select(and(filter, stretch), orderBy, wanted - rows.length));
      if (rows.length === wanted) break;
    }
  } else {
    rows = select(filter, orderBy, wanted);
  }
  const more = rows.length > query.limit;
  const data = more ? rows.slice(0, query.limit) : rows;
  const last = data.at(-1);
  const lastValue = last ? ((last as Record<string, unknown>)[field] as SortValue) : null;
  return {
    data,
    nextCursor: more && last ? encodeCursor(binding, lastValue ?? null, last.id) : null,
    ...(query.count ? { total: countRows(filter) } : {}),
  };
}

/** The key a cursor is bound to: the collection, the sort, and every parameter that chooses the rows. */
function bindingOf(collection: string, sort: string, query: Record<string, unknown>): string {
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

/**
 * The rows after (value, id) in the sort order, where NULL sorts before every value, as stretches in that
 * order. Each is one range of an index on (column, id): the row-value comparison lets SQLite seek to the
 * cursor instead of reading every row before it, so a deep page costs what the first does. An OR of the
 * stretches would read the whole index.
 */
function after(key: SQL, id: SQLiteColumn, byId: boolean, value: SortValue, lastId: string, descending: boolean, nullable: boolean): SQL[] {
  const beyond = descending ? lt : gt;
  if (byId) return [beyond(id, lastId)];
  if (value === null) {
    const nullTail = and(sql`${key} IS NULL`, beyond(id, lastId)) as SQL;
    return descending ? [nullTail] : [nullTail, sql`${key} IS NOT NULL`];
  }
  const rest = sql`(${key}, ${id}) ${sql.raw(descending ? '<' : '>')} (${value}, ${lastId})`;
  return descending && nullable ? [rest, sql`${key} IS NULL`] : [rest];
}

/** `a,b,c` → ['a', 'b', 'c'] (the filter schemas have already checked the shape). */
export const anyOf = (value: string | undefined): string[] | undefined => (value ? value.split(',') : undefined);
