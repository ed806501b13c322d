// Crash safety: kill the server (SIGKILL) in the middle of a large NDJSON import; after a restart the database is
// intact and every bundle (line) is either wholly stored or wholly absent. On the suite's engine: a SQLite file, or
// with DATABASE_URL=postgres://…, a PostgreSQL database (the API process dies, its open transaction with it).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { createKey } from '../src/modules/keys/keys.service.js';
import { openStorage } from '../src/storage/index.js';
import { briefingBundle, sharedRecords } from './bench/bundles.js';
import { onPostgres } from './helpers.js';
import { freshDatabase } from './postgres/databases.js';

const ROOT = new URL('../', import.meta.url).pathname;
const LINES = 400;
/** Statements a bundle: fewer on PostgreSQL, whose HTTP import goes record by record, to keep the test's time down. */
const STATEMENTS = onPostgres ? 25 : 100;

/** A port nobody listens on right now: the OS picks one, we let it go and hand it to the server. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The real server process (`node --import tsx src/server.ts`), answering /health. */
/** The test's database: a SQLite file, or with the suite on PostgreSQL, a PostgreSQL database (`url`). */
interface Database {
  path: string;
  url?: string;
}

async function startServer(database: Database, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: database.path,
      DATABASE_URL: database.url ?? '',
      LOG_LEVEL: 'warn',
      SEED: 'false',
      RATE_LIMIT: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  // Generous: on a loaded two-core machine, tsx compiling the server can take a while.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not answer within 60 s: ${stderr}`);
}

