// Auth: reads are public, writes need a live API key; the key service stores only hashes; AUTH_DISABLED opens writes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { buildApp } from '../src/app.js';
import { assertScope, createKey, identifyKey, KeyError, listKeys, revokeKey } from '../src/modules/keys/keys.service.js';
import { openStorage } from '../src/storage/index.js';
import { sqliteInternals } from '../src/storage/inspect.js';
import { assertProblem } from './assertions.js';
import { makeApp } from './helpers.js';

/** A migrated storage on a temp file, without an app around it. */
async function tempDb(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'statements-keys-'));
  const db = await openStorage({ path: join(dir, 'keys.db') });
  await db.migrate();
  t.after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

/** The name of a live key allowed to write, or undefined: what the auth plugin lets through. */
async function verifyKey(db: Awaited<ReturnType<typeof tempDb>>, key: string): Promise<string | undefined> {
  try {
    const caller = await identifyKey(db, key);
    assertScope(caller, 'write');
    return caller.name;
  } catch {
    return undefined;
  }
}

const BAD_AUTHORIZATION = [undefined, 'Basic x', 'Bearer dsa_nope', 'Bearer', 'Bearer ', 'bearer dsa_nope', 'dsa_nope'];

test('writes need a live key: 401 problems store nothing, reads are public, a revoked key stops at once', async (t) => {
  const api = await makeApp(t);

  // Writes without a valid key are 401 problems and store nothing; reads are public.
  {
    await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Pakistan', kind: 'state' } });

    const writes = [
      { method: 'POST', url: '/v1/actors', payload: { id: 'ttp', name: 'TTP', kind: 'armedGroup' } },
      { method: 'PATCH', url: '/v1/actors/pakistan', payload: { name: 'Hijacked' } },
      { method: 'DELETE', url: '/v1/actors/pakistan' },
      { method: 'POST', url: '/v1/topics', payload: { id: 'ttp', name: 'TTP' } },
      { method: 'POST', url: '/v1/sources', payload: { id: 'fake', kind: 'other', title: 'Fake' } },
      { method: 'POST', url: '/v1/events', payload: { id: 'fake', kind: 'other', title: 'Fake' } },
    ] as const;
    for (const authorization of BAD_AUTHORIZATION) {
      for (const write of writes) {
        const res = await api.json({ ...write, auth: false, headers: authorization === undefined ? {} : { authorization } });
        const problem = assertProblem(res, 401, 'UNAUTHORIZED');
        // RFC 9110 §15.5.2: a 401 carries a WWW-Authenticate challenge.
        assert.match(String(res.headers['www-authenticate']), /^Bearer\b/);
        assert.equal('errors' in problem, false);
        assert.equal(JSON.stringify(problem).includes('dsa_nope'), false, 'the key is not echoed');
      }
    }
    const missing = assertProblem(await api.json({ method: 'POST', url: '/v1/actors', auth: false, payload: {} }), 401, 'UNAUTHORIZED');
    assert.match(missing.detail, /Authorization: Bearer/);

    // Authentication comes before validation: an anonymous caller learns nothing about the body.
    assertProblem(await api.json({ method: 'POST', url: '/v1/actors', auth: false, payload: { foo: 1 } }), 401, 'UNAUTHORIZED');

    // Nothing was written.
    const pakistan = await api.json({ method: 'GET', url: '/v1/actors/pakistan', auth: false });
    assert.equal(pakistan.status, 200);
    assert.equal(pakistan.body.name, 'Pakistan');
    assert.equal(pakistan.body.version, 1);
    for (const url of ['/v1/actors/ttp', '/v1/topics/ttp', '/v1/sources/fake', '/v1/events/fake']) {
      assertProblem(await api.json({ method: 'GET', url, auth: false }), 404, 'NOT_FOUND');
    }

    // Reads need no key.
    for (const url of ['/v1/actors', '/v1/topics', '/v1/sources', '/v1/events', '/v1/statements', '/health']) {
      assert.equal((await api.request({ method: 'GET', url, auth: false })).statusCode, 200, url);
    }
    const list = await api.json({ method: 'GET', url: '/v1/actors', auth: false });
    assert.deepEqual(
      list.body.data.map((a: { id: string }) => a.id),
      ['pakistan'],
    );
  }

  // A revoked key stops working on the next request; other keys still work.
  {
    const other = await createKey(api.app.storage, 'other');

    const before = await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'before', name: 'Before' } });
    assert.equal(before.status, 201);

    await revokeKey(api.app.storage, 'test');
    const after = await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'after', name: 'After' } });
    const problem = assertProblem(after, 401, 'UNAUTHORIZED');
    assert.match(problem.detail, /revoked/);
    assertProblem(await api.json({ method: 'DELETE', url: '/v1/topics/before' }), 401, 'UNAUTHORIZED');
    assertProblem(await api.json({ method: 'GET', url: '/v1/topics/after', auth: false }), 404, 'NOT_FOUND');
    assert.equal((await api.json({ method: 'GET', url: '/v1/topics/before', auth: false })).status, 200);
    // The revoked key is refused on reads too.
    assertProblem(await api.json({ method: 'GET', url: '/v1/topics/before' }), 401, 'UNAUTHORIZED');

    const withOther = await api.json({
      method: 'POST',
      url: '/v1/topics',
      auth: false,
      headers: { authorization: `Bearer ${other}` },
      payload: { id: 'after', name: 'After' },
    });
    assert.equal(withOther.status, 201);
    assert.equal(withOther.body.name, 'After');
  }
});

