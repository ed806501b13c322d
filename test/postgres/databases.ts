// Databases for tests on PostgreSQL: each test gets a new database copied from a migrated template, the way
// makeApp gives each test a new SQLite file. A new database costs about 0.2 s however it is made (CREATE DATABASE
// writes a checkpoint); copying the template saves migrating each one. test/helpers.ts's makeApp uses it when
// DATABASE_URL is set.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../../src/lib/paths.js';
import {
  closePostgres,
  createDatabaseIfMissing,
  migratePostgres,
  openPostgres,
  PG_MIGRATIONS_FOLDER,
} from '../../src/storage/postgres/client.js';

/** DATABASE_URL when set (CI's second pass), else the throwaway server of .ci/postgres.sh, started when needed. */
export function serverUrl(): string {
  if (process.env.DATABASE_URL?.startsWith('postgres')) return process.env.DATABASE_URL;
  const out = execFileSync(join(ROOT, '.ci', 'postgres.sh'), ['start'], { encoding: 'utf8' });
  return (out.trim().split('\n').at(-1) ?? '').replace(/^DATABASE_URL=/, '');
}

/**
 * Whether DATABASE_URL is .ci/postgres.sh's throwaway server on this machine: tests that need more than SQL (a
 * replica made from it, a tablespace on a file system they mount) run only there.
 */
export function ownServer(): boolean {
  const url = process.env.DATABASE_URL;
  if (!url?.startsWith('postgres')) return false;
  try {
    const out = execFileSync(join(ROOT, '.ci', 'postgres.sh'), ['url'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim().split('\n').at(-1) === `DATABASE_URL=${url}`;
  } catch {
    return false;
  }
}

export const withDatabase = (url: string, name: string) => {
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
};

/**
 * The template's name, from the migrations' contents: a changed or added migration makes a new template, so a
 * test never runs on a database migrated by older files.
 */
function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(PG_MIGRATIONS_FOLDER)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(join(PG_MIGRATIONS_FOLDER, file)));
  }
  return `statements_template_${hash.digest('hex').slice(0, 12)}`;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let template: Promise<string> | undefined;

/**
 * The migrated template, made once per server (test files run in several processes: an advisory lock makes the
 * others wait for the first). No connection stays on it, as CREATE DATABASE … TEMPLATE requires.
 */
function migratedTemplate(url: string): Promise<string> {
  template ??= (async () => {
    const name = templateName();
    await admin(url, async (client) => {
      await client.query('SELECT pg_advisory_lock(726003)');
      try {
        const made = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datallowconn AND datistemplate', [name]);
        if (made.rowCount) return;
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}`);
        await createDatabaseIfMissing(withDatabase(url, name));
        const handles = openPostgres(withDatabase(url, name), { max: 1 });
        try {
          await migratePostgres(handles.write);
        } finally {
          await closePostgres(handles);
        }
        await client.query(`ALTER DATABASE ${client.escapeIdentifier(name)} WITH IS_TEMPLATE true`);
      } finally {
        await client.query('SELECT pg_advisory_unlock(726003)');
      }
    });
    return name;
  })();
  return template;
}

export interface TestDatabase {
  url: string;
  /** Drops the database, closing whatever connections are still on it. */
  drop(): Promise<void>;
}

/** A new, migrated, empty database for one test. */
export async function freshDatabase(url = serverUrl()): Promise<TestDatabase> {
  const source = await migratedTemplate(url);
  const name = `statements_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(url, async (client) => {
    // FILE_COPY (PostgreSQL 15's WAL_LOG is the default) copies the files whole: about half the time for a
    // database this small, and its checkpoint costs little on the throwaway server, which runs without fsync.
    const version = Number((await client.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]?.server_version_num);
    const strategy = version >= 150_000 ? ' STRATEGY FILE_COPY' : '';
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(source)}${strategy}`);
  });
  return {
    url: withDatabase(url, name),
    drop: () =>
      admin(url, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`)).then(() => {}),
  };
}
