// The storage boundary: the one way routes, plugins, services and scripts reach data. Asynchronous and
// engine-neutral; `openStorage` opens the engine the configuration names (SQLite, or PostgreSQL with a URL).
import type { ExtractStorage } from './extract.js';
import type { IdempotencyStorage } from './idempotency.js';
import type { ImportStorage } from './imports.js';
import type { KeyStorage } from './keys.js';
import type { ListStorage } from './lists.js';
import { openPostgresStorage, postgresFailure } from './postgres/index.js';
import type { RecordStorage } from './records.js';
import type { RevisionStorage } from './revisions.js';
import type { SearchStorage } from './search.js';
import { openSqliteStorage, sqliteFailure } from './sqlite/index.js';
import type { StatsStorage } from './stats.js';

export type { ExtractStorage } from './extract.js';
export type { IdempotencyEntry, IdempotencyStorage } from './idempotency.js';
export type { ImportOutcome, ImportPlan, ImportStorage } from './imports.js';
export type { KeyListing, KeyStorage, StoredKey } from './keys.js';
export type { ListStorage } from './lists.js';
export type { RecordReference, RecordStorage, ReferrerOf } from './records.js';
export type { Revision, RevisionStorage } from './revisions.js';
export type { SearchStorage } from './search.js';
export type { StatsStorage } from './stats.js';
export * from './types.js';

/** The data concerns, each an interface of its own; a transaction (`write`'s `tx`) offers the same. */
export interface StorageConcerns {
  records: RecordStorage;
  lists: ListStorage;
  search: SearchStorage;
  stats: StatsStorage;
  revisions: RevisionStorage;
  imports: ImportStorage;
  keys: KeyStorage;
  idempotency: IdempotencyStorage;
  extract: ExtractStorage;
}

export interface Storage extends StorageConcerns {
  /** The engine's name, for logs and the version string of caches. */
  readonly engine: string;
  /**
   * Runs `work` in one write transaction, all or nothing, however many awaits it spans: a throw rolls back
   * everything it wrote. Write transactions run one at a time, in the order asked; reads and writes through
   * `tx` see the transaction's own rows, and nothing outside sees them before the commit. Every write
   * method of the concerns is such a transaction of its own, or joins `tx`'s when called on it. Calling
   * `write` on the outer storage from inside `work` is refused (it would wait for itself).
   */
  write<T>(work: (tx: StorageConcerns) => Promise<T> | T): Promise<T>;
  /**
   * The data's version: changes with every commit, this process's or another's on the same data (an import
   * script). Kept answers (lib/answer-cache.ts) are valid while it is unchanged.
   */
  version(): Promise<string>;
  /**
   * Applies pending migrations (and finishes a bulk load cut short); true when the data store was new. When the
   * migrations it applied left much of the store free, it compacts it (see compact); `log` hears what that did.
   */
  migrate(log?: (message: string) => void): Promise<boolean>;
  /**
   * Gives the store's free space back to the file system (SQLite: VACUUM) when at least `minFreeShare` of it is
   * free (0, the default: whatever is free); true when it did. A failure leaves the data as it was: it is
   * reported to `log`, not thrown. It waits its turn like a write, and rewrites the whole store.
   */
  compact(options?: { minFreeShare?: number; log?: (message: string) => void }): Promise<boolean>;
  /** Throws when the data store does not answer. */
  health(): Promise<void>;
  /** Writes a consistent copy of the data to `path`, while reads and writes go on. */
  backup(path: string): Promise<{ pages: number }>;
  /** Waits for the write in progress and those queued, then closes. */
  close(): Promise<void>;
}

export interface StorageConfig {
  /** Which engine: SQLite unless `url` names a PostgreSQL database. */
  engine?: 'sqlite' | 'postgres';
  /** SQLite: a file path, or `:memory:` for a throw-away database. */
  path: string;
  /** PostgreSQL (DATABASE_URL): postgres://user@host:port/database; created and migrated by `migrate()`. */
  url?: string;
  /** PostgreSQL (DATABASE_READ_URL): a replica for reads that need not see the latest write. */
  readUrl?: string;
  /** SQLite: the page cache in KiB (a process that only loads data wants more). */
  cacheKib?: number;
  /** Called with each statement the engine runs (a query plan check, a debugging session). */
  trace?: (sql: string) => void;
}

/**
 * The page cache of a process that only loads data (the import CLI with --db): 64 MiB keeps the hot pages
 * of every index between bundles, which made loads of the bench archive faster (docs/performance.md,
 * Imports). The server keeps SQLite's 2 MiB: its reads gained nothing from more (a search's window read the
 * same), and it would hold the memory for good.
 */
export const BULK_LOAD_CACHE_KIB = 65_536;

/** Opens the storage the configuration names; `migrate()` brings it up to date. */
export async function openStorage(config: StorageConfig): Promise<Storage> {
  switch (config.engine ?? (config.url ? 'postgres' : 'sqlite')) {
    case 'sqlite':
      return openSqliteStorage(config);
    case 'postgres':
      return openPostgresStorage(config);
  }
  throw new Error(`Unknown storage engine ${config.engine}.`);
}

/**
 * What kind of storage failure an error is, whatever the engine: `busy` (locked by another writer: retry),
 * `full` (no space left), `unwritable` (an I/O error), `constraint` (the data store refused the write: a
 * backstop, rules are checked first); undefined for anything else.
 */
export type StorageFailure = 'busy' | 'full' | 'unwritable' | 'constraint';

export function storageFailure(error: unknown): StorageFailure | undefined {
  return sqliteFailure(error) ?? postgresFailure(error);
}
