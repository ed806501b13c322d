// Running SQL on PostgreSQL: drizzle's `sql` templates rendered once to text and parameters, run on a pool
// (reads) or on the one client of a write transaction, and the helpers the engine's queries share.
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';

const dialect = new PgDialect();

/** Where a query runs: the read pool, the write pool, or the client holding a write transaction. */
export interface Runner {
  /** The rows of a query. */
  all<R>(query: SQL): Promise<R[]>;
  /** True inside a write transaction (writes join it; reads see its rows). */
  readonly inTransaction: boolean;
}

export function runnerOf(client: pg.Pool | pg.PoolClient, inTransaction: boolean, trace?: (sql: string) => void): Runner {
  return {
    inTransaction,
    async all<R>(query: SQL): Promise<R[]> {
      const { sql: text, params } = dialect.sqlToQuery(query);
      trace?.(text);
      const result = await client.query(text, params as unknown[]);
      return result.rows as R[];
    },
  };
}

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
