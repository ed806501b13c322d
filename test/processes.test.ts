// Two real API processes on one PostgreSQL database (run with DATABASE_URL=postgres://…; skipped on SQLite, whose
// file belongs to one process): If-Match, Idempotency-Key and imports keep their promises across processes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKey } from '../src/modules/keys/keys.service.js';
import { openStorage } from '../src/storage/index.js';
import { onPostgres } from './helpers.js';
import { freshDatabase, type TestDatabase } from './postgres/databases.js';
import { type Answer, type ServerProcess, send, startServer } from './server-process.js';

const skip = onPostgres ? false : 'needs DATABASE_URL=postgres://…';

describe('two API processes on one database', { skip, timeout: 120_000 }, () => {
  let database: TestDatabase;
  let key: string;
  let a: ServerProcess;
  let b: ServerProcess;
  /** The tests of this block run one after another, so a total a test reads moves only with its own writes. */
  const topics = async (through: ServerProcess) => (await send(through.base, 'GET', '/v1/topics?count=true&limit=1')).body.total as number;

  before(async () => {
    database = await freshDatabase();
    const setup = await openStorage({ path: ':memory:', url: database.url });
    await setup.migrate();
    key = await createKey(setup, 'processes');
    await setup.close();
    [a, b] = await Promise.all([startServer({ DATABASE_URL: database.url }), startServer({ DATABASE_URL: database.url })]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  /** Every change of the feed, in commit order, read through `through`. */
  async function feed(through: ServerProcess): Promise<{ collection: string; id: string; version: number }[]> {
    const changes = [];
    let since: string | undefined;
    for (;;) {
      const page = await send(through.base, 'GET', `/v1/changes?limit=1000${since ? `&since=${since}` : ''}`);
      assert.equal(page.status, 200);
      changes.push(...page.body.data);
      if (page.body.data.length < 1000) return changes;
      since = page.body.next;
    }
  }

  test('PATCHes with the same If-Match sent to both at once: exactly one 200, the others 412 problems; versions contiguous', async () => {
    assert.equal((await send(a.base, 'POST', '/v1/topics', { key, body: { id: 'contested', name: 'Contested' } })).status, 201);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(i % 2 ? b.base : a.base, 'PATCH', '/v1/topics/contested', {
          key,
          body: { name: `Name ${i}` },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    const won = answers.filter((x) => x.status === 200);
    assert.equal(won.length, 1, answers.map((x) => x.status).join(' '));
    const lost = answers.filter((x) => x.status === 412);
    assert.equal(lost.length, 19);
    for (const x of lost) {
      assert.equal(x.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.deepEqual([x.body.code, x.body.status], ['PRECONDITION_FAILED', 412]);
    }
    assert.equal(won[0]?.headers.get('etag'), '"2"');

    // Unconditional PATCHes through both: each is a new version, none given twice, none skipped.
    const patched = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send(i % 2 ? a.base : b.base, 'PATCH', '/v1/topics/contested', { key, body: { name: `Again ${i}` } }),
      ),
    );
    assert.deepEqual(
      patched.map((x) => x.body.version).sort((x, y) => x - y),
      Array.from({ length: 10 }, (_, i) => i + 3),
    );
    const history = await send(b.base, 'GET', '/v1/topics/contested/revisions');
    assert.deepEqual(
      history.body.data.map((r: { version: number }) => r.version),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  test('the same Idempotency-Key and body sent to both at once: one write, one answer, replayed by either', async () => {
    const before = await topics(a);
    const post = (through: ServerProcess, name: string) =>
      send(through.base, 'POST', '/v1/topics', { key, body: { name }, headers: { 'idempotency-key': 'both-at-once' } });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(i % 2 ? b : a, 'Once')));
    const first = answers.filter((x) => x.status === 201 && x.headers.get('idempotent-replayed') === null);
    assert.equal(first.length, 1, answers.map((x) => `${x.status} ${x.body.code ?? x.body.id}`).join(', '));
    const created = first[0] as Answer;
    for (const x of answers) {
      // A retry either finds the first answer kept, or the first request still running (the documented 409).
      if (x.status === 201) assert.deepEqual(x.body, created.body);
      else assert.deepEqual([x.status, x.body.code], [409, 'IDEMPOTENCY_IN_PROGRESS']);
    }
    assert.equal(await topics(b), before + 1, 'one topic written');

    for (const through of [a, b]) {
      const again = await post(through, 'Once');
      assert.deepEqual([again.status, again.headers.get('idempotent-replayed'), again.body], [201, 'true', created.body]);
      assert.equal(again.headers.get('location'), created.headers.get('location'));
      const other = await post(through, 'Another');
      assert.deepEqual([other.status, other.body.code], [422, 'IDEMPOTENCY_KEY_REUSED']);
    }
    assert.equal(await topics(a), before + 1, 'nothing more written');
  });

  test('a bundle that fails through A is never partly visible through B, while it runs or after', async () => {
    const before = await topics(b);
    const changes = (await feed(b)).length;
    const bad = Array.from({ length: 300 }, (_, i) => ({
      id: `failing-${i}`,
      name: `Failing ${i}`,
      ...(i === 299 ? { parentId: 'nowhere' } : {}),
    }));
    let done = false;
    const seen: number[] = [];
    const polling = (async () => {
      while (!done) seen.push(await topics(b));
    })();
    const imports = await Promise.all(Array.from({ length: 3 }, () => send(a.base, 'POST', '/v1/imports', { key, body: { topics: bad } })));
    done = true;
    await polling;
    for (const x of imports) assert.deepEqual([x.status, x.body.code], [422, 'IMPORT_FAILED']);
    assert.ok(seen.length > 0);
    assert.deepEqual([...new Set(seen)], [before], 'no read through B saw a row of the failing bundle');
    assert.equal(await topics(b), before);
    assert.equal((await send(b.base, 'GET', '/v1/topics/failing-0')).status, 404);
    assert.equal((await feed(b)).length, changes, 'no revision either');
  });

  test('imports through A and B at once: each is one run of the change feed, and every record is stored', async () => {
    const before = await topics(a);
    const bundle = (n: number) => ({
      topics: Array.from({ length: 40 }, (_, i) => ({ id: `run${n}-t${i}`, name: `Run ${n} topic ${i}` })),
    });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, n) => send(n % 2 ? b.base : a.base, 'POST', '/v1/imports', { key, body: bundle(n) })),
    );
    for (const x of answers) assert.deepEqual([x.status, x.body.counts.topics.created], [200, 40], JSON.stringify(x.body));
    assert.equal(await topics(b), before + 240);
    const changes = await feed(a);
    for (let n = 0; n < 6; n++) {
      const at = changes.flatMap((c, i) => (c.id.startsWith(`run${n}-`) ? [i] : []));
      assert.equal(at.length, 40);
      assert.equal((at.at(-1) as number) - (at[0] as number), 39, `import ${n}'s revisions are one run of the feed`);
    }
  });
});
