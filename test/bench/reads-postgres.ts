// `npm run bench -- --engine postgres [--size N --dir folder --http --rounds R --duration S]`: the service on
// PostgreSQL against a lean hand-written `pg` baseline in the same run, as `npm run bench` does on SQLite
// (test/bench/reads.bench.ts, which hands over to this file). The server is DATABASE_URL's (a throwaway one:
// `.ci/postgres.sh start`); on it the bench makes the databases `bench_ours_<size>` (loaded by the import CLI's
// bulk path, COPY: src/storage/postgres/bulk-load.ts), `bench_lean_<size>` (test/bench/lean-pg-load.ts) and, with
// --http, `bench_http_<size>` (the same archive imported over HTTP into a running service, then dropped). A
// database already holding the archive is reused (its load not measured again). Then every read shape against
// the service (src/server.ts with DATABASE_URL) and the lean server (test/bench/lean-pg-server.ts), each answer
// checked equal, servers and the PostgreSQL server pinned to core 0, clients to core 1. Writes
// test/bench/results/reads-postgres.{json,md}. The steps both engines share are in test/bench/drive.ts; this file
// brings PostgreSQL's databases, servers and loads.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createKey } from '../../src/modules/keys/keys.service.js';
import { openStorage } from '../../src/storage/index.js';
import {
  BENCH_OPTIONS,
  drive,
  importOverHttp,
  loadLean,
  loadRecord,
  loadThroughCli,
  log,
  mb,
  pinned,
  startBench,
  startServer,
  waitFor,
  writeArchive,
} from './drive.js';

const { values } = parseArgs({
  options: {
    ...BENCH_OPTIONS,
    engine: { type: 'string', default: 'postgres' },
    http: { type: 'boolean', default: false },
  },
});
const serverUrl = process.env.DATABASE_URL ?? '';
if (!/^postgres(ql)?:\/\//.test(serverUrl)) {
  console.error('--engine postgres needs DATABASE_URL=postgres://… (a server the bench may create databases on: .ci/postgres.sh start).');
  process.exit(2);
}
const databaseUrl = (name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};
const bench = await startBench(values, 'statements-reads-pg-');
const { size, dir } = bench;
const [OURS, LEAN, HTTP] = bench.ports;

// 0. Where the archive goes, and the databases.
const files = { archive: join(dir, `archive-${size}.ndjson`) };
const databases = { ours: `bench_ours_${size}`, lean: `bench_lean_${size}`, http: `bench_http_${size}` };
const urls = { ours: databaseUrl(databases.ours), lean: databaseUrl(databases.lean), http: databaseUrl(databases.http) };

