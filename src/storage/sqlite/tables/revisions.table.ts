// Storage for revisions: every create, update and delete of every record, in commit order.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { REVISION_OPERATIONS } from '../../../lib/vocabularies.js';
import { oneOf } from '../columns.js';

export const revisions = sqliteTable(
  'revisions',
  {
    /** Grows with every change; the change feed's position. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    collection: text('collection').notNull(),
    recordId: text('record_id').notNull(),
    version: integer('version').notNull(),
    operation: text('operation', { enum: REVISION_OPERATIONS }).notNull(),
    /**
     * The record as stored after the change (fields and metadata, not derived fields), as JSON; null for a delete,
     * and null while the change made the record's current version, whose state the record holds (the reads take
     * it from there; the record's next write stores it here: revision-log.ts).
     */
    state: text('state', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** The name of the API key that made the change; null when auth is off or for the seed. */
    keyName: text('key_name'),
    at: text('at').notNull(),
  },
  (t) => [
    oneOf('revisions_operation_check', t.operation, REVISION_OPERATIONS),
    index('revisions_record_idx').on(t.collection, t.recordId, t.seq),
  ],
);