test('the key service: dsa_ keys, stored as hashes only, unique valid names, revocation', async (t) => {
  const db = await tempDb(t);

  const key = await createKey(db, 'importer');
  assert.match(key, /^dsa_[A-Za-z0-9_-]{43}$/);
  const second = await createKey(db, 'dashboard.v2');
  assert.notEqual(second, key);
  assert.equal(await verifyKey(db, key), 'importer');
  assert.equal(await verifyKey(db, second), 'dashboard.v2');
  assert.equal(await verifyKey(db, 'dsa_nope'), undefined);
  assert.equal(await verifyKey(db, key.slice(4)), undefined);

  const listed = await listKeys(db);
  assert.deepEqual(
    listed.map((k) => [k.name, k.revokedAt]),
    [
      ['dashboard.v2', null],
      ['importer', null],
    ],
  );
  const text = JSON.stringify(listed);
  for (const k of [key, second]) {
    assert.equal(text.includes(k), false, 'the key itself is never listed');
    assert.equal(text.includes(createHash('sha256').update(k).digest('hex')), false, 'nor its hash');
  }
  const importer = listed.find((k) => k.name === 'importer');
  assert.ok(importer);
  assert.ok(key.startsWith(importer.prefix) && importer.prefix.length < key.length);
  // The database holds the hash, never the key.
  const stored = JSON.stringify(sqliteInternals(db).writer.$client.prepare('SELECT * FROM api_keys').all());
  assert.equal(stored.includes(key), false);

  await assert.rejects(() => createKey(db, 'importer'), KeyError);
  await assert.rejects(() => createKey(db, 'importer'), /already exists/);
  for (const bad of ['', 'has space', '-leading-dash', 'ünïcode', 'x'.repeat(65), 'semi;colon']) {
    await assert.rejects(() => createKey(db, bad), KeyError, JSON.stringify(bad));
  }
  assert.equal((await listKeys(db)).length, 2);

  await revokeKey(db, 'importer');
  assert.equal(await verifyKey(db, key), undefined);
  assert.equal(await verifyKey(db, second), 'dashboard.v2');
  assert.match(String((await listKeys(db)).find((k) => k.name === 'importer')?.revokedAt), /^\d{4}-\d{2}-\d{2}T/);
  await assert.rejects(() => revokeKey(db, 'importer'), /already revoked/);
  await assert.rejects(() => revokeKey(db, 'nobody'), KeyError);
  // A revoked key keeps its name.
  await assert.rejects(() => createKey(db, 'importer'), KeyError);
});

