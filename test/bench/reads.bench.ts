// `npm run bench [-- --size 1000000 --duration 5 --connections 16 --db file --rounds 1]`: generates the
// synthetic archive, loads it through the import code, starts the service and the baselines (each pinned to
// core 0), drives every read shape with autocannon from core 1, and writes test/bench/results/reads.{json,md}.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { bindingKey, encodeCursor } from '../../src/lib/cursor.js';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';
import { planImport } from '../../src/modules/imports/imports.service.js';
import { BULK_LOAD_CACHE_KIB } from '../../src/storage/index.js';
import { deferDerivedWork } from '../../src/storage/sqlite/bulk-load.js';
import { type Db, finishDeferredWork, migrateDatabase, openDatabase } from '../../src/storage/sqlite/client.js';
import { importPlan } from '../../src/storage/sqlite/import.js';
import { ARCHIVE_WORDS, archiveBundles } from './archive.js';
import { rawInsert } from './raw.js';
import { formatJson, markdownTable, numberOption } from './report.js';

/** The import service's work on the SQLite engine, synchronously, as the load's timer measures it. */
function runImport(db: Db, bundle: Bundle): void {
  const { errors } = importPlan(db, planImport(bundle));
  if (errors.length > 0) throw new Error(`the bundle did not import: ${JSON.stringify(errors.slice(0, 3))}`);
}

const ROOT = new URL('../../', import.meta.url).pathname;
const RESULTS = join(ROOT, 'test/bench/results');

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '1' },
    db: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    'import-ceiling': { type: 'boolean', default: false },
  },
});
const size = numberOption('size', values.size);
const connections = numberOption('connections', values.connections);
const rounds = numberOption('rounds', values.rounds);
// Long enough for steady numbers at full size; short for quick runs of a smaller archive.
const duration = values.duration ? numberOption('duration', values.duration, { min: 0.5, fractional: true }) : size >= 500_000 ? 5 : 1;
// Warm-ups (seconds): of every route at once, then of each shape just before it is measured, which brings
// its pages of a large database file into memory. A small archive is in memory after the first.
const warmUp = size >= 500_000 ? { all: 2, each: 0.5 } : { all: 2, each: 0 };
const LIMIT = 50;

// The load generator runs on core 1, the servers on core 0: they do not compete for a core.
const pinned = existsSync('/usr/bin/taskset') && cpus().length >= 2;
if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

/** Two measurements in turn, `a` first on even turns and `b` first on odd ones: neither always runs after the other. */
const inTurn = <T>(turn: number, a: T, b: T): T[] => (turn % 2 ? [b, a] : [a, b]);

// 1. The archive, loaded through the import code (one transaction a bundle), unless --db names a loaded one.
const work = mkdtempSync(join(tmpdir(), 'statements-reads-'));
const dbPath = values.db ?? join(work, 'archive.db');
let importReport: { statements: number; seconds: number; perSecond: number; rawSeconds?: number; timesRaw?: number } | undefined;
// Opened as `npm run import -- --db` opens it.
const archive = openDatabase(dbPath, { cacheKib: BULK_LOAD_CACHE_KIB });
migrateDatabase(archive);

