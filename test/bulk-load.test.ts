// A load into an empty database (`npm run import -- --db`): the derived tables, the full-text index, and the
// indexes and triggers it puts aside come back at its end as an import row by row would have left them, and a
// load cut short is finished at the next open.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import type { Bundle } from '../src/modules/imports/imports.schema.js';
import { runImport } from '../src/modules/imports/imports.service.js';
import { openStorage } from '../src/storage/index.js';
import { sqliteInternals } from '../src/storage/inspect.js';
import { bulkLoadArchive } from './bulk-load-archive.js';

const ROOT = new URL('../', import.meta.url).pathname;

/** The archive of both bulk-load tests (test/bulk-load-archive.ts). */
const bundles = (): Bundle[] => bulkLoadArchive();

/** A folder for the databases of a describe block, made before its tests and removed after them. */
function workspace(): () => string {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'statements-bulk-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** The id of a process that has ended: a loading process gone without finishing. */
function goneProcessId(): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = execFile(process.execPath, ['-e', '0'], () => resolve(child.pid as number));
  });
}

/** The database's schema objects and the rows of every derived table, to compare two databases. */
function derived(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).raw().all() as unknown[][];
    return {
      schema: all("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"),
      ancestry: all('SELECT * FROM statement_topic_ancestors ORDER BY 1, 2, 3'),
      // Row by row, a count that falls to 0 stays as a row; a rebuild writes none. Both answer the same.
      topicMonths: all('SELECT * FROM topic_month_counts WHERE statements <> 0 ORDER BY 1, 2'),
      months: all('SELECT * FROM month_counts WHERE statements <> 0 ORDER BY 1'),
      search: all('SELECT rowid, * FROM statements_fts ORDER BY rowid'),
      // The merge setting a load raises is put back.
      searchSettings: all('SELECT * FROM statements_fts_config ORDER BY k'),
      deferred: all('SELECT * FROM deferred_work'),
      integrity: db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    db.close();
  }
}

/** An import row by row, through the service: the reference. */
async function importRowByRow(path: string, loads: Bundle[]) {
  const db = await openStorage({ path });
  await db.migrate();
  for (const bundle of loads) await runImport(db, bundle);
  await db.close();
}

/** What a dashboard reads of the derived tables, through the HTTP layer. */
async function reads(path: string) {
  const app = await buildApp({ databasePath: path, logLevel: 'silent', authDisabled: true, seed: false });
  try {
    const get = async (url: string) => {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return JSON.parse(res.body);
    };
    return {
      stats: await get('/v1/stats/statements?groupBy=topic,month'),
      byYear: await get('/v1/stats/statements?groupBy=year'),
      region: (await get('/v1/statements?topic=region-0&limit=100')).data.map((s: { id: string }) => s.id),
      dated: (await get('/v1/statements?topic=region-1&from=2020-01-01&to=2020-12-31&limit=100')).data.map((s: { id: string }) => s.id),
    };
  } finally {
    await app.close();
  }
}

