// Revisions and the change feed: every write is recorded with its author, deletes too, in commit order.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { makeApp, sharedApp, type TestApp } from './helpers.js';

describe("revisions: a record's history", () => {
  // Topic ttp created, patched, patched again identically, and deleted.
  const shared = sharedApp(async (api) => {
    await api.request({ method: 'POST', url: '/v1/topics', payload: { id: 'ttp', name: 'TTP' } });
    await api.request({ method: 'PATCH', url: '/v1/topics/ttp', payload: { aliases: ['Tehreek-e-Taliban Pakistan'] } });
    await api.request({ method: 'PATCH', url: '/v1/topics/ttp', payload: { aliases: ['Tehreek-e-Taliban Pakistan'] } });
    await api.request({ method: 'DELETE', url: '/v1/topics/ttp' });
  });
  const history = async () => (await shared().json({ method: 'GET', url: '/v1/topics/ttp/revisions' })).body;

  test('every create, update and delete writes a revision with the key that made it; an identical patch writes none', async () => {
    const res = await shared().json({ method: 'GET', url: '/v1/topics/ttp/revisions' });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.map((r: { operation: string; version: number; keyName: string }) => [r.operation, r.version, r.keyName]),
      [
        ['create', 1, 'test'],
        ['update', 2, 'test'],
        ['delete', 3, 'test'],
      ],
      'an identical patch changes nothing and records nothing',
    );
  });

  test('a revision holds the state after its write', async () => {
    const { data } = await history();
    assert.deepEqual(data[1].state.aliases, ['Tehreek-e-Taliban Pakistan']);
    assert.equal(data[1].state.version, 2);
  });

  test("a delete's revision has no state", async () => {
    const { data } = await history();
    assert.equal(data[2].state, null);
  });

  test('the history of a record that never existed is a 404', async () => {
    assert.equal((await shared().json({ method: 'GET', url: '/v1/topics/never/revisions' })).status, 404);
  });
});

describe('the change feed: what a write records', () => {
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

  /** An app with `bundle` imported, and the feed's first page after it. */
  async function imported(t: TestContext): Promise<{ api: TestApp; before: { data: any[]; next: string } }> {
    const api = await makeApp(t);
    assert.equal((await api.request({ method: 'POST', url: '/v1/imports', payload: bundle })).statusCode, 200);
    const before = (await api.json({ method: 'GET', url: '/v1/changes?limit=1000' })).body;
    return { api, before };
  }

  test('an import records a create for each of its records, under the key that sent it', async (t) => {
    const { before } = await imported(t);
    assert.equal(before.data.length, 6);
    assert.ok(before.data.every((c: { keyName: string; operation: string }) => c.keyName === 'test' && c.operation === 'create'));
  });

  test('a refused write records nothing', async (t) => {
    const { api, before } = await imported(t);
    const refused = await api.request({
      method: 'POST',
      url: '/v1/statements',
      payload: { text: 'x', kind: 'quote', speakerId: 'nobody', sourceIds: ['src'] },
    });
    assert.equal(refused.statusCode, 422);
    const after = (await api.json({ method: 'GET', url: `/v1/changes?since=${before.next}` })).body;
    assert.deepEqual(after.data, []);
  });

  test('a position closed by a later one gets its own revision, after which the new one is created', async (t) => {
    const { api, before } = await imported(t);
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
});

describe('the change feed: reading it', () => {
  // Topics a, b and c, actor x, then topic b deleted.
  const shared = sharedApp(async (api) => {
    for (const id of ['a', 'b', 'c']) await api.request({ method: 'POST', url: '/v1/topics', payload: { id, name: id } });
    await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'x', name: 'X', kind: 'state' } });
    await api.request({ method: 'DELETE', url: '/v1/topics/b' });
  });

  /** Walks the feed two changes a page, each page resumed from the last one's position. */
  async function walk(): Promise<{ seen: string[]; since: string }> {
    const seen: string[] = [];
    let since = '';
    for (let i = 0; i < 10; i++) {
      const page = (await shared().json({ method: 'GET', url: `/v1/changes?limit=2${since ? `&since=${since}` : ''}` })).body;
      if (page.data.length === 0) break;
      seen.push(...page.data.map((c: { id: string; operation: string }) => `${c.id}:${c.operation}`));
      since = page.next;
    }
    return { seen, since };
  }

  test("pages resumed from each page's position list every change once, in commit order, deletes too", async () => {
    assert.deepEqual((await walk()).seen, ['a:create', 'b:create', 'c:create', 'x:create', 'b:delete']);
  });

  test('a page past the last change is empty and keeps the position', async () => {
    const { since } = await walk();
    const empty = (await shared().json({ method: 'GET', url: `/v1/changes?since=${since}` })).body;
    assert.deepEqual(empty.data, []);
    assert.equal(empty.next, since, 'an empty page keeps the position');
  });

  test('the feed filters by collection', async () => {
    const actorsOnly = (await shared().json({ method: 'GET', url: '/v1/changes?collection=actors' })).body;
    assert.deepEqual(
      actorsOnly.data.map((c: { id: string }) => c.id),
      ['x'],
    );
  });

  for (const [bad, what] of [
    ['since=nope', 'a cursor the feed did not give'],
    ['since=', 'an empty cursor'],
    ['collection=people', 'an unknown collection'],
    ['limit=0', 'a limit of 0'],
  ]) {
    test(`${what} is a 400 (${bad})`, async () => {
      const res = await shared().json({ method: 'GET', url: `/v1/changes?${bad}` });
      assert.equal(res.status, 400, bad);
    });
  }
});
