// The contract check the helpers run on every answer is not vacuous: it refuses what the document does not declare.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { UUID } from './assertions.js';
import { assertDeclared, type OpenApiDocument } from './contract.js';
import { makeApp } from './helpers.js';
import { exchange } from './raw-http.js';

const answer = (statusCode: number, contentType: string | undefined, body: unknown) =>
  ({
    statusCode,
    headers: contentType ? { 'content-type': contentType } : {},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }) as unknown as LightMyRequestResponse;

const problem = (status: number, code: string) => ({
  type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`,
  title: 'A title',
  status,
  detail: 'A detail.',
  code,
  requestId: 'r-1',
});

test('the contract check accepts declared answers and refuses undeclared statuses, media types and bodies', async (t) => {
  const api = await makeApp(t);
  // A real answer passes through the helpers' own check.
  const list = await api.request({ method: 'GET', url: '/v1/actors?limit=2' });
  assert.equal(list.statusCode, 200);
  const document = api.app.swagger() as unknown as OpenApiDocument;
  const check =
    (url: string, response: LightMyRequestResponse, method = 'GET') =>
    () =>
      assertDeclared(document, { method, url }, response);
  const json = 'application/json; charset=utf-8';
  const problemJson = 'application/problem+json; charset=utf-8';

  check('/v1/actors', answer(200, json, { data: [], nextCursor: null }))();
  check('/v1/actors?kind=state', answer(400, problemJson, { ...problem(400, 'VALIDATION_FAILED'), errors: [] }))();
  check('/v1/actors/ttp', answer(304, undefined, ''))();
  check('/v1/actors/ttp', answer(204, undefined, ''), 'DELETE')();
  check('/v1/nothing-here', answer(404, problemJson, problem(404, 'ROUTE_NOT_FOUND')))();
  check('/v1/actors/ttp', answer(404, problemJson, problem(404, 'ROUTE_NOT_FOUND')), 'PUT')();

  assert.throws(check('/v1/actors', answer(418, json, {})), /status 418 is not declared for GET \/v1\/actors/);
  assert.throws(check('/v1/actors', answer(201, json, {})), /status 201 is not declared/);
  assert.throws(check('/v1/actors', answer(200, 'text/html', '<p>')), /Content-Type text\/html is not declared/);
  assert.throws(check('/v1/actors', answer(200, 'text/csv', 'id\n')), /Content-Type text\/csv is not declared/);
  assert.throws(check('/v1/actors', answer(200, json, { data: [{ id: 'x' }], nextCursor: null })), /does not match the OpenAPI document/);
  assert.throws(check('/v1/actors', answer(200, json, 'not json')), /not JSON/);
  // Problems are application/problem+json, and only with the codes declared for their status there.
  assert.throws(
    check('/v1/actors', answer(400, json, problem(400, 'VALIDATION_FAILED'))),
    /Content-Type application\/json is not declared/,
  );
  assert.throws(check('/v1/actors/ttp', answer(404, problemJson, problem(404, 'ROUTE_NOT_FOUND'))), /code must be equal to one of/);
  assert.throws(check('/v1/actors/ttp', answer(204, undefined, 'body'), 'DELETE'), /declares no body/);
  // A path no operation has must answer 404 ROUTE_NOT_FOUND.
  assert.throws(check('/v1/nothing-here', answer(200, json, {})), /no operation in the OpenAPI document matches/);
  assert.throws(check('/v1/nothing-here', answer(404, problemJson, problem(404, 'NOT_FOUND'))), /code/);
  // Exports: the media type is checked, not the stream.
  check('/v1/statements?format=csv', answer(200, 'text/csv; charset=utf-8', 'id,statedOn\n'))();
  check('/v1/statements?format=ndjson', answer(200, 'application/x-ndjson; charset=utf-8', '{"id":"a"}\n{"id":"b"}\n'))();
});

test('a URL that is not valid percent-encoding is a declared problem too, with its X-Request-Id', async (t) => {
  const api = await makeApp(t);
  const response = await api.request({ method: 'GET', url: '/v1/actors/%zz' });
  assert.equal(response.statusCode, 400);
  assert.equal(response.json().code, 'VALIDATION_FAILED');
  assert.ok(response.headers['x-request-id']);
});

/** What the HTTP server refuses before routing, sent raw to a listening server; each answer as inject would give it. */
test('requests refused before routing (oversized URL or headers, malformed, headers too slow) are declared problems with a request id', async (t) => {
  const api = await makeApp(t);
  const dir = mkdtempSync(join(tmpdir(), 'statements-refusals-'));
  const app = await buildApp({ databasePath: join(dir, 'db'), logLevel: 'silent', authDisabled: false, seed: false, bodyTimeoutMs: 1000 });
  t.after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  await api.app.ready();
  const document = api.app.swagger() as unknown as OpenApiDocument;
  const cases: [string, string, string, number, string, { drip?: string }?][] = [
    [
      'a 16 KB id in a path',
      `/v1/actors/${'a'.repeat(16 * 1024)}`,
      `GET /v1/actors/${'a'.repeat(16 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    [
      'a 20 KB header',
      '/v1/actors',
      `GET /v1/actors HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
    ['a bad Content-Length', '/v1/topics', 'POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'VALIDATION_FAILED'],
    ['not HTTP', '/v1/actors', 'GET /v1/actors NOT-HTTP\r\n\r\n', 400, 'VALIDATION_FAILED'],
    ['headers trickled', '/v1/actors', 'GET /v1/actors HTTP/1.1\r\nHost: x\r\n', 408, 'REQUEST_TIMEOUT', { drip: 'X: y\r\n' }],
  ];
  for (const [what, url, raw, status, code, options] of cases) {
    const answer = await exchange(port, raw, options);
    assert.equal(answer.status, status, `${what}: ${answer.text.slice(0, 300)}`);
    assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/, what);
    assert.match(answer.headers['x-request-id'] ?? '', UUID, what);
    assert.equal(answer.headers.connection, 'close', what);
    const problem = JSON.parse(answer.body);
    assert.equal(problem.code, code, what);
    assert.equal(problem.requestId, answer.headers['x-request-id'], what);
    // Declared by the operation the request was aimed at, like any other answer.
    const method = raw.split(' ')[0] as string;
    assertDeclared(document, { method: method as 'GET', url }, {
      statusCode: answer.status,
      headers: answer.headers,
      body: answer.body,
    } as unknown as LightMyRequestResponse);
  }
});

test('every operation of the document answers within what it declares: as asked, with an unknown query parameter, with a made-up key', async (t) => {
  const api = await makeApp(t, { seed: true });
  await api.app.ready();
  const document = api.app.swagger() as unknown as OpenApiDocument & {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>>;
  };
  const filler: Record<string, string> = { collection: 'actors', type: 'not-found', id: 'no-such-record' };
  let operations = 0;
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      operations += 1;
      const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => filler[name] ?? 'x');
      const required = (operation.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=ttp`);
      const query = (extra: string[]) => ([...required, ...extra].length > 0 ? `?${[...required, ...extra].join('&')}` : '');
      const body = ['post', 'patch'].includes(method) ? { payload: {} } : {};
      const ask = { method: method.toUpperCase() as 'GET', ...body };
      // api.request checks each answer against the document.
      await api.request({ ...ask, url: `${path}${query([])}` });
      const unknown = await api.request({ ...ask, url: `${path}${query(['no-such-parameter=1'])}` });
      assert.ok([400, 401, 404].includes(unknown.statusCode), `${method} ${template}?no-such-parameter → ${unknown.statusCode}`);
      const madeUp = await api.request({
        ...ask,
        url: `${path}${query([])}`,
        auth: false,
        headers: { authorization: 'Bearer dsa_made-up' },
      });
      assert.equal(madeUp.statusCode, 401, `${method} ${template} with a made-up key`);
    }
  }
  assert.ok(operations >= 30, `${operations} operations`);
});
