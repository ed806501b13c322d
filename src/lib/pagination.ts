// Keyset pagination shared by every list: sort whitelist, id tiebreak, cursors bound to their filters.
import { and, asc, desc, eq, gt, is, lt, or, SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { bindingKey, decodeCursor, encodeCursor } from './cursor.js';

export interface ListSpec {
  collection: string;
  id: SQLiteColumn;
  /**
   * Sortable fields by their API name: a column (nullable ones sort as '', first ascending, last descending)
   * or an expression the rows carry under the same name (a search score).
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
const PAGE_KEYS = new Set(['limit', 'cursor', 'count', 'expand']);

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
  const key = is(column, SQL) ? column : column.notNull ? sql`${column}` : sql`coalesce(${column}, '')`;
  const bound = Object.fromEntries(Object.entries(query).filter(([k]) => !PAGE_KEYS.has(k) && k !== 'sort'));
  const binding = bindingKey(spec.collection, sort, bound);

  const filter = and(...filters);
  let where = filter;
  if (query.cursor) {
    const [value, id] = decodeCursor(query.cursor, binding);
    const after = descending
      ? or(lt(key, value), and(eq(key, value), lt(spec.id, id)))
      : or(gt(key, value), and(eq(key, value), gt(spec.id, id)));
    where = and(filter, after);
  }
  const direction = descending ? desc : asc;
  const orderBy = column === spec.id ? [direction(spec.id)] : [direction(key), direction(spec.id)];
  const rows = select(where, orderBy, query.limit + 1);
  const more = rows.length > query.limit;
  const data = more ? rows.slice(0, query.limit) : rows;
  const last = data.at(-1);
  const lastValue = last ? ((last as Record<string, unknown>)[field] as string | number | null) : null;
  return {
    data,
    nextCursor: more && last ? encodeCursor(binding, lastValue ?? '', last.id) : null,
    ...(query.count ? { total: countRows(filter) } : {}),
  };
}

/** `a,b,c` → ['a', 'b', 'c'] (the filter schemas have already checked the shape). */
export const anyOf = (value: string | undefined): string[] | undefined => (value ? value.split(',') : undefined);
