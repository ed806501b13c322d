// Events over HTTP: CRUD with host and participants, the list filters, and the reference and date rules.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { assertProblem, create, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp, seedMinimal, sharedApp, type TestApp } from './helpers.js';

const EVENT_KINDS = 'pressBriefing, pressConference, meeting, speech, interview, letter, visit, other';

const BRIEFING = {
  id: 'fo-briefing-2024-04-04',
  kind: 'pressBriefing',
  title: 'Weekly press briefing',
  startDate: '2024-04-04',
  endDate: '2024-04-04',
  location: 'Islamabad',
  hostId: 'pakistan',
  participantIds: ['spokesperson', 'pakistan'],
};

/** seedMinimal's actors (pakistan, spokesperson, ttp), an igo, and four events to list. */
async function listWorld(api: TestApp): Promise<void> {
  await seedMinimal(api);
  await create(api, '/v1/actors', { id: 'sco', name: 'Shanghai Cooperation Organisation', kind: 'igo' });
  const rows = [
    { ...BRIEFING, id: 'briefing-0404' },
    {
      id: 'briefing-0328',
      kind: 'pressBriefing',
      title: 'Briefing',
      startDate: '2024-03-28',
      hostId: 'pakistan',
      participantIds: ['spokesperson'],
    },
    {
      id: 'sco-astana',
      kind: 'meeting',
      title: 'SCO meeting',
      startDate: '2024-04-03',
      endDate: '2024-04-04',
      hostId: 'sco',
      participantIds: ['pakistan'],
    },
    { id: 'undated', kind: 'other', title: 'Undated' },
  ];
  for (const payload of rows) await create(api, '/v1/events', payload);
}

describe('events: lists', () => {
  // Lists only read: one world of four events serves every test of the block.
  const api = sharedApp(listWorld);
  const ids = async (query: string) => {
    const res = await api().json({ method: 'GET', url: `/v1/events${query}`, auth: false });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data.map((x: { id: string }) => x.id);
  };

  test('count=true counts every event; participants keep the order they were given in', async () => {
    const all = await api().json({ method: 'GET', url: '/v1/events?count=true' });
    assert.equal(all.body.total, 4);
    assert.equal(all.body.nextCursor, null);
    assert.deepEqual(all.body.data.find((e: { id: string }) => e.id === 'briefing-0404').participantIds, ['spokesperson', 'pakistan']);
  });

  test('kind filters by kind; a comma means any of', async () => {
    assert.deepEqual(await ids('?kind=pressBriefing'), ['briefing-0328', 'briefing-0404']);
    assert.deepEqual(await ids('?kind=meeting,other'), ['sco-astana', 'undated']);
  });

  test('host filters by the hosting actor', async () => {
    assert.deepEqual(await ids('?host=pakistan'), ['briefing-0328', 'briefing-0404']);
    assert.deepEqual(await ids('?host=sco,ttp'), ['sco-astana']);
  });

  test('participant filters by any participant; none is an empty page', async () => {
    assert.deepEqual(await ids('?participant=pakistan'), ['briefing-0404', 'sco-astana']);
    assert.deepEqual(await ids('?participant=spokesperson,ttp'), ['briefing-0328', 'briefing-0404']);
    assert.deepEqual(await ids('?participant=ttp'), []);
  });

  test('from and to bound the start date, and combine with other filters', async () => {
    assert.deepEqual(await ids('?from=2024-04-03'), ['briefing-0404', 'sco-astana']);
    assert.deepEqual(await ids('?to=2024-04-03'), ['briefing-0328', 'sco-astana']);
    assert.deepEqual(await ids('?from=2024-04-01&to=2024-04-03&host=sco'), ['sco-astana']);
  });

  test('sort=-startDate lists the newest first, undated last', async () => {
    assert.deepEqual(await ids('?sort=-startDate'), ['briefing-0404', 'sco-astana', 'briefing-0328', 'undated']);
  });

  test('a filtered list pages with its cursor; the cursor under another filter is a 400', async () => {
    const counted = await api().json({ method: 'GET', url: '/v1/events?participant=pakistan&count=true&limit=1' });
    assert.equal(counted.body.total, 2);
    const second = await api().json({ method: 'GET', url: `/v1/events?participant=pakistan&limit=1&cursor=${counted.body.nextCursor}` });
    assert.deepEqual(
      second.body.data.map((x: { id: string }) => x.id),
      ['sco-astana'],
    );
    assert.equal(second.body.nextCursor, null);
    assertProblem(
      await api().json({ method: 'GET', url: `/v1/events?participant=spokesperson&limit=1&cursor=${counted.body.nextCursor}` }),
      400,
      'INVALID_CURSOR',
    );
  });

  for (const query of ['kind=rally', 'host=Pakistan', 'participant=a b', 'from=2024-13-01', 'to=yesterday', 'topic=ttp', 'limit=101']) {
    test(`?${query} is a 400 naming the parameter`, async () => {
      const problem = assertProblem(
        await api().json({ method: 'GET', url: `/v1/events?${query.replace(' ', '%20')}` }),
        400,
        'VALIDATION_FAILED',
      );
      assert.deepEqual(
        problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
        [['query', `/${query.split('=')[0]}`]],
        query,
      );
    });
  }
});

