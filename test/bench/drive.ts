// What the read benches of both engines share (test/bench/reads.bench.ts on SQLite, test/bench/reads-postgres.ts
// on PostgreSQL): their options and settings, the folder and the servers, the archive, the import over HTTP with a
// second client reading, the record of each load, and `drive`: every read shape against the service and the lean
// server, each lean answer checked equal to ours, the rounds, the medians and ratios, the report table and the
// results files. An engine brings its databases, its servers, its loads and how it sizes a database.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { get as httpGet, request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { bindingKey, encodeCursor } from '../../src/lib/cursor.js';
import { ARCHIVE_WORDS, archiveBundles } from './archive.js';
import { formatJson, markdownTable, numberOption } from './report.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const RESULTS = join(ROOT, 'test/bench/results');
const LIMIT = 20;
const STATEMENTS_PER_SECOND_TARGET = 10_000;

/** The options both engines take (parseArgs' form); each adds its own. */
export const BENCH_OPTIONS = {
  size: { type: 'string', default: '1000000' },
  duration: { type: 'string' },
  connections: { type: 'string', default: '32' },
  'search-connections': { type: 'string', default: '16' },
  rounds: { type: 'string', default: '1' },
  dir: { type: 'string' },
  keep: { type: 'boolean', default: false },
  out: { type: 'string' },
} as const;
interface BenchValues {
  size: string;
  duration?: string;
  connections: string;
  'search-connections': string;
  rounds: string;
  dir?: string;
  keep: boolean;
  out?: string;
}

// The clients run on core 1, the servers (and the loads) on core 0: they do not compete for a core.
export const pinned = existsSync('/usr/bin/taskset') && cpus().length >= 2;
const onCore0 = (args: string[]): [string, string[]] => (pinned ? ['taskset', ['-c', '0', ...args]] : [args[0] as string, args.slice(1)]);

const seconds = (since: number) => (performance.now() - since) / 1000;
export const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

export type Bench = Awaited<ReturnType<typeof startBench>>;
/**
 * The run's settings from the options, this process moved to core 1, the folder (`--dir`, else a temporary one
 * removed at exit unless `--keep`), and three ports: the service's, the lean server's, and a third of the engine's.
 */
export async function startBench(values: BenchValues, tmpPrefix: string) {
  const size = numberOption('size', values.size);
  const connections = numberOption('connections', values.connections);
  const searchConnections = numberOption('search-connections', values['search-connections']);
  const rounds = numberOption('rounds', values.rounds);
  const big = size >= 500_000;
  // Long enough for steady numbers at full size; short for quick runs of a smaller archive.
  const duration = values.duration ? numberOption('duration', values.duration, { min: 0.5, fractional: true }) : big ? 5 : 1;
  // Warm-ups (seconds): of every route at once, then of each shape just before it is measured, which brings
  // its pages of a large database file into memory. A small archive is in memory after the first.
  const warmUp = big ? { all: 2, each: 0.5 } : { all: 1, each: 0 };
  if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const startedAt = new Date().toISOString();

  const dir = resolve(values.dir ?? mkdtempSync(join(tmpdir(), tmpPrefix)));
  mkdirSync(dir, { recursive: true });
  const keep = values.keep || values.dir !== undefined;
  process.on('exit', () => {
    for (const s of servers) s.kill('SIGKILL');
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept: ${dir}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return {
    size,
    connections,
    searchConnections,
    rounds,
    duration,
    warmUp,
    startedAt,
    dir,
    keep,
    /** The results files' stem when not the engine's. */
    out: values.out,
    ports: ports as [number, number, number],
  };
}

/** A port free right now: another bench on this shared machine may hold fixed ones (a server on a taken port exits). */
const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });

const servers: ChildProcess[] = [];
/** A server of ours or of a baseline on core 0, killed when the bench exits. */
export function startServer(script: string, env: Record<string, string>): ChildProcess {
  const [command, args] = onCore0([process.execPath, '--import', 'tsx', join(ROOT, script)]);
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  servers.push(child);
  // A server that dies mid-run would leave the bench measuring errors, or another process on its port.
  child.on('exit', (code, signal) => {
    if (signal === 'SIGKILL') return;
    console.error(`${script} exited (${code ?? signal}): stopping the bench`);
    process.exit(1);
  });
  return child;
}
export async function waitFor(url: string) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}
/** The resident memory of a process: all of it, and the part not backed by a file (anonymous and shared memory). */
const rssKb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))?.[1] ?? 0);
  return { rss: field('VmRSS'), anon: field('RssAnon') + field('RssShmem') };
};
export const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
export const fileBytes = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/**
 * The archive as NDJSON, one bundle a line, written unless the file is there already; either way, a few statement
 * ids of each bundle, for reads during the import.
 */
