// Facing the internet: rate limits, CORS, security headers, text integrity, a full disk, slow clients, backups.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { sqliteInternals } from '../src/storage/inspect.js';
import { sleep } from './assertions.js';
import { makeApp, seedMinimal, sqliteOnly } from './helpers.js';
import { exchange } from './raw-http.js';

const tempDir = (t: { after: (fn: () => void) => void }) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-hardening-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test('a rate limit per key, with RateLimit headers and a 429 problem; CORS and security headers', async (t) => {
  const dir = tempDir(t);
  const app = await buildApp({
    databasePath: join(dir, 'db'),
    logLevel: 'silent',
    authDisabled: false,
    seed: false,
    rateLimit: 3,
    corsOrigins: ['https://dash.example'],
  });
  t.after(() => app.close());
  const get = (headers: Record<string, string> = {}) =>
    app.inject({ url: '/v1/actors', headers: { origin: 'https://dash.example', ...headers } });
  const seen = [];
  for (let i = 0; i < 3; i++) seen.push(await get());
  assert.deepEqual(
    seen.map((r) => [r.statusCode, r.headers['ratelimit-remaining']]),
    [
      [200, '2'],
      [200, '1'],
      [200, '0'],
    ],
  );
  const limited = await get();
  assert.equal(limited.statusCode, 429);
  assert.match(String(limited.headers['content-type']), /^application\/problem\+json/);
  assert.equal(limited.json().code, 'RATE_LIMITED');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  // A live key has its own budget.
  const other = await get({ authorization: `Bearer ${await createKey(app.storage, 'dashboard', { scopes: ['read'] })}` });
  assert.equal(other.statusCode, 200);

  assert.equal(seen[0]?.headers['access-control-allow-origin'], 'https://dash.example');
  assert.match(String(seen[0]?.headers['access-control-expose-headers']), /ETag/);
  assert.equal(seen[0]?.headers['x-content-type-options'], 'nosniff');
  const stranger = await app.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
  assert.equal(stranger.headers['access-control-allow-origin'], undefined);
});

test('text that cannot be stored faithfully is a 400; every script round-trips byte for byte', async (t) => {
  const api = await makeApp(t);
  const post = (payload: string | Buffer) =>
    api.request({ method: 'POST', url: '/v1/topics', headers: { 'content-type': 'application/json' }, payload });
  const cases: [string, string | Buffer, string][] = [
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), ''],
    ['a lone surrogate', '{"name":"a\\ud800b"}', '/name'],
    ['NUL', '{"name":"a\\u0000b"}', '/name'],
    ['an escape character', '{"id":"x","name":"ok","aliases":["fine","bad\\u001b"]}', '/aliases/1'],
    ['a C1 control', '{"name":"a\\u0085b"}', '/name'],
    ['deep nesting', `{"name":"x","aliases":${'['.repeat(40)}${']'.repeat(40)}}`, ''],
  ];
  for (const [what, body, path] of cases) {
    const res = await post(body);
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
    const problem = res.json();
    assert.equal(problem.code, 'VALIDATION_FAILED', what);
    if (path)
      assert.ok(
        problem.errors.some((e: { path: string }) => e.path === path),
        `${what}: ${JSON.stringify(problem.errors)}`,
      );
  }
  assert.equal((await api.json({ method: 'GET', url: '/v1/topics?count=true' })).body.total, 0, 'nothing was stored');

  const texts = [
    'پاکستان نے ٹی ٹی پی سے مذاکرات نہیں کیے',
    'باكستان',
    '巴基斯坦外交部',
    '\u200fمرحبا\u200e',
    'e\u0301 and é',
    '🇵🇰 👍🏽',
    'tab\there\nnew line',
  ];
  for (const [i, name] of texts.entries()) {
    const res = await api.json({ method: 'POST', url: '/v1/topics', payload: { id: `t${i}`, name } });
    assert.equal(res.status, 201, name);
    const back = await api.request({ method: 'GET', url: `/v1/topics/t${i}` });
    assert.equal(back.json().name, name);
    assert.ok(back.rawPayload.includes(Buffer.from(JSON.stringify(name).slice(1, -1), 'utf8')), `${name} byte for byte`);
  }
});