describe('a load by the CLI (--db) into an empty database', () => {
  const dir = workspace();
  let run = { code: -1, stdout: '' };
  let expected: ReturnType<typeof derived>;
  let loaded = '';
  let reference = '';
  before(async () => {
    const loads = bundles();
    const file = join(dir(), 'archive.ndjson');
    writeFileSync(file, `${loads.map((b) => JSON.stringify(b)).join('\n')}\n`);
    reference = join(dir(), 'reference.db');
    await importRowByRow(reference, loads);
    loaded = join(dir(), 'loaded.db');
    run = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', '--json', '--db', loaded, file], { cwd: ROOT }, (error, out) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out }),
      ),
    );
    expected = derived(reference);
  });

  test('the CLI reports a bulk load of every statement, the moved ones updated', () => {
    assert.equal(run.code, 0, run.stdout);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    assert.equal(summary.counts.statements.created, 2000);
    assert.equal(summary.counts.statements.updated, 50);
    assert.equal(summary.bulkLoad, true, 'the database was empty: a bulk load');
  });

  test('the archive fills the derived tables the load builds', () => {
    assert.ok(expected.ancestry.length > 4000 && expected.months.length > 1, 'the archive fills the derived tables');
  });

  test('ancestry, counts, search, indexes and triggers are built at its end as an import row by row leaves them', () => {
    assert.deepEqual(derived(loaded), expected);
  });

  test('what a dashboard reads through the HTTP layer is what it reads after an import row by row', async () => {
    assert.deepEqual(await reads(loaded), await reads(reference));
  });

  test('a second load into the now populated database is row by row: nothing is put aside', async () => {
    const db = await openStorage({ path: loaded });
    assert.equal(await db.imports.deferDerivedWork(), false);
    await db.close();
    assert.deepEqual(derived(loaded).schema, expected.schema);
  });
});

describe('a load cut short (no end)', () => {
  const dir = workspace();
  let reference = '';
  let cut = '';
  let left: ReturnType<typeof derived>;
  before(async () => {
    const loads = bundles();
    reference = join(dir(), 'reference.db');
    await importRowByRow(reference, loads);
    cut = join(dir(), 'cut.db');
    const db = await openStorage({ path: cut });
    await db.migrate();
    assert.equal(await db.imports.deferDerivedWork(), true);
    for (const bundle of loads) await runImport(db, bundle);
    await db.close();
    left = derived(cut);
  });
  /** A copy of the cut database, for a test that opens it. */
  const copyOfCut = (name: string) => {
    const path = join(dir(), name);
    copyFileSync(cut, path);
    return path;
  };
  const names = (schema: unknown[][]) => schema.map((o) => o[1]);

  test('the work left is on record', () => {
    assert.ok(left.deferred.length > 10, 'the work left is on record');
  });

  test('no ancestry and no full-text row is written row by row', () => {
    assert.equal(left.ancestry.length, 0, 'no ancestry was written row by row');
    assert.deepEqual(left.search, [], 'no full-text row was written row by row');
  });

  test('the indexes and triggers the load builds at its end are put aside; the others stay', () => {
    for (const name of ['statements_stated_on_idx', 'statement_topics_ancestors_insert', 'statements_count_insert'])
      assert.ok(!names(left.schema).includes(name), `${name} was put aside`);
    for (const name of ['statements_fts_delete', 'statements_id_unique', 'topics_ancestors_insert'])
      assert.ok(names(left.schema).includes(name), `${name} stays`);
  });

  test('the full-text settings are left as they were: they are raised only to build the index', () => {
    assert.deepEqual(left.searchSettings, derived(reference).searchSettings, 'the full-text settings are raised only to build it');
  });

  test('an open while the loading process runs leaves its work alone', async () => {
    const path = copyOfCut('running.db');
    // The test runner stands in for the loading process.
    const other = new Database(path);
    other.prepare('UPDATE deferred_work SET owner_pid = ?').run(process.ppid);
    other.close();
    const reopened = await openStorage({ path });
    await reopened.migrate();
    assert.equal(await reopened.imports.deferDerivedWork(), false, 'no second load beside a running one');
    await reopened.close();
    assert.deepEqual(
      derived(path).deferred,
      left.deferred.map(([step, sql]) => [step, sql, process.ppid]),
    );
  });

  test('the next open after the loading process is gone finishes the load, rebuilding what others wrote meanwhile', async () => {
    const path = copyOfCut('gone.db');
    const other = new Database(path);
    other.prepare('UPDATE deferred_work SET owner_pid = ?').run(await goneProcessId());
    // Another program created one of the indexes meanwhile: it is built again, as the load would have built it.
    other.exec('CREATE INDEX statements_stated_on_idx ON statements (stated_on)');
    // And another wrote a full-text row: the index is built from the stored statements alone.
    other.exec("INSERT INTO statements_fts (rowid, text, context, topics) VALUES (1, 'stale', NULL, '')");
    other.close();
    // The next open (the server's, here) finishes the load before anything is read.
    assert.deepEqual(await reads(path), await reads(reference));
    assert.deepEqual(derived(path), derived(reference));
  });
});

