// The PostgreSQL engine behind the storage boundary (DATABASE_URL=postgres://…): write transactions one at a
// time on one client of the write pool, holding the write lock (client.ts) so writers of several processes take
// turns too; lists, search, stats, the change feed and extraction on the read pool (a replica with
// DATABASE_READ_URL), everything else on the primary (see Concerns).
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { ArchiveSource } from '../../modules/extract/extract.types.js';
import type { IdempotencyEntry, Storage, StorageConcerns, StorageConfig, StorageFailure } from '../index.js';
import type { Collection, Meta } from '../types.js';
import { PostgresBulkLoad } from './bulk-load.js';
import { backup, closePostgres, createDatabaseIfMissing, migratePostgres, openPostgres, type Postgres, WRITE_LOCK } from './client.js';
import { CorpusCache, expandRecords, listCollection, type ReadCaches, stanceMatrix, statementStats, TopicNames } from './lists.js';
import { first, prepared, type Runner, runnerOf } from './query.js';
import { statsFromCounts } from './stats-counts.js';
import { assertNotReferenced, assertReferences, STORES } from './stores.js';
import { createRecord, importPlan, patchRecord, Rollback, removeRecord } from './write.js';

class Engine {
  private tail: Promise<unknown> = Promise.resolve();
  commits = 0;
  private closed = false;
  /** The load in progress (the import CLI into a database without statements): imports go to it. */
  bulk: { load: PostgresBulkLoad; client: pg.PoolClient } | undefined;
  private readonly inWrite = new AsyncLocalStorage<{ open: boolean }>();
  readonly reader: Runner;
  readonly writerPool: Runner;

  constructor(
    readonly pools: Postgres,
    readonly config: StorageConfig,
  ) {
    this.reader = runnerOf(pools.read.$client, false, config.trace);
    this.writerPool = runnerOf(pools.write.$client, false, config.trace);
  }

  /** Runs `work` after every write asked for before it (in this process). */
  exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The storage is closed.'));
    const run = this.tail.then(() => work());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** One write transaction on one client, holding the write lock (other processes wait for it). */
  transaction<T>(work: (run: Runner) => Promise<T> | T): Promise<T> {
    if (this.inWrite.getStore()?.open) {
      return Promise.reject(new Error('storage.write was called inside a write transaction: use the tx it gave you.'));
    }
    return this.exclusive(async () => {
      const client = await this.pools.write.$client.connect();
      const state = { open: true };
      try {
        return await this.inWrite.run(state, async () => {
          await client.query('BEGIN');
          try {
            await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
            const result = await work(runnerOf(client, true, this.config.trace));
            await client.query('COMMIT');
            this.commits += 1;
            return result;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw error;
          } finally {
            state.open = false;
          }
        });
      } finally {
        client.release();
      }
    });
  }

  /** Begins a bulk load when the database holds no statement; true when one began. */
  beginBulkLoad(): Promise<boolean> {
    return this.exclusive(async () => {
      if (this.bulk) return true;
      const client = await this.pools.write.$client.connect();
      try {
        const load = await PostgresBulkLoad.begin(client, this.config.trace);
        if (load) this.bulk = { load, client };
        return load !== undefined;
      } finally {
        if (!this.bulk) client.release();
      }
    });
  }