describe('events: a record from POST to DELETE', () => {
  /** A new app with seedMinimal's actors and the briefing stored. */
  async function withBriefing(t: TestContext) {
    const api = await makeApp(t);
    await seedMinimal(api);
    const created = await api.json({ method: 'POST', url: '/v1/events', payload: BRIEFING });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { api, created };
  }

  test('POST creates an event with its host and participants, in the order given; GET reads it back', async (t) => {
    const { api, created } = await withBriefing(t);
    assert.equal(created.headers.location, `/v1/events/${BRIEFING.id}`);
    assert.equal(created.headers.etag, '"1"');
    assert.deepEqual(withoutTimes(created.body), { ...BRIEFING, version: 1 });
    assert.match(created.body.createdAt, TIMESTAMP);
    const got = await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}`, auth: false });
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.body, created.body);
  });

  test('POST with only a kind and a title: the server makes the id; the rest comes back null or []', async (t) => {
    const api = await makeApp(t);
    const bare = await api.json({ method: 'POST', url: '/v1/events', payload: { kind: 'letter', title: 'A letter' } });
    assert.equal(bare.status, 201);
    assert.match(bare.body.id, UUID);
    assert.equal(bare.headers.location, `/v1/events/${bare.body.id}`);
    assert.deepEqual(withoutTimes(bare.body), {
      id: bare.body.id,
      kind: 'letter',
      title: 'A letter',
      startDate: null,
      endDate: null,
      location: null,
      hostId: null,
      participantIds: [],
      version: 1,
    });
  });

  test('PATCH replaces the participants in the order sent; the same values again change nothing', async (t) => {
    const { api, created } = await withBriefing(t);
    await sleep(5);
    const patched = await api.json({
      method: 'PATCH',
      url: `/v1/events/${BRIEFING.id}`,
      payload: { participantIds: ['ttp', 'spokesperson'] },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.headers.etag, '"2"');
    assert.deepEqual(withoutTimes(patched.body), { ...BRIEFING, participantIds: ['ttp', 'spokesperson'], version: 2 });
    assert.equal(patched.body.createdAt, created.body.createdAt);
    assert.ok(patched.body.updatedAt > created.body.updatedAt);
    const same = await api.json({
      method: 'PATCH',
      url: `/v1/events/${BRIEFING.id}`,
      payload: { participantIds: ['ttp', 'spokesperson'], title: BRIEFING.title },
    });
    assert.deepEqual(same.body, patched.body);
  });

  test('PATCH with null and [] clears the host, the end date and the participants', async (t) => {
    const { api } = await withBriefing(t);
    const cleared = await api.json({
      method: 'PATCH',
      url: `/v1/events/${BRIEFING.id}`,
      payload: { hostId: null, endDate: null, participantIds: [] },
    });
    assert.equal(cleared.body.hostId, null);
    assert.equal(cleared.body.endDate, null);
    assert.deepEqual(cleared.body.participantIds, []);
    assert.equal(cleared.body.version, 2);
    assert.deepEqual((await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` })).body, cleared.body);
  });

  test('If-None-Match answers 304 while the ETag matches; a stale If-Match is a 412 with the current version', async (t) => {
    const { api } = await withBriefing(t);
    await api.json({ method: 'PATCH', url: `/v1/events/${BRIEFING.id}`, payload: { location: 'Rawalpindi' } });
    assert.equal(
      (await api.request({ method: 'GET', url: `/v1/events/${BRIEFING.id}`, headers: { 'if-none-match': '"2"' } })).statusCode,
      304,
    );
    const stale = assertProblem(
      await api.json({
        method: 'PATCH',
        url: `/v1/events/${BRIEFING.id}`,
        headers: { 'if-match': '"1"' },
        payload: { location: 'Lahore' },
      }),
      412,
      'PRECONDITION_FAILED',
    );
    assert.equal(stale.currentVersion, 2);
  });

  test('POST with a taken id is a 409', async (t) => {
    const { api } = await withBriefing(t);
    assertProblem(await api.json({ method: 'POST', url: '/v1/events', payload: { ...BRIEFING, hostId: null } }), 409, 'ID_TAKEN');
  });

  test('DELETE answers 204 without a body; then GET and DELETE are 404s', async (t) => {
    const { api } = await withBriefing(t);
    const deleted = await api.request({ method: 'DELETE', url: `/v1/events/${BRIEFING.id}` });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    assertProblem(await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'DELETE', url: `/v1/events/${BRIEFING.id}` }), 404, 'NOT_FOUND');
  });
});

