// The counts by topic and month that stats read, after imports that create statements and move them to other
// months and topics, and after a write by another program: equal to the counts taken from the statements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { sqliteInternals } from '../src/storage/inspect.js';
import { get } from './assertions.js';
import { taggedStatement } from './dated-statements.js';
import { makeApp, seedMinimal, sqliteOnly, type TestApp } from './helpers.js';

type Body = Record<string, any>;

async function importLines(t: TestApp, ...bundles: Body[]) {
  const res = await t.request({
    method: 'POST',
    url: '/v1/imports',
    headers: { 'content-type': 'application/x-ndjson' },
    payload: `${bundles.map((b) => JSON.stringify(b)).join('\n')}\n`,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Body);
}

const cells = async (t: TestApp) => (await get(t, '/v1/stats/statements?groupBy=topic,month')).data as Body[];
const count = (data: Body[], topic: string | null, month: string | null) =>
  data.find((c) => c.topic === topic && c.month === month)?.count ?? 0;

/** The kept counts (no empty ones) and the same counts taken from the statements and their topic ancestry. */
function keptAndTaken(sqlite: Database.Database) {
  const kept = {
    topics: sqlite.prepare('SELECT ancestor_id, month, statements FROM topic_month_counts WHERE statements <> 0 ORDER BY 1, 2').all(),
    months: sqlite.prepare('SELECT month, statements FROM month_counts WHERE statements <> 0 ORDER BY 1').all(),
  };
  const taken = {
    topics: sqlite
      .prepare(
        `SELECT ancestor_id, substr(stated_on, 1, 7) AS month, count(*) AS statements FROM statement_topic_ancestors
          GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all(),
    months: sqlite
      .prepare(`SELECT substr(coalesce(stated_on, ''), 1, 7) AS month, count(*) AS statements FROM statements GROUP BY 1 ORDER BY 1`)
      .all(),
  };
  return { kept, taken };
}

const reader = (t: TestApp) => sqliteInternals(t.app.storage).reader.$client;

test('an import counts new statements by topic and month: each under every ancestor once, undated and untagged ones too', async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  const results = await importLines(api, {
    statements: [
      taggedStatement('a', '2024-03-28', ['talks-with-ttp']),
      // Two topics leading to the same ancestors: counted once under each.
      taggedStatement('b', '2024-04-04', ['ttp', 'talks-with-ttp']),
      taggedStatement('c', '2024-04-05', ['migration', 'talks-with-ttp']),
      taggedStatement('d', null, ['counter-terrorism']),
      taggedStatement('e', '2024-04-06', []),
    ],
  });
  assert.equal(results[0]?.status, 'ok');
  const data = await cells(api);
  assert.equal(count(data, 'counter-terrorism', '2024-04'), 2);
  assert.equal(count(data, 'counter-terrorism', '2024-03'), 1);
  assert.equal(count(data, 'counter-terrorism', null), 1);
  assert.equal(count(data, 'ttp', '2024-04'), 2);
  assert.equal(count(data, 'talks-with-ttp', '2024-04'), 2);
  assert.equal(count(data, 'migration', '2024-04'), 1);
  assert.equal(count(data, null, '2024-04'), 1, 'the untagged statement');
  const month = await get(api, '/v1/stats/statements?groupBy=month');
  assert.equal(month.total, 5);
  assert.equal(month.data.find((c: Body) => c.month === '2024-04')?.count, 3);
});

test('an import that moves statements to other months and topics leaves the counts the statements give', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  const first = {
    statements: [
      taggedStatement('a', '2024-03-28', ['talks-with-ttp']),
      taggedStatement('b', '2024-04-04', ['ttp', 'talks-with-ttp']),
      taggedStatement('c', null, ['migration']),
      taggedStatement('d', '2024-04-06', []),
    ],
  };
  const second = {
    topics: [{ id: 'water', name: 'Water' }],
    statements: [
      taggedStatement('a', '2024-05-01', ['talks-with-ttp']),
      taggedStatement('b', '2024-04-04', ['migration']),
      taggedStatement('c', '2024-04-02', ['water', 'ttp']),
      taggedStatement('d', null, ['talks-with-ttp']),
      taggedStatement('e', '2024-05-02', ['water']),
    ],
  };
  const results = await importLines(api, first, second);
  assert.deepEqual(
    results.slice(0, 2).map((r) => [r.status, r.counts.statements]),
    [
      ['ok', { created: 4, updated: 0, unchanged: 0 }],
      ['ok', { created: 1, updated: 4, unchanged: 0 }],
    ],
  );
  const data = await cells(api);
  assert.equal(count(data, 'talks-with-ttp', '2024-03'), 0);
  assert.equal(count(data, 'talks-with-ttp', '2024-04'), 0);
  assert.equal(count(data, 'talks-with-ttp', '2024-05'), 1);
  assert.equal(count(data, 'talks-with-ttp', null), 1);
  assert.equal(count(data, 'counter-terrorism', '2024-04'), 1, 'c, through ttp');
  assert.equal(count(data, 'migration', '2024-04'), 1);
  assert.equal(count(data, 'migration', null), 0);
  assert.equal(count(data, 'water', '2024-04'), 1);
  assert.equal(count(data, 'water', '2024-05'), 1);
  assert.equal(count(data, null, '2024-04'), 0, 'd has a topic now');
  const { kept, taken } = keptAndTaken(reader(api));
  assert.deepEqual(kept, taken);
});

test('after an import, a failed one and a dry run, a write by another program is counted', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  await importLines(api, { statements: [taggedStatement('a', '2024-04-04', ['ttp'])] });
  const failed = await importLines(api, {
    statements: [taggedStatement('b', '2024-04-04', ['ttp']), taggedStatement('c', '2024-04-04', ['nowhere'])],
  });
  assert.equal(failed[0]?.status, 'failed');
  const dry = await api.request({
    method: 'POST',
    url: '/v1/imports?dryRun=true',
    payload: { statements: [taggedStatement('d', '2024-04-04', ['ttp'])] },
  });
  assert.equal(dry.statusCode, 200, dry.body);
  const other = new Database(sqliteInternals(api.app.storage).writer.$client.name);
  t.after(() => other.close());
  other.exec(`
    INSERT INTO statements (id, doc, text, kind, speaker_id, stated_on, links, created_at, updated_at)
      VALUES ('x', 100, 'Another program''s.', 'paraphrase', 'spokesperson', '2024-04-09', '[[],["ttp"],[],[],[]]', 't', 't');
    INSERT INTO statement_topics (statement_id, topic_id, ord) VALUES ('x', 'ttp', 0);
    UPDATE statements SET stated_on = '2024-06-01' WHERE id = 'a';`);
  const data = await cells(api);
  assert.equal(count(data, 'ttp', '2024-04'), 1);
  assert.equal(count(data, 'ttp', '2024-06'), 1);
  assert.equal(count(data, 'counter-terrorism', '2024-04'), 1);
  const { kept, taken } = keptAndTaken(other);
  assert.deepEqual(kept, taken);
});
