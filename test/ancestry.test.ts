// The topic ancestry behind `topic=` and stats by topic follows every write: topic moves, statement dates,
// statement topics, deletes; pages through it keep undated statements last and never skip or repeat.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { taggedStatement } from './dated-statements.js';
import { everyPage, makeApp, seedMinimal, sharedApp, type TestApp } from './helpers.js';

async function idsAbout(api: TestApp, topic: string, extra = ''): Promise<string[]> {
  const res = await api.json({ method: 'GET', url: `/v1/statements?topic=${topic}&limit=100${extra}` });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.map((s: { id: string }) => s.id);
}

/** Every page of `topic=` one statement at a time, by cursor. */
async function walk(api: TestApp, topic: string, sort = '-statedOn'): Promise<string[]> {
  return (await everyPage(api, `/v1/statements?topic=${topic}&sort=${sort}&limit=1`)).ids;
}

async function topicCounts(api: TestApp): Promise<Record<string, number>> {
  const res = await api.json({ method: 'GET', url: '/v1/stats/statements?groupBy=topic' });
  assert.equal(res.status, 200);
  return Object.fromEntries(res.body.data.map((c: { topic: string | null; count: number }) => [c.topic ?? '(none)', c.count]));
}

/** seedMinimal (counter-terrorism > ttp > talks-with-ttp; migration) and four statements, s3 undated, s4 under ttp twice. */
async function fourStatements(api: TestApp): Promise<void> {
  await seedMinimal(api);
  for (const s of [
    taggedStatement('s1', '2024-04-01', ['talks-with-ttp']),
    taggedStatement('s2', '2024-04-03', ['ttp', 'migration']),
    taggedStatement('s3', null, ['talks-with-ttp']),
    taggedStatement('s4', '2024-04-02', ['talks-with-ttp', 'ttp']),
  ]) {
    assert.equal((await api.json({ method: 'POST', url: '/v1/statements', payload: s })).status, 201);
  }
}

/** Each step of a history of writes, applied in order on top of fourStatements; a test picks how far to go. */
const steps: ((api: TestApp) => Promise<void>)[] = [
  // talks-with-ttp moves under migration.
  async (api) => {
    assert.equal((await api.json({ method: 'PATCH', url: '/v1/topics/talks-with-ttp', payload: { parentId: 'migration' } })).status, 200);
  },
  // s1 gets a later date; undated s3 gets one.
  async (api) => {
    assert.equal((await api.json({ method: 'PATCH', url: '/v1/statements/s1', payload: { statedOn: '2024-05-01' } })).status, 200);
    assert.equal((await api.json({ method: 'PATCH', url: '/v1/statements/s3', payload: { statedOn: '2024-03-01' } })).status, 200);
  },
  // s4's topics are replaced by migration alone.
  async (api) => {
    assert.equal((await api.json({ method: 'PATCH', url: '/v1/statements/s4', payload: { topicIds: ['migration'] } })).status, 200);
  },
  // s2 is deleted.
  async (api) => {
    assert.equal((await api.json({ method: 'DELETE', url: '/v1/statements/s2' })).status, 204);
  },
];

/** A new app with fourStatements and the first `n` steps applied. */
async function afterSteps(t: TestContext, n: number): Promise<TestApp> {
  const api = await makeApp(t);
  await fourStatements(api);
  for (const step of steps.slice(0, n)) await step(api);
  return api;
}