export async function writeArchive(path: string, size: number): Promise<string[][]> {
  const sampleIdsOfBundle: string[][] = [];
  const started = performance.now();
  const write = !existsSync(path);
  const out = write ? createWriteStream(`${path}.part`) : undefined;
  for (const bundle of archiveBundles(size)) {
    const statements = bundle.statements ?? [];
    sampleIdsOfBundle.push(statements.filter((_, i) => i % 100 === 0).map((s) => s.id));
    if (out && !out.write(`${JSON.stringify(bundle)}\n`)) await once(out, 'drain');
  }
  if (out) {
    out.end();
    await once(out, 'finish');
    execFileSync('mv', [`${path}.part`, path]);
    log(
      `archive of ${size} statements generated in ${seconds(started).toFixed(1)} s: ${(fileBytes(path) / 1048576).toFixed(0)} MB of NDJSON`,
    );
  }
  return sampleIdsOfBundle;
}

export interface Latencies {
  count: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
}
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const latencies = (ms: number[], failed: number): Latencies => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(1));
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
    failed,
  };
};

export type Load = { statements: number; seconds: number; perSecond: number; bytes?: number };
export type HttpImport = Load & { readsDuring: Latencies; peakAnonKb: number; peakRssKb: number };

/**
 * The archive imported over HTTP into the service on `port` (process `pid`, its memory sampled): one client, one
 * NDJSON request, while a second client reads single statements.
 */
