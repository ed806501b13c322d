// `npm run extract`: a bundle per text file with a summary line each, --import into a database (and --dry-run), usage errors.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { workspace as makeWorkspace, runCli } from './cli.js';

const cli = (args: string[], env: Record<string, string> = {}) => runCli('extract.ts', args, env);
const workspace = (t: TestContext) => makeWorkspace(t, 'extract-cli');

const TRANSCRIPT = `Foreign Ministry Spokesperson Anna Berg's Regular Press Conference on March 3, 2025

Q: What is your comment on the river talks?

A: We welcome the talks.

Q: Will there be a second round?

A: I have no information to release.`;

const REPORT = `Ministry urges calm

The foreign ministry spokesman Omar Lind said on Thursday that the border would reopen. “We want calm,” he added.`;

test('extract writes a bundle per file next to it, with a progress line and a summary per file', async (t) => {
  const { dir, write } = workspace(t);
  const a = write('briefing.txt', TRANSCRIPT);
  const b = write('report.txt', REPORT);
  const res = await cli([a, b, '--published-on', '2024-06-14', '--url', 'https://news.example/lind']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /\[1\/2\] .*briefing\.txt: extracting…/);
  assert.match(res.stderr, /\[2\/2\] .*report\.txt: extracting…/);
  assert.match(
    res.stdout,
    /briefing\.txt → .*briefing\.bundle\.json: transcript, 2 statement\(s\) \(2 quote\(s\), 0 paraphrase\(s\)\), 1 speaker\(s\), 0 warning\(s\)/,
  );
  assert.match(res.stdout, /report\.txt → .*report\.bundle\.json: report, 2 statement\(s\) \(1 quote\(s\), 1 paraphrase\(s\)\)/);
  const bundle = JSON.parse(readFileSync(join(dir, 'report.bundle.json'), 'utf8'));
  assert.equal(bundle.sources[0].url, 'https://news.example/lind');
  assert.equal(bundle.sources[0].publishedOn, '2024-06-14');
  assert.deepEqual(
    bundle.statements.map((s: { text: string; statedOn: string }) => [s.text, s.statedOn]),
    [
      ['the border would reopen', '2024-06-13'],
      ['We want calm', '2024-06-13'],
    ],
  );
});

test('extract --import --db imports each bundle through the import command; --dry-run stores nothing', async (t) => {
  const { dir, write } = workspace(t);
  const a = write('briefing.txt', TRANSCRIPT);
  const db = join(dir, 'archive.db');
  const dry = await cli([a, '--out', join(dir, 'out'), '--import', '--db', db, '--dry-run']);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /Dry run \(nothing stored\): 1 bundle\(s\) from 1 file\(s\): 1 ok, 0 failed/);
  const count = () => {
    const sqlite = new Database(db, { readonly: true });
    try {
      return (sqlite.prepare('SELECT count(*) AS n FROM statements').get() as { n: number }).n;
    } finally {
      sqlite.close();
    }
  };
  assert.equal(count(), 0);
  const real = await cli([a, '--out', join(dir, 'out'), '--import', '--db', db]);
  assert.equal(real.code, 0, real.stdout + real.stderr);
  assert.ok(existsSync(join(dir, 'out', 'briefing.bundle.json')));
  assert.equal(count(), 2);
});

test('extract: usage errors exit 2 and say what is wrong; a binary file is skipped with exit 1', async (t) => {
  const { write } = workspace(t);
  const a = write('briefing.txt', TRANSCRIPT);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Name at least one text file/);
  const badDate = await cli([a, '--published-on', '5 April']);
  assert.equal(badDate.code, 2);
  assert.match(badDate.stderr, /--published-on must be a date/);
  const noTarget = await cli([a, '--import']);
  assert.equal(noTarget.code, 2);
  assert.match(noTarget.stderr, /--import needs a target/);
  const unknown = await cli([a, '--frmat', 'report']);
  assert.equal(unknown.code, 2);
  const binary = write('image.txt', '\u0000\u0001\u0002PNG\u0003');
  const skipped = await cli([binary]);
  assert.equal(skipped.code, 1);
  assert.match(skipped.stdout, /image\.txt: holds control characters/);
});