describe('topic ancestry: lists and counts of a subtree', () => {
  // Reads only: one world serves every test of the block.
  const api = sharedApp(fourStatements);

  test('topic= lists the subtree newest first, undated last; ascending, undated first', async () => {
    assert.deepEqual(await idsAbout(api(), 'counter-terrorism'), ['s2', 's4', 's1', 's3'], 'newest first, undated last');
    assert.deepEqual(await idsAbout(api(), 'counter-terrorism', '&sort=statedOn'), ['s3', 's1', 's4', 's2'], 'undated first, oldest first');
    assert.deepEqual(await idsAbout(api(), 'migration'), ['s2']);
  });

  test('page by page, one statement at a time, across the undated, either way', async () => {
    assert.deepEqual(await walk(api(), 'counter-terrorism'), ['s2', 's4', 's1', 's3'], 'page by page, across the undated');
    assert.deepEqual(await walk(api(), 'counter-terrorism', 'statedOn'), ['s3', 's1', 's4', 's2']);
  });

  test('from and to bound the dates within the subtree', async () => {
    assert.deepEqual(await idsAbout(api(), 'counter-terrorism', '&from=2024-04-02'), ['s2', 's4']);
    assert.deepEqual(await idsAbout(api(), 'counter-terrorism', '&to=2024-04-02'), ['s4', 's1']);
  });

  test('a date range and other filters on a topic, page by page, either way; undated out of any range', async () => {
    const ids = async (query: string) => (await everyPage(api(), `/v1/statements?topic=counter-terrorism&limit=1${query}`)).ids;
    assert.deepEqual(await ids('&to=2024-04-02'), ['s4', 's1']);
    assert.deepEqual(await ids('&to=2024-04-02&sort=statedOn'), ['s1', 's4']);
    assert.deepEqual(await ids('&from=2024-04-02&kind=paraphrase&speaker=spokesperson'), ['s2', 's4']);
    const counted = await api().json({ method: 'GET', url: '/v1/statements?topic=counter-terrorism&from=2024-04-02&count=true&limit=1' });
    assert.equal(counted.body.total, 2);
  });

  test('a statement under a topic twice counts once, in the list total and in stats', async () => {
    const before = await api().json({ method: 'GET', url: '/v1/statements?topic=counter-terrorism&count=true&limit=1' });
    assert.equal(before.body.total, 4, 'a statement under a topic twice (s4) counts once');
    assert.deepEqual(await topicCounts(api()), { 'counter-terrorism': 4, ttp: 4, 'talks-with-ttp': 3, migration: 1 });
  });
});

test('topic ancestry: an alias given to a topic names it on the very next list', async (t) => {
  const api = await afterSteps(t, 0);
  assert.deepEqual(await idsAbout(api, 'tehreek-taliban'), [], 'no topic has this alias yet');
  const patched = await api.json({ method: 'PATCH', url: '/v1/topics/ttp', payload: { aliases: [' Tehreek Taliban '] } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(await idsAbout(api, 'tehreek-taliban'), ['s2', 's4', 's1', 's3'], 'the alias, as a slug, names ttp and its subtree');
});

test('topic ancestry: a topic that moves takes its statements with it', async (t) => {
  const api = await afterSteps(t, 1);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism'), ['s2', 's4'], 's1 and s3 left with their topic; s4 stays through ttp');
  assert.deepEqual(await idsAbout(api, 'migration'), ['s2', 's4', 's1', 's3']);
  assert.deepEqual(await topicCounts(api), { migration: 4, 'counter-terrorism': 2, ttp: 2, 'talks-with-ttp': 3 });
});

test('topic ancestry: a new date moves a statement in the order; an undated one becomes dated', async (t) => {
  const api = await afterSteps(t, 2);
  assert.deepEqual(await idsAbout(api, 'migration'), ['s1', 's2', 's4', 's3']);
});

test('topic ancestry: when a statement’s topics are replaced, the ancestors no remaining topic leads to go', async (t) => {
  const api = await afterSteps(t, 3);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism'), ['s2']);
  assert.deepEqual(await idsAbout(api, 'ttp'), ['s2']);
  assert.deepEqual(await idsAbout(api, 'migration'), ['s1', 's2', 's4', 's3']);
});

test('topic ancestry: a deleted statement is gone from every topic and every count', async (t) => {
  const api = await afterSteps(t, 4);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism'), []);
  assert.deepEqual(await idsAbout(api, 'migration'), ['s1', 's4', 's3']);
  assert.deepEqual(await topicCounts(api), { migration: 3, 'talks-with-ttp': 2 });
});

test('topic ancestry: statements under a new topic count for its ancestors at once', async (t) => {
  const api = await afterSteps(t, 4);
  assert.equal(
    (await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'returns', name: 'Returns', parentId: 'talks-with-ttp' } })).status,
    201,
  );
  assert.equal(
    (await api.json({ method: 'POST', url: '/v1/statements', payload: taggedStatement('s5', '2024-06-01', ['returns']) })).status,
    201,
  );
  assert.deepEqual(await idsAbout(api, 'migration'), ['s5', 's1', 's4', 's3']);
  assert.deepEqual(await idsAbout(api, 'talks-with-ttp'), ['s5', 's1', 's3']);
});
