// The SQLite engine behind the storage boundary. Two connections on one file (WAL): a writer whose write
// transactions run one at a time, in the order asked, and a reader for every read outside them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { timeSlices } from '../../lib/slices.js';
import type { Storage, StorageConcerns, StorageConfig } from '../index.js';
import type { Collection, Meta, PageResult, Query } from '../types.js';
import { actorStore, listActors } from './actors.queries.js';
import { deferDerivedWork } from './bulk-load.js';
import { Checkpointer } from './checkpointer.js';
import { type Db, finishDeferredWork, migrateDatabase, openDatabase, vacuumWhenMostlyFree } from './client.js';
import { eventStore, listEvents } from './events.queries.js';
import { loadArchive } from './extract.queries.js';
import { claimEntry, completeEntry, findEntry, releaseEntry } from './idempotency.js';
import { DiscardedImport, importPlanInSlices } from './import.js';
import { insertKey, keyByHash, keyByName, listKeys, setLastUsed, setRevoked } from './keys.js';
import { listPositions, positionExpansions, positionStore } from './positions.queries.js';
import { assertNotReferenced, assertReferences, dataVersion, makeQueryOnly } from './records.js';
import { changesSince, revisionsOf } from './revisions.js';
import { listSources, sourceStore } from './sources.queries.js';
import { listStatements, statementExpansions, statementStore } from './statements.queries.js';
import { stanceMatrix, statementStats } from './stats.queries.js';
import { createRecord, getRecord, patchRecord, removeRecord, type Store } from './store.js';
import { listTopics, topicStore } from './topics.queries.js';

/** SQLite's default `wal_autocheckpoint`, in pages: what the writer goes back to should the checkpointer fail. */
const SQLITE_AUTOCHECKPOINT = 1000;

/**
 * While the log is long (an import's bundles), one checkpoint for this many writes. A checkpoint copies the
 * latest version of each page the log holds, and consecutive bundles write many of the same pages again (the
 * ends of the link tables', topic ancestry's and full-text index's ranges, the counts): copied after every
 * bundle, such a page was copied every time; after every fourth, once for four. The log grows to about this
 * many bundles before it starts over (docs/performance.md, Imports).
 */
const LONG_WRITES_A_CHECKPOINT = 4;
/** How long no write must have run before the log's last writes are checkpointed (checkpointWhenIdle). */
const IDLE_MS = 500;

// biome-ignore lint/suspicious/noExplicitAny: the stores differ in their field types; routes and imports validated the input.
type AnyStore = Store<any, any>;

const STORES: Record<Collection, AnyStore> = {
  sources: sourceStore,
  actors: actorStore,
  topics: topicStore,
  events: eventStore,
  statements: statementStore,
  positions: positionStore,
};

// biome-ignore lint/suspicious/noExplicitAny: each list serves its own record type.
const LISTS: Record<Collection, (db: Db, query: Query) => PageResult<any>> = {
  sources: listSources,
  actors: listActors,
  topics: listTopics,
  events: listEvents,
  statements: listStatements,
  positions: listPositions,
};

// biome-ignore lint/suspicious/noExplicitAny: as above.
const EXPANSIONS: Partial<Record<Collection, (db: Db, records: any[], requested: string | undefined) => any[]>> = {
  statements: statementExpansions.apply,
  positions: positionExpansions.apply,
};

/**
 * The connections and the queue of write transactions. `tail` is the last write asked for: each new one
 * starts when it settles, so writes run one after another (FIFO) on the writer connection, each between
 * BEGIN IMMEDIATE and COMMIT (ROLLBACK on any throw), however many awaits it spans. Reads outside a write
 * go to the reader connection, which in WAL mode sees only committed transactions: no request ever sees
 * another's uncommitted rows, even when their microtasks interleave.
 */
class Engine {
  private tail: Promise<unknown> = Promise.resolve();
  /** Commits of this process's writer: half of the data's version, with the reader's data_version. */
  commits = 0;
  private closed = false;
  /**
   * Set inside a write transaction's work: a write asked of the outer storage there would wait for itself.
   * `open` turns false at the end, so work the transaction started and that outlives it is not refused.
   */
  private readonly inWrite = new AsyncLocalStorage<{ open: boolean }>();
  /** Checkpoints the file's WAL in a worker thread (see Checkpointer; started in `written`); none in memory. */
  private checkpointer: Checkpointer | undefined;
  private checkpointsOnWriter: boolean;
  /** Writes since the last checkpoint asked for while the log was long (see LONG_WRITES_A_CHECKPOINT). */
  private longWrites = 0;
  /** The checkpoint due once writes pause (checkpointWhenIdle). */
  private idleCheckpoint: NodeJS.Timeout | undefined;
  /** The log's size at which SQLite's automatic checkpoint runs. */
  private readonly autocheckpointBytes: number;

