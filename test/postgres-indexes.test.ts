// PostgreSQL's indexes on a statement's date (migration postgres/0003): NULLS FIRST, the lists' order, so that a
// page newest first, oldest first or in a date range is read off the index instead of sorting every statement.
// PostgreSQL only (skipped on SQLite, whose plans test/indexes.test.ts checks).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Bundle } from '../src/modules/imports/imports.schema.js';
import { archiveBundles } from './bench/archive.js';
import { onPostgres } from './helpers.js';
import { freshDatabase, type TestDatabase } from './postgres/databases.js';
import { answersOn, appOn, databaseAt, importInto, query, untimed } from './postgres/fixtures.js';

const skip = onPostgres ? false : 'needs DATABASE_URL=postgres://…';

/** A bundle of the bench's archive, a few of its statements left undated (their order among the dated is the rule). */
function bundle(): Bundle {
  const [first] = [...archiveBundles(1000)] as [Bundle];
  for (const [i, s] of (first.statements ?? []).entries()) if (i % 97 === 0) s.statedOn = null as never;
  return first;
}

const PAGES = [
  '/v1/statements?limit=30',
  '/v1/statements?limit=30&sort=statedOn',
  '/v1/statements?limit=30&from=2010-03-01&to=2010-06-30',
  '/v1/statements?limit=30&speaker=person-1',
];

async function answers(url: string): Promise<unknown[]> {
  const app = await appOn(url);
  try {
    const out: unknown[] = [];
    for (const path of PAGES) {
      const first = (await app.inject(path)).json();
      out.push(first);
      // And the page after it, through the cursor: it crosses the undated statements in one order or the other.
      if (first.nextCursor) out.push((await app.inject(`${path}&cursor=${first.nextCursor}`)).json());
    }
    return out;
  } finally {
    await app.close();
  }
}

describe('the statements’ date indexes on PostgreSQL', { skip }, () => {
  let before0003: TestDatabase;
  let fresh: TestDatabase;
  let previousAnswers: unknown[] = [];
  before(async () => {
    if (!onPostgres) return;
    [before0003, fresh] = await Promise.all([databaseAt('0002_topic_ancestry_counts'), freshDatabase()]);
    // The previous shape, holding statements: written without migrating further.
    assert.deepEqual(await importInto(before0003.url, [bundle()], { migrate: false }), []);
    // The same rows in a database migrated to the end: what the upgraded one must answer (buildApp migrates).
    assert.deepEqual(await importInto(fresh.url, [bundle()]), []);
    previousAnswers = await answers(fresh.url);
  });
  after(async () => {
    if (!onPostgres) return;
    await Promise.all([before0003?.drop(), fresh?.drop()]);
  });

  test('a database from before migration 0003 upgrades in place and answers every page as before', async () => {
    const upgraded = await answers(before0003.url);
    assert.deepEqual(untimed(upgraded), untimed(previousAnswers));
    const [index] = await query<{ indexdef: string }>(
      before0003.url,
      "SELECT indexdef FROM pg_indexes WHERE indexname = 'statements_stated_on_idx'",
    );
    assert.match(index?.indexdef ?? '', /stated_on.*NULLS FIRST/);
  });

  test('a page newest first, oldest first and in a date range is read off the index, without a sort', async () => {
    await query(fresh.url, 'ANALYZE statements');
    for (const order of ['stated_on DESC NULLS LAST, id DESC', 'stated_on ASC NULLS FIRST, id ASC']) {
      for (const where of ['', "WHERE stated_on >= '2010-03-01' AND stated_on <= '2010-06-30'"]) {
        // Sequential scans priced out, as on a large table: the plan shows whether the index serves the order.
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        let plan: { 'QUERY PLAN': string }[];
        try {
          await client.query('SET enable_seqscan = off');
          plan = (await client.query(`EXPLAIN SELECT id FROM statements ${where} ORDER BY ${order} LIMIT 21`)).rows;
        } finally {
          await client.end();
        }
        const text = plan.map((r) => r['QUERY PLAN']).join('\n');
        assert.doesNotMatch(text, /Sort/, `${order} ${where}:\n${text}`);
        assert.match(text, /statements_stated_on_idx/, `${order} ${where}:\n${text}`);
      }
    }
  });

  test('a page of a topic subtree by date is read off statement_topic_ancestors’ key, without a sort', async () => {
    await query(fresh.url, 'ANALYZE statement_topic_ancestors');
    // The shape of lists.ts's topic page: the range and order on the key (ancestor, date, id), then the rows.
    for (const order of ['DESC', 'ASC']) {
      for (const range of ['', "AND a.stated_on >= '2010-03-01' AND a.stated_on <= '2010-06-30'"]) {
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        let plan: { 'QUERY PLAN': string }[];
        try {
          // A sort priced out too: on this small table a sort of a few rows is cheaper, and the question is
          // whether the key's order serves the page's order (the column order, NULL as '' below every date).
          await client.query('SET enable_seqscan = off');
          await client.query('SET enable_sort = off');
          plan = (
            await client.query(
              `EXPLAIN SELECT s.id FROM statement_topic_ancestors a JOIN statements s ON s.id = a.statement_id
                WHERE a.ancestor_id = 'region-0' ${range} ORDER BY a.stated_on ${order}, a.statement_id ${order} LIMIT 21`,
            )
          ).rows;
        } finally {
          await client.end();
        }
        const text = plan.map((r) => r['QUERY PLAN']).join('\n');
        assert.doesNotMatch(text, /Sort|Hash/, `${order} ${range}:\n${text}`);
        assert.match(text, /statement_topic_ancestors_ancestor_id_stated_on_statement_id_pk/, `${order} ${range}:\n${text}`);
      }
    }
  });
});

