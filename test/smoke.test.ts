// The service starts on the seed and answers through HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeApp } from './helpers.js';

test('the seeded app lists statements and answers a problem for bad input', async (t) => {
  const { json } = await makeApp(t, { seed: true });
  const list = await json({ method: 'GET', url: '/v1/statements?limit=5&count=true' });
  assert.equal(list.status, 200);
  assert.equal(list.body.data.length, 5);
  assert.ok(list.body.total >= 13);
  const bad = await json({ method: 'GET', url: '/v1/statements?limit=0' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'VALIDATION_FAILED');
  assert.deepEqual(bad.body.errors, [{ in: 'query', path: '/limit', message: 'must be >= 1' }]);
});
