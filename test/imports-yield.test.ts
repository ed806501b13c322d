// A large import shares the process with reads: single gets are answered while its bundle is being written
// (the import gives the event loop back between slices of its work), and they never see its rows before the
// commit. Through real HTTP, on a real database file. It watches SQLite's writer connection, so it runs on
// SQLite only; on PostgreSQL an import is its own transaction on a pooled client and never blocks reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sqliteInternals } from '../src/storage/inspect.js';
import { briefingBundle } from './bench/bundles.js';
import { makeApp, sqliteOnly } from './helpers.js';

const STATEMENTS = 2000;

for (const format of ['ndjson', 'json'] as const) {
  test(`single gets are answered while a bundle of ${STATEMENTS} statements imports (${format}), and see none of it before its commit`, {
    skip: sqliteOnly,
  }, async (t) => {
    const api = await makeApp(t);
    const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const headers = { authorization: `Bearer ${api.key}` };
    const small = await fetch(`${base}/v1/imports`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(briefingBundle('small', 3)),
    });
    assert.equal(small.status, 200);
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