export async function importOverHttp(
  bench: Bench,
  {
    port,
    pid,
    key,
    archive,
    sampleIdsOfBundle,
  }: { port: number; pid: number; key: string; archive: string; sampleIdsOfBundle: string[][] },
): Promise<HttpImport> {
  const { size } = bench;
  log(`importing ${size} statements over HTTP (NDJSON, bundles of 1,000, one request) while a second client reads single statements`);
  let committed = 0;
  let importing = true;
  let peakAnonKb = 0;
  let peakRssKb = 0;
  const sampler = setInterval(() => {
    const { rss, anon } = rssKb(pid);
    peakAnonKb = Math.max(peakAnonKb, anon);
    peakRssKb = Math.max(peakRssKb, rss);
  }, 100);
  // The second client: one statement by id after another, as long as the import runs, from its start: an id of a
  // bundle already in (of the first bundle until one is; a 404 then is an answer too, timed like the others).
  const reads = (async () => {
    const ms: number[] = [];
    let failed = 0;
    let n = 0;
    while (importing) {
      const inBefore = committed;
      const ids = sampleIdsOfBundle[n % Math.max(1, inBefore)] as string[];
      const id = ids[Math.floor(n / Math.max(1, inBefore)) % ids.length] as string;
      n += 7919;
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/v1/statements/${encodeURIComponent(id)}`);
      await res.arrayBuffer();
      ms.push(performance.now() - t);
      if (res.status !== 200 && !(res.status === 404 && inBefore === 0)) failed++;
    }
    return latencies(ms, failed);
  })();
  const started = performance.now();
  const summary = await new Promise<{ status: string; ok: number; failed: number }>((done, fail) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/imports',
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.setEncoding('utf8');
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => fail(new Error(`the import answered ${res.statusCode}: ${body.slice(0, 1000)}`)));
          return;
        }
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() as string;
          for (const line of lines) {
            const result = JSON.parse(line);
            if (result.status === 'ok') committed++;
            else if (result.status === 'failed') {
              req.destroy();
              fail(new Error(`line ${result.line} failed: ${line.slice(0, 2000)}`));
            } else if (result.status === 'done') done(result);
            if (process.stderr.isTTY && committed % 10 === 0) process.stderr.write(`\rimported ${committed * 1000} / ${size}`);
          }
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    createReadStream(archive).pipe(req);
  });
  const importSeconds = seconds(started);
  importing = false;
  clearInterval(sampler);
  if (summary.failed !== 0 || summary.ok !== sampleIdsOfBundle.length) throw new Error(`the import: ${JSON.stringify(summary)}`);
  const measured = {
    statements: size,
    seconds: importSeconds,
    perSecond: size / importSeconds,
    readsDuring: await reads,
    peakAnonKb,
    peakRssKb,
  };
  log(
    `imported over HTTP in ${importSeconds.toFixed(1)} s (${Math.round(measured.perSecond)} statements/s); single gets meanwhile p99 ${measured.readsDuring.p99} ms; RSS not file-backed peak ${(peakAnonKb / 1024).toFixed(0)} MB`,
  );
  return measured;
}

export type Loads = { httpImport?: HttpImport; cliLoad?: Load; leanLoad?: Load };
/**
 * What each load measured, kept in `file` beside the archive and the databases: a run reusing the databases
 * reports those figures, with their date. `loads`: those of this run, else those recorded earlier.
 */
export function loadRecord(bench: Bench, file: string) {
  const recorded = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as Loads & { at?: Record<string, string> };
  const loadedAt: Record<string, string> = recorded.at ?? {};
  return {
    loads: recorded as Loads,
    loadedAt,
    remember<K extends keyof Loads>(name: K, value: Loads[K]) {
      loadedAt[name] = new Date().toISOString();
      Object.assign(recorded, { [name]: value, at: loadedAt });
      writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
    },
    /** The loads not measured in this run, with when they were. */
    reused: () => Object.entries(loadedAt).filter(([, at]) => Date.parse(at) < Date.parse(bench.startedAt)),
  };
}
export type LoadRecord = ReturnType<typeof loadRecord>;

/** The import CLI's bulk load (`--db target`) of the archive, on core 0: the import phase's seconds as it times them. */
export function loadThroughCli(bench: Bench, target: string, archive: string, { bulk = false } = {}): number {
  const [command, args] = onCore0([process.execPath, '--import', 'tsx', 'src/cli/import.ts', '--json', '--db', target, archive]);
  const run = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
  if (run.status !== 0 || summary.failed !== 0 || (bulk && summary.bulkLoad !== true)) {
    throw new Error(`CLI import: ${run.stdout.slice(-1000)} ${run.stderr.slice(-1000)}`);
  }
  log(`CLI bulk load: ${summary.seconds.toFixed(1)} s (${Math.round(bench.size / summary.seconds)} statements/s)`);
  return summary.seconds;
}

/** The lean baseline's load (`script target archive`, on core 0), as it reports it: { statements, seconds, bytes }. */
export function loadLean(script: string, target: string, archive: string): Load {
  log('loading the same archive into the lean baseline');
  const [command, args] = onCore0([process.execPath, '--import', 'tsx', script, target, archive]);
  const run = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lean load: ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as { statements: number; seconds: number; bytes: number };
  const load = { ...result, perSecond: result.statements / result.seconds };
  log(`lean load: ${result.seconds.toFixed(1)} s (${Math.round(load.perSecond)} statements/s)`);
  return load;
}

/** What the shapes' parameters are taken from: the archive as the service's database holds it. */
export interface ArchiveFacts {
  newest: string;
  oldest: string;
  /** The statement just before page `deepPage` newest first, at `offset` in that order. */
  deepAfter: { statedOn: string; id: string };
  /** Up to 200 statement ids spread over the archive. */
  sampleIds: string[];
}

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
const enc = encodeURIComponent;
const ourSearch = (q: string) => `/v1/search?q=${enc(q)}`;
/**
 * Searches as people send them: of every ten, `popular` are the popular queries in turn and the rest
 * new ones. One stream for all connections (autocannon walks a list once per connection, which would
 * ask every "new" query sixteen times).
 */
function searchStream(popular: number): () => string {
  let sent = 0;
  let popularSent = 0;
  return () => ourSearch(sent++ % 10 < popular ? (searches[popularSent++ % searches.length] as string) : (newSearches(1)[0] as string));
}
const EXPAND = 'speaker,onBehalfOf,event,sources,topics,addressees';

interface Shape {
  name: string;
  label: string;
  /** The paths asked in turn; those of lean (and raw) give the same answers, checked before any load. */
  ours: string[];
  lean?: string[];
  raw?: string[];
  /** When measuring ours, paths from this instead: each call gives the next request's path. */
  stream?: () => string;
  connections: number;
}
/** The read shapes, their parameters taken from the archive itself. */
function shapesOf(bench: Bench, deepPage: number, { newest, oldest, deepAfter, sampleIds }: ArchiveFacts): Shape[] {
  const { connections, searchConnections } = bench;
  const middle = (a: string, b: string, f: number) =>
    new Date(Date.parse(a) + (Date.parse(b) - Date.parse(a)) * f).toISOString().slice(0, 10);
  const deepCursor = encodeCursor(bindingKey('statements', '-statedOn', {}), deepAfter.statedOn, deepAfter.id);
  const dateRanges = [0.2, 0.45, 0.7, 0.9].map((f) => [middle(oldest, newest, f), middle(oldest, newest, f + 0.1)] as const);
  const filteredTopics = ['region-0', 'region-3', 'region-1-2', 'region-5-4'];
  const rangeQuery = (i: number) => `from=${dateRanges[i]?.[0]}&to=${dateRanges[i]?.[1]}`;
  return [
    {
      name: 'page',
      label: `page of ${LIMIT}, newest first`,
      ours: [`/v1/statements?limit=${LIMIT}`],
      lean: [`/lean/page?limit=${LIMIT}`],
      raw: [`/raw/page?limit=${LIMIT}`],
      connections,
    },
    {
      name: 'deep',
      label: `page ${deepPage.toLocaleString('en')} via cursor`,
      ours: [`/v1/statements?limit=${LIMIT}&cursor=${deepCursor}`],
      lean: [`/lean/page?limit=${LIMIT}&statedOn=${deepAfter.statedOn}&id=${enc(deepAfter.id)}`],
      raw: [`/raw/deep?limit=${LIMIT}&statedOn=${deepAfter.statedOn}&id=${enc(deepAfter.id)}`],
      connections,
    },
    {
      name: 'single',
      label: 'one statement by id',
      ours: sampleIds.map((id) => `/v1/statements/${enc(id)}`),
      lean: sampleIds.map((id) => `/lean/statement/${enc(id)}`),
      connections,
    },
    {
      name: 'singleExpand',
      label: 'one statement by id, all six expansions',
      ours: sampleIds.map((id) => `/v1/statements/${enc(id)}?expand=${EXPAND}`),
      lean: sampleIds.map((id) => `/lean/statement/${enc(id)}?expand=1`),
      raw: sampleIds.map((id) => `/raw/statement/${enc(id)}`),
      connections,
    },
    {
      name: 'range',
      label: `date range, page of ${LIMIT}`,
      ours: dateRanges.map((_, i) => `/v1/statements?limit=${LIMIT}&${rangeQuery(i)}`),
      lean: dateRanges.map((_, i) => `/lean/range?limit=${LIMIT}&${rangeQuery(i)}`),
      connections,
    },
    {
      name: 'filtered',
      label: `topic subtree + date range, page of ${LIMIT}`,
      ours: filteredTopics.map((t, i) => `/v1/statements?limit=${LIMIT}&topic=${t}&${rangeQuery(i)}`),
      lean: filteredTopics.map((t, i) => `/lean/filtered?limit=${LIMIT}&topic=${t}&${rangeQuery(i)}`),
      raw: filteredTopics.map((t, i) => `/raw/filtered?limit=${LIMIT}&topic=${t}&${rangeQuery(i)}`),
      connections,
    },
    {
      name: 'searchNew',
      label: 'search, every query new',
      ours: newSearches(4).map(ourSearch),
      stream: searchStream(0),
      connections: searchConnections,
    },
    {
      name: 'search',
      label: `search, 60 % ${searches.length} popular queries, 40 % new`,
      ours: [...searches, ...newSearches(4)].map(ourSearch),
      stream: searchStream(6),
      connections: searchConnections,
    },
  ];
}

// Each baseline route must give the answer the service gives, or its ratio means nothing. Records' times
// of creation differ between two databases loaded apart; next cursors are opaque.
const comparable = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === 'createdAt' || k === 'updatedAt' ? 'time' : k === 'nextCursor' ? (v === null ? null : 'more') : comparable(v),
    ]),
  );
};
/** A GET on a connection of its own (a kept-alive one may have been closed by the server meanwhile). */
function getJson(url: string): Promise<unknown> {
  return new Promise((done, fail) => {
    httpGet(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? done(JSON.parse(body)) : fail(new Error(`${url} answered ${res.statusCode}: ${body}`)),
      );
      res.on('error', fail);
    }).on('error', fail);
  });
}
/** Every path of a baseline asked of it and of ours; at the first answer that differs, both kept in `dir`, diffed, and the bench stopped. */
async function checkAnswers(dir: string, shapes: Shape[], ports: Record<Side, number>, raw: boolean) {
  for (const shape of shapes) {
    for (const [side, port, paths] of [
      ['lean', ports.lean, shape.lean],
      ['raw', ports.raw, raw ? shape.raw : undefined],
    ] as const) {
      for (const [i, path] of (paths ?? []).entries()) {
        const a = comparable(await getJson(`http://127.0.0.1:${ports.ours}${shape.ours[i]}`));
        const b = comparable(await getJson(`http://127.0.0.1:${port}${path}`));
        if (!isDeepStrictEqual(a, b) || (a as { data?: unknown[] }).data?.length === 0) {
          writeFileSync(join(dir, 'ours.json'), JSON.stringify(a, null, 1));
          writeFileSync(join(dir, `${side}.json`), JSON.stringify(b, null, 1));
          console.error(`${shape.name}: the ${side} route answers ${path} differently from ${shape.ours[i]} (or both answer nothing)`);
          spawnSync('diff', [join(dir, 'ours.json'), join(dir, `${side}.json`)], { stdio: 'inherit' });
          process.exit(1);
        }
      }
    }
  }
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}
type Side = 'ours' | 'lean' | 'raw';
type Peak = Record<'ours' | 'lean', { anonKb: number; rssKb: number }>;

