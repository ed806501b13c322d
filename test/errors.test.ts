// The shared HTTP layer: request ids, problem documents and their types, probes, media types and body limits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertProblem, UUID } from './assertions.js';
import { makeApp, sharedApp, type TestApp } from './helpers.js';

type Options = Parameters<TestApp['json']>[0];

/** Pakistan and its child FO: enough for one problem of each kind the CRUD routes answer. */
async function actorWorld(api: TestApp): Promise<void> {
  await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Pakistan', kind: 'state' } });
  await api.request({
    method: 'POST',
    url: '/v1/actors',
    payload: { id: 'fo', name: 'FO', kind: 'governmentBody', parentId: 'pakistan' },
  });
}

describe('problem types and probes', () => {
  const shared = sharedApp(actorWorld);

  test('a problem type resolves at /problems/<type> to its code, status and title', async () => {
    const notFound = await shared().json({ method: 'GET', url: '/problems/not-found' });
    assert.equal(notFound.status, 200);
    assert.deepEqual(notFound.body, { type: '/problems/not-found', code: 'NOT_FOUND', status: 404, title: 'No such resource' });
  });

  // One problem of each kind the CRUD routes answer; each `type` is followed.
  const problems: [number, string, Options][] = [
    [404, 'NOT_FOUND', { method: 'GET', url: '/v1/actors/nobody' }],
    [404, 'ROUTE_NOT_FOUND', { method: 'GET', url: '/v2/actors' }],
    [400, 'VALIDATION_FAILED', { method: 'GET', url: '/v1/actors?foo=1' }],
    [400, 'INVALID_CURSOR', { method: 'GET', url: '/v1/actors?cursor=garbage' }],
    [401, 'UNAUTHORIZED', { method: 'DELETE', url: '/v1/actors/fo', auth: false }],
    [409, 'ID_TAKEN', { method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'P', kind: 'state' } }],
    [409, 'STILL_REFERENCED', { method: 'DELETE', url: '/v1/actors/pakistan' }],
    [412, 'PRECONDITION_FAILED', { method: 'PATCH', url: '/v1/actors/fo', headers: { 'if-match': '"9"' }, payload: { name: 'x' } }],
    [
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      { method: 'POST', url: '/v1/actors', headers: { 'content-type': 'application/xml' }, payload: '<actor/>' },
    ],
    [422, 'UNKNOWN_REFERENCE', { method: 'PATCH', url: '/v1/actors/fo', payload: { parentId: 'ghost' } }],
    [422, 'INVALID_RECORD', { method: 'PATCH', url: '/v1/actors/pakistan', payload: { parentId: 'fo' } }],
  ];
  for (const [status, code, options] of problems) {
    test(`the type of a ${status} ${code} problem resolves to its code, status and title`, async () => {
      const api = shared();
      const problem = assertProblem(await api.json(options), status, code);
      const described = await api.json({ method: 'GET', url: problem.type, auth: false });
      assert.equal(described.status, 200, problem.type);
      assert.deepEqual(described.body, { type: problem.type, code: problem.code, status: problem.status, title: problem.title });
    });
  }

  test('an unknown problem type is a 404 problem', async () => {
    const unknownType = await shared().json({ method: 'GET', url: '/problems/no-such-problem' });
    assert.equal(unknownType.status, 404);
    assert.match(String(unknownType.headers['content-type']), /^application\/problem\+json/);
  });

  test('an unknown route names the method and path it was asked for', async () => {
    const route = assertProblem(await shared().json({ method: 'DELETE', url: '/v1/nowhere/at-all?x=1' }), 404, 'ROUTE_NOT_FOUND');
    assert.match(route.detail, /DELETE \/v1\/nowhere\/at-all/);
    assert.equal(route.instance, '/v1/nowhere/at-all');
  });

  test('/health answers ok', async () => {
    const health = await shared().json({ method: 'GET', url: '/health' });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
  });

  test('/ready answers ready', async () => {
    const ready = await shared().json({ method: 'GET', url: '/ready' });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready' });
  });
});

