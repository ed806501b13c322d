// Graceful shutdown of the real server process: SIGTERM in the middle of a load of reads and writes fails no request
// that reached the server; /ready says 503 while the server drains; every acknowledged write is stored; exit 0.
// On the suite's engine: a SQLite file, or with DATABASE_URL=postgres://…, a PostgreSQL database.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type TestContext, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { createKey } from '../src/modules/keys/keys.service.js';
import { openStorage } from '../src/storage/index.js';
import { onPostgres } from './helpers.js';
import { freshDatabase } from './postgres/databases.js';

const ROOT = new URL('../', import.meta.url).pathname;
/** Long enough for every client to hear Connection: close and for the /ready probe, even on a loaded machine. */
const GRACE_MS = 4000;
const CLIENTS = { keepAlive: 3, newConnections: 3 };
/** SIGTERM once the clients have had this many answers between them. */
const ANSWERS_BEFORE_SIGTERM = 120;

interface Server {
  child: ChildProcess;
  port: number;
  /** The log lines so far (pino JSON), for assertions and for failure messages. */
  log: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real server process on a port of its choosing (read from its log line), once /ready answers 200. */
async function startServer(database: Database, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_PATH: database.path,
      // The database of the suite's engine: a SQLite file, or a PostgreSQL database of this test's own.
      DATABASE_URL: database.url ?? '',
      LOG_LEVEL: 'info',
      SEED: 'false',
      RATE_LIMIT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // Read every line, always: a server whose stdout pipe is full blocks on its next log line.
  const listening = new Promise<number>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => {
        log.push(line);
        const port = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1];
        if (port) resolve(Number(port));
      });
    }
    exit.then(({ code }) => reject(new Error(`the server exited with ${code}:\n${log.join('\n')}`)));
  });
  const port = await listening;
  // The load shedder judges the event loop over the last second, which may hold the start-up work: wait for a 200.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await send(port, { method: 'GET', path: '/ready' })).status === 200) return { child, port, log, exit };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`/ready did not answer 200 within 30 s:\n${log.slice(-20).join('\n')}`);
}

interface Outcome {
  status?: number;
  body?: any;
  /** The answer said Connection: close: this client should send its next requests elsewhere. */
  close?: boolean;
  /** The request went out on a connection used before (keep-alive). */
  reused?: boolean;
  /** The error code when there was no whole answer: ECONNREFUSED (never accepted), ECONNRESET, … */
  error?: string;
}