/** One autocannon run of `secs` at `conns` connections; with `watch`, that server's RSS sampled into `peak`. */
async function load(
  port: number,
  paths: string[] | (() => string),
  secs: number,
  conns: number,
  watch?: { pid: number; into: Peak['ours'] },
): Promise<Run> {
  const sampler = watch
    ? setInterval(() => {
        const { rss, anon } = rssKb(watch.pid);
        watch.into.anonKb = Math.max(watch.into.anonKb, anon);
        watch.into.rssKb = Math.max(watch.into.rssKb, rss);
      }, 100)
    : undefined;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: conns,
    duration: secs,
    // A run ends at a sample tick: with the default of a second, a half-second warm-up took a second.
    sampleInt: secs < 2 ? 250 : 1000,
    requests:
      typeof paths === 'function'
        ? [{ method: 'GET', setupRequest: (request: autocannon.Request) => ({ ...request, path: paths() }) }]
        : paths.map((path) => ({ method: 'GET', path })),
  });
  if (sampler) clearInterval(sampler);
  // Per second over the whole run: autocannon's averages are per sample tick.
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pick = (runs: Run[]): Run | undefined => {
  if (!runs.length) return undefined;
  const best = runs.find((r) => r.rps === median(runs.map((x) => x.rps))) as Run;
  return { ...best, errors: runs.reduce((n, r) => n + r.errors, 0) };
};
// Ratios are the median of each round's ratio: the two sides run back to back, so a slow spell of this shared
// machine weighs on both sides of a ratio instead of on one side of a ratio of medians.
const pairedRatio = (a: Run[] = [], b: Run[] = []) =>
  a.length && b.length ? median(a.map((run, i) => run.rps / (b[i]?.rps ?? Number.NaN))) : Number.NaN;

