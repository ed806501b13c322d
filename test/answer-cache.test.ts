// Kept answers: given again while the data is unchanged, within a number of answers and of bytes, least recently used out first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { openDatabase } from '../src/db/client.js';
import { KeptAnswers } from '../src/lib/answer-cache.js';

/** A route answering `size` characters for `/answer/:name?size=`, counting how often it builds an answer. */
async function appWith(limits: { answers: number; bytes: number }) {
  const db = openDatabase(':memory:');
  db.$client.exec('CREATE TABLE t (x)');
  const kept = new KeptAnswers(limits);
  const built: string[] = [];
  const app = Fastify();
  app.get(
    '/answer/:name',
    {
      schema: {
        response: {
          200: {
            content: {
              'application/json': { schema: { type: 'object', properties: { name: { type: 'string' }, text: { type: 'string' } } } },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const size = Number((request.query as { size?: string }).size ?? 10);
      return kept.send(
        db,
        reply,
        name,
        () => {
          built.push(name);
          return { name, text: 'x'.repeat(size), dropped: 'not in the schema' };
        },
        () => ({ 'x-built-for': name }),
      );
    },
  );
  return { app, db, built, ask: (url: string) => app.inject({ method: 'GET', url }) };
}

test('an answer is built once while the data is unchanged, with its schema and headers, and again after a write', async (t) => {
  const { app, db, built, ask } = await appWith({ answers: 4, bytes: 1024 });
  t.after(() => app.close());
  const first = await ask('/answer/a');
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(first.headers['x-built-for'], 'a');
  // Serialized by the response schema declared per media type: the field it does not declare is left out.
  assert.deepEqual(first.json(), { name: 'a', text: 'xxxxxxxxxx' });
  const again = await ask('/answer/a');
  assert.equal(again.body, first.body);
  assert.equal(again.headers['x-built-for'], 'a');
  assert.deepEqual(built, ['a']);
  db.$client.exec('INSERT INTO t VALUES (1)');
  await ask('/answer/a');
  assert.deepEqual(built, ['a', 'a']);
});

test('past the number of answers or of bytes, the least recently used go first; an answer over the byte limit is not kept', async (t) => {
  const { app, built, ask } = await appWith({ answers: 2, bytes: 200 });
  t.after(() => app.close());
  await ask('/answer/a');
  await ask('/answer/b');
  await ask('/answer/a'); // a is now the most recently used
  await ask('/answer/c'); // b goes: two answers at most
  await ask('/answer/a');
  await ask('/answer/b');
  assert.deepEqual(built, ['a', 'b', 'c', 'b']);

  built.length = 0;
  await ask('/answer/big?size=150'); // about 170 bytes: everything else goes to make room
  await ask('/answer/big?size=150');
  await ask('/answer/b');
  assert.deepEqual(built, ['big', 'b']);
  await ask('/answer/huge?size=500'); // over 200 bytes alone: answered, never kept
  await ask('/answer/huge?size=500');
  await ask('/answer/b');
  assert.deepEqual(built, ['big', 'b', 'huge', 'huge']);
});