  constructor(
    readonly writer: Db,
    readonly reader: Db,
    private readonly path: string,
  ) {
    this.checkpointsOnWriter = writer === reader;
    this.autocheckpointBytes = SQLITE_AUTOCHECKPOINT * (writer.$client.pragma('page_size', { simple: true }) as number);
  }

  /** Runs `work` alone on the writer connection, after every write asked for before it. */
  exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The storage is closed.'));
    const run = this.tail.then(() => {
      clearTimeout(this.idleCheckpoint);
      return work();
    });
    this.tail = run.catch(() => undefined).then(() => this.written());
    return run;
  }

  /**
   * After each write: the WAL it grew is checkpointed off the event loop. The worker starts once the log has
   * first outgrown SQLite's automatic checkpoint (a write of that size would have checkpointed on the writer):
   * until then SQLite's checkpoints are short, and a storage that writes little (a test, a CLI) starts no thread.
   * While the log is longer than that, the next write waits (the queue, not the event loop) for the checkpoint:
   * SQLite starts the log over only at a write that begins once all of it is copied, and an import's bundles,
   * each beginning as the last commits, would otherwise grow it for the whole import. That wait comes once every
   * LONG_WRITES_A_CHECKPOINT writes: the writes between ask for no checkpoint (only for one once writes pause), so
   * that the pages they share are copied once. Never throws or rejects.
   */
  private written(): Promise<void> | undefined {
    if (this.checkpointsOnWriter || (this.closed && !this.checkpointer)) return undefined;
    try {
      if (!this.checkpointer) {
        if ((statSync(`${this.path}-wal`, { throwIfNoEntry: false })?.size ?? 0) <= this.autocheckpointBytes) return undefined;
        this.checkpointer = new Checkpointer(this.path, (error) => this.checkpointOnWriter(error));
        this.writer.$client.pragma('wal_autocheckpoint = 0');
      }
      const long = this.checkpointer.logPages > SQLITE_AUTOCHECKPOINT;
      if (!long) {
        this.longWrites = 0;
        this.checkpointer.committed(false);
        return undefined;
      }
      this.longWrites += 1;
      if (this.longWrites < LONG_WRITES_A_CHECKPOINT) {
        this.checkpointWhenIdle();
        return undefined;
      }
      this.longWrites = 0;
      return this.checkpointer.committed(true);
    } catch (error) {
      this.checkpointOnWriter(error);
      return undefined;
    }
  }

  /**
   * A checkpoint once no write has run for IDLE_MS: the log's last writes are copied into the file when an import
   * stops short of LONG_WRITES_A_CHECKPOINT, without copying while its bundles still come (each write that
   * starts puts it off).
   */
  private checkpointWhenIdle(): void {
    clearTimeout(this.idleCheckpoint);
    this.idleCheckpoint = setTimeout(() => {
      this.longWrites = 0;
      this.checkpointer?.committed(false);
    }, IDLE_MS);
    // A process with nothing else to do (a CLI) need not wait for it: closing the storage checkpoints the log.
    this.idleCheckpoint.unref();
  }

  /** The checkpointer failed: the writer checkpoints itself again, as SQLite does by default (a log that grows for good is worse than a pause). */
  private checkpointOnWriter(error: unknown): void {
    if (this.checkpointsOnWriter) return;
    this.checkpointsOnWriter = true;
    if (this.writer.$client.open) this.writer.$client.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    process.emitWarning(
      `WAL checkpoints off the event loop failed (${(error as Error)?.message ?? error}): the writer checkpoints itself again.`,
    );
  }

  /**
   * Before the COMMIT of a large write: the log's pages written so far are synced to disk on the thread pool, so
   * that the COMMIT's own sync (synchronous = FULL) finds little left to wait for and holds the event loop briefly.
   * It adds a sync, never removes one: the COMMIT still syncs all it wrote. Nothing to do in memory.
   */
  async syncLog(): Promise<void> {
    if (this.writer === this.reader) return;
    let file: FileHandle | undefined;
    try {
      file = await open(`${this.path}-wal`, 'r');
      await file.sync();
    } catch (error) {
      // No log yet: nothing to sync; the COMMIT syncs what it writes.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    } finally {
      await file?.close();
    }
  }

  transaction<T>(work: () => Promise<T> | T): Promise<T> {
    if (this.inWrite.getStore()?.open) {
      return Promise.reject(new Error('storage.write was called inside a write transaction: use the tx it gave you.'));
    }
    return this.exclusive(() => {
      const state = { open: true };
      return this.inWrite.run(state, async () => {
        const client = this.writer.$client;
        client.exec('BEGIN IMMEDIATE');
        try {
          const result = await work();
          client.exec('COMMIT');
          this.commits += 1;
          return result;
        } catch (error) {
          if (client.inTransaction) client.exec('ROLLBACK');
          throw error;
        } finally {
          state.open = false;
        }
      });
    });
  }

  /** Refuses new writes, lets the one in progress and those queued finish, then closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    clearTimeout(this.idleCheckpoint);
    await this.checkpointer?.close();
    this.writer.$client.close();
    if (this.reader !== this.writer) this.reader.$client.close();
  }
}

/** A slice clock that never pauses. */
const inOneGo = (): undefined => undefined;

