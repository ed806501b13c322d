// The write path every resource shares: create, patch, upsert and delete, each in one immediate transaction.
import type Database from 'better-sqlite3';
import {
  Column,
  count,
  eq,
  getTableColumns,
  getTableName,
  isSQLWrapper,
  Name,
  Param,
  Placeholder,
  SQL,
  StringChunk,
  Subquery,
  sql,
  Table,
  View,
} from 'drizzle-orm';
import { type SQLiteColumn, SQLiteSyncDialect, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { AppError, notFound } from '../../lib/errors.js';
import { entry } from '../../lib/maps.js';
import { assertVersion, sameFields, withBlanks } from '../../lib/write-rules.js';
import type { Meta } from '../types.js';
import { type Db, writeTransaction } from './client.js';

export { stripMeta } from '../../lib/write-rules.js';
export type { Meta } from '../types.js';

import { type ListQuery, type ListSpec, listPage, type PageResult, type Shaped, type Where } from './pagination.js';
import {
  assertNotReferenced,
  assertReferences,
  byKeys,
  connectionOf,
  IN_KEYS,
  type KnownIds,
  newId,
  now,
  prepared,
  quoted,
  type Reference,
  type Referrer,
  rememberIds,
} from './records.js';
import { type Author, keepSupersededState, recordRevision } from './revision-log.js';

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
  /** The references of the fields; with the record's `id`, one to the record itself may be left to `check`. */
  references(fields: F, id?: string): Reference[];
  /** Records that may point at this resource; a delete is refused while any does. */
  referrers: Referrer[];
  /**
   * Fills in what a create or an import left out (undefined) with a value derived from other records (a
   * position's start, from its evidence), before anything is compared or checked. Explicit values are kept.
   */
  derive?(db: Db, fields: F): F;
  /** In an import, completes a bundle record from stored data before it is compared (a position's implied end). */
  resolveImported?(db: Db, id: string, fields: F): F;
  /** Puts fields in a canonical form for comparison, where order carries no meaning. */
  canonical?(fields: F): F;
  /** Rules beyond references (no cycles, no overlapping periods); may adjust other records, as `author`. */
  check?(db: Db, id: string, fields: F, existing: R | undefined, author: Author): void;
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
    save(tx, store, id, derived(tx, store, withBlanks(store, input)), undefined, undefined, author);
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
    const fields = withBlanks(store, { ...store.fieldsOf(existing), ...patch });
    // An identical patch changes nothing, not even the version.
    if (!sameFields(store, store.fieldsOf(existing), fields)) save(tx, store, id, fields, existing, undefined, author);
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
    keepSupersededState(tx, store.collection, id, existing.version, revisionState(store, existing));
    recordRevision(tx, { collection: store.collection, recordId: id, version: existing.version + 1, operation: 'delete' }, author);
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
  /**
   * Work a store leaves for the end of the transaction, once every record is written (see finishBulk): each
   * a generator whose `yield`s are the points where the import may give the event loop back.
   */
  atEnd: Map<string, () => Generator<void, void>>;
}

export const bulkSession = (author: Author = {}): BulkSession => ({
  known: new Map(),
  memo: new Map(),
  at: now(),
  author,
  atEnd: new Map(),
});

/**
 * Runs the work the stores left for the end of a bulk write, in the order they first left it; before the
 * commit. Yields where the work may pause (see importPlanInSlices).
 */
export function* finishBulk(session: BulkSession): Generator<void, void> {
  for (const work of session.atEnd.values()) yield* work();
  session.atEnd.clear();
}

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
  const blank = derived(db, store, withBlanks(store, input));
  const fields = store.resolveImported ? store.resolveImported(db, input.id, blank) : blank;
  if (existing && sameFields(store, store.fieldsOf(existing), fields)) return 'unchanged';
  save(db, store, input.id, fields, existing, bulk?.session);
  return existing ? 'updated' : 'created';
}

/**
 * The state a revision records of a record: its writable fields and its metadata (derived fields follow from
 * them), as `{ id, ...fields, createdAt, updatedAt, version }`, the fields in the order a write stores them
 * (each optional field first, in the order of `blank`, then the others in the order `fieldsOf` gives). The
 * write path stores it once the record moves on; the history and the change feed build it from the record
 * while it is the record's current state (revisions.ts), so both give the same JSON, byte for byte.
 */
export function revisionState<F extends object, R extends Meta>(store: Store<F, R>, record: R): Record<string, unknown> {
  return {
    id: record.id,
    ...withBlanks(store, store.fieldsOf(record)),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    version: record.version,
  };
}

