// The tables on PostgreSQL: the SQLite tables (src/storage/sqlite/tables/*.table.ts and the hand-written ones of migrations/sqlite/)
// with the same names, columns, keys, checks and indexes, in PostgreSQL's types. drizzle-kit generates
// migrations/postgres/ from this file (drizzle.postgres.config.ts); the functions and triggers that keep the
// derived tables in step are hand-written migrations there.
//
// Where PostgreSQL differs, and why:
// - Every text column is `COLLATE "C"`: SQLite compares text byte by byte, and the service relies on it (keyset
//   cursors, `id` as the final tiebreak, `valid_to > valid_from`, ISO dates and timestamps compared as text).
//   A database's default collation (en_US and the like) orders `ttp-b` before `ttpa`; "C" orders as SQLite does,
//   whatever the database was created with.
// - Dates and timestamps stay ISO text, as the API reads and writes them: a `timestamptz` would answer
//   `2024-04-05 10:00:00+00` unless every query formatted it back.
// - JSON: `jsonb` for the arrays (aliases, scopes: the order of an array's items is kept), `json` where a stored
//   object comes back as it was written (a revision's state, a kept answer's headers): `jsonb` would reorder
//   the keys.
// - Autoincrement keys are identity columns (never reused, as SQLite's AUTOINCREMENT), `revisions.seq` a bigint.
// - `statements.responds_to_id` is not here: SQLite kept it, always NULL, from 0010 until its table was rebuilt
//   (migrations/0016); the links are in `statement_responds_to` on both engines.
// - The full-text index is `statements_search` (a tsvector per statement, GIN-indexed) instead of FTS5's
//   virtual table; its rows are written by triggers when a transaction commits (migrations/postgres/0001), not by
//   the service.
import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  json,
  jsonb,
  type PgColumn,
  pgTable,
  primaryKey,
} from 'drizzle-orm/pg-core';
import {
  ACTOR_KINDS,
  EVENT_KINDS,
  EVIDENCE_RELATIONS,
  type KeyScope,
  REVISION_OPERATIONS,
  SOURCE_KINDS,
  STANCES,
  STATEMENT_KINDS,
} from '../../lib/vocabularies.js';

/** Text compared and sorted byte by byte, as SQLite does (see above). */
const text = customType<{ data: string; driverData: string }>({
  dataType: () => 'text COLLATE "C"',
});

/** A text search document: what statements_search holds (written by triggers, read with `@@`). */
export const tsvector = customType<{ data: string; driverData: string }>({
  dataType: () => 'tsvector',
});

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};

/** A CHECK that keeps a text column inside its vocabulary (as db/columns.ts's oneOf on SQLite). */
function oneOf(name: string, column: PgColumn, values: readonly string[]) {
  return check(name, sql`${column} IN (${sql.raw(values.map((v) => `'${v}'`).join(', '))})`);
}

const emptyList: SQL = sql`'[]'::jsonb`;

export const actors = pgTable(
  'actors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind').$type<(typeof ACTOR_KINDS)[number]>().notNull(),
    countryCode: text('country_code'),
    parentId: text('parent_id').references((): AnyPgColumn => actors.id),
    aliases: jsonb('aliases').$type<string[]>().notNull().default(emptyList),
    description: text('description'),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('actors_kind_check', t.kind, ACTOR_KINDS),
    index('actors_parent_idx').on(t.parentId),
    index('actors_kind_idx').on(t.kind, t.id),
  ],
);

export const topics = pgTable(
  'topics',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    parentId: text('parent_id').references((): AnyPgColumn => topics.id),
    aliases: jsonb('aliases').$type<string[]>().notNull().default(emptyList),
    description: text('description'),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [index('topics_parent_idx').on(t.parentId)],
);

export const sources = pgTable(
  'sources',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<(typeof SOURCE_KINDS)[number]>().notNull(),
    title: text('title').notNull(),
    publisher: text('publisher'),
    author: text('author'),
    url: text('url'),
    publishedOn: text('published_on'),
    language: text('language'),
    text: text('text'),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('sources_kind_check', t.kind, SOURCE_KINDS),
    index('sources_published_idx').on(t.publishedOn, t.id),
    // PostgreSQL only: the sources that keep a text, which a quote's `verified` is checked against. Every read
    // of statements asks, once per query, whether any source has one (stores.ts, STATEMENT_LINK_ARRAYS), and
    // each quote's cited sources are looked up here, where the sources without a text are not.
    index('sources_with_text_idx').on(t.id).where(sql`${t.text} IS NOT NULL`),
  ],
);

export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<(typeof EVENT_KINDS)[number]>().notNull(),
    title: text('title').notNull(),
    startDate: text('start_date'),
    endDate: text('end_date'),
    location: text('location'),
    hostId: text('host_id').references(() => actors.id),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('events_kind_check', t.kind, EVENT_KINDS),
    index('events_host_idx').on(t.hostId),
    index('events_start_idx').on(t.startDate, t.id),
  ],
);

