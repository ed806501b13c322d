// Record helpers shared by the modules: ids, timestamps, reference checks, link tables.
import { randomUUID } from 'node:crypto';
import { and, asc, eq, getTableName, inArray, ne, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import { AppError, type FieldError } from './errors.js';

export const now = () => new Date().toISOString();
export const newId = () => randomUUID();

/** A table with a text `id` primary key. */
type IdTable = SQLiteTable & { id: SQLiteColumn };

export interface Reference {
  /** JSON Pointer of the referencing field inside the record: `/speakerId`, `/topicIds/2`. */
  path: string;
  table: IdTable;
  id: string | null | undefined;
}

/** Checks that every referenced record exists; one 422 lists every one that does not. */
export function assertReferences(db: Db, references: Reference[]): void {
  const errors = missingReferences(db, references);
  if (errors.length > 0) {
    throw new AppError('UNKNOWN_REFERENCE', errors.map((e) => e.message).join(' '), { errors });
  }
}

export function missingReferences(db: Db, references: Reference[]): FieldError[] {
  const byTable = new Map<IdTable, Set<string>>();
  for (const { table, id } of references) {
    if (id == null) continue;
    const ids = byTable.get(table) ?? new Set<string>();
    byTable.set(table, ids);
    ids.add(id);
  }
  const found = new Map<IdTable, Set<string>>();
  for (const [table, ids] of byTable) {
    const rows = db
      .select({ id: table.id })
      .from(table)
      .where(inArray(table.id, [...ids]))
      .all() as { id: string }[];
    found.set(table, new Set(rows.map((r) => r.id)));
  }
  return references
    .filter(({ table, id }) => id != null && !found.get(table)?.has(id))
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
  const rows = db
    .select({ owner: link.owner, value: link.value })
    .from(link.table)
    .where(inArray(link.owner, ownerIds))
    .orderBy(asc(link.owner), asc(link.ord))
    .all() as { owner: string; value: string }[];
  for (const row of rows) result.get(row.owner)?.push(row.value);
  return result;
}

/** Replaces an owner's linked values with `values`, keeping their order. */
export function replaceLinks(db: Db, link: LinkTable, ownerId: string, values: readonly string[]): void {
  db.delete(link.table).where(eq(link.owner, ownerId)).run();
  if (values.length === 0) return;
  const ownerKey = columnKey(link.table, link.owner);
  const valueKey = columnKey(link.table, link.value);
  const ordKey = columnKey(link.table, link.ord);
  db.insert(link.table)
    .values(values.map((value, ord) => ({ [ownerKey]: ownerId, [valueKey]: value, [ordKey]: ord })))
    .run();
}

function columnKey(table: SQLiteTable, column: SQLiteColumn): string {
  const entry = Object.entries(table).find(([, c]) => c === column);
  if (!entry) throw new Error(`column ${column.name} is not in table ${getTableName(table)}`);
  return entry[0];
}

/** Records (by their `id` column) linked to any of `values`: the "any of" filter over a link table. */
export function linkedTo(db: Db, id: SQLiteColumn, link: LinkTable, values: string[] | undefined): SQL | undefined {
  if (!values) return undefined;
  return inArray(id, db.select({ id: link.owner }).from(link.table).where(inArray(link.value, values)));
}

/** Rows in the order of the ids asked for (a miss leaves no hole). */
export function inOrder<T extends { id: string }>(ids: string[], rows: T[]): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
