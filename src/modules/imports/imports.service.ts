// The import service: validate a whole bundle and upsert it in one transaction, or store nothing of it.
import { type Db, writeTransaction } from '../../db/client.js';
import { AppError, type FieldError } from '../../lib/errors.js';
import { type Meta, type Store, upsertRecord } from '../../lib/store.js';
import { actorStore } from '../actors/actors.queries.js';
import { eventStore } from '../events/events.queries.js';
import { positionStore } from '../positions/positions.queries.js';
import { sourceStore } from '../sources/sources.queries.js';
import { statementStore } from '../statements/statements.queries.js';
import { topicStore } from '../topics/topics.queries.js';
import { type Bundle, ENTITIES, type Entity, type ImportResult } from './imports.schema.js';

// biome-ignore lint/suspicious/noExplicitAny: the stores differ in their field types; the bundle schema has checked each record.
type AnyStore = Store<any, Meta>;

/** In dependency order: a record's references are stored before it. */
const STORES: Record<Entity, { store: AnyStore; selfReference?: string }> = {
  sources: { store: sourceStore },
  actors: { store: actorStore, selfReference: 'parentId' },
  topics: { store: topicStore, selfReference: 'parentId' },
  events: { store: eventStore },
  statements: { store: statementStore, selfReference: 'respondsToId' },
  positions: { store: positionStore },
};

class Rollback extends Error {}

export function runImport(db: Db, bundle: Bundle, options: { dryRun?: boolean } = {}): ImportResult {
  const counts = Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as ImportResult['counts'];
  const errors: FieldError[] = [];
  try {
    writeTransaction(db, (tx) => {
      for (const entity of ENTITIES) {
        const records = (bundle[entity] ?? []) as ({ id: string } & Record<string, unknown>)[];
        const { store, selfReference } = STORES[entity];
        for (const index of dependencyOrder(records, selfReference, entity, errors)) {
          const record = records[index] as { id: string } & Record<string, unknown>;
          try {
            counts[entity][upsertRecord(tx, store, record)] += 1;
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

/**
 * Indexes of records so that one referring to another record of the same array (a parent, the statement
 * it answers) comes after it. Duplicated ids and cycles are reported, and those records skipped.
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
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number, chain: number[]): void => {
    if (state.get(i) === 'done' || skip.has(i)) return;
    if (state.get(i) === 'visiting') {
      errors.push({
        in: 'body',
        path: `/${entity}/${i}/${selfReference}`,
        message: `forms a cycle: ${[...chain, i].map((j) => records[j]?.id).join(' → ')}`,
      });
      for (const j of chain) skip.add(j);
      return;
    }
    state.set(i, 'visiting');
    const target = selfReference ? (records[i] as unknown as Record<string, unknown>)[selfReference] : undefined;
    const j = typeof target === 'string' ? indexById.get(target) : undefined;
    if (j !== undefined && j !== i) visit(j, [...chain, i]);
    state.set(i, 'done');
    if (!skip.has(i)) order.push(i);
  };
  for (const i of records.keys()) visit(i, []);
  return order;
}