// 2. The servers: the service as `npm start` runs it (no rate limit, quiet logs), and the baselines, started
// while the archive loads (they start on core 0, the load runs on core 1) and asked nothing until it is in.
const OURS = 3901;
const BASE = 3902;
const servers: ChildProcess[] = [];
function startServer(script: string, env: Record<string, string>): ChildProcess {
  const command = pinned ? 'taskset' : process.execPath;
  const args = [...(pinned ? ['-c', '0', process.execPath] : []), '--import', 'tsx', join(ROOT, script)];
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  servers.push(child);
  return child;
}
process.on('exit', () => {
  for (const s of servers) s.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

async function waitFor(url: string) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

const bareFile = join(work, 'page.json');
// Both at once (each takes seconds to start); the baseline reads its constant body at its first /bare.
const ours = startServer('src/server.ts', {
  DATABASE_PATH: dbPath,
  PORT: String(OURS),
  RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
  SEED: 'false',
});
const baseline = startServer('test/bench/baseline-server.ts', { DATABASE_PATH: dbPath, PORT: String(BASE), BARE_BODY_FILE: bareFile });
// 1, continued: the archive loads while the servers start (unless --db named a loaded one).
{
  const stored = archive.$client.prepare('SELECT count(*) FROM statements').pluck().get() as number;
  if (stored === 0) {
    let importing = 0;
    let loaded = 0;
    const started = performance.now();
    // As the import CLI loads an empty database: derived tables, the search index and secondary indexes built
    // once, at the end.
    // --import-ceiling: raw better-sqlite3 loads the same bundles into a database of its own, the same way
    // (derived work put aside, then built), each bundle straight after ours (first every other bundle), so
    // a drift of this machine's speed weighs on both alike.
    const ceiling = values['import-ceiling'] ? openDatabase(join(work, 'raw.db'), { cacheKib: BULK_LOAD_CACHE_KIB }) : undefined;
    if (ceiling) migrateDatabase(ceiling);
    const topicTerms = new Map<string, string[]>();
    let raw = 0;
    const timed = (task: () => unknown) => {
      const t = performance.now();
      task();
      return performance.now() - t;
    };
    importing += timed(() => deferDerivedWork(archive));
    if (ceiling) raw += timed(() => deferDerivedWork(ceiling));
    let b = 0;
    for (const bundle of archiveBundles(size)) {
      const importOurs = () => {
        importing += timed(() => runImport(archive, bundle));
      };
      const insertRaw = () => {
        if (ceiling) raw += timed(() => rawInsert(ceiling.$client, bundle, { topicTerms }));
      };
      for (const step of inTurn(b++, importOurs, insertRaw)) step();
      loaded += bundle.statements?.length ?? 0;
      if (process.stderr.isTTY) process.stderr.write(`\rimporting ${loaded} / ${size} statements`);
    }
    if (process.stderr.isTTY) process.stderr.write('\nbuilding topic ancestry, counts, the search index and indexes\n');
    importing += timed(() => finishDeferredWork(archive));
    if (ceiling) {
      raw += timed(() => finishDeferredWork(ceiling));
      ceiling.$client.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(work, `raw.db${suffix}`), { force: true });
    }
    importReport = {
      statements: loaded,
      seconds: importing / 1000,
      perSecond: loaded / (importing / 1000),
      ...(ceiling && { rawSeconds: raw / 1000, timesRaw: raw / importing }),
    };
    console.log(
      `imported ${loaded} statements in ${(importing / 1000).toFixed(1)} s of import (${Math.round(importReport.perSecond)}/s; ${((performance.now() - started) / 1000).toFixed(1)} s with generation${ceiling ? ` and raw's load, ${(raw / 1000).toFixed(1)} s` : ''})`,
    );
  } else if (values['import-ceiling']) {
    console.error(`${dbPath} is loaded already, so there is no load to set beside raw's: drop --import-ceiling or --db.`);
    process.exit(2);
  } else if (stored !== size) {
    console.error(`${dbPath} holds ${stored} statements, not --size ${size}: remove it or pass the matching --size.`);
    process.exit(2);
  }
  archive.$client.pragma('wal_checkpoint(TRUNCATE)');
  archive.$client.close();
}
const databaseBytes = statSync(dbPath).size;

// 3. The parameters of each shape, taken from the archive itself.
const sqlite = openDatabase(dbPath).$client;
const newest = sqlite.prepare('SELECT max(stated_on) FROM statements').pluck().get() as string;
const oldest = sqlite.prepare('SELECT min(stated_on) FROM statements').pluck().get() as string;
const middle = (a: string, b: string, f: number) =>
  new Date(Date.parse(a) + (Date.parse(b) - Date.parse(a)) * f).toISOString().slice(0, 10);
const deepPage = Math.min(10_000, Math.floor(size / LIMIT / 2));
const deepAfter = sqlite
  .prepare('SELECT stated_on AS statedOn, id FROM statements ORDER BY stated_on DESC, id DESC LIMIT 1 OFFSET ?')
  .get((deepPage - 1) * LIMIT - 1) as { statedOn: string; id: string };
const deepCursor = encodeCursor(bindingKey('statements', '-statedOn', {}), deepAfter.statedOn, deepAfter.id);
const sampleIds = sqlite
  .prepare('SELECT id FROM statements WHERE doc % ? = 0 LIMIT 200')
  .pluck()
  .all(Math.max(1, Math.floor(size / 200))) as string[];
sqlite.close();

const dateRanges = [0.2, 0.45, 0.7, 0.9].map((f) => [middle(oldest, newest, f), middle(oldest, newest, f + 0.1)] as const);
const filteredTopics = ['region-0', 'region-3', 'region-1-2', 'region-5-4'];
const searches = [
  'security',
  'the government',
  'ceasefire',
  'Kabul',
  '"regional connectivity"',
  'nucl*',
  'dialogue sanctions',
  'Tashkent OR Astana',
  'rejects -trade',
  'humanitarian situation',
];
/**
 * Searches not asked before in this run, the same on every machine: two or three words of the archive
 * (common ones included), the last one cut to a prefix in one search of five.
 */
const newSearches = (() => {
  const asked = new Set(searches);
  let state = 20_240_404;
  const next = () => {
    state = (state * 48_271) % 2_147_483_647;
    return state / 2_147_483_647;
  };
  const word = () => ARCHIVE_WORDS[Math.floor(next() * ARCHIVE_WORDS.length)] as string;
  return (count: number): string[] => {
    const found: string[] = [];
    while (found.length < count) {
      const words = next() < 0.3 ? [word(), word(), word()] : [word(), word()];
      if (next() < 0.2) words.push(`${(words.pop() as string).slice(0, 3 + Math.floor(next() * 4))}*`);
      const query = words.join(' ');
      if (!asked.has(query)) {
        asked.add(query);
        found.push(query);
      }
    }
    return found;
  };
})();
const ourSearch = (q: string) => `/v1/search?q=${enc(q)}`;
const rawSearch = (q: string) => `/raw/search?limit=20&q=${enc(q)}`;
const searchPaths = (queries: string[]) => ({ ours: queries.map(ourSearch), raw: queries.map(rawSearch) });
/**
 * Searches as people send them: of every ten, `popular` are the popular queries in turn and the rest
 * new ones. One stream for all connections (autocannon walks a list once per connection, which would
 * ask every "new" query sixteen times).
 */
function searchStream(popular: number, path: (q: string) => string): () => string {
  let sent = 0;
  let popularSent = 0;
  return () => path(sent++ % 10 < popular ? (searches[popularSent++ % searches.length] as string) : (newSearches(1)[0] as string));
}
const year = newest.slice(0, 4);
const asOfDates = [0.3, 0.5, 0.8, 1].map((f) => middle(oldest, newest, f));
const EXPAND = 'speaker,onBehalfOf,event,sources,topics,addressees';
const enc = encodeURIComponent;

interface Shape {
  name: string;
  label: string;
  /** The paths asked in turn (those of raw give the same answers); checked and used to warm up. */
  ours: string[];
  raw: string[];
  /** When measuring, paths from these instead: each call gives the next request's path. */
  stream?: { ours: () => string; raw: () => string };
}
const ALL_SHAPES: Shape[] = [
  {
    name: 'page',
    label: `page of ${LIMIT} statements, newest first`,
    ours: [`/v1/statements?limit=${LIMIT}`],
    raw: [`/raw/page?limit=${LIMIT}`],
  },
  {
    name: 'deep',
    label: `page ${deepPage} via cursor`,
    ours: [`/v1/statements?limit=${LIMIT}&cursor=${deepCursor}`],
    raw: [`/raw/deep?limit=${LIMIT}&statedOn=${deepAfter.statedOn}&id=${enc(deepAfter.id)}`],
  },
  {
    name: 'filtered',
    label: 'filtered page: topic subtree + date range',
    ours: filteredTopics.map((t, i) => `/v1/statements?limit=${LIMIT}&topic=${t}&from=${dateRanges[i]?.[0]}&to=${dateRanges[i]?.[1]}`),
    raw: filteredTopics.map((t, i) => `/raw/filtered?limit=${LIMIT}&topic=${t}&from=${dateRanges[i]?.[0]}&to=${dateRanges[i]?.[1]}`),
  },
  {
    name: 'single',
    label: 'one statement with expand (all six relations)',
    ours: sampleIds.map((id) => `/v1/statements/${enc(id)}?expand=${EXPAND}`),
    raw: sampleIds.map((id) => `/raw/statement/${enc(id)}`),
  },
  {
    name: 'search',
    label: `full-text search, a mix: 60 % ${searches.length} popular queries, 40 % new ones`,
    ...searchPaths([...searches, ...newSearches(4)]),
    stream: { ours: searchStream(6, ourSearch), raw: searchStream(6, rawSearch) },
  },
  {
    name: 'searchNew',
    label: 'full-text search, every query new',
    ...searchPaths(newSearches(4)),
    stream: { ours: searchStream(0, ourSearch), raw: searchStream(0, rawSearch) },
  },
  {
    name: 'stats',
    label: `stats: topic × month over ${year}`,
    ours: [`/v1/stats/statements?groupBy=topic,month&from=${year}-01-01&to=${year}-12-31`],
    raw: [`/raw/stats?from=${year}-01-01&to=${year}-12-31`],
  },
  {
    name: 'stances',
    label: 'stance matrix asOf, one region (topic subtree)',
    ours: asOfDates.map((d, i) => `/v1/stats/stances?asOf=${d}&topic=region-${i}`),
    raw: asOfDates.map((d, i) => `/raw/stances?asOf=${d}&topic=region-${i}`),
  },
  {
    name: 'positions',
    label: `positions asOf, page of ${LIMIT}`,
    ours: asOfDates.map((d) => `/v1/positions?asOf=${d}&limit=${LIMIT}`),
    raw: asOfDates.map((d) => `/raw/positions?asOf=${d}&limit=${LIMIT}`),
  },
];

// --only runs some shapes (by name, comma-separated), to look at one while changing it; its report goes
// to results/partial.* unless --out says otherwise, so the full report stays whole.
const only = values.only?.split(',');
const unknown = only?.filter((name) => !ALL_SHAPES.some((s) => s.name === name));
if (unknown?.length) {
  console.error(`--only: no shape ${unknown.join(', ')}; the shapes are ${ALL_SHAPES.map((s) => s.name).join(', ')}.`);
  process.exit(2);
}
const SHAPES = only ? ALL_SHAPES.filter((s) => only.includes(s.name)) : ALL_SHAPES;
const out = values.out ?? (only ? 'partial' : 'reads');

await Promise.all([waitFor(`http://127.0.0.1:${OURS}/ready`), waitFor(`http://127.0.0.1:${BASE}/raw/page?limit=1`)]);
writeFileSync(bareFile, Buffer.from(await (await fetch(`http://127.0.0.1:${OURS}${ALL_SHAPES[0]?.ours[0]}`)).arrayBuffer()));

// Each raw route must give the answer the service gives, or its ratio means nothing.
for (const shape of SHAPES) {
  for (const [i, path] of shape.ours.entries()) {
    const a = (await (await fetch(`http://127.0.0.1:${OURS}${path}`)).json()) as Record<string, unknown>;
    const b = (await (await fetch(`http://127.0.0.1:${BASE}${shape.raw[i]}`)).json()) as Record<string, unknown>;
    const strip = (body: Record<string, unknown>) => ({ ...body, nextCursor: body.nextCursor === null ? null : 'more' });
    if (!isDeepStrictEqual(strip(a), strip(b))) {
      writeFileSync(join(work, 'ours.json'), JSON.stringify(a, null, 1));
      writeFileSync(join(work, 'raw.json'), JSON.stringify(b, null, 1));
      console.error(`${shape.name}: the raw route answers ${shape.raw[i]} differently from ${path}`);
      spawnSync('diff', [join(work, 'ours.json'), join(work, 'raw.json')], { stdio: 'inherit' });
      process.exit(1);
    }
  }
}

// 4. Load, shape by shape, ours and raw interleaved; the peak RSS of the service sampled meanwhile.
interface Run {
  rps: number;
  p50: number;
  p99: number;
  bytes: number;
  errors: number;
}
const rssKb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))?.[1] ?? 0);
  return { rss: field('VmRSS'), anon: field('RssAnon') + field('RssShmem') };
};
let peakAnonKb = 0;
let peakRssKb = 0;

