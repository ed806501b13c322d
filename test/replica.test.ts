// DATABASE_READ_URL on a real streaming replica (.ci/postgres.sh replica: pg_basebackup -R of the test server),
// held back with recovery_min_apply_delay so that it lags for sure: what a client reads right after its own write
// comes from the primary; lists, search, stats and the change feed come from the replica, and catch up.
// Runs with DATABASE_URL set to .ci/postgres.sh's server (the replica is made from it); skipped otherwise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { ROOT } from '../src/lib/paths.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { freshDatabase, ownServer, type TestDatabase, withDatabase } from './postgres/databases.js';

const script = join(ROOT, '.ci', 'postgres.sh');
const lastLine = (out: string) => out.trim().split('\n').at(-1) ?? '';

const skip = ownServer() ? false : 'needs DATABASE_URL set to the server of .ci/postgres.sh, which can be replicated';
/** How far the replica is held back: long enough to be seen on a loaded machine, short enough to wait for. */
const DELAY_MS = 3000;

async function on<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('reads with a lagging replica (DATABASE_READ_URL)', { skip, timeout: 120_000 }, () => {
  let database: TestDatabase;
  let replicaUrl: string;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let key: string;

  before(async () => {
    const replicaServer = lastLine(execFileSync(script, ['replica'], { encoding: 'utf8' })).replace(/^DATABASE_READ_URL=/, '');
    const admin = withDatabase(replicaServer, 'postgres');
    await on(admin, async (c) => {
      await c.query(`ALTER SYSTEM SET recovery_min_apply_delay = '${DELAY_MS}ms'`);
      await c.query('SELECT pg_reload_conf()');
    });
    database = await freshDatabase();
    replicaUrl = withDatabase(replicaServer, new URL(database.url).pathname.slice(1));
    // The new database reaches the replica after the delay too.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const there = await on(replicaUrl, async () => true).catch(() => false);
      if (there) break;
      assert.ok(Date.now() < deadline, 'the new database did not reach the replica');
      await sleep(200);
    }
    app = await buildApp({
      databasePath: ':memory:',
      databaseUrl: database.url,
      databaseReadUrl: replicaUrl,
      logLevel: 'silent',
      authDisabled: false,
      seed: false,
    });
    key = await createKey(app.storage, 'replica-test');
  });
  after(async () => {
    await app?.close();
    await database?.drop();
    if (replicaUrl) {
      await on(withDatabase(replicaUrl, 'postgres'), async (c) => {
        await c.query('ALTER SYSTEM RESET recovery_min_apply_delay');
        await c.query('SELECT pg_reload_conf()');
      });
    }
  });

  const send = async (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      payload: payload as object,
      headers: { authorization: `Bearer ${key}`, ...headers },
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined, etag: res.headers.etag };
  };
  const total = async (path: string) => (await send('GET', path)).body.total as number;

  test('a client reads its own write back by id at once, PATCHes with the ETag it read, and sees the history', async () => {
    const listed = await total('/v1/topics?count=true&limit=1');
    assert.equal((await send('POST', '/v1/topics', { id: 'fresh', name: 'Fresh' })).status, 201);
    const read = await send('GET', '/v1/topics/fresh');
    assert.deepEqual([read.status, read.body.version, read.etag], [200, 1, '"1"']);
    const patched = await send('PATCH', '/v1/topics/fresh', { name: 'Fresher' }, { 'if-match': read.etag as string });
    assert.deepEqual([patched.status, patched.etag], [200, '"2"']);
    assert.equal((await send('GET', '/v1/topics/fresh')).body.name, 'Fresher');
    const history = await send('GET', '/v1/topics/fresh/revisions');
    assert.deepEqual(
      history.body.data.map((r: { version: number }) => r.version),
      [1, 2],
    );
    // Meanwhile the list, from the replica, does not show it yet: the replica lags and serves it.
    assert.equal(await total('/v1/topics?count=true&limit=1'), listed, 'the list is read on the replica, which lags');
  });

  test("an import's report and an Idempotency-Key replay are the primary's, whatever the replica holds", async () => {
    const bundle = { topics: Array.from({ length: 5 }, (_, i) => ({ id: `imported-${i}`, name: `Imported ${i}` })) };
    const first = await send('POST', '/v1/imports', bundle, { 'idempotency-key': 'import-once' });
    assert.deepEqual([first.status, first.body.counts.topics.created], [200, 5]);
    const replayed = await send('POST', '/v1/imports', bundle, { 'idempotency-key': 'import-once' });
    assert.deepEqual(replayed.body, first.body, 'the first answer, replayed');
    const again = await send('POST', '/v1/imports', bundle);
    assert.deepEqual([again.status, again.body.counts.topics.unchanged], [200, 5], 'the second import finds the first one’s records');
    assert.equal((await send('GET', '/v1/topics/imported-4')).status, 200);
  });

  test('the list and the change feed catch up once the replica has replayed the writes', async () => {
    const deadline = Date.now() + 30_000;
    while ((await total('/v1/topics?count=true&limit=1')) < 6) {
      assert.ok(Date.now() < deadline, 'the replica did not catch up');
      await sleep(200);
    }
    const feed = await send('GET', '/v1/changes?limit=100');
    assert.deepEqual(
      feed.body.data.map((c: { id: string; version: number }) => `${c.id}@${c.version}`),
      ['fresh@1', 'fresh@2', ...Array.from({ length: 5 }, (_, i) => `imported-${i}@1`)],
    );
  });
});
