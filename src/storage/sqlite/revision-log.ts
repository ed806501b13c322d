// The revision log's write side: the shared write path records every change in the transaction that makes it.
// Its reads (a record's history, the change feed) are revisions.ts.

import type { Author } from '../types.js';
import type { Db } from './client.js';
import { now, prepared } from './records.js';

export type Operation = 'create' | 'update' | 'delete';

export type { Author } from '../types.js';

/** Inserts the revision with a statement prepared once per connection: it runs for every record written. */
export function recordRevision(
  db: Db,
  change: { collection: string; recordId: string; version: number; operation: Operation; state: object | null },
  author: Author,
): void {
  prepared(
    db,
    'INSERT INTO "revisions" ("collection", "record_id", "version", "operation", "state", "key_name", "at") VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    change.collection,
    change.recordId,
    change.version,
    change.operation,
    change.state === null ? null : JSON.stringify(change.state),
    author.keyName ?? null,
    now(),
  );
}