/** The totals row, and what it should hold: the documents of statements_search counted and their words summed. */
async function totals(url: string) {
  const [row] = await query<{ documents: string; tokens: string; counted: string; summed: string }>(
    url,
    `SELECT t.documents::text AS documents, t.tokens::text AS tokens, (SELECT count(*) FROM statements_search)::text AS counted,
            (SELECT coalesce(sum((SELECT coalesce(sum(coalesce(array_length(positions, 1), 1)), 0) FROM unnest(document))), 0)
               FROM statements_search)::text AS summed
       FROM statements_search_totals t`,
  );
  assert.ok(row, 'no totals row');
  assert.deepEqual([row.documents, row.tokens], [row.counted, row.summed], 'the totals are those of the documents');
  return { documents: Number(row.documents), tokens: Number(row.tokens) };
}

const SEARCHES = ['/v1/search?q=security', '/v1/search?q=the%20government', '/v1/search?q=nucl*&limit=5', '/v1/search?q=kabul&count=true'];

describe('the search corpus totals on PostgreSQL (migration 0004)', { skip }, () => {
  let before0004: TestDatabase;
  let fresh: TestDatabase;
  before(async () => {
    if (!onPostgres) return;
    [before0004, fresh] = await Promise.all([databaseAt('0003_statements_date_nulls_first'), freshDatabase()]);
    assert.deepEqual(await importInto(before0004.url, [bundle()], { migrate: false }), []);
    assert.deepEqual(await importInto(fresh.url, [bundle()]), []);
  });
  after(async () => {
    if (!onPostgres) return;
    await Promise.all([before0004?.drop(), fresh?.drop()]);
  });

  test('a database from before migration 0004 upgrades in place: its totals counted, its searches scored as before', async () => {
    const upgraded = await answersOn(before0004.url, SEARCHES);
    assert.deepEqual(untimed(upgraded), untimed(await answersOn(fresh.url, SEARCHES)));
    const upgradedTotals = await totals(before0004.url);
    assert.equal(upgradedTotals.documents, 1000);
    assert.deepEqual(upgradedTotals, await totals(fresh.url));
  });

  test('the totals follow a statement created, reworded, filed under a renamed topic, and deleted', async () => {
    const app = await appOn(fresh.url);
    try {
      const send = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
        const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      };
      const start = await totals(fresh.url);
      await send('POST', '/v1/topics', { id: 'totals-topic', name: 'Tallies' });
      const [speaker] = await query<{ id: string }>(fresh.url, 'SELECT id FROM actors ORDER BY id LIMIT 1');
      const [source] = await query<{ id: string }>(fresh.url, 'SELECT id FROM sources ORDER BY id LIMIT 1');
      await send('POST', '/v1/statements', {
        id: 'totals-statement',
        text: 'one two three four',
        kind: 'paraphrase',
        speakerId: speaker?.id,
        sourceIds: [source?.id],
        topicIds: ['totals-topic'],
      });
      const created = await totals(fresh.url);
      assert.deepEqual(created, { documents: start.documents + 1, tokens: start.tokens + 5 });
      await send('PATCH', '/v1/statements/totals-statement', { text: 'one two' });
      assert.deepEqual(await totals(fresh.url), { documents: created.documents, tokens: created.tokens - 2 });
      await send('PATCH', '/v1/topics/totals-topic', { name: 'Running tallies', aliases: ['Counts kept'] });
      assert.deepEqual(await totals(fresh.url), { documents: created.documents, tokens: created.tokens - 2 + 3 });
      await send('DELETE', '/v1/statements/totals-statement');
      assert.deepEqual(await totals(fresh.url), start);
    } finally {
      await app.close();
    }
  });
});
