// query.ts's `toQuery` renders the engine's drizzle templates to text and parameters without drizzle's own
// rendering, on every PostgreSQL query: it must give drizzle's answer exactly, and hand drizzle what it does
// not know. No database needed: both renderings compared for the kinds of template the engine writes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { PgDialect, pgTable, text } from 'drizzle-orm/pg-core';
import { AND, anyText, ident, selectList, toQuery } from '../src/storage/postgres/query.js';

class Opaque extends PgDialect {
  override escapeParam(num: number): string {
    return `(SELECT $${num + 1}::text)`;
  }
}
const table = pgTable('things', { id: text('id') });

const cases = {
  'texts and values': sql`SELECT ${selectList(['id', 'statedOn'], 'statements')} FROM ${ident('statements')} WHERE "id" = ${'a'} AND "n" > ${3} AND "b" = ${true} AND "c" IS ${null}`,
  'nested templates, in order': sql`SELECT 1 WHERE ${AND([sql`"a" >= ${'2015-01-01'}`, undefined, sql`"a" <= ${'2015-12-31'}`, sql`"k" = ${anyText(['x', 'y'])}`])} LIMIT ${21}`,
  'raw text and an empty template': sql`${sql.raw('SELECT "x"')}${sql``} FROM "t" ORDER BY ${sql.raw('"x" DESC NULLS LAST')}, "id" DESC`,
  'quotes in an identifier': sql`SELECT ${sql.identifier('we"ird')} FROM "t"`,
  'a parameter of an array': sql`SELECT 1 WHERE "doc" = ANY(${sql.param([1, 2, 3])}::int[])`,
  'undefined left out': sql`SELECT 1${undefined} WHERE ${'v'} = "x"`,
  // Handed to drizzle:
  'a list of values': sql`SELECT 1 WHERE "id" IN ${['a', 'b']}`,
  'a placeholder': sql`SELECT 1 WHERE "id" = ${sql.placeholder('id')}`,
  'inlined values': sql`SELECT 1 WHERE "id" = ${'a'}`.inlineParams(),
  'an inlined part': sql`SELECT 1 WHERE "n" = ${3} AND ${sql`"id" = ${'a'}`.inlineParams()} AND "m" = ${4}`,
  'a table and a column': sql`SELECT ${table.id} FROM ${table} WHERE ${table.id} = ${'a'}`,
  'an object value': sql`SELECT 1 WHERE "at" = ${new Date(0)}`,
};

describe('toQuery renders as drizzle does', () => {
  for (const [name, query] of Object.entries(cases)) {
    test(name, () => {
      for (const dialect of [new PgDialect(), new Opaque()]) {
        // Text and parameters: what the engine sends (drizzle's `typings` are not used with node-postgres).
        const { sql: text, params } = dialect.sqlToQuery(query);
        assert.deepEqual(toQuery(query, dialect), { sql: text, params });
      }
    });
  }
});
