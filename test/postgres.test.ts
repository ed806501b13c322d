// The PostgreSQL engine's own behaviour (run with DATABASE_URL=postgres://…; skipped on SQLite): what the
// SQLite-only tests check through the file, checked here through the server — several API processes on one
// database, kept answers, expiry, and an empty database made, migrated and seeded on first start.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { onPostgres } from './helpers.js';
import { freshDatabase, ownServer, serverUrl, withDatabase } from './postgres/databases.js';

const run = promisify(execFile);

const skip = onPostgres ? false : 'needs DATABASE_URL=postgres://…';

async function appOn(t: TestContext, url: string, seed = false) {
  const app = await buildApp({ databasePath: ':memory:', databaseUrl: url, logLevel: 'silent', authDisabled: false, seed });
  t.after(() => app.close());
  return app;
}

/** Writes through `app` with `key`, each of which must succeed. */
const writerOn = (app: FastifyInstance, key: string) => async (method: 'POST' | 'PATCH', url: string, payload: object) => {
  const res = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
  assert.ok(res.statusCode < 300, `${method} ${url} → ${res.statusCode} ${res.body}`);
};

async function sql<R>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end();
  }
}

test('a write through one API process shows at once in another’s kept search and stats answers', { skip }, async (t) => {
  const database = await freshDatabase();
  t.after(() => database.drop());
  const one = await appOn(t, database.url, true);
  const two = await appOn(t, database.url);
  const key = await createKey(one.storage, 'writer');
  const search = async () => (await two.inject({ url: '/v1/search?q=zanzibar&count=true' })).json();
  const stats = async () => (await two.inject({ url: '/v1/stats/statements?groupBy=kind' })).json();
  assert.equal((await search()).total, 0);
  const before = (await stats()).total;
  const created = await one.inject({
    method: 'POST',
    url: '/v1/statements',
    headers: { authorization: `Bearer ${key}` },
    payload: {
      text: 'Zanzibar was mentioned.',
      kind: 'paraphrase',
      speakerId: 'pakistan',
      sourceIds: ['the-news-2024-04-05-pakistan-not-in-talks-with-ttp'],
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal((await search()).total, 1, 'the other process sees the new statement in its search');
  assert.equal((await stats()).total, before + 1, 'and in its stats');
});

test('a topic page asked by an alias follows another API process moving that alias to another topic', { skip }, async (t) => {
  const database = await freshDatabase();
  t.after(() => database.drop());
  const one = await appOn(t, database.url);
  const two = await appOn(t, database.url);
  const key = await createKey(one.storage, 'writer');
  const send = writerOn(one, key);
  await send('POST', '/v1/actors', { id: 'pakistan', name: 'Pakistan', kind: 'state' });
  await send('POST', '/v1/sources', { id: 'report', kind: 'newsReport', title: 'A report' });
  await send('POST', '/v1/topics', { id: 'border', name: 'Border', aliases: ['The Line'] });
  await send('POST', '/v1/topics', { id: 'water', name: 'Water' });
  const said = { kind: 'paraphrase', speakerId: 'pakistan', sourceIds: ['report'], statedOn: '2024-04-04' };
  await send('POST', '/v1/statements', { id: 'on-border', text: 'On the border.', topicIds: ['border'], ...said });
  await send('POST', '/v1/statements', { id: 'on-water', text: 'On water.', topicIds: ['water'], ...said });
  // The other process keeps the topic names of the data it read: asked twice, its second page is from them.
  const page = async () =>
    (await two.inject({ url: '/v1/statements?topic=the-line&from=2024-01-01&to=2024-12-31' })).json().data.map((s: { id: string }) => s.id);
  assert.deepEqual(await page(), ['on-border']);
  assert.deepEqual(await page(), ['on-border']);
  await send('PATCH', '/v1/topics/border', { aliases: [] });
  await send('PATCH', '/v1/topics/water', { aliases: ['The Line'] });
  assert.deepEqual(await page(), ['on-water'], 'the alias names the topic it names now');
});

test('a quote’s verified follows its sources’ texts on every read of it: by id, expanded, a page, a topic page, a search; and a text written by another program', {
  skip,
}, async (t) => {
  const database = await freshDatabase();
  t.after(() => database.drop());
  const app = await appOn(t, database.url);
  const key = await createKey(app.storage, 'writer');
  const send = writerOn(app, key);
  await send('POST', '/v1/actors', { id: 'pakistan', name: 'Pakistan', kind: 'state' });
  await send('POST', '/v1/topics', { id: 'talks', name: 'Talks' });
  await send('POST', '/v1/sources', { id: 'report', kind: 'newsReport', title: 'A report' });
  await send('POST', '/v1/sources', { id: 'other', kind: 'newsReport', title: 'Another report' });
  const quote = { text: 'We will not talk', speakerId: 'pakistan', statedOn: '2024-04-04', topicIds: ['talks'] };
  await send('POST', '/v1/statements', { id: 'q1', kind: 'quote', sourceIds: ['report', 'other'], ...quote });
  await send('POST', '/v1/statements', { id: 'p1', kind: 'paraphrase', sourceIds: ['report'], ...quote });
  await send('POST', '/v1/statements', {
    id: 'answer',
    kind: 'paraphrase',
    sourceIds: ['report'],
    respondsToIds: ['q1'],
    ...quote,
    text: 'Fine.',
  });
  const read = async (url: string) => {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, `${url} → ${res.body}`);
    return res.json();
  };
  const verified = async () => {
    const byId = async (url: string) => {
      const { data } = await read(url);
      return Object.fromEntries(
        (data as { id: string; verified: unknown }[]).filter((s) => s.id !== 'answer').map((s) => [s.id, s.verified]),
      );
    };
    return {
      one: (await read('/v1/statements/q1')).verified,
      expanded: (await read('/v1/statements/answer?expand=respondsTo')).respondsTo[0].verified,
      page: await byId('/v1/statements?sort=id'),
      topic: await byId('/v1/statements?topic=talks'),
      search: await byId('/v1/statements?q=talk'),
    };
  };
  const all = (q1: boolean | null) => ({
    one: q1,
    expanded: q1,
    page: { p1: null, q1 },
    topic: { p1: null, q1 },
    search: { p1: null, q1 },
  });
  assert.deepEqual(await verified(), all(null));
  await send('PATCH', '/v1/sources/other', { text: 'He said “We will not   talk” today.' });
  assert.deepEqual(await verified(), all(true));
  await send('PATCH', '/v1/sources/other', { text: 'He said nothing.' });
  assert.deepEqual(await verified(), all(false));
  await send('PATCH', '/v1/sources/report', { text: 'We will not talk, they said.' });
  assert.deepEqual(await verified(), all(true));
  await send('PATCH', '/v1/sources/report', { text: null });
  await send('PATCH', '/v1/sources/other', { text: null });
  assert.deepEqual(await verified(), all(null));
  // A search's answer is kept until the next revision, which a write outside the service does not leave.
  await sql(database.url, "UPDATE sources SET text = 'We will not talk' WHERE id = 'other'");
  const { search: _kept, ...reads } = await verified();
  const { search: _search, ...expected } = all(true);
  assert.deepEqual(reads, expected);
});

test('an Idempotency-Key expires after 24 hours', { skip }, async (t) => {
  const database = await freshDatabase();
  t.after(() => database.drop());
  const app = await appOn(t, database.url);
  const key = await createKey(app.storage, 'writer');
  const post = () =>
    app.inject({
      method: 'POST',
      url: '/v1/topics',
      payload: { name: 'Mine' },
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'k' },
    });
  const first = await post();
  assert.equal(first.statusCode, 201);
  assert.equal((await post()).json().id, first.json().id, 'replayed within 24 hours');
  await sql(database.url, "UPDATE idempotency_keys SET created_at = '2020-01-01T00:00:00.000Z'");
  const later = await post();
  assert.equal(later.statusCode, 201);
  assert.equal(later.headers['idempotent-replayed'], undefined, 'an expired key runs the request again');
  assert.notEqual(later.json().id, first.json().id);
});

test('a database DATABASE_URL names that does not exist is created, migrated and seeded on first start; a restart seeds nothing', {
  skip,
}, async (t) => {
  const name = `statements_new_${process.pid}_${Date.now().toString(36)}`;
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const admin = new URL(serverUrl());
  admin.pathname = '/postgres';
  t.after(() => sql(admin.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const first = await buildApp({
    databasePath: ':memory:',
    databaseUrl: url.toString(),
    logLevel: 'silent',
    authDisabled: true,
    seed: true,
  });
  const seeded = (await first.inject({ url: '/v1/statements?count=true&limit=1' })).json().total;
  assert.ok(seeded > 0, 'the briefing is seeded');
  await first.inject({ method: 'DELETE', url: '/v1/positions/afghan-deputy-interior-minister-supports-talks-with-ttp' });
  await first.close();
  const again = await buildApp({
    databasePath: ':memory:',
    databaseUrl: url.toString(),
    logLevel: 'silent',
    authDisabled: true,
    seed: true,
  });
  t.after(() => again.close());
  assert.equal((await again.inject({ url: '/v1/statements?count=true&limit=1' })).json().total, seeded, 'nothing seeded twice');
});

test('npm run backup with DATABASE_URL writes a pg_dump that restores into a database answering the same', { skip }, async (t) => {
  const database = await freshDatabase();
  t.after(() => database.drop());
  const live = await appOn(t, database.url, true);
  const dir = mkdtempSync(join(tmpdir(), 'statements-pg-backup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = join(dir, 'backup.dump');
  const cli = (file: string) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', file], { env: { ...process.env, DATABASE_URL: database.url } });
  assert.match((await cli(target)).stdout, /Backed up the PostgreSQL database/);
  await assert.rejects(cli(target), /exists/, 'a backup never overwrites');

  // Restored with the pg_restore beside the pg_dump the service found, into a new empty database.
  const pgRestore = (
    await run('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin/pg_restore 2>/dev/null | sort -V | tail -n 1'])
  ).stdout.trim();
  const restored = new URL(database.url);
  restored.pathname = `${restored.pathname}_restored`;
  const admin = new URL(database.url);
  admin.pathname = '/postgres';
  const name = restored.pathname.slice(1);
  await sql(admin.toString(), `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  t.after(() => sql(admin.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  await run(pgRestore || 'pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restored}`, target]);
  const copy = await appOn(t, restored.toString(), true);
  for (const url of [
    '/v1/statements?limit=100&count=true',
    '/v1/changes?limit=1000',
    '/v1/search?q=talks',
    '/v1/stats/statements?groupBy=kind',
  ]) {
    const [a, b] = await Promise.all([live.inject({ url }), copy.inject({ url })]);
    assert.equal(a.statusCode, 200, `${url}: ${a.body}`);
    assert.deepEqual(b.json(), a.json(), url);
  }
});

const mountable = ownServer() && process.getuid?.() === 0 ? false : 'needs root and DATABASE_URL set to the server of .ci/postgres.sh';

test('a full disk (SQLSTATE 53100) is a 507 that stores nothing; reads go on; writes resume when space returns', {
  skip: skip || mountable,
}, async (t) => {
  // The statements table on a tablespace of its own, on a small tmpfs this test fills: the file system the
  // table grows on is full for real, as a disk would be; the rest of the server's files are untouched.
  const database = await freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'statements-full-'));
  chmodSync(dir, 0o755);
  await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  const location = join(dir, 'tablespace');
  mkdirSync(location);
  await run('chown', ['postgres:', location]);
  const tablespace = `full_${process.pid}_${Date.now().toString(36)}`;
  const admin = withDatabase(database.url, 'postgres');
  t.after(async () => {
    await database.drop();
    await sql(admin, `DROP TABLESPACE IF EXISTS ${tablespace}`);
    await run('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  await sql(admin, `CREATE TABLESPACE ${tablespace} LOCATION '${location}'`);
  await sql(database.url, `ALTER TABLE statements SET TABLESPACE ${tablespace}`);

  const app = await appOn(t, database.url);
  const key = await createKey(app.storage, 'writer');
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${key}` } });
  assert.equal((await post('/v1/actors', { id: 'pakistan', name: 'Pakistan', kind: 'state' })).statusCode, 201);
  assert.equal((await post('/v1/sources', { id: 'report', kind: 'newsReport', title: 'A report' })).statusCode, 201);
  const filler = join(dir, 'filler');
  const { bavail, bsize } = statfsSync(dir);
  writeFileSync(filler, Buffer.alloc(bavail * bsize));
  assert.equal(statfsSync(dir).bavail, 0, 'the file system is full');

  const statement = { id: 'big', text: 'word '.repeat(3_900), kind: 'quote', speakerId: 'pakistan', sourceIds: ['report'] };
  const full = await post('/v1/statements', statement);
  assert.equal(full.statusCode, 507, full.body);
  assert.deepEqual([full.json().code, full.json().status], ['STORAGE_FULL', 507]);
  assert.equal((await app.inject({ url: '/v1/statements/big' })).statusCode, 404, 'nothing stored');
  assert.equal((await app.inject({ url: '/v1/actors/pakistan' })).statusCode, 200, 'reads go on');
  assert.equal((await post('/v1/topics', { id: 'elsewhere', name: 'On another disk' })).statusCode, 201, 'writes elsewhere go on');

  rmSync(filler);
  const retried = await post('/v1/statements', statement);
  assert.equal(retried.statusCode, 201, retried.body);
  assert.equal((await app.inject({ url: '/v1/statements/big' })).json().text, statement.text.trim());
});

test('/ready is 503 when the replica DATABASE_READ_URL names does not answer, though the primary does', { skip }, async (t) => {
  const database = await freshDatabase();
  t.after(() => database.drop());
  // A port nothing listens on: the OS picks one and lets it go.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const app = await buildApp({
    databasePath: ':memory:',
    databaseUrl: database.url,
    databaseReadUrl: `postgres://postgres@127.0.0.1:${port}/nowhere`,
    logLevel: 'silent',
    authDisabled: true,
    seed: false,
  });
  t.after(() => app.close());
  const ready = await app.inject({ url: '/ready' });
  assert.deepEqual([ready.statusCode, ready.json().code], [503, 'UNAVAILABLE']);
  assert.equal((await app.inject({ method: 'POST', url: '/v1/topics', payload: { id: 'still', name: 'Still written' } })).statusCode, 201);
  assert.equal((await app.inject({ url: '/v1/topics/still' })).statusCode, 200, 'a record by id is read on the primary');
});
