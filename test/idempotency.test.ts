// Safe retries with Idempotency-Key: the same request again replays the first answer and writes nothing.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { sqliteInternals } from '../src/storage/inspect.js';
import { makeApp, sqliteOnly } from './helpers.js';

describe('a retried POST with the same Idempotency-Key', () => {
  /** A new app, and a POST /v1/topics with the write key and an Idempotency-Key. */
  async function sender(t: TestContext) {
    const api = await makeApp(t);
    const send = (payload: Record<string, unknown>, key = 'create-topic-1') =>
      api.request({ method: 'POST', url: '/v1/topics', payload, headers: { 'idempotency-key': key } });
    const total = async () => (await api.json({ method: 'GET', url: '/v1/topics?count=true' })).body.total;
    return { api, send, total };
  }

  test('replays the first answer, marked Idempotent-Replayed, and creates nothing more', async (t) => {
    const { send, total } = await sender(t);
    const first = await send({ name: 'Talks with the TTP' });
    assert.equal(first.statusCode, 201);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const again = await send({ name: 'Talks with the TTP' });
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers.location, first.headers.location);
    assert.equal(again.headers.etag, first.headers.etag);
    assert.deepEqual(again.json(), first.json(), 'the same record, with the server-made id');
    assert.equal(await total(), 1);
  });

  test('sent several times at once: one write; each answer is the first one or IDEMPOTENCY_IN_PROGRESS', async (t) => {
    const { send, total } = await sender(t);
    const answers = await Promise.all(Array.from({ length: 6 }, () => send({ name: 'At once' })));
    const first = answers.filter((a) => a.statusCode === 201 && a.headers['idempotent-replayed'] === undefined);
    assert.equal(first.length, 1, answers.map((a) => a.statusCode).join(' '));
    for (const a of answers) {
      if (a.statusCode === 201) assert.deepEqual(a.json(), first[0]?.json());
      else assert.deepEqual([a.statusCode, a.json().code], [409, 'IDEMPOTENCY_IN_PROGRESS']);
    }
    assert.equal(await total(), 1);
  });

  test('with another body is a 422 IDEMPOTENCY_KEY_REUSED that writes nothing', async (t) => {
    const { send, total } = await sender(t);
    await send({ name: 'Talks with the TTP' });
    const other = await send({ name: 'Something else' });
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await total(), 1);
  });

  test('of a request refused by the rules gets the same problem, replayed word for word', async (t) => {
    const { send } = await sender(t);
    const refused = await send({ name: 'Child', parentId: 'missing' }, 'refused-1');
    const refusedAgain = await send({ name: 'Child', parentId: 'missing' }, 'refused-1');
    assert.equal(refused.statusCode, 422);
    assert.equal(refusedAgain.statusCode, 422);
    assert.equal(refusedAgain.headers['idempotent-replayed'], 'true');
    assert.equal(refusedAgain.json().requestId, refused.json().requestId, 'the first answer, word for word');
  });

  test('of a malformed body is simply refused again: the body never reaches the key', async (t) => {
    const { send } = await sender(t);
    const bad = await send({ name: '' }, 'bad-1');
    const badAgain = await send({ name: '' }, 'bad-1');
    assert.deepEqual([bad.statusCode, badAgain.statusCode], [400, 400]);
  });

  test('of an import replays the first answer instead of running it again', async (t) => {
    const { api } = await sender(t);
    const imported = await api.request({
      method: 'POST',
      url: '/v1/imports',
      payload: { topics: [{ id: 'x', name: 'X' }] },
      headers: { 'idempotency-key': 'import-1' },
    });
    const importedAgain = await api.request({
      method: 'POST',
      url: '/v1/imports',
      payload: { topics: [{ id: 'x', name: 'X' }] },
      headers: { 'idempotency-key': 'import-1' },
    });
    assert.equal(imported.json().counts.topics.created, 1);
    assert.equal(importedAgain.json().counts.topics.created, 1, 'the first answer, not a second run');
    assert.equal(importedAgain.headers['idempotent-replayed'], 'true');
  });

  test('a key that is not 1 to 255 visible ASCII characters is a 400 on the header', async (t) => {
    const { api } = await sender(t);
    const malformed = await api.request({ method: 'POST', url: '/v1/topics', payload: { name: 'y' }, headers: { 'idempotency-key': 'é' } });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().errors[0].path, '/idempotency-key');
  });
});

test('keys belong to their caller and expire after 24 hours', { skip: sqliteOnly }, async (t) => {
  const api = await makeApp(t);
  const { createKey } = await import('../src/modules/keys/keys.service.js');
  const other = await createKey(api.app.storage, 'other');
  const mine = await api.request({ method: 'POST', url: '/v1/topics', payload: { name: 'Mine' }, headers: { 'idempotency-key': 'k' } });
  const theirs = await api.request({
    method: 'POST',
    url: '/v1/topics',
    payload: { name: 'Theirs' },
    headers: { 'idempotency-key': 'k', authorization: `Bearer ${other}` },
    auth: false,
  });
  assert.equal(mine.statusCode, 201);
  assert.equal(theirs.statusCode, 201, 'another caller may use the same key');
  assert.notEqual(theirs.json().id, mine.json().id);

  sqliteInternals(api.app.storage).writer.$client.prepare("UPDATE idempotency_keys SET created_at = '2020-01-01T00:00:00.000Z'").run();
  const later = await api.request({ method: 'POST', url: '/v1/topics', payload: { name: 'Mine' }, headers: { 'idempotency-key': 'k' } });
  assert.equal(later.statusCode, 201);
  assert.equal(later.headers['idempotent-replayed'], undefined, 'an expired key runs the request again');
  assert.notEqual(later.json().id, mine.json().id);
});

test('a read sent with an Idempotency-Key is answered as any read, over HTTP: nothing kept, nothing replayed', async (t) => {
  const api = await makeApp(t);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as { port: number };
  const count = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/topics?limit=1&count=true`, { headers: { 'idempotency-key': 'read-1' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('idempotent-replayed'), null);
    return ((await res.json()) as { total: number }).total;
  };
  const before = await count();
  const created = await api.request({ method: 'POST', url: '/v1/topics', payload: { name: 'One more topic' } });
  assert.equal(created.statusCode, 201);
  assert.equal(await count(), before + 1);
});