test('with authDisabled the operator opens writes to anyone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-noauth-'));
  const app = await buildApp({ databasePath: join(dir, 'open.db'), logLevel: 'silent', authDisabled: true, seed: false });
  t.after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const created = await app.inject({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Pakistan', kind: 'state' } });
  assert.equal(created.statusCode, 201);
  assert.equal(created.json().name, 'Pakistan');
  const patched = await app.inject({
    method: 'PATCH',
    url: '/v1/actors/pakistan',
    headers: { authorization: 'Basic whatever' },
    payload: { countryCode: 'PAK' },
  });
  assert.equal(patched.statusCode, 200);
  assert.equal(patched.json().countryCode, 'PAK');
  assert.equal(patched.json().version, 2);
  // Validation still applies.
  const bad = await app.inject({ method: 'POST', url: '/v1/actors', payload: { name: 'x', kind: 'country' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, 'VALIDATION_FAILED');
  assert.equal((await app.inject({ method: 'DELETE', url: '/v1/actors/pakistan' })).statusCode, 204);
  assert.equal((await app.inject({ method: 'GET', url: '/v1/actors/pakistan' })).statusCode, 404);
});

test('a bearer token that names no live key is a 401 on every route, reads included, with error="invalid_token"', async (t) => {
  const api = await makeApp(t, { seed: true });
  const revoked = await createKey(api.app.storage, 'gone');
  await revokeKey(api.app.storage, 'gone');
  await api.app.ready();
  const document = api.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  // Every GET the document lists, with its path parameters filled in from the seed.
  const reads = Object.entries(document.paths)
    .filter(([, item]) => 'get' in item)
    .map(([path]) =>
      path
        .replace('{collection}', 'actors')
        .replace('{type}', 'not-found')
        .replace('{id}', path.startsWith('/v1/actors') || path.includes('{collection}') ? 'ttp' : 'no-such-record'),
    );
  assert.ok(reads.length >= 15, reads.join(' '));
  for (const token of ['dsa_made-up', 'anything-at-all', revoked]) {
    for (const url of [...reads, '/health', '/ready']) {
      const res = await api.json({ method: 'GET', url, auth: false, headers: { authorization: `Bearer ${token}` } });
      const problem = assertProblem(res, 401, 'UNAUTHORIZED');
      assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"', url);
      assert.match(problem.detail, /unknown|revoked/, url);
      assert.equal(JSON.stringify(problem).includes(token), false, 'the token is not echoed');
    }
  }
});

test('an expired key is a 401 on reads too, and a read-scoped key reads', async (t) => {
  const api = await makeApp(t);
  const expired = await createKey(api.app.storage, 'old', { expiresAt: '2020-01-01T00:00:00.000Z' });
  const reader = await createKey(api.app.storage, 'reader', { scopes: ['read'] });
  const res = await api.json({ method: 'GET', url: '/v1/actors', auth: false, headers: { authorization: `Bearer ${expired}` } });
  assert.match(assertProblem(res, 401, 'UNAUTHORIZED').detail, /expired/);
  assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
  const read = await api.json({ method: 'GET', url: '/v1/actors', auth: false, headers: { authorization: `Bearer ${reader}` } });
  assert.equal(read.status, 200);
  assert.deepEqual(read.body, { data: [], nextCursor: null });
  // A key that may not write is a 403 on a write, not a 401.
  const write = await api.json({
    method: 'POST',
    url: '/v1/topics',
    auth: false,
    headers: { authorization: `Bearer ${reader}` },
    payload: { id: 'x', name: 'X' },
  });
  assertProblem(write, 403, 'FORBIDDEN');
});

test('an Authorization header that is not a bearer token is a 401 on reads too', async (t) => {
  const api = await makeApp(t);
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'dsa_nope']) {
    const res = await api.json({ method: 'GET', url: '/v1/topics', auth: false, headers: { authorization } });
    assertProblem(res, 401, 'UNAUTHORIZED');
    assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_request"/, authorization);
  }
});

test('made-up tokens are never served and never escape the rate limit: 401s, then 429s', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-tokens-'));
  const app = await buildApp({ databasePath: join(dir, 'db'), logLevel: 'silent', authDisabled: false, seed: false, rateLimit: 5 });
  t.after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const statuses = new Map<number, number>();
  for (let i = 0; i < 60; i++) {
    const res = await app.inject({ url: '/v1/actors', headers: { authorization: `Bearer dsa_${randomBytes(16).toString('hex')}` } });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  }
  // The made-up tokens share the address's budget: five 401s, then 429s.
  assert.deepEqual([...statuses].sort(), [
    [401, 5],
    [429, 55],
  ]);
});

test('the rate limit counts per verified key, and per address without an Authorization header', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-buckets-'));
  const app = await buildApp({ databasePath: join(dir, 'db'), logLevel: 'silent', authDisabled: false, seed: false, rateLimit: 3 });
  t.after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const one = await createKey(app.storage, 'one', { scopes: ['read'] });
  const two = await createKey(app.storage, 'two', { scopes: ['read'] });
  const get = (authorization?: string) =>
    app.inject({ url: '/v1/actors', headers: authorization ? { authorization: `Bearer ${authorization}` } : {} });
  const run = async (authorization?: string) => {
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await get(authorization)).statusCode);
    return seen;
  };
  assert.deepEqual(await run(one), [200, 200, 200, 429]);
  assert.deepEqual(await run(two), [200, 200, 200, 429]);
  assert.deepEqual(await run(), [200, 200, 200, 429]);
  // Spent keys and addresses stay spent.
  assert.equal((await get(one)).statusCode, 429);
  assert.equal((await get()).statusCode, 429);
});