test('a full disk is a 507 that stores nothing; reads go on; writes resume when space returns', { skip: sqliteOnly }, async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  const client = sqliteInternals(api.app.storage).writer.$client;
  const pages = client.pragma('page_count', { simple: true }) as number;
  client.pragma(`max_page_count = ${pages + 1}`);
  const big = 'word '.repeat(3_900);
  const full = await api.json({
    method: 'POST',
    url: '/v1/statements',
    payload: { id: 'big', text: big, kind: 'quote', speakerId: 'pakistan', sourceIds: ['report'] },
  });
  assert.equal(full.status, 507, JSON.stringify(full.body));
  assert.equal(full.body.code, 'STORAGE_FULL');
  assert.equal((await api.json({ method: 'GET', url: '/v1/statements/big' })).status, 404);
  assert.equal((await api.json({ method: 'GET', url: '/v1/actors/pakistan' })).status, 200);
  assert.equal(client.pragma('integrity_check', { simple: true }), 'ok');
  client.pragma('max_page_count = 1073741823');
  const retried = await api.json({
    method: 'POST',
    url: '/v1/statements',
    payload: { id: 'big', text: big, kind: 'quote', speakerId: 'pakistan', sourceIds: ['report'] },
  });
  assert.equal(retried.status, 201);
});

async function listening(t: { after: (fn: () => Promise<void>) => void }, budgets: { bodyTimeoutMs: number; importTimeoutMs: number }) {
  const dir = tempDir(t as never);
  const app = await buildApp({ databasePath: join(dir, 'db'), logLevel: 'silent', authDisabled: true, seed: false, ...budgets });
  t.after(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as { port: number }).port };
}

test('a body that does not arrive whole within its budget is a 408 problem, the connection closed; others are served meanwhile', async (t) => {
  const { port } = await listening(t, { bodyTimeoutMs: 1000, importTimeoutMs: 5000 });
  const trickled = exchange(port, 'POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{', {
    drip: ' ',
  });
  let trickleAnswered = false;
  trickled.then(
    () => (trickleAnswered = true),
    () => (trickleAnswered = true),
  );
  // Meanwhile another client is answered, before the trickled request's budget runs out.
  const other = await fetch(`http://127.0.0.1:${port}/v1/topics`);
  assert.equal(other.status, 200);
  assert.deepEqual(await other.json(), { data: [], nextCursor: null });
  assert.equal(trickleAnswered, false, 'served while the other body trickles');

  const answer = await trickled;
  assert.equal(answer.status, 408, answer.text);
  assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(answer.headers.connection, 'close');
  assert.ok(answer.headers['x-request-id']);
  const problem = JSON.parse(answer.body);
  assert.equal(problem.code, 'REQUEST_TIMEOUT');
  assert.equal(problem.status, 408);
  assert.equal(problem.requestId, answer.headers['x-request-id']);
  assert.match(problem.detail, /1 s/);
  assert.ok(answer.ms >= 1000 && answer.ms < 3000, `answered after ${answer.ms} ms`);
});

test('an import has the longer budget: it may arrive slower than other bodies, and gets a 408 past its own', async (t) => {
  const { port } = await listening(t, { bodyTimeoutMs: 600, importTimeoutMs: 2500 });
  const bundle = JSON.stringify({ topics: [{ id: 'slow', name: 'Slow' }] });
  const head = (length: number) =>
    `POST /v1/imports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${length}\r\n\r\n`;
  // Past the body budget, within the import's: imported.
  const slow = await exchange(port, `${head(bundle.length + 100)}${bundle}`, {
    drip: ' ',
    finishAfterMs: 1500,
    finish: (dripped) => ' '.repeat(100 - dripped),
  });
  assert.equal(slow.status, 200, slow.text);
  assert.deepEqual(JSON.parse(slow.body).counts.topics, { created: 1, updated: 0, unchanged: 0 });
  // Past the import's budget: a 408.
  const late = await exchange(port, `${head(bundle.length + 1000)}${bundle}`, { drip: ' ' });
  assert.equal(late.status, 408, late.text);
  assert.equal(JSON.parse(late.body).code, 'REQUEST_TIMEOUT');
  assert.ok(late.ms >= 2500 && late.ms < 5000, `answered after ${late.ms} ms`);
});