/** One query on the server, on a connection of its own (`database`: a bench database, else `postgres`). */
async function query<R>(database: string | undefined, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl(database ?? 'postgres') });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end();
  }
}
const exists = async (database: string) => (await query(undefined, 'SELECT 1 FROM pg_database WHERE datname = $1', [database])).length > 0;
const dropDatabase = (database: string) => query(undefined, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
const createDatabase = (database: string) => query(undefined, `CREATE DATABASE "${database}" TEMPLATE template0 ENCODING 'UTF8'`);
/** Statements stored in a bench database; -1 when it does not exist or holds no statements table. */
async function storedIn(database: string): Promise<number> {
  if (!(await exists(database))) return -1;
  const [row] = await query<{ n: string | null }>(
    database,
    `SELECT CASE WHEN to_regclass('public.statements') IS NULL THEN NULL ELSE (SELECT count(*) FROM statements) END::text AS n`,
  );
  return row?.n == null ? -1 : Number(row.n);
}
const databaseBytes = async (database: string) =>
  Number((await query<{ n: string }>(undefined, 'SELECT pg_database_size($1)::text AS n', [database]))[0]?.n ?? 0);

// The PostgreSQL server on core 0 with the servers: its postmaster, and so every connection it forks from now on.
let serverPinned = false;
if (pinned) {
  try {
    const [dataDir] = await query<{ data_directory: string }>(undefined, 'SHOW data_directory');
    const pid = readFileSync(join(dataDir?.data_directory as string, 'postmaster.pid'), 'utf8').split('\n')[0] as string;
    execFileSync('taskset', ['-acp', '0', pid], { stdio: 'ignore' });
    serverPinned = true;
  } catch {
    // Not our server (or not readable): it runs where the system puts it, which the report says.
  }
}

// 2. The archive as NDJSON, one bundle a line; a few statement ids of each bundle, for reads during the import.
const sampleIdsOfBundle = await writeArchive(files.archive, size);

const record = loadRecord(bench, join(dir, `loads-postgres-${size}.json`));

// 3. Ours: the CLI's bulk load (--db postgres://…, COPY) into a new database, the import phase as the CLI times it.
if ((await storedIn(databases.ours)) !== size) {
  log(`loading ${size} statements through the CLI (--db ${databases.ours}, bulk load with COPY)`);
  await dropDatabase(databases.ours);
  await createDatabase(databases.ours);
  const seconds = loadThroughCli(bench, urls.ours, files.archive, { bulk: true });
  record.remember('cliLoad', { statements: size, seconds, perSecond: size / seconds, bytes: await databaseBytes(databases.ours) });
}
const oursBytes = await databaseBytes(databases.ours);

// 3b. With --http: the same archive imported over HTTP into a running service on a database of its own (one
// client, one NDJSON request, while a second client reads single statements); the database dropped after.
if (values.http) {
  await dropDatabase(databases.http);
  let key = '';
  {
    const storage = await openStorage({ path: ':memory:', url: urls.http });
    await storage.migrate();
    key = await createKey(storage, `bench-${Date.now()}`);
    await storage.close();
  }
  const server = startServer('src/server.ts', {
    DATABASE_URL: urls.http,
    PORT: String(HTTP),
    RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
    SEED: 'false',
  });
  await waitFor(`http://127.0.0.1:${HTTP}/ready`);
  const measured = await importOverHttp(bench, { port: HTTP, pid: server.pid as number, key, archive: files.archive, sampleIdsOfBundle });
  const bytes = await databaseBytes(databases.http);
  server.kill('SIGKILL');
  await dropDatabase(databases.http);
  record.remember('httpImport', { ...measured, bytes });
}

// 4. The lean baseline's load of the same file into its own database.
if ((await storedIn(databases.lean)) !== size) {
  record.remember('leanLoad', loadLean('test/bench/lean-pg-load.ts', urls.lean, files.archive));
}
const leanBytes = await databaseBytes(databases.lean);

// As `npm start` runs it: no rate limit, quiet logs; the lean server on a pool of the service's size.
const ours = startServer('src/server.ts', {
  DATABASE_URL: urls.ours,
  PORT: String(OURS),
  RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
  SEED: 'false',
});
const lean = startServer('test/bench/lean-pg-server.ts', { DATABASE_URL: urls.lean, PORT: String(LEAN) });
await waitFor(`http://127.0.0.1:${OURS}/ready`);
await waitFor(`http://127.0.0.1:${LEAN}/lean/started`);

// 5-8. The reads, shape by shape, and the report (test/bench/drive.ts). No raw routes on PostgreSQL: the lean
// baseline is the one baseline.
const [{ server_version: pgVersion } = { server_version: '' }] = await query<{ server_version: string }>(undefined, 'SHOW server_version');
await drive(bench, {
  servers: { ours, lean },
  ports: { ours: OURS, lean: LEAN },
  async facts(deepOffset) {
    const one = async <R>(text: string, params: unknown[] = []) => (await query<R>(databases.ours, text, params))[0] as R;
    const { newest, oldest } = await one<{ newest: string; oldest: string }>(
      'SELECT max(stated_on) AS newest, min(stated_on) AS oldest FROM statements',
    );
    const deepAfter = await one<{ statedOn: string; id: string }>(
      'SELECT stated_on AS "statedOn", id FROM statements ORDER BY stated_on DESC, id DESC LIMIT 1 OFFSET $1',
      [deepOffset],
    );
    const sampleIds = (
      await query<{ id: string }>(databases.ours, 'SELECT id FROM statements WHERE doc % $1 = 0 ORDER BY doc LIMIT 200', [
        Math.max(1, Math.floor(size / 200)),
      ])
    ).map((r) => r.id);
    return { newest, oldest, deepAfter, sampleIds };
  },
  record,
  files,
  bytes: { ours: oursBytes, lean: leanBytes },
  sizes: { label: 'database size', perStatement: true },
  results: 'reads-postgres',
  report: {
    title: 'Read and import benchmark on PostgreSQL: ours against the lean baseline',
    machine: `, PostgreSQL ${pgVersion}`,
    pinning: `servers, loads${serverPinned ? ' and the PostgreSQL server' : ''} pinned to core 0, clients to core 1${serverPinned ? '' : ' (the PostgreSQL server not pinned)'}`,
    command: ['--engine postgres ', values.http ? ' --http' : ''],
    archive: `Ours: the service (\`DATABASE_URL\`) on a database loaded by the import CLI's bulk path (\`--db postgres://…\`: COPY, derived rows built at the end)${record.loads.httpImport ? '; the HTTP import measured into a database of its own' : ''}. Lean: the same file loaded with COPY into the lean baseline's own database (\`test/bench/lean-pg-load.ts\`: statements clustered on (date, id) with their links inline as jsonb, a topic table holding every ancestor with the date copied in, no search), served by hand-written Fastify routes, one prepared \`pg\` query each, with the service's response schemas (\`test/bench/lean-pg-server.ts\`), every answer checked equal to the service's. Both on pools of 10 connections. Sizes: \`pg_database_size\`.`,
    tail: record.loads.httpImport?.bytes ? ` The database the HTTP import wrote: ${mb(record.loads.httpImport.bytes)}.` : '',
  },
  json: { engine: 'postgres', postgres: pgVersion, serverPinned, databases },
  // A query whose client has gone runs on until it next writes to it, and a server's pool still holds the
  // requests that waited for a connection: a slow lean topic query would otherwise take the database server's
  // core from the runs after it. Each run starts once neither database has a query left to cancel.
  async settle() {
    for (let tries = 0; tries < 200; tries++) {
      const cancelled = await query(
        undefined,
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND state = 'active' AND pid <> pg_backend_pid()",
        [[databases.ours, databases.lean]],
      );
      if (cancelled.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },
});