/**
 * One run of `seconds`. The RSS of the server under load (`watch`) is sampled meanwhile, ours and raw alike, so
 * the sampling weighs on neither side alone; ours' peak is the one reported.
 */
async function load(port: number, paths: string[] | (() => string), seconds: number, watch?: number): Promise<Run> {
  const sampler = watch
    ? setInterval(() => {
        const { rss, anon } = rssKb(watch);
        if (watch !== ours.pid) return;
        peakAnonKb = Math.max(peakAnonKb, anon);
        peakRssKb = Math.max(peakRssKb, rss);
      }, 100)
    : undefined;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    // A run ends at a sample tick: with the default of a second, a half-second warm-up took a second.
    sampleInt: seconds < 2 ? 250 : 1000,
    requests:
      typeof paths === 'function'
        ? [{ method: 'GET', setupRequest: (request: autocannon.Request) => ({ ...request, path: paths() }) }]
        : paths.map((path) => ({ method: 'GET', path })),
  });
  if (sampler) clearInterval(sampler);
  const errors = result.errors + result.timeouts + result.non2xx;
  // Per second over the whole run: autocannon's averages are per sample tick.
  const rps = result.requests.total / result.duration;
  return { rps, p50: result.latency.p50, p99: result.latency.p99, bytes: result.throughput.total / result.duration, errors };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pick = (runs: Run[]): Run => {
  const best = runs.find((r) => r.rps === median(runs.map((x) => x.rps))) as Run;
  return { ...best, errors: runs.reduce((n, r) => n + r.errors, 0) };
};

