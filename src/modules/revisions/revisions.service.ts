// Revisions: written in the same transaction as the change they record; read per record or as a feed.
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { now, prepared } from '../../lib/records.js';
import { revisions } from './revisions.table.js';

export type Operation = 'create' | 'update' | 'delete';
export type Revision = typeof revisions.$inferSelect;

/** Who is writing: the key's name, carried from the request to the write path. */
export interface Author {
  keyName?: string | null;
}

// The author of the write in progress. Writes are synchronous inside their transaction, so a value set
// for the length of one synchronous call cannot leak into another request.
let current: Author = {};

/** Runs `work` (synchronous) with `author` as the author of any revision it records without naming one. */
export function asAuthor<T>(author: Author, work: () => T): T {
  const previous = current;
  current = author;
  try {
    return work();
  } finally {
    current = previous;
  }
}

/** Inserts the revision with a statement prepared once per connection: it runs for every record written. */
export function recordRevision(
  db: Db,
  change: { collection: string; recordId: string; version: number; operation: Operation; state: object | null },
  author: Author = current,
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

/** A record's history, oldest first; a deleted record's history stays readable. */
export function revisionsOf(db: Db, collection: string, recordId: string, after: number, limit: number): Revision[] {
  return db
    .select()
    .from(revisions)
    .where(and(eq(revisions.collection, collection), eq(revisions.recordId, recordId), gt(revisions.seq, after)))
    .orderBy(asc(revisions.seq))
    .limit(limit)
    .all();
}

/** Changes after a position of the feed, in commit order, optionally for some collections only. */
export function changesSince(db: Db, after: number, limit: number, collections?: string[]): Revision[] {
  return db
    .select()
    .from(revisions)
    .where(and(gt(revisions.seq, after), collections ? inArray(revisions.collection, collections) : undefined))
    .orderBy(asc(revisions.seq))
    .limit(limit)
    .all();
}

/** Feed positions are opaque to clients: `c` + the sequence number, base64url. */
export const encodePosition = (seq: number) => Buffer.from(`c${seq}`).toString('base64url');

export function decodePosition(cursor: string | undefined, parameter: string): number {
  if (cursor === undefined) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = /^c(\d{1,15})$/.exec(text)?.[1];
  if (seq === undefined) {
    throw new AppError('INVALID_CURSOR', `${parameter} is not a position this API issued.`, {
      errors: [{ in: 'query', path: `/${parameter}`, message: 'is not a position this API issued' }],
    });
  }
  return Number(seq);
}
