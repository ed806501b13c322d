// Revisions in SQLite, read per record or as a feed; the write path records them (revision-log.ts).
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Revision } from '../revisions.js';
import type { Db } from './client.js';
import { revisions } from './tables/revisions.table.js';

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
export function changesSince(db: Db, after: number, limit: number, collections?: readonly string[]): Revision[] {
  return db
    .select()
    .from(revisions)
    .where(and(gt(revisions.seq, after), collections ? inArray(revisions.collection, [...collections]) : undefined))
    .orderBy(asc(revisions.seq))
    .limit(limit)
    .all();
}
