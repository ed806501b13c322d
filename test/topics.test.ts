// Topics over HTTP: CRUD, the tree filters (parent, root, within) and the tree rules (no unknown parent, no cycle).
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { assertProblem, create, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp, seedMinimal, sharedApp } from './helpers.js';

describe('topics: a record from POST to DELETE', () => {
  const BISHAM = {
    name: '  Bisham attack ',
    parentId: 'counter-terrorism',
    aliases: ['Besham', 'بشام حملہ'],
    description: 'The “Bisham” attack — 26 March 2024',
  };
  /** A new app with a root topic and, under it, a child whose id the server made. */
  async function withChild(t: TestContext) {
    const api = await makeApp(t);
    const root = await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'counter-terrorism', name: 'Counter-terrorism' } });
    assert.equal(root.status, 201);
    const child = await api.json({ method: 'POST', url: '/v1/topics', payload: BISHAM });
    assert.equal(child.status, 201);
    return { api, root, child: child.body, childHeaders: child.headers };
  }

  test('POST creates a root topic with its defaults, version 1, an ETag and a Location', async (t) => {
    const { root } = await withChild(t);
    assert.equal(root.headers.location, '/v1/topics/counter-terrorism');
    assert.equal(root.headers.etag, '"1"');
    assert.deepEqual(withoutTimes(root.body), {
      id: 'counter-terrorism',
      name: 'Counter-terrorism',
      parentId: null,
      aliases: [],
      description: null,
      version: 1,
    });
    assert.match(root.body.createdAt, TIMESTAMP);
    assert.equal(root.body.updatedAt, root.body.createdAt);
  });

  test('POST without an id makes one; GET reads back the child, its name trimmed and its Unicode exact', async (t) => {
    const { api, child, childHeaders } = await withChild(t);
    assert.match(child.id, UUID);
    assert.equal(childHeaders.location, `/v1/topics/${child.id}`);
    const got = await api.json({ method: 'GET', url: `/v1/topics/${child.id}`, auth: false });
    assert.equal(got.status, 200);
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.body, child);
    assert.equal(got.body.name, 'Bisham attack');
    assert.deepEqual(got.body.aliases, ['Besham', 'بشام حملہ']);
    assert.equal(got.body.description, 'The “Bisham” attack — 26 March 2024');
  });

  test('PATCH changes only what it sends; the same values again change nothing', async (t) => {
    const { api, child } = await withChild(t);
    await sleep(5);
    const patched = await api.json({ method: 'PATCH', url: `/v1/topics/${child.id}`, payload: { aliases: ['Besham', 'Bisham'] } });
    assert.equal(patched.status, 200);
    assert.equal(patched.headers.etag, '"2"');
    assert.deepEqual(withoutTimes(patched.body), { ...withoutTimes(child), aliases: ['Besham', 'Bisham'], version: 2 });
    assert.equal(patched.body.createdAt, child.createdAt);
    assert.ok(patched.body.updatedAt > child.updatedAt);
    const same = await api.json({ method: 'PATCH', url: `/v1/topics/${child.id}`, payload: { aliases: ['Besham', 'Bisham'] } });
    assert.deepEqual(same.body, patched.body);
  });

  test('PATCH with a null parent moves the topic to the root; null clears the description', async (t) => {
    const { api, child } = await withChild(t);
    const moved = await api.json({ method: 'PATCH', url: `/v1/topics/${child.id}`, payload: { parentId: null, description: null } });
    assert.equal(moved.body.parentId, null);
    assert.equal(moved.body.description, null);
    assert.equal(moved.body.version, 2);
  });

  test('ETags: If-None-Match answers 304; a stale If-Match is a 412 with the current version; a matching one deletes', async (t) => {
    const { api, child } = await withChild(t);
    await api.json({ method: 'PATCH', url: `/v1/topics/${child.id}`, payload: { description: null } });
    const notModified = await api.request({ method: 'GET', url: `/v1/topics/${child.id}`, headers: { 'if-none-match': '"2"' } });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    const stale = assertProblem(
      await api.json({ method: 'PATCH', url: `/v1/topics/${child.id}`, headers: { 'if-match': '"1"' }, payload: { name: 'x' } }),
      412,
      'PRECONDITION_FAILED',
    );
    assert.equal(stale.currentVersion, 2);
    const deleted = await api.request({ method: 'DELETE', url: `/v1/topics/${child.id}`, headers: { 'if-match': '"2"' } });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
  });

  test('POST with a taken id is a 409 that leaves the first record as it was', async (t) => {
    const { api } = await withChild(t);
    assertProblem(
      await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'counter-terrorism', name: 'Again' } }),
      409,
      'ID_TAKEN',
    );
    assert.equal((await api.json({ method: 'GET', url: '/v1/topics/counter-terrorism' })).body.name, 'Counter-terrorism');
  });

  test('after DELETE, GET and DELETE are 404s', async (t) => {
    const { api, child } = await withChild(t);
    assert.equal((await api.request({ method: 'DELETE', url: `/v1/topics/${child.id}` })).statusCode, 204);
    assertProblem(await api.json({ method: 'GET', url: `/v1/topics/${child.id}` }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'DELETE', url: `/v1/topics/${child.id}` }), 404, 'NOT_FOUND');
  });
});

