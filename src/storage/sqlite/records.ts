// Record helpers shared by the modules: ids, timestamps, reference checks, link tables.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { and, asc, eq, getTableName, inArray, ne, type Placeholder, type SQL } from 'drizzle-orm';
import { QueryBuilder, type SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { AppError, type FieldError } from '../../lib/errors.js';
import type { Db } from './client.js';

export const now = () => new Date().toISOString();
export const newId = () => randomUUID();

/** A table with a text `id` primary key. */
export type IdTable = SQLiteTable & { id: SQLiteColumn };

/** The better-sqlite3 connection under a drizzle handle, or under one of its transactions (they share the session). */
export function connectionOf(db: Db): Database.Database {
  return db.$client ?? (db as unknown as { session: { client: Database.Database } }).session.client;
}

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * How many prepared statements a connection keeps; the least recently prepared goes first. A plain Map, not
 * lru-cache: every query asks it, a hit stays one Map lookup (lru-cache's get also reorders its list), and
 * only lists with "any of" filters of many lengths ever fill it.
 */
const PREPARED_KEPT = 1000;

/** How a statement read by keys takes them: one bound parameter, a JSON array, however many there are. */
export const IN_KEYS = 'IN (SELECT value FROM json_each(?))';
const oneKeyTexts = new Map<string, string>();

/**
 * The statement of `text`, which reads rows by `<key> ${IN_KEYS}`, with its argument for `keys`: their JSON
 * array, so the text is the same however many keys there are. One key (a single get, a speaker, one
 * position's evidence) is bound as `<key> = ?` instead: json_each makes that lookup measurably slower, and a
 * single get with every expansion makes a dozen (docs/performance.md, Reads).
 */
export function byKeys(db: Db, text: string, keys: readonly (string | number)[]): [Database.Statement, string | number] {
  if (keys.length !== 1) return [prepared(db, text), JSON.stringify(keys)];
  let one = oneKeyTexts.get(text);
  if (one === undefined) {
    if (!text.includes(IN_KEYS)) throw new Error(`byKeys needs SQL that reads by "${IN_KEYS}": ${text}`);
    one = text.replace(IN_KEYS, '= ?');
    oneKeyTexts.set(text, one);
  }
  return [prepared(db, one), keys[0] as string | number];
}

/**
 * A statement prepared once per connection. The bulk write path runs a handful of statements thousands of
 * times; building and parsing their SQL each time would cost more than SQLite's own work.
 */
export function prepared(db: Db, text: string): Database.Statement {
  const connection = connectionOf(db);
  let statements = statementCache.get(connection);
  if (!statements) {
    statements = new Map();
    statementCache.set(connection, statements);
  }
  let statement = statements.get(text);
  if (!statement) {
    // Lists with "any of" filters make a text per number of values: the oldest statement goes first.
    if (statements.size >= PREPARED_KEPT) statements.delete(statements.keys().next().value as string);
    statement = connection.prepare(text);
    statements.set(text, statement);
  }
  return statement;
}

/**
 * The data's version: rows changed through this connection (triggers included) and SQLite's count of
 * commits by other connections (an import CLI writing the file with --db). Both are read in O(1).
 */
export function dataVersion(db: Db): string {
  const others = prepared(db, 'PRAGMA data_version').pluck().get() as number;
  // A connection that cannot write changes nothing itself: one statement instead of two, and the kept caches
  // ask on every page (the ids of sources with a text, topic names).
  if (queryOnly.has(connectionOf(db))) return String(others);
  const changes = prepared(db, 'SELECT total_changes()').pluck().get() as number;
  return `${changes}:${others}`;
}

const queryOnly = new WeakSet<Database.Database>();

/** Makes a connection read-only (SQLite's query_only): a write through it fails, and dataVersion asks it less. */
export function makeQueryOnly(db: Db): void {
  const connection = connectionOf(db);
  connection.pragma('query_only = ON');
  queryOnly.add(connection);
}

/** A quoted SQL identifier (our own table and column names, never user input). */
export const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Ids known to exist, per table, inside one transaction that only adds or changes records (an import):
 * each is asked of the database at most once, and records written in the transaction are added.
 */
export type KnownIds = Map<IdTable, Set<string>>;

export function rememberIds(known: KnownIds, table: IdTable, ids: Iterable<string>): void {
  let set = known.get(table);
  if (!set) {
    set = new Set();
    known.set(table, set);
  }
  for (const id of ids) set.add(id);
}

/** Asks the database once for every referenced id not yet known, and remembers those that exist. */
export function learnReferences(db: Db, known: KnownIds, references: Iterable<Reference>): void {
  const unknown = new Map<IdTable, Set<string>>();
  for (const { table, id } of references) {
    if (id == null || known.get(table)?.has(id)) continue;
    const ids = unknown.get(table) ?? new Set<string>();
    unknown.set(table, ids);
    ids.add(id);
  }
  for (const [table, ids] of unknown) rememberIds(known, table, existingIds(db, table, [...ids]));
}

/** The ids among `ids` that exist in `table`: one query, whatever the number of ids. */
function existingIds(db: Db, table: IdTable, ids: string[]): string[] {
  const [statement, keys] = byKeys(
    db,
    `SELECT ${quoted(table.id.name)} FROM ${quoted(getTableName(table))} WHERE ${quoted(table.id.name)} ${IN_KEYS}`,
    ids,
  );
  return statement.pluck().all(keys) as string[];
}

export interface Reference {
  /** JSON Pointer of the referencing field inside the record: `/speakerId`, `/topicIds/2`. */
  path: string;
  table: IdTable;
  id: string | null | undefined;
}

/** Checks that every referenced record exists; one 422 lists every one that does not. */
export function assertReferences(db: Db, references: Reference[], known?: KnownIds): void {
  // In an import every reference of the bundle was looked up ahead: usually nothing is left to ask.
  if (known && references.every(({ table, id }) => id == null || known.get(table)?.has(id))) return;
  const errors = missingReferences(db, references, known);
  if (errors.length > 0) {
    throw new AppError('UNKNOWN_REFERENCE', errors.map((e) => e.message).join(' '), { errors });
  }
}

/** References to records that do not exist; with `known`, ids known to exist are not asked for again. */
function missingReferences(db: Db, references: Reference[], known: KnownIds = new Map()): FieldError[] {
  learnReferences(db, known, references);
  return references
    .filter(({ table, id }) => id != null && !known.get(table)?.has(id))
    .map(({ path, table, id }) => ({
      in: 'body' as const,
      path,
      message: `${path.slice(1)} refers to '${id}', which does not exist in /v1/${getTableName(table)}.`,
    }));
}

export interface Referrer {
  /** The collection the referring records are served under. */
  collection: string;
  /** The API field that holds the reference. */
  field: string;
  /** The column holding the reference, and the column naming the referring record. */
  column: SQLiteColumn;
  owner: SQLiteColumn;
}

/** Refuses to delete a record while anything refers to it, naming what does. */
export function assertNotReferenced(db: Db, collection: string, id: string, referrers: Referrer[]): void {
  const referencedBy: { collection: string; field: string; ids: string[] }[] = [];
  for (const r of referrers) {
    const table = (r.column as unknown as { table: SQLiteTable }).table;
    const rows = db
      .selectDistinct({ id: r.owner })
      .from(table)
      .where(and(eq(r.column, id), r.collection === collection ? ne(r.owner, id) : undefined))
      .orderBy(asc(r.owner))
      .limit(10)
      .all() as { id: string }[];
    if (rows.length > 0) referencedBy.push({ collection: r.collection, field: r.field, ids: rows.map((row) => String(row.id)) });
  }
  if (referencedBy.length > 0) {
    const what = referencedBy.map((r) => `${r.collection} (${r.field}: ${r.ids.join(', ')})`).join('; ');
    throw new AppError(
      'STILL_REFERENCED',
      `'${id}' in /v1/${collection} cannot be deleted while other records refer to it: ${what}. Change or delete those first.`,
      { referencedBy },
    );
  }
}

/** A link table: owner id, linked value, and the value's position in the owner's array. */
export interface LinkTable {
  table: SQLiteTable;
  owner: SQLiteColumn;
  value: SQLiteColumn;
  ord: SQLiteColumn;
}

/** Loads the linked values of many owners in one query, in their stored order. */
export function loadLinks(db: Db, link: LinkTable, ownerIds: string[]): Map<string, string[]> {
  const result = new Map<string, string[]>(ownerIds.map((id) => [id, []]));
  if (ownerIds.length === 0) return result;
  const [statement, keys] = byKeys(db, linkSql(link).select, ownerIds);
  const rows = statement.raw().all(keys) as [string, string][];
  for (const [owner, value] of rows) result.get(owner)?.push(value);
  return result;
}

/**
 * Replaces an owner's linked values with `values`, keeping their order, with statements prepared once.
 * `fresh`: the owner was just created, so it has no links to delete (the foreign key guarantees it).
 */
export function replaceLinks(db: Db, link: LinkTable, ownerId: string, values: readonly string[], fresh = false): void {
  const text = linkSql(link);
  if (!fresh) prepared(db, text.remove).run(ownerId);
  if (values.length === 0) return;
  const insert = prepared(db, text.insert);
  for (let ord = 0; ord < values.length; ord++) insert.run(ownerId, values[ord], ord);
}

const linkSqlCache = new WeakMap<LinkTable, { select: string; remove: string; insert: string }>();

function linkSql(link: LinkTable): { select: string; remove: string; insert: string } {
  let text = linkSqlCache.get(link);
  if (!text) {
    const table = quoted(getTableName(link.table));
    const owner = quoted(link.owner.name);
    const value = quoted(link.value.name);
    const ord = quoted(link.ord.name);
    text = {
      // One bound parameter however many owners, so the statement is prepared once.
      select: `SELECT ${owner}, ${value} FROM ${table} WHERE ${owner} ${IN_KEYS} ORDER BY ${owner}, ${ord}`,
      remove: `DELETE FROM ${table} WHERE ${owner} = ?`,
      insert: `INSERT INTO ${table} (${owner}, ${value}, ${ord}) VALUES (?, ?, ?)`,
    };
    linkSqlCache.set(link, text);
  }
  return text;
}

/** A subquery needs no connection: the statement filters' terms are made once per shape of list (ShapedFilters). */
const subqueries = new QueryBuilder();

/**
 * Records (by their `id` column) linked to any of `values`: the "any of" filter over a link table. The values
 * may be placeholders (see ShapedFilters in pagination.ts).
 */
export function linkedTo(id: SQLiteColumn, link: LinkTable, values: (string | Placeholder)[] | undefined): SQL | undefined {
  if (!values) return undefined;
  return inArray(id, subqueries.select({ id: link.owner }).from(link.table).where(inArray(link.value, values)));
}