export const eventParticipants = pgTable(
  'event_participants',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id),
    ord: integer('ord').notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.actorId] }), index('event_participants_actor_idx').on(t.actorId)],
);

export const statements = pgTable(
  'statements',
  {
    id: text('id').primaryKey(),
    /** A stable integer key, given in recording order: the search index's key and its "newest first". */
    doc: integer('doc').notNull().unique(),
    text: text('text').notNull(),
    kind: text('kind').$type<(typeof STATEMENT_KINDS)[number]>().notNull(),
    speakerId: text('speaker_id')
      .notNull()
      .references(() => actors.id),
    onBehalfOfId: text('on_behalf_of_id').references(() => actors.id),
    speakerRole: text('speaker_role'),
    statedOn: text('stated_on'),
    eventId: text('event_id').references(() => events.id),
    context: text('context'),
    language: text('language'),
    ...timestamps,
    version: integer('version').notNull().default(1),
    /**
     * The five link arrays (sourceIds, topicIds, addresseeIds, acts, respondsToIds, each in its stored order), as
     * SQLite's `links` column (migrations/sqlite/0013): a page reads its statements' links with their rows instead
     * of a subquery per link table and row. The link tables stay the index that filters, reference checks, topic
     * ancestry and search read; the write path writes both (stores.ts), migrations/postgres/0005 filled it.
     */
    links: jsonb('links').$type<StatementLinks>().notNull().default(emptyList),
  },
  (t) => [
    oneOf('statements_kind_check', t.kind, STATEMENT_KINDS),
    check('statements_text_check', sql`length(trim(${t.text})) > 0`),
    // NULLS FIRST: the lists' order (lists.ts), read forwards for ascending dates, backwards for newest first.
    index('statements_stated_on_idx').on(t.statedOn.asc().nullsFirst(), t.id),
    index('statements_speaker_idx').on(t.speakerId, t.statedOn.asc().nullsFirst(), t.id),
    index('statements_on_behalf_of_idx').on(t.onBehalfOfId, t.statedOn.asc().nullsFirst(), t.id),
    index('statements_event_idx').on(t.eventId),
    index('statements_language_idx').on(t.language),
    index('statements_created_idx').on(t.createdAt, t.id),
    index('statements_updated_idx').on(t.updatedAt, t.id),
  ],
);

/** A statement's `links` column: its link arrays in LINK_FIELDS order (stores.ts). */
export type StatementLinks = string[][];

/** One link table shape: the statement, the linked value, and its position in the statement's array. */
function statementLink<const Name extends string, const Column extends string>(name: Name, column: Column, target?: () => AnyPgColumn) {
  return pgTable(
    name,
    {
      statementId: text('statement_id')
        .notNull()
        .references(() => statements.id, { onDelete: 'cascade' }),
      value: target ? text(column).notNull().references(target) : text(column).notNull(),
      ord: integer('ord').notNull(),
    },
    (t) => [primaryKey({ columns: [t.statementId, t.value] }), index(`${name}_value_idx`).on(t.value, t.statementId)],
  );
}

export const statementSources = statementLink('statement_sources', 'source_id', () => sources.id);
export const statementTopics = statementLink('statement_topics', 'topic_id', () => topics.id);
export const statementAddressees = statementLink('statement_addressees', 'actor_id', () => actors.id);
export const statementActs = statementLink('statement_acts', 'act');
/** The statements a statement answers: a question often bundles several. */
export const statementRespondsTo = statementLink('statement_responds_to', 'responds_to_id', () => statements.id);

export const positions = pgTable(
  'positions',
  {
    id: text('id').primaryKey(),
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id),
    topicId: text('topic_id')
      .notNull()
      .references(() => topics.id),
    stance: text('stance').$type<(typeof STANCES)[number]>().notNull(),
    summary: text('summary').notNull(),
    /** Null when the start is not known: the position's evidence is undated. */
    validFrom: text('valid_from'),
    validTo: text('valid_to'),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('positions_stance_check', t.stance, STANCES),
    check('positions_period_check', sql`${t.validTo} IS NULL OR ${t.validTo} > ${t.validFrom}`),
    index('positions_actor_topic_idx').on(t.actorId, t.topicId, t.validFrom),
    index('positions_topic_idx').on(t.topicId, t.validFrom),
    index('positions_valid_from_idx').on(t.validFrom, t.id),
    index('positions_created_idx').on(t.createdAt, t.id),
    index('positions_updated_idx').on(t.updatedAt, t.id),
  ],
);

export const positionEvidence = pgTable(
  'position_evidence',
  {
    positionId: text('position_id')
      .notNull()
      .references(() => positions.id, { onDelete: 'cascade' }),
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id),
    relation: text('relation').$type<(typeof EVIDENCE_RELATIONS)[number]>().notNull(),
    ord: integer('ord').notNull(),
  },
  (t) => [
    oneOf('position_evidence_relation_check', t.relation, EVIDENCE_RELATIONS),
    primaryKey({ columns: [t.positionId, t.statementId] }),
    index('position_evidence_statement_idx').on(t.statementId),
  ],
);

