// Write transactions behind the storage boundary: one at a time however many awaits they span, all or nothing,
// and never seen half-done by a read; through HTTP on a real database file, and through storage.write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { planImport } from '../src/modules/imports/imports.service.js';
import { makeApp, type TestApp } from './helpers.js';

/** A server on a free port, answering real HTTP requests with the test's key. */
async function listening(api: TestApp) {
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${api.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, etag: res.headers.get('etag') };
  };
  return send;
}

/** Every change of the feed, in commit order. */
async function feed(api: TestApp): Promise<{ collection: string; id: string; version: number; operation: string }[]> {
  const changes = [];
  let since: string | undefined;
  for (;;) {
    const page = await api.json({ method: 'GET', url: `/v1/changes?limit=1000${since ? `&since=${since}` : ''}` });
    assert.equal(page.status, 200);
    changes.push(...page.body.data);
    if (page.body.data.length < 1000) return changes;
    since = page.body.next;
  }
}

test('concurrent PATCHes with the same If-Match: exactly one wins, the others are 412, the history has no gap', async (t) => {
  const api = await makeApp(t);
  const send = await listening(api);
  assert.equal((await send('POST', '/v1/topics', { id: 'contested', name: 'Contested' })).status, 201);

  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => send('PATCH', '/v1/topics/contested', { name: `Name ${i}` }, { 'if-match': '"1"' })),
  );
  const won = answers.filter((a) => a.status === 200);
  assert.equal(won.length, 1, answers.map((a) => a.status).join(' '));
  assert.equal(answers.filter((a) => a.status === 412).length, 39);
  assert.equal(won[0]?.etag, '"2"');

  const stored = await send('GET', '/v1/topics/contested');
  assert.equal(stored.body.version, 2);
  assert.equal(stored.body.name, won[0]?.body.name);
  const history = await send('GET', '/v1/topics/contested/revisions');
  assert.deepEqual(
    history.body.data.map((r: { version: number; operation: string }) => [r.version, r.operation]),
    [
      [1, 'create'],
      [2, 'update'],
    ],
  );
});

test('concurrent creates, PATCHes and imports never interleave: versions contiguous, each import one run of the feed', async (t) => {
  const api = await makeApp(t);
  const send = await listening(api);
  assert.equal((await send('POST', '/v1/actors', { id: 'busy', name: 'Busy', kind: 'state' })).status, 201);

  const patches = Array.from({ length: 25 }, (_, i) => send('PATCH', '/v1/actors/busy', { name: `Busy ${i}` }));
  const creates = Array.from({ length: 25 }, (_, i) => send('POST', '/v1/actors', { id: `a${i}`, name: `Actor ${i}`, kind: 'person' }));
  const imports = Array.from({ length: 5 }, (_, b) =>
    send('POST', '/v1/imports', { topics: Array.from({ length: 12 }, (_, i) => ({ id: `b${b}-t${i}`, name: `Bundle ${b} topic ${i}` })) }),
  );
  // Reads interleave with the writes: each sees a whole record at a version that exists.
  const reads = Array.from({ length: 25 }, () => send('GET', '/v1/actors/busy'));
  const answers = await Promise.all([...patches, ...creates, ...imports, ...reads]);
  for (const answer of answers) assert.ok([200, 201].includes(answer.status), JSON.stringify(answer.body));
  for (const read of await Promise.all(reads)) {
    assert.ok(read.body.version >= 1 && read.body.version <= 26);
    assert.equal(read.etag, `"${read.body.version}"`);
  }

  // 25 patches, each a change: versions 2 to 26, each given once.
  const busy = await send('GET', '/v1/actors/busy');
  assert.equal(busy.body.version, 26);
  const patched = (await Promise.all(patches)).map((p) => p.body.version).sort((a, b) => a - b);
  assert.deepEqual(
    patched,
    Array.from({ length: 25 }, (_, i) => i + 2),
  );

  const changes = await feed(api);
  const ofBusy = changes.filter((c) => c.id === 'busy').map((c) => c.version);
  assert.deepEqual(
    ofBusy,
    Array.from({ length: 26 }, (_, i) => i + 1),
    'the history of busy, in commit order',
  );
  assert.equal(changes.filter((c) => c.collection === 'actors' && c.id.startsWith('a')).length, 25);
  for (let b = 0; b < 5; b++) {
    const at = changes.flatMap((c, i) => (c.id.startsWith(`b${b}-`) ? [i] : []));
    assert.equal(at.length, 12);
    assert.equal((at.at(-1) as number) - (at[0] as number), 11, `import ${b}'s revisions are one run of the feed`);
  }
});

