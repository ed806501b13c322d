// Key scopes, expiry and last use: a read key cannot write, an expired key stops, use is recorded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createKey, listKeys } from '../src/modules/keys/keys.service.js';
import { makeApp } from './helpers.js';

const topic = (id: string) => ({ method: 'POST' as const, url: '/v1/topics', payload: { id, name: id }, auth: false });

test('scopes: read keys cannot write (403), write and admin keys can', async (t) => {
  const api = await makeApp(t);
  const keys = {
    read: createKey(api.app.db, 'reader', { scopes: ['read'] }),
    write: createKey(api.app.db, 'writer', { scopes: ['write'] }),
    admin: createKey(api.app.db, 'boss', { scopes: ['admin'] }),
  };
  const refused = await api.json({ ...topic('a'), headers: { authorization: `Bearer ${keys.read}` } });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 'FORBIDDEN');
  assert.match(refused.body.detail, /'reader' has the scopes read; this needs write/);
  assert.equal((await api.json({ method: 'GET', url: '/v1/topics/a' })).status, 404, 'nothing stored');
  assert.equal((await api.json({ ...topic('b'), headers: { authorization: `Bearer ${keys.write}` } })).status, 201);
  assert.equal((await api.json({ ...topic('c'), headers: { authorization: `Bearer ${keys.admin}` } })).status, 201);
  assert.throws(() => createKey(api.app.db, 'bad', { scopes: ['root' as 'read'] }), /Scopes must be some of read, write, admin/);
});

test('an expired key is a 401 that says so; lastUsedAt records use', async (t) => {
  const api = await makeApp(t);
  const expired = createKey(api.app.db, 'old', { expiresAt: '2020-01-01T00:00:00Z' });
  const res = await api.json({ ...topic('a'), headers: { authorization: `Bearer ${expired}` } });
  assert.equal(res.status, 401);
  assert.match(res.body.detail, /'old' expired at 2020-01-01T00:00:00.000Z/);

  const fresh = createKey(api.app.db, 'fresh', { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  assert.equal(listKeys(api.app.db).find((k) => k.name === 'fresh')?.lastUsedAt, null);
  assert.equal((await api.json({ ...topic('b'), headers: { authorization: `Bearer ${fresh}` } })).status, 201);
  const used = listKeys(api.app.db).find((k) => k.name === 'fresh');
  assert.ok(used?.lastUsedAt && Date.now() - Date.parse(used.lastUsedAt) < 60_000);
});

test('npm run keys: create with scope and expiry prints the key last; list shows them; bad input exits non-zero', async (t) => {
  const api = await makeApp(t);
  const env = { ...process.env, DATABASE_PATH: join(api.dir, 'cli.db') };
  const run = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/keys.ts', ...args], { env });
  const created = await run('create', 'dashboard', '--scope', 'read', '--expires-in', '30d');
  const lines = created.stdout.trim().split('\n');
  assert.match(lines.at(-1) ?? '', /^dsa_[A-Za-z0-9_-]{43}$/);
  assert.match(lines[0] ?? '', /Created key 'dashboard' \(read, expires /);
  const listed = await run('list');
  assert.match(listed.stdout, /^dashboard\tdsa_\S+…\tread\tactive\t/m);
  assert.ok(!listed.stdout.includes(lines.at(-1) ?? 'never'), 'the key itself is never listed');
  await assert.rejects(run('create', 'x', '--expires-in', 'soon'), (error: { code: number }) => error.code === 2);
  await assert.rejects(run('list', '--scope', 'read'), (error: { code: number }) => error.code === 2);
  await assert.rejects(
    run('create', 'dashboard'),
    (error: { code: number; stderr: string }) => error.code === 1 && /already exists/.test(error.stderr),
  );
});
