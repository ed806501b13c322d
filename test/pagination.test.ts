// Keyset pagination over statements: ties, every sort, Link headers, rows written between pages, cursors bound to their query.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeApp, sharedApp, type TestApp } from './helpers.js';

type Body = Record<string, unknown>;

const base = {
  sources: [{ id: 'src', kind: 'other', title: 'A source' }],
  actors: [{ id: 'pakistan', name: 'Pakistan', kind: 'state' }],
  topics: [
    { id: 'ttp', name: 'TTP' },
    { id: 'migration', name: 'Migration' },
  ],
};

const statement = (id: string, statedOn: string | null, topic = 'ttp'): Body => ({
  id,
  text: `Statement ${id}.`,
  kind: 'quote',
  speakerId: 'pakistan',
  sourceIds: ['src'],
  topicIds: [topic],
  statedOn,
});

async function load(t: TestApp, statements: Body[]): Promise<void> {
  const res = await t.json({ method: 'POST', url: '/v1/imports', payload: { ...base, statements } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function page(t: TestApp, url: string) {
  const res = await t.json({ method: 'GET', url });
  assert.equal(res.status, 200, `GET ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

const idsOf = (body: { data: { id: string }[] }) => body.data.map((s) => s.id);

/** Follows nextCursor from the first page to the last; returns the ids in order and the number of pages. */
async function walk(t: TestApp, query: string, limit: number, between?: (pageNo: number) => Promise<void>) {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/statements?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await page(t, url);
    pages += 1;
    assert.ok(res.body.data.length <= limit);
    seen.push(...idsOf(res.body));
    cursor = res.body.nextCursor;
    if (cursor) {
      assert.ok(res.body.data.length === limit, 'only the last page may be short');
      assert.equal(res.headers.link, `<${linkTarget(url, cursor)}>; rel="next"`);
    } else {
      assert.equal(res.headers.link, undefined, 'the last page has no Link header');
    }
    if (cursor && between) await between(pages);
    assert.ok(pages < 100, 'paging does not end');
  } while (cursor);
  return { seen, pages };
}

/** The URL the Link header should carry: the same request with the next cursor. */
function linkTarget(url: string, cursor: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('cursor', cursor);
  return `${u.pathname}${u.search}`;
}

/** 25 statements on one day (ties broken by id), a few on other days, two undated. */
const ties: Body[] = [];
for (let i = 0; i < 25; i++)
  ties.push(statement(`tie-${String((i * 7) % 25).padStart(2, '0')}`, '2024-04-04', i % 3 ? 'ttp' : 'migration'));
ties.push(statement('before', '2024-01-01'), statement('after', '2024-05-01'), statement('undated-a', null), statement('undated-b', null));

describe('pagination over ties', () => {
  // Paging only reads: one load of the ties serves every test of the block.
  const app = sharedApp((api) => load(api, ties));
  const everyId = ties.map((s) => s.id as string).sort();

  for (const sort of [
    '',
    'sort=-statedOn',
    'sort=statedOn',
    'sort=id',
    'sort=-id',
    'sort=createdAt',
    'sort=-createdAt',
    'sort=-updatedAt',
  ]) {
    test(`${sort || 'the default sort'}: pages of 7 yield every row once, in the order of one big page`, async () => {
      const big = await page(app(), `/v1/statements?limit=100&count=true${sort ? `&${sort}` : ''}`);
      assert.equal(big.body.nextCursor, null, sort);
      assert.equal(big.headers.link, undefined, sort);
      assert.equal(big.body.total, 29, sort);
      const expected = idsOf(big.body);
      assert.deepEqual([...expected].sort(), everyId, sort);

      const { seen, pages } = await walk(app(), sort, 7);
      assert.deepEqual(seen, expected, `paged ${sort || 'default'}`);
      assert.equal(pages, 5, sort);
    });
  }

  test('the default order is newest first, ties by id descending, undated last; ascending puts undated first', async () => {
    const first = await page(app(), '/v1/statements?limit=3');
    assert.deepEqual(idsOf(first.body), ['after', 'tie-24', 'tie-23']);
    const ascending = await page(app(), '/v1/statements?limit=3&sort=statedOn');
    assert.deepEqual(idsOf(ascending.body), ['undated-a', 'undated-b', 'before']);
  });

  test('following the Link header works the same, filters included, and count=true totals the rows paged through', async () => {
    let url: string | undefined = '/v1/statements?topic=ttp&limit=7&count=true';
    const viaLink: string[] = [];
    let total = -1;
    while (url) {
      const res = await page(app(), url);
      viaLink.push(...idsOf(res.body));
      total = res.body.total;
      const link = res.headers.link as string | undefined;
      if (link) {
        assert.match(link, /^<\/v1\/statements\?[^>]*cursor=[^>&]+[^>]*>; rel="next"$/);
        assert.ok(link.includes(encodeURIComponent(res.body.nextCursor)) || link.includes(res.body.nextCursor));
        assert.ok(link.includes('topic=ttp'));
      }
      url = link?.match(/^<([^>]+)>/)?.[1];
    }
    assert.equal(new Set(viaLink).size, viaLink.length);
    assert.equal(viaLink.length, total);
    assert.equal(total, 16 + 4);
    const ttpOnly = await page(app(), '/v1/statements?topic=ttp&limit=100');
    assert.deepEqual(viaLink, idsOf(ttpOnly.body));
  });

  test('the Link header is the request as sent with the next cursor, however its parameters are written', async () => {
    const { cursor } = await issued();
    for (const url of [
      '/v1/statements?limit=2&topic=ttp',
      // Parameters that URLSearchParams writes another way: %2C stays, %74 becomes t.
      '/v1/statements?limit=2&topic=ttp%2Cmigration&speaker=pakistan',
      '/v1/statements?limit=2&topic=t%74p&kind=quote',
      // The cursor first: the next one takes its place.
      `/v1/statements?cursor=${cursor}&topic=ttp&sort=statedOn&limit=2`,
      `/v1/statements/?topic=ttp&sort=statedOn&cursor=${cursor}&limit=2`,
    ]) {
      const res = await page(app(), url);
      assert.equal(typeof res.body.nextCursor, 'string', url);
      assert.equal(res.headers.link, `<${linkTarget(url, res.body.nextCursor)}>; rel="next"`, url);
    }
  });

  /** A cursor issued for topic=ttp&sort=statedOn, after its first page of two. */
  const issued = async () => {
    const first = await page(app(), '/v1/statements?topic=ttp&sort=statedOn&limit=2');
    const cursor = first.body.nextCursor as string;
    assert.equal(typeof cursor, 'string');
    return { first, cursor };
  };

  test('a cursor works with its own filters and sort, the parameters reordered and another page size', async () => {
    const { first, cursor } = await issued();
    const allTtp = idsOf((await page(app(), '/v1/statements?topic=ttp&sort=statedOn&limit=100')).body);
    const next = await page(app(), `/v1/statements?limit=3&cursor=${cursor}&sort=statedOn&topic=ttp`);
    assert.deepEqual(idsOf(first.body), allTtp.slice(0, 2));
    assert.deepEqual(idsOf(next.body), allTtp.slice(2, 5));
  });

  const misuses: [string, (cursor: string) => string][] = [
    ['another topic', (c) => `topic=migration&sort=statedOn&cursor=${c}`],
    ['another sort', (c) => `topic=ttp&sort=-statedOn&cursor=${c}`],
    ['the default sort', (c) => `topic=ttp&cursor=${c}`],
    ['no topic', (c) => `sort=statedOn&cursor=${c}`],
    ['one more filter', (c) => `topic=ttp&sort=statedOn&kind=quote&cursor=${c}`],
    ['one more topic', (c) => `topic=ttp,migration&sort=statedOn&cursor=${c}`],
    ['garbage', () => 'cursor=not-a-cursor'],
    ['a forged key', () => `cursor=${Buffer.from(JSON.stringify({ k: 'forged', v: ['2024-04-04', 'tie-01'] })).toString('base64url')}`],
    ['truncated JSON', () => `cursor=${Buffer.from('{"k":').toString('base64url')}`],
  ];
  for (const [name, query] of misuses) {
    test(`a cursor with ${name} is a 400 INVALID_CURSOR on the cursor parameter`, async () => {
      const { cursor } = await issued();
      const res = await app().json({ method: 'GET', url: `/v1/statements?${query(cursor)}` });
      assert.equal(res.status, 400, `?${query(cursor)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'INVALID_CURSOR', query(cursor));
      assert.deepEqual(res.body.errors, [{ in: 'query', path: '/cursor', message: res.body.errors[0].message }], query(cursor));
    });
  }

  test('a statements cursor means nothing to another collection (400)', async () => {
    const { cursor } = await issued();
    const elsewhere = await app().json({ method: 'GET', url: `/v1/positions?cursor=${cursor}` });
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.body.code, 'INVALID_CURSOR');
  });
});

