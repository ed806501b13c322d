// Events over HTTP: CRUD with host and participants, the list filters, and the reference and date rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProblem, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp, seedMinimal } from './helpers.js';

const EVENT_KINDS = 'pressBriefing, pressConference, meeting, speech, interview, letter, visit, other';

/** Asserts an RFC 9457 problem with this status and code, and returns its body. */
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

test('events: lists by kind, host, participant and dates; POST, GET, PATCH, DELETE with host and participants', async (t) => {
  const api = await makeApp(t);

  // Lists: kind, host, participant, start-date range, counts and cursors.
  {
    await seedMinimal(api); // actors pakistan, spokesperson, ttp
    await api.request({
      method: 'POST',
      url: '/v1/actors',
      payload: { id: 'sco', name: 'Shanghai Cooperation Organisation', kind: 'igo' },
    });
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
    for (const payload of rows) {
      const res = await api.json({ method: 'POST', url: '/v1/events', payload });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const ids = async (query: string) => {
      const res = await api.json({ method: 'GET', url: `/v1/events${query}`, auth: false });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((x: { id: string }) => x.id);
    };

    const all = await api.json({ method: 'GET', url: '/v1/events?count=true' });
    assert.equal(all.body.total, 4);
    assert.equal(all.body.nextCursor, null);
    assert.deepEqual(all.body.data.find((e: { id: string }) => e.id === 'briefing-0404').participantIds, ['spokesperson', 'pakistan']);
    assert.deepEqual(await ids('?kind=pressBriefing'), ['briefing-0328', 'briefing-0404']);
    assert.deepEqual(await ids('?kind=meeting,other'), ['sco-astana', 'undated']);
    assert.deepEqual(await ids('?host=pakistan'), ['briefing-0328', 'briefing-0404']);
    assert.deepEqual(await ids('?host=sco,ttp'), ['sco-astana']);
    assert.deepEqual(await ids('?participant=pakistan'), ['briefing-0404', 'sco-astana']);
    assert.deepEqual(await ids('?participant=spokesperson,ttp'), ['briefing-0328', 'briefing-0404']);
    assert.deepEqual(await ids('?participant=ttp'), []);
    assert.deepEqual(await ids('?from=2024-04-03'), ['briefing-0404', 'sco-astana']);
    assert.deepEqual(await ids('?to=2024-04-03'), ['briefing-0328', 'sco-astana']);
    assert.deepEqual(await ids('?from=2024-04-01&to=2024-04-03&host=sco'), ['sco-astana']);
    assert.deepEqual(await ids('?sort=-startDate'), ['briefing-0404', 'sco-astana', 'briefing-0328', 'undated']);

    const counted = await api.json({ method: 'GET', url: '/v1/events?participant=pakistan&count=true&limit=1' });
    assert.equal(counted.body.total, 2);
    const second = await api.json({ method: 'GET', url: `/v1/events?participant=pakistan&limit=1&cursor=${counted.body.nextCursor}` });
    assert.deepEqual(
      second.body.data.map((x: { id: string }) => x.id),
      ['sco-astana'],
    );
    assert.equal(second.body.nextCursor, null);
    assertProblem(
      await api.json({ method: 'GET', url: `/v1/events?participant=spokesperson&limit=1&cursor=${counted.body.nextCursor}` }),
      400,
      'INVALID_CURSOR',
    );

    for (const query of ['kind=rally', 'host=Pakistan', 'participant=a b', 'from=2024-13-01', 'to=yesterday', 'topic=ttp', 'limit=101']) {
      const problem = assertProblem(
        await api.json({ method: 'GET', url: `/v1/events?${query.replace(' ', '%20')}` }),
        400,
        'VALIDATION_FAILED',
      );
      assert.deepEqual(
        problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
        [['query', `/${query.split('=')[0]}`]],
        query,
      );
    }
  }

  // Create, read, patch and delete (the actors of seedMinimal exist already).
  {
    const created = await api.json({ method: 'POST', url: '/v1/events', payload: BRIEFING });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.location, `/v1/events/${BRIEFING.id}`);
    assert.equal(created.headers.etag, '"1"');
    // Participants keep the order they were given in.
    assert.deepEqual(withoutTimes(created.body), { ...BRIEFING, version: 1 });
    assert.match(created.body.createdAt, TIMESTAMP);
    const got = await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}`, auth: false });
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.body, created.body);

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

    const cleared = await api.json({
      method: 'PATCH',
      url: `/v1/events/${BRIEFING.id}`,
      payload: { hostId: null, endDate: null, participantIds: [] },
    });
    assert.equal(cleared.body.hostId, null);
    assert.equal(cleared.body.endDate, null);
    assert.deepEqual(cleared.body.participantIds, []);
    assert.equal(cleared.body.version, 3);
    assert.deepEqual((await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` })).body, cleared.body);

    assert.equal(
      (await api.request({ method: 'GET', url: `/v1/events/${BRIEFING.id}`, headers: { 'if-none-match': '"3"' } })).statusCode,
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
    assert.equal(stale.currentVersion, 3);
    assertProblem(await api.json({ method: 'POST', url: '/v1/events', payload: { ...BRIEFING, hostId: null } }), 409, 'ID_TAKEN');

    const deleted = await api.request({ method: 'DELETE', url: `/v1/events/${bare.body.id}` });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    assertProblem(await api.json({ method: 'GET', url: `/v1/events/${bare.body.id}` }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'DELETE', url: `/v1/events/${bare.body.id}` }), 404, 'NOT_FOUND');
  }
});

