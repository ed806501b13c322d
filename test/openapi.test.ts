// The committed OpenAPI document is the one the app serves, and it names its components.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OPENAPI_FILE } from '../src/lib/paths.js';
import { servedOpenApi } from '../src/openapi-document.js';

test('openapi/openapi.json matches what the app serves (run `npm run openapi` after changing a schema)', async () => {
  const served = await servedOpenApi();
  assert.equal(readFileSync(OPENAPI_FILE, 'utf8'), served);
});

test('every operation has an operationId, a tag, a summary and its problem responses', async () => {
  const document = JSON.parse(await servedOpenApi());
  assert.equal(document.openapi, '3.1.0');
  for (const name of ['Statement', 'StatementCreate', 'StatementPatch', 'Position', 'Problem', 'Bundle']) {
    assert.ok(document.components.schemas[name], `component ${name}`);
  }
  assert.ok(!Object.keys(document.components.schemas).some((k) => k.startsWith('def-')));
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      assert.ok(operation.operationId, `${method} ${path} operationId`);
      assert.ok(!operationIds.has(operation.operationId), `${operation.operationId} is unique`);
      operationIds.add(operation.operationId);
      assert.ok(operation.tags?.length, `${method} ${path} tags`);
      assert.ok(operation.summary, `${method} ${path} summary`);
      if (path.startsWith('/v1/')) {
        assert.ok(operation.responses['400'], `${method} ${path} documents 400`);
      }
      if (method !== 'get' && path.startsWith('/v1/')) {
        assert.deepEqual(operation.security, [{ bearerAuth: [] }], `${method} ${path} needs the key`);
        assert.ok(operation.responses['401'], `${method} ${path} documents 401`);
      }
    }
  }
});
