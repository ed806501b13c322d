// `npm run import`: JSON and NDJSON files into a database file or a running server; a summary, and a non-zero exit on any failure.
import assert from 'node:assert/strict';

import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { briefingBundle } from './bench/bundles.js';
import { workspace as makeWorkspace, runCli } from './cli.js';
import { makeApp } from './helpers.js';

/** Runs the CLI as a script would, with stdout not a terminal (so no progress bar). */
const cli = (args: string[], env: Record<string, string> = {}) => runCli('import.ts', args, env);
const workspace = (t: TestContext) => makeWorkspace(t, 'statements-cli');

/** An archive: the first line carries the shared actors and topics, a later line has two bad references. */
function archive() {
  const bad = briefingBundle('bad', 3, { shared: false });
  const statements = bad.statements as Record<string, unknown>[];
  statements[1] = { ...statements[1], speakerId: 'nobody' };
  statements[2] = { ...statements[2], topicIds: ['topic-1', 'no-such-topic'] };
  const good = [briefingBundle('one', 4), briefingBundle('two', 3, { shared: false })];
  return {
    good: `${good.map((b) => JSON.stringify(b)).join('\n')}\n`,
    withBad: `${[...good, bad, briefingBundle('three', 2, { shared: false })].map((b) => JSON.stringify(b)).join('\n')}\n`,
  };
}

const count = (path: string, table: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
};

test('CLI --db: imports .json and .ndjson files through the service, names each failed record by file, line and pointer, exits 1; a re-run changes nothing', async (t) => {
  const { dir, write } = workspace(t);
  const db = join(dir, 'archive.db');
  const { withBad, good } = archive();
  const ndjson = write('archive.ndjson', withBad);
  const json = write('single.json', JSON.stringify(briefingBundle('single', 2, { shared: false }), null, 2));

  const first = await cli(['--db', db, ndjson, json]);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stdout, /archive\.ndjson:3: IMPORT_FAILED 2 error\(s\); nothing was stored\./);
  assert.match(first.stdout, /^ {2}\/statements\/1\/speakerId {2}speakerId refers to 'nobody', which does not exist in \/v1\/actors\.$/m);
  assert.match(first.stdout, /^ {2}\/statements\/2\/topicIds\/1 {2}topicIds\/1 refers to 'no-such-topic'/m);
  assert.match(first.stdout, /5 bundle\(s\) from 2 file\(s\): 4 ok, 1 failed/);
  assert.match(first.stdout, /statements +11 created, 0 updated, 0 unchanged/);
  assert.match(
    first.stdout,
    /The database was empty: topic ancestry, counts, the search index and secondary indexes were built once, at the end\./,
  );
  assert.ok(!first.stdout.includes(`${String.fromCharCode(27)}[`), 'no progress bar when stdout is not a terminal');
  assert.equal(count(db, 'statements'), 11);
  assert.equal(count(db, 'statements_fts'), 11);

  // The good lines again: nothing changes, and the exit code says all is well.
  const again = await cli(['--db', db, write('good.ndjson', good), json]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /3 bundle\(s\) from 2 file\(s\): 3 ok, 0 failed/);
  assert.match(again.stdout, /statements +0 created, 0 updated, 9 unchanged/);
  assert.doesNotMatch(again.stdout, /The database was empty/);
  assert.equal(count(db, 'statements'), 11);
});

test('CLI --dry-run and --json: every failure as a JSON line for scripts, then the summary; nothing stored', async (t) => {
  const { dir, write } = workspace(t);
  const db = join(dir, 'dry.db');
  const { good, withBad } = archive();
  assert.equal((await cli(['--db', db, write('good.ndjson', good)])).code, 0);
  const ndjson = write('archive.jsonl', withBad);
  const res = await cli(['--db', db, '--dry-run', '--json', ndjson]);
  assert.equal(res.code, 1);
  const lines = res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 2, res.stdout);
  assert.equal(lines[0].file, ndjson);
  assert.equal(lines[0].line, 3);
  assert.equal(lines[0].code, 'IMPORT_FAILED');
  assert.deepEqual(
    lines[0].errors.map((e: { path: string }) => e.path),
    ['/statements/1/speakerId', '/statements/2/topicIds/1'],
  );
  const { seconds, ...summary } = lines[1];
  assert.ok(seconds >= 0);
  assert.deepEqual(summary, {
    status: 'done',
    files: 1,
    bundles: 4,
    ok: 3,
    failed: 1,
    failedFiles: 0,
    dryRun: true,
    bulkLoad: false,
    counts: {
      sources: { created: 1, updated: 0, unchanged: 2 },
      actors: { created: 0, updated: 0, unchanged: 20 },
      topics: { created: 0, updated: 0, unchanged: 30 },
      events: { created: 1, updated: 0, unchanged: 2 },
      statements: { created: 2, updated: 0, unchanged: 7 },
      positions: { created: 0, updated: 0, unchanged: 0 },
    },
  });
  assert.equal(count(db, 'statements'), 7);
});

test('CLI --url: NDJSON streamed and JSON posted to a running server; a refused key or a bad file is a clear failure', async (t) => {
  const app = await makeApp(t);
  const address = await app.app.listen({ port: 0, host: '127.0.0.1' });
  const { write } = workspace(t);
  const ndjson = write('archive.ndjson', archive().withBad);
  const json = write('single.json', JSON.stringify(briefingBundle('single', 2, { shared: false })));

  const res = await cli(['--url', address, '--key', app.key, ndjson, json]);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stdout, /archive\.ndjson:3: IMPORT_FAILED/);
  assert.match(res.stdout, /\/statements\/1\/speakerId {2}speakerId refers to 'nobody'/);
  assert.match(res.stdout, /5 bundle\(s\) from 2 file\(s\): 4 ok, 1 failed/);
  const total = await app.json({ method: 'GET', url: '/v1/statements?count=true&limit=1' });
  assert.equal(total.body.total, 11);

  // The key may come from the environment; a good run exits 0.
  const good = await cli(['--url', address, json], { API_KEY: app.key });
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /statements +0 created, 0 updated, 2 unchanged/);

  const refused = await cli(['--url', address, '--key', 'not-a-key', json]);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /single\.json: 401 /);
  assert.match(refused.stdout, /1 file\(s\) could not be imported/);
});

test('CLI usage errors exit 2 and say what is wrong', async (t) => {
  const { dir, write } = workspace(t);
  const json = write('a.json', '{}');
  const cases: [string[], RegExp][] = [
    [[], /Name at least one file/],
    [[json], /--url <base> \(a running server\) or --db <file>/],
    [['--db', join(dir, 'x.db'), '--url', 'http://localhost:3000', json], /--url or --db, not both/],
    [['--url', 'http://localhost:3000', json], /needs an API key/],
    [['--db', join(dir, 'x.db'), write('notes.txt', 'hello')], /not a \.json .* or \.ndjson\/\.jsonl/],
    [['--db', join(dir, 'x.db'), join(dir, 'missing.ndjson')], /missing\.ndjson: cannot be read \(ENOENT\)/],
    [['--db', join(dir, 'x.db'), '--verbose', json], /Unknown option '--verbose'/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli(args)));
  for (const [i, [args, message]] of cases.entries()) {
    const res = results[i] as { code: number; stderr: string };
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, message, args.join(' '));
    assert.match(res.stderr, /--help for more/);
  }
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit code: 0 when every bundle was imported, 1 when any failed, 2 for a usage error/);
});
