// Revisions in SQLite, read per record or as a feed; the write path records them (revision-log.ts).
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Revision } from '../revisions.js';
import type { Meta } from '../types.js';
import type { Db } from './client.js';
import { revisionState, type Store } from './store.js';
import { revisions } from './tables/revisions.table.js';

/** Each collection's store, to read a current state from its record (the engine's STORES, index.ts). */
// biome-ignore lint/suspicious/noExplicitAny: each store has its own fields; only revisionState reads them.
export type StatesFrom = Readonly<Record<string, Store<any, Meta>>>;

/** A record's history, oldest first; a deleted record's history stays readable. */
export function revisionsOf(db: Db, stores: StatesFrom, collection: string, recordId: string, after: number, limit: number): Revision[] {
  return withStates(db, stores, () =>
    db
      .select()
      .from(revisions)
      .where(and(eq(revisions.collection, collection), eq(revisions.recordId, recordId), gt(revisions.seq, after)))
      .orderBy(asc(revisions.seq))
      .limit(limit)
      .all(),
  );
}

/** Changes after a position of the feed, in commit order, optionally for some collections only. */
export function changesSince(db: Db, stores: StatesFrom, after: number, limit: number, collections?: readonly string[]): Revision[] {
  return withStates(db, stores, () =>
    db
      .select()
      .from(revisions)
      .where(and(gt(revisions.seq, after), collections ? inArray(revisions.collection, [...collections]) : undefined))
      .orderBy(asc(revisions.seq))
      .limit(limit)
      .all(),
  );
}

/**
 * Reads revisions and gives each create and update its state. A revision that made a record's current version
 * holds none (revision-log.ts): its state is the record's, read here in one getMany per collection and shaped
 * as the write path stores it once the record moves on (revisionState), so the answer is the same before and
 * after. One read transaction on the connection it is given (the reader; the writer only inside a write, whose
 * own rows it must see), so the revisions and the records come from one snapshot of the file: a commit in
 * between, this process's writer or another program, cannot pair a revision with a later version of its record.
 */
function withStates(db: Db, stores: StatesFrom, read: () => Revision[]): Revision[] {
  return db.$client
    .transaction(() => {
      const rows = read();
      const wanted = new Map<string, Revision[]>();
      for (const row of rows) {
        if (row.state !== null || row.operation === 'delete') continue;
        const list = wanted.get(row.collection);
        if (list) list.push(row);
        else wanted.set(row.collection, [row]);
      }
      for (const [collection, list] of wanted) {
        const store = stores[collection];
        const records = new Map<string, Meta>(
          store ? store.getMany(db, [...new Set(list.map((r) => r.recordId))]).map((r: Meta) => [r.id, r]) : [],
        );
        for (const row of list) {
          const record = records.get(row.recordId);
          // Only a write that did not go through the write path could leave this: say so rather than answer a wrong state.
          if (!store || !record || record.version !== row.version) {
            throw new Error(
              `Revision ${row.seq} (${row.collection}/${row.recordId} version ${row.version}) holds no state and is not the record's current version.`,
            );
          }
          row.state = revisionState(store, record);
        }
      }
      return rows;
    })
    .deferred();
}
