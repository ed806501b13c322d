// The SQLite engine's reader connection: it cannot write, and the data version read through it still moves with
// every commit, the service's own and another program's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { sqliteInternals } from '../src/storage/inspect.js';
import { makeApp, sqliteOnly } from './helpers.js';

test('the reader connection refuses a write: every write goes through the writer', { skip: sqliteOnly }, async (t) => {
  const api = await makeApp(t);
  const { reader } = sqliteInternals(api.app.storage);
  assert.throws(
    () => reader.$client.prepare("INSERT INTO topics (id, name, created_at, updated_at) VALUES ('x', 'X', 'a', 'a')").run(),
    (error: Error & { code?: string }) => error.code === 'SQLITE_READONLY',
  );
  const res = await api.request({ method: 'GET', url: '/v1/topics/x' });
  assert.equal(res.statusCode, 404);
});

test('the data version moves with a write over HTTP and with a commit by another program', { skip: sqliteOnly }, async (t) => {
  const api = await makeApp(t);
  const storage = api.app.storage;
  const first = await storage.version();
  const created = await api.request({ method: 'POST', url: '/v1/topics', payload: { id: 'fresh', name: 'Fresh' } });
  assert.equal(created.statusCode, 201);
  const second = await storage.version();
  assert.notEqual(second, first);
  const other = new Database(sqliteInternals(storage).writer.$client.name);
  t.after(() => other.close());
  other.prepare("UPDATE topics SET name = 'Renamed elsewhere' WHERE id = 'fresh'").run();
  assert.notEqual(await storage.version(), second);
  const read = await api.json({ method: 'GET', url: '/v1/topics/fresh' });
  assert.equal((read.body as { name: string }).name, 'Renamed elsewhere');
});
