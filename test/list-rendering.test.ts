// The SQLite engine renders the clauses of its lists in one walk of their pieces instead of through drizzle
// (src/storage/sqlite/store.ts, `rendered`): here every list route is asked with every filter, each sort and the
// page after the first, and every clause it rendered must be the SQL text and parameters drizzle renders for the
// same query. The routes and their filters are read from the OpenAPI document the app serves, so a filter added
// later is asked too. SQLite only: PostgreSQL renders through drizzle.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { Bundle } from '../src/modules/imports/imports.schema.js';
import { watchSqliteRendering } from '../src/storage/inspect.js';
import { archiveBundles } from './bench/archive.js';
import type { OpenApiDocument } from './contract.js';
import { makeApp, sqliteOnly, type TestApp } from './helpers.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: { type?: string; enum?: string[]; pattern?: string; format?: string };
}
type Rendering = { sql: string; params: unknown[] };

/** For a filter naming records by id: the records it names, by the filter's name (`id`, `parent`: the route's own). */
const NAMED: Record<string, keyof Bundle> = {
  speaker: 'actors',
  onBehalfOf: 'actors',
  addressee: 'actors',
  actor: 'actors',
  host: 'actors',
  participant: 'actors',
  topic: 'topics',
  within: 'topics',
  event: 'events',
  source: 'sources',
  evidence: 'sources',
  respondsTo: 'statements',
};

/**
 * The values a filter is asked with: one, then two (an "any of" list renders its own text per count). From the
 * archive for ids, countries and publishers; from the schema for the rest.
 */
function valuesOf(path: string, p: Parameter, archive: Bundle): string[] {
  const { schema } = p;
  const ids = (collection: keyof Bundle) => ((archive[collection] ?? []) as { id: string }[]).map((r) => r.id);
  const oneAndTwo = (all: string[]) => [all[0] as string, all.slice(0, 2).join(',')];
  const own = path.split('/')[2] as keyof Bundle;
  if (p.name === 'id' || p.name === 'parent') return oneAndTwo(ids(own));
  const named = NAMED[p.name];
  if (named) return oneAndTwo(ids(named));
  if (p.name === 'countryCode') return ['PAK', 'PAK,AFG'];
  if (p.name === 'publisher') return [(archive.sources ?? []).find((s) => s.publisher)?.publisher as string];
  if (p.name === 'language') return ['en', 'en,fr'];
  if (p.name === 'q') return ['security', 'ceasefire OR "regional connectivity"'];
  if (p.name === 'from' || p.name === 'asOf') return ['2012-01-01'];
  if (p.name === 'to') return ['2020-12-31'];
  if (schema.type === 'boolean') return ['true'];
  // An enumeration written as a pattern of alternatives: `^(?:a|b|…)(?:,(?:a|b|…))*$`.
  const alternatives = schema.pattern?.match(/^\^\(\?:([^)]+)\)/)?.[1]?.split('|');
  if (alternatives) return oneAndTwo(alternatives);
  throw new Error(`${path}: no value to ask ${p.name} with; add one here`);
}

/**
 * Every request of the list routes: unfiltered, each filter alone, all filters at once, each sort (the required
 * filters, search's query, in all of them; a sort by relevance with a query, as it must be asked).
 */
function requests(document: OpenApiDocument, archive: Bundle): string[] {
  const out: string[] = [];
  const paths = (document as unknown as { paths: Record<string, { get?: { parameters?: Parameter[] } }> }).paths;
  for (const [path, item] of Object.entries(paths)) {
    const query = (item.get?.parameters ?? []).filter((p) => p.in === 'query');
    // A list: a page with a cursor to the next.
    if (!query.some((p) => p.name === 'cursor')) continue;
    const filters = query.filter((p) => !['limit', 'cursor', 'sort', 'format', 'expand'].includes(p.name));
    const required = filters.filter((p) => p.required).map((p) => [p.name, valuesOf(path, p, archive)[0] as string] as [string, string]);
    const ask = (pairs: [string, string][]) => {
      const asked = new Map([['limit', '3'], ...required, ...pairs]);
      out.push(`${path}?${new URLSearchParams([...asked])}`);
    };
    ask([]);
    for (const p of filters) for (const value of valuesOf(path, p, archive)) ask([[p.name, value]]);
    ask(filters.map((p) => [p.name, valuesOf(path, p, archive)[0] as string]));
    const searched = filters.some((p) => p.name === 'q');
    for (const sort of query.find((p) => p.name === 'sort')?.schema.enum ?? []) {
      if (!sort.endsWith('relevance')) ask([['sort', sort]]);
      if (searched)
        ask([
          ['sort', sort],
          ['q', 'security'],
        ]);
    }
  }
  return out;
}

describe('the clauses of the SQLite lists, rendered in one walk', { skip: sqliteOnly }, () => {
  let api: TestApp;
  const seen: { url: string; query: unknown; result: Rendering; inOneWalk: boolean }[] = [];
  const refused: string[] = [];
  let drizzle: (query: never) => Rendering = () => ({ sql: '', params: [] });

  before(async () => {
    if (sqliteOnly) return;
    api = await makeApp({ after });
    const archive = [...archiveBundles(300)][0] as Bundle;
    const imported = await api.request({ method: 'POST', url: '/v1/imports', payload: archive });
    assert.equal(imported.statusCode, 200, imported.body);
    let url = '';
    drizzle = watchSqliteRendering((query, result, inOneWalk) => seen.push({ url, query, result, inOneWalk })).drizzle as never;
    try {
      const document = api.app.swagger() as unknown as OpenApiDocument;
      for (const first of requests(document, archive)) {
        // The page after the first, through its cursor: its clause adds the keyset condition.
        for (let path: string | undefined = first, pages = 0; path && pages < 2; pages++) {
          url = path;
          const res = await api.request({ method: 'GET', url: path });
          if (res.statusCode !== 200) {
            refused.push(`${path}: ${res.statusCode} ${res.body.slice(0, 200)}`);
            break;
          }
          const next = (res.json() as { nextCursor?: string | null }).nextCursor;
          path = next ? `${first}&cursor=${encodeURIComponent(next)}` : undefined;
        }
      }
    } finally {
      watchSqliteRendering(undefined);
    }
  });

  test('every list request is answered, so that each clause is rendered', () => {
    assert.deepEqual(refused, []);
    assert.ok(seen.length > 100, `only ${seen.length} clauses rendered`);
  });

  test('each clause rendered in one walk is the SQL text and parameters drizzle renders for it', () => {
    const walked = seen.filter((s) => s.inOneWalk);
    assert.ok(walked.length > 100, `only ${walked.length} clauses rendered in one walk`);
    const differing = walked
      .map(({ url, query, result }) => {
        const { sql, params } = drizzle(query as never);
        return { url, ours: { sql: result.sql, params: result.params }, drizzle: { sql, params } };
      })
      .filter(({ ours, drizzle }) => !isDeepStrictEqual(ours, drizzle));
    assert.deepEqual(differing.slice(0, 5), []);
  });
});
