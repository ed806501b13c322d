// PostgreSQL for the service (DATABASE_URL=postgres://…): the connection pools, the database made when
// missing, migrations from migrations/postgres/, serialized writes, bulk loads with COPY, and backups with pg_dump.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ROOT } from '../../lib/paths.js';
import * as tables from './tables.js';

export const PG_MIGRATIONS_FOLDER = join(ROOT, 'migrations', 'postgres');

export type PgDb = NodePgDatabase<typeof tables> & { $client: pg.Pool };

/** The database handles: `write` for writes and reads that must see them, `read` for the rest (a replica, or the same). */
export interface Postgres {
  write: PgDb;
  read: PgDb;
}

export interface PostgresOptions {
  /** DATABASE_READ_URL: a replica that serves reads that need not see the latest write. */
  readUrl?: string | undefined;
  /** Connections per pool (pg's default: 10). */
  max?: number;
}

/**
 * Keys of PostgreSQL's advisory locks, one number per purpose (any 64-bit number that no other program on the
 * database uses for another purpose): migrating, and writing.
 */
export const MIGRATION_LOCK = 726_001;
export const WRITE_LOCK = 726_002;

function pool(url: string, max: number | undefined): PgDb {
  const client = new pg.Pool({ connectionString: url, application_name: 'statements-api', ...(max ? { max } : {}) });
  // An idle connection the server dropped (a restart, a failover) is an error on the pool: without a listener
  // it would end the process. The pool replaces the connection on the next query.
  client.on('error', () => {});
  return drizzle({ client, schema: tables }) as PgDb;
}

/** Opens the pools (no connection is made until the first query). */
export function openPostgres(url: string, options: PostgresOptions = {}): Postgres {
  const write = pool(url, options.max);
  return { write, read: options.readUrl ? pool(options.readUrl, options.max) : write };
}

export async function closePostgres(handles: Postgres): Promise<void> {
  await handles.write.$client.end();
  if (handles.read !== handles.write) await handles.read.$client.end();
}

/**
 * Creates the URL's database when the server does not have it, through the server's `postgres` database (the
 * role needs CREATEDB). UTF-8 from template0, whatever template1 holds: the service stores any Unicode text.
 * True when it was created. Two processes starting at once: the second finds it made.
 */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database (postgres://user@host:port/DATABASE)');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8'`);
    } catch (error) {
      // 42P04 duplicate_database: made meanwhile by another process.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations, on one connection holding an advisory lock, so that API processes starting
 * together migrate one after the other (drizzle's migrator runs the pending ones in one transaction; the
 * second process then finds nothing to do). True when the database was new: no migration had ever run.
 */
export async function migratePostgres(db: PgDb): Promise<boolean> {
  const client = await db.$client.connect();
  try {
    const encoding = await client.query<{ server_encoding: string }>('SHOW server_encoding');
    if (encoding.rows[0]?.server_encoding !== 'UTF8') {
      throw new Error(`the database's encoding is ${encoding.rows[0]?.server_encoding}: the service needs UTF8`);
    }
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const before = await client.query("SELECT to_regclass('drizzle.__drizzle_migrations') IS NULL AS fresh");
      const fresh = before.rows[0]?.fresh === true;
      await migrate(drizzle({ client, schema: tables }), { migrationsFolder: PG_MIGRATIONS_FOLDER });
      return fresh;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * Runs `work` in one transaction that holds the write lock until it ends: writes happen one at a time, as
 * SQLite's BEGIN IMMEDIATE makes them. The service relies on it: a write reads then checks then writes
 * (versions, If-Match, a position's timeline, the next doc number), and the change feed reads revisions in
 * `seq` order, which is commit order only when no two writers hold numbers at once. Reads never wait.
 */
export function writeTransaction<T>(db: PgDb, work: (tx: PgDb) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
    return work(tx as unknown as PgDb);
  });
}

/** A value as COPY's text format writes it: \N for null, JSON for objects, backslash escapes for the rest. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Loads rows into a table with COPY … FROM STDIN, streamed: memory stays bounded whatever the number of rows.
 * `columns` in the order of each row's values. Runs on the client given, so it joins that client's transaction
 * (take one with `pool.connect()` and BEGIN for a load that must be all or nothing). Statement-level triggers
 * run once for the whole COPY. Returns the number of rows copied.
 */
export async function copyRows(
  client: pg.PoolClient | pg.Client,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>,
): Promise<number> {
  const quote = (name: string) => client.escapeIdentifier(name);
  const stream = client.query(copyFrom(`COPY ${quote(table)} (${columns.map(quote).join(', ')}) FROM STDIN`));
  async function* lines() {
    // Rows go out in chunks of about 64 KiB: one write a row would make the stream the bottleneck.
    let chunk = '';
    for await (const row of rows) {
      chunk += `${row.map(copyValue).join('\t')}\n`;
      if (chunk.length >= 65_536) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(lines()), stream);
  return stream.rowCount;
}

/**
 * What a bulk load does when it has committed: the search index's pending entries merged into the index (GIN
 * keeps recent insertions in a list every search reads in full, and the planner, counting that list, would walk
 * the doc-number index backwards even for a rare word), then VACUUM (ANALYZE) of what was loaded: its pages
 * marked all-visible, so that reads through an index need not visit the table to check each row (and the first
 * readers do not pay for setting each row's hint bits), and fresh statistics, so the planner picks the right
 * way to the ranking window. Outside a transaction, which VACUUM refuses.
 */
export async function finishBulkLoad(client: pg.PoolClient | pg.Client): Promise<void> {
  await client.query("SELECT gin_clean_pending_list('statements_search_document_idx')");
  await client.query(
    'VACUUM (ANALYZE) sources, actors, topics, events, event_participants, positions, position_evidence, revisions, statements, statements_search, statement_topics, statement_topic_ancestors, topic_ancestors, topic_month_counts, month_counts, statement_sources, statement_addressees, statement_acts, statement_responds_to',
  );
}

/** The newest pg_dump installed: on PATH, else Debian's versioned folder (which is not on PATH). */
function pgDump(): string {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'pg_dump')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin', 'pg_dump');
  }
  return 'pg_dump';
}

/**
 * Writes a backup of the URL's database to `file` with pg_dump, in its custom format (compressed; restore
 * with `pg_restore --clean --if-exists -d URL FILE`). A consistent snapshot, taken while the service runs.
 * pg_dump must be as new as the server (Debian's postgresql-client of that version).
 */
export async function backup(url: string, file: string): Promise<void> {
  await promisify(execFile)(pgDump(), ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${url}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
}
