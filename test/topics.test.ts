// Topics over HTTP: CRUD, the tree filters (parent, root, within) and the tree rules (no unknown parent, no cycle).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProblem, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp, seedMinimal } from './helpers.js';

/** Asserts an RFC 9457 problem with this status and code, and returns its body. */
test('topics: POST, GET, PATCH, DELETE; lists by parent, root and within (with descendants)', async (t) => {
  const api = await makeApp(t);

  // Create, read, patch and delete.
  {
    const root = await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'counter-terrorism', name: 'Counter-terrorism' } });
    assert.equal(root.status, 201);
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

    const child = await api.json({
      method: 'POST',
      url: '/v1/topics',
      payload: {
        name: '  Bisham attack ',
        parentId: 'counter-terrorism',
        aliases: ['Besham', 'بشام حملہ'],
        description: 'The “Bisham” attack — 26 March 2024',
      },
    });
    assert.equal(child.status, 201);
    assert.match(child.body.id, UUID);
    assert.equal(child.headers.location, `/v1/topics/${child.body.id}`);
    const got = await api.json({ method: 'GET', url: `/v1/topics/${child.body.id}`, auth: false });
    assert.equal(got.status, 200);
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.body, child.body);
    assert.equal(got.body.name, 'Bisham attack');
    assert.deepEqual(got.body.aliases, ['Besham', 'بشام حملہ']);
    assert.equal(got.body.description, 'The “Bisham” attack — 26 March 2024');

    await sleep(5);
    const patched = await api.json({ method: 'PATCH', url: `/v1/topics/${child.body.id}`, payload: { aliases: ['Besham', 'Bisham'] } });
    assert.equal(patched.status, 200);
    assert.equal(patched.headers.etag, '"2"');
    assert.deepEqual(withoutTimes(patched.body), { ...withoutTimes(child.body), aliases: ['Besham', 'Bisham'], version: 2 });
    assert.equal(patched.body.createdAt, child.body.createdAt);
    assert.ok(patched.body.updatedAt > child.body.updatedAt);

    const same = await api.json({ method: 'PATCH', url: `/v1/topics/${child.body.id}`, payload: { aliases: ['Besham', 'Bisham'] } });
    assert.deepEqual(same.body, patched.body);

    // null moves the topic to the root.
    const moved = await api.json({ method: 'PATCH', url: `/v1/topics/${child.body.id}`, payload: { parentId: null, description: null } });
    assert.equal(moved.body.parentId, null);
    assert.equal(moved.body.description, null);
    assert.equal(moved.body.version, 3);

    const notModified = await api.request({ method: 'GET', url: `/v1/topics/${child.body.id}`, headers: { 'if-none-match': '"3"' } });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    const stale = assertProblem(
      await api.json({ method: 'PATCH', url: `/v1/topics/${child.body.id}`, headers: { 'if-match': '"2"' }, payload: { name: 'x' } }),
      412,
      'PRECONDITION_FAILED',
    );
    assert.equal(stale.currentVersion, 3);

    assertProblem(
      await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'counter-terrorism', name: 'Again' } }),
      409,
      'ID_TAKEN',
    );
    assert.equal((await api.json({ method: 'GET', url: '/v1/topics/counter-terrorism' })).body.name, 'Counter-terrorism');

    const deleted = await api.request({ method: 'DELETE', url: `/v1/topics/${child.body.id}`, headers: { 'if-match': '"3"' } });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    assertProblem(await api.json({ method: 'GET', url: `/v1/topics/${child.body.id}` }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'DELETE', url: `/v1/topics/${child.body.id}` }), 404, 'NOT_FOUND');
    // Leave the table empty for the list checks below.
    assert.equal((await api.request({ method: 'DELETE', url: '/v1/topics/counter-terrorism' })).statusCode, 204);
  }

  // Lists: parent, root, within (with descendants), counts and cursors.
  {
    await seedMinimal(api); // counter-terrorism → ttp → talks-with-ttp; migration
    for (const payload of [
      { id: 'bisham-attack', name: 'Bisham attack', parentId: 'counter-terrorism' },
      { id: 'afghan-refugees', name: 'Afghan refugees', parentId: 'migration' },
    ]) {
      assert.equal((await api.request({ method: 'POST', url: '/v1/topics', payload })).statusCode, 201);
    }
    const ids = async (query: string) => {
      const res = await api.json({ method: 'GET', url: `/v1/topics${query}`, auth: false });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((x: { id: string }) => x.id);
    };

    assert.deepEqual(await ids(''), ['afghan-refugees', 'bisham-attack', 'counter-terrorism', 'migration', 'talks-with-ttp', 'ttp']);
    assert.deepEqual(await ids('?parent=counter-terrorism'), ['bisham-attack', 'ttp']);
    assert.deepEqual(await ids('?parent=ttp,migration'), ['afghan-refugees', 'talks-with-ttp']);
    assert.deepEqual(await ids('?root=true'), ['counter-terrorism', 'migration']);
    assert.deepEqual(await ids('?within=counter-terrorism'), ['bisham-attack', 'counter-terrorism', 'talks-with-ttp', 'ttp']);
    assert.deepEqual(await ids('?within=ttp'), ['talks-with-ttp', 'ttp']);
    assert.deepEqual(await ids('?within=talks-with-ttp,migration'), ['afghan-refugees', 'migration', 'talks-with-ttp']);
    assert.deepEqual(await ids('?within=no-such-topic'), []);
    assert.deepEqual(await ids('?within=counter-terrorism&root=true'), ['counter-terrorism']);
    assert.deepEqual(await ids('?sort=-name&root=true'), ['migration', 'counter-terrorism']);

    const counted = await api.json({ method: 'GET', url: '/v1/topics?within=counter-terrorism&count=true&limit=3' });
    assert.equal(counted.body.total, 4);
    assert.equal(counted.body.data.length, 3);
    assert.equal(typeof counted.body.nextCursor, 'string');
    const rest = await api.json({ method: 'GET', url: `/v1/topics?within=counter-terrorism&limit=3&cursor=${counted.body.nextCursor}` });
    assert.deepEqual(
      rest.body.data.map((x: { id: string }) => x.id),
      ['ttp'],
    );
    assert.equal(rest.body.nextCursor, null);
    const problem = assertProblem(
      await api.json({ method: 'GET', url: `/v1/topics?within=migration&limit=3&cursor=${counted.body.nextCursor}` }),
      400,
      'INVALID_CURSOR',
    );
    assert.equal(fieldError(problem, '/cursor').in, 'query');

    for (const query of ['root=maybe', 'within=Not%20A%20Slug', 'parent=a,,b', 'foo=1', 'limit=0', 'sort=bogus']) {
      const bad = assertProblem(await api.json({ method: 'GET', url: `/v1/topics?${query}` }), 400, 'VALIDATION_FAILED');
      assert.deepEqual(
        bad.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
        [['query', `/${query.split('=')[0]}`]],
        query,
      );
    }
  }
});

