// The contract check the helpers run on every answer is not vacuous: it refuses what the document does not declare.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { assertDeclared, type OpenApiDocument } from './contract.js';
import { makeApp } from './helpers.js';

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
