// Keyset pagination in SQL: sort whitelist, id tiebreak, each stretch after the cursor one index range.
import { and, asc, desc, gt, is, lt, type Placeholder, SQL, sql } from 'drizzle-orm';
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
 * A list's filters as the request's values and the terms they make, so that the WHERE is built and rendered
 * once per shape of request (which values are given, how many in each list) instead of on every page: the
 * terms are called once per shape with a placeholder in place of each value (`slotsOf`), and the request's
 * values fill them in. `terms` must make the same SQL from placeholders as from values, and read nothing but them.
 */
export interface ShapedFilters<V extends Record<string, unknown> = Record<string, unknown>> {
  /** Each filter's value, or its list of values; undefined when the request does not give it. */
  values: V;
  /** The WHERE terms of these values (or of their placeholders); one function per list, made once. */
  terms: (values: V) => (SQL | undefined)[];
}

/** A WHERE with placeholders, the same SQL object for every request of its shape, and this request's values. */
export interface Shaped {
  sql: SQL;
  values: Record<string, unknown>;
}

/** What `select` is given: a WHERE of this request's own, or a shaped one (see ShapedFilters). */
export type Where = SQL | Shaped;

/**
 * Runs one page of a list. `select` receives the full WHERE (filters and keyset), the ORDER BY and the
 * row limit to fetch (one more than the page, to know whether another page follows).
 */
export function listPage<Row extends { id: string }, V extends Record<string, unknown>>(
  spec: ListSpec,
  query: ListQuery & Record<string, unknown>,
  filters: (SQL | undefined)[] | ShapedFilters<V>,
  select: (where: Where | undefined, orderBy: SQL[], limit: number) => Row[],
  countRows: (where: SQL | undefined) => number,
): PageResult<Row> {
  const sort = query.sort ?? spec.defaultSort;
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const column = spec.sortable[field] ?? spec.id;
  const key = is(column, SQL) ? column : sql`${column}`;
  const nullable = !is(column, SQL) && !column.notNull;
  const byId = column === spec.id;
  const binding = bindingOf(spec.collection, sort, query);

  const shaped = Array.isArray(filters) ? undefined : filters;
  const filter = shaped ? undefined : and(...(filters as (SQL | undefined)[]));
  const orderBy = orderOf(spec, sort, key, byId, descending);
  const wanted = query.limit + 1;
  let rows: Row[];
  if (query.cursor) {
    // Each stretch of the rest of the list in turn, until the page is full.
    const [value, id] = decodeCursor(query.cursor, binding);
    let wheres: (Where | undefined)[];
    if (shaped) {
      const values = { ...shaped.values, [AFTER_VALUE]: value, [AFTER_ID]: id };
      const stretches = shapeOf(spec, sort, shaped, value === null ? 'after null' : 'after', () =>
        after(
          key,
          spec.id,
          byId,
          value === null ? null : sql.placeholder(AFTER_VALUE),
          sql.placeholder(AFTER_ID),
          descending,
          nullable,
        ).map((stretch) => and(and(...shaped.terms(slotsOf(shaped.values))), stretch) as SQL),
      );
      wheres = stretches.map((where) => where && { sql: where, values });
    } else {
      wheres = after(key, spec.id, byId, value, id, descending, nullable).map((stretch) => and(filter, stretch));
    }
    rows = [];
    for (const where of wheres) {
      rows.push(...select(where, orderBy, wanted - rows.length));
      if (rows.length === wanted) break;
    }
  } else if (shaped) {
    const [where] = shapeOf(spec, sort, shaped, 'first', () => [and(...shaped.terms(slotsOf(shaped.values)))]);
    rows = select(where && { sql: where, values: shaped.values }, orderBy, wanted);
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
    ...(query.count ? { total: countRows(shaped ? and(...shaped.terms(shaped.values)) : filter) } : {}),
  };
}

/** The placeholders of the cursor's sort value and id in a shaped WHERE (no filter is named so). */
const AFTER_VALUE = '@value';
const AFTER_ID = '@id';

/**
 * In place of each value a placeholder: named by its key, or `key.i` for the i-th value of a list (boundShape in
 * store.ts fills them in).
 */
function slotsOf<V extends Record<string, unknown>>(values: V): V {
  const slots: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    slots[name] = Array.isArray(value) ? value.map((_, i) => sql.placeholder(`${name}.${i}`)) : sql.placeholder(name);
  }
  return slots as V;
}

/** How many shapes a list keeps per sort and terms; past it, the oldest goes (lists of ids of many lengths). */
const SHAPES_KEPT = 1000;
const shapes = new WeakMap<ListSpec, WeakMap<ShapedFilters['terms'], Map<string, SQL[]>>>();

/**
 * The WHERE of each stretch a page reads (one without a cursor), for the shape of `filters`' values, this
 * sort and this kind of cursor: made by `make` the first time.
 */
function shapeOf<V extends Record<string, unknown>>(
  spec: ListSpec,
  sort: string,
  filters: ShapedFilters<V>,
  cursor: string,
  make: () => (SQL | undefined)[],
): (SQL | undefined)[] {
  const byShape = entry(
    entry(shapes, spec, () => new WeakMap()),
    filters.terms as ShapedFilters['terms'],
    () => new Map(),
  );
  let shape = `${sort} ${cursor}:`;
  for (const [name, value] of Object.entries(filters.values)) {
    if (value !== undefined) shape += Array.isArray(value) ? ` ${name}*${value.length}` : ` ${name}`;
  }
  let wheres = byShape.get(shape);
  if (wheres === undefined) {
    if (byShape.size >= SHAPES_KEPT) byShape.delete(byShape.keys().next().value as string);
    wheres = make() as SQL[];
    byShape.set(shape, wheres);
  }
  return wheres;
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
function after(
  key: SQL,
  id: SQLiteColumn,
  byId: boolean,
  value: SortValue | Placeholder,
  lastId: string | Placeholder,
  descending: boolean,
  nullable: boolean,
): SQL[] {
  const beyond = descending ? lt : gt;
  if (byId) return [beyond(id, lastId)];
  if (value === null) {
    const nullTail = and(sql`${key} IS NULL`, beyond(id, lastId)) as SQL;
    return descending ? [nullTail] : [nullTail, sql`${key} IS NOT NULL`];
  }
  const rest = sql`(${key}, ${id}) ${sql.raw(descending ? '<' : '>')} (${value}, ${lastId})`;
  return descending && nullable ? [rest, sql`${key} IS NULL`] : [rest];
}
