// `npm run bench:import [-- --size 1000 --bundles 10 --rounds 3]`: statements imported per second through the HTTP
// endpoint and the CLI, each against raw better-sqlite3 writing the same rows the same way (row by row, or bulk), in the same run.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildApp } from '../../src/app.js';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';
import { createKey } from '../../src/modules/keys/keys.service.js';
import { BULK_LOAD_CACHE_KIB } from '../../src/storage/index.js';
import { deferDerivedWork } from '../../src/storage/sqlite/bulk-load.js';
import { finishDeferredWork, migrateDatabase, openDatabase } from '../../src/storage/sqlite/client.js';
import { briefingBundle } from './bundles.js';
import { rawInsert } from './raw.js';
import { formatJson, markdownTable, numberOption } from './report.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const RESULTS = join(ROOT, 'test/bench/results');

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000' },
    bundles: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
  },
});
const size = numberOption('size', values.size);
const bundleCount = numberOption('bundles', values.bundles);
const rounds = numberOption('rounds', values.rounds);

/** An archive: briefings that each carry their own source, event and statements, and the shared actors and topics. */
const bundles: Bundle[] = Array.from({ length: bundleCount }, (_, i) => briefingBundle(`b${i}`, size));
const jsonBodies = bundles.map((b) => JSON.stringify(b));
const ndjsonBody = `${jsonBodies.join('\n')}\n`;
const statements = bundleCount * size;
const work = mkdtempSync(join(tmpdir(), 'statements-bench-'));
const ndjsonFile = join(work, 'archive.ndjson');
writeFileSync(ndjsonFile, ndjsonBody);

type Path = 'raw' | 'rawBulk' | 'httpJson' | 'httpNdjson' | 'cliDb' | 'cliUrl';
const LABELS: Record<Path, string> = {
  raw: 'raw better-sqlite3, row by row (the same rows, prepared inserts, one transaction a bundle)',
  rawBulk: 'raw better-sqlite3 into an empty database, derived tables and indexes at the end (as the CLI --db)',
  httpJson: 'HTTP POST /v1/imports, one JSON request a bundle',
  httpNdjson: 'HTTP POST /v1/imports, one NDJSON request for all bundles',
  cliDb: 'CLI --db (import phase)',
  cliUrl: 'CLI --url, NDJSON streamed (import phase)',
};
/**
 * Each path's ceiling: a running server imports row by row, triggers and indexes kept up as it goes; the CLI
 * --db into an empty database puts them aside and builds them at the end, so its ceiling does the same.
 */
const CEILING: Record<Path, 'raw' | 'rawBulk'> = {
  raw: 'raw',
  rawBulk: 'rawBulk',
  httpJson: 'raw',
  httpNdjson: 'raw',
  cliDb: 'rawBulk',
  cliUrl: 'raw',
};
const seconds: Record<Path, number[]> = { raw: [], rawBulk: [], httpJson: [], httpNdjson: [], cliDb: [], cliUrl: [] };
const cliWall: Record<'cliDb' | 'cliUrl', number[]> = { cliDb: [], cliUrl: [] };

let fileNumber = 0;
const freshPath = () => join(work, `db-${++fileNumber}.db`);

/** Raw inserts of every bundle; `bulk`: as the CLI --db loads an empty database, derived tables and indexes at the end. */
async function measureRaw(bulk: boolean): Promise<number> {
  // The bulk-load page cache the CLI --db path has: a ceiling gets every advantage any path gets.
  const db = openDatabase(freshPath(), { cacheKib: BULK_LOAD_CACHE_KIB });
  migrateDatabase(db);
  const started = performance.now();
  if (bulk) deferDerivedWork(db);
  // After the first, a bundle's shared actors and topics are unchanged: an import writes no rows for them.
  for (const [i, bundle] of bundles.entries()) rawInsert(db.$client, bundle, { sharedStored: i > 0, keyName: 'bench' });
  if (bulk) finishDeferredWork(db);
  const elapsed = (performance.now() - started) / 1000;
  db.$client.close();
  return elapsed;
}

/** A listening server on a fresh database, in this process, with a write key. */
async function server() {
  const app = await buildApp({ databasePath: freshPath(), logLevel: 'warn', authDisabled: false, seed: false });
  const key = await createKey(app.storage, 'bench');
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, key, url: `${address}/v1/imports` };
}

