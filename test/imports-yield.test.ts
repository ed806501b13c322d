// A large import shares the process with reads: single gets are answered while its bundle is being written
// (the import gives the event loop back between slices of its work), and they never see its rows before the
// commit. Through real HTTP, on a real database file. It watches SQLite's writer connection, so it runs on
// SQLite only; on PostgreSQL an import is its own transaction on a pooled client and never blocks reads.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { sqliteInternals } from '../src/storage/inspect.js';
import { briefingBundle } from './bench/bundles.js';
import { makeApp, sqliteOnly } from './helpers.js';

const STATEMENTS = 2000;

/** A service listening on a free port, holding a small import already (what a bundle in flight is read beside). */
async function listeningWithSmallImport(t: TestContext) {
  const api = await makeApp(t);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const headers = { authorization: `Bearer ${api.key}` };
  const small = await fetch(`${base}/v1/imports`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(briefingBundle('small', 3)),
  });
  assert.equal(small.status, 200);
  return { api, base, headers };
}

/** An NDJSON import of these lines (one bundle each) with `key`: the answer's lines, parsed; the answer must be a 200. */
async function importLines(base: string, key: string, lines: string[]): Promise<any[]> {
  const res = await fetch(`${base}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body: `${lines.join('\n')}\n`,
  });
  assert.equal(res.status, 200);
  return (await res.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

for (const format of ['ndjson', 'json'] as const) {
  test(`single gets are answered while a bundle of ${STATEMENTS} statements imports (${format}), and see none of it before its commit`, {
    skip: sqliteOnly,
  }, async (t) => {
    const { api, base, headers } = await listeningWithSmallImport(t);
    // The writer connection's transaction: open while the bundle is being written, and only then.
    const writer = sqliteInternals(api.app.storage).writer.$client;

    const body = JSON.stringify(briefingBundle('large', STATEMENTS));
    let imported = false;
    const importing = fetch(`${base}/v1/imports`, {
      method: 'POST',
      headers: { ...headers, 'content-type': format === 'ndjson' ? 'application/x-ndjson' : 'application/json' },
      body: format === 'ndjson' ? `${body}\n` : body,
    }).then(async (res) => {
      const text = await res.text();
      imported = true;
      return { status: res.status, text };
    });

    /** Reads answered while the import's transaction was open (at most one of them may have been answered just before it began). */
    let duringImport = 0;
    let reads = 0;
    while (!imported) {
      const stored = await fetch(`${base}/v1/statements/small-s${reads % 3}`);
      assert.equal(stored.status, 200);
      await stored.arrayBuffer();
      const pending = await fetch(`${base}/v1/statements/large-s${STATEMENTS - 1}`);
      await pending.arrayBuffer();
      if (imported) break;
      reads += 1;
      if (writer.inTransaction) {
        duringImport += 1;
        assert.equal(pending.status, 404, 'a read never sees a row of a bundle before its commit');
      }
    }

    const { status, text } = await importing;
    assert.equal(status, 200, text);
    const results = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const counts = results[0].counts;
    assert.equal(counts.statements.created, STATEMENTS);
    assert.ok(duringImport >= 3, `reads answered while the bundle was being written: ${duringImport} of ${reads}`);
    assert.equal((await fetch(`${base}/v1/statements/large-s${STATEMENTS - 1}`)).status, 200, 'committed: now seen');
  });
}

test(`a bundle of ${STATEMENTS} statements failing at its last record stores nothing, and the next line is stored`, {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const failing = briefingBundle('failing', STATEMENTS);
  const last = failing.statements?.at(-1);
  assert.ok(last);
  last.topicIds = ['no-such-topic'];
  const [first, second] = await importLines(base, api.key, [JSON.stringify(failing), JSON.stringify(briefingBundle('after', 3))]);
  assert.equal(first.status, 'failed');
  assert.equal(first.errors[0].path, `/statements/${STATEMENTS - 1}/topicIds/0`);
  assert.equal(second.status, 'ok');
  assert.equal(second.counts.statements.created, 3);
  assert.equal(sqliteInternals(api.app.storage).writer.$client.inTransaction, false, 'the failed line left no transaction open');
  assert.equal((await fetch(`${base}/v1/statements/failing-s0`)).status, 404, 'nothing of the failed line is stored');
  assert.equal((await fetch(`${base}/v1/sources/failing-report`)).status, 404);
  assert.equal((await fetch(`${base}/v1/statements/after-s2`)).status, 200);
  const stats = (await (await fetch(`${base}/v1/stats/statements?groupBy=topic`)).json()) as { total: number };
  assert.equal(stats.total, 3, 'the counts hold only what was stored');
});

test(`lists answered while a bundle of ${STATEMENTS} statements imports count all of it or none of it`, async (t) => {
  const { base, headers } = await listeningWithSmallImport(t);
  const before = ((await (await fetch(`${base}/v1/statements?count=true&limit=1`)).json()) as { total: number }).total;

  let imported = false;
  const importing = fetch(`${base}/v1/imports`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-ndjson' },
    body: `${JSON.stringify(briefingBundle('large', STATEMENTS))}\n`,
  }).then(async (res) => {
    const text = await res.text();
    imported = true;
    return { status: res.status, text };
  });

  /** The totals of the lists answered before the import did: of every statement, and of the bundle's own. */
  const seen: { all: number; bundle: number; first: number }[] = [];
  while (!imported) {
    const all = (await (await fetch(`${base}/v1/statements?count=true&limit=1`)).json()) as { total: number };
    const bundle = (await (await fetch(`${base}/v1/statements?source=large-report&count=true&limit=1`)).json()) as { total: number };
    const first = await fetch(`${base}/v1/statements/large-s0`);
    await first.arrayBuffer();
    if (imported) break;
    seen.push({ all: all.total, bundle: bundle.total, first: first.status });
  }

  const { status, text } = await importing;
  assert.equal(status, 200, text);
  assert.equal(JSON.parse(text.trim().split('\n')[0] as string).status, 'ok', text);
  for (const read of seen) {
    assert.ok([before, before + STATEMENTS].includes(read.all), `a list counted ${read.all} statements: part of the bundle`);
    assert.ok([0, STATEMENTS].includes(read.bundle), `a list counted ${read.bundle} of the bundle's statements`);
  }
  const answeredBefore = seen.filter((read) => read.all === before && read.bundle === 0 && read.first === 404).length;
  assert.ok(answeredBefore >= 3, `reads answered before the import, seeing none of it: ${answeredBefore} of ${seen.length}`);
  const after = (await (await fetch(`${base}/v1/statements?source=large-report&count=true&limit=1`)).json()) as { total: number };
  assert.equal(after.total, STATEMENTS, 'committed: all of it is counted');
});