/** An NDJSON import on a connection of its own (a pooled one may have been closed by the server while idle). */
function post(port: number, key: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/imports', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Counts = Record<'sources' | 'events' | 'statements' | 'topicLinks' | 'acts' | 'searchable', Map<string, number>>;

/**
 * Rows per bundle, by the prefix of their ids (`line7-…`): one query per table. On SQLite, after checking the
 * file's integrity and that the full-text index holds exactly one row per statement.
 */
async function rowsByLine(database: Database): Promise<Counts> {
  const queries = (prefix: (column: string) => string, searchable: string) => ({
    sources: `SELECT ${prefix('id')}, count(*) FROM sources GROUP BY 1`,
    events: `SELECT ${prefix('id')}, count(*) FROM events GROUP BY 1`,
    statements: `SELECT ${prefix('id')}, count(*) FROM statements GROUP BY 1`,
    topicLinks: `SELECT ${prefix('statement_id')}, count(*) FROM statement_topics GROUP BY 1`,
    acts: `SELECT ${prefix('statement_id')}, count(*) FROM statement_acts GROUP BY 1`,
    searchable: `SELECT ${prefix('statements.id')}, count(*) FROM ${searchable} GROUP BY 1`,
  });
  if (database.url) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const sql = queries((c) => `split_part(${c}, '-', 1)`, 'statements_search JOIN statements USING (doc)');
      const counts = {} as Counts;
      for (const [what, text] of Object.entries(sql) as [keyof Counts, string][]) {
        const { rows } = await client.query<[string, string]>({ text, rowMode: 'array' });
        counts[what] = new Map(rows.map(([line, n]) => [line, Number(n)]));
      }
      return counts;
    } finally {
      await client.end();
    }
  }
  const db = new Sqlite(database.path, { readonly: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    const indexed = db.prepare('SELECT count(*) FROM statements_fts').pluck().get();
    assert.equal(indexed, db.prepare('SELECT count(*) FROM statements').pluck().get());
    const sql = queries(
      (c) => `substr(${c}, 1, instr(${c}, '-') - 1)`,
      'statements_fts JOIN statements ON statements.doc = statements_fts.rowid',
    );
    return Object.fromEntries(
      Object.entries(sql).map(([what, text]) => [what, new Map(db.prepare(text).raw().all() as [string, number][])]),
    ) as Counts;
  } finally {
    db.close();
  }
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

test('a server killed (SIGKILL) in the middle of a streaming import restarts on an intact database: each bundle is all there or not at all', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-crash-'));
  const pgDatabase = onPostgres ? await freshDatabase() : undefined;
  const database: Database = { path: join(dir, 'crash.db'), ...(pgDatabase ? { url: pgDatabase.url } : {}) };
  const children: ChildProcess[] = [];
  t.after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    await pgDatabase?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // The database and a write key, made in the database the server will open.
  const setup = await openStorage(database);
  await setup.migrate();
  const key = await createKey(setup, 'crash-test');
  await setup.close();

  const port = await freePort();
  const server = await startServer(database, port);
  children.push(server);

  // Line 1 holds the shared records; every other line a briefing whose ids all start with its own prefix.
  const line = (n: number) => JSON.stringify(n === 1 ? sharedRecords() : briefingBundle(`line${n}`, STATEMENTS, { shared: false }));
  const encoder = new TextEncoder();
  let next = 1;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next > LINES + 1) return controller.close();
      controller.enqueue(encoder.encode(`${line(next)}\n`));
      next += 1;
    },
  });
  const acknowledged: number[] = [];
  const response = await fetch(`http://127.0.0.1:${port}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body,
    duplex: 'half',
  } as RequestInit);
  assert.equal(response.status, 200);

  // Read the answer until a good part of the import is acknowledged, then kill the server mid-way.
  let pending = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += Buffer.from(chunk).toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const result = JSON.parse(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        assert.equal(result.status, 'ok', JSON.stringify(result));
        acknowledged.push(result.line);
        newline = pending.indexOf('\n');
      }
      if (acknowledged.length >= 30 && server.exitCode === null && server.signalCode === null) {
        server.kill('SIGKILL');
      }
    }
  } catch {
    // The connection dies with the server.
  }
  await exited(server);
  assert.equal(server.signalCode, 'SIGKILL');
  assert.ok(
    acknowledged.length >= 30 && acknowledged.length <= LINES,
    `killed mid-way: ${acknowledged.length} of ${LINES + 1} lines answered`,
  );

  // Restart on the same database: the server opens it (SQLite recovers from the write-ahead log) and serves it.
  const restarted = await startServer(database, port);
  children.push(restarted);
  const health = await fetch(`http://127.0.0.1:${port}/ready`);
  assert.equal(health.status, 200);

  const stored = new Set<number>();
  const counts = await rowsByLine(database);
  const whole = {
    sources: 1,
    events: 1,
    statements: STATEMENTS,
    topicLinks: 2 * STATEMENTS,
    acts: 2 * STATEMENTS,
    searchable: STATEMENTS,
  };
  const none = { sources: 0, events: 0, statements: 0, topicLinks: 0, acts: 0, searchable: 0 };
  for (let n = 2; n <= LINES + 1; n++) {
    const rows = Object.fromEntries(Object.entries(counts).map(([what, map]) => [what, map.get(`line${n}`) ?? 0]));
    const present = rows.statements !== 0 || rows.sources !== 0;
    assert.deepEqual(rows, present ? whole : none, `line ${n} is partly stored: ${JSON.stringify(rows)}`);
    if (present) stored.add(n);
    // What the server acknowledged survived the kill (SQLite: synchronous=FULL; PostgreSQL: committed).
    if (acknowledged.includes(n)) assert.ok(present, `line ${n} was acknowledged but is missing`);
  }
  assert.ok(
    stored.size >= acknowledged.length - 1 && stored.size < LINES,
    `${stored.size} bundles stored, ${acknowledged.length} acknowledged`,
  );

  // And the restarted server takes the import up again where it stopped: what is stored is unchanged, the rest created.
  const retried = Array.from({ length: 30 }, (_, i) => acknowledged.length - 5 + i);
  const summary = JSON.parse((await post(port, key, `${retried.map(line).join('\n')}\n`)).trim().split('\n').at(-1) as string);
  assert.deepEqual([summary.status, summary.failed], ['done', 0]);
  const already = retried.filter((n) => stored.has(n)).length;
  assert.deepEqual(summary.counts.statements, { created: (30 - already) * STATEMENTS, updated: 0, unchanged: already * STATEMENTS });
  restarted.kill('SIGTERM');
  await exited(restarted);
});