test('a bundle that fails is rolled back entirely, and reads while it runs never see its rows', async (t) => {
  const api = await makeApp(t);
  const send = await listening(api);
  // Many good records, then one whose reference is unknown: nothing of the bundle may be stored.
  const topics = Array.from({ length: 300 }, (_, i) => ({ id: `t${i}`, name: `Topic ${i}` }));
  const bad = topics.map((topic, i) => (i === topics.length - 1 ? { ...topic, parentId: 'nowhere' } : topic));
  let done = false;
  const seen: number[] = [];
  const polling = (async () => {
    while (!done) {
      const page = await send('GET', '/v1/topics?limit=1&count=true');
      seen.push(page.body.total);
    }
  })();
  const imports = await Promise.all(Array.from({ length: 4 }, () => send('POST', '/v1/imports', { topics: bad })));
  done = true;
  await polling;
  for (const failed of imports) {
    assert.equal(failed.status, 422);
    assert.equal(failed.body.code, 'IMPORT_FAILED');
  }
  assert.ok(seen.length > 0);
  assert.deepEqual([...new Set(seen)], [0], 'no read saw a row of a failing bundle');
  assert.equal((await send('GET', '/v1/topics?count=true')).body.total, 0);
  assert.deepEqual(await feed(api), [], 'no revision either');
});

test('storage.write spans awaits: its rows are seen inside only, other writes wait their turn, a throw rolls back everything', async (t) => {
  const api = await makeApp(t);
  const storage = api.app.storage;
  const order: string[] = [];
  let insideTopics: number | undefined;
  let entered = () => {};
  const inside = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });

  const failing = storage.write(async (tx) => {
    await tx.records.create('topics', { id: 'draft', name: 'Draft' }, { keyName: 'test' });
    const plan = planImport({ topics: [{ id: 'draft-child', name: 'Child', parentId: 'draft' }] });
    const imported = await tx.imports.run(plan, {});
    assert.deepEqual(imported.errors, []);
    entered();
    await released;
    insideTopics = (await tx.lists.page('topics', { limit: 10, count: true })).total;
    order.push('transaction ends');
    throw new Error('a later step failed');
  });
  await inside;
  // Meanwhile another request's write waits for this transaction, and reads do not see its rows.
  const otherWrite = api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'later', name: 'Later' } }).then((res) => {
    order.push('other write answered');
    return res;
  });
  assert.equal(await storage.records.get('topics', 'draft'), undefined, 'a read outside the transaction does not see its rows');
  assert.equal((await api.json({ method: 'GET', url: '/v1/topics/draft' })).status, 404);
  assert.equal((await api.json({ method: 'GET', url: '/v1/topics?count=true' })).body.total, 0);
  await sleep(30);
  assert.deepEqual(order, [], 'the other write is still waiting');
  release();
  await assert.rejects(failing, /a later step failed/);
  assert.equal(insideTopics, 2, 'a read through tx sees them');

  const later = await otherWrite;
  assert.equal(later.status, 201);
  assert.deepEqual(order, ['transaction ends', 'other write answered']);
  assert.equal((await api.json({ method: 'GET', url: '/v1/topics/draft' })).status, 404, 'rolled back');
  assert.equal((await api.json({ method: 'GET', url: '/v1/topics/draft-child' })).status, 404, 'the import too');
  const changes = await feed(api);
  assert.deepEqual(
    changes.map((c) => c.id),
    ['later'],
  );
});

test('storage.write refuses a write on the outer storage from inside (it would wait for itself), and the version moves with commits', async (t) => {
  const api = await makeApp(t);
  const storage = api.app.storage;
  const before = await storage.version();
  await assert.rejects(
    storage.write(async () => {
      await storage.records.create('topics', { id: 'nested', name: 'Nested' }, {});
    }),
    /inside a write transaction/,
  );
  assert.equal(await storage.records.get('topics', 'nested'), undefined);
  assert.equal(await storage.version(), before, 'nothing committed: the data version is unchanged');
  await storage.records.create('topics', { id: 'committed', name: 'Committed' }, {});
  assert.notEqual(await storage.version(), before);
});

test('reference and referrer checks answer as the writes do', async (t) => {
  const api = await makeApp(t);
  const storage = api.app.storage;
  await storage.records.create('topics', { id: 'parent', name: 'Parent' }, {});
  await storage.records.create('topics', { id: 'child', name: 'Child', parentId: 'parent' }, {});
  await storage.records.checkReferences([{ path: '/parentId', collection: 'topics', id: 'parent' }]);
  await assert.rejects(
    storage.records.checkReferences([
      { path: '/parentId', collection: 'topics', id: 'nowhere' },
      { path: '/speakerId', collection: 'actors', id: 'nobody' },
    ]),
    (error: { code?: string; extra?: { errors?: { path: string }[] } }) =>
      error.code === 'UNKNOWN_REFERENCE' && error.extra?.errors?.map((e) => e.path).join(' ') === '/parentId /speakerId',
  );
  await storage.records.checkNotReferenced('topics', 'child');
  await assert.rejects(
    storage.records.checkNotReferenced('topics', 'parent'),
    (error: { code?: string }) => error.code === 'STILL_REFERENCED',
  );
});
