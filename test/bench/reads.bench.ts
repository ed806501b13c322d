// `npm run bench [-- --size 1000000 --duration 5 --connections 32 --rounds 1 --dir folder --keep --raw --no-cli]`:
// the service against a lean hand-written baseline in the same run (issue #21). It generates the synthetic
// archive as NDJSON (bundles of 1,000 statements), imports it over HTTP into the running service (one client, one
// NDJSON request, while a second client reads single statements), loads the same file through the CLI's bulk load
// (`--db`) and into the lean baseline's own database (test/bench/lean.ts), then drives every read shape against
// the service and the lean server (test/bench/lean-server.ts), each checked to answer alike, servers pinned to
// core 0 and the clients on core 1. Writes test/bench/results/reads.{json,md}. `--engine postgres` runs the
// PostgreSQL bench instead (test/bench/reads-postgres.ts: results in reads-postgres.{json,md}).
//
// --dir keeps the archive and the databases in that folder (kept after the run); a folder holding them already
// is reused, its loads not measured again. --keep keeps the temporary folder. --raw also runs the raw routes
// (test/bench/baseline-server.ts: our SQL on our schema, by hand) and the bare Fastify route. What both engines'
// benches share (the archive, the HTTP import, the shapes, the answer checks, the rounds and the report) is in
// test/bench/drive.ts; this file brings SQLite's databases, servers and loads.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createKey } from '../../src/modules/keys/keys.service.js';
import { openStorage } from '../../src/storage/index.js';
import { sqliteInternals } from '../../src/storage/inspect.js';
import {
  BENCH_OPTIONS,
  drive,
  fileBytes,
  importOverHttp,
  loadLean,
  loadRecord,
  loadThroughCli,
  log,
  mb,
  startBench,
  startServer,
  waitFor,
  writeArchive,
} from './drive.js';

// `--engine postgres`: the same bench on PostgreSQL, in a file of its own, which ends the process.
if (parseArgs({ options: { engine: { type: 'string' } }, strict: false }).values.engine === 'postgres') await import('./reads-postgres.js');

const { values } = parseArgs({
  options: {
    ...BENCH_OPTIONS,
    engine: { type: 'string', default: 'sqlite' },
    raw: { type: 'boolean', default: false },
    'no-cli': { type: 'boolean', default: false },
  },
});
const bench = await startBench(values, 'statements-reads-');
const { size, dir } = bench;
const [OURS, LEAN, RAW] = bench.ports;

// 0. Where the archive and the databases go.
const files = {
  archive: join(dir, `archive-${size}.ndjson`),
  ours: join(dir, `ours-${size}.db`),
  lean: join(dir, `lean-${size}.db`),
  cli: join(dir, `cli-${size}.db`),
};
const dbBytes = (path: string) => fileBytes(path) + fileBytes(`${path}-wal`);

// 1. The servers, started while the archive is generated (they on core 0, the generation on core 1): the service
// on a database of its own, and the lean server (it opens its database at its first request).
const oursFresh = !existsSync(files.ours);
let key = '';
{
  const storage = await openStorage({ path: files.ours });
  await storage.migrate();
  const { reader } = sqliteInternals(storage);
  const stored = reader.$client.prepare('SELECT count(*) FROM statements').pluck().get() as number;
  if (stored === 0) key = await createKey(storage, `bench-${Date.now()}`);
  else if (stored !== size) {
    console.error(`${files.ours} holds ${stored} statements, not --size ${size}: remove it or pass the matching --size.`);
    process.exit(2);
  }
  await storage.close();
}
// As `npm start` runs it: no rate limit, quiet logs, load shed under pressure (as server.ts always does).
const ours = startServer('src/server.ts', {
  DATABASE_PATH: files.ours,
  PORT: String(OURS),
  RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
  SEED: 'false',
});
const lean = startServer('test/bench/lean-server.ts', { DATABASE_PATH: files.lean, PORT: String(LEAN) });