describe('topics: lists of the tree', () => {
  // Lists only read: counter-terrorism → (ttp → talks-with-ttp, bisham-attack); migration → afghan-refugees.
  const api = sharedApp(async (app) => {
    await seedMinimal(app);
    await create(app, '/v1/topics', { id: 'bisham-attack', name: 'Bisham attack', parentId: 'counter-terrorism' });
    await create(app, '/v1/topics', { id: 'afghan-refugees', name: 'Afghan refugees', parentId: 'migration' });
  });
  const ids = async (query: string) => {
    const res = await api().json({ method: 'GET', url: `/v1/topics${query}`, auth: false });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data.map((x: { id: string }) => x.id);
  };

  test('without parameters, every topic by id', async () => {
    assert.deepEqual(await ids(''), ['afghan-refugees', 'bisham-attack', 'counter-terrorism', 'migration', 'talks-with-ttp', 'ttp']);
  });

  test('parent lists the direct children of any of the topics named', async () => {
    assert.deepEqual(await ids('?parent=counter-terrorism'), ['bisham-attack', 'ttp']);
    assert.deepEqual(await ids('?parent=ttp,migration'), ['afghan-refugees', 'talks-with-ttp']);
  });

  test('root=true lists the topics without a parent; with sort=-name, by name descending', async () => {
    assert.deepEqual(await ids('?root=true'), ['counter-terrorism', 'migration']);
    assert.deepEqual(await ids('?sort=-name&root=true'), ['migration', 'counter-terrorism']);
  });

  test('within lists the topics named and all their descendants; an unknown one matches nothing', async () => {
    assert.deepEqual(await ids('?within=counter-terrorism'), ['bisham-attack', 'counter-terrorism', 'talks-with-ttp', 'ttp']);
    assert.deepEqual(await ids('?within=ttp'), ['talks-with-ttp', 'ttp']);
    assert.deepEqual(await ids('?within=talks-with-ttp,migration'), ['afghan-refugees', 'migration', 'talks-with-ttp']);
    assert.deepEqual(await ids('?within=no-such-topic'), []);
    // id names exactly these topics, unlike within: no descendants.
    assert.deepEqual(await ids('?id=ttp,migration,no-such-topic'), ['migration', 'ttp']);
    assert.deepEqual(await ids('?within=counter-terrorism&root=true'), ['counter-terrorism']);
  });

  test('a subtree counts and pages; its cursor under another subtree is a 400', async () => {
    const counted = await api().json({ method: 'GET', url: '/v1/topics?within=counter-terrorism&count=true&limit=3' });
    assert.equal(counted.body.total, 4);
    assert.equal(counted.body.data.length, 3);
    assert.equal(typeof counted.body.nextCursor, 'string');
    const rest = await api().json({ method: 'GET', url: `/v1/topics?within=counter-terrorism&limit=3&cursor=${counted.body.nextCursor}` });
    assert.deepEqual(
      rest.body.data.map((x: { id: string }) => x.id),
      ['ttp'],
    );
    assert.equal(rest.body.nextCursor, null);
    const problem = assertProblem(
      await api().json({ method: 'GET', url: `/v1/topics?within=migration&limit=3&cursor=${counted.body.nextCursor}` }),
      400,
      'INVALID_CURSOR',
    );
    assert.equal(fieldError(problem, '/cursor').in, 'query');
  });

  for (const query of ['root=maybe', 'within=Not%20A%20Slug', 'parent=a,,b', 'foo=1', 'limit=0', 'sort=bogus']) {
    test(`?${query} is a 400 naming the parameter`, async () => {
      const bad = assertProblem(await api().json({ method: 'GET', url: `/v1/topics?${query}` }), 400, 'VALIDATION_FAILED');
      assert.deepEqual(
        bad.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
        [['query', `/${query.split('=')[0]}`]],
        query,
      );
    });
  }
});

