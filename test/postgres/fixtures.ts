// What the PostgreSQL tests that build their own databases share: one query on a connection of its own, bundles
// imported record by record into a database, and a database migrated only up to an earlier migration (the shape a
// release left, for a test that upgrades it in place).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';
import { runImport } from '../../src/modules/imports/imports.service.js';
import { openStorage } from '../../src/storage/index.js';
import { PG_MIGRATIONS_FOLDER } from '../../src/storage/postgres/client.js';
import { serverUrl, type TestDatabase, withDatabase } from './databases.js';

/** One query on the database at `url`, on a connection of its own. */
export async function query<R>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as R[];
  } finally {
    await client.end();
  }
}

/**
 * The bundles imported one after another through the storage, as the import route writes them (`migrate`: the
 * database first migrated to the end, else written in the shape it has). A bundle refused is left out, as the
 * import leaves it; the refusals are returned.
 */
export async function importInto(url: string, bundles: Bundle[], { migrate: toEnd = true } = {}): Promise<unknown[]> {
  const storage = await openStorage({ path: ':memory:', url });
  const refused: unknown[] = [];
  try {
    if (toEnd) await storage.migrate();
    for (const bundle of bundles) await runImport(storage, bundle).catch((error: unknown) => refused.push(error));
  } finally {
    await storage.close();
  }
  return refused;
}

/** A new database migrated up to `last` only (the shape before a migration), from a copy of the migrations folder. */
export async function databaseAt(last: string): Promise<TestDatabase> {
  const name = `statements_at_${process.pid}_${Date.now().toString(36)}`;
  const server = serverUrl();
  const admin = withDatabase(server, 'postgres');
  const url = withDatabase(server, name);
  await query(admin, `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  const folder = mkdtempSync(join(tmpdir(), 'statements-migrations-'));
  cpSync(PG_MIGRATIONS_FOLDER, folder, { recursive: true });
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === last);
  assert.ok(upTo >= 0, `no migration ${last}`);
  journal.entries = journal.entries.slice(0, upTo + 1);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: folder });
  } finally {
    await client.end();
    rmSync(folder, { recursive: true, force: true });
  }
  return {
    url,
    drop: () => query(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => {}),
  };
}