describe('events: refused writes store nothing', () => {
  // Every write here is refused, so the world stays as set up: seedMinimal's actors and the briefing.
  const api = sharedApp(async (app) => {
    await seedMinimal(app);
    await create(app, '/v1/events', BRIEFING);
  });
  const post = (payload: Record<string, unknown>) => api().json({ method: 'POST', url: '/v1/events', payload });
  const REFUSED = { ...BRIEFING, id: 'refused' };

  test('unknown actors are a 422 naming each, with its place in the array; nothing is stored', async () => {
    const problem = assertProblem(
      await post({ ...REFUSED, hostId: 'nobody', participantIds: ['pakistan', 'ghost', 'spokesperson', 'phantom'] }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.deepEqual(
      problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
      [
        ['body', '/hostId'],
        ['body', '/participantIds/1'],
        ['body', '/participantIds/3'],
      ],
    );
    assert.match(fieldError(problem, '/participantIds/1').message, /ghost/);
    assertProblem(await api().json({ method: 'GET', url: '/v1/events/refused' }), 404, 'NOT_FOUND');
    assert.deepEqual(
      (await api().json({ method: 'GET', url: '/v1/events?participant=pakistan' })).body.data.map((e: { id: string }) => e.id),
      [BRIEFING.id],
    );
  });

  test('an event that ends before it starts is a 422 on endDate, on POST', async () => {
    const problem = assertProblem(await post({ ...REFUSED, startDate: '2024-04-04', endDate: '2024-04-03' }), 422, 'INVALID_RECORD');
    assert.equal(fieldError(problem, '/endDate').in, 'body');
    assertProblem(await api().json({ method: 'GET', url: '/v1/events/refused' }), 404, 'NOT_FOUND');
  });

  test('PATCH to an end before the start, or to an unknown participant, is a 422 and changes nothing', async () => {
    let problem = assertProblem(
      await api().json({ method: 'PATCH', url: `/v1/events/${BRIEFING.id}`, payload: { endDate: '2024-04-01' } }),
      422,
      'INVALID_RECORD',
    );
    assert.equal(fieldError(problem, '/endDate').in, 'body');
    problem = assertProblem(
      await api().json({ method: 'PATCH', url: `/v1/events/${BRIEFING.id}`, payload: { participantIds: ['pakistan', 'ghost'] } }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.equal(fieldError(problem, '/participantIds/1').in, 'body');
    const unchanged = await api().json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` });
    assert.equal(unchanged.body.version, 1);
    assert.equal(unchanged.body.endDate, BRIEFING.endDate);
    assert.deepEqual(unchanged.body.participantIds, BRIEFING.participantIds);
  });

  test('participants must not repeat, and must be slugs', async () => {
    let problem = assertProblem(
      await post({ kind: 'meeting', title: 'x', participantIds: ['pakistan', 'pakistan'] }),
      400,
      'VALIDATION_FAILED',
    );
    assert.match(fieldError(problem, '/participantIds').message, /must not repeat/);
    problem = assertProblem(await post({ kind: 'meeting', title: 'x', participantIds: ['Pakistan'] }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/participantIds/0').in, 'body');
  });

  test('a date must exist in the calendar', async () => {
    const problem = assertProblem(await post({ kind: 'meeting', title: 'x', startDate: '2024-02-30' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/startDate').message, 'must be a valid date as YYYY-MM-DD');
  });

  test('kind must be one of the event kinds, and the message lists them', async () => {
    const problem = assertProblem(await post({ kind: 'rally', title: 'x' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/kind').message, `must be one of: ${EVENT_KINDS}`);
  });

  test('an unknown field is a 400 naming it', async () => {
    const problem = assertProblem(await post({ kind: 'meeting', title: 'x', venue: 'Astana' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/venue').message, 'is not a known field');
  });

  test('an empty title and a host that is not a string are both named', async () => {
    const problem = assertProblem(await post({ kind: 'meeting', title: '  ', hostId: 5 }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/title').message, 'must not be empty');
    assert.equal(fieldError(problem, '/hostId').message, 'must be string or null');
  });

  test('an empty PATCH body is a 400', async () => {
    assertProblem(await api().json({ method: 'PATCH', url: `/v1/events/${BRIEFING.id}`, payload: {} }), 400, 'VALIDATION_FAILED');
  });
});

test('events: a one-day event with a Unicode title is stored, the title trimmed at the ends', async (t) => {
  const api = await makeApp(t);
  const oneDay = await api.json({
    method: 'POST',
    url: '/v1/events',
    payload: { id: 'jirga', kind: 'meeting', title: '  جرگہ — “peace” talks ', startDate: '2024-04-02', endDate: '2024-04-02' },
  });
  assert.equal(oneDay.status, 201, JSON.stringify(oneDay.body));
  assert.equal(oneDay.body.title, 'جرگہ — “peace” talks');
});

test('events: one a statement was made at cannot be deleted (409); once the statement is gone it can, participants and all', async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  await create(api, '/v1/events', BRIEFING);
  await create(api, '/v1/statements', {
    id: 's1',
    text: 'x',
    kind: 'quote',
    speakerId: 'spokesperson',
    sourceIds: ['report'],
    eventId: BRIEFING.id,
  });
  const problem = assertProblem(await api.json({ method: 'DELETE', url: `/v1/events/${BRIEFING.id}` }), 409, 'STILL_REFERENCED');
  assert.deepEqual(problem.referencedBy, [{ collection: 'statements', field: 'eventId', ids: ['s1'] }]);
  assert.equal((await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` })).status, 200);
  assert.equal((await api.request({ method: 'DELETE', url: '/v1/statements/s1' })).statusCode, 204);
  assert.equal((await api.request({ method: 'DELETE', url: `/v1/events/${BRIEFING.id}` })).statusCode, 204);
  // The participants went with the event: the actors are free to delete.
  assert.equal((await api.request({ method: 'DELETE', url: '/v1/actors/spokesperson' })).statusCode, 204);
  assert.deepEqual((await api.json({ method: 'GET', url: '/v1/events?participant=pakistan' })).body.data, []);
});