const bareRuns: Run[] = [];
const results: Record<string, { ours: Run; raw: Run }> = {};
const oursRuns: Record<string, Run[]> = {};
const rawRuns: Record<string, Run[]> = {};
// Every route once under load before anything is measured: the first shape would otherwise pay for the
// JIT compiling the code all shapes share (page 1 measured slower than page 10,000 that way).
await load(
  OURS,
  SHAPES.flatMap((s) => s.ours),
  warmUp.all,
);
await load(BASE, ['/bare', ...SHAPES.flatMap((s) => s.raw)], warmUp.all);
for (let round = 0; round < rounds; round++) {
  if (warmUp.each) await load(BASE, ['/bare'], warmUp.each);
  bareRuns.push(await load(BASE, ['/bare'], duration));
  for (const shape of SHAPES) {
    const paths = shape.stream ?? shape;
    const runOurs = async () => {
      if (warmUp.each) await load(OURS, paths.ours, warmUp.each);
      oursRuns[shape.name] = [...(oursRuns[shape.name] ?? []), await load(OURS, paths.ours, duration, ours.pid)];
    };
    const runRaw = async () => {
      if (warmUp.each) await load(BASE, paths.raw, warmUp.each);
      rawRuns[shape.name] = [...(rawRuns[shape.name] ?? []), await load(BASE, paths.raw, duration, baseline.pid)];
    };
    // Ours first in one round, raw first in the next.
    for (const run of inTurn(round, runOurs, runRaw)) await run();
    console.log(
      `${shape.name}: ours ${Math.round(oursRuns[shape.name]?.at(-1)?.rps ?? 0)}/s, raw ${Math.round(rawRuns[shape.name]?.at(-1)?.rps ?? 0)}/s`,
    );
  }
}
// Ratios are the median of each round's ratio: ours and raw run back to back, so a slow spell of this
// shared machine weighs on both sides of a ratio instead of on one side of a ratio of medians.
const pairedRatio = (a: Run[], b: Run[]) => median(a.map((run, i) => run.rps / (b[i]?.rps ?? Number.NaN)));
const ratios: Record<string, { raw: number; bare: number }> = {};
for (const shape of SHAPES) {
  const ourRuns = oursRuns[shape.name] ?? [];
  results[shape.name] = { ours: pick(ourRuns), raw: pick(rawRuns[shape.name] ?? []) };
  ratios[shape.name] = { raw: pairedRatio(ourRuns, rawRuns[shape.name] ?? []), bare: pairedRatio(ourRuns, bareRuns) };
}
const bare = pick(bareRuns);
// Ours' page 1 and page 10,000 run in the same round, one raw run apart (the shapes are in that order), so a
// slow spell of this shared machine weighs on both.
const deepToPage = oursRuns.deep && oursRuns.page ? pairedRatio(oursRuns.deep, oursRuns.page) : Number.NaN;
const idleRss = rssKb(ours.pid as number);

