// Keyset pagination shared by every list: sort whitelist, id tiebreak, cursors bound to their filters.
import { and, asc, desc, gt, is, lt, or, SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { bindingKey, decodeCursor, encodeCursor, type SortValue } from './cursor.js';

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
  const bound = Object.fromEntries(Object.entries(query).filter(([k]) => !PAGE_KEYS.has(k) && k !== 'sort'));
  const binding = bindingKey(spec.collection, sort, bound);

  const filter = and(...filters);
  let where = filter;
  if (query.cursor) {
    const [value, id] = decodeCursor(query.cursor, binding);
    where = and(filter, after(key, spec.id, value, id, descending, nullable));
  }
  const direction = descending ? desc : asc;
  // SQLite sorts NULL first ascending and last descending, as the keyset condition below assumes.
  const orderBy = column === spec.id ? [direction(spec.id)] : [direction(key), direction(spec.id)];
  const rows = select(where, orderBy, query.limit + 1);
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

/**
 * Rows after (value, id) in the sort order, where NULL sorts before every value. Written without coalesce
 * so that an index on (column, id) serves it.
 */
function after(key: SQL, id: SQLiteColumn, value: SortValue, lastId: string, descending: boolean, nullable: boolean): SQL | undefined {
  const tie = (compare: typeof gt) => and(sql`${key} = ${value}`, compare(id, lastId));
  if (value === null) {
    const nullTie = and(sql`${key} IS NULL`, (descending ? lt : gt)(id, lastId));
    return descending ? nullTie : or(nullTie, sql`${key} IS NOT NULL`);
  }
  if (descending) return or(sql`${key} < ${value}`, tie(lt), nullable ? sql`${key} IS NULL` : undefined);
  return or(sql`${key} > ${value}`, tie(gt));
}

/** `a,b,c` → ['a', 'b', 'c'] (the filter schemas have already checked the shape). */
export const anyOf = (value: string | undefined): string[] | undefined => (value ? value.split(',') : undefined);
