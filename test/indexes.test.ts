// Every list shape over statements and positions is served by an index: no full scan of the table.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { ListQuery, PageResult } from '../src/lib/pagination.js';
import { loadSeeds } from '../src/modules/imports/imports.seed.js';
import { type Collection, openStorage, type Storage } from '../src/storage/index.js';
import { sqliteInternals } from '../src/storage/inspect.js';

/** The seeded database, and the SQL it runs (parameters written in) while `traced` runs. */
async function seededDb(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'statements-plans-'));
  let seen: string[] | undefined;
  const db = await openStorage({ path: join(dir, 'plans.db'), trace: (sql) => seen?.push(sql) });
  await db.migrate();
  await loadSeeds(db);
  t.after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const traced = async <T>(work: () => Promise<T>): Promise<[T, string[]]> => {
    seen = [];
    try {
      return [await work(), seen];
    } finally {
      seen = undefined;
    }
  };
  return { db, traced };
}

const planOf = (db: Storage, sql: string) =>
  (sqliteInternals(db).reader.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);

/** A list's query string as its route hands it over once validated: `count` a boolean, a page of two. */
const listQuery = (shape: string, cursor?: string): ListQuery & Record<string, unknown> => {
  const query: Record<string, unknown> = { limit: 2, count: false, ...Object.fromEntries(new URLSearchParams(shape)) };
  if (query.count === 'true') query.count = true;
  return (cursor ? { ...query, cursor } : query) as ListQuery & Record<string, unknown>;
};

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

for (const [collection, shapes, list] of [
  ['statements', STATEMENT_SHAPES, (db: Storage, query: ListQuery & Record<string, unknown>) => db.lists.page('statements', query)],
  ['positions', POSITION_SHAPES, (db: Storage, query: ListQuery & Record<string, unknown>) => db.lists.page('positions', query)],
] as const satisfies readonly (readonly [Collection, readonly string[], unknown])[]) {
  test(`no list of ${collection} scans the whole table`, async (t) => {
    const { db, traced } = await seededDb(t);
    const onTable = (queries: string[]) => queries.filter((sql) => new RegExp(`(from|join) "${collection}"`, 'i').test(sql));
    for (const shape of shapes) {
      const [page, queries] = await traced((): Promise<PageResult<unknown>> => list(db, listQuery(shape)));
      if (page.nextCursor) {
        // A later page seeks to its cursor: no scan of the table, not even along an index.
        const [, later] = await traced(() => list(db, listQuery(shape, page.nextCursor as string)));
        for (const sql of later.filter((q) => q.includes(`"${collection}"`))) {
          const plan = planOf(db, sql);
          const scans = plan.filter((detail) => detail.startsWith(`SCAN ${collection}`));
          assert.deepEqual(scans, [], `${collection}?${shape} page 2 reads past its cursor:\n${sql}\n${plan.join('\n')}`);
        }
        queries.push(...later);
      }
      assert.ok(onTable(queries).length > 0, `${shape}: a query on ${collection} ran`);
      for (const sql of onTable(queries)) {
        const plan = planOf(db, sql);
        const scans = plan.filter((detail) => new RegExp(`^SCAN ${collection}$`).test(detail));
        assert.deepEqual(scans, [], `${collection}?${shape} scans the table:\n${sql}\n${plan.join('\n')}`);
      }
    }
  });
}