/** Twenty statements over four dates and undated. */
const twenty = (): Body[] => {
  const dates = ['2024-01-01', '2024-02-01', '2024-02-01', '2024-03-01', null];
  const initial: Body[] = [];
  for (let i = 0; i < 20; i++) initial.push(statement(`s-${String(i).padStart(2, '0')}`, dates[i % dates.length] as string | null));
  return initial;
};

test('rows inserted between page fetches never make a page skip or repeat a row that was there at the start', {
  timeout: 20_000,
}, async (t) => {
  const app = await makeApp(t);
  await load(app, twenty());

  let n = 0;
  for (const sort of ['', 'sort=statedOn', 'sort=-id', 'sort=createdAt']) {
    const atStart = idsOf((await page(app, '/v1/statements?limit=100')).body);
    const inserted: string[] = [];
    const { seen } = await walk(app, sort, 4, async (pageNo) => {
      // After each of the first two pages: rows on every date, with ids that sort before and after the existing ones.
      if (pageNo > 2) return;
      const rows = [];
      for (const statedOn of ['2023-12-31', '2024-02-01', '2024-03-01', '2024-12-31', null]) {
        for (const prefix of ['a', 'z']) {
          const id = `${prefix}-new-${String(n++).padStart(3, '0')}`;
          inserted.push(id);
          rows.push(statement(id, statedOn));
        }
      }
      await load(app, rows);
    });
    const label = sort || 'default';
    assert.equal(new Set(seen).size, seen.length, `${label}: a row was served twice: ${seen}`);
    for (const id of atStart) assert.equal(seen.filter((s) => s === id).length, 1, `${label}: ${id} skipped`);
    for (const id of seen) assert.ok(atStart.includes(id) || inserted.includes(id));
  }
});

test('the row a cursor points at may be deleted: the next page continues after where it was', async (t) => {
  const app = await makeApp(t);
  await load(app, twenty());
  const p1 = await page(app, '/v1/statements?limit=5');
  const cursorRow = idsOf(p1.body).at(-1) as string;
  assert.equal((await app.request({ method: 'DELETE', url: `/v1/statements/${cursorRow}` })).statusCode, 204);
  const all = idsOf((await page(app, '/v1/statements?limit=100')).body);
  const p2 = await page(app, `/v1/statements?limit=100&cursor=${p1.body.nextCursor}`);
  assert.deepEqual(idsOf(p2.body), all.slice(all.indexOf(idsOf(p1.body)[3] as string) + 1));
});