test('npm run backup copies the live database consistently', async (t) => {
  const dir = tempDir(t);
  const databasePath = join(dir, 'live.db');
  const app = await buildApp({ databasePath, logLevel: 'silent', authDisabled: true, seed: true });
  t.after(() => app.close());
  const target = join(dir, 'copy.db');
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', target], {
    env: { ...process.env, DATABASE_PATH: databasePath, DATABASE_URL: '' },
  });
  assert.match(stdout, /Backed up/);
  const copy = new Database(target, { readonly: true });
  t.after(() => copy.close());
  assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
  const live = sqliteInternals(app.storage).writer.$client.prepare('SELECT count(*) AS n FROM statements').get() as { n: number };
  assert.deepEqual(copy.prepare('SELECT count(*) AS n FROM statements').get(), live);
  await assert.rejects(
    run(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', target], {
      env: { ...process.env, DATABASE_PATH: databasePath, DATABASE_URL: '' },
    }),
    /exists/,
  );
});

/** A server in this process that sheds load quickly: a mean event-loop delay over 150 ms in a 100 ms sample. */
async function sheddingServer(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = tempDir(t as never);
  const app = await buildApp({
    databasePath: join(dir, 'db'),
    logLevel: 'silent',
    authDisabled: false,
    seed: false,
    shedLoad: { maxEventLoopDelayMs: 150, sampleIntervalMs: 100 },
  });
  t.after(() => app.close());
  const key = await createKey(app.storage, 'importer');
  await app.listen({ port: 0, host: '127.0.0.1' });
  // Start-up held the event loop: let the load sampler see it free first.
  await sleep(500);
  return { key, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

test('a client importing bundle after bundle never gets a 503, and other clients reading meanwhile are answered', async (t) => {
  const { key, base } = await sheddingServer(t);
  const imports: number[] = [];
  const reads: number[] = [];
  let done = false;
  const reader = (async () => {
    while (!done) {
      const res = await fetch(`${base}/v1/topics?limit=5`);
      reads.push(res.status);
      await res.arrayBuffer();
    }
  })();
  for (let i = 0; i < 6; i++) {
    // Each bundle's transaction holds the event loop far longer than the shedding threshold.
    const bundle = { topics: Array.from({ length: 5000 }, (_, j) => ({ id: `t${i}-${j}`, name: `Topic ${i} ${j}`, aliases: [`a${j}`] })) };
    const res = await fetch(`${base}/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(bundle),
    });
    imports.push(res.status);
    const body = (await res.json()) as { counts: { topics: { created: number } } };
    if (res.status === 200) assert.equal(body.counts.topics.created, 5000);
  }
  done = true;
  await reader;
  assert.deepEqual(imports, [200, 200, 200, 200, 200, 200]);
  assert.ok(reads.length > 0);
  assert.deepEqual(
    reads.filter((s) => s !== 200),
    [],
    'every read answered',
  );
});

test('a stall that is not an import still sheds load with a 503 problem', async (t) => {
  const { base } = await sheddingServer(t);
  const socket = connect(Number(new URL(base).port), '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk) => {
    text += chunk;
  });
  // Something else (this test shares the server's process) holds the event loop again and again, 200 ms at a
  // time: overload as the sampler sees it. A request sent meanwhile is read between two stalls.
  const stall = async (ms: number) => {
    for (const end = performance.now() + ms; performance.now() < end; ) {
      const until = performance.now() + 200;
      while (performance.now() < until);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await stall(600);
  socket.write('GET /v1/topics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await stall(600);
  await once(socket, 'close');
  assert.match(text, /^HTTP\/1\.1 503/);
  assert.match(text, /content-type: application\/problem\+json/i);
  assert.match(text, /"code":"UNAVAILABLE"/);
});

test("Helmet's security headers on every answer over HTTP: a page, a record, a problem, an unknown route", async (t) => {
  const dir = tempDir(t);
  const app = await buildApp({ databasePath: join(dir, 'db'), logLevel: 'silent', authDisabled: false, seed: true });
  t.after(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const expected = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'cross-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
  for (const [path, status] of [
    ['/v1/statements?limit=1', 200],
    ['/v1/topics/ttp', 200],
    ['/v1/topics/no-such-topic', 404],
    ['/v1/nothing-here', 404],
  ] as const) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    await res.arrayBuffer();
    assert.equal(res.status, status, path);
    for (const [name, value] of Object.entries(expected)) assert.equal(res.headers.get(name), value, `${path}: ${name}`);
    // The API answers JSON: the explorer's CSP is for its own pages.
    assert.equal(res.headers.get('content-security-policy'), null, path);
    assert.equal(res.headers.get('x-powered-by'), null, path);
  }
});