// 2. The archive as NDJSON; then the import over HTTP into the running service, unless its database holds it.
const sampleIdsOfBundle = await writeArchive(files.archive, size);
await waitFor(`http://127.0.0.1:${OURS}/ready`);
await waitFor(`http://127.0.0.1:${LEAN}/lean/started`);

const record = loadRecord(bench, join(dir, `loads-${size}.json`));
if (stored() === 0) {
  record.remember(
    'httpImport',
    await importOverHttp(bench, { port: OURS, pid: ours.pid as number, key, archive: files.archive, sampleIdsOfBundle }),
  );
}
function stored(): number {
  const db = new Database(files.ours, { readonly: true });
  const n = db.prepare('SELECT count(*) FROM statements').pluck().get() as number;
  db.close();
  return n;
}
{
  // The WAL folded into the file, so the file's size is the database's.
  const db = new Database(files.ours);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
const oursBytes = dbBytes(files.ours);

// 3. The CLI's bulk load of the same file into an empty database (the import phase as the CLI times it).
if (!values['no-cli'] && oursFresh) {
  log('loading the same archive through the CLI (--db, bulk load)');
  rmSync(files.cli, { force: true });
  const seconds = loadThroughCli(bench, files.cli, files.archive);
  record.remember('cliLoad', { statements: size, seconds, perSecond: size / seconds, bytes: dbBytes(files.cli) });
  if (!values.keep) for (const suffix of ['', '-wal', '-shm']) rmSync(`${files.cli}${suffix}`, { force: true });
}

// 4. The lean baseline's load of the same file into its own database.
if (!existsSync(files.lean)) record.remember('leanLoad', loadLean('test/bench/lean-load.ts', files.lean, files.archive));
const leanBytes = dbBytes(files.lean);

const raw = values.raw
  ? startServer('test/bench/baseline-server.ts', { DATABASE_PATH: files.ours, PORT: String(RAW), BARE_BODY_FILE: join(dir, 'page.json') })
  : undefined;
if (raw) await waitFor(`http://127.0.0.1:${RAW}/raw/page?limit=1`);

// 5-8. The reads, shape by shape, and the report (test/bench/drive.ts).
await drive(bench, {
  servers: { ours, lean },
  ports: { ours: OURS, lean: LEAN, raw: raw ? RAW : undefined },
  async facts(deepOffset) {
    const sqlite = new Database(files.ours, { readonly: true });
    const newest = sqlite.prepare('SELECT max(stated_on) FROM statements').pluck().get() as string;
    const oldest = sqlite.prepare('SELECT min(stated_on) FROM statements').pluck().get() as string;
    const deepAfter = sqlite
      .prepare('SELECT stated_on AS statedOn, id FROM statements ORDER BY stated_on DESC, id DESC LIMIT 1 OFFSET ?')
      .get(deepOffset) as { statedOn: string; id: string };
    const sampleIds = sqlite
      .prepare('SELECT id FROM statements WHERE doc % ? = 0 LIMIT 200')
      .pluck()
      .all(Math.max(1, Math.floor(size / 200))) as string[];
    sqlite.close();
    return { newest, oldest, deepAfter, sampleIds };
  },
  record,
  files,
  bytes: { ours: oursBytes, lean: leanBytes },
  sizes: { label: 'database file', perStatement: false },
  results: 'reads',
  report: {
    title: 'Read and import benchmark: ours against the lean baseline',
    machine: '',
    pinning: 'servers and loads pinned to core 0, clients to core 1',
    command: ['', values.raw ? ' --raw' : ''],
    archive:
      "Ours: imported over HTTP into the running service, its reads on that database. Lean: the same file loaded into the lean baseline's own database (`test/bench/lean.ts`: statements clustered by date with their links inline, a topic table holding every ancestor with the date copied in, contentless full text), served by hand-written routes with the service's response schemas (`test/bench/lean-server.ts`), every answer checked equal to the service's.",
    tail: record.loads.cliLoad ? ` The CLI's database: ${mb(record.loads.cliLoad.bytes ?? 0)}.` : '',
  },
  json: {},
});
