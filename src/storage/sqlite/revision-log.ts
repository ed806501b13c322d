// The revision log's write side: the shared write path records every change in the transaction that makes it.
// Its reads (a record's history, the change feed) are revisions.ts.

import type { Author } from '../types.js';
import type { Db } from './client.js';
import { now, prepared } from './records.js';

export type Operation = 'create' | 'update' | 'delete';

export type { Author } from '../types.js';

/**
 * Inserts the revision with a statement prepared once per connection: it runs for every record written.
 * Its state is left NULL. For a create or an update, the state after the change is the record's current
 * state, which the record itself holds: the read resolves it from the record (revisions.ts), and the next
 * update or delete of the record writes it into the row (keepSupersededState) before recording its own
 * revision. For a delete, NULL is the tombstone.
 */
export function recordRevision(
  db: Db,
  change: { collection: string; recordId: string; version: number; operation: Operation },
  author: Author,
): void {
  prepared(
    db,
    'INSERT INTO "revisions" ("collection", "record_id", "version", "operation", "state", "key_name", "at") VALUES (?, ?, ?, ?, NULL, ?, ?)',
  ).run(change.collection, change.recordId, change.version, change.operation, author.keyName ?? null, now());
}

/**
 * Before a record's next update or delete: writes `state`, the record as it stands (version `version`), into
 * the revision that made that version, which held no state while the record held it. Only the record's latest
 * revision, and only when it made that version and holds no state yet (a revision recorded before migration
 * 0012 may still hold its state; a record stored before revisions existed has none to fill). A seek on
 * revisions_record_idx, which a bulk load therefore keeps (bulk-load.ts).
 */
export function keepSupersededState(db: Db, collection: string, recordId: string, version: number, state: object): void {
  prepared(
    db,
    'UPDATE "revisions" SET "state" = ? WHERE "seq" = (SELECT max("seq") FROM "revisions" WHERE "collection" = ? AND "record_id" = ?) ' +
      `AND "version" = ? AND "operation" <> 'delete' AND "state" IS NULL`,
  ).run(JSON.stringify(state), collection, recordId, version);
}
