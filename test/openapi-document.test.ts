// The OpenAPI document as a product: committed as served, every operation described, every problem declared
// with its codes, every example valid against its schema and true of the seeded server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ERROR_CODES, ERRORS } from '../src/lib/errors.js';
import { OPENAPI_FILE } from '../src/lib/paths.js';
import { servedOpenApi } from '../src/openapi-document.js';
import { type OpenApiDocument, pointer, resolveResponse, validatorAt } from './contract.js';
import { makeApp, sharedApp, type TestApp } from './helpers.js';

interface Media {
  schema?: { allOf?: [{ $ref?: string }, { properties?: { code?: { enum?: string[] } } }] };
  examples?: Record<string, { summary?: string; description?: string; value: unknown }>;
}
interface Operation {
  operationId: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; description?: string }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description?: string; headers?: Record<string, { description?: string }>; content?: Record<string, Media> }>;
}

/** Codes no operation raises today: fallbacks the error handler maps generic 405 and 406 errors to. */
const NOT_RAISED = new Set(['METHOD_NOT_ALLOWED', 'NOT_ACCEPTABLE']);
const PROBES = new Set(['/health', '/ready']);
const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

/** The document an app serves, and its operations with their responses resolved. */
async function documentOf(api: TestApp) {
  await api.app.ready();
  const document = api.app.swagger() as unknown as OpenApiDocument & { paths: Record<string, Record<string, Operation>> };
  // Responses shared under components/responses are read where they are, with their pointer.
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, declared]) => {
      const at: Record<string, string> = {};
      const responses: Operation['responses'] = {};
      for (const [status, response] of Object.entries(declared.responses)) {
        const resolved = resolveResponse(document, pointer('paths', path, method, 'responses', status), response);
        at[status] = resolved.at;
        responses[status] = resolved.response as Operation['responses'][string];
      }
      return { path, method, operation: { ...declared, responses }, at, name: `${method.toUpperCase()} ${path}` };
    }),
  );
  return { document, operations };
}

function codesOf(operation: Operation): string[] {
  return Object.values(operation.responses).flatMap(
    (response) => response.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.enum ?? [],
  );
}

test('openapi/openapi.json matches what the app serves (run `npm run openapi` after changing a schema)', async () => {
  assert.equal(readFileSync(OPENAPI_FILE, 'utf8'), await servedOpenApi());
});

