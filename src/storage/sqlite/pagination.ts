// Keyset pagination in SQL: sort whitelist, id tiebreak, each stretch after the cursor one index range.
import { and, asc, desc, gt, is, lt, SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { decodeCursor, encodeCursor, type SortValue } from '../../lib/cursor.js';
import { entry } from '../../lib/maps.js';
import { bindingOf, type ListQuery, type PageResult } from '../../lib/pagination.js';

export type { ListQuery, PageResult } from '../../lib/pagination.js';

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
  const orderBy = orderOf(spec, sort, key, column === spec.id, descending);
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

/** Per list and sort, its ORDER BY: the same pieces on every page (sorts are a whitelist, so few per list). */
const orders = new WeakMap<ListSpec, Map<string, SQL[]>>();

function orderOf(spec: ListSpec, sort: string, key: SQL, byId: boolean, descending: boolean): SQL[] {
  return entry(
    entry(orders, spec, () => new Map()),
    sort,
    () => {
      const direction = descending ? desc : asc;
      // SQLite sorts NULL first ascending and last descending, as the keyset conditions below assume.
      return byId ? [direction(spec.id)] : [direction(key), direction(spec.id)];
    },
  );
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
