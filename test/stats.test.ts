// Stats over HTTP: statement counts that agree with the list's totals, topic rollups, null cells, strict
// groupBy, and the actor × topic stance matrix on a date.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { sqliteInternals } from '../src/storage/inspect.js';
import { create, get } from './assertions.js';
import { datedStatements } from './dated-statements.js';
import { makeApp, seedMinimal, sharedApp, sqliteOnly, type TestApp } from './helpers.js';

type Body = Record<string, any>;
type Cell = Record<string, string | number | null>;
type Params = Record<string, string>;

const qs = (params: Params) => new URLSearchParams(params).toString();

async function stats(t: TestApp, groupBy: string, filters: Params = {}): Promise<{ groupBy: string[]; total: number; data: Cell[] }> {
  return (await get(t, `/v1/stats/statements?${qs({ groupBy, ...filters })}`)) as any;
}

async function listTotal(t: TestApp, filters: Params): Promise<number> {
  return (await get(t, `/v1/statements?${qs({ ...filters, count: 'true', limit: '1' })}`)).total;
}

const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The list filters meaning "this cell's value" for a non-null value of a dimension. */
function valueFilter(dim: string, value: string): Params {
  if (dim === 'month') {
    const [y, m] = value.split('-').map(Number) as [number, number];
    return { from: `${value}-01`, to: `${value}-${String(lastDay(y, m)).padStart(2, '0')}` };
  }
  if (dim === 'year') return { from: `${value}-01-01`, to: `${value}-12-31` };
  return { [dim]: value };
}

/** The list filters meaning "has some value" for a dimension, from every non-null value its cells show. */
function someValueFilter(dim: string, cells: Cell[]): Params {
  if (dim === 'month' || dim === 'year') return { from: '0001-01-01' };
  const values = [...new Set(cells.flatMap((c) => (c[dim] === null ? [] : [String(c[dim])])))];
  return values.length > 0 ? { [dim]: values.join(',') } : { [dim]: 'no-such-value-anywhere' };
}

/**
 * Checks the answer against the list: `total` equals the list's total under the same filters, and each
 * cell's count equals the list's total with the cell's values added as filters. A null value ("none") is
 * checked by inclusion–exclusion: all, minus those having some value.
 */
async function checkAgainstList(t: TestApp, groupBy: string, filters: Params = {}) {
  const answer = await stats(t, groupBy, filters);
  const dims = groupBy.split(',');
  assert.deepEqual(answer.groupBy, dims);
  // One query parameter cannot hold both the filter and the cell's value: such a check would prove nothing.
  const cellKeys = dims.flatMap((d) => Object.keys(valueFilter(d, '2024-01')));
  assert.ok(!cellKeys.some((k) => k in filters), `checkAgainstList cannot check ${groupBy} under ${JSON.stringify(filters)}`);
  assert.equal(answer.total, await listTotal(t, filters), `total of ${groupBy} ${JSON.stringify(filters)}`);
  const counts = answer.data.map((c) => c.count as number);
  assert.deepEqual(
    counts,
    [...counts].sort((a, b) => b - a),
    'sorted by count descending',
  );
  for (const cell of answer.data) {
    assert.deepEqual(Object.keys(cell).sort(), [...dims, 'count'].sort());
    const fixed = Object.assign({}, filters, ...dims.filter((d) => cell[d] !== null).map((d) => valueFilter(d, String(cell[d]))));
    const nullDims = dims.filter((d) => cell[d] === null);
    let expected = 0;
    for (let mask = 0; mask < 1 << nullDims.length; mask++) {
      const chosen = nullDims.filter((_, i) => mask & (1 << i));
      const extra = Object.assign({}, ...chosen.map((d) => someValueFilter(d, answer.data)));
      expected += (chosen.length % 2 === 0 ? 1 : -1) * (await listTotal(t, { ...fixed, ...extra }));
    }
    assert.equal(cell.count, expected, `${groupBy} ${JSON.stringify(filters)} cell ${JSON.stringify(cell)}`);
  }
  return answer;
}

