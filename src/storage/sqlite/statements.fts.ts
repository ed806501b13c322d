// The full-text index of statements (SQLite FTS5): its tables, its rows, and what ranking reads of FTS5's own records.
// Parsing people's queries and the ranking maths are engine-neutral (lib/search.ts).
import { eq } from 'drizzle-orm';
import { blob, integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import { type Corpus, wordsOf } from '../../lib/search.js';
import type { Db } from './client.js';
import { byKeys, dataVersion, IN_KEYS, prepared } from './records.js';
import { linkPath, statementTopics } from './tables/statements.table.js';

/**
 * The FTS5 table, made by migrations/0001 and made contentless by 0014 (drizzle-kit does not model virtual
 * tables, so it is not in schema.ts). It keeps no copy of what it was given: its columns read as NULL, and
 * what ranking reads comes from the statements (text, context) and their topics (topicTermsOfLinks).
 */
export const statementsFts = sqliteTable('statements_fts', {
  rowid: integer('rowid').notNull(),
});

/** FTS5's own table of each row's length in tokens, a varint per column (read by ranking). */
export const statementsFtsSizes = sqliteTable('statements_fts_docsize', {
  id: integer('id').notNull(),
  sz: blob('sz', { mode: 'buffer' }),
});

/**
 * A statement's topic terms as its full-text row holds them: the names and aliases of its topics in the order
 * of its topics, each name before its aliases (as writeSearchIndex writes a row), '' when it has none. `s` is
 * the statement, its topics read from its `links` column (the link tables have no index by statement). The
 * index keeps no copy of its rows (it is contentless), so ranking builds the same string again (topicTermsOfLinks), so that its counts are the index's.
 */
export const TOPIC_TERMS = `coalesce((
    SELECT group_concat(terms."term", ' \n ' ORDER BY terms."ord", terms."alias") FROM (
      SELECT t."name" AS "term", st."key" AS "ord", -1 AS "alias" FROM json_each(s."links", ${linkPath('topicIds')}) st JOIN "topics" t ON t."id" = st."value"
      UNION ALL
      SELECT a."value", st."key", a."key" FROM json_each(s."links", ${linkPath('topicIds')}) st JOIN "topics" t ON t."id" = st."value", json_each(t."aliases") a
      ) terms), '')`;

/**
 * Statements' full-text rows, from the stored rows: each one's doc number, text, context and topic terms; for
 * rewriting some rows (indexStatements). REBUILD_SEARCH_INDEX builds the same rows for every statement.
 */
const INSERT_SEARCH_ROWS = `INSERT INTO "statements_fts" ("rowid", "text", "context", "topics")
  SELECT s."doc", s."text", s."context", ${TOPIC_TERMS}
  FROM "statements" s`;

/**
 * The topic terms of statements by id, the very strings their full-text rows were given (TOPIC_TERMS, or
 * writeSearchIndex's): each topic's name and aliases joined by ' \n ', the topics in their order, joined the
 * same way (topicTermsOfLinks). Statements without topics are left out.
 */
export function searchTopics(db: Db, ids: readonly string[]): Map<string, string> {
  const topicIds = new Map<string, string[]>();
  if (ids.length === 0) return new Map();
  const [read, keys] = byKeys(
    db,
    `SELECT s."id", st."value" FROM "statements" s, json_each(s."links", ${linkPath('topicIds')}) st WHERE s."id" ${IN_KEYS} ORDER BY s."id", st."key"`,
    ids,
  );
  for (const [id, topic] of read.raw().all(keys) as [string, string][]) {
    const these = topicIds.get(id);
    if (these) these.push(topic);
    else topicIds.set(id, [topic]);
  }
  const terms = topicTermsOfLinks(db, [...topicIds.values()]);
  return new Map([...topicIds.keys()].map((id, i) => [id, terms[i] as string]));
}

/**
 * The topic terms of statements filed under these topics (each statement's topic ids, in its order), from
 * the topics' terms kept until the data changes. Ranking takes the topic ids from the `links` column of the
 * statements it reads anyway, so it reads no link rows: TOPIC_TERMS as SQL cost about 35 µs a statement
 * (aliases parsed, terms sorted and joined), and ranking needs a hundred on a new search.
 */
export function topicTermsOfLinks(db: Db, topicIds: readonly (readonly string[])[]): string[] {
  const terms = termsOfTopics(db, topicIds.flat());
  return topicIds.map((ids) => ids.map((id) => terms.get(id) ?? '').join(' \n '));
}

interface KeptTopics {
  version: string;
  terms: Map<string, string>;
  vocabulary?: Set<string>;
}
const keptTopics = new WeakMap<Db, KeptTopics>();

/** What is kept of the topics until the data changes (any commit, by this connection or another). */
function kept(db: Db): KeptTopics {
  const version = dataVersion(db);
  let topics = keptTopics.get(db);
  if (topics?.version !== version) {
    topics = { version, terms: new Map() };
    keptTopics.set(db, topics);
  }
  return topics;
}

/** Topics' terms (name, then aliases, joined by ' \n '), read once each and kept until the data changes. */
function termsOfTopics(db: Db, ids: readonly string[]): Map<string, string> {
  const { terms } = kept(db);
  const missing = [...new Set(ids.filter((id) => !terms.has(id)))];
  if (missing.length > 0) {
    const [read, keys] = byKeys(db, `SELECT "id", "name", "aliases" FROM "topics" WHERE "id" ${IN_KEYS}`, missing);
    for (const [id, name, aliases] of read.raw().all(keys) as [string, string, string][]) {
      terms.set(id, [name, ...(JSON.parse(aliases) as string[])].join(' \n '));
    }
  }
  return terms;
}

/**
 * Every word of every topic's name and aliases, as ranking counts words (wordsOf), kept until the data
 * changes: a search none of whose terms can occur in any topic need not read its hits' topic terms.
 */
export function topicVocabulary(db: Db): ReadonlySet<string> {
  const topics = kept(db);
  if (!topics.vocabulary) {
    const vocabulary = new Set<string>();
    for (const [name, aliases] of prepared(db, 'SELECT "name", "aliases" FROM "topics"').raw().all() as [string, string][]) {
      for (const term of [name, ...(JSON.parse(aliases) as string[])]) for (const word of wordsOf(term)) vocabulary.add(word);
    }
    topics.vocabulary = vocabulary;
  }
  return topics.vocabulary;
}

/**
 * Every statement's full-text row, as INSERT_SEARCH_ROWS makes it: a bulk load puts the index aside and builds it
 * with this at its end (bulk-load.ts). The topic terms of all statements are made in one pass over
 * `statement_topics` (each topic's terms made once, MATERIALIZED, then grouped by statement in `ord` order),
 * then joined to the statements in doc order, the order FTS5 wants its rows in. It reads no `links` column, so
 * it also builds the index of a database from before migration 0013.
 */
export const REBUILD_SEARCH_INDEX = `WITH "topic_terms" AS MATERIALIZED (
    SELECT "id", "name" || coalesce((SELECT group_concat(' \n ' || a."value", '' ORDER BY a."key") FROM json_each("aliases") a), '') AS "terms"
      FROM "topics")
  INSERT INTO "statements_fts" ("rowid", "text", "context", "topics")
  SELECT s."doc", s."text", s."context", coalesce(terms."topics", '') FROM "statements" s LEFT JOIN (
    SELECT st."statement_id" AS "id", group_concat(t."terms", ' \n ' ORDER BY st."ord") AS "topics"
      FROM "statement_topics" st JOIN "topic_terms" t ON t."id" = st."topic_id"
     GROUP BY st."statement_id") terms ON terms."id" = s."id"
  ORDER BY s."doc"`;

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
