// A load by the import CLI into a PostgreSQL database without statements (`npm run import -- --db postgres://…`):
// its rows are written with COPY and the derived rows built at its end, and the database it leaves answers every
// read as one imported record by record does. PostgreSQL only (skipped on SQLite, whose load is bulk-load.test.ts's).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../src/app.js';
import type { Bundle } from '../src/modules/imports/imports.schema.js';
import { runImport } from '../src/modules/imports/imports.service.js';
import { openStorage } from '../src/storage/index.js';
import { bulkLoadArchive } from './bulk-load-archive.js';
import { onPostgres } from './helpers.js';
import { freshDatabase, type TestDatabase } from './postgres/databases.js';
import { importInto, linksApart, query } from './postgres/fixtures.js';

const skip = onPostgres ? false : 'needs DATABASE_URL=postgres://…';
const ROOT = new URL('../', import.meta.url).pathname;

/**
 * The archive of both bulk-load tests (test/bulk-load-archive.ts), then a bundle that refers to a missing actor
 * (refused whole) and one more new statement after it.
 */
function bundles(): Bundle[] {
  const [first, second, moved] = bulkLoadArchive();
  const template = first.statements?.[0] as NonNullable<Bundle['statements']>[number];
  const broken = { statements: [{ ...template, id: 'refused-1', speakerId: 'nobody-at-all' }] };
  const after = { statements: [{ ...template, id: 'after-the-refused-one', text: 'A statement loaded after a refused bundle.' }] };
  return [first, second, moved, broken, after];
}

/** Every table's rows but the times of writing (which differ between two imports), in one order. */
async function contents(url: string): Promise<Record<string, unknown[]>> {
  const columns = await query<{ table: string; columns: string[] }>(
    url,
    `SELECT table_name AS "table", array_agg(column_name::text ORDER BY ordinal_position) AS "columns"
       FROM information_schema.columns WHERE table_schema = 'public' GROUP BY table_name ORDER BY table_name`,
  );
  const out: Record<string, unknown[]> = {};
  for (const { table, columns: names } of columns) {
    const kept = names
      .filter((c) => !['created_at', 'updated_at', 'at'].includes(c))
      .map((c) => (c === 'state' ? `("state"::jsonb - 'createdAt' - 'updatedAt')::text AS "state"` : `"${c}"::text`));
    // Record by record, a count that falls to 0 stays as a row; a rebuild writes none. Both answer the same.
    const where = table.endsWith('month_counts') ? ' WHERE "statements" <> 0' : '';
    out[table] = await query(url, `SELECT ${kept.join(', ')} FROM "${table}"${where} ORDER BY ${kept.map((_, i) => i + 1).join(', ')}`);
  }
  return out;
}

/** Reads through the HTTP layer, the times of writing left out. */
async function reads(url: string) {
  const app = await buildApp({ databasePath: ':memory:', databaseUrl: url, logLevel: 'silent', authDisabled: true, seed: false });
  const untimed = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v) => (key === 'createdAt' || key === 'updatedAt' || key === 'at' ? undefined : v));
  try {
    const get = async (path: string) => {
      const res = await app.inject(path);
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
      return untimed(res.json());
    };
    const paths = [
      '/v1/statements?limit=100',
      '/v1/statements?limit=50&sort=-statedOn',
      '/v1/statements?topic=region-0&limit=100',
      '/v1/statements?topic=region-1&from=2020-01-01&to=2020-12-31&limit=100',
      '/v1/statements?from=2012-01-01&to=2012-03-31&limit=100&count=true',
      '/v1/search?q=ceasefire&limit=20&count=true',
      '/v1/search?q=zeta%20alias&limit=20&count=true',
      '/v1/stats/statements?groupBy=topic,month',
      '/v1/stats/statements?groupBy=year',
      '/v1/stats/stances',
      '/v1/positions?limit=100',
      '/v1/topics?limit=100',
      '/v1/actors?limit=100',
      '/v1/events?limit=100',
      '/v1/sources?limit=100',
      '/v1/statements/b1-0-s0/revisions',
      '/v1/statements/b0-0-s0/revisions',
    ];
    const answers: Record<string, unknown> = {};
    for (const path of paths) answers[path] = await get(path);
    // The whole change feed, page by page: the same changes in the same order, at the same positions.
    const feed: unknown[] = [];
    let since = '';
    for (;;) {
      const page = (await get(`/v1/changes?limit=100${since ? `&since=${since}` : ''}`)) as { data: unknown[]; next: string };
      if (page.data.length === 0) break;
      feed.push(page);
      since = page.next;
    }
    answers.feed = feed;
    return answers;
  } finally {
    await app.close();
  }
}

