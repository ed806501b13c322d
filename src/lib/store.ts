// The write path every resource shares: create, patch, upsert and delete, each in one immediate transaction.
import { count, eq, getTableColumns, getTableName, inArray, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { type Db, writeTransaction } from '../db/client.js';
import { type Author, asAuthor, recordRevision } from '../modules/revisions/revisions.service.js';
import { AppError, notFound } from './errors.js';
import { type ListQuery, type ListSpec, listPage, type PageResult } from './pagination.js';
import {
  assertNotReferenced,
  assertReferences,
  inOrder,
  type KnownIds,
  newId,
  now,
  prepared,
  quoted,
  type Reference,
  type Referrer,
  rememberIds,
} from './records.js';

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
  /** Stores the fields: insert when `existing` is undefined, else update; links included. In a bulk write, `session` is shared by its records. */
  write(db: Db, id: string, fields: F, meta: Meta, existing: R | undefined, session?: BulkSession): void;
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

export function createRecord<F extends object, R extends Meta>(
  db: Db,
  store: Store<F, R>,
  input: Partial<F> & { id?: string },
  author: Author = {},
): R {
  return writeTransaction(db, (tx) => {
    const id = input.id ?? newId();
    if (getRecord(tx, store, id)) {
      throw new AppError('ID_TAKEN', `/v1/${store.collection}/${id} already exists; choose another id, or PATCH that record.`, {
        errors: [{ in: 'body', path: '/id', message: `'${id}' is already taken` }],
      });
    }
    save(tx, store, id, withBlanks(store, input), undefined, undefined, author);
    return getRecord(tx, store, id) as R;
  });
}

export function patchRecord<F extends object, R extends Meta>(
  db: Db,
  store: Store<F, R>,
  id: string,
  patch: Partial<F>,
  ifMatch?: string,
  author: Author = {},
): R {
  return writeTransaction(db, (tx) => {
    const existing = getRecord(tx, store, id);
    if (!existing) throw notFound(store.collection, id);
    assertVersion(existing, ifMatch);
    save(tx, store, id, withBlanks(store, { ...store.fieldsOf(existing), ...patch }), existing, undefined, author);
    return getRecord(tx, store, id) as R;
  });
}

export function removeRecord<F extends object, R extends Meta>(
  db: Db,
  store: Store<F, R>,
  id: string,
  ifMatch?: string,
  author: Author = {},
): void {
  writeTransaction(db, (tx) => {
    const existing = getRecord(tx, store, id);
    if (!existing) throw notFound(store.collection, id);
    assertVersion(existing, ifMatch);
    assertNotReferenced(tx, store.collection, id, store.referrers);
    tx.delete(store.table).where(eq(store.table.id, id)).run();
    recordRevision(
      tx,
      { collection: store.collection, recordId: id, version: existing.version + 1, operation: 'delete', state: null },
      author,
    );
  });
}

/** What the records of one bulk write (an import, in one transaction) share. */
export interface BulkSession {
  /** Ids known to exist, so references are asked of the database once. */
  known: KnownIds;
  /**
   * Values a store may keep for the rest of the transaction instead of reading them again. An import
   * writes sources, actors, topics and events before statements, and statements before positions.
   */
  memo: Map<string, unknown>;
  /** The time of the transaction: every record it writes is stamped with it. */
  at: string;
  /** Who writes: recorded in each revision. */
  author: Author;
}

export const bulkSession = (author: Author = {}): BulkSession => ({ known: new Map(), memo: new Map(), at: now(), author });

/** What a bulk write knows when it upserts one record of many: the stored record, read with its neighbours. */
export interface BulkContext<R extends Meta> {
  existing: R | undefined;
  session: BulkSession;
}

/** Creates, updates or leaves a record as it is; a bundle record is the whole record (absent = blank). */
export function upsertRecord<F extends object, R extends Meta>(
  db: Db,
  store: Store<F, R>,
  input: F & { id: string },
  bulk?: BulkContext<R>,
): Outcome {
  const existing = bulk ? bulk.existing : getRecord(db, store, input.id);
  const blank = withBlanks(store, input);
  const fields = store.resolveImported ? store.resolveImported(db, input.id, blank) : blank;
  if (existing && sameFields(store, store.fieldsOf(existing), fields)) return 'unchanged';
  save(db, store, input.id, fields, existing, bulk?.session);
  return existing ? 'updated' : 'created';
}

/** The whole fields of a record: what `input` gives (never its id), and the blank value of every other field. */
function withBlanks<F extends object, R extends Meta>(store: Store<F, R>, input: object): F {
  const fields: Record<string, unknown> = { ...store.blank };
  for (const key of Object.keys(input)) if (key !== 'id') fields[key] = (input as Record<string, unknown>)[key];
  return fields as F;
}

/** Validates and stores the whole fields; an identical patch changes nothing, not even the version. */
function save<F extends object, R extends Meta>(
  db: Db,
  store: Store<F, R>,
  id: string,
  fields: F,
  existing: R | undefined,
  session?: BulkSession,
  author: Author = session?.author ?? {},
): void {
  if (existing && sameFields(store, store.fieldsOf(existing), fields)) return;
  assertReferences(db, store.references(fields), session?.known);
  const at = session?.at ?? now();
  const meta: Meta = existing
    ? { id, createdAt: existing.createdAt, updatedAt: at, version: existing.version + 1 }
    : { id, createdAt: at, updatedAt: at, version: 1 };
  // A rule may change another record (a position closing the open one): its revision names this author.
  asAuthor(author, () => {
    store.check?.(db, id, fields, existing);
    store.write(db, id, fields, meta, existing, session);
  });
  // The stored state: the writable fields and the metadata (derived fields follow from them).
  const operation = existing ? 'update' : 'create';
  recordRevision(
    db,
    {
      collection: store.collection,
      recordId: id,
      version: meta.version,
      operation,
      state: { id, ...fields, createdAt: meta.createdAt, updatedAt: meta.updatedAt, version: meta.version },
    },
    author,
  );
  if (session) rememberIds(session.known, store.table, [id]);
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
  // One bound parameter however many ids: no limit to hit, and the SQL text is the same every time.
  const wanted = sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;
  return inOrder(ids, db.select().from(table).where(inArray(table.id, wanted)).all() as R[]);
}

/**
 * Inserts or updates the row of a record's own table, with a statement prepared once per connection and
 * set of columns. `row` holds a value for each column by field name; other keys (a record's link arrays)
 * are ignored. Values go through each column's own mapping (JSON columns are stored as JSON text), and
 * undefined values are left out, as drizzle's insert and update do.
 */
export function writeRow(
  db: Db,
  table: SQLiteTable & { id: SQLiteColumn },
  row: Record<string, unknown> & { id: string },
  update: boolean,
): void {
  const shape = rowShape(table);
  const values: unknown[] = [];
  // Which columns are written, one bit each: the key of the SQL text for that set.
  let included = update ? 1 : 0;
  for (let i = 0; i < shape.keys.length; i++) {
    const key = shape.keys[i] as string;
    const value = row[key];
    if (value === undefined || (update && key === 'id')) continue;
    included += 2 ** (i + 1);
    values.push(value === null ? null : (shape.columns[i] as SQLiteColumn).mapToDriverValue(value));
  }
  let text = shape.statements.get(included);
  if (text === undefined) {
    const names = shape.columns.flatMap((column, i) => (Math.floor(included / 2 ** (i + 1)) % 2 === 1 ? [quoted(column.name)] : []));
    const name = quoted(getTableName(table));
    text = update
      ? `UPDATE ${name} SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE ${quoted(table.id.name)} = ?`
      : `INSERT INTO ${name} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
    shape.statements.set(included, text);
  }
  if (update) values.push(row.id);
  prepared(db, text).run(...values);
}

/** Per table: its columns in a fixed order, and the SQL text of each set of columns written so far. */
const rowShapes = new WeakMap<SQLiteTable, { keys: string[]; columns: SQLiteColumn[]; statements: Map<number, string> }>();

function rowShape(table: SQLiteTable) {
  let shape = rowShapes.get(table);
  if (!shape) {
    const columns = Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>);
    shape = { keys: columns.map(([key]) => key), columns: columns.map(([, column]) => column), statements: new Map() };
    rowShapes.set(table, shape);
  }
  return shape;
}