// 5. The report.
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`;
const at = new Date().toISOString();
const TARGETS: Record<string, (r: { ours: Run; raw: Run }, ratio: number) => string> = {
  page: (_r, ratio) => verdict(ratio >= 0.8, '≥ 0.80 × raw'),
  filtered: (_r, ratio) => verdict(ratio >= 0.8, '≥ 0.80 × raw'),
  single: (_r, ratio) => verdict(ratio >= 0.8, '≥ 0.80 × raw'),
  // Page 10,000 may cost at most 10 % more than page 1; it may cost less (the newest rows are not the cheapest).
  deep: () => verdict(deepToPage >= 0.9, `≥ 0.90 × page 1's req/s (${deepToPage.toFixed(2)})`),
  search: (r) => verdict(r.ours.p99 < 100, 'p99 < 100 ms'),
  searchNew: (r) => verdict(r.ours.p99 < 100, 'p99 < 100 ms'),
  stats: (r) => verdict(r.ours.p99 < 100, 'p99 < 100 ms'),
};
function verdict(ok: boolean, target: string) {
  return `${ok ? 'met' : 'MISSED'}: ${target}`;
}

const rows = SHAPES.map((s) => {
  const r = results[s.name] as { ours: Run; raw: Run };
  const ratio = ratios[s.name] as { raw: number; bare: number };
  return [
    s.label,
    String(Math.round(r.ours.rps)),
    String(r.ours.p50),
    String(r.ours.p99),
    String(Math.round(r.raw.rps)),
    String(r.raw.p99),
    ratio.raw.toFixed(2),
    ratio.bare.toFixed(2),
    String(r.ours.errors + r.raw.errors),
    TARGETS[s.name]?.(r, ratio.raw) ?? '',
  ];
});
const header = ['read shape', 'req/s', 'p50 ms', 'p99 ms', 'raw req/s', 'raw p99 ms', '× raw', '× bare', 'errors', 'target'];
const table = markdownTable(header, rows).join('\n');
const rssMb = (kb: number) => (kb / 1024).toFixed(0);
const md = `# Read benchmark

${at} — ${machine}; ${pinned ? 'servers pinned to core 0, autocannon to core 1' : 'not pinned (taskset or a second core missing)'}.
Command: \`npm run bench -- --size ${size}${rounds !== 1 ? ` --rounds ${rounds}` : ''}${only ? ` --only ${only.join(',')}` : ''}${values['import-ceiling'] ? ' --import-ceiling' : ''}\`; ${connections} connections, ${duration} s a run after a warm-up of ${warmUp.all} s for all routes${warmUp.each ? ` and ${warmUp.each} s before each run` : ''}, ${rounds} round(s): req/s and latencies are medians, ratios the median of each round's ratio.
Archive: ${size.toLocaleString('en')} statements, database file ${(databaseBytes / 1048576).toFixed(0)} MB.${
  importReport
    ? ` Import through the import code: ${Math.round(importReport.perSecond)} statements/s (${importReport.seconds.toFixed(1)} s)${
        importReport.rawSeconds === undefined
          ? ''
          : `; raw better-sqlite3 loading the same bundles the same way, each beside ours: ${importReport.rawSeconds.toFixed(1)} s, so ours at ${importReport.timesRaw?.toFixed(2)} × raw`
      }.`
    : ' (Loaded earlier: import not measured in this run.)'
}
Bare Fastify, a constant body the size of a page of statements: ${Math.round(bare.rps)} req/s (p99 ${bare.p99} ms).
Service RSS: peak ${rssMb(peakRssKb)} MB, of which ${rssMb(peakAnonKb)} MB not file-backed; after the runs ${rssMb(idleRss.rss)} MB.

${table}
`;
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, `${out}.md`), md);
writeFileSync(
  join(RESULTS, `${out}.json`),
  `${formatJson({ at, machine, pinned, size, connections, duration, rounds, databaseBytes, import: importReport, bare, peakRssKb, peakAnonKb, results, ratios, deepToPage, runs: { ours: oursRuns, raw: rawRuns, bare: bareRuns } })}\n`,
);
console.log(md);
process.exit(0);