/**
 * The concerns over one connection: the reader (outside a write; each write method is a transaction of its
 * own) or the writer inside a transaction (`write`'s tx: reads see its own rows, writes join it).
 */
class Concerns implements StorageConcerns {
  constructor(
    protected readonly core: Engine,
    private readonly inTransaction: boolean,
  ) {}

  /** The connection reads use. */
  protected get db(): Db {
    return this.inTransaction ? this.core.writer : this.core.reader;
  }

  /** Runs a write on the writer: inside the open transaction, or in one of its own. */
  protected writing<T>(work: (db: Db) => T | Promise<T>): Promise<T> {
    if (this.inTransaction) return Promise.resolve().then(() => work(this.core.writer));
    return this.core.transaction(() => work(this.core.writer));
  }

  readonly records: StorageConcerns['records'] = {
    get: async <R extends Meta>(collection: Collection, id: string) => getRecord(this.db, STORES[collection], id) as R | undefined,
    getMany: async <R extends Meta>(collection: Collection, ids: readonly string[]) => STORES[collection].getMany(this.db, [...ids]) as R[],
    create: <R extends Meta>(collection: Collection, input: object & { id?: string }, author: { keyName?: string | null }) =>
      this.writing((db) => createRecord(db, STORES[collection], input, author) as R),
    patch: <R extends Meta>(
      collection: Collection,
      id: string,
      patch: object,
      ifMatch: string | undefined,
      author: { keyName?: string | null },
    ) => this.writing((db) => patchRecord(db, STORES[collection], id, patch, ifMatch, author) as R),
    remove: (collection: Collection, id: string, ifMatch: string | undefined, author: { keyName?: string | null }) =>
      this.writing((db) => removeRecord(db, STORES[collection], id, ifMatch, author)),
    checkReferences: async (references) =>
      assertReferences(
        this.db,
        references.map(({ path, collection, id }) => ({ path, table: STORES[collection].table, id })),
      ),
    checkNotReferenced: async (collection, id) => assertNotReferenced(this.db, collection, id, STORES[collection].referrers),
    referrersOf: (collection: Collection) => STORES[collection].referrers.map(({ collection, field }) => ({ collection, field })),
  };

  readonly lists: StorageConcerns['lists'] = {
    page: async (collection, query) => LISTS[collection](this.db, query),
    expand: async (collection, records, requested) => {
      const apply = EXPANSIONS[collection];
      return apply ? apply(this.db, records, requested) : records;
    },
  };

  readonly search: StorageConcerns['search'] = {
    statements: async (query) => listStatements(this.db, query) as never,
  };

  readonly stats: StorageConcerns['stats'] = {
    statements: async (groupBy, filters) => statementStats(this.db, groupBy, filters),
    stances: async (query) => stanceMatrix(this.db, query),
  };

  readonly revisions: StorageConcerns['revisions'] = {
    // A current state is read from its record (revisions.ts): each read is one snapshot of the reader.
    of: async (collection, recordId, after, limit) => revisionsOf(this.db, STORES, collection, recordId, after, limit),
    since: async (after, limit, collections) => changesSince(this.db, STORES, after, limit, collections),
  };

  readonly imports: StorageConcerns['imports'] = {
    // In slices of time, its own transaction held across them: reads are answered while a large bundle is
    // written; a bundle that fails (or a dry run) rolls the transaction back. In one go, in a savepoint, inside
    // a caller's transaction (whose other work could otherwise run between two slices, and must survive the
    // import's failure); in one go on a single connection (`:memory:`, where reads would see the rows early).
    run: async (plan, options) => {
      if (this.inTransaction) return this.writing((db) => importPlanInSlices(db, plan, options, inOneGo));
      const slice = this.core.reader === this.core.writer ? inOneGo : timeSlices();
      try {
        return await this.core.transaction(async () => {
          const outcome = await importPlanInSlices(this.core.writer, plan, options, slice, 'transaction');
          if (slice !== inOneGo) await this.core.syncLog();
          return outcome;
        });
      } catch (error) {
        if (error instanceof DiscardedImport) return error.outcome;
        throw error;
      }
    },
    // Both take their own immediate transaction (DDL included); they wait their turn like any write.
    deferDerivedWork: () => this.core.exclusive(() => deferDerivedWork(this.core.writer)),
    finishDeferredWork: () => this.core.exclusive(() => finishDeferredWork(this.core.writer)),
  };