const derived = <F extends object, R extends Meta>(db: Db, store: Store<F, R>, fields: F): F =>
  store.derive ? store.derive(db, fields) : fields;

/** Validates and stores the whole fields, which differ from the existing record's (the caller compared them). */
function save<F extends object, R extends Meta>(
  db: Db,
  store: Store<F, R>,
  id: string,
  fields: F,
  existing: R | undefined,
  session?: BulkSession,
  author: Author = session?.author ?? {},
): void {
  assertReferences(db, store.references(fields, id), session?.known);
  const at = session?.at ?? now();
  const meta: Meta = existing
    ? { id, createdAt: existing.createdAt, updatedAt: at, version: existing.version + 1 }
    : { id, createdAt: at, updatedAt: at, version: 1 };
  // A rule may change another record (a position closing the open one): its revision names this author.
  store.check?.(db, id, fields, existing, author);
  store.write(db, id, fields, meta, existing, session);
  // The revision of the version this write replaces keeps that state from now on; this write's own revision
  // holds none while the record holds it (revision-log.ts).
  if (existing) keepSupersededState(db, store.collection, id, existing.version, revisionState(store, existing));
  recordRevision(
    db,
    { collection: store.collection, recordId: id, version: meta.version, operation: existing ? 'update' : 'create' },
    author,
  );
  if (session) rememberIds(session.known, store.table, [id]);
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
    (where, orderBy, limit) => selectFrom<{ id: string }>(db, tableSource(spec.table), where, orderBy, limit),
    (where) => db.select({ n: count() }).from(spec.table).where(where).get()?.n ?? 0,
  );
  return { ...page, data: hydrate(page.data) };
}

/**
 * What a select reads (a list's page, search's window): the fields it selects (by key, each a column) and
 * its FROM clause (a table, or tables joined). Made once, at module level: selectFrom renders each once.
 */
export interface Source {
  fields: Record<string, SQLiteColumn>;
  from: SQL;
}

const tableSources = new WeakMap<SQLiteTable, Source>();

/** Every column of a table, from the table. */
export function tableSource(table: SQLiteTable): Source {
  let source = tableSources.get(table);
  if (!source) {
    source = { fields: getTableColumns(table), from: sql`${table}` };
    tableSources.set(table, source);
  }
  return source;
}

const dialect = new SQLiteSyncDialect();

/** A source's `SELECT <fields> FROM <from>`, rendered once, with the keys and columns its rows are mapped by. */
interface Head {
  text: string;
  keys: string[];
  columns: SQLiteColumn[];
  /** Rows of values as records (see rowMapper). */
  map: (rows: unknown[][]) => Record<string, unknown>[];
}
const heads = new WeakMap<Source, Head>();

function headOf(source: Source): Head {
  let head = heads.get(source);
  if (head === undefined) {
    const list = sql.join(
      Object.values(source.fields).map((column) => sql`${column}`),
      sql`, `,
    );
    const rendered = dialect.sqlToQuery(sql`select ${list} from ${source.from}`);
    if (rendered.params.length > 0) throw new Error('A source cannot bind parameters: its SQL text is rendered once.');
    const keys = Object.keys(source.fields);
    const columns = Object.values(source.fields);
    head = { text: rendered.sql, keys, columns, map: rowMapper(keys, columns) };
    heads.set(source, head);
  }
  return head;
}

/**
 * `SELECT <fields> FROM <from> WHERE <where> ORDER BY <orderBy> LIMIT <limit>` (each clause when given), run
 * through the per-connection statement cache (drizzle would prepare it again on every call), each row
 * mapped as drizzle maps it: by the selected fields, in their order, each value through its column's mapping
 * (JSON columns parsed). The SQL text of the select list and FROM clause is rendered once per source:
 * drizzle rendering the fifteen columns of a statement on every page was a visible share of a page's cost
 * (docs/performance.md, Reads). Only the WHERE is rendered on each call; an ORDER BY once per list and sort.
 */
export function selectFrom<R>(db: Db, source: Source, where: Where | undefined, orderBy: SQL[] = [], limit?: number): R[] {
  const head = headOf(source);
  return head.map(selectRows(db, head, where, orderBy, limit)) as R[];
}

/**
 * selectFrom's rows left as arrays of values (in the source's field order, which `fields` names): for a caller
 * that reads a few values of many rows, or makes its records straight from the values (statements).
 */
