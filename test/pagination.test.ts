// Keyset pagination over statements: ties, every sort, Link headers, rows written between pages, cursors bound to their query.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeApp, type TestApp } from './helpers.js';

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

test('paging through ties with limit=7 yields every row once, in the order of one big page, for every sort; a cursor only works with its own filters and sort', async (t) => {
  const app = await makeApp(t);
  const statements: Body[] = [];
  // 25 statements on one day (ties broken by id), a few on other days, two undated.
  for (let i = 0; i < 25; i++)
    statements.push(statement(`tie-${String((i * 7) % 25).padStart(2, '0')}`, '2024-04-04', i % 3 ? 'ttp' : 'migration'));
  statements.push(
    statement('before', '2024-01-01'),
    statement('after', '2024-05-01'),
    statement('undated-a', null),
    statement('undated-b', null),
  );
  await load(app, statements);
  const everyId = statements.map((s) => s.id as string).sort();

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
    const big = await page(app, `/v1/statements?limit=100&count=true${sort ? `&${sort}` : ''}`);
    assert.equal(big.body.nextCursor, null, sort);
    assert.equal(big.headers.link, undefined, sort);
    assert.equal(big.body.total, 29, sort);
    const expected = idsOf(big.body);
    assert.deepEqual([...expected].sort(), everyId, sort);

    const { seen, pages } = await walk(app, sort, 7);
    assert.deepEqual(seen, expected, `paged ${sort || 'default'}`);
    assert.equal(pages, 5, sort);
  }

  // The default order: newest first, ties by id descending, undated last.
  const first = await page(app, '/v1/statements?limit=3');
  assert.deepEqual(idsOf(first.body), ['after', 'tie-24', 'tie-23']);
  const ascending = await page(app, '/v1/statements?limit=3&sort=statedOn');
  assert.deepEqual(idsOf(ascending.body), ['undated-a', 'undated-b', 'before']);

  // Following the Link header itself works the same, filters included, and count=true totals the rows paged through.
  let url: string | undefined = '/v1/statements?topic=ttp&limit=7&count=true';
  const viaLink: string[] = [];
  let total = -1;
  while (url) {
    const res = await page(app, url);
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
  const ttpOnly = await page(app, '/v1/statements?topic=ttp&limit=100');
  assert.deepEqual(viaLink, idsOf(ttpOnly.body));

  // A cursor is bound to the filters and sort it was issued for.
  {
    const first = await page(app, '/v1/statements?topic=ttp&sort=statedOn&limit=2');
    const allTtp = idsOf((await page(app, '/v1/statements?topic=ttp&sort=statedOn&limit=100')).body);
    const cursor = first.body.nextCursor as string;
    assert.equal(typeof cursor, 'string');

    // Same filters and sort, parameters reordered and another page size: fine.
    const next = await page(app, `/v1/statements?limit=3&cursor=${cursor}&sort=statedOn&topic=ttp`);
    assert.deepEqual(idsOf(first.body), allTtp.slice(0, 2));
    assert.deepEqual(idsOf(next.body), allTtp.slice(2, 5));

    const misuses = [
      `topic=migration&sort=statedOn&cursor=${cursor}`,
      `topic=ttp&sort=-statedOn&cursor=${cursor}`,
      `topic=ttp&cursor=${cursor}`,
      `sort=statedOn&cursor=${cursor}`,
      `topic=ttp&sort=statedOn&kind=quote&cursor=${cursor}`,
      `topic=ttp,migration&sort=statedOn&cursor=${cursor}`,
      'cursor=not-a-cursor',
      `cursor=${Buffer.from(JSON.stringify({ k: 'forged', v: ['2024-04-04', 'tie-01'] })).toString('base64url')}`,
      `cursor=${Buffer.from('{"k":').toString('base64url')}`,
    ];
    for (const query of misuses) {
      const res = await app.json({ method: 'GET', url: `/v1/statements?${query}` });
      assert.equal(res.status, 400, `?${query}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'INVALID_CURSOR', query);
      assert.deepEqual(res.body.errors, [{ in: 'query', path: '/cursor', message: res.body.errors[0].message }], query);
    }
    // A statements cursor means nothing to another collection.
    const elsewhere = await app.json({ method: 'GET', url: `/v1/positions?cursor=${cursor}` });
    assert.equal(elsewhere.status, 400);
    assert.equal(elsewhere.body.code, 'INVALID_CURSOR');
  }
});

test('rows inserted or deleted between page fetches never make a page skip or repeat a row that was there at the start', {
  timeout: 20_000,
}, async (t) => {
  const app = await makeApp(t);
  const dates = ['2024-01-01', '2024-02-01', '2024-02-01', '2024-03-01', null];
  const initial: Body[] = [];
  for (let i = 0; i < 20; i++) initial.push(statement(`s-${String(i).padStart(2, '0')}`, dates[i % dates.length] as string | null));
  await load(app, initial);

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

  // The row a cursor points at may disappear: the next page continues after where it was.
  const p1 = await page(app, '/v1/statements?limit=5');
  const cursorRow = idsOf(p1.body).at(-1) as string;
  assert.equal((await app.request({ method: 'DELETE', url: `/v1/statements/${cursorRow}` })).statusCode, 204);
  const all = idsOf((await page(app, '/v1/statements?limit=100')).body);
  const p2 = await page(app, `/v1/statements?limit=100&cursor=${p1.body.nextCursor}`);
  assert.deepEqual(idsOf(p2.body), all.slice(all.indexOf(idsOf(p1.body)[3] as string) + 1));
});