  readonly keys: StorageConcerns['keys'] = {
    byName: async (name) => keyByName(this.db, name),
    byHash: async (hash) => keyByHash(this.db, hash),
    insert: (key) => this.writing((db) => insertKey(db, key)),
    list: async () => listKeys(this.db),
    revoke: (id, at) => this.writing((db) => setRevoked(db, id, at)),
    touch: (id, at) => this.writing((db) => setLastUsed(db, id, at)),
  };

  readonly idempotency: StorageConcerns['idempotency'] = {
    find: async (caller, key) => findEntry(this.db, caller, key),
    claim: (entry, expiredBefore) => this.writing((db) => claimEntry(db, entry, expiredBefore)),
    complete: (caller, key, answer) => this.writing((db) => completeEntry(db, caller, key, answer)),
    release: (caller, key) => this.writing((db) => releaseEntry(db, caller, key)),
  };

  readonly extract: StorageConcerns['extract'] = {
    archive: async () => loadArchive(this.db),
  };
}

class SqliteStorage extends Concerns implements Storage {
  readonly engine = 'sqlite';
  private readonly tx: Concerns;

  constructor(connections: Engine) {
    super(connections, false);
    this.tx = new Concerns(connections, true);
  }

  /** The engine's connections and queue (sqliteConnections reads them). */
  get connections(): Engine {
    return this.core;
  }

  write<T>(work: (tx: StorageConcerns) => Promise<T> | T): Promise<T> {
    return this.connections.transaction(() => work(this.tx));
  }

  async version(): Promise<string> {
    // data_version changes when another connection commits (this process's writer, or another program).
    return `${this.connections.commits}:${dataVersion(this.connections.reader)}`;
  }

  migrate(log?: (message: string) => void): Promise<boolean> {
    return this.connections.exclusive(() => migrateDatabase(this.connections.writer, log));
  }

  compact(options: { minFreeShare?: number; log?: (message: string) => void } = {}): Promise<boolean> {
    return this.connections.exclusive(() => vacuumWhenMostlyFree(this.connections.writer, options.log, options.minFreeShare ?? 0));
  }

  async health(): Promise<void> {
    this.connections.reader.$client.prepare('SELECT 1').get();
  }

  async backup(path: string): Promise<{ pages: number }> {
    const { totalPages } = await this.connections.reader.$client.backup(path);
    return { pages: totalPages };
  }

  close(): Promise<void> {
    return this.connections.close();
  }
}

/** How much of the file the reader maps (SQLite caps it at its build's maximum, 2 GiB by default; past it, pages are read). */
const READER_MMAP_BYTES = 2 ** 40;

/** Opens the file with a writer and a reader connection; `:memory:` has one connection for both (nothing to share a file with). */
export async function openSqliteStorage(config: StorageConfig): Promise<Storage> {
  const options = { cacheKib: config.cacheKib, trace: config.trace };
  const writer = openDatabase(config.path, options);
  const reader = config.path === ':memory:' ? writer : openDatabase(config.path, options);
  // Every write goes to the writer; the reader is made unable to write, which its data version relies on.
  if (reader !== writer) {
    makeQueryOnly(reader);
    // The reader maps the file instead of copying each page it reads into its cache with a read() call: a
    // search's window reads a hundred statements' pages, each a page fault at most once instead of a call
    // every time (docs/performance.md, Never-asked searches). Mapped pages are the file's, shared with the OS's cache,
    // not the process's own memory.
    reader.$client.pragma(`mmap_size = ${READER_MMAP_BYTES}`);
  }
  return new SqliteStorage(new Engine(writer, reader, config.path));
}

/** The connections under a SQLite storage, for tests and benchmarks that inspect the engine's internals. */
export function sqliteConnections(storage: Storage): { writer: Db; reader: Db } {
  if (!(storage instanceof SqliteStorage)) throw new Error(`Not a SQLite storage: ${storage.engine}.`);
  return { writer: storage.connections.writer, reader: storage.connections.reader };
}

/** The kind of failure a better-sqlite3 error is (see storageFailure). */
export function sqliteFailure(error: unknown): 'busy' | 'full' | 'unwritable' | 'constraint' | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'busy';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_IOERR')) return 'unwritable';
  if (code.startsWith('SQLITE_CONSTRAINT')) return 'constraint';
  return undefined;
}