export function selectValues(
  db: Db,
  source: Source,
  where: Where | undefined,
  orderBy: SQL[] = [],
  limit?: number,
): { values: unknown[][]; fields: string[] } {
  const head = headOf(source);
  return { values: selectRows(db, head, where, orderBy, limit), fields: head.keys };
}

function selectRows(db: Db, head: Head, where: Where | undefined, orderBy: SQL[], limit: number | undefined): unknown[][] {
  // Only a WHERE of the request's own is rendered on each call; the text is drizzle's for the clauses in one template.
  const filter = where === undefined ? undefined : where instanceof SQL ? rendered(where) : boundShape(where);
  // A new array: the rendering's own is what a test watching `rendered` saw.
  const params = filter ? [...filter.params] : [];
  if (limit !== undefined) params.push(limit);
  const tail = `${filter ? ` where ${filter.sql}` : ''}${orderText(orderBy)}${limit === undefined ? '' : ' limit ?'}`;
  return tailStatement(db, head, tail)
    .raw()
    .all(...params) as unknown[][];
}

/** A shape's SQL text, and its parameters from a request's values: the placeholders' values, the rest as they are. */
interface ShapeText {
  text: string;
  bind: (values: Record<string, unknown>) => unknown[];
}
const shapeTexts = new WeakMap<SQL, ShapeText>();

/**
 * A shaped WHERE's text and parameters: the text rendered once per shape. A placeholder named `key` takes
 * `values[key]`, one named `key.i` the i-th value of the list `values[key]` (see slotsOf in pagination.ts).
 */
function boundShape(where: Shaped): { sql: string; params: unknown[] } {
  const { text, bind } = entry(shapeTexts, where.sql, () => {
    const { sql: text, params } = rendered(where.sql);
    const parts = params.map((param): ((values: Record<string, unknown>) => unknown) => {
      if (!(param instanceof Placeholder)) return () => param;
      const name = param.name as string;
      const dot = name.lastIndexOf('.');
      if (dot < 0) return (values) => values[name];
      const key = name.slice(0, dot);
      const at = Number(name.slice(dot + 1));
      return (values) => (values[key] as unknown[])[at];
    });
    return { text, bind: (values) => parts.map((part) => part(values)) };
  });
  return { sql: text, params: bind(where.values) };
}

/** ORDER BY clauses by their terms: a list keeps one array of them per sort (see orderOf in pagination.ts). */
const orderTexts = new WeakMap<SQL[], string>();

/** ` order by <terms>`, rendered once per array of terms; '' for none. */
function orderText(orderBy: SQL[]): string {
  if (orderBy.length === 0) return '';
  return entry(orderTexts, orderBy, () => {
    const { sql: text, params } = rendered(sql` order by ${sql.join(orderBy, sql`, `)}`);
    if (params.length > 0) throw new Error('An ORDER BY cannot bind parameters: its text is rendered once.');
    return text;
  });
}

/** Per connection and head, its statements by the text after the head: how many a head keeps, as `prepared`. */
const TAILS_KEPT = 1000;
const tailStatements = new WeakMap<Database.Database, WeakMap<Head, Map<string, Database.Statement>>>();

/**
 * The statement of a head and a tail, looked up by the tail's text: looking it up by the whole text meant
 * hashing a new string of several hundred characters (the head's select list) on every page.
 */
function tailStatement(db: Db, head: Head, tail: string): Database.Statement {
  const byTail = entry(
    entry(tailStatements, connectionOf(db), () => new WeakMap()),
    head,
    () => new Map(),
  );
  let statement = byTail.get(tail);
  if (statement === undefined) {
    if (byTail.size >= TAILS_KEPT) byTail.delete(byTail.keys().next().value as string);
    statement = prepared(db, head.text + tail);
    byTail.set(tail, statement);
  }
  return statement;
}

/** A chunk renderSql leaves to drizzle. */
const UNRENDERED = Symbol('unrendered');

/**
 * SQL text and parameters, as drizzle's SQLite dialect renders them. The clauses of lists and search are
 * made of a few kinds of pieces (text, columns, tables, parameters, lists of them, nested SQL and drizzle's
 * select builders), which are rendered here in one walk; drizzle's own rendering, which a request paid for
 * every list (a span, objects and arrays per piece), renders anything else.
 */
