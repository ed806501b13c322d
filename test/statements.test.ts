// Statements over HTTP: create, validation, references, link arrays, deletes that are refused, and every list filter.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { create, get } from './assertions.js';
import { makeApp, seedMinimal, sharedApp, type TestApp } from './helpers.js';

type Body = Record<string, unknown>;

const statement = (fields: Body): Body => ({ kind: 'paraphrase', speakerId: 'spokesperson', sourceIds: ['report'], ...fields });

/** The ids of a list answer, in the order served. */
async function ids(t: TestApp, query: string): Promise<string[]> {
  const res = await t.json({ method: 'GET', url: `/v1/statements?limit=100&${query}` });
  assert.equal(res.status, 200, `GET /v1/statements?${query} → ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.nextCursor, null);
  return res.body.data.map((s: { id: string }) => s.id);
}

async function total(t: TestApp): Promise<number> {
  const res = await t.json({ method: 'GET', url: '/v1/statements?count=true&limit=1' });
  return res.body.total;
}

/** Extra actors, a second source and two events on top of seedMinimal. */
async function world(t: TestApp): Promise<void> {
  await seedMinimal(t);
  await create(t, '/v1/actors', { id: 'afghanistan', name: 'Afghanistan', kind: 'state', countryCode: 'AFG' });
  await create(t, '/v1/actors', { id: 'afghan-minister', name: 'An Afghan minister', kind: 'person', parentId: 'afghanistan' });
  await create(t, '/v1/actors', { id: 'united-states', name: 'United States', kind: 'state', countryCode: 'USA' });
  await create(t, '/v1/actors', { id: 'us-envoy', name: 'A US envoy', kind: 'person', parentId: 'united-states' });
  await create(t, '/v1/sources', { id: 'report-2', kind: 'pressRelease', title: 'Another report' });
  await create(t, '/v1/events', { id: 'briefing', kind: 'pressBriefing', title: 'Weekly briefing', startDate: '2024-04-04' });
  await create(t, '/v1/events', { id: 'meeting', kind: 'meeting', title: 'A meeting', startDate: '2024-01-10' });
}

describe('statements: POST', () => {
  test('creates a statement: 201, Location, ETag, every field echoed with the text trimmed, link arrays in the order sent', async (t) => {
    const app = await makeApp(t);
    await world(app);
    await create(app, '/v1/statements', statement({ id: 'earlier', text: 'An earlier statement.' }));
    const payload = {
      id: 'fo-no-talks',
      text: '  Pakistan is “not holding” any talks — none.  ',
      kind: 'quote',
      speakerId: 'spokesperson',
      onBehalfOfId: 'pakistan',
      speakerRole: 'Foreign Office Spokesperson',
      statedOn: '2024-04-04',
      eventId: 'briefing',
      sourceIds: ['report-2', 'report'],
      topicIds: ['talks-with-ttp', 'counter-terrorism', 'migration'],
      addresseeIds: ['ttp', 'afghanistan'],
      respondsToIds: ['earlier'],
      context: 'Asked about talks.',
      acts: ['rejectNegotiation', 'demand', 'statement'],
      language: 'en',
    };
    const res = await app.json({ method: 'POST', url: '/v1/statements', payload });
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, '/v1/statements/fo-no-talks');
    assert.equal(res.headers.etag, '"1"');
    const { createdAt, updatedAt, ...rest } = res.body;
    // The source keeps no text: nothing to verify the quote against.
    assert.deepEqual(rest, { ...payload, text: 'Pakistan is “not holding” any talks — none.', verified: null, version: 1 });
    assert.match(createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(updatedAt, createdAt);

    const got = await app.json({ method: 'GET', url: '/v1/statements/fo-no-talks' });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, res.body);
    assert.equal(got.headers.etag, '"1"');
  });

  test('with only the required fields: the server chooses the id, optional fields come back null or []', async (t) => {
    const app = await makeApp(t);
    await seedMinimal(app);
    const minimal = await app.json({
      method: 'POST',
      url: '/v1/statements',
      payload: { text: 'Minimal.', kind: 'paraphrase', speakerId: 'pakistan', sourceIds: ['report'] },
    });
    assert.equal(minimal.status, 201);
    const id = minimal.body.id;
    assert.match(id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    assert.equal(minimal.headers.location, `/v1/statements/${id}`);
    assert.deepEqual(
      { ...minimal.body, createdAt: undefined, updatedAt: undefined },
      {
        id,
        text: 'Minimal.',
        kind: 'paraphrase',
        speakerId: 'pakistan',
        onBehalfOfId: null,
        speakerRole: null,
        statedOn: null,
        eventId: null,
        sourceIds: ['report'],
        topicIds: [],
        addresseeIds: [],
        respondsToIds: [],
        context: null,
        acts: [],
        language: null,
        verified: null,
        createdAt: undefined,
        updatedAt: undefined,
        version: 1,
      },
    );
  });

  test('with a taken id: 409 ID_TAKEN, and nothing more is stored', async (t) => {
    const app = await makeApp(t);
    await seedMinimal(app);
    const payload = statement({ id: 'fo-no-talks', text: 'No talks.' });
    await create(app, '/v1/statements', payload);
    const again = await app.json({ method: 'POST', url: '/v1/statements', payload });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'ID_TAKEN');
    assert.equal(await total(app), 1);
  });
});

describe('statements: refused writes store nothing', () => {
  // Every write here is refused, so the world stays as set up: seedMinimal and one statement, `stored`.
  const app = sharedApp(async (api) => {
    await seedMinimal(api);
    await create(api, '/v1/statements', statement({ id: 'stored', text: 'x' }));
  });
  const storedBefore = async () => (await app().json({ method: 'GET', url: '/v1/statements/stored' })).body;

  const valid = statement({ text: 'Valid.' });
  const cases: [string, Body, { path: string; message?: RegExp }][] = [
    ['a number as text is not coerced', { ...valid, text: 5 }, { path: '/text', message: /must be string/ }],
    ['empty text (after trimming)', { ...valid, text: '   ' }, { path: '/text', message: /must not be empty/ }],
    ['empty sourceIds', { ...valid, sourceIds: [] }, { path: '/sourceIds', message: /fewer than 1/ }],
    ['duplicate topicIds', { ...valid, topicIds: ['ttp', 'migration', 'ttp'] }, { path: '/topicIds', message: /repeat/ }],
    ['unknown act', { ...valid, acts: ['statement', 'shout'] }, { path: '/acts/1', message: /must be one of/ }],
    ['unknown kind', { ...valid, kind: 'rumour' }, { path: '/kind', message: /must be one of/ }],
    ['unknown field', { ...valid, mood: 'angry' }, { path: '/mood', message: /not a known field/ }],
    ['bad date', { ...valid, statedOn: '2024-02-30' }, { path: '/statedOn' }],
    ['id not a slug', { ...valid, id: 'Not A Slug' }, { path: '/id' }],
  ];
  for (const [name, payload, expected] of cases) {
    test(`POST with ${name}: a 400 problem naming ${expected.path} in the body`, async () => {
      const res = await app().json({ method: 'POST', url: '/v1/statements', payload });
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED', name);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', name);
      assert.deepEqual(
        res.body.errors.map((e: { path: string }) => e.path),
        [expected.path],
        `${name}: ${JSON.stringify(res.body.errors)}`,
      );
      assert.equal(res.body.errors[0].in, 'body', name);
      if (expected.message) assert.match(res.body.errors[0].message, expected.message, name);
      assert.equal(await total(app()), 1);
    });
  }

  test('POST {"text": 5} alone: every missing field is listed too, and /text is among them', async () => {
    const bare = await app().json({ method: 'POST', url: '/v1/statements', payload: { text: 5 } });
    assert.equal(bare.status, 400);
    assert.deepEqual(bare.body.errors.map((e: { path: string }) => e.path).sort(), ['/kind', '/sourceIds', '/speakerId', '/text']);
    assert.equal(await total(app()), 1);
  });

  test('POST with unknown references: one 422 naming every one of them', async () => {
    const res = await app().json({
      method: 'POST',
      url: '/v1/statements',
      payload: statement({
        id: 'dangling',
        text: 'Points at nothing.',
        speakerId: 'nobody',
        onBehalfOfId: 'nowhere',
        eventId: 'no-event',
        respondsToIds: ['no-statement'],
        sourceIds: ['report', 'no-source'],
        topicIds: ['ttp', 'no-topic', 'no-topic-2'],
        addresseeIds: ['no-actor'],
      }),
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'UNKNOWN_REFERENCE');
    assert.equal(res.body.status, 422);
    assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path).sort(), [
      '/addresseeIds/0',
      '/eventId',
      '/onBehalfOfId',
      '/respondsToIds/0',
      '/sourceIds/1',
      '/speakerId',
      '/topicIds/1',
      '/topicIds/2',
    ]);
    const speaker = res.body.errors.find((e: { path: string }) => e.path === '/speakerId');
    assert.equal(speaker.in, 'body');
    assert.match(speaker.message, /'nobody'/);
    assert.match(res.body.detail, /no-topic-2/);
    assert.equal((await app().json({ method: 'GET', url: '/v1/statements/dangling' })).status, 404);
    assert.equal(await total(app()), 1);
  });

  test('POST of a statement that answers itself: 422 on respondsToIds (it does not exist yet)', async () => {
    const self = await app().json({
      method: 'POST',
      url: '/v1/statements',
      payload: statement({ id: 'selfish', text: 'x', respondsToIds: ['selfish'] }),
    });
    assert.equal(self.status, 422);
    assert.deepEqual(
      self.body.errors.map((e: { path: string }) => e.path),
      ['/respondsToIds/0'],
    );
    assert.equal(await total(app()), 1);
  });

  test('PATCH making a statement answer itself: 422 INVALID_RECORD on respondsToIds, and nothing changes', async () => {
    const before = await storedBefore();
    const patched = await app().json({ method: 'PATCH', url: '/v1/statements/stored', payload: { respondsToIds: ['stored'] } });
    assert.equal(patched.status, 422);
    assert.equal(patched.body.code, 'INVALID_RECORD');
    assert.deepEqual(
      patched.body.errors.map((e: { path: string }) => e.path),
      ['/respondsToIds/0'],
    );
    const after = await storedBefore();
    assert.deepEqual(after.respondsToIds, []);
    assert.equal(after.version, 1);
    assert.deepEqual(after, before);
  });

  test('PATCH with unknown references: 422 naming each, and nothing changes', async () => {
    const before = await storedBefore();
    const badPatch = await app().json({
      method: 'PATCH',
      url: '/v1/statements/stored',
      payload: { topicIds: ['ttp', 'nope'], speakerId: 'ghost' },
    });
    assert.equal(badPatch.status, 422);
    assert.equal(badPatch.body.code, 'UNKNOWN_REFERENCE');
    assert.deepEqual(badPatch.body.errors.map((e: { path: string }) => e.path).sort(), ['/speakerId', '/topicIds/1']);
    assert.deepEqual(await storedBefore(), before);
  });

  test('PATCH of an unknown id is a 404', async () => {
    const missing = await app().json({ method: 'PATCH', url: '/v1/statements/nope', payload: { text: 'x' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NOT_FOUND');
  });

  test('PATCH with an empty body, or emptying sourceIds, is a 400', async () => {
    const empty = await app().json({ method: 'PATCH', url: '/v1/statements/stored', payload: {} });
    assert.equal(empty.status, 400);
    const badSources = await app().json({ method: 'PATCH', url: '/v1/statements/stored', payload: { sourceIds: [] } });
    assert.equal(badSources.status, 400);
    assert.deepEqual(
      badSources.body.errors.map((e: { path: string }) => e.path),
      ['/sourceIds'],
    );
  });
});

describe('statements: PATCH of link arrays', () => {
  /** seedMinimal, a second source, an addressee, and statement `s` with links to each table. */
  async function linked(t: TestContext) {
    const app = await makeApp(t);
    await seedMinimal(app);
    await create(app, '/v1/sources', { id: 'report-2', kind: 'pressRelease', title: 'Another report' });
    await create(app, '/v1/actors', { id: 'afghanistan', name: 'Afghanistan', kind: 'state', countryCode: 'AFG' });
    const original = await create(
      app,
      '/v1/statements',
      statement({
        id: 's',
        text: 'Original.',
        statedOn: '2024-04-04',
        sourceIds: ['report'],
        topicIds: ['ttp', 'migration'],
        addresseeIds: ['afghanistan'],
        acts: ['demand'],
      }),
    );
    const replacement = {
      topicIds: ['talks-with-ttp', 'counter-terrorism'],
      sourceIds: ['report-2', 'report'],
      acts: ['reject', 'accuse'],
      addresseeIds: [],
    };
    return { app, original, replacement };
  }

  test('replace each array in the order sent and keep the other fields; GET serves the same', async (t) => {
    const { app, original, replacement } = await linked(t);
    const res = await app.json({ method: 'PATCH', url: '/v1/statements/s', payload: replacement });
    assert.equal(res.status, 200);
    assert.equal(res.headers.etag, '"2"');
    assert.deepEqual(res.body.topicIds, ['talks-with-ttp', 'counter-terrorism']);
    assert.deepEqual(res.body.sourceIds, ['report-2', 'report']);
    assert.deepEqual(res.body.acts, ['reject', 'accuse']);
    assert.deepEqual(res.body.addresseeIds, []);
    assert.equal(res.body.text, 'Original.');
    assert.equal(res.body.statedOn, '2024-04-04');
    assert.equal(res.body.version, 2);
    assert.equal(res.body.createdAt, original.createdAt);

    const got = await app.json({ method: 'GET', url: '/v1/statements/s' });
    assert.deepEqual(got.body, res.body);
    // The old links are gone from the filters too.
    assert.deepEqual(await ids(app, 'topic=migration'), []);
    assert.deepEqual(await ids(app, 'addressee=afghanistan'), []);
    assert.deepEqual(await ids(app, 'topic=talks-with-ttp'), ['s']);
  });

  test('the same values again change nothing, not even the version or updatedAt', async (t) => {
    const { app, replacement } = await linked(t);
    const res = await app.json({ method: 'PATCH', url: '/v1/statements/s', payload: replacement });
    const same = await app.json({ method: 'PATCH', url: '/v1/statements/s', payload: { topicIds: replacement.topicIds } });
    assert.equal(same.status, 200);
    assert.equal(same.body.version, 2);
    assert.equal(same.body.updatedAt, res.body.updatedAt);
  });

  test('reordering is a change: the order is part of the record', async (t) => {
    const { app, replacement } = await linked(t);
    await app.json({ method: 'PATCH', url: '/v1/statements/s', payload: replacement });
    const reordered = await app.json({
      method: 'PATCH',
      url: '/v1/statements/s',
      payload: { topicIds: ['counter-terrorism', 'talks-with-ttp'] },
    });
    assert.deepEqual(reordered.body.topicIds, ['counter-terrorism', 'talks-with-ttp']);
    assert.equal(reordered.body.version, 3);
  });
});

/** `cited` (evidence of a position), `answered` and its `answer`, on top of seedMinimal. */
async function referredWorld(app: TestApp): Promise<void> {
  await seedMinimal(app);
  await create(app, '/v1/statements', statement({ id: 'cited', text: 'Cited.', statedOn: '2024-04-04' }));
  await create(app, '/v1/statements', statement({ id: 'answered', text: 'Answered.' }));
  await create(app, '/v1/statements', statement({ id: 'answer', text: 'Answer.', respondsToIds: ['answered'] }));
  await create(app, '/v1/positions', {
    id: 'pakistan-opposes-talks',
    actorId: 'pakistan',
    topicId: 'talks-with-ttp',
    stance: 'opposes',
    summary: 'No talks.',
    validFrom: '2024-04-04',
    evidence: [{ statementId: 'cited', relation: 'asserts' }],
  });
}

describe('statements: DELETE refused while anything refers to the statement', () => {
  // Every delete here is refused, so the world stays as referredWorld made it.
  const app = sharedApp(referredWorld);

  test('cited as a position’s evidence: 409 naming the position', async () => {
    const cited = await app().json({ method: 'DELETE', url: '/v1/statements/cited' });
    assert.equal(cited.status, 409);
    assert.equal(cited.body.code, 'STILL_REFERENCED');
    assert.deepEqual(cited.body.referencedBy, [{ collection: 'positions', field: 'evidence', ids: ['pakistan-opposes-talks'] }]);
    assert.match(cited.body.detail, /pakistan-opposes-talks/);
  });

  test('answered by another statement: 409 naming the answer', async () => {
    const answered = await app().json({ method: 'DELETE', url: '/v1/statements/answered' });
    assert.equal(answered.status, 409);
    assert.equal(answered.body.code, 'STILL_REFERENCED');
    assert.deepEqual(answered.body.referencedBy, [{ collection: 'statements', field: 'respondsToIds', ids: ['answer'] }]);
  });

  test('a refused delete deletes nothing and cascades nothing', async () => {
    for (const id of ['cited', 'answered']) await app().request({ method: 'DELETE', url: `/v1/statements/${id}` });
    assert.equal((await app().json({ method: 'GET', url: '/v1/statements/cited' })).status, 200);
    assert.equal((await app().json({ method: 'GET', url: '/v1/statements/answered' })).status, 200);
    const position = await app().json({ method: 'GET', url: '/v1/positions/pakistan-opposes-talks' });
    assert.deepEqual(position.body.evidence, [{ statementId: 'cited', relation: 'asserts', statedOn: '2024-04-04' }]);
  });

  test('without the key, a delete is a 401', async () => {
    const anonymous = await app().json({ method: 'DELETE', url: '/v1/statements/cited', auth: false });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'UNAUTHORIZED');
  });
});

test('statements: once its answer is gone, a statement can be deleted: 204 without a body, then 404', async (t) => {
  const app = await makeApp(t);
  await referredWorld(app);
  assert.equal((await app.request({ method: 'DELETE', url: '/v1/statements/answer' })).statusCode, 204);
  const gone = await app.request({ method: 'DELETE', url: '/v1/statements/answered' });
  assert.equal(gone.statusCode, 204);
  assert.equal(gone.body, '');
  assert.equal((await app.json({ method: 'GET', url: '/v1/statements/answered' })).status, 404);
  const again = await app.json({ method: 'DELETE', url: '/v1/statements/answered' });
  assert.equal(again.status, 404);
  assert.equal(again.body.code, 'NOT_FOUND');
});

test('statements: expand on one statement embeds an actor named by several fields in each of them, every relation in its order', async (t) => {
  const app = await makeApp(t);
  await world(app);
  await create(app, '/v1/events', {
    id: 'talks',
    kind: 'meeting',
    title: 'Talks',
    startDate: '2024-02-01',
    hostId: 'afghanistan',
    participantIds: ['us-envoy', 'afghan-minister', 'spokesperson'],
  });
  await create(app, '/v1/statements', {
    id: 'crowded',
    text: 'Everyone was there.',
    kind: 'quote',
    speakerId: 'afghan-minister',
    onBehalfOfId: 'afghanistan',
    eventId: 'talks',
    sourceIds: ['report-2', 'report'],
    topicIds: ['migration', 'talks-with-ttp'],
    addresseeIds: ['united-states', 'afghan-minister', 'afghanistan'],
  });
  const one = await get(app, '/v1/statements/crowded?expand=addressees,speaker,onBehalfOf,event,sources,topics');
  const idsOf = (records: unknown) => (records as { id: string }[]).map((r) => r.id);
  assert.equal((one.speaker as Body).name, 'An Afghan minister');
  assert.equal((one.onBehalfOf as Body).name, 'Afghanistan');
  assert.deepEqual(idsOf(one.addressees), ['united-states', 'afghan-minister', 'afghanistan']);
  assert.deepEqual((one.addressees as Body[])[1], one.speaker);
  assert.deepEqual((one.addressees as Body[])[2], one.onBehalfOf);
  assert.deepEqual((one.event as Body).participantIds, ['us-envoy', 'afghan-minister', 'spokesperson']);
  assert.deepEqual(idsOf(one.sources), ['report-2', 'report']);
  assert.deepEqual(idsOf(one.topics), ['migration', 'talks-with-ttp']);
  assert.equal(one.verified, null);
  const { speaker: _s, onBehalfOf: _o, event: _e, sources: _so, topics: _t, addressees: _a, ...plain } = one;
  assert.deepEqual(plain, await get(app, '/v1/statements/crowded'));
});

/**
 * Six statements; served newest first (ties by id, descending; undated last):
 *   f 2024-05-01, b 2024-04-04, a 2024-04-04, c 2024-03-20, d 2024-01-10, e (undated)
 */
async function filterWorld(t: TestApp): Promise<void> {
  await world(t);
  const bundle = [
    {
      id: 'a',
      text: 'No talks with the TTP.',
      kind: 'paraphrase',
      speakerId: 'spokesperson',
      onBehalfOfId: 'pakistan',
      statedOn: '2024-04-04',
      eventId: 'briefing',
      sourceIds: ['report'],
      topicIds: ['talks-with-ttp'],
      addresseeIds: ['afghanistan'],
      acts: ['rejectNegotiation'],
      language: 'en',
    },
    {
      id: 'b',
      text: 'Illegal foreigners should go home.',
      kind: 'quote',
      speakerId: 'spokesperson',
      onBehalfOfId: 'pakistan',
      statedOn: '2024-04-04',
      eventId: 'briefing',
      sourceIds: ['report', 'report-2'],
      topicIds: ['migration'],
      acts: ['defend', 'declineComment'],
      language: 'en',
    },
    {
      id: 'c',
      text: 'Pakistan and the TTP should talk.',
      kind: 'paraphrase',
      speakerId: 'afghan-minister',
      onBehalfOfId: 'afghanistan',
      statedOn: '2024-03-20',
      sourceIds: ['report-2'],
      topicIds: ['talks-with-ttp'],
      addresseeIds: ['pakistan', 'ttp'],
      acts: ['appeal'],
      language: 'ps',
    },
    {
      id: 'd',
      text: 'We expect action against the TTP.',
      kind: 'quote',
      speakerId: 'spokesperson',
      onBehalfOfId: 'pakistan',
      statedOn: '2024-01-10',
      eventId: 'meeting',
      sourceIds: ['report'],
      topicIds: ['ttp'],
      addresseeIds: ['afghanistan'],
      respondsToIds: ['c'],
      acts: ['demand', 'accuse'],
      language: 'ur',
    },
    {
      id: 'e',
      text: 'We will cooperate on counter-terrorism.',
      kind: 'paraphrase',
      speakerId: 'us-envoy',
      onBehalfOfId: 'united-states',
      sourceIds: ['report'],
      topicIds: ['counter-terrorism'],
      addresseeIds: ['pakistan'],
      acts: ['intendCooperate'],
      language: 'en',
    },
    {
      id: 'f',
      text: 'Pakistan said so again.',
      kind: 'quote',
      speakerId: 'pakistan',
      statedOn: '2024-05-01',
      sourceIds: ['report'],
      respondsToIds: ['a'],
    },
  ];
  for (const s of bundle) await create(t, '/v1/statements', s);
}

describe('statements: GET /v1/statements filters and sorts', () => {
  // Lists only read: one world of six statements serves every test of the block.
  const app = sharedApp(filterWorld);

  /** A named behaviour, each query with the ids it must list. */
  const filters: [string, [string, string[]][]][] = [
    ['without filters, every statement is listed', [['', ['f', 'b', 'a', 'c', 'd', 'e']]]],
    [
      'speaker: a comma means any of; an id that names no actor matches nothing',
      [
        ['speaker=spokesperson', ['b', 'a', 'd']],
        ['speaker=spokesperson,us-envoy', ['b', 'a', 'd', 'e']],
        ['speaker=nobody', []],
      ],
    ],
    [
      'onBehalfOf',
      [
        ['onBehalfOf=pakistan', ['b', 'a', 'd']],
        ['onBehalfOf=afghanistan,united-states', ['c', 'e']],
      ],
    ],
    [
      'topic includes the topic’s descendants',
      [
        ['topic=counter-terrorism', ['a', 'c', 'd', 'e']],
        ['topic=ttp', ['a', 'c', 'd']],
        ['topic=talks-with-ttp', ['a', 'c']],
        ['topic=migration', ['b']],
        ['topic=migration,talks-with-ttp', ['b', 'a', 'c']],
      ],
    ],
    [
      'topic: an id that names no topic matches nothing, beside others as alone',
      [
        ['topic=nobody', []],
        ['topic=nobody,migration', ['b']],
      ],
    ],
    [
      'addressee',
      [
        ['addressee=afghanistan', ['a', 'd']],
        ['addressee=pakistan', ['c', 'e']],
        ['addressee=ttp,afghanistan', ['a', 'c', 'd']],
      ],
    ],
    [
      'event',
      [
        ['event=briefing', ['b', 'a']],
        ['event=meeting,briefing', ['b', 'a', 'd']],
      ],
    ],
    [
      'source',
      [
        ['source=report-2', ['b', 'c']],
        ['source=report', ['f', 'b', 'a', 'd', 'e']],
      ],
    ],
    [
      'kind',
      [
        ['kind=quote', ['f', 'b', 'd']],
        ['kind=paraphrase', ['a', 'c', 'e']],
        ['kind=quote,paraphrase', ['f', 'b', 'a', 'c', 'd', 'e']],
      ],
    ],
    [
      'act',
      [
        ['act=demand', ['d']],
        ['act=defend,appeal', ['b', 'c']],
        ['act=rejectNegotiation', ['a']],
      ],
    ],
    [
      'language',
      [
        ['language=en', ['b', 'a', 'e']],
        ['language=ps,ur', ['c', 'd']],
        // The same shape of request (two languages) with other values: a list's WHERE is kept per shape, and
        // each request binds its own values.
        ['language=en,ps', ['b', 'a', 'c', 'e']],
        ['language=en,ur', ['b', 'a', 'd', 'e']],
      ],
    ],
    [
      'respondsTo',
      [
        ['respondsTo=c', ['d']],
        ['respondsTo=a,c', ['f', 'd']],
      ],
    ],
    [
      'from and to bound statedOn, both ends included',
      [
        ['from=2024-04-01', ['f', 'b', 'a']],
        ['to=2024-03-31', ['c', 'd']],
        ['from=2024-03-20&to=2024-04-04', ['b', 'a', 'c']],
        ['from=2024-04-05&to=2024-04-30', []],
      ],
    ],
    [
      'filters combine with AND',
      [
        ['speaker=spokesperson&topic=counter-terrorism', ['a', 'd']],
        ['speaker=spokesperson&kind=quote&event=briefing', ['b']],
        ['onBehalfOf=pakistan&addressee=afghanistan&from=2024-02-01', ['a']],
        ['topic=talks-with-ttp&language=en,ps&act=appeal', ['c']],
        ['speaker=spokesperson&language=ur&from=2024-04-01', []],
      ],
    ],
  ];
  for (const [name, expectations] of filters) {
    test(name, async () => {
      for (const [query, expected] of expectations) {
        assert.deepEqual(await ids(app(), query), expected, `?${query}`);
      }
    });
  }

  const bad: [string, string][] = [
    ['kind=rumour', '/kind'],
    ['act=shout', '/act'],
    ['from=yesterday', '/from'],
    ['speaker=Not%20A%20Slug', '/speaker'],
    ['speakerId=spokesperson', '/speakerId'],
    ['sort=text', '/sort'],
    ['limit=0', '/limit'],
    ['limit=101', '/limit'],
    ['limit=ten', '/limit'],
  ];
  for (const [query, path] of bad) {
    test(`?${query} is a 400 naming ${path} in the query string`, async () => {
      const res = await app().json({ method: 'GET', url: `/v1/statements?${query}` });
      assert.equal(res.status, 400, `?${query}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED', `?${query}`);
      assert.deepEqual(
        res.body.errors.map((e: { in: string; path: string }) => `${e.in} ${e.path}`),
        [`query ${path}`],
        `?${query}`,
      );
    });
  }

  test('newest statedOn first by default, ascending with sort=statedOn; undated statements are listed either way', async () => {
    assert.deepEqual(await ids(app(), 'sort=-statedOn'), ['f', 'b', 'a', 'c', 'd', 'e']);
    assert.deepEqual(await ids(app(), 'sort=statedOn'), ['e', 'd', 'c', 'a', 'b', 'f']);
  });

  test('sort=id and sort=-id', async () => {
    assert.deepEqual(await ids(app(), 'sort=id'), ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual(await ids(app(), 'sort=-id'), ['f', 'e', 'd', 'c', 'b', 'a']);
  });

  test('count=true counts every statement, an undated one with statedOn null', async () => {
    const page = await app().json({ method: 'GET', url: '/v1/statements?count=true' });
    assert.equal(page.body.total, 6);
    assert.equal(page.body.data.find((s: { id: string }) => s.id === 'e').statedOn, null);
  });
});