  /** Ends the bulk load: stored (`finish`) or dropped. True when there was one. */
  endBulkLoad(how: 'finish' | 'abandon'): Promise<boolean> {
    return this.exclusive(async () => {
      const bulk = this.bulk;
      if (!bulk) return false;
      this.bulk = undefined;
      try {
        if (how === 'finish') await bulk.load.finish();
        else await bulk.load.abandon();
      } catch (error) {
        await bulk.client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        bulk.client.release();
      }
      if (how === 'finish') this.commits += 1;
      return true;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // A load not finished stores nothing.
    await this.endBulkLoad('abandon').catch(() => undefined);
    this.closed = true;
    await this.tail;
    await closePostgres(this.pools);
  }
}

let savepoints = 0;

/** Inside a transaction, `work` all or nothing under a savepoint: a caller that catches its error keeps the rest. */
async function atomic<T>(run: Runner, work: () => Promise<T>): Promise<T> {
  const name = sql.raw(`write_${++savepoints}`);
  await run.all(sql`SAVEPOINT ${name}`);
  try {
    const result = await work();
    await run.all(sql`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await run.all(sql`ROLLBACK TO SAVEPOINT ${name}`);
    await run.all(sql`RELEASE SAVEPOINT ${name}`);
    throw error;
  }
}

class Concerns implements StorageConcerns {
  constructor(
    protected readonly core: Engine,
    private readonly tx: Runner | undefined,
    protected readonly caches: ReadCaches,
  ) {}

  /**
   * Where reads run that a client expects to follow its own writes: a record by its id (its ETag, its
   * expansions, its history), API keys, Idempotency-Key entries, reference checks. The transaction's client,
   * else the primary: a replica may not have replayed the write the client just made.
   */
  protected get run(): Runner {
    return this.tx ?? this.core.writerPool;
  }

  /**
   * Where the collection-wide reads run, which may lag by the replica's delay (DATABASE_READ_URL): lists,
   * search, stats, the change feed, extraction, and the data version their kept answers are keyed by. The
   * transaction's client, else the read pool (the primary when no replica is set).
   */
  protected get replica(): Runner {
    return this.tx ?? this.core.reader;
  }

  /** A write: inside the open transaction (under a savepoint), or in one of its own. */
  protected writing<T>(work: (run: Runner) => Promise<T>): Promise<T> {
    const tx = this.tx;
    if (tx) return atomic(tx, () => work(tx));
    return this.core.transaction(work);
  }

  readonly records: StorageConcerns['records'] = {
    get: async <R extends Meta>(collection: Collection, id: string) =>
      (await STORES[collection].getMany(this.run, [id]))[0] as R | undefined,
    getMany: async <R extends Meta>(collection: Collection, ids: readonly string[]) =>
      (await STORES[collection].getMany(this.run, ids)) as R[],
    create: <R extends Meta>(collection: Collection, input: object & { id?: string }, author: { keyName?: string | null }) =>
      this.writing(async (run) => (await createRecord(run, collection, input as Record<string, unknown>, author)) as unknown as R),
    patch: <R extends Meta>(
      collection: Collection,
      id: string,
      patch: object,
      ifMatch: string | undefined,
      author: { keyName?: string | null },
    ) => this.writing(async (run) => (await patchRecord(run, collection, id, patch, ifMatch, author)) as unknown as R),
    remove: (collection: Collection, id: string, ifMatch: string | undefined, author: { keyName?: string | null }) =>
      this.writing((run) => removeRecord(run, collection, id, ifMatch, author)),
    checkReferences: (references) => assertReferences(this.run, references),
    checkNotReferenced: (collection, id) => assertNotReferenced(this.run, collection, id),
    referrersOf: (collection: Collection) => STORES[collection].referrers.map(({ collection, field }) => ({ collection, field })),
  };

  readonly lists: StorageConcerns['lists'] = {
    page: async (collection, query) => (await listCollection(this.replica, collection, query, this.caches)) as never,
    expand: async (collection, records, requested) =>
      (await expandRecords(this.run, collection, records as unknown as Parameters<typeof expandRecords>[2], requested)) as never,
  };

  readonly search: StorageConcerns['search'] = {
    statements: async (query) => (await listCollection(this.replica, 'statements', query, this.caches)) as never,
  };

  readonly stats: StorageConcerns['stats'] = {
    // From the month counts when they can answer (whole months, by topic or period), else from the statements.
    statements: async (groupBy, filters) =>
      (await statsFromCounts(this.replica, groupBy, filters)) ?? statementStats(this.replica, groupBy, filters, this.caches.topics),
    stances: (query) => stanceMatrix(this.replica, query, this.caches.topics),
  };

  readonly revisions: StorageConcerns['revisions'] = {
    of: (collection, recordId, after, limit) =>
      this.run.all(sql`SELECT ${REVISION} FROM "revisions"
        WHERE "collection" = ${collection} AND "record_id" = ${recordId} AND "seq" > ${after} ORDER BY "seq" LIMIT ${limit}`),
    since: (after, limit, collections) =>
      this.replica.all(sql`SELECT ${REVISION} FROM "revisions"
        WHERE "seq" > ${after}${collections ? sql` AND "collection" = ANY(${sql.param([...collections])}::text[])` : sql``}
        ORDER BY "seq" LIMIT ${limit}`),
  };

  readonly imports: StorageConcerns['imports'] = {
    run: (plan, options) => {
      const bulk = this.core.bulk;
      if (bulk && !this.tx) return this.core.exclusive(() => bulk.load.import(plan, options));
      return this.writing(async (run) => {
        // A bundle with errors (or a dry run) rolls back what it wrote, and answers what it found.
        try {
          return await atomic(run, () => importPlan(run, plan, options));
        } catch (error) {
          if (error instanceof Rollback) return error.outcome;
          throw error;
        }
      });
    },
    // Into a database without statements, bundles are copied and the derived rows built at the end (bulk-load.ts).
    deferDerivedWork: () => this.core.beginBulkLoad(),
    finishDeferredWork: () => this.core.endBulkLoad('finish'),
  };

  readonly keys: StorageConcerns['keys'] = {
    byName: (name) => first(this.run, sql`SELECT ${KEY} FROM "api_keys" WHERE "name" = ${name}`),
    byHash: (hash) => first(this.run, sql`SELECT ${KEY} FROM "api_keys" WHERE "key_hash" = ${hash}`),
    insert: (key) =>
      this.writing(async (run) => {
        await run.all(sql`INSERT INTO "api_keys" ("name", "key_hash", "prefix", "scopes", "created_at", "expires_at")
          VALUES (${key.name}, ${key.keyHash}, ${key.prefix}, ${JSON.stringify(key.scopes)}::jsonb, ${key.createdAt}, ${key.expiresAt})`);
      }),
    list: () =>
      this.run.all(sql`SELECT "name", "prefix", "scopes", "created_at" AS "createdAt", "expires_at" AS "expiresAt",
        "revoked_at" AS "revokedAt", "last_used_at" AS "lastUsedAt" FROM "api_keys" ORDER BY "name"`),
    revoke: (id, at) =>
      this.writing(async (run) => {
        await run.all(sql`UPDATE "api_keys" SET "revoked_at" = ${at} WHERE "id" = ${id}`);
      }),
    touch: (id, at) =>
      this.writing(async (run) => {
        await run.all(sql`UPDATE "api_keys" SET "last_used_at" = ${at} WHERE "id" = ${id}`);
      }),
  };

  readonly idempotency: StorageConcerns['idempotency'] = {
    find: (caller, key) => idempotencyEntry(this.run, caller, key),
    claim: (entry, expiredBefore) =>
      this.writing(async (run) => {
        await run.all(sql`DELETE FROM "idempotency_keys" WHERE "created_at" < ${expiredBefore}`);
        // Under the write lock: a request of another process that claimed the key since this one looked is seen here.
        const held = await idempotencyEntry(run, entry.caller, entry.key);
        if (held) return held;
        await run.all(sql`INSERT INTO "idempotency_keys" ("caller", "key", "method", "path", "body_hash", "created_at")
          VALUES (${entry.caller}, ${entry.key}, ${entry.method}, ${entry.path}, ${entry.bodyHash}, ${entry.createdAt})`);
        return undefined;
      }),
    complete: (caller, key, answer) =>
      this.writing(async (run) => {
        await run.all(sql`UPDATE "idempotency_keys" SET "status" = ${answer.status}, "headers" = ${JSON.stringify(answer.headers)}::json,
          "body" = ${answer.body} WHERE "caller" = ${caller} AND "key" = ${key}`);
      }),
    release: (caller, key) =>
      this.writing(async (run) => {
        await run.all(sql`DELETE FROM "idempotency_keys" WHERE "caller" = ${caller} AND "key" = ${key}`);
      }),
  };

  readonly extract: StorageConcerns['extract'] = {
    archive: async () => {
      const [actors, topics, sources] = await Promise.all([
        this.replica.all<never>(
          sql`SELECT "id", "name", "kind", "country_code" AS "countryCode", "parent_id" AS "parentId", "aliases", "description" FROM "actors"`,
        ),
        this.replica.all<never>(sql`SELECT "id", "name", "parent_id" AS "parentId", "aliases", "description" FROM "topics"`),
        // sourceByUrl is asked synchronously: the sources with a URL are read ahead.
        this.replica.all<ArchiveSource>(sql`SELECT DISTINCT ON ("url") "id", "kind", "title", "publisher", "author", "url",
          "published_on" AS "publishedOn", "language", "text" FROM "sources" WHERE "url" IS NOT NULL ORDER BY "url", "id"`),
      ]);
      const byUrl = new Map(sources.map((s) => [s.url as string, s]));
      return { actors, topics, sourceByUrl: (url: string) => byUrl.get(url) };
    },
  };
}

const idempotencyEntry = (run: Runner, caller: string, key: string) =>
  first<IdempotencyEntry>(
    run,
    sql`SELECT "caller", "key", "method", "path", "body_hash" AS "bodyHash", "created_at" AS "createdAt", "status", "headers", "body"
          FROM "idempotency_keys" WHERE "caller" = ${caller} AND "key" = ${key}`,
  );

const REVISION = sql.raw(
  `"seq"::float8 AS "seq", "collection", "record_id" AS "recordId", "version", "operation", "state", "key_name" AS "keyName", "at"`,
);
const KEY = sql.raw(
  `"id", "name", "key_hash" AS "keyHash", "prefix", "scopes", "created_at" AS "createdAt", "expires_at" AS "expiresAt", "revoked_at" AS "revokedAt", "last_used_at" AS "lastUsedAt"`,
);

const NEWEST_REVISION = prepared('newest_revision', sql`SELECT max("seq")::text AS "seq" FROM "revisions"`);

class PostgresStorage extends Concerns implements Storage {
  readonly engine = 'postgres';
  private readonly txConcerns: (run: Runner) => Concerns;

  constructor(core: Engine) {
    const version = () => this.version();
    const caches = { corpus: new CorpusCache(version), topics: new TopicNames(version) };
    super(core, undefined, caches);
    this.txConcerns = (run) => new Concerns(core, run, caches);
  }

  write<T>(work: (tx: StorageConcerns) => Promise<T> | T): Promise<T> {
    return this.core.transaction((run) => work(this.txConcerns(run)));
  }

  /**
   * This process's commits and the newest revision: every data write records one, whichever process made it.
   * Read where the kept answers it keys are read (the read pool), so an answer is never kept under a version
   * its data does not have yet. lists.ts's topic pages read the second part in their own query
   * (`TopicNames.keptIds`): keep the two in step.
   */
  async version(): Promise<string> {
    const [row] = await this.core.reader.prepared<{ seq: string | null }>(NEWEST_REVISION, []);
    return `${this.core.commits}:${row?.seq ?? 0}`;
  }

  migrate(): Promise<boolean> {
    return this.core.exclusive(async () => {
      if (this.core.config.url) await createDatabaseIfMissing(this.core.config.url);
      const fresh = await migratePostgres(this.core.pools.write);
      // A database migrated by someone else (a copy of a migrated template, `npm run db:migrate`) is new too
      // while nothing was ever written to it: every write leaves a revision, even a delete.
      return fresh || (await first(this.core.writerPool, sql`SELECT 1 FROM "revisions" LIMIT 1`)) === undefined;
    });
  }

  /**
   * PostgreSQL's autovacuum already makes dead rows' space reusable; a plain VACUUM (which takes no lock that
   * stops reads or writes) returns only the free pages at each table's end to the file system. VACUUM FULL
   * would return everything but locks each table while it rewrites it, so it is left to operators
   * (docs/operations.md). The share free is not known cheaply here, so `minFreeShare` is not consulted.
   */
  compact(options: { log?: (message: string) => void } = {}): Promise<boolean> {
    return this.core.exclusive(async () => {
      try {
        await this.core.writerPool.all(sql`VACUUM (ANALYZE)`);
        options.log?.('VACUUM (ANALYZE) done');
        return true;
      } catch (error) {
        options.log?.(`VACUUM failed: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      }
    });
  }