export function rendered(query: SQL): { sql: string; params: unknown[] } {
  const text: string[] = [];
  const params: unknown[] = [];
  try {
    renderChunks(query.queryChunks, text, params);
  } catch (error) {
    if (error !== UNRENDERED) throw error;
    const byDrizzle = dialect.sqlToQuery(query);
    renderingWatcher?.(query, byDrizzle, false);
    return byDrizzle;
  }
  const result = { sql: text.join(''), params };
  renderingWatcher?.(query, result, true);
  return result;
}

/** A test's eyes on `rendered` (storage/inspect.ts): each query, what it gave, and whether in its own walk. */
type RenderingWatcher = (query: SQL, result: { sql: string; params: unknown[] }, inOneWalk: boolean) => void;
let renderingWatcher: RenderingWatcher | undefined;
/** Sets (or with undefined, clears) the watcher; `drizzle` renders a query as drizzle's SQLite dialect does. */
export function watchRendering(watcher: RenderingWatcher | undefined): { drizzle: (query: SQL) => { sql: string; params: unknown[] } } {
  renderingWatcher = watcher;
  return { drizzle: (query) => dialect.sqlToQuery(query) };
}

const escapedName = (name: string) => `"${name.replace(/"/g, '""')}"`;

function renderChunks(chunks: readonly unknown[], text: string[], params: unknown[]): void {
  for (const chunk of chunks) {
    if (chunk === undefined) continue;
    if (chunk instanceof StringChunk) text.push(chunk.value.join(''));
    else if (chunk instanceof SQL.Aliased) throw UNRENDERED;
    else if (chunk instanceof SQL) {
      if ((chunk as unknown as { shouldInlineParams: boolean }).shouldInlineParams) throw UNRENDERED;
      renderChunks(chunk.queryChunks, text, params);
    } else if (Array.isArray(chunk)) {
      text.push('(');
      for (let i = 0; i < chunk.length; i++) {
        if (i > 0) text.push(', ');
        renderChunks([chunk[i]], text, params);
      }
      text.push(')');
    } else if (chunk instanceof Column) {
      // SQLite's tables have no schema: a column is "table"."column".
      if (chunk.keyAsName) throw UNRENDERED;
      text.push(`${escapedName(getTableName(chunk.table))}.${escapedName(chunk.name)}`);
    } else if (chunk instanceof Table) {
      text.push(escapedName(getTableName(chunk)));
    } else if (chunk instanceof Param) {
      if (chunk.value instanceof Placeholder) throw UNRENDERED;
      const value = chunk.value === null ? null : chunk.encoder.mapToDriverValue(chunk.value);
      if (value instanceof SQL) throw UNRENDERED;
      text.push('?');
      params.push(value);
    } else if (chunk instanceof Placeholder) {
      // A shaped WHERE's slot for a request's value (boundShape fills it in).
      text.push('?');
      params.push(chunk);
    } else if (chunk === null || typeof chunk !== 'object') {
      text.push('?');
      params.push(chunk);
    } else if (
      isSQLWrapper(chunk) &&
      !(chunk instanceof Name || chunk instanceof Placeholder || chunk instanceof Subquery || chunk instanceof View)
    ) {
      // A select builder (a subquery of a filter): drizzle renders its SQL in parentheses, as here.
      const omit = (chunk as { shouldOmitSQLParens?: () => boolean }).shouldOmitSQLParens?.();
      if (!omit) text.push('(');
      renderChunks([chunk.getSQL()], text, params);
      if (!omit) text.push(')');
    } else throw UNRENDERED;
  }
}

/** Per key column: the SQL text reading its table's rows by that key (see byKeys), and the key's position in a row. */
const byKeyReads = new WeakMap<SQLiteColumn, { text: string; at: number }>();

/**
 * The rows of a table (every column, as selectFrom maps them) whose `key`, a unique column, is one of
 * `keys`, in the order asked (a miss leaves no hole). The SQL text is the same however many keys, so the
 * statement is prepared once per connection: every record an import reads ahead, every page a list
 * hydrates, and the statements of search's page come through here.
 */
export function rowsByKeys<R>(db: Db, table: SQLiteTable, key: SQLiteColumn, keys: readonly (string | number)[]): R[] {
  const { values } = valuesByKeys(db, table, key, keys);
  return headOf(tableSource(table)).map(values) as R[];
}

