// The revision log's write side: the shared write path records every change in the transaction that makes it.
// The table and its reads (a record's history, the change feed) belong to modules/revisions.
import type { Db } from './client.js';
import { now, prepared } from './records.js';

export type Operation = 'create' | 'update' | 'delete';

/**
 * Who is writing: the key's name, carried from the request to every revision the write records, as an
 * argument all the way down (never a module-level "current author": with an asynchronous storage engine,
 * two requests' writes would interleave and one could record the other's key).
 */
export interface Author {
  keyName?: string | null;
}

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