/** One request; its outcome, never a rejection. */
function send(
  port: number,
  options: { method: string; path: string; body?: unknown; key?: string; agent?: Agent | false },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = request(
      { host: '127.0.0.1', port, method: options.method, path: options.path, headers, agent: options.agent ?? false, timeout: 30_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
        res.on('end', () => {
          if (!res.complete) return resolve({ error: 'INCOMPLETE' });
          resolve({
            status: res.statusCode,
            body: parse(text),
            close: res.headers.connection?.toLowerCase() === 'close',
            reused: req.reusedSocket,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 30 s'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

interface Sent {
  client: string;
  method: string;
  path: string;
  /** The topic a POST created, or a GET expects. */
  topic?: { id: string; name: string };
  outcome: Outcome;
}

/** A test's database: a SQLite file, or with the suite on PostgreSQL, a PostgreSQL database (`url`). */
interface Database {
  path: string;
  url?: string;
}

/**
 * A folder for a test's database (and on PostgreSQL, a new database), and a way to start the server on it; when
 * the test ends the server, if still running, is killed and the folder and database removed.
 */
async function workspace(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'statements-shutdown-'));
  const pgDatabase = onPostgres ? await freshDatabase() : undefined;
  const database: Database = { path: join(dir, 'shutdown.db'), ...(pgDatabase ? { url: pgDatabase.url } : {}) };
  let server: Server | undefined;
  t.after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exit;
    }
    await pgDatabase?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    database,
    start: async (env: Record<string, string>) => {
      server = await startServer(database, env);
      return server;
    },
  };
}

/** Every topic stored, by id; on SQLite, after checking the file's integrity. */
async function storedTopics(database: Database): Promise<{ id: string; name: string }[]> {
  if (database.url) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<{ id: string; name: string }>('SELECT id, name FROM topics ORDER BY id COLLATE "C"')).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Sqlite(database.path, { readonly: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    return (db.prepare('SELECT id, name FROM topics').all() as { id: string; name: string }[]).sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    db.close();
  }
}

/** The load shedder's answer when the event loop stalls: a refusal before any handler ran, not a failed request. */
const isShed = (o: Outcome) => o.status === 503 && o.body?.code === 'UNAVAILABLE' && /overloaded/.test(o.body?.detail);

test('SIGTERM under load: every request that reached the server is answered, /ready is 503 while draining, every 201 is stored, exit 0', {
  timeout: 90_000,
}, async (t) => {
  const { database, start } = await workspace(t);

  const setup = await openStorage(database);
  await setup.migrate();
  const key = await createKey(setup, 'shutdown-test');
  await setup.close();

  const server = await start({ SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  const { port } = server;

  const sent: Sent[] = [];
  let signalled = false;
  let sigterm: () => void = () => {};
  const sigtermSent = new Promise<void>((resolve) => {
    sigterm = resolve;
  });

  // A client writes a topic, reads it back, and so on, until an answer says Connection: close or the server is gone;
  // as a load balancer's client would. Keep-alive clients hold one connection; the others open one per request.
  async function client(name: string, keepAlive: boolean) {
    const shared = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    let last: { id: string; name: string } | undefined;
    try {
      for (let i = 0; ; i++) {
        // A fresh agent per request still asks for keep-alive, so Connection: close in its answer means the drain.
        const agent = shared ?? new Agent({ keepAlive: true, maxSockets: 1 });
        const write = i % 2 === 0 || !last;
        const topic = write ? { id: `${name}-${i}`, name: `Topic ${i} of ${name}` } : last;
        const request = write
          ? { method: 'POST', path: '/v1/topics', body: topic, key }
          : { method: 'GET', path: `/v1/topics/${topic?.id}` };
        const outcome = await send(port, { ...request, agent });
        if (!shared) agent.destroy();
        sent.push({ client: name, method: request.method, path: request.path, topic, outcome });
        if (outcome.status === 201) last = topic;
        if (!signalled && sent.filter((s) => s.outcome.status).length >= ANSWERS_BEFORE_SIGTERM) {
          signalled = true;
          sigterm();
        }
        if (outcome.close || outcome.error) return;
      }
    } finally {
      shared?.destroy();
    }
  }

  /** After SIGTERM: /ready until it says the server drains; then a read and a write on new connections. */
  async function probe() {
    await sigtermSent;
    for (;;) {
      const ready = await send(port, { method: 'GET', path: '/ready' });
      if (ready.error || (ready.status === 503 && !isShed(ready))) {
        const topic = { id: 'written-while-draining', name: 'Written while draining' };
        const write = await send(port, { method: 'POST', path: '/v1/topics', body: topic, key });
        const read = await send(port, { method: 'GET', path: `/v1/topics/${topic.id}` });
        return { ready, write, read, topic };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const clients = [
    ...Array.from({ length: CLIENTS.keepAlive }, (_, i) => client(`keep-alive-${i}`, true)),
    ...Array.from({ length: CLIENTS.newConnections }, (_, i) => client(`new-connection-${i}`, false)),
  ];
  const probed = probe();
  await sigtermSent;
  server.child.kill('SIGTERM');
  await Promise.all(clients);
  const drain = await probed;
  const { code, signal } = await server.exit;
  const log = server.log.join('\n');
  const failures = (what: Sent[]) => JSON.stringify(what.slice(0, 5), null, 1);

  // The process drained for the configured time, closed and exited 0.
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, log.slice(-3000));
  assert.match(log, new RegExp(`SIGTERM: draining for ${GRACE_MS} ms, then closing`));
  assert.match(log, /drained: closing/);

  // No request failed on the way: whatever was sent got a whole answer (ECONNREFUSED: the server had stopped listening
  // before the connection was made, so nothing was sent to it), and no answer was a 5xx but the load shedder's.
  const broken = sent.filter((s) => s.outcome.error && s.outcome.error !== 'ECONNREFUSED');
  assert.deepEqual(broken, [], `requests failed: ${failures(broken)}`);
  const serverErrors = sent.filter((s) => (s.outcome.status ?? 0) >= 500 && !isShed(s.outcome));
  assert.deepEqual(serverErrors, [], `5xx answers: ${failures(serverErrors)}`);

  // Every answer is the right one: the topic written, or the topic read back as written.
  const answered = sent.filter((s) => s.outcome.status !== undefined && !isShed(s.outcome));
  for (const { method, topic, outcome } of answered) {
    if (method === 'POST') {
      assert.equal(outcome.status, 201, JSON.stringify(outcome));
      assert.deepEqual([outcome.body.id, outcome.body.name, outcome.body.version], [topic?.id, topic?.name, 1]);
    } else {
      assert.equal(outcome.status, 200, JSON.stringify(outcome));
      assert.deepEqual([outcome.body.id, outcome.body.name], [topic?.id, topic?.name]);
    }
  }
  assert.ok(answered.length >= ANSWERS_BEFORE_SIGTERM, `${answered.length} answers`);

  // Each client was told to go elsewhere once the drain began: its last answer said Connection: close (or its last
  // request found the server gone, never accepted); no answer before the drain did.
  const byClient = new Map<string, Sent[]>();
  for (const s of sent) byClient.set(s.client, [...(byClient.get(s.client) ?? []), s]);
  assert.equal(byClient.size, CLIENTS.keepAlive + CLIENTS.newConnections);
  for (const [name, requests] of byClient) {
    const last = requests.at(-1) as Sent;
    assert.ok(last.outcome.close || last.outcome.error === 'ECONNREFUSED', `${name} ended with ${JSON.stringify(last.outcome)}`);
    assert.deepEqual(
      requests.filter((s) => s.outcome.close && s !== last),
      [],
      `${name} was told to close before the drain`,
    );
    const reused = requests.some((s) => s.outcome.reused);
    assert.equal(reused, name.startsWith('keep-alive'), `${name} reused a connection: ${reused}`);
  }

  // While draining, /ready was an UNAVAILABLE problem, and a new client was still served, told to close.
  assert.equal(drain.ready.status, 503, JSON.stringify(drain.ready));
  assert.deepEqual(
    [drain.ready.body.code, drain.ready.body.status, drain.ready.body.instance, drain.ready.close],
    ['UNAVAILABLE', 503, '/ready', true],
  );
  assert.match(drain.ready.body.detail, /shutting down/);
  assert.deepEqual([drain.write.status, drain.write.body?.id, drain.write.close], [201, drain.topic.id, true]);
  assert.deepEqual([drain.read.status, drain.read.body?.name, drain.read.close], [200, drain.topic.name, true]);

  // Every write answered 201 is in the database, and nothing else: no write was half-answered.
  const written = [...sent, { method: 'POST', topic: drain.topic, outcome: drain.write }]
    .filter((s) => s.method === 'POST' && s.outcome.status === 201)
    .map((s) => s.topic as { id: string; name: string })
    .sort((a, b) => a.id.localeCompare(b.id));
  assert.deepEqual(
    (await storedTopics(database)).sort((a, b) => a.id.localeCompare(b.id)),
    written,
  );
});

test('a second signal during the drain exits at once', { timeout: 60_000 }, async (t) => {
  const { start } = await workspace(t);
  // A grace period far longer than this test may take: the exit can only come from the second signal.
  const server = await start({ SHUTDOWN_GRACE_MS: '300000' });

  server.child.kill('SIGINT');
  for (;;) {
    const ready = await send(server.port, { method: 'GET', path: '/ready' });
    if (ready.status === 503 && !isShed(ready)) break;
    assert.ok(ready.status === 200 || isShed(ready), JSON.stringify(ready));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Still serving while it drains.
  const health = await send(server.port, { method: 'GET', path: '/health' });
  assert.deepEqual([health.status, health.body, health.close], [200, { status: 'ok' }, true]);

  server.child.kill('SIGINT');
  assert.deepEqual(await server.exit, { code: 1, signal: null });
  assert.match(server.log.join('\n'), /SIGINT again: exiting without finishing the drain/);
});
