// Every list shape over statements and positions is served by an index: no full scan of the table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeApp } from './helpers.js';

interface Captured {
  sql: string;
  params: unknown[];
}

/** Records the SQL (with its parameters) that better-sqlite3 runs while `work` runs. */
async function capture(client: any, work: () => Promise<void>): Promise<Captured[]> {
  const captured: Captured[] = [];
  const prepare = client.prepare;
  client.prepare = function (this: unknown, source: string) {
    const statement = prepare.call(client, source);
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const original = statement[method].bind(statement);
      statement[method] = (...params: unknown[]) => {
        captured.push({ sql: source, params });
        return original(...params);
      };
    }
    return statement;
  };
  try {
    await work();
  } finally {
    client.prepare = prepare;
  }
  return captured;
}

const STATEMENT_SHAPES = [
  '',
  'sort=statedOn',
  'sort=-createdAt',
  'sort=updatedAt',
  'sort=id',
  'speaker=mumtaz-zahra-baloch',
  'onBehalfOf=pakistan',
  'topic=counter-terrorism',
  'addressee=afghanistan-interim-government',
  'event=fo-weekly-press-briefing-2024-04-04',
  'source=the-news-2024-04-05-pakistan-not-in-talks-with-ttp',
  'respondsTo=afghan-deputy-interior-minister-advice-pakistan-ttp-dialogue',
  'kind=quote',
  'act=demand',
  'language=en',
  'from=2024-01-01&to=2024-12-31',
  'speaker=mumtaz-zahra-baloch&topic=ttp&from=2024-04-01',
  'q=talks',
  'q=talks&sort=-statedOn',
  'count=true&speaker=mumtaz-zahra-baloch',
];

const POSITION_SHAPES = [
  '',
  'actor=pakistan',
  'topic=counter-terrorism',
  'stance=opposes',
  'asOf=2024-04-04',
  'actor=pakistan&topic=talks-with-ttp&asOf=2024-04-04',
  'sort=-updatedAt',
];

for (const [collection, shapes] of [
  ['statements', STATEMENT_SHAPES],
  ['positions', POSITION_SHAPES],
] as const) {
  test(`no list of ${collection} scans the whole table`, async (t) => {
    const api = await makeApp(t, { seed: true });
    const client = api.app.db.$client;
    for (const shape of shapes) {
      let cursor: string | null = null;
      const queries = await capture(client, async () => {
        const res = await api.request({ method: 'GET', url: `/v1/${collection}?limit=2&${shape}` });
        assert.equal(res.statusCode, 200, `${shape}: ${res.body}`);
        cursor = res.json().nextCursor;
      });
      if (cursor) {
        // A later page seeks to its cursor: no scan of the table, not even along an index.
        const later = await capture(client, async () => {
          const next = await api.request({ method: 'GET', url: `/v1/${collection}?limit=2&${shape}&cursor=${cursor}` });
          assert.equal(next.statusCode, 200, `${shape} page 2: ${next.body}`);
        });
        for (const { sql, params } of later.filter((q) => q.sql.includes(`"${collection}"`))) {
          const plan = client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
          const scans = plan.filter((row) => row.detail.startsWith(`SCAN ${collection}`));
          assert.deepEqual(
            scans,
            [],
            `${collection}?${shape} page 2 reads past its cursor:\n${sql}\n${plan.map((r) => r.detail).join('\n')}`,
          );
        }
        queries.push(...later);
      }
      const onTable = queries.filter((q) => new RegExp(`(from|join) "${collection}"`, 'i').test(q.sql));
      assert.ok(onTable.length > 0, `${shape}: a query on ${collection} ran`);
      for (const { sql, params } of onTable) {
        const plan = client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
        const scans = plan.filter((row) => new RegExp(`^SCAN ${collection}$`).test(row.detail));
        assert.deepEqual(scans, [], `${collection}?${shape} scans the table:\n${sql}\n${plan.map((r) => r.detail).join('\n')}`);
      }
    }
  });
}