/** Load, shape by shape, ours and lean (and raw) in turn, round after round; the servers' RSS sampled meanwhile. */
async function measureRounds(
  bench: Bench,
  shapes: Shape[],
  ports: Record<Side, number>,
  pids: Record<'ours' | 'lean', number>,
  raw: boolean,
  settle: () => Promise<void> = async () => {},
) {
  const { connections, duration, rounds, warmUp } = bench;
  const peak: Peak = { ours: { anonKb: 0, rssKb: 0 }, lean: { anonKb: 0, rssKb: 0 } };
  const runs: Record<Side, Record<string, Run[]>> = { ours: {}, lean: {}, raw: {} };

  // Every route once under load before anything is measured: the first shape would otherwise pay for the
  // JIT compiling the code all shapes share.
  await load(
    ports.ours,
    shapes.flatMap((s) => s.ours),
    warmUp.all,
    connections,
  );
  await load(
    ports.lean,
    shapes.flatMap((s) => s.lean ?? []),
    warmUp.all,
    connections,
  );
  if (raw)
    await load(
      ports.raw,
      shapes.flatMap((s) => s.raw ?? []),
      warmUp.all,
      connections,
    );
  for (let round = 0; round < rounds; round++) {
    for (const shape of shapes) {
      const measure = (side: Side) => async () => {
        const paths = side === 'ours' ? (shape.stream ?? shape.ours) : (shape[side] as string[]);
        await settle();
        if (warmUp.each) await load(ports[side], paths, warmUp.each, shape.connections);
        const watch = side === 'raw' ? undefined : { pid: pids[side], into: peak[side] };
        const run = await load(ports[side], paths, duration, shape.connections, watch);
        runs[side][shape.name] = [...(runs[side][shape.name] ?? []), run];
      };
      const others = [...(shape.lean ? [measure('lean')] : []), ...(raw && shape.raw ? [measure('raw')] : [])];
      // Ours first in one round, the baselines first in the next.
      for (const step of round % 2 ? [...others, measure('ours')] : [measure('ours'), ...others]) await step();
      const last = (side: Side) => Math.round(runs[side][shape.name]?.at(-1)?.rps ?? 0);
      log(
        `${shape.name}: ours ${last('ours')}/s p99 ${runs.ours[shape.name]?.at(-1)?.p99} ms${shape.lean ? `, lean ${last('lean')}/s` : ''}`,
      );
    }
  }
  const result = (name: string) => ({
    ours: pick(runs.ours[name] ?? []),
    lean: pick(runs.lean[name] ?? []),
    raw: pick(runs.raw[name] ?? []),
    toLean: pairedRatio(runs.ours[name], runs.lean[name]),
    toRaw: pairedRatio(runs.ours[name], runs.raw[name]),
  });
  const results = Object.fromEntries(shapes.map((s) => [s.name, result(s.name)]));
  // Page 1 and page 10,000 run in the same round, one lean run apart, so a slow spell weighs on both.
  const deepToPage = { ours: pairedRatio(runs.ours.deep, runs.ours.page), lean: pairedRatio(runs.lean.deep, runs.lean.page) };
  const afterRss = { ours: rssKb(pids.ours), lean: rssKb(pids.lean) };
  return { results, runs, deepToPage, peak, afterRss };
}