test('the log stays a few bundles long through a long import: checkpoints off the event loop let SQLite start it over', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const bundles = Array.from({ length: 20 }, (_, i) => JSON.stringify(briefingBundle(`b${i}`, 1000)));
  const results = await importLines(base, api.key, bundles);
  assert.equal(results.at(-1).ok, 20);
  const { writer } = sqliteInternals(api.app.storage);
  assert.equal(writer.$client.pragma('wal_autocheckpoint', { simple: true }), 0, 'the writer leaves checkpoints to the worker');
  // The log's file keeps the largest size it reached. Had every bundle been appended to one log, it would be larger
  // than the database file itself (every page of the file went through it at least once); started over, it holds
  // the few bundles written between two checkpoints that the next write waits for (LONG_WRITES_A_CHECKPOINT).
  const path = join(api.dir, 'test.db');
  assert.ok(statSync(`${path}-wal`).size < statSync(path).size, `log ${statSync(`${path}-wal`).size} B, file ${statSync(path).size} B`);
});

test('an import that stops short of a checkpoint the next write would wait for is copied into the file once writes pause', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  // Enough for the log to outgrow SQLite's automatic checkpoint (the worker takes over), then writes between
  // two checkpoints the queue waits for: they ask for none while more may come.
  const bundles = Array.from({ length: 3 }, (_, i) => JSON.stringify(briefingBundle(`b${i}`, 1000)));
  assert.equal((await importLines(base, api.key, bundles)).at(-1).ok, 3);
  const { writer } = sqliteInternals(api.app.storage);
  assert.equal(writer.$client.pragma('wal_autocheckpoint', { simple: true }), 0, 'the worker checkpoints');
  // The file reaches the size the writer sees (log included) only once a checkpoint has copied every page into it.
  const path = join(api.dir, 'test.db');
  const size = () =>
    (writer.$client.pragma('page_count', { simple: true }) as number) * (writer.$client.pragma('page_size', { simple: true }) as number);
  const until = Date.now() + 10_000;
  while (statSync(path).size < size() && Date.now() < until) await new Promise((done) => setTimeout(done, 100));
  assert.equal(statSync(path).size, size(), 'the file holds every page, with no write after the import');
});
