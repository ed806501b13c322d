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
import { buildApp } from '../../src/app.js';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';
import { runImport } from '../../src/modules/imports/imports.service.js';
import { openStorage } from '../../src/storage/index.js';
import { PG_MIGRATIONS_FOLDER } from '../../src/storage/postgres/client.js';
import { serverUrl, type TestDatabase, withDatabase } from './databases.js';

/** The service on the database at `url` (migrated to the end as it starts; nothing seeded, writes open). */
export const appOn = (url: string) =>
  buildApp({ databasePath: ':memory:', databaseUrl: url, logLevel: 'silent', authDisabled: true, seed: false });

/** Each path's answer from the service on the database at `url`, in order; each must be a 200. */
export async function answersOn(url: string, paths: readonly string[]): Promise<unknown[]> {
  const app = await appOn(url);
  try {
    const out: unknown[] = [];
    for (const path of paths) {
      const res = await app.inject(path);
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
      out.push(res.json());
    }
    return out;
  } finally {
    await app.close();
  }
}

/** An answer without its timestamps, which differ between two databases written at different times. */
export const untimed = (v: unknown) => JSON.parse(JSON.stringify(v), (k, x) => (k === 'createdAt' || k === 'updatedAt' ? undefined : x));

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
  // Today's write path writes statements' `links` column (migration 0005): a database from before it gets the
  // column for the import and loses it after, so it holds the rows that release wrote, in its shape.
  const [lacking] = toEnd
    ? []
    : await query<{ lacking: boolean }>(
        url,
        `SELECT NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'statements' AND column_name = 'links') AS "lacking"`,
      );
  if (lacking?.lacking) await query(url, `ALTER TABLE "statements" ADD COLUMN "links" jsonb NOT NULL DEFAULT '[]'`);
  const storage = await openStorage({ path: ':memory:', url });
  const refused: unknown[] = [];
  try {
    if (toEnd) await storage.migrate();
    for (const bundle of bundles) await runImport(storage, bundle).catch((error: unknown) => refused.push(error));
  } finally {
    await storage.close();
  }
  if (lacking?.lacking) await query(url, `ALTER TABLE "statements" DROP COLUMN "links"`);
  return refused;
}

/**
 * The statements whose `links` column differs from what their link tables hold, in `ord` order (the arrays
 * migration postgres/0005 fills the column with); none when the write path kept both in step.
 */
export async function linksApart(url: string): Promise<{ id: string; links: unknown; tables: unknown }[]> {
  return query(
    url,
    `SELECT id, links, tables FROM (
       SELECT s.id, s.links, jsonb_build_array(
         coalesce((SELECT jsonb_agg(x.source_id ORDER BY x.ord) FROM statement_sources x WHERE x.statement_id = s.id), '[]'),
         coalesce((SELECT jsonb_agg(x.topic_id ORDER BY x.ord) FROM statement_topics x WHERE x.statement_id = s.id), '[]'),
         coalesce((SELECT jsonb_agg(x.actor_id ORDER BY x.ord) FROM statement_addressees x WHERE x.statement_id = s.id), '[]'),
         coalesce((SELECT jsonb_agg(x.act ORDER BY x.ord) FROM statement_acts x WHERE x.statement_id = s.id), '[]'),
         coalesce((SELECT jsonb_agg(x.responds_to_id ORDER BY x.ord) FROM statement_responds_to x WHERE x.statement_id = s.id), '[]')
       ) AS tables FROM statements s) c
      WHERE links IS DISTINCT FROM tables ORDER BY id`,
  );
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