describe('the served document', () => {
  // Reading the document changes nothing: one app serves these tests.
  const app = sharedApp(async () => {});

  test('is OpenAPI 3.1 and names its components (no generated def-N names)', async () => {
    const { document } = await documentOf(app());
    assert.equal((document as unknown as { openapi: string }).openapi, '3.1.0');
    for (const name of ['Statement', 'StatementCreate', 'StatementPatch', 'Position', 'Problem', 'Bundle']) {
      assert.ok(document.components.schemas[name], `component ${name}`);
    }
    assert.ok(!Object.keys(document.components.schemas).some((k) => k.startsWith('def-')));
  });

  test('every operation is described: id, tag, summary, description, each parameter and each response', async () => {
    const { operations } = await documentOf(app());
    assert.ok(operations.length >= 38, `${operations.length} operations`);
    const operationIds = new Set<string>();
    for (const { name, operation } of operations) {
      assert.match(operation.operationId, /^[a-z][A-Za-z]+$/, `${name} operationId`);
      assert.ok(!operationIds.has(operation.operationId), `${operation.operationId} is unique`);
      operationIds.add(operation.operationId);
      assert.equal(operation.tags?.length, 1, `${name} has one tag`);
      assert.ok(operation.summary, `${name} summary`);
      assert.ok(operation.description && operation.description.length > 20, `${name} description`);
      for (const parameter of operation.parameters ?? []) {
        assert.ok(parameter.description, `${name} ${parameter.in} parameter ${parameter.name} is described`);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        assert.ok(response.description && response.description !== 'Default Response', `${name} ${status} description`);
        for (const [header, value] of Object.entries(response.headers ?? {})) assert.ok(value.description, `${name} ${status} ${header}`);
      }
    }
  });

  test('reads are public and say so; writes need the bearer key and declare what a key can be refused with', async () => {
    const { operations } = await documentOf(app());
    for (const { name, method, path, operation } of operations) {
      if (method === 'get') {
        assert.deepEqual(operation.security, [], `${name} is public`);
        continue;
      }
      assert.deepEqual(operation.security, [{ bearerAuth: [] }], `${name} needs the key`);
      for (const status of ['401', '403', '413', '415', '507']) assert.ok(operation.responses[status], `${name} declares ${status}`);
      if (method === 'post') {
        assert.ok(
          operation.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'),
          `${name} takes Idempotency-Key`,
        );
        for (const code of ['IDEMPOTENCY_IN_PROGRESS', 'IDEMPOTENCY_KEY_REUSED']) {
          assert.ok(codesOf(operation).includes(code), `${name} declares ${code}`);
        }
      }
      assert.ok(path.startsWith('/v1/'), `${name}: writes live under /v1`);
    }
  });

  test('every problem response is application/problem+json, narrows `code` to the codes it lists, and shows each', async () => {
    const { operations } = await documentOf(app());
    const declared = new Set<string>();
    for (const { name, path, operation } of operations) {
      for (const status of ['429', '500', '503']) assert.ok(operation.responses[status], `${name} declares ${status}`);
      if (path.startsWith('/v1/')) assert.ok(operation.responses['400'], `${name} declares 400`);
      if (!PROBES.has(path)) {
        assert.ok(
          Object.keys(operation.responses).some((s) => s.startsWith('4') && s !== '429'),
          `${name} declares a 4xx of its own`,
        );
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${name} ${status} media type`);
        const media = response.content?.['application/problem+json'] as Media;
        assert.equal(media.schema?.allOf?.[0]?.$ref, '#/components/schemas/Problem', `${name} ${status} is a Problem`);
        const codes = media.schema?.allOf?.[1]?.properties?.code?.enum ?? [];
        assert.ok(codes.length > 0, `${name} ${status} lists its codes`);
        for (const code of codes) {
          declared.add(code);
          assert.equal(String(ERRORS[code as keyof typeof ERRORS]?.status), status, `${name}: ${code} belongs to ${status}`);
          assert.ok(response.description?.includes(`\`${code}\``), `${name} ${status} describes ${code}`);
        }
        assert.deepEqual(Object.keys(media.examples ?? {}).sort(), [...codes].sort(), `${name} ${status}: an example of each code`);
      }
    }
    const undeclared = ERROR_CODES.filter((code) => !declared.has(code) && !NOT_RAISED.has(code));
    assert.deepEqual(undeclared, [], 'every code of the catalogue is declared where it can occur');
  });

  test('every JSON body and JSON response has examples, and each example is valid against its schema', async () => {
    const { document, operations } = await documentOf(app());
    let checked = 0;
    for (const { name, path, method, operation, at } of operations) {
      const medias: [string, string, Media][] = [];
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        medias.push([`${name} request ${type}`, pointer('paths', path, method, 'requestBody', 'content', type, 'schema'), media]);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          medias.push([`${name} ${status} ${type}`, `${at[status]}${pointer('content', type, 'schema')}`, media]);
        }
      }
      for (const [where, at, media] of medias) {
        if (!isJson(where.split(' ').pop() ?? '')) continue;
        assert.ok(Object.keys(media.examples ?? {}).length > 0, `${where} has examples`);
        const validate = validatorAt(document, at);
        for (const [key, example] of Object.entries(media.examples ?? {})) {
          assert.ok(example.summary, `${where} example ${key} has a summary`);
          assert.ok(validate(example.value), `${where} example ${key}: ${JSON.stringify(validate.errors)}`);
          checked += 1;
        }
      }
    }
    assert.ok(checked > 300, `${checked} examples checked`);
  });
});

const IGNORED = new Set(['createdAt', 'updatedAt', 'at', 'score', 'position', 'next']);
/** The value without what differs from one run to the next: timestamps, relevance scores, opaque feed positions. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !IGNORED.has(k))
      .map(([k, v]) => [k, stable(v)]),
  );
}

test('the examples that say they are answers of the seeded server are what it answers', async (t) => {
  const api = await makeApp(t, { seed: true });
  const { operations } = await documentOf(api);
  const replays = operations.flatMap(({ operation }) =>
    Object.entries(operation.responses).flatMap(([status, response]) =>
      Object.entries(response.content?.['application/json']?.examples ?? {}).flatMap(([key, example]) => {
        const request =
          /^Answer to `(GET|PATCH|POST) ([^`]+)`( with the example (?:body|bundle))?,? on (the seeded server|any server|an empty database)\.$/.exec(
            example.description ?? '',
          );
        if (!request) return [];
        const [, method, url, withBody, server] = request as unknown as [string, 'GET' | 'PATCH' | 'POST', string, string?, string?];
        const payload = withBody ? operation.requestBody?.content['application/json']?.examples?.[key]?.value : undefined;
        assert.ok(!withBody || payload, `${method} ${url}: the request example ${key}`);
        return [{ method, url, payload, status, key, example, empty: server === 'an empty database' }];
      }),
    ),
  );
  // Reads first: the writes change the seeded records they read.
  replays.sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));
  for (const { method, url, payload, status, key, example, empty } of replays) {
    const target: TestApp = empty ? await makeApp(t) : api;
    const answer = await target.json({ method, url, ...(payload ? { payload: payload as object } : {}) });
    assert.equal(String(answer.status), status, `${method} ${url}: ${JSON.stringify(answer.body)}`);
    assert.deepEqual(stable(answer.body), stable(example.value), `${method} ${url} answers example ${key}`);
  }
  assert.ok(replays.length >= 25, `${replays.length} examples replayed`);
});