/** What an engine brings to `drive`, its servers running and its databases loaded. */
export interface Engine {
  servers: { ours: ChildProcess; lean: ChildProcess };
  /** The servers' ports; `raw` when the raw routes run too. */
  ports: { ours: number; lean: number; raw?: number };
  /** The facts the shapes are made of, `deepOffset` the position of the statement before the deep page. */
  facts: (deepOffset: number) => Promise<ArchiveFacts>;
  record: LoadRecord;
  /** The archive's path and the engine's other files, reported with `--keep` or `--dir`. */
  files: { archive: string } & Record<string, string>;
  /** The databases' sizes as the engine measures them. */
  bytes: { ours: number; lean: number };
  /** The size row's label; `perStatement` adds a row of the size per statement. */
  sizes: { label: string; perStatement: boolean };
  /** The results files' stem unless `--out` names another. */
  results: string;
  report: {
    title: string;
    /** After the machine (the database server's version). */
    machine: string;
    /** What is pinned when pinning is possible. */
    pinning: string;
    /** The command's words before `--size`, and its flags after `--rounds`. */
    command: [string, string];
    /** After the archive's size: ours and lean, as this engine loads and serves them. */
    archive: string;
    /** The last line's end. */
    tail: string;
  };
  /** Fields of the results JSON of this engine's own, after `rounds`. */
  json: Record<string, unknown>;
  /**
   * Clears what the last run left behind before the next starts: a server's queries may run on after the load
   * generator has gone (a database server works on them, and the next run, of either side, would share its core).
   */
  settle?: () => Promise<void>;
}

/**
 * The shapes from the archive's facts, each lean (and raw) answer checked equal to ours, the rounds measured,
 * and the report written to test/bench/results/<out>.{md,json} and printed; then the process ends.
 */
