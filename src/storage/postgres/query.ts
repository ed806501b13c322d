// Running SQL on PostgreSQL: drizzle's `sql` templates rendered once to text and parameters, run on a pool
// (reads) or on the one client of a write transaction, and the helpers the engine's queries share.
import { createHash } from 'node:crypto';
import { Name, Param, Placeholder, SQL, StringChunk, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';

const dialect = new PgDialect();

/**
 * `named`'s rendering: each value as `(SELECT $n::text)`, which the planner sees as an unknown it reads when the
 * query runs (an index condition on it is still a range of the index). PostgreSQL plans a named statement with
 * its values for its first five runs, then keeps a generic plan only when that one looks no costlier than those;
 * a page's generic plan (a default share of the rows between the bounds) always looked costlier than one told
 * the range, so every run was planned anew. With the values opaque, every plan is the generic one, and it is
 * kept after the fifth run.
 */
class OpaqueValues extends PgDialect {
  override escapeParam(num: number): string {
    return `(SELECT $${num + 1}::text)`;
  }
}
const opaque = new OpaqueValues();

/**
 * How rows come back: objects keyed by column name, or (`'arrays'`) each row an array of its values in the
 * select list's order, for a hot read that makes its own records: pg then builds no object per row that the
 * caller would only copy into another.
 */
export type RowMode = 'objects' | 'arrays';

/** What `toQuery` leaves to drizzle. */
const UNHANDLED = Symbol('unhandled');
/** Whether a template writes its values into its text (`sql.inlineParams()`): drizzle's, not toQuery's. */
const inlines = (query: SQL) => (query as unknown as { shouldInlineParams: boolean }).shouldInlineParams;

/**
 * A query's text and parameters as `dialect.sqlToQuery` makes them, for what the engine's queries are made of
 * (texts, nested templates, identifiers, values): drizzle's own rendering allocates objects and copies its
 * options for every piece of every template, on every request; this walks them once, appending. Anything
 * else (a table or column object, a placeholder, inlined values, an array of values, an encoder that turns a
 * value into SQL) goes to drizzle's rendering, whole. test/postgres-render.test.ts checks both agree.
 */
export function toQuery(query: SQL, to: PgDialect = dialect): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const walk = (chunks: readonly unknown[]): string => {
    let text = '';
    for (const chunk of chunks) {
      if (chunk instanceof StringChunk) text += chunk.value.length === 1 ? chunk.value[0] : chunk.value.join('');
      else if (chunk instanceof SQL) {
        if (inlines(chunk)) throw UNHANDLED;
        text += walk(chunk.queryChunks);
      } else if (chunk === undefined) {
        // drizzle renders nothing for it
      } else if (chunk instanceof Param) {
        if (chunk.value instanceof Placeholder) throw UNHANDLED;
        const value = chunk.value === null ? null : chunk.encoder.mapToDriverValue(chunk.value);
        if (value instanceof SQL) throw UNHANDLED;
        params.push(value);
        text += to.escapeParam(params.length - 1);
      } else if (chunk === null || typeof chunk === 'string' || typeof chunk === 'number' || typeof chunk === 'boolean') {
        params.push(chunk);
        text += to.escapeParam(params.length - 1);
      } else if (chunk instanceof Name) text += to.escapeName(chunk.value);
      else throw UNHANDLED;
    }
    return text;
  };
  try {
    if (inlines(query)) throw UNHANDLED;
    return { sql: walk(query.queryChunks), params };
  } catch (error) {
    if (error !== UNHANDLED) throw error;
    const { sql: text, params: all } = to.sqlToQuery(query);
    return { sql: text, params: all };
  }
}

/** Where a query runs: the read pool, the write pool, or the client holding a write transaction. */
export interface Runner {
  /** The rows of a query. */
  all<R>(query: SQL, rows?: RowMode): Promise<R[]>;
  /** The rows of a prepared query (see `prepared`) with these values for its $1, $2, …. */
  prepared<R>(query: Prepared, values: unknown[], rows?: RowMode): Promise<R[]>;
  /**
   * The rows of a query run as a named statement named after its text (see `named`): only for a query of a few
   * texts asked on every request, whose plan does not hang on its values. Its values must be texts, and are
   * opaque to the planner (OpaqueValues); a LIMIT goes in the text (`sql.raw`), since an unknown limit is
   * planned as a tenth of the rows.
   */
  named<R>(query: SQL, rows?: RowMode): Promise<R[]>;
  /** True inside a write transaction (writes join it; reads see its rows). */
  readonly inTransaction: boolean;
}

