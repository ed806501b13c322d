// Kept answers: given again while the data is unchanged, within a number of answers and of bytes, least recently used out first.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import Fastify from 'fastify';
import { KeptAnswers } from '../src/lib/answer-cache.js';
import { openStorage } from '../src/storage/index.js';
import { sqliteInternals } from '../src/storage/inspect.js';

/** A route answering `size` characters for `/answer/:name?size=`, counting how often it builds an answer. */
async function appWith(limits: { answers: number; bytes: number }) {
  const storage = await openStorage({ path: ':memory:' });
  const db = sqliteInternals(storage).writer;
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
        storage,
        reply,
        name,
        async () => {
          built.push(name);
          return { name, text: 'x'.repeat(size), dropped: 'not in the schema' };
        },
        () => ({ 'x-built-for': name }),
      );
    },
  );
  return { app, db, storage, built, ask: (url: string) => app.inject({ method: 'GET', url }) };
}

/** `appWith(limits)`, closed when test `t` ends. */
async function cacheFor(t: TestContext, limits: { answers: number; bytes: number }) {
  const made = await appWith(limits);
  t.after(async () => {
    await made.app.close();
    await made.storage.close();
  });
  return made;
}

describe('kept answers: given again while the data is unchanged', () => {
  test('an answer is serialized by its response schema and carries the headers it was given', async (t) => {
    const { ask } = await cacheFor(t, { answers: 4, bytes: 1024 });
    const first = await ask('/answer/a');
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(first.headers['x-built-for'], 'a');
    // Serialized by the response schema declared per media type: the field it does not declare is left out.
    assert.deepEqual(first.json(), { name: 'a', text: 'xxxxxxxxxx' });
  });

  test('while the data is unchanged the kept answer is given again, headers too, without building it', async (t) => {
    const { built, ask } = await cacheFor(t, { answers: 4, bytes: 1024 });
    const first = await ask('/answer/a');
    const again = await ask('/answer/a');
    assert.equal(again.body, first.body);
    assert.equal(again.headers['x-built-for'], 'a');
    assert.deepEqual(built, ['a']);
  });

  test('after a write the answer is built again', async (t) => {
    const { db, built, ask } = await cacheFor(t, { answers: 4, bytes: 1024 });
    await ask('/answer/a');
    db.$client.exec('INSERT INTO t VALUES (1)');
    await ask('/answer/a');
    assert.deepEqual(built, ['a', 'a']);
  });
});

describe('kept answers: within a number of answers and of bytes', () => {
  test('past the number of answers, the least recently used goes first', async (t) => {
    const { built, ask } = await cacheFor(t, { answers: 2, bytes: 200 });
    await ask('/answer/a');
    await ask('/answer/b');
    await ask('/answer/a'); // a is now the most recently used
    await ask('/answer/c'); // b goes: two answers at most
    await ask('/answer/a');
    await ask('/answer/b');
    assert.deepEqual(built, ['a', 'b', 'c', 'b']);
  });

  test('past the number of bytes, the least recently used go first to make room', async (t) => {
    const { built, ask } = await cacheFor(t, { answers: 2, bytes: 200 });
    await ask('/answer/a');
    await ask('/answer/b');
    built.length = 0;
    await ask('/answer/big?size=150'); // about 170 bytes: everything else goes to make room
    await ask('/answer/big?size=150');
    await ask('/answer/b');
    assert.deepEqual(built, ['big', 'b']);
  });

  test('an answer over the byte limit is answered every time, never kept, and sends nothing else out', async (t) => {
    const { built, ask } = await cacheFor(t, { answers: 2, bytes: 200 });
    await ask('/answer/b');
    await ask('/answer/huge?size=500'); // over 200 bytes alone: answered, never kept
    await ask('/answer/huge?size=500');
    await ask('/answer/b');
    assert.deepEqual(built, ['b', 'huge', 'huge']);
  });
});
