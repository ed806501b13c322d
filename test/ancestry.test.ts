// The topic ancestry behind `topic=` and stats by topic follows every write: topic moves, statement dates,
// statement topics, deletes; pages through it keep undated statements last and never skip or repeat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { everyPage, makeApp, seedMinimal, type TestApp } from './helpers.js';

const statement = (id: string, statedOn: string | null, topicIds: string[]) => ({
  id,
  text: `Statement ${id}.`,
  kind: 'paraphrase',
  speakerId: 'spokesperson',
  statedOn,
  sourceIds: ['report'],
  topicIds,
});

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

test('topic filters and stats follow topic moves, statement dates, statement topics and deletes', async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  // counter-terrorism > ttp > talks-with-ttp; migration.
  for (const s of [
    statement('s1', '2024-04-01', ['talks-with-ttp']),
    statement('s2', '2024-04-03', ['ttp', 'migration']),
    statement('s3', null, ['talks-with-ttp']),
    statement('s4', '2024-04-02', ['talks-with-ttp', 'ttp']),
  ]) {
    assert.equal((await api.json({ method: 'POST', url: '/v1/statements', payload: s })).status, 201);
  }
  assert.deepEqual(await idsAbout(api, 'counter-terrorism'), ['s2', 's4', 's1', 's3'], 'newest first, undated last');
  assert.deepEqual(await idsAbout(api, 'counter-terrorism', '&sort=statedOn'), ['s3', 's1', 's4', 's2'], 'undated first, oldest first');
  assert.deepEqual(await walk(api, 'counter-terrorism'), ['s2', 's4', 's1', 's3'], 'page by page, across the undated');
  assert.deepEqual(await walk(api, 'counter-terrorism', 'statedOn'), ['s3', 's1', 's4', 's2']);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism', '&from=2024-04-02'), ['s2', 's4']);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism', '&to=2024-04-02'), ['s4', 's1']);
  assert.deepEqual(await idsAbout(api, 'migration'), ['s2']);
  const before = await api.json({ method: 'GET', url: '/v1/statements?topic=counter-terrorism&count=true&limit=1' });
  assert.equal(before.body.total, 4, 'a statement under a topic twice (s4) counts once');
  assert.deepEqual(await topicCounts(api), { 'counter-terrorism': 4, ttp: 4, 'talks-with-ttp': 3, migration: 1 });

  // Move talks-with-ttp under migration: its statements follow it.
  assert.equal((await api.json({ method: 'PATCH', url: '/v1/topics/talks-with-ttp', payload: { parentId: 'migration' } })).status, 200);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism'), ['s2', 's4'], 's1 and s3 left with their topic; s4 stays through ttp');
  assert.deepEqual(await idsAbout(api, 'migration'), ['s2', 's4', 's1', 's3']);
  assert.deepEqual(await topicCounts(api), { migration: 4, 'counter-terrorism': 2, ttp: 2, 'talks-with-ttp': 3 });

  // A new date moves a statement in the order; an undated one becomes dated.
  assert.equal((await api.json({ method: 'PATCH', url: '/v1/statements/s1', payload: { statedOn: '2024-05-01' } })).status, 200);
  assert.equal((await api.json({ method: 'PATCH', url: '/v1/statements/s3', payload: { statedOn: '2024-03-01' } })).status, 200);
  assert.deepEqual(await idsAbout(api, 'migration'), ['s1', 's2', 's4', 's3']);

  // Topics replaced: the ancestors that no remaining topic leads to go.
  assert.equal((await api.json({ method: 'PATCH', url: '/v1/statements/s4', payload: { topicIds: ['migration'] } })).status, 200);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism'), ['s2']);
  assert.deepEqual(await idsAbout(api, 'ttp'), ['s2']);
  assert.deepEqual(await idsAbout(api, 'migration'), ['s1', 's2', 's4', 's3']);

  // A deleted statement is gone from every topic.
  assert.equal((await api.json({ method: 'DELETE', url: '/v1/statements/s2' })).status, 204);
  assert.deepEqual(await idsAbout(api, 'counter-terrorism'), []);
  assert.deepEqual(await idsAbout(api, 'migration'), ['s1', 's4', 's3']);
  assert.deepEqual(await topicCounts(api), { migration: 3, 'talks-with-ttp': 2 });

  // A new topic under an existing one: statements filed under it count for its ancestors at once.
  assert.equal(
    (await api.json({ method: 'POST', url: '/v1/topics', payload: { id: 'returns', name: 'Returns', parentId: 'talks-with-ttp' } })).status,
    201,
  );
  assert.equal(
    (await api.json({ method: 'POST', url: '/v1/statements', payload: statement('s5', '2024-06-01', ['returns']) })).status,
    201,
  );
  assert.deepEqual(await idsAbout(api, 'migration'), ['s5', 's1', 's4', 's3']);
  assert.deepEqual(await idsAbout(api, 'talks-with-ttp'), ['s5', 's1', 's3']);
});