export function runnerOf(client: pg.Pool | pg.PoolClient, inTransaction: boolean, trace?: (sql: string) => void): Runner {
  return {
    inTransaction,
    async all<R>(query: SQL, rows: RowMode = 'objects'): Promise<R[]> {
      const { sql: text, params } = toQuery(query);
      trace?.(text);
      const result = await client.query(inMode({ text, values: params as unknown[] }, rows));
      return result.rows as R[];
    },
    async prepared<R>(query: Prepared, values: unknown[], rows: RowMode = 'objects'): Promise<R[]> {
      trace?.(query.text);
      const result = await client.query(inMode({ name: query.name, text: query.text, values }, rows));
      return result.rows as R[];
    },
    async named<R>(query: SQL, rows: RowMode = 'objects'): Promise<R[]> {
      const { sql: text, params } = toQuery(query, opaque);
      if (params.some((p) => typeof p !== 'string')) throw new Error(`a named query takes texts only: ${text}`);
      trace?.(text);
      const result = await client.query(inMode({ name: nameOf(text), text, values: params as unknown[] }, rows));
      return result.rows as R[];
    },
  };
}

/** A query's config asking pg for rows in `rows`' mode. */
function inMode(config: pg.QueryConfig, rows: RowMode): pg.QueryConfig {
  if (rows === 'arrays') (config as pg.QueryConfig & { rowMode?: 'array' }).rowMode = 'array';
  return config;
}

const names = new Map<string, string>();

/**
 * A statement's name from its text (a name is one text on a connection, as pg requires): the text parsed and
 * planned once per connection, as with `prepared`, for a query built from a template with a few shapes.
 */
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `q_${createHash('sha1').update(text).digest('base64url')}`;
    names.set(text, name);
  }
  return name;
}

/** A query whose text never changes, asked on every request: see `prepared`. */
export interface Prepared {
  readonly name: string;
  readonly text: string;
}

const preparedNames = new Set<string>();

/**
 * A hot query rendered to text once, and run as a named statement: each connection parses and plans it once,
 * then only binds values (PostgreSQL keeps a generic plan once it costs no more than the custom ones), and the
 * template is not rendered again per call. Only for queries whose plan does not hang on the values (a key
 * looked up by id): a list's filters and ranges are planned with their values. Values go in as `$1`, `$2`, …
 * written with `sql.raw` in the template, which must hold no parameter of its own.
 */
export function prepared(name: string, query: SQL): Prepared {
  const { sql: text, params } = dialect.sqlToQuery(query);
  if (params.length > 0) throw new Error(`prepared query ${name} must take its values as $n, not as parameters`);
  // pg refuses a name given two texts on one connection: a name is one query for the life of the process.
  if (preparedNames.has(name)) throw new Error(`prepared query ${name} is defined twice`);
  preparedNames.add(name);
  return { name, text };
}

/** `$n` in a prepared query's template. */
export const slot = (n: number): SQL => sql.raw(`$${n}`);

export const first = async <R>(run: Runner, query: SQL): Promise<R | undefined> => (await run.all<R>(query))[0];

/** `= ANY($n::text[])`: one parameter, however many values. */
export const anyText = (values: readonly string[]): SQL => sql`ANY(${sql.param([...values])}::text[])`;

export const ident = (name: string): SQL => sql`${sql.identifier(name)}`;

/** camelCase field → snake_case column, as the tables name them. */
export const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `"column" AS "field"` for each field, optionally qualified by a table alias. */
export function selectList(fields: readonly string[], alias?: string): SQL {
  return sql.raw(fields.map((f) => `${alias ? `"${alias}".` : ''}"${snake(f)}" AS "${f}"`).join(', '));
}

/** Rows keyed by `key` in the order of `keys` (a miss leaves no hole). */
export function inOrder<R>(rows: R[], keys: readonly (string | number)[], key: (row: R) => string | number): R[] {
  if (keys.length <= 1) return rows;
  const byKey = new Map(rows.map((row) => [key(row), row]));
  return keys.flatMap((k) => byKey.get(k) ?? []);
}

export const AND = (parts: (SQL | undefined)[]): SQL | undefined => {
  const present = parts.filter((p): p is SQL => p !== undefined);
  if (present.length === 0) return undefined;
  return sql.join(
    present.map((p) => sql`(${p})`),
    sql` AND `,
  );
};