/** rowsByKeys' rows left as arrays of values, in the order of `fields` (the table's columns), as selectValues. */
export function valuesByKeys(
  db: Db,
  table: SQLiteTable,
  key: SQLiteColumn,
  keys: readonly (string | number)[],
): { values: unknown[][]; fields: string[] } {
  const head = headOf(tableSource(table));
  if (keys.length === 0) return { values: [], fields: head.keys };
  let read = byKeyReads.get(key);
  if (read === undefined) {
    const at = head.columns.indexOf(key);
    if (at < 0) throw new Error(`${key.name} is not a column of ${getTableName(table)}.`);
    read = { text: `${head.text} where ${quoted(key.name)} ${IN_KEYS}`, at };
    byKeyReads.set(key, read);
  }
  const { text, at } = read;
  const [statement, bound] = byKeys(db, text, keys);
  const rows = statement.raw().all(bound) as unknown[][];
  if (keys.length === 1) return { values: rows, fields: head.keys };
  const byKey = new Map(rows.map((row) => [row[at], row]));
  return {
    values: keys.flatMap((k) => {
      const row = byKey.get(k);
      return row ? [row] : [];
    }),
    fields: head.keys,
  };
}

/**
 * Rows of values as records: the i-th value under the i-th key, mapped by the i-th column as drizzle maps it
 * (null stays null). Made once per source: one object literal of the source's keys, so every record has one
 * shape from the start, and the value of a column whose mapping is drizzle's identity (most of them) is taken
 * as it is instead of going through a call per value. Hot: every row a list, a page or a get reads.
 */
function rowMapper(keys: string[], columns: SQLiteColumn[]): (rows: unknown[][]) => Record<string, unknown>[] {
  const mapped = columns.map((column) => column.mapFromDriverValue !== Column.prototype.mapFromDriverValue);
  const fields = keys.map((key, i) => {
    const value = `v[${i}]`;
    return `${JSON.stringify(key)}: ${mapped[i] ? `${value} == null ? null : c[${i}].mapFromDriverValue(${value})` : `${value} ?? null`}`;
  });
  // The keys are the sources' own field names and the code is made from nothing else.
  const one = new Function('c', `return (v) => ({ ${fields.join(', ')} });`)(columns) as (values: unknown[]) => Record<string, unknown>;
  return (rows) => {
    const records = new Array<Record<string, unknown>>(rows.length);
    for (let i = 0; i < rows.length; i++) records[i] = one(rows[i] as unknown[]);
    return records;
  };
}

/** Rows of a one-table resource by id, in the order asked (see rowsByKeys). */
export function rowsByIds<R extends { id: string }>(db: Db, table: SQLiteTable & { id: SQLiteColumn }, ids: string[]): R[] {
  return rowsByKeys<R>(db, table, table.id, ids);
}

/**
 * A record's row for writeRow: its fields, its metadata, and any column of the store's own. Assigned onto a new
 * object rather than spread into one: the spread of a record's fields (withBlanks's) cost several times the rest
 * of the copy, for every record an import writes (docs/performance.md, Imports).
 */
export function rowOf(...parts: object[]): Record<string, unknown> & { id: string } {
  return Object.assign({}, ...parts);
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
  const { keys, columns } = headOf(tableSource(table));
  const statements = writeTexts(table, columns.length);
  const values: unknown[] = [];
  // Which columns are written, one bit each (bit 0: an update): the key of the SQL text for that set.
  let included = update ? 1 : 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = row[key];
    if (value === undefined || (update && key === 'id')) continue;
    included |= 1 << (i + 1);
    values.push(value === null ? null : (columns[i] as SQLiteColumn).mapToDriverValue(value));
  }
  let text = statements.get(included);
  if (text === undefined) {
    const names = columns.flatMap((column, i) => (included & (1 << (i + 1)) ? [quoted(column.name)] : []));
    const name = quoted(getTableName(table));
    text = update
      ? `UPDATE ${name} SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE ${quoted(table.id.name)} = ?`
      : `INSERT INTO ${name} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
    statements.set(included, text);
  }
  if (update) values.push(row.id);
  prepared(db, text).run(...values);
}

/** Per table: the SQL text of each set of its columns (in tableSource's order) written so far. */
const writeTextsByTable = new WeakMap<SQLiteTable, Map<number, string>>();

function writeTexts(table: SQLiteTable, columnCount: number): Map<number, string> {
  let texts = writeTextsByTable.get(table);
  if (!texts) {
    // writeRow keeps the set of columns written as bits of one integer.
    if (columnCount > 30) throw new Error(`${getTableName(table)} has more than 30 columns: writeRow cannot key its statements.`);
    texts = new Map();
    writeTextsByTable.set(table, texts);
  }
  return texts;
}