describe('topics: bodies refused', () => {
  // Every write here is refused, so the one stored topic stays at version 1 and no other appears.
  const api = sharedApp(async (app) => {
    await create(app, '/v1/topics', { id: 'kashmir', name: 'Jammu and Kashmir' });
  });
  const post = (payload: Record<string, unknown>) => api().json({ method: 'POST', url: '/v1/topics', payload });

  test('an unknown field is a 400 naming it', async () => {
    const problem = assertProblem(await post({ name: 'x', foo: 1 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/foo'), { in: 'body', path: '/foo', message: 'is not a known field' });
  });

  test('values are not coerced: a number is not a name, nor a parent', async () => {
    let problem = assertProblem(await post({ id: 'five', name: 5 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must be string' });
    problem = assertProblem(await post({ name: 'x', parentId: 7 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/parentId'), { in: 'body', path: '/parentId', message: 'must be string or null' });
  });

  test('a name of only whitespace is empty, and refused', async () => {
    const problem = assertProblem(await post({ name: '   ' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must not be empty' });
  });

  test('an id must be a slug, and aliases must not repeat', async () => {
    let problem = assertProblem(await post({ id: 'Talks With TTP', name: 'x' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/id').in, 'body');
    problem = assertProblem(await post({ name: 'x', aliases: ['Besham', 'Besham'] }), 400, 'VALIDATION_FAILED');
    assert.match(fieldError(problem, '/aliases').message, /must not repeat/);
  });

  test('nothing of a refused body is stored', async () => {
    await post({ id: 'five', name: 5 });
    assertProblem(await api().json({ method: 'GET', url: '/v1/topics/five' }), 404, 'NOT_FOUND');
    assert.deepEqual(
      (await api().json({ method: 'GET', url: '/v1/topics' })).body.data.map((x: { id: string }) => x.id),
      ['kashmir'],
    );
  });

  test('a PATCH body must not be empty, hold an id, an empty name or unknown fields; nothing changes', async () => {
    for (const payload of [{}, { id: 'other' }, { name: '  ' }, { nope: true }]) {
      const problem = assertProblem(await api().json({ method: 'PATCH', url: '/v1/topics/kashmir', payload }), 400, 'VALIDATION_FAILED');
      assert.equal(problem.errors?.[0]?.in, 'body');
    }
    assert.equal((await api().json({ method: 'GET', url: '/v1/topics/kashmir' })).body.version, 1);
  });
});

test('topics: text is trimmed at the ends (newlines too) and stored exactly otherwise', async (t) => {
  const api = await makeApp(t);
  const created = await create(api, '/v1/topics', {
    id: 'kashmir',
    name: '  Jammu and Kashmir\n',
    description: '  جموں و کشمیر — “disputed territory”  ',
  });
  assert.equal(created.name, 'Jammu and Kashmir');
  assert.equal(created.description, 'جموں و کشمیر — “disputed territory”');
});

describe('topics: the tree rules', () => {
  // Every write here is refused, so the tree stays as set up: seedMinimal's, a → b, and s1 about talks-with-ttp.
  const api = sharedApp(async (app) => {
    await seedMinimal(app); // counter-terrorism → ttp → talks-with-ttp; migration
    await create(app, '/v1/topics', { id: 'a', name: 'A' });
    await create(app, '/v1/topics', { id: 'b', name: 'B', parentId: 'a' });
    await create(app, '/v1/statements', {
      id: 's1',
      text: 'No talks with the TTP.',
      kind: 'paraphrase',
      speakerId: 'pakistan',
      sourceIds: ['report'],
      topicIds: ['talks-with-ttp'],
    });
  });

  test('an unknown parent is a 422 naming it, and nothing is stored', async () => {
    const problem = assertProblem(
      await api().json({ method: 'POST', url: '/v1/topics', payload: { id: 'lost', name: 'Lost', parentId: 'nowhere' } }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.deepEqual(
      problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
      [['body', '/parentId']],
    );
    assert.match(fieldError(problem, '/parentId').message, /nowhere/);
    assertProblem(await api().json({ method: 'GET', url: '/v1/topics/lost' }), 404, 'NOT_FOUND');
  });

  test('no cycles: a child as its parent’s parent, a topic as its own, a grandchild as the root’s (422, nothing changes)', async () => {
    for (const [id, parentId] of [
      ['a', 'b'],
      ['a', 'a'],
      ['counter-terrorism', 'talks-with-ttp'],
    ] as const) {
      const problem = assertProblem(
        await api().json({ method: 'PATCH', url: `/v1/topics/${id}`, payload: { parentId } }),
        422,
        'INVALID_RECORD',
      );
      assert.equal(fieldError(problem, '/parentId').in, 'body');
      const unchanged = await api().json({ method: 'GET', url: `/v1/topics/${id}` });
      assert.equal(unchanged.body.parentId, null);
      assert.equal(unchanged.body.version, 1);
    }
  });

  test('a topic with children cannot be deleted: 409 naming them', async () => {
    const problem = assertProblem(await api().json({ method: 'DELETE', url: '/v1/topics/counter-terrorism' }), 409, 'STILL_REFERENCED');
    assert.deepEqual(problem.referencedBy, [{ collection: 'topics', field: 'parentId', ids: ['ttp'] }]);
    assert.equal((await api().json({ method: 'GET', url: '/v1/topics/counter-terrorism' })).status, 200);
  });

  test('a topic a statement is about cannot be deleted: 409 naming the statement', async () => {
    const problem = assertProblem(await api().json({ method: 'DELETE', url: '/v1/topics/talks-with-ttp' }), 409, 'STILL_REFERENCED');
    assert.deepEqual(problem.referencedBy, [{ collection: 'statements', field: 'topicIds', ids: ['s1'] }]);
    assert.equal((await api().json({ method: 'GET', url: '/v1/topics/talks-with-ttp' })).status, 200);
  });
});

test('topics: a leaf deletes, and then its parent, no longer a parent, does too', async (t) => {
  const api = await makeApp(t);
  await create(api, '/v1/topics', { id: 'a', name: 'A' });
  await create(api, '/v1/topics', { id: 'b', name: 'B', parentId: 'a' });
  assert.equal((await api.request({ method: 'DELETE', url: '/v1/topics/b' })).statusCode, 204);
  assert.equal((await api.request({ method: 'DELETE', url: '/v1/topics/a' })).statusCode, 204);
});