  /** Both pools answer: a record by id and every write need the primary even when a replica serves lists. */
  async health(): Promise<void> {
    const { pools } = this.core;
    await Promise.all(
      [this.core.writerPool, ...(pools.read === pools.write ? [] : [this.core.reader])].map((run) => run.all(sql`SELECT 1`)),
    );
  }

  async backup(path: string): Promise<{ pages: number }> {
    await backup(this.core.config.url as string, path);
    return { pages: 0 };
  }

  close(): Promise<void> {
    return this.core.close();
  }
}

/** Opens the pools (no connection until the first query); `migrate()` creates the database when missing. */
export async function openPostgresStorage(config: StorageConfig): Promise<Storage> {
  if (!config.url) throw new Error('The PostgreSQL engine needs a URL (DATABASE_URL).');
  return new PostgresStorage(new Engine(openPostgres(config.url, { readUrl: config.readUrl }), config));
}

/** The kind of failure a pg error is (see storageFailure), by SQLSTATE. */
export function postgresFailure(error: unknown): StorageFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  if (code === '40001' || code === '40P01' || code === '55P03' || code === '57014') return 'busy';
  if (code === '53100') return 'full';
  if (code === '58030') return 'unwritable';
  if (code.startsWith('23')) return 'constraint';
  return undefined;
}