export async function drive(bench: Bench, engine: Engine): Promise<never> {
  const { size, connections, searchConnections, duration, rounds, warmUp } = bench;
  const raw = engine.ports.raw !== undefined;
  const ports = { ...engine.ports, raw: engine.ports.raw ?? 0 };
  const deepPage = Math.min(10_000, Math.floor(size / LIMIT / 2));
  const shapes = shapesOf(bench, deepPage, await engine.facts((deepPage - 1) * LIMIT - 1));

  await checkAnswers(bench.dir, shapes, ports, raw);
  log('the lean routes answer as the service does; measuring reads');

  const pids = { ours: engine.servers.ours.pid as number, lean: engine.servers.lean.pid as number };
  const { results, runs, deepToPage, peak, afterRss } = await measureRounds(bench, shapes, ports, pids, raw, engine.settle);

  // The report: one row per target of issue #21, ours beside the lean baseline.
  const { httpImport, cliLoad, leanLoad } = engine.record.loads;
  const { ours: oursBytes, lean: leanBytes } = engine.bytes;
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`;
  const at = new Date().toISOString();
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const kbMb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  const rate = (n: number | undefined) => (n === undefined ? '—' : `${Math.round(n).toLocaleString('en')}/s`);
  const ratio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
  type Row = [string, string, string, string, string, string];
  type Result = (typeof results)[string];
  const readRow = (name: string, label: string): Row => {
    const r = results[name] as Result;
    return [
      `${label} (${shapes.find((s) => s.name === name)?.connections} conn.)`,
      `${rate(r.ours?.rps)}, p99 ${r.ours?.p99} ms`,
      `${rate(r.lean?.rps)}, p99 ${r.lean?.p99} ms`,
      ratio(r.toLean),
      '≥ 0.80 × lean',
      // A lean baseline that answered nothing leaves no ratio to meet the target with.
      verdict(Number.isFinite(r.toLean) && r.toLean >= 0.8),
    ];
  };
  const searchRow = (name: string, label: string): Row => {
    const r = results[name] as Result;
    return [
      `${label}, p99 (${searchConnections} conn.)`,
      `${r.ours?.p99} ms (${rate(r.ours?.rps)})`,
      '—',
      '',
      '< 100 ms',
      // A run that completed no request has no p99 to meet the target with.
      verdict((r.ours?.rps ?? 0) > 0 && (r.ours?.p99 ?? Infinity) < 100),
    ];
  };
  const rows: Row[] = [
    readRow('page', `page of ${LIMIT}, newest first`),
    readRow('single', 'one statement by id'),
    readRow('range', `date range, page of ${LIMIT}`),
    readRow('filtered', `topic subtree + date range, page of ${LIMIT}`),
    [
      `page ${deepPage.toLocaleString('en')} against page 1 (req/s)`,
      ratio(deepToPage.ours),
      ratio(deepToPage.lean),
      '',
      '≥ 0.90 × page 1',
      verdict(deepToPage.ours >= 0.9),
    ],
    searchRow('searchNew', 'search, every query new'),
    searchRow('search', 'search, popular mix'),
    httpImport
      ? [
          'import over HTTP, NDJSON bundles of 1,000, one client (lean: its load)',
          rate(httpImport.perSecond),
          rate(leanLoad?.perSecond),
          ratio(httpImport.perSecond / (leanLoad?.perSecond ?? Number.NaN)),
          `≥ ${STATEMENTS_PER_SECOND_TARGET.toLocaleString('en')}/s`,
          verdict(httpImport.perSecond >= STATEMENTS_PER_SECOND_TARGET),
        ]
      : ['import over HTTP', 'not run (loaded earlier)', rate(leanLoad?.perSecond), '', '', ''],
    httpImport
      ? [
          'one statement by id during the import, p99 (second client)',
          `${httpImport.readsDuring.p99} ms (${httpImport.readsDuring.count} reads, ${httpImport.readsDuring.failed} failed)`,
          '—',
          '',
          '< 50 ms',
          verdict(httpImport.readsDuring.p99 < 50 && httpImport.readsDuring.failed === 0),
        ]
      : ['one statement by id during the import', 'not run', '—', '', '', ''],
    cliLoad
      ? [
          'CLI bulk load (--db), import phase (lean: its load)',
          rate(cliLoad.perSecond),
          rate(leanLoad?.perSecond),
          ratio(cliLoad.perSecond / (leanLoad?.perSecond ?? Number.NaN)),
          `≥ ${STATEMENTS_PER_SECOND_TARGET.toLocaleString('en')}/s and ≥ HTTP`,
          verdict(cliLoad.perSecond >= STATEMENTS_PER_SECOND_TARGET && cliLoad.perSecond >= (httpImport?.perSecond ?? 0)),
        ]
      : ['CLI bulk load', 'not run', rate(leanLoad?.perSecond), '', '', ''],
    [engine.sizes.label, mb(oursBytes), mb(leanBytes), ratio(oursBytes / leanBytes), '≤ 2 × lean', verdict(oursBytes <= 2 * leanBytes)],
    ...(engine.sizes.perStatement
      ? [
          [
            `${engine.sizes.label} per statement`,
            `${Math.round(oursBytes / size).toLocaleString('en')} B`,
            `${Math.round(leanBytes / size).toLocaleString('en')} B`,
            '',
            '',
            '',
          ] as Row,
        ]
      : []),
    [
      'server RSS not file-backed, peak during the import',
      httpImport ? kbMb(httpImport.peakAnonKb) : 'not run',
      '—',
      '',
      '< 300 MB',
      httpImport ? verdict(httpImport.peakAnonKb < 300 * 1024) : '',
    ],
    [
      'server RSS not file-backed, peak during the reads',
      kbMb(peak.ours.anonKb),
      kbMb(peak.lean.anonKb),
      '',
      '< 300 MB',
      verdict(peak.ours.anonKb < 300 * 1024),
    ],
  ];
  const table = markdownTable(['target', 'ours', 'lean', '× lean', 'target', ''], rows).join('\n');
  const extraRows = [
    (() => {
      const r = results.singleExpand as Result;
      return [
        'one statement by id, all six expansions',
        `${rate(r.ours?.rps)}, p99 ${r.ours?.p99} ms`,
        `${rate(r.lean?.rps)}, p99 ${r.lean?.p99} ms`,
        ratio(r.toLean),
        raw ? ratio(r.toRaw) : '—',
      ];
    })(),
    ...(raw
      ? (['page', 'deep', 'filtered'] as const).map((name) => {
          const r = results[name] as Result;
          return [
            shapes.find((s) => s.name === name)?.label as string,
            rate(r.ours?.rps),
            rate(r.lean?.rps),
            ratio(r.toLean),
            ratio(r.toRaw),
          ];
        })
      : []),
  ];
  const extra = markdownTable(['also measured', 'ours', 'lean', '× lean', '× raw'], extraRows).join('\n');
  const reused = engine.record.reused();
  const { report } = engine;
  const md = `# ${report.title}

${at} — ${machine}${report.machine}; ${pinned ? report.pinning : 'not pinned (taskset or a second core missing)'}.
Command: \`npm run bench -- ${report.command[0]}--size ${size}${rounds !== 1 ? ` --rounds ${rounds}` : ''}${report.command[1]}\`; reads at ${connections} connections (search at ${searchConnections}), ${duration} s a run after a warm-up of ${warmUp.all} s for all routes${warmUp.each ? ` and ${warmUp.each} s before each run` : ''}, ${rounds} round(s): req/s and latencies are medians, ratios the median of each round's ratio.
Archive: ${size.toLocaleString('en')} statements (bundles of 1,000; ${mb(fileBytes(engine.files.archive))} of NDJSON). ${report.archive}

${table}

${extra}

${reused.length ? `Loads measured when the databases were loaded, not in this run: ${reused.map(([name, at]) => `${name} at ${at}`).join(', ')}.\n` : ''}After the runs, RSS: ours ${kbMb(afterRss.ours.rss)} (${kbMb(afterRss.ours.anon)} not file-backed), lean ${kbMb(afterRss.lean.rss)}.${report.tail}
`;
  const out = bench.out ?? engine.results;
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${out}.md`), md);
  writeFileSync(
    join(RESULTS, `${out}.json`),
    `${formatJson({
      at,
      machine,
      pinned,
      size,
      connections,
      searchConnections,
      duration,
      rounds,
      ...engine.json,
      files: bench.keep ? engine.files : undefined,
      bytes: { ...engine.bytes, cli: cliLoad?.bytes },
      httpImport,
      cliLoad,
      leanLoad,
      loadedAt: engine.record.loadedAt,
      deepToPage,
      peak,
      afterRss,
      results,
      runs,
    })}\n`,
  );
  console.log(md);
  process.exit(0);
}