describe('a statement written through the API while a load has the full-text index aside', () => {
  const dir = workspace();
  let first: Bundle;
  let topic: NonNullable<Bundle['topics']>[number];
  let path = '';
  const search = async (app: Awaited<ReturnType<typeof buildApp>>, q: string) => {
    const res = await app.inject(`/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(res.statusCode, 200, res.body);
    return JSON.parse(res.body).data.map((s: { id: string }) => s.id);
  };
  // The first bundle loaded with the derived work put aside; the load goes on in another process (the test
  // runner's parent stands in for it), so an open leaves its work alone. A server opened on it meanwhile is
  // sent the statement.
  let during: Awaited<ReturnType<typeof buildApp>>;
  let posted: { statusCode: number; body: string };
  before(async () => {
    [first] = bundles() as [Bundle];
    path = join(dir(), 'loading.db');
    const db = await openStorage({ path });
    await db.migrate();
    assert.equal(await db.imports.deferDerivedWork(), true);
    await runImport(db, first);
    sqliteInternals(db).writer.$client.prepare('UPDATE deferred_work SET owner_pid = ?').run(process.ppid);
    await db.close();
    const found = first.topics?.find((x) => x.id === first.statements?.[0]?.topicIds?.[0]);
    assert.ok(found);
    topic = found;
    const written = {
      id: 'written-meanwhile',
      text: 'The ministry spoke of quinoxaline shipments.',
      kind: 'paraphrase',
      speakerId: first.statements?.[0]?.speakerId,
      sourceIds: first.statements?.[0]?.sourceIds,
      topicIds: [topic.id],
    };
    during = await buildApp({ databasePath: path, logLevel: 'silent', authDisabled: true, seed: false });
    duringOpen = true;
    posted = await during.inject({ method: 'POST', url: '/v1/statements', payload: written });
  });
  let duringOpen = false;
  after(async () => {
    if (duringOpen) await during.close();
  });

  test('is stored', () => {
    assert.equal(posted.statusCode, 201, posted.body);
  });

  test('is found by no search before the build', async () => {
    assert.deepEqual(await search(during, 'quinoxaline'), [], 'no search finds it before the build');
  });

  test('writes nothing to the index meanwhile', () => {
    const rows = sqliteInternals(during.storage).writer.$client.prepare('SELECT count(*) FROM statements_fts').pluck().get();
    assert.equal(rows, 0, 'nothing was written to the index meanwhile');
  });

  describe('once the load is gone without finishing, the next open builds the index', () => {
    let next: Awaited<ReturnType<typeof buildApp>>;
    before(async () => {
      await during.close();
      duringOpen = false;
      const other = new Database(path);
      other.prepare('UPDATE deferred_work SET owner_pid = ?').run(await goneProcessId());
      other.close();
      next = await buildApp({ databasePath: path, logLevel: 'silent', authDisabled: true, seed: false });
    });
    after(async () => {
      await next?.close();
    });

    test('with the statement written meanwhile in it', async () => {
      assert.deepEqual(await search(next, 'quinoxaline'), ['written-meanwhile']);
    });

    test("with the statement's topic name and aliases, from the stored links", async () => {
      assert.ok((await search(next, `"${topic.aliases?.[1]}" quinoxaline`)).includes('written-meanwhile'));
    });

    test('with every stored statement', () => {
      assert.equal(
        sqliteInternals(next.storage).writer.$client.prepare('SELECT count(*) FROM statements_fts').pluck().get(),
        (first.statements?.length ?? 0) + 1,
      );
    });
  });
});
