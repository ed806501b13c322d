// Storage for positions (an actor's stance on a topic over a period) and the statements that evidence them.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { EVIDENCE_RELATIONS, STANCES } from '../../../lib/vocabularies.js';
import { oneOf, timestamps } from '../columns.js';
import { actors } from './actors.table.js';
import { statements } from './statements.table.js';
import { topics } from './topics.table.js';

export const positions = sqliteTable(
  'positions',
  {
    id: text('id').primaryKey(),
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id),
    topicId: text('topic_id')
      .notNull()
      .references(() => topics.id),
    stance: text('stance', { enum: STANCES }).notNull(),
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

export const positionEvidence = sqliteTable(
  'position_evidence',
  {
    positionId: text('position_id')
      .notNull()
      .references(() => positions.id, { onDelete: 'cascade' }),
    statementId: text('statement_id')
      .notNull()
      .references(() => statements.id),
    relation: text('relation', { enum: EVIDENCE_RELATIONS }).notNull(),
    ord: integer('ord').notNull(),
  },
  (t) => [
    oneOf('position_evidence_relation_check', t.relation, EVIDENCE_RELATIONS),
    primaryKey({ columns: [t.positionId, t.statementId] }),
    index('position_evidence_statement_idx').on(t.statementId),
  ],
);
