// The shared HTTP layer: request ids, problem documents and their types, probes, media types and body limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProblem, UUID } from './assertions.js';
import { makeApp } from './helpers.js';

/** Asserts an RFC 9457 problem with this status and code, and returns its body. */
test('problem types resolve, probes answer, and every response carries X-Request-Id', async (t) => {
  const api = await makeApp(t);

  // Problem types resolve at /problems/<type>; probes answer.
  {
    const notFound = await api.json({ method: 'GET', url: '/problems/not-found' });
    assert.equal(notFound.status, 200);
    assert.deepEqual(notFound.body, { type: '/problems/not-found', code: 'NOT_FOUND', status: 404, title: 'No such resource' });

    // Make one problem of each kind the CRUD routes answer, and follow each `type`.
    await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Pakistan', kind: 'state' } });
    await api.request({
      method: 'POST',
      url: '/v1/actors',
      payload: { id: 'fo', name: 'FO', kind: 'governmentBody', parentId: 'pakistan' },
    });
    const problems = [
      assertProblem(await api.json({ method: 'GET', url: '/v1/actors/nobody' }), 404, 'NOT_FOUND'),
      assertProblem(await api.json({ method: 'GET', url: '/v2/actors' }), 404, 'ROUTE_NOT_FOUND'),
      assertProblem(await api.json({ method: 'GET', url: '/v1/actors?foo=1' }), 400, 'VALIDATION_FAILED'),
      assertProblem(await api.json({ method: 'GET', url: '/v1/actors?cursor=garbage' }), 400, 'INVALID_CURSOR'),
      assertProblem(await api.json({ method: 'DELETE', url: '/v1/actors/fo', auth: false }), 401, 'UNAUTHORIZED'),
      assertProblem(
        await api.json({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'P', kind: 'state' } }),
        409,
        'ID_TAKEN',
      ),
      assertProblem(await api.json({ method: 'DELETE', url: '/v1/actors/pakistan' }), 409, 'STILL_REFERENCED'),
      assertProblem(
        await api.json({ method: 'PATCH', url: '/v1/actors/fo', headers: { 'if-match': '"9"' }, payload: { name: 'x' } }),
        412,
        'PRECONDITION_FAILED',
      ),
      assertProblem(
        await api.json({ method: 'POST', url: '/v1/actors', headers: { 'content-type': 'application/xml' }, payload: '<actor/>' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ),
      assertProblem(await api.json({ method: 'PATCH', url: '/v1/actors/fo', payload: { parentId: 'ghost' } }), 422, 'UNKNOWN_REFERENCE'),
      assertProblem(await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { parentId: 'fo' } }), 422, 'INVALID_RECORD'),
    ];
    for (const problem of problems) {
      const described = await api.json({ method: 'GET', url: problem.type, auth: false });
      assert.equal(described.status, 200, problem.type);
      assert.deepEqual(described.body, { type: problem.type, code: problem.code, status: problem.status, title: problem.title });
    }
    const unknownType = await api.json({ method: 'GET', url: '/problems/no-such-problem' });
    assert.equal(unknownType.status, 404);
    assert.match(String(unknownType.headers['content-type']), /^application\/problem\+json/);

    // An unknown route names the method and path it was asked for.
    const route = assertProblem(await api.json({ method: 'DELETE', url: '/v1/nowhere/at-all?x=1' }), 404, 'ROUTE_NOT_FOUND');
    assert.match(route.detail, /DELETE \/v1\/nowhere\/at-all/);
    assert.equal(route.instance, '/v1/nowhere/at-all');

    const health = await api.json({ method: 'GET', url: '/health' });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await api.json({ method: 'GET', url: '/ready' });
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready' });
  }

  // X-Request-Id on every response; a sane one from the client is kept (pakistan exists from above).
  {
    const responses = [
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
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [200, 200, 200, 304, 201, 404, 404, 400, 401],
    );
    const ids = responses.map((r) => String(r.headers['x-request-id']));
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, ids.length, 'each request gets its own id');
    // In a problem, requestId is the header's value.
    for (const r of responses.slice(5)) assert.equal(JSON.parse(r.body).requestId, r.headers['x-request-id']);

    // The caller's own id comes back, in the header and in a problem's requestId.
    const mine = await api.json({ method: 'GET', url: '/v1/actors/nobody', headers: { 'x-request-id': 'client-req.42:abc_DEF' } });
    assert.equal(mine.headers['x-request-id'], 'client-req.42:abc_DEF');
    assert.equal(assertProblem(mine, 404, 'NOT_FOUND').requestId, 'client-req.42:abc_DEF');
    const ok = await api.request({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(ok.headers['x-request-id'], 'abc-123');

    // An id that is not sane (spaces, markup, too long) is replaced by one of ours.
    for (const given of ['has spaces', '<script>', 'x'.repeat(101)]) {
      const res = await api.request({ method: 'GET', url: '/health', headers: { 'x-request-id': given } });
      assert.match(String(res.headers['x-request-id']), UUID, given);
    }
  }
});

