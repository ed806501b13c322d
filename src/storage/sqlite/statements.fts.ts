// The full-text index of statements (SQLite FTS5): its tables, its rows, and what ranking reads of FTS5's own records.
// Parsing people's queries and the ranking maths are engine-neutral (lib/search.ts).
import { eq } from 'drizzle-orm';
import { blob, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Corpus } from '../../lib/search.js';
import type { Db } from './client.js';
import { byKeys, IN_KEYS, prepared } from './records.js';
import { statementTopics } from './tables/statements.table.js';

/** The FTS5 table, made by migrations/0001 (drizzle-kit does not model virtual tables, so it is not in schema.ts). */
export const statementsFts = sqliteTable('statements_fts', {
  rowid: integer('rowid').notNull(),
  text: text('text'),
  context: text('context'),
  topics: text('topics'),
});

/** FTS5's own table of each row's length in tokens, a varint per column (read by ranking). */
export const statementsFtsSizes = sqliteTable('statements_fts_docsize', {
  id: integer('id').notNull(),
  sz: blob('sz', { mode: 'buffer' }),
});

/**
 * Statements' full-text rows, from the stored rows: each one's doc number, text, context, and the names and
 * aliases of its topics in the order of its topics, each name before its aliases (as writeSearchIndex writes
 * a row). The one definition for rewriting some rows (indexStatements) and building the whole index.
 */
const INSERT_SEARCH_ROWS = `INSERT INTO "statements_fts" ("rowid", "text", "context", "topics")
  SELECT s."doc", s."text", s."context", coalesce((
    SELECT group_concat(terms."term", ' \n ' ORDER BY terms."ord", terms."alias") FROM (
      SELECT t."name" AS "term", st."ord", -1 AS "alias" FROM "statement_topics" st JOIN "topics" t ON t."id" = st."topic_id"
        WHERE st."statement_id" = s."id"
      UNION ALL
      SELECT a."value", st."ord", a."key" FROM "statement_topics" st JOIN "topics" t ON t."id" = st."topic_id", json_each(t."aliases") a
        WHERE st."statement_id" = s."id") terms), '')
  FROM "statements" s`;

/** Every statement's full-text row: a bulk load puts the index aside and builds it with this at its end (imports.bulk-load.ts). */
export const REBUILD_SEARCH_INDEX = `${INSERT_SEARCH_ROWS} ORDER BY s."doc"`;

/**
 * Whether the full-text index is put aside for a bulk load that will build it from the stored rows at its end
 * (REBUILD_SEARCH_INDEX is in `deferred_work`): until then, writes leave the index alone. `memo`: a bulk
 * write's, which asks once.
 */
export function searchIndexDeferred(db: Db, memo?: Map<string, unknown>): boolean {
  const known = memo?.get('statements.searchDeferred') as boolean | undefined;
  if (known !== undefined) return known;
  const deferred = prepared(db, 'SELECT 1 FROM "deferred_work" WHERE "sql" = ?').get(REBUILD_SEARCH_INDEX) !== undefined;
  memo?.set('statements.searchDeferred', deferred);
  return deferred;
}

/** Rewrites the index rows of these statements from their current text, context and topics. */
export function indexStatements(db: Db, ids: string[]): void {
  if (ids.length === 0 || searchIndexDeferred(db)) return;
  // One row at a time by rowid: FTS5 finds a row by `rowid = ?`, but would scan the index for `rowid IN (…)`.
  const [docs, keys] = byKeys(db, `SELECT "doc" FROM "statements" WHERE "id" ${IN_KEYS}`, ids);
  const remove = prepared(db, 'DELETE FROM "statements_fts" WHERE "rowid" = ?');
  for (const doc of docs.pluck().all(keys)) remove.run(doc);
  const [insert, bound] = byKeys(db, `${INSERT_SEARCH_ROWS} WHERE s."id" ${IN_KEYS} ORDER BY s."doc"`, ids);
  insert.run(bound);
}

/** Re-indexes the statements filed under a topic whose name or aliases changed. */
export function reindexTopic(db: Db, topicId: string): void {
  const ids = db.select({ id: statementTopics.statementId }).from(statementTopics).where(eq(statementTopics.value, topicId)).all();
  indexStatements(
    db,
    ids.map((r) => r.id),
  );
}

/**
 * The index's document count and average length, from the record FTS5 keeps them in (row 1 of its data
 * table: the row count, then the token total of each column, as SQLite varints). bm25() reads the same.
 */
export function corpusOf(averages: Uint8Array | undefined): Corpus {
  const [documents = 0, ...columns] = varints(averages);
  const tokens = columns.reduce((sum, n) => sum + n, 0);
  return { documents, averageTokens: documents > 0 ? tokens / documents : 0 };
}

/** A hit's token count from its FTS5 docsize row (one varint per column). */
export const tokensOf = (sizes: Uint8Array | null): number => varints(sizes).reduce((sum, n) => sum + n, 0);

/** The SQLite varints FTS5 writes back to back: 7 bits a byte, high bit set on all but the last; a 9th byte holds 8. */
function varints(bytes: Uint8Array | null | undefined): number[] {
  const values: number[] = [];
  if (!bytes) return values;
  let value = 0;
  let length = 0;
  for (const byte of bytes) {
    if (length === 8) {
      values.push(value * 256 + byte);
      [value, length] = [0, 0];
      continue;
    }
    value = value * 128 + (byte & 0x7f);
    length++;
    if (byte < 0x80) {
      values.push(value);
      [value, length] = [0, 0];
    }
  }
  return values;
}