const countOf = (data: Cell[], match: Cell) => data.find((c) => Object.entries(match).every(([k, v]) => c[k] === v))?.count ?? 0;

const ALL_GROUPINGS = [
  'topic',
  'speaker',
  'onBehalfOf',
  'addressee',
  'act',
  'kind',
  'month',
  'year',
  'topic,month',
  'month,topic',
  'speaker,act',
  'addressee,kind',
  'onBehalfOf,year',
  'topic,act',
  'topic,addressee',
];

describe('stats on the seed', () => {
  // Stats only read: the seeded briefing serves every test of the block.
  const app = sharedApp(async () => {}, { seed: true });

  test('every cell equals the list total for its filters, for every dimension and some pairs', async () => {
    for (const groupBy of ALL_GROUPINGS) await checkAgainstList(app(), groupBy);
  });

  test('the statement filters apply before grouping, and the cells still equal the list totals', async () => {
    for (const groupBy of ['topic', 'act,month', 'addressee', 'onBehalfOf,year']) {
      await checkAgainstList(app(), groupBy, { speaker: 'mumtaz-zahra-baloch' });
    }
    for (const groupBy of ['topic', 'speaker,month', 'addressee', 'topic,addressee']) {
      await checkAgainstList(app(), groupBy, { act: 'demand,statement', kind: 'paraphrase' });
    }
  });

  test('full-text search (q) narrows the counts as it narrows the list', async () => {
    const searched = await checkAgainstList(app(), 'topic', { q: 'Afghan authorities' });
    assert.ok(searched.total > 0 && searched.total < 14, `q narrows: ${searched.total}`);
    await checkAgainstList(app(), 'act,month', { q: 'TTP', onBehalfOf: 'pakistan' });
  });

  test('by topic: the briefing’s counts, largest first, a parent’s cell never smaller than any child’s', async () => {
    const byTopic = await stats(app(), 'topic');
    assert.equal(byTopic.total, 14);
    assert.equal(countOf(byTopic.data, { topic: 'counter-terrorism' }), 9);
    assert.equal(countOf(byTopic.data, { topic: 'ttp' }), 3);
    assert.equal(countOf(byTopic.data, { topic: 'talks-with-ttp' }), 2);
    assert.deepEqual(byTopic.data[0], { topic: 'counter-terrorism', count: 9 });
    const topics = (await get(app(), '/v1/topics?limit=100')).data as { id: string; parentId: string | null }[];
    for (const topic of topics.filter((x) => x.parentId)) {
      const child = countOf(byTopic.data, { topic: topic.id });
      assert.ok(countOf(byTopic.data, { topic: topic.parentId }) >= child, `${topic.parentId} ≥ ${topic.id}`);
    }
  });

  test('by month and by year: the undated statements in the null cell', async () => {
    const byMonth = await stats(app(), 'month');
    assert.deepEqual(byMonth.data, [
      { month: '2024-04', count: 11 },
      { month: null, count: 3 },
    ]);
    const byYear = await stats(app(), 'year');
    assert.deepEqual(byYear.data, [
      { year: '2024', count: 11 },
      { year: null, count: 3 },
    ]);
  });

  test('by speaker under a topic filter: the whole answer', async () => {
    const bySpeaker = await stats(app(), 'speaker', { topic: 'ttp' });
    assert.deepEqual(bySpeaker, {
      groupBy: ['speaker'],
      total: 3,
      data: [
        { speaker: 'mumtaz-zahra-baloch', count: 2 },
        { speaker: 'afghan-deputy-interior-minister', count: 1 },
      ],
    });
  });
});

/**
 * seedMinimal plus a second speaker and topic leaf; statements chosen so that link tables could double
 * count (a statement tagged with both a topic and its parent), with undated and untagged ones.
 */