test('topics: validation, trimming, Unicode, and the tree rules (unknown parent, cycles, delete while referenced)', async (t) => {
  const api = await makeApp(t);

  // Validation: unknown fields, types, empty text, ids, repeats; trimmed and exact text.
  {
    const post = (payload: Record<string, unknown>) => api.json({ method: 'POST', url: '/v1/topics', payload });

    let problem = assertProblem(await post({ name: 'x', foo: 1 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/foo'), { in: 'body', path: '/foo', message: 'is not a known field' });
    problem = assertProblem(await post({ id: 'five', name: 5 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must be string' });
    problem = assertProblem(await post({ name: '   ' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must not be empty' });
    problem = assertProblem(await post({ id: 'Talks With TTP', name: 'x' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/id').in, 'body');
    problem = assertProblem(await post({ name: 'x', aliases: ['Besham', 'Besham'] }), 400, 'VALIDATION_FAILED');
    assert.match(fieldError(problem, '/aliases').message, /must not repeat/);
    problem = assertProblem(await post({ name: 'x', parentId: 7 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/parentId'), { in: 'body', path: '/parentId', message: 'must be string or null' });
    assertProblem(await api.json({ method: 'GET', url: '/v1/topics/five' }), 404, 'NOT_FOUND');
    assert.deepEqual((await api.json({ method: 'GET', url: '/v1/topics' })).body.data, []);

    const created = await post({ id: 'kashmir', name: '  Jammu and Kashmir\n', description: '  جموں و کشمیر — “disputed territory”  ' });
    assert.equal(created.status, 201);
    assert.equal(created.body.name, 'Jammu and Kashmir');
    assert.equal(created.body.description, 'جموں و کشمیر — “disputed territory”');

    for (const payload of [{}, { id: 'other' }, { name: '  ' }, { nope: true }]) {
      problem = assertProblem(await api.json({ method: 'PATCH', url: '/v1/topics/kashmir', payload }), 400, 'VALIDATION_FAILED');
      assert.equal(problem.errors?.[0]?.in, 'body');
    }
    assert.equal((await api.json({ method: 'GET', url: '/v1/topics/kashmir' })).body.version, 1);
  }

  // Tree rules: unknown parent 422, cycles 422, delete refused while referenced.
  {
    await seedMinimal(api); // counter-terrorism → ttp → talks-with-ttp; migration

    let problem = assertProblem(
      await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'lost', name: 'Lost', parentId: 'nowhere' } }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.deepEqual(
      problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
      [['body', '/parentId']],
    );
    assert.match(fieldError(problem, '/parentId').message, /nowhere/);
    assertProblem(await api.json({ method: 'GET', url: '/v1/topics/lost' }), 404, 'NOT_FOUND');

    // a → b, then b as a's parent; a topic as its own parent; a grandchild as the root's parent.
    await api.request({ method: 'POST', url: '/v1/topics', payload: { id: 'a', name: 'A' } });
    await api.request({ method: 'POST', url: '/v1/topics', payload: { id: 'b', name: 'B', parentId: 'a' } });
    for (const [id, parentId] of [
      ['a', 'b'],
      ['a', 'a'],
      ['counter-terrorism', 'talks-with-ttp'],
    ] as const) {
      problem = assertProblem(await api.json({ method: 'PATCH', url: `/v1/topics/${id}`, payload: { parentId } }), 422, 'INVALID_RECORD');
      assert.equal(fieldError(problem, '/parentId').in, 'body');
      const unchanged = await api.json({ method: 'GET', url: `/v1/topics/${id}` });
      assert.equal(unchanged.body.parentId, null);
      assert.equal(unchanged.body.version, 1);
    }

    // Deleting a topic that has children, or that a statement is about, is refused and names them.
    problem = assertProblem(await api.json({ method: 'DELETE', url: '/v1/topics/counter-terrorism' }), 409, 'STILL_REFERENCED');
    assert.deepEqual(problem.referencedBy, [{ collection: 'topics', field: 'parentId', ids: ['ttp'] }]);
    const statement = await api.json({
      method: 'POST',
      url: '/v1/statements',
      payload: {
        id: 's1',
        text: 'No talks with the TTP.',
        kind: 'paraphrase',
        speakerId: 'pakistan',
        sourceIds: ['report'],
        topicIds: ['talks-with-ttp'],
      },
    });
    assert.equal(statement.status, 201, JSON.stringify(statement.body));
    problem = assertProblem(await api.json({ method: 'DELETE', url: '/v1/topics/talks-with-ttp' }), 409, 'STILL_REFERENCED');
    assert.deepEqual(problem.referencedBy, [{ collection: 'statements', field: 'topicIds', ids: ['s1'] }]);
    assert.equal((await api.json({ method: 'GET', url: '/v1/topics/talks-with-ttp' })).status, 200);
    assert.equal((await api.json({ method: 'GET', url: '/v1/topics/counter-terrorism' })).status, 200);

    assert.equal((await api.request({ method: 'DELETE', url: '/v1/topics/b' })).statusCode, 204);
    assert.equal((await api.request({ method: 'DELETE', url: '/v1/topics/a' })).statusCode, 204);
  }
});