export const apiKeys = pgTable('api_keys', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull().unique(),
  keyHash: text('key_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  scopes: jsonb('scopes').$type<KeyScope[]>().notNull().default(sql`'["write"]'::jsonb`),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at'),
  revokedAt: text('revoked_at'),
  lastUsedAt: text('last_used_at'),
});

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    caller: text('caller').notNull(),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    bodyHash: text('body_hash').notNull(),
    /** Null while the first request is still being answered. */
    status: integer('status'),
    headers: json('headers').$type<Record<string, string>>(),
    body: text('body'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caller, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

export const revisions = pgTable(
  'revisions',
  {
    /**
     * Grows with every change; the change feed's position. A sequence hands numbers out at insert, not at
     * commit: the feed reads in commit order only because writes are serialized (client.ts, writeTransaction).
     */
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    collection: text('collection').notNull(),
    recordId: text('record_id').notNull(),
    version: integer('version').notNull(),
    operation: text('operation').$type<(typeof REVISION_OPERATIONS)[number]>().notNull(),
    /** The record as stored after the change; null for a delete. `json`: its keys stay in the order written. */
    state: json('state').$type<Record<string, unknown>>(),
    keyName: text('key_name'),
    at: text('at').notNull(),
  },
  (t) => [
    oneOf('revisions_operation_check', t.operation, REVISION_OPERATIONS),
    index('revisions_record_idx').on(t.collection, t.recordId, t.seq),
  ],
);

// Derived tables (hand-written on SQLite: migrations/0005, 0007), kept by triggers on both engines.

/** Every topic with itself and each of its ancestors, and '*' (any topic) for every topic. */
export const topicAncestors = pgTable(
  'topic_ancestors',
  {
    topicId: text('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    ancestorId: text('ancestor_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.topicId, t.ancestorId] }), index('topic_ancestors_ancestor_idx').on(t.ancestorId, t.topicId)],
);

/** Each statement under each topic it is about, directly or through a descendant, with its date ('' when undated). */
export const statementTopicAncestors = pgTable(
  'statement_topic_ancestors',
  {
    ancestorId: text('ancestor_id').notNull(),
    statedOn: text('stated_on').notNull(),
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.ancestorId, t.statedOn, t.statementId] }),
    index('statement_topic_ancestors_statement_idx').on(t.statementId),
  ],
);

/** Statements per topic (with '*': any topic) and month ('' when undated). */
export const topicMonthCounts = pgTable(
  'topic_month_counts',
  {
    ancestorId: text('ancestor_id').notNull(),
    month: text('month').notNull(),
    statements: integer('statements').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.ancestorId] })],
);

/** Statements per month ('' when undated), over every statement. */
export const monthCounts = pgTable('month_counts', {
  month: text('month').primaryKey(),
  statements: integer('statements').notNull(),
});

/**
 * The full-text index: one document per statement, keyed by its doc number, weighted A (text), B (context),
 * C (the names and aliases of its topics), as FTS5's bm25(10, 3, 2) weighs the three columns.
 */
export const statementsSearch = pgTable(
  'statements_search',
  {
    doc: integer('doc')
      .primaryKey()
      .references(() => statements.doc, { onDelete: 'cascade' }),
    document: tsvector('document').notNull(),
  },
  (t) => [index('statements_search_document_idx').using('gin', t.document)],
);

/**
 * What BM25 reads of the whole search index (documents, and their summed length in words), kept as one row by
 * statement-level triggers on statements_search (migrations/postgres/0004): summing every document on each
 * data version read the whole index, which grows with the archive.
 */
export const statementsSearchTotals = pgTable(
  'statements_search_totals',
  {
    one: boolean('one').primaryKey().default(true),
    documents: bigint('documents', { mode: 'number' }).notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
  },
  (t) => [check('statements_search_totals_one_row', sql`${t.one}`)],
);

/**
 * Statements whose search document is to be written when their transaction commits: the triggers of
 * statements, links and topics queue them here, and a deferred trigger writes each queued document once,
 * after the statement and all its links are in (migrations/postgres/0001). Empty outside a transaction.
 */
export const statementsSearchQueue = pgTable('statements_search_queue', {
  statementId: text('statement_id').primaryKey(),
});

/** One row per transaction that queued documents: its one deferred trigger call drains the queue at commit. */
export const statementsSearchFlush = pgTable('statements_search_flush', {
  transaction: bigint('transaction', { mode: 'number' }).primaryKey(),
});

/**
 * What a bulk load put aside and how to bring it back, one step of SQL a row (as migrations/0007 on SQLite).
 * On PostgreSQL `owner_pid` names the loading backend (pg_backend_pid()), which pg_stat_activity can see from
 * any host, where SQLite's names a process of the machine.
 */
export const deferredWork = pgTable('deferred_work', {
  step: integer('step').primaryKey(),
  sql: text('sql').notNull(),
  ownerPid: integer('owner_pid').notNull(),
});