describe('X-Request-Id', () => {
  // One response of each kind, the last four problems; the actor created is the only write, made before the tests.
  let responses: Awaited<ReturnType<TestApp['request']>>[] = [];
  const shared = sharedApp(async (api) => {
    await actorWorld(api);
    responses = [
      await api.request({ method: 'GET', url: '/health' }),
      await api.request({ method: 'GET', url: '/v1/actors' }),
      await api.request({ method: 'GET', url: '/v1/actors/pakistan' }),
      await api.request({ method: 'GET', url: '/v1/actors/pakistan', headers: { 'if-none-match': '"1"' } }),
      await api.request({ method: 'POST', url: '/v1/actors', payload: { name: 'x', kind: 'state' } }),
      await api.request({ method: 'GET', url: '/v1/actors/nobody' }),
      await api.request({ method: 'GET', url: '/v1/nowhere' }),
      await api.request({ method: 'GET', url: '/v1/actors?limit=0' }),
      await api.request({ method: 'POST', url: '/v1/actors', auth: false, payload: { name: 'x', kind: 'state' } }),
    ];
  });

  test('every response carries one of ours, whatever its status', () => {
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [200, 200, 200, 304, 201, 404, 404, 400, 401],
    );
    for (const r of responses) assert.match(String(r.headers['x-request-id']), UUID);
  });

  test('each request gets its own id', () => {
    const ids = responses.map((r) => String(r.headers['x-request-id']));
    assert.equal(new Set(ids).size, ids.length, 'each request gets its own id');
  });

  test("a problem's requestId is its X-Request-Id", () => {
    for (const r of responses.slice(5)) assert.equal(JSON.parse(r.body).requestId, r.headers['x-request-id']);
  });

  test("the caller's own id comes back, in the header and in a problem's requestId", async () => {
    const api = shared();
    const mine = await api.json({ method: 'GET', url: '/v1/actors/nobody', headers: { 'x-request-id': 'client-req.42:abc_DEF' } });
    assert.equal(mine.headers['x-request-id'], 'client-req.42:abc_DEF');
    assert.equal(assertProblem(mine, 404, 'NOT_FOUND').requestId, 'client-req.42:abc_DEF');
    const ok = await api.request({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(ok.headers['x-request-id'], 'abc-123');
  });

  for (const [what, given] of [
    ['spaces', 'has spaces'],
    ['markup', '<script>'],
    ['over 100 characters', 'x'.repeat(101)],
  ]) {
    test(`an id of the caller's with ${what} is replaced by one of ours`, async () => {
      const res = await shared().request({ method: 'GET', url: '/health', headers: { 'x-request-id': given } });
      assert.match(String(res.headers['x-request-id']), UUID, given);
    });
  }
});

describe('bodies must be JSON objects of sane size', () => {
  const json = { 'content-type': 'application/json' };
  const form: Options = {
    method: 'POST',
    url: '/v1/topics',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'name=Bisham',
  };
  const text: Options = { method: 'POST', url: '/v1/topics', headers: { 'content-type': 'text/plain' }, payload: 'name=Bisham' };
  const malformed: Options = { method: 'POST', url: '/v1/topics', headers: json, payload: '{"name": "x",}' };
  const empty: Options = { method: 'POST', url: '/v1/topics', headers: json, payload: '' };
  const notObjects = ['[{"name":"x"}]', '"x"', 'null', '42'];
  const huge: Options = { method: 'POST', url: '/v1/topics', payload: { name: 'big', description: 'x'.repeat(1_100_000) } };

  describe('refused', () => {
    const shared = sharedApp(async () => {});

    test('a form body is a 415 that names application/json', async () => {
      const problem = assertProblem(await shared().json(form), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(problem.detail, /application\/json/);
    });

    test('text/plain is a 415 too, not a body that "must be object"', async () => {
      const problem = assertProblem(await shared().json(text), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(problem.detail, /application\/json/);
    });

    test('malformed JSON is a 400 that says so, in the body', async () => {
      const invalid = assertProblem(await shared().json(malformed), 400, 'VALIDATION_FAILED');
      assert.match(invalid.detail, /not valid JSON/);
      assert.equal(invalid.errors?.[0]?.in, 'body');
    });

    test('an empty JSON body is a 400 in the body', async () => {
      assert.equal(assertProblem(await shared().json(empty), 400, 'VALIDATION_FAILED').errors?.[0]?.in, 'body');
    });

    for (const payload of notObjects) {
      test(`JSON that is not an object is a 400 in the body: ${payload}`, async () => {
        const res = await shared().json({ method: 'POST', url: '/v1/topics', headers: json, payload });
        const problem = assertProblem(res, 400, 'VALIDATION_FAILED');
        assert.equal(problem.errors?.[0]?.in, 'body', payload);
      });
    }

    test('a body over the size limit is a 413', async () => {
      assert.equal(assertProblem(await shared().json(huge), 413, 'PAYLOAD_TOO_LARGE').status, 413);
    });
  });

  test('JSON with a charset is accepted, and no refused body is stored', async (t) => {
    const api = await makeApp(t);
    const withCharset = await api.json({
      method: 'POST',
      url: '/v1/topics',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ id: 'bisham', name: 'Bisham' }),
    });
    assert.equal(withCharset.status, 201);
    for (const refused of [form, text, malformed, empty, huge]) await api.request(refused);
    for (const payload of notObjects) await api.request({ method: 'POST', url: '/v1/topics', headers: json, payload });
    const list = await api.json({ method: 'GET', url: '/v1/topics' });
    assert.deepEqual(
      list.body.data.map((x: { id: string }) => x.id),
      ['bisham'],
    );
  });
});

describe("validation problems say where the bad value is in OpenAPI's words", () => {
  const shared = sharedApp(async () => {});
  const where = async (options: Options) =>
    (assertProblem(await shared().json(options), 400, 'VALIDATION_FAILED').errors ?? []).map((e) => [e.in, e.path]);

  test('a bad or unknown query parameter is in query, at its name', async () => {
    assert.deepEqual(await where({ method: 'GET', url: '/v1/actors?limit=0' }), [['query', '/limit']]);
    assert.deepEqual(await where({ method: 'GET', url: '/v1/actors?nope=1' }), [['query', '/nope']]);
  });

  test('a bad path parameter is in path', async () => {
    assert.deepEqual(await where({ method: 'GET', url: '/v1/actors/Not_A_Slug' }), [['path', '/id']]);
  });

  test('a missing body field is in body', async () => {
    assert.deepEqual(await where({ method: 'POST', url: '/v1/topics', payload: { id: 'x' } }), [['body', '/name']]);
  });

  test('a bad header is in header', async () => {
    assert.deepEqual(
      await where({ method: 'POST', url: '/v1/topics', headers: { 'idempotency-key': ' ' }, payload: { id: 'x', name: 'X' } }),
      [['header', '/idempotency-key']],
    );
  });

  test('a bad cursor is in query', async () => {
    const cursor = await shared().json({ method: 'GET', url: '/v1/actors?cursor=garbage' });
    assert.deepEqual(
      cursor.body.errors.map((e: { in: string }) => e.in),
      ['query'],
    );
  });
});
