// Opens the SQLite database with the pragmas the service relies on, and applies migrations.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_FOLDER } from '../../lib/paths.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenOptions {
  /** The page cache in KiB (see BULK_LOAD_CACHE_KIB in storage/index.ts); SQLite's default otherwise. */
  cacheKib?: number;
  /**
   * Called with each SQL statement the connection runs, its parameters written in (long ones shortened;
   * better-sqlite3's `verbose`): what a query plan check or a debugging session looks at, without reaching
   * into the driver.
   */
  trace?: (sql: string) => void;
}

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path, options.trace ? { verbose: (sql) => options.trace?.(String(sql)) } : {});
  sqlite.pragma('journal_mode = WAL');
  // FULL: a write acknowledged to a client survives a power cut, not only a crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Statement journals (kept for a write that could fail halfway, such as one firing triggers) and temporary
  // b-trees in memory: past 64 KiB they went to a temporary file, a write system call a page.
  sqlite.pragma('temp_store = MEMORY');
  if (options.cacheKib) sqlite.pragma(`cache_size = -${options.cacheKib}`);
  return drizzle(sqlite, { schema }) as Db;
}

/**
 * Applies pending migrations, after finishing any bulk load that did not (see finishDeferredWork); true when
 * the database was new (no migration had ever run). When the migrations it applied left a large share of the
 * file free, it VACUUMs (see vacuumWhenMostlyFree); `log` hears what that did.
 */
export function migrateDatabase(db: Db, log: (message: string) => void = () => {}): boolean {
  const sqlite = db.$client;
  const fresh = !sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  finishDeferredWork(db);
  const applied = () => (fresh ? 0 : (sqlite.prepare('SELECT count(*) FROM "__drizzle_migrations"').pluck().get() as number));
  const before = applied();
  // A migration that rebuilds a table (0016: copy, drop, rename) must not have SQLite act on foreign keys while
  // the old table is gone: a DROP TABLE would delete its rows first, cascading to or refused by the rows that
  // refer to them. The pragma does nothing inside the migrator's one transaction, so it is set around it, as
  // SQLite's own procedure for such changes does, and every reference is checked once the migrations ran.
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
  if (applied() > before) {
    const broken = sqlite.pragma('foreign_key_check') as { table: string; parent: string }[];
    if (broken.length > 0) {
      const [one] = broken;
      throw new Error(`the migrations left ${broken.length} rows of ${one?.table} naming a missing row of ${one?.parent}`);
    }
  }
  if (!fresh && applied() > before) vacuumWhenMostlyFree(db, log);
  // A new database is built by every migration in turn, and those that copy a table to change it (0015) leave
  // the old one's pages free; at that size a VACUUM costs nothing, and the file holds only what it uses.
  else if (fresh && (sqlite.pragma('freelist_count', { simple: true }) as number) > 0) sqlite.exec('VACUUM');
  return fresh;
}

/**
 * The share of the file's pages that, free after a migration, makes it VACUUM. Free pages are reused by later
 * writes, but only VACUUM gives them back to the file system, and it rewrites the whole file: so only after a
 * migration that emptied much (0012 leaves about a quarter of a loaded archive free), never on an ordinary start.
 */
export const VACUUM_FREE_SHARE = 0.2;

/**
 * VACUUMs when at least `share` of the pages are free (0: in any case); true when it did. The copy VACUUM builds goes
 * to a temporary file, not to memory (temp_store = MEMORY would hold the whole database in the process), and the
 * WAL, which the copy passes through, is truncated afterwards. A failure (another process writing past the busy
 * timeout, a full disk) leaves the file as it was, migrated: it is reported to `log`, not thrown.
 */
export function vacuumWhenMostlyFree(db: Db, log: (message: string) => void = () => {}, share = VACUUM_FREE_SHARE): boolean {
  const sqlite = db.$client;
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  const free = sqlite.pragma('freelist_count', { simple: true }) as number;
  if (pages === 0 || free < pages * share) return false;
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const mb = (n: number) => `${((n * pageSize) / 1e6).toFixed(0)} MB`;
  const tempStore = sqlite.pragma('temp_store', { simple: true }) as number;
  const started = performance.now();
  sqlite.pragma('temp_store = FILE');
  try {
    sqlite.exec('VACUUM');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    log(`VACUUM failed, the database is as it was, with ${mb(free)} free: ${(error as Error).message}`);
    return false;
  } finally {
    sqlite.pragma(`temp_store = ${tempStore}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(
    `VACUUM: ${mb(free)} of ${mb(pages)} were free; the file is now ${mb(sqlite.pragma('page_count', { simple: true }) as number)} (${seconds} s).`,
  );
  return true;
}

/**
 * Runs the work a bulk load put aside (migrations/0007_deferred_work.sql), in one transaction: derived tables
 * rebuilt from the stored rows, then the indexes and triggers created again. The load calls it when it ends;
 * every migration calls it too, and then finishes only the work of a load whose process is gone (a crash, a
 * kill): a load still running is left to finish its own. True when there was work.
 */
export function finishDeferredWork(db: Db): boolean {
  const sqlite = db.$client;
  if (!sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deferred_work'").get()) return false;
  return sqlite
    .transaction(() => {
      const owners = sqlite.prepare('SELECT DISTINCT "owner_pid" FROM "deferred_work"').pluck().all() as number[];
      if (owners.some((pid) => pid !== process.pid && running(pid))) return false;
      const steps = sqlite.prepare('SELECT "sql" FROM "deferred_work" ORDER BY "step"').pluck().all() as string[];
      for (const step of steps) sqlite.exec(step);
      sqlite.exec('DELETE FROM "deferred_work"');
      return steps.length > 0;
    })
    .immediate();
}

/** Whether a process of this machine is running (signal 0 only checks; EPERM: running, but not ours). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` in one write transaction taken with BEGIN IMMEDIATE; `work` must be synchronous to roll back. */
export function writeTransaction<T>(db: Db, work: (tx: Db) => T): T {
  return db.transaction((tx) => work(tx as unknown as Db), { behavior: 'immediate' });
}