test('event references must exist, end on or after the start, and block deletes while cited', async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);

  // Every unknown actor is named, with its place in the array; nothing is stored.
  let problem = assertProblem(
    await api.json({
      method: 'POST',
      url: '/v1/events',
      payload: { ...BRIEFING, hostId: 'nobody', participantIds: ['pakistan', 'ghost', 'spokesperson', 'phantom'] },
    }),
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
  assertProblem(await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` }), 404, 'NOT_FOUND');
  assert.deepEqual((await api.json({ method: 'GET', url: '/v1/events?participant=pakistan' })).body.data, []);

  problem = assertProblem(
    await api.json({ method: 'POST', url: '/v1/events', payload: { ...BRIEFING, startDate: '2024-04-04', endDate: '2024-04-03' } }),
    422,
    'INVALID_RECORD',
  );
  assert.equal(fieldError(problem, '/endDate').in, 'body');
  assertProblem(await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` }), 404, 'NOT_FOUND');

  assert.equal((await api.request({ method: 'POST', url: '/v1/events', payload: BRIEFING })).statusCode, 201);
  problem = assertProblem(
    await api.json({ method: 'PATCH', url: `/v1/events/${BRIEFING.id}`, payload: { endDate: '2024-04-01' } }),
    422,
    'INVALID_RECORD',
  );
  assert.equal(fieldError(problem, '/endDate').in, 'body');
  problem = assertProblem(
    await api.json({ method: 'PATCH', url: `/v1/events/${BRIEFING.id}`, payload: { participantIds: ['pakistan', 'ghost'] } }),
    422,
    'UNKNOWN_REFERENCE',
  );
  assert.equal(fieldError(problem, '/participantIds/1').in, 'body');
  const unchanged = await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` });
  assert.equal(unchanged.body.version, 1);
  assert.equal(unchanged.body.endDate, BRIEFING.endDate);
  assert.deepEqual(unchanged.body.participantIds, BRIEFING.participantIds);

  // Body checks: repeated participants, bad ids and dates, kinds outside the vocabulary, unknown fields.
  const post = (payload: Record<string, unknown>) => api.json({ method: 'POST', url: '/v1/events', payload });
  problem = assertProblem(await post({ kind: 'meeting', title: 'x', participantIds: ['pakistan', 'pakistan'] }), 400, 'VALIDATION_FAILED');
  assert.match(fieldError(problem, '/participantIds').message, /must not repeat/);
  problem = assertProblem(await post({ kind: 'meeting', title: 'x', participantIds: ['Pakistan'] }), 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/participantIds/0').in, 'body');
  problem = assertProblem(await post({ kind: 'meeting', title: 'x', startDate: '2024-02-30' }), 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/startDate').message, 'must be a valid date as YYYY-MM-DD');
  problem = assertProblem(await post({ kind: 'rally', title: 'x' }), 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/kind').message, `must be one of: ${EVENT_KINDS}`);
  problem = assertProblem(await post({ kind: 'meeting', title: 'x', venue: 'Astana' }), 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/venue').message, 'is not a known field');
  problem = assertProblem(await post({ kind: 'meeting', title: '  ', hostId: 5 }), 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/title').message, 'must not be empty');
  assert.equal(fieldError(problem, '/hostId').message, 'must be string or null');
  assertProblem(await api.json({ method: 'PATCH', url: `/v1/events/${BRIEFING.id}`, payload: {} }), 400, 'VALIDATION_FAILED');

  // A one-day event and Unicode text are fine.
  const oneDay = await post({
    id: 'jirga',
    kind: 'meeting',
    title: '  جرگہ — “peace” talks ',
    startDate: '2024-04-02',
    endDate: '2024-04-02',
  });
  assert.equal(oneDay.status, 201, JSON.stringify(oneDay.body));
  assert.equal(oneDay.body.title, 'جرگہ — “peace” talks');

  // An event a statement was made at cannot be deleted; once the statement is gone it can, links and all.
  const statement = await api.json({
    method: 'POST',
    url: '/v1/statements',
    payload: { id: 's1', text: 'x', kind: 'quote', speakerId: 'spokesperson', sourceIds: ['report'], eventId: BRIEFING.id },
  });
  assert.equal(statement.status, 201, JSON.stringify(statement.body));
  problem = assertProblem(await api.json({ method: 'DELETE', url: `/v1/events/${BRIEFING.id}` }), 409, 'STILL_REFERENCED');
  assert.deepEqual(problem.referencedBy, [{ collection: 'statements', field: 'eventId', ids: ['s1'] }]);
  assert.equal((await api.json({ method: 'GET', url: `/v1/events/${BRIEFING.id}` })).status, 200);
  assert.equal((await api.request({ method: 'DELETE', url: '/v1/statements/s1' })).statusCode, 204);
  assert.equal((await api.request({ method: 'DELETE', url: `/v1/events/${BRIEFING.id}` })).statusCode, 204);
  // The participants went with the event: the actors are free to delete.
  assert.equal((await api.request({ method: 'DELETE', url: '/v1/actors/spokesperson' })).statusCode, 204);
  assert.deepEqual((await api.json({ method: 'GET', url: '/v1/events?participant=pakistan' })).body.data, []);
});
