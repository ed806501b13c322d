// The import service: validate a whole bundle and upsert it in one transaction, or store nothing of it.
import { type Db, writeTransaction } from './client.js';
import { AppError, type FieldError } from '../../lib/errors.js';
import { learnReferences, type Reference } from './records.js';
import type { Author } from './revision-log.js';
import { bulkSession, finishBulk, getRecord, type Meta, type Store, upsertRecord } from './store.js';
import { actorStore } from './actors.queries.js';
import { eventStore } from './events.queries.js';
import { positionStore } from './positions.queries.js';
import { sourceStore } from './sources.queries.js';
import { statementStore } from './statements.queries.js';
import { topicStore } from './topics.queries.js';
import { type Bundle, ENTITIES, type Entity, type ImportResult } from '../../modules/imports/imports.schema.js';

// biome-ignore lint/suspicious/noExplicitAny: the stores differ in their field types; the bundle schema has checked each record.
type AnyStore = Store<any, Meta>;

/**
 * In dependency order: a record's references are stored before it. `readAhead`: the stored records of a
 * whole array are read in one go; not for positions, whose writes change other positions (closing the
 * open period), so each is read just before it is written.
 */
const STORES: Record<Entity, { store: AnyStore; selfReference?: string; readAhead: boolean }> = {
  sources: { store: sourceStore, readAhead: true },
  actors: { store: actorStore, selfReference: 'parentId', readAhead: true },
  topics: { store: topicStore, selfReference: 'parentId', readAhead: true },
  events: { store: eventStore, readAhead: true },
  statements: { store: statementStore, selfReference: 'respondsToIds', readAhead: true },
  positions: { store: positionStore, readAhead: false },
};

class Rollback extends Error {}

export const emptyCounts = (): ImportResult['counts'] =>
  Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as ImportResult['counts'];

/**
 * Upserts a whole bundle in one transaction, or nothing of it: every error is collected (with a JSON
 * Pointer into the bundle) and the transaction rolled back. Synchronous, as a better-sqlite3
 * transaction must be. The bundle must have passed the Bundle schema.
 */
export function runImport(db: Db, bundle: Bundle, options: { dryRun?: boolean; author?: Author } = {}): ImportResult {
  const counts = emptyCounts();
  const errors: FieldError[] = [];
  try {
    writeTransaction(db, (tx) => {
      // Shared by every record of the bundle: ids known to exist (each asked of the database once), and the like.
      const session = bulkSession(options.author);
      for (const entity of ENTITIES) {
        const records = (bundle[entity] ?? []) as ({ id: string } & Record<string, unknown>)[];
        if (records.length === 0) continue;
        const { store, selfReference, readAhead } = STORES[entity];
        const order = dependencyOrder(records, selfReference, entity, errors);
        const stored = readAhead
          ? readStored(
              tx,
              store,
              order.map((i) => (records[i] as { id: string }).id),
            )
          : undefined;
        learnReferences(tx, session.known, referencesOf(store, records, order));
        for (const index of order) {
          const record = records[index] as { id: string } & Record<string, unknown>;
          try {
            const existing = stored ? stored.get(record.id) : getRecord(tx, store, record.id);
            counts[entity][upsertRecord(tx, store, record, { existing, session })] += 1;
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            const at = `/${entity}/${index}`;
            const fieldErrors = error.extra.errors ?? [];
            if (fieldErrors.length === 0) errors.push({ in: 'body', path: at, message: error.detail });
            for (const e of fieldErrors) errors.push({ in: 'body', path: `${at}${e.path}`, message: e.message });
          }
        }
      }
      if (errors.length > 0 || options.dryRun) throw new Rollback();
      finishBulk(session);
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  if (errors.length > 0) {
    const shown = errors.slice(0, 3).map((e) => `${e.path}: ${e.message}`);
    throw new AppError(
      'IMPORT_FAILED',
      `${errors.length} error(s); nothing was stored. ${shown.join(' ')}${errors.length > 3 ? ' …' : ''}`,
      { errors },
    );
  }
  return { dryRun: options.dryRun === true, counts };
}

/** Every reference of the records, one at a time: a bundle of many records is not copied to find them. */
function* referencesOf(store: AnyStore, records: Record<string, unknown>[], order: number[]): Generator<Reference> {
  for (const i of order) yield* store.references({ ...store.blank, ...records[i] });
}

/** The stored records among `ids`, in one read: the ids are bound as one JSON array, however many (see IN_KEYS). */
function readStored(db: Db, store: AnyStore, ids: string[]): Map<string, Meta> {
  return new Map(store.getMany(db, ids).map((record) => [record.id, record]));
}

/**
 * Indexes of records so that one referring to others of the same array (a parent, the statements it
 * answers) comes after them. Duplicated ids and cycles are reported, and those records skipped. A
 * depth-first walk with a stack of its own, not a recursion, so a long chain of answers cannot exhaust the
 * call stack; each record is visited once.
 */
function dependencyOrder(records: { id: string }[], selfReference: string | undefined, entity: Entity, errors: FieldError[]): number[] {
  const indexById = new Map<string, number>();
  const skip = new Set<number>();
  for (const [i, r] of records.entries()) {
    const first = indexById.get(r.id);
    if (first !== undefined) {
      errors.push({ in: 'body', path: `/${entity}/${i}/id`, message: `'${r.id}' repeats /${entity}/${first}` });
      skip.add(i);
    } else indexById.set(r.id, i);
  }
  if (!selfReference) return [...records.keys()].filter((i) => !skip.has(i));
  /** The indexes of the records `i` refers to within the array, with the JSON Pointer of each reference. */
  const targets = (i: number): [number, string][] => {
    const value: unknown = (records[i] as unknown as Record<string, unknown>)[selfReference];
    const ids = Array.isArray(value) ? value : [value];
    return ids.flatMap((id, k): [number, string][] => {
      const j = typeof id === 'string' ? indexById.get(id) : undefined;
      const at = Array.isArray(value) ? `/${entity}/${i}/${selfReference}/${k}` : `/${entity}/${i}/${selfReference}`;
      // A record naming itself is left to its store's own rule (a statement answering itself is refused there).
      return j === undefined || j === i ? [] : [[j, at]];
    });
  };
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  for (const start of records.keys()) {
    if (state.has(start) || skip.has(start)) continue;
    // Each frame: a record on the current path and the references of it still to follow.
    const stack: { i: number; next: [number, string][] }[] = [{ i: start, next: targets(start) }];
    state.set(start, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as (typeof stack)[number];
      const reference = frame.next.shift();
      if (reference === undefined) {
        stack.pop();
        state.set(frame.i, 'done');
        if (!skip.has(frame.i)) order.push(frame.i);
        continue;
      }
      const [j, at] = reference;
      if (skip.has(j) || state.get(j) === 'done') continue;
      if (state.get(j) === 'visiting') {
        const path = stack.slice(stack.findIndex((f) => f.i === j)).map((f) => f.i);
        errors.push({ in: 'body', path: at, message: `forms a cycle: ${[...path, j].map((k) => records[k]?.id).join(' → ')}` });
        for (const k of path) skip.add(k);
        continue;
      }
      state.set(j, 'visiting');
      stack.push({ i: j, next: targets(j) });
    }
  }
  return order;
}