async function measureHttpJson(): Promise<number> {
  const { app, key, url } = await server();
  try {
    const started = performance.now();
    for (const body of jsonBodies) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      if (res.status !== 200) throw new Error(`JSON import answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    return (performance.now() - started) / 1000;
  } finally {
    await app.close();
  }
}

async function measureHttpNdjson(): Promise<number> {
  const { app, key, url } = await server();
  try {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: ndjsonBody,
    });
    const text = await res.text();
    const elapsed = (performance.now() - started) / 1000;
    const summary = JSON.parse(text.trim().split('\n').at(-1) ?? '{}');
    if (res.status !== 200 || summary.status !== 'done' || summary.failed !== 0)
      throw new Error(`NDJSON import: ${res.status} ${text.slice(-500)}`);
    return elapsed;
  } finally {
    await app.close();
  }
}

interface ReadsDuringImport {
  alone: LatencySummary;
  duringImport: LatencySummary;
  importSeconds: number;
  /** 503s the importer got (it must get none), and reads refused with a 503. */
  importer503s: number;
}
interface LatencySummary {
  reads: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  status503: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
function summarize(latencies: number[], statuses: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    reads: sorted.length,
    p50Ms: Number(percentile(sorted, 50).toFixed(1)),
    p99Ms: Number(percentile(sorted, 99).toFixed(1)),
    maxMs: Number((sorted.at(-1) ?? 0).toFixed(1)),
    status503: statuses.filter((s) => s === 503).length,
  };
}

/**
 * Another client's reads while one client imports every bundle, one JSON request after another, against the
 * same reads on the idle server just before: the latency an import adds for others, and whether anyone is
 * refused. The server sheds load as in production (under-pressure on). Reader and server share this process,
 * so a read's time includes waiting for the bundle being written, as a separate client's would.
 */
async function measureReadsDuringImport(): Promise<ReadsDuringImport> {
  const app = await buildApp({ databasePath: freshPath(), logLevel: 'warn', authDisabled: false, seed: true, shedLoad: true });
  const key = await createKey(app.storage, 'bench');
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const readUrl = `${address}/v1/statements?limit=20`;
  const readWhile = async (running: () => boolean) => {
    const latencies: number[] = [];
    const statuses: number[] = [];
    while (running()) {
      const started = performance.now();
      const res = await fetch(readUrl);
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      statuses.push(res.status);
    }
    return summarize(latencies, statuses);
  };
  try {
    const until = performance.now() + 3000;
    const alone = await readWhile(() => performance.now() < until);
    let importing = true;
    let importer503s = 0;
    const started = performance.now();
    const reads = readWhile(() => importing);
    for (const body of jsonBodies) {
      const res = await fetch(`${address}/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
      if (res.status === 503) importer503s += 1;
      else if (res.status !== 200) throw new Error(`import during reads answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    const importSeconds = (performance.now() - started) / 1000;
    importing = false;
    return { alone, duringImport: await reads, importSeconds: Number(importSeconds.toFixed(3)), importer503s };
  } finally {
    await app.close();
  }
}

/** Runs the CLI as a script would; returns its own timing of the import and the wall time including start-up. */
async function runCli(args: string[]): Promise<{ import: number; wall: number }> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', '--json', ...args, ndjsonFile], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = (performance.now() - started) / 1000;
  const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  if (summary.failed !== 0 || summary.counts?.statements?.created !== statements) throw new Error(`CLI import: ${stdout.slice(-500)}`);
  return { import: summary.seconds, wall };
}

async function measureCliDb() {
  return runCli(['--db', freshPath()]);
}

async function measureCliUrl() {
  const { app, key, url } = await server();
  try {
    return await runCli(['--url', url.replace('/v1/imports', ''), '--key', key]);
  } finally {
    await app.close();
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

let readsDuringImport: ReadsDuringImport | undefined;
console.log(`Importing ${bundleCount} bundles of ${size} statements (${statements} statements), ${rounds} round(s)…`);
try {
  // Interleaved rounds: a machine that slows down for a while slows every path alike.
  for (let round = 1; round <= rounds; round++) {
    seconds.raw.push(await measureRaw(false));
    seconds.rawBulk.push(await measureRaw(true));
    seconds.httpJson.push(await measureHttpJson());
    seconds.httpNdjson.push(await measureHttpNdjson());
    const db = await measureCliDb();
    seconds.cliDb.push(db.import);
    cliWall.cliDb.push(db.wall);
    const url = await measureCliUrl();
    seconds.cliUrl.push(url.import);
    cliWall.cliUrl.push(url.wall);
    const rate = (s: number[]) => Math.round(statements / (s.at(-1) as number));
    console.log(
      `round ${round}: raw ${rate(seconds.raw)}/s, raw bulk ${rate(seconds.rawBulk)}/s, HTTP JSON ${rate(seconds.httpJson)}/s, HTTP NDJSON ${rate(seconds.httpNdjson)}/s, ` +
        `CLI --db ${rate(seconds.cliDb)}/s, CLI --url ${rate(seconds.cliUrl)}/s`,
    );
  }
  readsDuringImport = await measureReadsDuringImport();
  console.log(
    `reads alone p99 ${readsDuringImport.alone.p99Ms} ms, during an import p99 ${readsDuringImport.duringImport.p99Ms} ms; ` +
      `503s: importer ${readsDuringImport.importer503s}, reads ${readsDuringImport.duringImport.status503}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

const rows = (Object.keys(LABELS) as Path[]).map((path) => {
  const rate = statements / median(seconds[path]);
  return {
    path,
    label: LABELS[path],
    medianSeconds: Number(median(seconds[path]).toFixed(3)),
    statementsPerSecond: Math.round(rate),
    ceiling: CEILING[path],
    ratioToCeiling: Number((rate / (statements / median(seconds[CEILING[path]]))).toFixed(2)),
    ...(path === 'cliDb' || path === 'cliUrl'
      ? {
          wallSecondsWithStartup: Number(median(cliWall[path]).toFixed(3)),
          wallStatementsPerSecond: Math.round(statements / median(cliWall[path])),
        }
      : {}),
    runs: seconds[path].map((s) => Number(s.toFixed(3))),
  };
});
const result = {
  benchmark: 'import',
  date: new Date().toISOString(),
  machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: process.platform },
  sqlite: openDatabase(':memory:').$client.prepare('SELECT sqlite_version()').pluck().get(),
  bundles: bundleCount,
  statementsPerBundle: size,
  statements,
  rounds,
  target: 'every path at least 0.5 × the rate of its raw ceiling',
  results: rows,
  readsDuringImport,
};

const table = [
  `# Import benchmark`,
  '',
  `${result.date} — Node ${result.machine.node}, SQLite ${result.sqlite}, ${result.machine.cores} × ${result.machine.cpu}.`,
  `${bundleCount} bundles × ${size} statements (each with 2 topics, 1 source, 1 addressee, 2 acts; every bundle also carries 20 actors and 30 topics), ` +
    `fresh database file per run, median of ${rounds} interleaved round(s). Every path opens the database as the service does ` +
    '(WAL, synchronous=FULL, temp_store=MEMORY; both raw paths and CLI --db with the 64 MiB bulk-load page cache) and writes one transaction a bundle. ' +
    'A running server (the HTTP paths and CLI --url) imports row by row and is compared with raw row by row; CLI --db loads an empty ' +
    'database, building topic ancestry, counts, the search index and secondary indexes once at the end (included), and is compared with raw doing the same.',
  '',
  ...markdownTable(
    ['path', 'median s', 'statements/s', '× its raw ceiling'],
    rows.map((r) => [
      r.label,
      String(r.medianSeconds),
      String(r.statementsPerSecond),
      r.path === r.ceiling ? '' : `${r.ratioToCeiling.toFixed(2)} × ${r.ceiling}`,
    ]),
  ),
  '',
  'CLI wall time including process start-up (tsx): ' +
    rows
      .filter((r) => 'wallSecondsWithStartup' in r)
      .map((r) => `${r.path} ${r.wallSecondsWithStartup} s (${r.wallStatementsPerSecond} statements/s)`)
      .join(', ') +
    '.',
  '',
  ...(readsDuringImport
    ? [
        '## Other clients during an import',
        '',
        `One client imports the ${bundleCount} bundles (one JSON request after another, ${readsDuringImport.importSeconds} s) into the seeded ` +
          'server, shedding load as in production, while another reads `GET /v1/statements?limit=20` one request after another; ' +
          'before it, the same reads for 3 s on the idle server.',
        '',
        ...markdownTable(
          ['reads', 'count', 'p50 ms', 'p99 ms', 'max ms', '503s'],
          [
            ['alone', readsDuringImport.alone],
            ['during the import', readsDuringImport.duringImport],
          ].map(([label, r]) => {
            const s = r as LatencySummary;
            return [label as string, String(s.reads), String(s.p50Ms), String(s.p99Ms), String(s.maxMs), String(s.status503)];
          }),
        ),
        '',
        `503s the importer got: ${readsDuringImport.importer503s}.`,
        '',
      ]
    : []),
].join('\n');

mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'import.json'), `${formatJson(result)}\n`);
writeFileSync(join(RESULTS, 'import.md'), table);
console.log(`\n${table}`);
console.log(`Written to ${join('test/bench/results', 'import.json')} and import.md.`);
const below = rows.filter((r) => r.path !== r.ceiling && r.ratioToCeiling < 0.5);
if (below.length > 0) console.log(`Below the target of 0.5 × its raw ceiling: ${below.map((r) => r.path).join(', ')}.`);
if (readsDuringImport && readsDuringImport.importer503s + readsDuringImport.duringImport.status503 > 0)
  console.log('Refused during the import: a 503 went to the importer or to a reader.');
