// Topic ancestry, kept by triggers (migrations/0005_topic_ancestry.sql): which topics each topic is under, and
// which topics each statement is about through any of its own. Declared here for queries only: drizzle-kit
// cannot declare WITHOUT ROWID tables or triggers, so the migration is written by hand (like the search index).
import { inArray, type SQL, sql } from 'drizzle-orm';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from './client.js';
import { linkPath } from './tables/statements.table.js';
import { topics } from './tables/topics.table.js';
import { namedIds } from './tree.js';

/** Each topic with itself and each of its ancestors. */
export const topicAncestors = sqliteTable('topic_ancestors', {
  topicId: text('topic_id').notNull(),
  ancestorId: text('ancestor_id').notNull(),
});

/**
 * Each statement under every topic it is about, directly or through a descendant, with its date ('' when
 * undated, so that the key has no NULL and sorts the undated last, newest first, as the statements do). Its
 * key (ancestor, date, statement) serves "about this topic, newest first" and date ranges without a sort. It has
 * no index by statement (migrations/0015): a statement's rows are found by key, from the ancestors of the topics
 * in its `links` and its date.
 */
export const statementTopicAncestors = sqliteTable('statement_topic_ancestors', {
  ancestorId: text('ancestor_id').notNull(),
  statedOn: text('stated_on').notNull(),
  statementId: text('statement_id').notNull(),
});

/** The topics named (by id or alias) and all their descendants, as a subquery of topic ids. */
export const topicsUnder = (db: Db, names: string[]): SQL =>
  sql`(SELECT ${topicAncestors.topicId} FROM ${topicAncestors} WHERE ${inArray(topicAncestors.ancestorId, namedIds(db, topics, names))})`;

/**
 * `statement_topic_ancestors` rebuilt from the statements' topic links; the SQL a bulk load leaves for its end,
 * when the triggers that keep it row by row are put aside. Statements are read in the order they were stored
 * (each with the topics of its `links` column: the link tables have no index by statement), not sorted: a load stores them roughly by date, so each topic's rows go in near
 * the end of its range, and OR IGNORE drops a row reached through two topics of one statement. Reading the
 * links by topic and sorting them was markedly slower (docs/performance.md, Imports).
 */
export const REBUILD_STATEMENT_ANCESTRY = [
  'DELETE FROM `statement_topic_ancestors`',
  `INSERT OR IGNORE INTO \`statement_topic_ancestors\` (\`ancestor_id\`, \`stated_on\`, \`statement_id\`)
     SELECT a.\`ancestor_id\`, coalesce(s.\`stated_on\`, ''), s.\`id\`
       FROM \`statements\` s CROSS JOIN json_each(s.\`links\`, ${linkPath('topicIds')}) st
       CROSS JOIN \`topic_ancestors\` a ON a.\`topic_id\` = st.\`value\``,
];
