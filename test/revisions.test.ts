// Revisions and the change feed: every write is recorded with its author, deletes too, in commit order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeApp } from './helpers.js';

test('every create, update and delete writes a revision with the state after it and the key that made it', async (t) => {
  const api = await makeApp(t);
  await api.request({ method: 'POST', url: '/v1/topics', payload: { id: 'ttp', name: 'TTP' } });
  await api.request({ method: 'PATCH', url: '/v1/topics/ttp', payload: { aliases: ['Tehreek-e-Taliban Pakistan'] } });
  await api.request({ method: 'PATCH', url: '/v1/topics/ttp', payload: { aliases: ['Tehreek-e-Taliban Pakistan'] } });
  await api.request({ method: 'DELETE', url: '/v1/topics/ttp' });
  const history = await api.json({ method: 'GET', url: '/v1/topics/ttp/revisions' });
  assert.equal(history.status, 200);
  assert.deepEqual(
    history.body.data.map((r: { operation: string; version: number; keyName: string }) => [r.operation, r.version, r.keyName]),
    [
      ['create', 1, 'test'],
      ['update', 2, 'test'],
      ['delete', 3, 'test'],
    ],
    'an identical patch changes nothing and records nothing',
  );
  assert.deepEqual(history.body.data[1].state.aliases, ['Tehreek-e-Taliban Pakistan']);
  assert.equal(history.body.data[1].state.version, 2);
  assert.equal(history.body.data[2].state, null);
  assert.equal((await api.json({ method: 'GET', url: '/v1/topics/never/revisions' })).status, 404);
});

test('a refused write records nothing; a position closed by a later one gets its own revision', async (t) => {
  const api = await makeApp(t);
  const bundle = {
    actors: [{ id: 'pakistan', name: 'Pakistan', kind: 'state' }],
    topics: [{ id: 'talks', name: 'Talks' }],
    sources: [{ id: 'src', kind: 'newsReport', title: 'Report' }],
    statements: [
      { id: 's1', text: 'One', kind: 'quote', speakerId: 'pakistan', sourceIds: ['src'], statedOn: '2024-01-01' },
      { id: 's2', text: 'Two', kind: 'quote', speakerId: 'pakistan', sourceIds: ['src'], statedOn: '2024-04-04' },
    ],
    positions: [
      {
        id: 'p1',
        actorId: 'pakistan',
        topicId: 'talks',
        stance: 'supports',
        summary: 'Yes',
        validFrom: '2024-01-01',
        evidence: [{ statementId: 's1', relation: 'asserts' }],
      },
    ],
  };
  assert.equal((await api.request({ method: 'POST', url: '/v1/imports', payload: bundle })).statusCode, 200);
  const before = (await api.json({ method: 'GET', url: '/v1/changes?limit=1000' })).body;
  assert.equal(before.data.length, 6);
  assert.ok(before.data.every((c: { keyName: string; operation: string }) => c.keyName === 'test' && c.operation === 'create'));

  const refused = await api.request({
    method: 'POST',
    url: '/v1/statements',
    payload: { text: 'x', kind: 'quote', speakerId: 'nobody', sourceIds: ['src'] },
  });
  assert.equal(refused.statusCode, 422);
  const p2 = await api.request({
    method: 'POST',
    url: '/v1/positions',
    payload: {
      id: 'p2',
      actorId: 'pakistan',
      topicId: 'talks',
      stance: 'opposes',
      summary: 'No',
      validFrom: '2024-04-04',
      evidence: [{ statementId: 's2', relation: 'asserts' }],
    },
  });
  assert.equal(p2.statusCode, 201);
  const after = (await api.json({ method: 'GET', url: `/v1/changes?since=${before.next}` })).body;
  assert.deepEqual(
    after.data.map((c: { collection: string; id: string; operation: string; version: number }) => [
      c.collection,
      c.id,
      c.operation,
      c.version,
    ]),
    [
      ['positions', 'p1', 'update', 2],
      ['positions', 'p2', 'create', 1],
    ],
  );
  assert.equal(after.data[0].state.validTo, '2024-04-04');
});

test('the change feed resumes from a position, filters by collection, and rejects foreign cursors', async (t) => {
  const api = await makeApp(t);
  for (const id of ['a', 'b', 'c']) await api.request({ method: 'POST', url: '/v1/topics', payload: { id, name: id } });
  await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'x', name: 'X', kind: 'state' } });
  await api.request({ method: 'DELETE', url: '/v1/topics/b' });
  const seen: string[] = [];
  let since = '';
  for (let i = 0; i < 10; i++) {
    const page = (await api.json({ method: 'GET', url: `/v1/changes?limit=2${since ? `&since=${since}` : ''}` })).body;
    if (page.data.length === 0) break;
    seen.push(...page.data.map((c: { id: string; operation: string }) => `${c.id}:${c.operation}`));
    since = page.next;
  }
  assert.deepEqual(seen, ['a:create', 'b:create', 'c:create', 'x:create', 'b:delete']);
  const empty = (await api.json({ method: 'GET', url: `/v1/changes?since=${since}` })).body;
  assert.deepEqual(empty.data, []);
  assert.equal(empty.next, since, 'an empty page keeps the position');
  const actorsOnly = (await api.json({ method: 'GET', url: '/v1/changes?collection=actors' })).body;
  assert.deepEqual(
    actorsOnly.data.map((c: { id: string }) => c.id),
    ['x'],
  );
  for (const bad of ['since=nope', 'since=', 'collection=people', 'limit=0']) {
    const res = await api.json({ method: 'GET', url: `/v1/changes?${bad}` });
    assert.equal(res.status, 400, bad);
  }
});
