// Key scopes, expiry and last use: a read key cannot write, an expired key stops, use is recorded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createKey, listKeys } from '../src/modules/keys/keys.service.js';
import { makeApp, onPostgres, sharedApp } from './helpers.js';
import { freshDatabase, type TestDatabase } from './postgres/databases.js';

const topic = (id: string) => ({ method: 'POST' as const, url: '/v1/topics', payload: { id, name: id }, auth: false });

describe('keys: scopes', () => {
  describe('refused', () => {
    let reader = '';
    const shared = sharedApp(async (api) => {
      reader = await createKey(api.app.storage, 'reader', { scopes: ['read'] });
    });

    test('a read key is a 403 on writes that names its scopes, and stores nothing', async () => {
      const api = shared();
      const refused = await api.json({ ...topic('a'), headers: { authorization: `Bearer ${reader}` } });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'FORBIDDEN');
      assert.match(refused.body.detail, /'reader' has the scopes read; this needs write/);
      assert.equal((await api.json({ method: 'GET', url: '/v1/topics/a' })).status, 404, 'nothing stored');
    });

    test('a key cannot be made with a scope other than read, write or admin', async () => {
      await assert.rejects(
        () => createKey(shared().app.storage, 'bad', { scopes: ['root' as 'read'] }),
        /Scopes must be some of read, write, admin/,
      );
    });
  });

  test('a write key can write', async (t) => {
    const api = await makeApp(t);
    const writer = await createKey(api.app.storage, 'writer', { scopes: ['write'] });
    assert.equal((await api.json({ ...topic('b'), headers: { authorization: `Bearer ${writer}` } })).status, 201);
  });

  test('an admin key can write', async (t) => {
    const api = await makeApp(t);
    const admin = await createKey(api.app.storage, 'boss', { scopes: ['admin'] });
    assert.equal((await api.json({ ...topic('c'), headers: { authorization: `Bearer ${admin}` } })).status, 201);
  });
});

describe('keys: expiry and last use', () => {
  describe('read or refused', () => {
    let expired = '';
    const shared = sharedApp(async (api) => {
      expired = await createKey(api.app.storage, 'old', { expiresAt: '2020-01-01T00:00:00Z' });
      await createKey(api.app.storage, 'fresh', { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    });

    test('an expired key is a 401 that says when it expired', async () => {
      const res = await shared().json({ ...topic('a'), headers: { authorization: `Bearer ${expired}` } });
      assert.equal(res.status, 401);
      assert.match(res.body.detail, /'old' expired at 2020-01-01T00:00:00.000Z/);
    });

    test('a key never used has no lastUsedAt', async () => {
      assert.equal((await listKeys(shared().app.storage)).find((k) => k.name === 'fresh')?.lastUsedAt, null);
    });
  });

  test('a write records when its key was last used', async (t) => {
    const api = await makeApp(t);
    const fresh = await createKey(api.app.storage, 'fresh', { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    assert.equal((await api.json({ ...topic('b'), headers: { authorization: `Bearer ${fresh}` } })).status, 201);
    const used = (await listKeys(api.app.storage)).find((k) => k.name === 'fresh');
    assert.ok(used?.lastUsedAt && Date.now() - Date.parse(used.lastUsedAt) < 60_000);
  });
});

describe('npm run keys', () => {
  // Only the folder of this app is used: the CLI works on its own database, a file in it (or, on PostgreSQL, a
  // database of its own).
  const shared = sharedApp(async () => {});
  let database: TestDatabase | undefined;
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', ...args], {
      env: {
        ...process.env,
        ...(database ? { DATABASE_URL: database.url } : { DATABASE_PATH: join(shared().dir, 'cli.db'), DATABASE_URL: '' }),
      },
    });
  // Key 'dashboard' created with a scope and an expiry, then the keys listed.
  let lines: string[] = [];
  let listed = '';
  after(() => database?.drop());
  before(async () => {
    if (onPostgres) database = await freshDatabase();
    lines = (await run('create', 'dashboard', '--scope', 'read', '--expires-in', '30d')).stdout.trim().split('\n');
    listed = (await run('list')).stdout;
  });

  test('create prints the key last, after a line naming its scope and expiry', () => {
    assert.match(lines.at(-1) ?? '', /^dsa_[A-Za-z0-9_-]{43}$/);
    assert.match(lines[0] ?? '', /Created key 'dashboard' \(read, expires /);
  });

  test("list shows each key's name, prefix, scopes and state", () => {
    assert.match(listed, /^dashboard\tdsa_\S+…\tread\tactive\t/m);
  });

  test('list never shows the key itself', () => {
    assert.ok(!listed.includes(lines.at(-1) ?? 'never'), 'the key itself is never listed');
  });

  test('an expiry that is not a duration exits 2', async () => {
    await assert.rejects(run('create', 'x', '--expires-in', 'soon'), (error: { code: number }) => error.code === 2);
  });

  test('list with an option it does not take exits 2', async () => {
    await assert.rejects(run('list', '--scope', 'read'), (error: { code: number }) => error.code === 2);
  });

  test('creating a key under a name already taken exits 1 and says so', async () => {
    await assert.rejects(
      run('create', 'dashboard'),
      (error: { code: number; stderr: string }) => error.code === 1 && /already exists/.test(error.stderr),
    );
  });
});