test('bodies must be JSON objects of sane size: 415, 413 and 400 problems, nothing stored', async (t) => {
  const api = await makeApp(t);

  const form = assertProblem(
    await api.json({
      method: 'POST',
      url: '/v1/topics',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Bisham',
    }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  );
  assert.match(form.detail, /application\/json/);

  // JSON with a charset is fine.
  const withCharset = await api.json({
    method: 'POST',
    url: '/v1/topics',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    payload: JSON.stringify({ id: 'bisham', name: 'Bisham' }),
  });
  assert.equal(withCharset.status, 201);

  const invalid = assertProblem(
    await api.json({ method: 'POST', url: '/v1/topics', headers: { 'content-type': 'application/json' }, payload: '{"name": "x",}' }),
    400,
    'VALIDATION_FAILED',
  );
  assert.match(invalid.detail, /not valid JSON/);
  assert.equal(invalid.errors?.[0]?.in, 'body');

  const empty = assertProblem(
    await api.json({ method: 'POST', url: '/v1/topics', headers: { 'content-type': 'application/json' }, payload: '' }),
    400,
    'VALIDATION_FAILED',
  );
  assert.equal(empty.errors?.[0]?.in, 'body');

  for (const payload of ['[{"name":"x"}]', '"x"', 'null', '42']) {
    const res = await api.json({ method: 'POST', url: '/v1/topics', headers: { 'content-type': 'application/json' }, payload });
    const problem = assertProblem(res, 400, 'VALIDATION_FAILED');
    assert.equal(problem.errors?.[0]?.in, 'body', payload);
  }

  const huge = assertProblem(
    await api.json({ method: 'POST', url: '/v1/topics', payload: { name: 'big', description: 'x'.repeat(1_100_000) } }),
    413,
    'PAYLOAD_TOO_LARGE',
  );
  assert.equal(huge.status, 413);

  const list = await api.json({ method: 'GET', url: '/v1/topics' });
  assert.deepEqual(
    list.body.data.map((x: { id: string }) => x.id),
    ['bisham'],
  );

  // text/plain is not JSON either: it is an unsupported media type, not a body that "must be object".
  const text = assertProblem(
    await api.json({ method: 'POST', url: '/v1/topics', headers: { 'content-type': 'text/plain' }, payload: 'name=Bisham' }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  );
  assert.match(text.detail, /application\/json/);
});

test("validation problems say where the bad value is in OpenAPI's words: query, path, header, body", async (t) => {
  const api = await makeApp(t);
  const where = async (options: Parameters<typeof api.json>[0]) =>
    (assertProblem(await api.json(options), 400, 'VALIDATION_FAILED').errors ?? []).map((e) => [e.in, e.path]);
  assert.deepEqual(await where({ method: 'GET', url: '/v1/actors?limit=0' }), [['query', '/limit']]);
  assert.deepEqual(await where({ method: 'GET', url: '/v1/actors?nope=1' }), [['query', '/nope']]);
  assert.deepEqual(await where({ method: 'GET', url: '/v1/actors/Not_A_Slug' }), [['path', '/id']]);
  assert.deepEqual(await where({ method: 'POST', url: '/v1/topics', payload: { id: 'x' } }), [['body', '/name']]);
  assert.deepEqual(
    await where({ method: 'POST', url: '/v1/topics', headers: { 'idempotency-key': ' ' }, payload: { id: 'x', name: 'X' } }),
    [['header', '/idempotency-key']],
  );
  const cursor = await api.json({ method: 'GET', url: '/v1/actors?cursor=garbage' });
  assert.deepEqual(
    cursor.body.errors.map((e: { in: string }) => e.in),
    ['query'],
  );
});
