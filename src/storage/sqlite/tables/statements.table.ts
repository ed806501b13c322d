// Storage for statements and their links: sources, topics, addressees, acts and the statements they answer.
import { sql } from 'drizzle-orm';
import { type AnySQLiteColumn, check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { STATEMENT_KINDS } from '../../../lib/vocabularies.js';
import { oneOf, timestamps } from '../columns.js';
import { actors } from './actors.table.js';
import { events } from './events.table.js';
import { sources } from './sources.table.js';
import { topics } from './topics.table.js';

/** The statement fields a `links` column holds, in its order. */
export const STATEMENT_LINKS = ['sourceIds', 'topicIds', 'addresseeIds', 'acts', 'respondsToIds'] as const;
/** The JSON path of one link array in the `links` column, as SQL text (`'$[1]'` for topicIds): for json_each. */
export const linkPath = (name: (typeof STATEMENT_LINKS)[number]) => `'$[${STATEMENT_LINKS.indexOf(name)}]'`;
/** A statement's link arrays in STATEMENT_LINKS order; an array left out (the column's default is `[]`) is empty. */
export type StatementLinks = string[][];

export const statements = sqliteTable(
  'statements',
  {
    id: text('id').notNull().unique(),
    /**
     * The row's key and the full-text index's: an INTEGER PRIMARY KEY is the rowid itself, which VACUUM keeps
     * (it may renumber the rowids of a table without one), so a search hit reaches its row in one B-tree, and
     * no index maps doc to rowid (migrations/0016).
     */
    doc: integer('doc').primaryKey(),
    text: text('text').notNull(),
    kind: text('kind', { enum: STATEMENT_KINDS }).notNull(),
    speakerId: text('speaker_id')
      .notNull()
      .references(() => actors.id),
    onBehalfOfId: text('on_behalf_of_id').references(() => actors.id),
    speakerRole: text('speaker_role'),
    statedOn: text('stated_on'),
    eventId: text('event_id').references(() => events.id),
    context: text('context'),
    language: text('language'),
    /**
     * The five link arrays in their order, as one JSON array: sourceIds, topicIds, addresseeIds, acts,
     * respondsToIds (STATEMENT_LINKS). Written with the link tables, in the same transaction, so a page reads
     * its statements' links with their rows; the link tables stay the index that filters, reference checks,
     * topic ancestry and stats read (migration 0013 filled it for the statements stored before it).
     */
    links: text('links', { mode: 'json' }).$type<StatementLinks>().notNull().default([]),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('statements_kind_check', t.kind, STATEMENT_KINDS),
    check('statements_text_check', sql`length(trim(${t.text})) > 0`),
    index('statements_stated_on_idx').on(t.statedOn, t.id),
    index('statements_speaker_idx').on(t.speakerId, t.statedOn, t.id),
    index('statements_on_behalf_of_idx').on(t.onBehalfOfId, t.statedOn, t.id),
    index('statements_event_idx').on(t.eventId),
    index('statements_language_idx').on(t.language),
    index('statements_created_idx').on(t.createdAt, t.id),
    index('statements_updated_idx').on(t.updatedAt, t.id),
  ],
);

/**
 * One link table shape: the linked value, the statement, and the value's position in the statement's array.
 * Keyed by (value, statement) WITHOUT ROWID (migrations/0015): the one direction the link tables are read in
 * (filters, referrers, a topic's statements). A statement's own links are read from its `links` column, and
 * its rows here are found by key from it (the write path, the delete trigger), so no index by statement and
 * no foreign key to it, which would need one; its delete removes them by trigger (migrations/0015).
 */
function statementLink<const Name extends string, const Column extends string>(name: Name, column: Column, target?: AnySQLiteColumn) {
  return sqliteTable(
    name,
    {
      statementId: text('statement_id').notNull(),
      value: target
        ? text(column)
            .notNull()
            .references(() => target)
        : text(column).notNull(),
      ord: integer('ord').notNull(),
    },
    (t) => [primaryKey({ columns: [t.value, t.statementId] })],
  );
}

export const statementSources = statementLink('statement_sources', 'source_id', sources.id);
export const statementTopics = statementLink('statement_topics', 'topic_id', topics.id);
export const statementAddressees = statementLink('statement_addressees', 'actor_id', actors.id);
export const statementActs = statementLink('statement_acts', 'act');
/** The statements a statement answers: a question often bundles several. */
export const statementRespondsTo = statementLink('statement_responds_to', 'responds_to_id', statements.id);