describe('a load by the CLI into a PostgreSQL database without statements', { skip }, () => {
  let dir = '';
  let reference: TestDatabase;
  let loaded: TestDatabase;
  let run = { code: -1, stdout: '', stderr: '' };
  before(async () => {
    if (!onPostgres) return;
    dir = mkdtempSync(join(tmpdir(), 'statements-pg-bulk-'));
    const loads = bundles();
    const file = join(dir, 'archive.ndjson');
    writeFileSync(file, `${loads.map((b) => JSON.stringify(b)).join('\n')}\n`);
    [reference, loaded] = await Promise.all([freshDatabase(), freshDatabase()]);
    await importInto(reference.url, loads);
    run = await new Promise((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/import.ts', '--json', '--db', loaded.url, file],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  });
  after(async () => {
    if (!onPostgres) return;
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([reference?.drop(), loaded?.drop()]);
  });

  test('the CLI reports a bulk load: every statement created, the moved ones updated, the refused bundle failed', () => {
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1) as string);
    assert.equal(summary.bulkLoad, true, `${run.stdout}\n${run.stderr}`);
    assert.equal(summary.counts.statements.created, 2001);
    assert.equal(summary.counts.statements.updated, 50);
    assert.equal(summary.failed, 1);
    assert.equal(JSON.parse(lines[0] as string).code, 'IMPORT_FAILED');
    assert.equal(run.code, 1, 'a failed bundle makes the exit code 1');
  });

  test('every table holds the rows an import record by record writes: records, links, revisions in the same order, derived rows', async () => {
    const [expected, actual] = await Promise.all([contents(reference.url), contents(loaded.url)]);
    assert.ok((expected.statement_topic_ancestors?.length ?? 0) > 4000, 'the archive fills the derived tables');
    assert.ok((expected.revisions?.length ?? 0) > 3000, 'and the change feed');
    for (const table of Object.keys(expected)) assert.deepEqual(actual[table], expected[table], table);
  });

  test('each statement copied carries its links on its row, as its link tables hold them (migration 0005)', async () => {
    assert.deepEqual(await linksApart(loaded.url), []);
    const [filled] = await query<{ n: number }>(loaded.url, `SELECT count(*)::int AS n FROM statements WHERE links -> 1 <> '[]'`);
    assert.equal(filled?.n, 2001, 'every statement of the archive has a topic');
  });

  test('the loaded database answers every read as one imported record by record', async () => {
    assert.deepEqual(await reads(loaded.url), await reads(reference.url));
  });

  test('the triggers are back on: a write after the load keeps the derived rows', async () => {
    const storage = await openStorage({ path: ':memory:', url: loaded.url });
    try {
      assert.equal(await storage.imports.deferDerivedWork(), false, 'the database now holds statements: no bulk load');
      const [template] = bundles()[0]?.statements ?? [];
      await runImport(storage, {
        statements: [{ ...(template as object), id: 'written-after', text: 'Quixotic words after the load.' } as never],
      });
    } finally {
      await storage.close();
    }
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: loaded.url, logLevel: 'silent', authDisabled: true, seed: false });
    try {
      const found = (await app.inject('/v1/search?q=quixotic')).json();
      assert.deepEqual(
        found.data.map((s: { id: string }) => s.id),
        ['written-after'],
      );
      const filed = await query(loaded.url, `SELECT 1 FROM "statement_topic_ancestors" WHERE "statement_id" = 'written-after'`);
      assert.ok(filed.length > 0, 'filed under its topics (ancestry kept by the trigger)');
    } finally {
      await app.close();
    }
  });
});
