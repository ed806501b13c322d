// A planned bundle upserted in one SQLite transaction, or nothing of it (the plan: modules/imports/imports.service.ts).

import { AppError, type FieldError } from '../../lib/errors.js';
import { withBlanks } from '../../lib/write-rules.js';
import { ENTITIES, type Entity, type ImportResult } from '../../modules/imports/imports.schema.js';
import type { ImportOutcome, ImportPlan } from '../imports.js';
import { actorStore } from './actors.queries.js';
import { type Db, writeTransaction } from './client.js';
import { eventStore } from './events.queries.js';
import { positionStore } from './positions.queries.js';
import { learnReferences, type Reference } from './records.js';
import type { Author } from './revision-log.js';
import { sourceStore } from './sources.queries.js';
import { statementStore } from './statements.queries.js';
import { bulkSession, finishBulk, getRecord, type Meta, type Store, upsertRecord } from './store.js';
import { topicStore } from './topics.queries.js';

// biome-ignore lint/suspicious/noExplicitAny: the stores differ in their field types; the bundle schema has checked each record.
type AnyStore = Store<any, Meta>;

/**
 * In dependency order: a record's references are stored before it. `readAhead`: the stored records of a
 * whole array are read in one go; not for positions, whose writes change other positions (closing the
 * open period), so each is read just before it is written.
 */
const STORES: Record<Entity, { store: AnyStore; readAhead: boolean }> = {
  sources: { store: sourceStore, readAhead: true },
  actors: { store: actorStore, readAhead: true },
  topics: { store: topicStore, readAhead: true },
  events: { store: eventStore, readAhead: true },
  statements: { store: statementStore, readAhead: true },
  positions: { store: positionStore, readAhead: false },
};

const emptyCounts = (): ImportResult['counts'] =>
  Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as ImportResult['counts'];

/**
 * Upserts a planned bundle in one transaction, or nothing of it: every error is collected (with a JSON Pointer
 * into the bundle) and the transaction rolled back, as it is with `dryRun`. Synchronous, start to end: for
 * a caller with nothing else to serve (a benchmark's load); the server imports through importPlanInSlices.
 */
export function importPlan(db: Db, plan: ImportPlan, options: ImportOptions = {}): ImportOutcome {
  let outcome: ImportOutcome | undefined;
  try {
    writeTransaction(db, (tx) => {
      const steps = importSteps(tx, plan, options);
      let step = steps.next();
      while (!step.done) step = steps.next();
      outcome = step.value;
      if (outcome.errors.length > 0 || options.dryRun) throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return outcome as ImportOutcome;
}

class Rollback extends Error {}

/**
 * importPlan, giving the event loop back whenever `slice` says a slice of work is over (see timeSlices),
 * between two records: other requests are answered while a large bundle is written. The bundle stays all or
 * nothing: the caller holds the write transaction (storage.write, on the writer connection) across the
 * pauses, and reads elsewhere (the reader connection) see nothing of it before its commit.
 *
 * `within`: how a bundle that fails (or a dry run) is undone. 'savepoint' (inside a caller's transaction,
 * whose other work must stay): the import runs in a savepoint rolled back alone. 'transaction' (the import
 * is the whole transaction): no savepoint, and such an outcome is thrown as a DiscardedImport for the
 * caller to roll the transaction back and answer it. A savepoint held open across a bundle made every row
 * written under it several times dearer (docs/performance.md, Imports), so the server's imports go without.
 */
export async function importPlanInSlices(
  db: Db,
  plan: ImportPlan,
  options: ImportOptions,
  slice: () => Promise<void> | undefined,
  within: 'savepoint' | 'transaction' = 'savepoint',
): Promise<ImportOutcome> {
  const steps = importSteps(db, plan, options);
  const savepoint = within === 'savepoint' ? openSavepoint(db) : undefined;
  try {
    let step = steps.next();
    while (!step.done) {
      const pause = slice();
      if (pause) await pause;
      step = steps.next();
    }
    const discard = step.value.errors.length > 0 || options.dryRun === true;
    if (!savepoint && discard) throw new DiscardedImport(step.value);
    savepoint?.end(discard);
    return step.value;
  } catch (error) {
    savepoint?.end(true);
    throw error;
  }
}

/** The outcome of an import that is its own transaction and stores nothing (errors, or a dry run): roll back, then answer it. */
export class DiscardedImport extends Error {
  constructor(readonly outcome: ImportOutcome) {
    super('The import stores nothing: its transaction is rolled back.');
  }
}

export interface ImportOptions {
  dryRun?: boolean;
  author?: Author;
}

/**
 * The import's work, record by record: each `yield` is a point between two records where the work may
 * pause (nothing is half-written there); the return is the outcome. Stores nothing it keeps when the
 * outcome has errors or `dryRun`: the driver rolls the savepoint back.
 */
function* importSteps(db: Db, plan: ImportPlan, options: ImportOptions): Generator<void, ImportOutcome> {
  const counts = emptyCounts();
  const errors: FieldError[] = [];
  // Shared by every record of the bundle: ids known to exist (each asked of the database once), and the like.
  const session = bulkSession(options.author);
  for (const step of plan.steps) {
    const entity = step.collection;
    errors.push(...step.errors);
    const records = (plan.bundle[entity] ?? []) as ({ id: string } & Record<string, unknown>)[];
    const { store, readAhead } = STORES[entity];
    const order = step.order;
    const stored = readAhead
      ? readStored(
          db,
          store,
          order.map((i) => (records[i] as { id: string }).id),
        )
      : undefined;
    learnReferences(db, session.known, referencesOf(store, records, order));
    for (const index of order) {
      yield;
      const record = records[index] as { id: string } & Record<string, unknown>;
      try {
        const existing = stored ? stored.get(record.id) : getRecord(db, store, record.id);
        counts[entity][upsertRecord(db, store, record, { existing, session })] += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const at = `/${entity}/${index}`;
        const fieldErrors = error.extra.errors ?? [];
        if (fieldErrors.length === 0) errors.push({ in: 'body', path: at, message: error.detail });
        for (const e of fieldErrors) errors.push({ in: 'body', path: `${at}${e.path}`, message: e.message });
      }
    }
  }
  if (errors.length === 0 && !options.dryRun) yield* finishBulk(session);
  return { counts, errors };
}

/**
 * A savepoint around the import: inside the caller's write transaction it undoes only the import (a bundle
 * that fails, a dry run). The caller holds the write transaction (BEGIN IMMEDIATE): a SAVEPOINT outside one would
 * open a deferred transaction of its own.
 */
function openSavepoint(db: Db): { end(rollback: boolean): void } {
  const client = db.$client;
  client.exec('SAVEPOINT "import"');
  let open = true;
  return {
    end(rollback) {
      if (!open) return;
      open = false;
      // A failed COMMIT or a full disk may have ended the transaction already: nothing left to undo.
      if (!client.inTransaction) return;
      if (rollback) client.exec('ROLLBACK TO "import"');
      client.exec('RELEASE "import"');
    },
  };
}
/** Every reference of the records, one at a time: a bundle of many records is not copied to find them. */
function* referencesOf(store: AnyStore, records: Record<string, unknown>[], order: number[]): Generator<Reference> {
  for (const i of order) yield* store.references(withBlanks(store, records[i] as object));
}

/** The stored records among `ids`, in one read: the ids are bound as one JSON array, however many (see IN_KEYS). */
function readStored(db: Db, store: AnyStore, ids: string[]): Map<string, Meta> {
  return new Map(store.getMany(db, ids).map((record) => [record.id, record]));
}
