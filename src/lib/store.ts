// The write path every resource shares: create, patch, upsert and delete, each in one immediate transaction.
import { count, eq, inArray, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { type Db, writeTransaction } from '../db/client.js';
import { AppError, notFound } from './errors.js';
import { type ListQuery, type ListSpec, listPage, type PageResult } from './pagination.js';
import { assertNotReferenced, assertReferences, inOrder, newId, now, type Reference, type Referrer } from './records.js';

export interface Meta {
  id: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** What a module tells the shared write path about its resource. F: the writable fields, R: the record served. */
export interface Store<F extends object, R extends Meta> {
  collection: string;
  table: SQLiteTable & { id: SQLiteColumn; version: SQLiteColumn };
  /** The value of every optional field when a create or an import leaves it out. */
  blank: Partial<F>;
  /** Reads records with everything they serve (links, derived fields), in the order of `ids`. */
  getMany(db: Db, ids: string[]): R[];
  /** The writable fields of a served record: what an identical create would have sent. */
  fieldsOf(record: R): F;
  /** Stores the fields: insert when `existing` is undefined, else update; links included. */
  write(db: Db, id: string, fields: F, meta: Meta, existing: R | undefined): void;
  references(fields: F): Reference[];
  /** Records that may point at this resource; a delete is refused while any does. */
  referrers: Referrer[];
  /** In an import, completes a bundle record from stored data before it is compared (a position's implied end). */
  resolveImported?(db: Db, id: string, fields: F): F;
  /** Puts fields in a canonical form for comparison, where order carries no meaning. */
  canonical?(fields: F): F;
  /** Rules beyond references (no cycles, no overlapping periods); may adjust other records. */
  check?(db: Db, id: string, fields: F, existing: R | undefined): void;
}

export type Outcome = 'created' | 'updated' | 'unchanged';

export function getRecord<F extends object, R extends Meta>(db: Db, store: Store<F, R>, id: string): R | undefined {
  return store.getMany(db, [id])[0];
}

export function createRecord<F extends object, R extends Meta>(db: Db, store: Store<F, R>, input: Partial<F> & { id?: string }): R {
  return writeTransaction(db, (tx) => {
    const id = input.id ?? newId();
    if (getRecord(tx, store, id)) {
      throw new AppError('ID_TAKEN', `/v1/${store.collection}/${id} already exists; choose another id, or PATCH that record.`, {
        errors: [{ in: 'body', path: '/id', message: `'${id}' is already taken` }],
      });
    }
    save(tx, store, id, withoutId(input) as Partial<F>, undefined);
    return getRecord(tx, store, id) as R;
  });
}

export function patchRecord<F extends object, R extends Meta>(
  db: Db,
  store: Store<F, R>,
  id: string,
  patch: Partial<F>,
  ifMatch?: string,
): R {
  return writeTransaction(db, (tx) => {
    const existing = getRecord(tx, store, id);
    if (!existing) throw notFound(store.collection, id);
    assertVersion(existing, ifMatch);
    save(tx, store, id, { ...store.fieldsOf(existing), ...patch }, existing);
    return getRecord(tx, store, id) as R;
  });
}

export function removeRecord<F extends object, R extends Meta>(db: Db, store: Store<F, R>, id: string, ifMatch?: string): void {
  writeTransaction(db, (tx) => {
    const existing = getRecord(tx, store, id);
    if (!existing) throw notFound(store.collection, id);
    assertVersion(existing, ifMatch);
    assertNotReferenced(tx, store.collection, id, store.referrers);
    tx.delete(store.table).where(eq(store.table.id, id)).run();
  });
}

/** Creates, updates or leaves a record as it is; a bundle record is the whole record (absent = blank). */
export function upsertRecord<F extends object, R extends Meta>(db: Db, store: Store<F, R>, input: F & { id: string }): Outcome {
  const existing = getRecord(db, store, input.id);
  const blank = { ...store.blank, ...withoutId(input) } as F;
  const fields = store.resolveImported ? store.resolveImported(db, input.id, blank) : blank;
  if (existing && sameFields(store, store.fieldsOf(existing), fields)) return 'unchanged';
  save(db, store, input.id, fields, existing);
  return existing ? 'updated' : 'created';
}

/** Validates and stores; an identical patch changes nothing, not even the version. */
function save<F extends object, R extends Meta>(db: Db, store: Store<F, R>, id: string, input: Partial<F>, existing: R | undefined): void {
  const fields = { ...store.blank, ...input } as F;
  if (existing && sameFields(store, store.fieldsOf(existing), fields)) return;
  assertReferences(db, store.references(fields));
  store.check?.(db, id, fields, existing);
  const at = now();
  const meta: Meta = existing
    ? { id, createdAt: existing.createdAt, updatedAt: at, version: existing.version + 1 }
    : { id, createdAt: at, updatedAt: at, version: 1 };
  store.write(db, id, fields, meta, existing);
}

function assertVersion(existing: Meta, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
  const wanted = ifMatch.split(',').map((tag) => tag.trim());
  if (!wanted.includes(etag(existing.version))) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `If-Match ${ifMatch} does not match the current version ${existing.version} (ETag ${etag(existing.version)}); read the record again and retry.`,
      { currentVersion: existing.version },
    );
  }
}

export const etag = (version: number) => `"${version}"`;

function withoutId<T extends { id?: string }>(input: T): Omit<T, 'id'> {
  const { id: _id, ...rest } = input;
  return rest;
}

function sameFields<F extends object, R extends Meta>(store: Store<F, R>, a: F, b: F): boolean {
  const canonical = store.canonical ?? ((f: F) => f);
  return JSON.stringify(sortKeys(canonical(a))) === JSON.stringify(sortKeys(canonical(b)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A list over one table whose rows are turned into records by `getMany`-like hydration. */
export function listRecords<R extends { id: string }>(
  db: Db,
  spec: ListSpec & { table: SQLiteTable },
  query: ListQuery & Record<string, unknown>,
  filters: (SQL | undefined)[],
  hydrate: (rows: { id: string }[]) => R[],
): PageResult<R> {
  const page = listPage(
    spec,
    query,
    filters,
    (where, orderBy, limit) =>
      db
        .select()
        .from(spec.table)
        .where(where)
        .orderBy(...orderBy)
        .limit(limit)
        .all() as { id: string }[],
    (where) => db.select({ n: count() }).from(spec.table).where(where).get()?.n ?? 0,
  );
  return { ...page, data: hydrate(page.data) };
}

/** The writable fields of a record: all but id and metadata. */
export function stripMeta<R extends Meta>({ id: _id, createdAt: _c, updatedAt: _u, version: _v, ...fields }: R): Omit<R, keyof Meta> {
  return fields;
}

/** Reads rows of a one-table resource by id, in the order asked. */
export function rowsByIds<R extends { id: string }>(db: Db, table: SQLiteTable & { id: SQLiteColumn }, ids: string[]): R[] {
  if (ids.length === 0) return [];
  return inOrder(ids, db.select().from(table).where(inArray(table.id, ids)).all() as R[]);
}

/** Inserts or updates the row of a record's own table. */
export function writeRow(
  db: Db,
  table: SQLiteTable & { id: SQLiteColumn },
  row: Record<string, unknown> & { id: string },
  update: boolean,
): void {
  if (update) db.update(table).set(row).where(eq(table.id, row.id)).run();
  else db.insert(table).values(row).run();
}
