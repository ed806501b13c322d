// Revisions, read per record or as a feed; the shared write path records them (lib/revision-log.ts).
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from './client.js';
import { AppError } from '../../lib/errors.js';
import { revisions } from './tables/revisions.table.js';

export type Revision = typeof revisions.$inferSelect;

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
