// The write path on PostgreSQL: create, patch, delete and an import's upserts, each inside the write transaction
// it is given (index.ts opens it). The rules are SQLite's (storage/sqlite/store.ts, lib/write-rules.ts), awaited.
import { sql } from 'drizzle-orm';
import { AppError, type FieldError, notFound } from '../../lib/errors.js';
import { assertVersion, sameFields, withBlanks } from '../../lib/write-rules.js';
import { ENTITIES, type ImportResult } from '../../modules/imports/imports.schema.js';
import type { ImportOutcome, ImportPlan } from '../imports.js';
import type { Author, Collection, Meta } from '../types.js';
import type { Runner } from './query.js';
import {
  assertNotReferenced,
  assertReferences,
  type Fields,
  newId,
  now,
  type PgStore,
  recordRevision,
  STORES,
  type StoredRecord,
} from './stores.js';

const getRecord = async (run: Runner, store: PgStore, id: string) => (await store.getMany(run, [id]))[0];

const derived = (run: Runner, store: PgStore, fields: Fields) => (store.derive ? store.derive(run, fields) : fields);

/** Shared by the records of one import: ids known to exist, and the time every record is stamped with. */
interface Session {
  known: Map<string, Set<string>>;
  at: string;
  author: Author;
}

export async function createRecord(
  run: Runner,
  collection: Collection,
  input: Fields & { id?: string },
  author: Author,
): Promise<StoredRecord> {
  const store = STORES[collection];
  const id = input.id ?? newId();
  if (await getRecord(run, store, id)) {
    throw new AppError('ID_TAKEN', `/v1/${collection}/${id} already exists; choose another id, or PATCH that record.`, {
      errors: [{ in: 'body', path: '/id', message: `'${id}' is already taken` }],
    });
  }
  await save(run, store, id, await derived(run, store, withBlanks(store, input)), undefined, undefined, author);
  return (await getRecord(run, store, id)) as StoredRecord;
}

export async function patchRecord(
  run: Runner,
  collection: Collection,
  id: string,
  patch: object,
  ifMatch: string | undefined,
  author: Author,
): Promise<StoredRecord> {
  const store = STORES[collection];
  const existing = await getRecord(run, store, id);
  if (!existing) throw notFound(collection, id);
  assertVersion(existing, ifMatch);
  const fields = withBlanks(store, { ...store.fieldsOf(existing), ...patch });
  // An identical patch changes nothing, not even the version.
  if (!sameFields(store, store.fieldsOf(existing), fields)) await save(run, store, id, fields, existing, undefined, author);
  return (await getRecord(run, store, id)) as StoredRecord;
}

export async function removeRecord(run: Runner, collection: Collection, id: string, ifMatch: string | undefined, author: Author) {
  const store = STORES[collection];
  const existing = await getRecord(run, store, id);
  if (!existing) throw notFound(collection, id);
  assertVersion(existing, ifMatch);
  await assertNotReferenced(run, collection, id);
  await run.all(sql`DELETE FROM ${sql.identifier(collection)} WHERE "id" = ${id}`);
  await recordRevision(run, { collection, recordId: id, version: existing.version + 1, operation: 'delete', state: null }, author);
}

/** Validates and stores the whole fields, which differ from the existing record's (the caller compared them). */
async function save(
  run: Runner,
  store: PgStore,
  id: string,
  fields: Fields,
  existing: StoredRecord | undefined,
  session: Session | undefined,
  author: Author = session?.author ?? {},
): Promise<void> {
  await assertReferences(run, store.references(fields, id), session?.known);
  const at = session?.at ?? now();
  const meta: Meta = existing
    ? { id, createdAt: existing.createdAt, updatedAt: at, version: existing.version + 1 }
    : { id, createdAt: at, updatedAt: at, version: 1 };
  await store.check?.(run, id, fields, existing, author);
  await store.write(run, id, fields, meta, existing);
  await recordRevision(
    run,
    {
      collection: store.collection,
      recordId: id,
      version: meta.version,
      operation: existing ? 'update' : 'create',
      state: { id, ...fields, createdAt: meta.createdAt, updatedAt: meta.updatedAt, version: meta.version },
    },
    author,
  );
  if (session) {
    const set = session.known.get(store.collection) ?? new Set<string>();
    session.known.set(store.collection, set);
    set.add(id);
  }
}

/** Creates, updates or leaves a record as it is; a bundle record is the whole record (absent = blank). */
async function upsertRecord(
  run: Runner,
  store: PgStore,
  input: Fields & { id: string },
  existing: StoredRecord | undefined,
  session: Session,
): Promise<'created' | 'updated' | 'unchanged'> {
  const blank = await derived(run, store, withBlanks(store, input));
  const fields = store.resolveImported ? await store.resolveImported(run, input.id, blank) : blank;
  if (existing && sameFields(store, store.fieldsOf(existing), fields)) return 'unchanged';
  await save(run, store, input.id, fields, existing, session);
  return existing ? 'updated' : 'created';
}

/** Thrown to roll the transaction back when the bundle had errors or was a dry run; caught by the caller. */
export class Rollback extends Error {
  constructor(readonly outcome: ImportOutcome) {
    super('import rolled back');
  }
}

/**
 * Upserts a planned bundle inside the write transaction `run` holds: every error is collected (with a JSON
 * Pointer into the bundle); with any error, or `dryRun`, it throws Rollback carrying the outcome, so the
 * transaction stores nothing. Positions are read one at a time (a position's write can close another).
 */
export async function importPlan(run: Runner, plan: ImportPlan, options: { dryRun?: boolean; author?: Author }): Promise<ImportOutcome> {
  const counts = Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as ImportResult['counts'];
  const errors: FieldError[] = [];
  const session: Session = { known: new Map(), at: now(), author: options.author ?? {} };
  for (const step of plan.steps) {
    const entity = step.collection;
    errors.push(...step.errors);
    const records = (plan.bundle[entity] ?? []) as (Fields & { id: string })[];
    const store = STORES[entity];
    const readAhead = entity !== 'positions';
    const stored = readAhead
      ? new Map(
          (
            await store.getMany(
              run,
              step.order.map((i) => (records[i] as { id: string }).id),
            )
          ).map((r) => [r.id, r]),
        )
      : undefined;
    for (const index of step.order) {
      const record = records[index] as Fields & { id: string };
      try {
        const existing = stored ? stored.get(record.id) : await getRecord(run, store, record.id);
        counts[entity][await upsertRecord(run, store, record, existing, session)] += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const at = `/${entity}/${index}`;
        const fieldErrors = error.extra.errors ?? [];
        if (fieldErrors.length === 0) errors.push({ in: 'body', path: at, message: error.detail });
        for (const e of fieldErrors) errors.push({ in: 'body', path: `${at}${e.path}`, message: e.message });
      }
    }
  }
  const outcome = { counts, errors };
  if (errors.length > 0 || options.dryRun) throw new Rollback(outcome);
  return outcome;
}