async function fixture(t: TestApp): Promise<void> {
  await seedMinimal(t);
  await create(t, '/v1/actors', { id: 'afghanistan', name: 'Afghanistan', kind: 'state', countryCode: 'AFG' });
  await create(t, '/v1/actors', { id: 'afghan-minister', name: 'An Afghan minister', kind: 'person', parentId: 'afghanistan' });
  await create(t, '/v1/topics', { id: 'bisham-attack', name: 'Bisham attack', parentId: 'counter-terrorism' });
  const statements: Body[] = [
    { id: 's1', statedOn: '2024-03-28', topicIds: ['talks-with-ttp'], acts: ['rejectNegotiation'], addresseeIds: ['afghanistan'] },
    {
      id: 's2',
      statedOn: '2024-04-04',
      topicIds: ['ttp', 'talks-with-ttp'],
      acts: ['demand', 'accuse'],
      addresseeIds: ['afghanistan', 'ttp'],
    },
    { id: 's3', statedOn: '2024-04-04', topicIds: ['bisham-attack', 'migration'], acts: ['statement'] },
    { id: 's4', statedOn: '2023-12-31', topicIds: ['counter-terrorism'], kind: 'quote' },
    { id: 's5', statedOn: null, topicIds: ['talks-with-ttp'], speakerId: 'afghan-minister', onBehalfOfId: 'afghanistan', acts: ['appeal'] },
    { id: 's6', statedOn: null, topicIds: [], speakerId: 'afghan-minister', onBehalfOfId: null },
  ];
  for (const s of statements) {
    await create(t, '/v1/statements', {
      text: `Statement ${s.id}.`,
      kind: 'paraphrase',
      speakerId: 'spokesperson',
      onBehalfOfId: 'pakistan',
      sourceIds: ['report'],
      ...s,
    });
  }
}

