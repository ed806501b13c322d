// A statement's links on its own row on PostgreSQL (migration postgres/0005): the `links` column holds the five
// link arrays in their stored order, filled for the statements stored before, written with every write, and read
// by pages, reads by id, expand= and search instead of a subquery per link table and row.
// PostgreSQL only (SQLite's `links` column, migrations/sqlite/0013, is read by every SQLite test).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle } from '../src/modules/imports/imports.schema.js';
import { archiveBundles } from './bench/archive.js';
import { onPostgres } from './helpers.js';
import { freshDatabase, type TestDatabase } from './postgres/databases.js';
import { answersOn, appOn, databaseAt, importInto, linksApart, query, untimed } from './postgres/fixtures.js';

const skip = onPostgres ? false : 'needs DATABASE_URL=postgres://…';

/** A statement whose every link list is out of alphabetical order: the stored order is what reads must keep. */
const UNSORTED = {
  id: 'links-unsorted',
  text: 'Words filed under several topics, addressed to several actors.',
  kind: 'paraphrase',
  speakerId: 'person-1',
  sourceIds: ['b0-1-report', 'b0-0-report'],
  topicIds: ['region-1', 'region-0'],
  addresseeIds: ['state-2', 'org-0', 'state-1'],
  acts: ['reject', 'accuse'],
  respondsToIds: ['b0-0-s1', 'b0-0-s0'],
  statedOn: '2011-05-05',
};

/** A bundle of the bench's archive (its statements link to sources, topics, actors and earlier statements), and UNSORTED. */
function bundle(): Bundle {
  const [first] = [...archiveBundles(1000)] as [Bundle];
  first.statements?.push(UNSORTED as never);
  return first;
}

const READS = [
  '/v1/statements?limit=40',
  '/v1/statements?limit=40&sort=statedOn',
  '/v1/statements?limit=40&from=2011-01-01&to=2011-12-31',
  '/v1/statements?limit=40&topic=region-0',
  '/v1/statements?limit=40&topic=region-0,region-1&sort=statedOn',
  '/v1/statements?limit=40&addressee=state-1',
  '/v1/statements?limit=40&expand=speaker,topics,respondsTo',
  '/v1/statements/links-unsorted',
  '/v1/statements/links-unsorted?expand=speaker,sources,topics,addressees,respondsTo',
  '/v1/statements/b0-0-s0',
  '/v1/search?q=security&limit=40',
  '/v1/search?q=words%20several&sort=-statedOn',
];

const columnOf = async (url: string, id: string) =>
  (await query<{ links: unknown }>(url, `SELECT links FROM statements WHERE id = '${id}'`))[0]?.links;

describe('a statement’s links on its row on PostgreSQL (migration 0005)', { skip }, () => {
  let before0005: TestDatabase;
  let fresh: TestDatabase;
  before(async () => {
    if (!onPostgres) return;
    [before0005, fresh] = await Promise.all([databaseAt('0004_search_totals'), freshDatabase()]);
    // The previous shape, holding statements: written without migrating further.
    assert.deepEqual(await importInto(before0005.url, [bundle()], { migrate: false }), []);
    assert.deepEqual(await importInto(fresh.url, [bundle()]), []);
  });
  after(async () => {
    if (!onPostgres) return;
    await Promise.all([before0005?.drop(), fresh?.drop()]);
  });

  test('a database from before migration 0005 upgrades in place: each statement’s links filled in stored order, every answer as before', async () => {
    const upgraded = await answersOn(before0005.url, READS);
    assert.deepEqual(untimed(upgraded), untimed(await answersOn(fresh.url, READS)));
    assert.deepEqual(await linksApart(before0005.url), []);
    assert.deepEqual(await columnOf(before0005.url, UNSORTED.id), [
      UNSORTED.sourceIds,
      UNSORTED.topicIds,
      UNSORTED.addresseeIds,
      UNSORTED.acts,
      UNSORTED.respondsToIds,
    ]);
    const [filled] = await query<{ n: number }>(before0005.url, `SELECT count(*)::int AS n FROM statements WHERE links -> 1 <> '[]'`);
    assert.equal(filled?.n, 1001, 'every statement of the archive has a topic');
    // The upgraded rows are those a new database holds.
    const rows = (url: string) => query(url, 'SELECT id, links FROM statements ORDER BY id');
    assert.deepEqual(await rows(before0005.url), await rows(fresh.url));
  });

  test('the column follows a create, a patch of each link list, an import and a delete, in the order sent', async () => {
    const app = await appOn(fresh.url);
    try {
      const send = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
        const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return res.json();
      };
      const id = 'links-followed';
      const expect = async (links: string[][], what: string) => {
        assert.deepEqual(await columnOf(fresh.url, id), links, what);
        const read = (await app.inject(`/v1/statements/${id}`)).json();
        assert.deepEqual([read.sourceIds, read.topicIds, read.addresseeIds, read.acts, read.respondsToIds], links, what);
        assert.deepEqual(await linksApart(fresh.url), [], what);
      };
      await send('POST', '/v1/statements', { ...UNSORTED, id });
      const links = [UNSORTED.sourceIds, UNSORTED.topicIds, UNSORTED.addresseeIds, UNSORTED.acts, UNSORTED.respondsToIds];
      await expect(links, 'created');
      const patches: [keyof typeof UNSORTED, string[]][] = [
        ['sourceIds', ['b0-2-report', 'b0-0-report']],
        ['topicIds', ['region-2', 'region-0', 'region-1']],
        ['addresseeIds', []],
        ['acts', ['threaten']],
        ['respondsToIds', ['links-unsorted', 'b0-0-s0']],
      ];
      for (const [i, [field, value]] of patches.entries()) {
        await send('PATCH', `/v1/statements/${id}`, { [field]: value });
        links[i] = value;
        await expect(links, `patched ${field}`);
      }
      await send('PATCH', `/v1/statements/${id}`, { text: 'Reworded, its links untouched.' });
      await expect(links, 'patched the text');
      // An import updates the statement (a bundle record is the whole record: absent lists are emptied) and creates one.
      const imported = { ...UNSORTED, id, topicIds: ['region-3'], sourceIds: ['b0-3-report'] };
      const { addresseeIds: _a, acts: _b, respondsToIds: _c, ...rest } = imported;
      await send('POST', '/v1/imports', { statements: [rest, { ...UNSORTED, id: 'links-imported' }] });
      await expect([['b0-3-report'], ['region-3'], [], [], []], 'imported');
      assert.deepEqual((await columnOf(fresh.url, 'links-imported')) as string[][], [
        UNSORTED.sourceIds,
        UNSORTED.topicIds,
        UNSORTED.addresseeIds,
        UNSORTED.acts,
        UNSORTED.respondsToIds,
      ]);
    } finally {
      await app.close();
    }
  });

  test('what a statement links to cannot be deleted, and a statement deleted takes its link rows with it', async () => {
    const app = await appOn(fresh.url);
    try {
      const id = 'links-deleted';
      const created = await app.inject({ method: 'POST', url: '/v1/statements', payload: { ...UNSORTED, id, addresseeIds: ['org-9'] } });
      assert.equal(created.statusCode, 201, created.body);
      for (const url of ['/v1/actors/org-9', '/v1/topics/region-1', '/v1/sources/b0-0-report', '/v1/statements/b0-0-s1']) {
        const res = await app.inject({ method: 'DELETE', url });
        assert.equal(res.statusCode, 409, `${url}: ${res.body}`);
        assert.equal(res.json().code, 'STILL_REFERENCED', url);
      }
      assert.deepEqual(await columnOf(fresh.url, id), [
        UNSORTED.sourceIds,
        UNSORTED.topicIds,
        ['org-9'],
        UNSORTED.acts,
        UNSORTED.respondsToIds,
      ]);
      assert.equal((await app.inject({ method: 'DELETE', url: `/v1/statements/${id}` })).statusCode, 204);
      const [left] = await query<{ n: number }>(
        fresh.url,
        `SELECT (SELECT count(*) FROM statement_sources WHERE statement_id = '${id}') + (SELECT count(*) FROM statement_topics WHERE statement_id = '${id}')
              + (SELECT count(*) FROM statement_addressees WHERE statement_id = '${id}') + (SELECT count(*) FROM statement_acts WHERE statement_id = '${id}')
              + (SELECT count(*) FROM statement_responds_to WHERE statement_id = '${id}') AS n`,
      );
      assert.equal(Number(left?.n), 0);
      assert.deepEqual(await linksApart(fresh.url), []);
    } finally {
      await app.close();
    }
  });
});