/** Ascending with nulls last, as the API sorts values. */
function order(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

describe('stats on a fixture that could double count', () => {
  // Stats only read: the fixture serves every test of the block.
  const app = sharedApp(fixture);

  test('topic cells roll up descendants and count each statement once, however many of its topics lead there', async () => {
    const answer = await checkAgainstList(app(), 'topic');
    assert.deepEqual(answer, {
      groupBy: ['topic'],
      total: 6,
      data: [
        // s1, s2, s3 (bisham-attack), s4, s5; s2 is tagged ttp and talks-with-ttp, and still counts once.
        { topic: 'counter-terrorism', count: 5 },
        { topic: 'talks-with-ttp', count: 3 },
        { topic: 'ttp', count: 3 },
        { topic: 'bisham-attack', count: 1 },
        { topic: 'migration', count: 1 },
        // s6 has no topic.
        { topic: null, count: 1 },
      ],
    });
  });

  test('topic by month: each pair a cell, the undated statements in the null month', async () => {
    const answer = await checkAgainstList(app(), 'topic,month');
    assert.equal(answer.total, 6);
    assert.deepEqual(
      answer.data,
      [
        { topic: 'counter-terrorism', month: '2024-04', count: 2 },
        { topic: 'ttp', month: '2024-04', count: 1 },
        { topic: 'talks-with-ttp', month: '2024-04', count: 1 },
        { topic: 'bisham-attack', month: '2024-04', count: 1 },
        { topic: 'counter-terrorism', month: '2024-03', count: 1 },
        { topic: 'counter-terrorism', month: '2023-12', count: 1 },
        { topic: 'counter-terrorism', month: null, count: 1 },
        { topic: 'migration', month: '2024-04', count: 1 },
        { topic: 'talks-with-ttp', month: '2024-03', count: 1 },
        { topic: 'talks-with-ttp', month: null, count: 1 },
        { topic: 'ttp', month: '2024-03', count: 1 },
        { topic: 'ttp', month: null, count: 1 },
        { topic: null, month: null, count: 1 },
      ].sort((a, b) => b.count - a.count || order(a.topic, b.topic) || order(a.month, b.month)),
    );
  });

  test('a pair in the other order answers the same cells, sorted by its first dimension', async () => {
    const answer = await stats(app(), 'topic,month');
    const flipped = await stats(app(), 'month,topic');
    assert.equal(flipped.data.length, answer.data.length);
    assert.deepEqual(flipped.data[0], { month: '2024-04', topic: 'counter-terrorism', count: 2 });
  });

  test('every cell equals the list total for its filters, for every dimension and some pairs', async () => {
    for (const groupBy of ALL_GROUPINGS) await checkAgainstList(app(), groupBy);
  });

  test('a statement with several topics and acts counts once in each (topic, act) cell it falls in', async () => {
    // s2 has topics ttp and talks-with-ttp, acts demand and accuse: one statement in the (counter-terrorism, demand) cell.
    const topicAct = await stats(app(), 'topic,act');
    assert.equal(countOf(topicAct.data, { topic: 'counter-terrorism', act: 'demand' }), 1);
    assert.equal(countOf(topicAct.data, { topic: 'ttp', act: 'rejectNegotiation' }), 1);
    assert.equal(countOf(topicAct.data, { topic: 'counter-terrorism', act: null }), 1);
  });

  test('a filter applies before grouping: the undated statements of a speaker are all in the null year', async () => {
    const bySpeaker = await checkAgainstList(app(), 'year', { speaker: 'afghan-minister' });
    assert.deepEqual(bySpeaker, { groupBy: ['year'], total: 2, data: [{ year: null, count: 2 }] });
  });

  test('statements on behalf of no one are in the null onBehalfOf cell', async () => {
    const onBehalfOf = await checkAgainstList(app(), 'onBehalfOf');
    assert.deepEqual(onBehalfOf.data, [
      { onBehalfOf: 'pakistan', count: 4 },
      { onBehalfOf: 'afghanistan', count: 1 },
      { onBehalfOf: null, count: 1 },
    ]);
  });

  test('by act under a speaker and a date: a statement counts in each of its acts, the total once', async () => {
    const acts = await checkAgainstList(app(), 'act', { speaker: 'spokesperson', from: '2024-01-01' });
    assert.deepEqual(acts, {
      groupBy: ['act'],
      total: 3,
      data: [
        { act: 'accuse', count: 1 },
        { act: 'demand', count: 1 },
        { act: 'rejectNegotiation', count: 1 },
        { act: 'statement', count: 1 },
      ],
    });
  });

  test('statements with no act are in the null act cell', async () => {
    const noAct = await stats(app(), 'act');
    assert.equal(countOf(noAct.data, { act: null }), 2); // s4 and s6
  });

  test('addressee by kind under a topic filter: the whole answer, the unaddressed in the null cell', async () => {
    const addressees = await checkAgainstList(app(), 'addressee,kind', { topic: 'ttp' });
    assert.deepEqual(addressees, {
      groupBy: ['addressee', 'kind'],
      total: 3,
      data: [
        { addressee: 'afghanistan', kind: 'paraphrase', count: 2 },
        { addressee: 'ttp', kind: 'paraphrase', count: 1 },
        { addressee: null, kind: 'paraphrase', count: 1 },
      ],
    });
  });

  test('filters that match nothing give a total of 0 and no cells', async () => {
    assert.deepEqual(await stats(app(), 'topic,month', { speaker: 'ttp' }), { groupBy: ['topic', 'month'], total: 0, data: [] });
    assert.deepEqual(await stats(app(), 'act', { act: 'threaten' }), { groupBy: ['act'], total: 0, data: [] });
  });

  test('a date range leaves undated statements out, as in the list', async () => {
    assert.deepEqual(await stats(app(), 'topic', { speaker: 'afghan-minister', to: '2030-01-01' }), {
      groupBy: ['topic'],
      total: 0,
      data: [],
    });
  });

  test('statements with no value in a link dimension still count in total, in the null cell', async () => {
    assert.deepEqual(await stats(app(), 'addressee', { speaker: 'afghan-minister' }), {
      groupBy: ['addressee'],
      total: 2,
      data: [{ addressee: null, count: 2 }],
    });
  });

  // `to` on the 30th of December is not a month end: those answers are counted from the statements.
  for (const groupBy of ['topic', 'month', 'year', 'topic,month', 'month,topic', 'topic,year', 'year,month']) {
    test(`by ${groupBy}, whole months (from the kept counts) answer as counted from the statements`, async () => {
      const counted = await stats(app(), groupBy, { from: '2000-01-01', to: '2030-12-31' });
      const read = await stats(app(), groupBy, { from: '2000-01-01', to: '2030-12-30' });
      assert.deepEqual(counted, read, groupBy);
      assert.deepEqual(
        await stats(app(), groupBy, {}),
        await stats(app(), groupBy, { kind: 'quote,paraphrase' }),
        `${groupBy}, every date`,
      );
    });
  }

  test('by topic over whole months, the kept counts match the statements', async () => {
    await checkAgainstList(app(), 'topic', { from: '2024-03-01', to: '2024-04-30' });
  });

  test('a stats answer asked again is the same answer', async () => {
    const url = '/v1/stats/statements?groupBy=topic';
    const first = await get(app(), url);
    assert.deepEqual(await get(app(), url), first, 'asked again: the same answer');
  });

  test('a stance matrix asked again is the same answer', async () => {
    const stances = '/v1/stats/stances?asOf=2024-04-04';
    const matrix = await get(app(), stances);
    assert.deepEqual(await get(app(), stances), matrix);
  });
});

describe('stats follow writes', () => {
  test('a new statement counts in the cells of its topic and of every ancestor', async (t) => {
    const app = await makeApp(t);
    await fixture(app);
    // A new statement under talks-with-ttp counts in the cells of talks-with-ttp, ttp and counter-terrorism.
    await create(app, '/v1/statements', {
      id: 's7',
      text: 'Another.',
      kind: 'paraphrase',
      speakerId: 'spokesperson',
      sourceIds: ['report'],
      topicIds: ['talks-with-ttp'],
    });
    const after = await stats(app, 'topic');
    assert.equal(after.total, 7);
    assert.equal(countOf(after.data, { topic: 'talks-with-ttp' }), 4);
    assert.equal(countOf(after.data, { topic: 'ttp' }), 4);
    assert.equal(countOf(after.data, { topic: 'counter-terrorism' }), 6);
    assert.equal(countOf(after.data, { topic: 'migration' }), 1);
  });

  test('the kept counts follow a statement moved to another month, then deleted', async (t) => {
    const app = await makeApp(t);
    await fixture(app);
    const before = await stats(app, 'month', {});
    const moved = await app.json({
      method: 'POST',
      url: '/v1/statements',
      payload: {
        id: 'late',
        text: 'Later.',
        kind: 'quote',
        speakerId: 'pakistan',
        sourceIds: ['report'],
        statedOn: '2024-05-02',
        topicIds: ['ttp'],
      },
    });
    assert.equal(moved.status, 201);
    assert.equal((await app.json({ method: 'PATCH', url: '/v1/statements/late', payload: { statedOn: '2024-06-02' } })).status, 200);
    assert.equal(countOf((await stats(app, 'topic,month', {})).data, { topic: 'ttp', month: '2024-06' }), 1);
    assert.equal(countOf((await stats(app, 'topic,month', {})).data, { topic: 'ttp', month: '2024-05' }), 0);
    assert.equal((await app.json({ method: 'DELETE', url: '/v1/statements/late' })).status, 204);
    assert.deepEqual(await stats(app, 'month', {}), before);
  });

  const kept = { id: 'kept-1', text: 'One more.', kind: 'quote', speakerId: 'pakistan', sourceIds: ['report'], topicIds: ['migration'] };

  test('a kept stats answer is not given after a write through the API: the write shows at once', async (t) => {
    const app = await makeApp(t);
    await fixture(app);
    const url = '/v1/stats/statements?groupBy=topic';
    const first = await get(app, url);
    const created = await app.json({ method: 'POST', url: '/v1/statements', payload: kept });
    assert.equal(created.status, 201);
    const after = await get(app, url);
    assert.equal(after.total, first.total + 1);
    assert.equal(countOf(after.data, { topic: 'migration' }), Number(countOf(first.data, { topic: 'migration' })) + 1);
  });

  test('a kept stats answer is not given after a write from another process: the write shows at once', { skip: sqliteOnly }, async (t) => {
    const app = await makeApp(t);
    await fixture(app);
    const url = '/v1/stats/statements?groupBy=topic';
    const first = await get(app, url);
    await create(app, '/v1/statements', kept);
    const after = await get(app, url);
    // Another connection to the same file (another program, or `npm run import -- --db`) changes the data.
    const other = new Database(sqliteInternals(app.app.storage).writer.$client.name);
    t.after(() => other.close());
    other.prepare("UPDATE statement_topics SET topic_id = 'ttp' WHERE statement_id = 'kept-1'").run();
    const moved = await get(app, url);
    assert.equal(countOf(moved.data, { topic: 'migration' }), countOf(first.data, { topic: 'migration' }));
    assert.equal(countOf(moved.data, { topic: 'ttp' }), Number(countOf(after.data, { topic: 'ttp' })) + 1);
  });
});

describe('stats refuses what it cannot answer', () => {
  // Refusals only: the seeded briefing serves every test of the block.
  const app = sharedApp(async () => {}, { seed: true });

  const cases: [string, string, RegExp][] = [
    ['groupBy=colour', '/groupBy', /'colour' is not a dimension/],
    ['groupBy=topic,month,year', '/groupBy', /at most two/],
    ['groupBy=topic,topic', '/groupBy', /'topic' twice/],
    ['groupBy=', '/groupBy', /must not be empty/],
    ['groupBy=topic,', '/groupBy', /'' is not a dimension/],
    ['groupBy=Topic', '/groupBy', /'Topic' is not a dimension/],
    ['groupBy=topic&groupBy=month', '/groupBy', /must be string/],
    ['speaker=pakistan', '/groupBy', /is required/],
    ['groupBy=topic&colour=red', '/colour', /not a known query parameter/],
    ['groupBy=topic&limit=5', '/limit', /not a known query parameter/],
    ['groupBy=topic&kind=rumour', '/kind', /must/],
    ['groupBy=topic&from=2024-02-30', '/from', /valid date/],
    ["groupBy=topic&speaker=x'%20OR%201=1", '/speaker', /must/],
  ];
  for (const [query, path, message] of cases) {
    test(`${query} is a 400 naming ${path}`, async () => {
      const res = await app().json({ method: 'GET', url: `/v1/stats/statements?${query}` });
      assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED', query);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', query);
      assert.ok(
        res.body.errors.some(
          (e: { in: string; path: string; message: string }) => e.in === 'query' && e.path === path && message.test(e.message),
        ),
        `${query}: ${JSON.stringify(res.body.errors)}`,
      );
    });
  }

  // Search syntax in q is text to search for, never a 500.
  for (const q of ['AND OR NOT *', 'talks NEAR(', '"', "') OR 1=1 --"]) {
    test(`search syntax in q is text to search for, never a 500: ${q}`, async () => {
      const res = await app().json({ method: 'GET', url: `/v1/stats/statements?${qs({ groupBy: 'kind', q })}` });
      assert.ok([200, 400].includes(res.status), `q=${q}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 200) assert.equal(res.body.total, await listTotal(app(), { q }), `q=${q}`);
    });
  }

  test('ids that exist nowhere match nothing: they are values, never SQL', async () => {
    assert.deepEqual(await stats(app(), 'kind', { topic: 'ttp-or-1-1', speaker: 'x-union-select-1' }), {
      groupBy: ['kind'],
      total: 0,
      data: [],
    });
  });
});

describe('the stance matrix on the seed', () => {
  // Stances only read: the seeded briefing serves every test of the block.
  const app = sharedApp(async () => {}, { seed: true });
  const cell = (matrix: Body, actorId: string, topicId: string) =>
    matrix.cells.find((c: Body) => c.actorId === actorId && c.topicId === topicId);

  test('for 4 April 2024: the actors and topics with a position held that day, a cell for each', async () => {
    const matrix = await get(app(), '/v1/stats/stances?asOf=2024-04-04');
    assert.equal(matrix.asOf, '2024-04-04');
    assert.deepEqual(matrix.actors, ['pakistan']);
    assert.deepEqual(matrix.topics, [
      'afghan-action-against-terror-groups',
      'pakistan-us-security-cooperation',
      'repatriation-of-illegal-foreigners',
      'talks-with-ttp',
    ]);
    assert.equal(matrix.cells.length, 4);
    assert.equal(cell(matrix, 'pakistan', 'repatriation-of-illegal-foreigners').stance, 'supports');
  });

  test('for 4 April 2024: Pakistan opposes talks with the TTP, the cell naming the position held', async () => {
    const matrix = await get(app(), '/v1/stats/stances?asOf=2024-04-04');
    assert.deepEqual(cell(matrix, 'pakistan', 'talks-with-ttp'), {
      actorId: 'pakistan',
      topicId: 'talks-with-ttp',
      stance: 'opposes',
      positionId: 'pakistan-opposes-talks-with-ttp-from-2024-04-04',
      summary: 'Pakistan is not holding any talks with the TTP and has no plans to hold talks with them in future.',
      validFrom: '2024-04-04',
      validTo: null,
    });
  });

  test('a position resting on undated advice has no cell: it is not known to be held on the day', async () => {
    // The Afghan deputy interior minister's support rests on undated advice.
    const matrix = await get(app(), '/v1/stats/stances?asOf=2024-04-04');
    assert.equal(cell(matrix, 'afghan-deputy-interior-minister', 'talks-with-ttp'), undefined);
  });

  test('topic includes its descendants', async () => {
    const ttp = await get(app(), '/v1/stats/stances?asOf=2024-04-04&topic=ttp');
    assert.deepEqual(ttp.topics, ['talks-with-ttp']);
    assert.deepEqual(
      ttp.cells.map((c: Body) => [c.actorId, c.stance]),
      [['pakistan', 'opposes']],
    );
  });

  test('actor narrows the rows', async () => {
    const pakistanCt = await get(app(), '/v1/stats/stances?asOf=2024-04-04&actor=pakistan&topic=counter-terrorism');
    assert.deepEqual(pakistanCt.actors, ['pakistan']);
    assert.deepEqual(pakistanCt.topics, ['afghan-action-against-terror-groups', 'talks-with-ttp']);
  });

  test('actor and topic each take several ids', async () => {
    const both = await get(
      app(),
      '/v1/stats/stances?asOf=2024-04-04&actor=pakistan,afghan-deputy-interior-minister&topic=talks-with-ttp,migration',
    );
    assert.equal(both.cells.length, 2);
  });

  test('the day before any position, the matrix is empty', async () => {
    assert.deepEqual(await get(app(), '/v1/stats/stances?asOf=2024-04-03'), { asOf: '2024-04-03', actors: [], topics: [], cells: [] });
  });

  test('an unknown id gives an empty matrix, not an error', async () => {
    assert.deepEqual((await get(app(), '/v1/stats/stances?asOf=2024-04-04&actor=nobody')).cells, []);
  });

  test("without asOf, the matrix is for today's UTC date", async () => {
    // Today, the seed positions are all still held.
    const today = await get(app(), '/v1/stats/stances');
    assert.match(today.asOf, /^\d{4}-\d\d-\d\d$/);
    const now = new Date().toISOString().slice(0, 10);
    assert.ok(today.asOf === now || today.asOf > '2024-04-04');
    assert.equal(today.cells.length, 4);
  });

  const refused: [string, string][] = [
    ['asOf=2024-02-30', '/asOf'],
    ['asOf=2024-13-01', '/asOf'],
    ['asOf=yesterday', '/asOf'],
    ['asOf=04/04/2024', '/asOf'],
    ['asOf=', '/asOf'],
    ['asOf=2024-04-04&asOf=2024-04-05', '/asOf'],
    ['actor=Pakistan', '/actor'],
    ['topic=ttp,,x', '/topic'],
    ['stance=supports', '/stance'],
  ];
  for (const [query, path] of refused) {
    test(`${query} is a 400 naming ${path}`, async () => {
      const res = await app().json({ method: 'GET', url: `/v1/stats/stances?${query}` });
      assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED', query);
      assert.deepEqual(
        res.body.errors.map((e: { path: string }) => e.path),
        [path],
        `${query}: ${JSON.stringify(res.body.errors)}`,
      );
    });
  }
});

/** Two statements, 2023-01-10 and 2024-04-04, and Pakistan's open positions on talks (supports) and migration (neutral). */
async function timeline(app: TestApp): Promise<void> {
  await seedMinimal(app);
  await datedStatements(app, [
    ['s-2023', '2023-01-10'],
    ['s-2024', '2024-04-04'],
  ]);
  await create(app, '/v1/positions', {
    ...base,
    id: 'talks-yes',
    stance: 'supports',
    summary: 'Pakistan is open to talks with the TTP.',
    validFrom: '2023-01-10',
    evidence: [{ statementId: 's-2023', relation: 'asserts' }],
  });
  await create(app, '/v1/positions', {
    ...base,
    id: 'migration-neutral',
    topicId: 'migration',
    stance: 'neutral',
    summary: 'Pakistan takes no side.',
    validFrom: '2023-06-01',
    evidence: [{ statementId: 's-2023', relation: 'asserts' }],
  });
}

const base = { actorId: 'pakistan', topicId: 'talks-with-ttp' };

describe('the stance matrix follows a timeline', () => {
  describe('open positions', () => {
    const app = sharedApp(timeline);

    test('each open position held on the date is a cell, with no end', async () => {
      const before = await get(app(), '/v1/stats/stances?asOf=2024-01-01');
      assert.deepEqual(before.cells, [
        {
          ...base,
          topicId: 'migration',
          stance: 'neutral',
          positionId: 'migration-neutral',
          summary: 'Pakistan takes no side.',
          validFrom: '2023-06-01',
          validTo: null,
        },
        {
          ...base,
          stance: 'supports',
          positionId: 'talks-yes',
          summary: 'Pakistan is open to talks with the TTP.',
          validFrom: '2023-01-10',
          validTo: null,
        },
      ]);
      assert.deepEqual(before.topics, ['migration', 'talks-with-ttp']);
    });
  });

  describe('a later position closes the open one', () => {
    const app = sharedApp(async (api) => {
      await timeline(api);
      await create(api, '/v1/positions', {
        ...base,
        id: 'talks-no',
        stance: 'opposes',
        summary: 'Pakistan will not hold talks with the TTP.',
        validFrom: '2024-04-04',
        evidence: [{ statementId: 's-2024', relation: 'asserts' }],
      });
    });
    const talks = async (asOf: string) => (await get(app(), `/v1/stats/stances?asOf=${asOf}&topic=ttp`)).cells;

    test('before the first position there is no cell', async () => {
      assert.deepEqual(await talks('2023-01-09'), []);
    });

    test('from its start to the day before the next, the first position is held, ending when the next starts', async () => {
      assert.deepEqual(
        (await talks('2023-01-10')).map((c: Body) => [c.positionId, c.stance, c.validTo]),
        [['talks-yes', 'supports', '2024-04-04']],
      );
      assert.deepEqual(
        (await talks('2024-04-03')).map((c: Body) => [c.positionId, c.stance, c.validTo]),
        [['talks-yes', 'supports', '2024-04-04']],
      );
    });

    test('validTo is exclusive: on the day the new position starts, only it is held', async () => {
      assert.deepEqual(
        (await talks('2024-04-04')).map((c: Body) => [c.positionId, c.stance, c.validTo]),
        [['talks-no', 'opposes', null]],
      );
    });

    test('the new position is held from then on', async () => {
      assert.deepEqual(
        (await talks('2030-01-01')).map((c: Body) => [c.positionId, c.stance]),
        [['talks-no', 'opposes']],
      );
    });

    test('a topic whose position was not closed keeps its column', async () => {
      assert.deepEqual((await get(app(), '/v1/stats/stances?asOf=2024-05-01&actor=pakistan')).topics, ['migration', 'talks-with-ttp']);
    });
  });
});
