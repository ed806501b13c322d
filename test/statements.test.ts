// Statements over HTTP: create, validation, references, link arrays, deletes that are refused, and every list filter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from './assertions.js';
import { makeApp, seedMinimal, type TestApp } from './helpers.js';

type Body = Record<string, unknown>;

/** POSTs a record and fails the test unless it is created. */

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

test('POST /v1/statements creates a statement: 201, Location, ETag, every field echoed, link arrays in the order sent', async (t) => {
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
    respondsToId: 'earlier',
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

  // Only the required fields: the server chooses the id, optional fields come back null or [].
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
      respondsToId: null,
      context: null,
      acts: [],
      language: null,
      verified: null,
      createdAt: undefined,
      updatedAt: undefined,
      version: 1,
    },
  );

  // The id is taken now.
  const again = await app.json({ method: 'POST', url: '/v1/statements', payload });
  assert.equal(again.status, 409);
  assert.equal(again.body.code, 'ID_TAKEN');
  assert.equal(await total(app), 3);
});

test('POST /v1/statements refuses invalid bodies (400 naming the field) and unknown references (422 naming each), storing nothing', async (t) => {
  const app = await makeApp(t);
  await seedMinimal(app);
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
    const res = await app.json({ method: 'POST', url: '/v1/statements', payload });
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
  }
  // {"text": 5} alone: every missing field is listed too, and /text is among them.
  const bare = await app.json({ method: 'POST', url: '/v1/statements', payload: { text: 5 } });
  assert.equal(bare.status, 400);
  assert.deepEqual(bare.body.errors.map((e: { path: string }) => e.path).sort(), ['/kind', '/sourceIds', '/speakerId', '/text']);
  assert.equal(await total(app), 0);

  // Unknown references: one 422 naming every one of them.
  {
    const res = await app.json({
      method: 'POST',
      url: '/v1/statements',
      payload: statement({
        id: 'dangling',
        text: 'Points at nothing.',
        speakerId: 'nobody',
        onBehalfOfId: 'nowhere',
        eventId: 'no-event',
        respondsToId: 'no-statement',
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
      '/respondsToId',
      '/sourceIds/1',
      '/speakerId',
      '/topicIds/1',
      '/topicIds/2',
    ]);
    const speaker = res.body.errors.find((e: { path: string }) => e.path === '/speakerId');
    assert.equal(speaker.in, 'body');
    assert.match(speaker.message, /'nobody'/);
    assert.match(res.body.detail, /no-topic-2/);
    assert.equal((await app.json({ method: 'GET', url: '/v1/statements/dangling' })).status, 404);
    assert.equal(await total(app), 0);

    // A statement cannot answer itself: on create (it does not exist yet) and on patch.
    const self = await app.json({
      method: 'POST',
      url: '/v1/statements',
      payload: statement({ id: 'selfish', text: 'x', respondsToId: 'selfish' }),
    });
    assert.equal(self.status, 422);
    assert.deepEqual(
      self.body.errors.map((e: { path: string }) => e.path),
      ['/respondsToId'],
    );
    assert.equal(await total(app), 0);
    await create(app, '/v1/statements', statement({ id: 'selfish', text: 'x' }));
    const patched = await app.json({ method: 'PATCH', url: '/v1/statements/selfish', payload: { respondsToId: 'selfish' } });
    assert.equal(patched.status, 422);
    assert.equal(patched.body.code, 'INVALID_RECORD');
    assert.deepEqual(
      patched.body.errors.map((e: { path: string }) => e.path),
      ['/respondsToId'],
    );
    const after = await app.json({ method: 'GET', url: '/v1/statements/selfish' });
    assert.equal(after.body.respondsToId, null);
    assert.equal(after.body.version, 1);

    // A patch with an unknown reference is refused the same way and changes nothing.
    const badPatch = await app.json({
      method: 'PATCH',
      url: '/v1/statements/selfish',
      payload: { topicIds: ['ttp', 'nope'], speakerId: 'ghost' },
    });
    assert.equal(badPatch.status, 422);
    assert.equal(badPatch.body.code, 'UNKNOWN_REFERENCE');
    assert.deepEqual(badPatch.body.errors.map((e: { path: string }) => e.path).sort(), ['/speakerId', '/topicIds/1']);
    const unchanged = await app.json({ method: 'GET', url: '/v1/statements/selfish' });
    assert.deepEqual(unchanged.body, after.body);
  }
});

test('PATCH replaces link arrays in the order sent; DELETE is refused while a position or a statement refers to it (409)', async (t) => {
  const app = await makeApp(t);
  await world(app);
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
  const res = await app.json({
    method: 'PATCH',
    url: '/v1/statements/s',
    payload: {
      topicIds: ['talks-with-ttp', 'counter-terrorism'],
      sourceIds: ['report-2', 'report'],
      acts: ['reject', 'accuse'],
      addresseeIds: [],
    },
  });
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

  // The same values again change nothing, not even the version.
  const same = await app.json({ method: 'PATCH', url: '/v1/statements/s', payload: { topicIds: ['talks-with-ttp', 'counter-terrorism'] } });
  assert.equal(same.status, 200);
  assert.equal(same.body.version, 2);
  assert.equal(same.body.updatedAt, res.body.updatedAt);
  // Reordering is a change: the order is part of the record.
  const reordered = await app.json({
    method: 'PATCH',
    url: '/v1/statements/s',
    payload: { topicIds: ['counter-terrorism', 'talks-with-ttp'] },
  });
  assert.deepEqual(reordered.body.topicIds, ['counter-terrorism', 'talks-with-ttp']);
  assert.equal(reordered.body.version, 3);

  const missing = await app.json({ method: 'PATCH', url: '/v1/statements/nope', payload: { text: 'x' } });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'NOT_FOUND');
  const empty = await app.json({ method: 'PATCH', url: '/v1/statements/s', payload: {} });
  assert.equal(empty.status, 400);
  const badSources = await app.json({ method: 'PATCH', url: '/v1/statements/s', payload: { sourceIds: [] } });
  assert.equal(badSources.status, 400);
  assert.deepEqual(
    badSources.body.errors.map((e: { path: string }) => e.path),
    ['/sourceIds'],
  );

  // Deletes are refused while anything refers to the statement; nothing cascades.
  {
    await create(app, '/v1/statements', statement({ id: 'cited', text: 'Cited.', statedOn: '2024-04-04' }));
    await create(app, '/v1/statements', statement({ id: 'answered', text: 'Answered.' }));
    await create(app, '/v1/statements', statement({ id: 'answer', text: 'Answer.', respondsToId: 'answered' }));
    await create(app, '/v1/positions', {
      id: 'pakistan-opposes-talks',
      actorId: 'pakistan',
      topicId: 'talks-with-ttp',
      stance: 'opposes',
      summary: 'No talks.',
      validFrom: '2024-04-04',
      evidence: [{ statementId: 'cited', relation: 'asserts' }],
    });

    const cited = await app.json({ method: 'DELETE', url: '/v1/statements/cited' });
    assert.equal(cited.status, 409);
    assert.equal(cited.body.code, 'STILL_REFERENCED');
    assert.deepEqual(cited.body.referencedBy, [{ collection: 'positions', field: 'evidence', ids: ['pakistan-opposes-talks'] }]);
    assert.match(cited.body.detail, /pakistan-opposes-talks/);

    const answered = await app.json({ method: 'DELETE', url: '/v1/statements/answered' });
    assert.equal(answered.status, 409);
    assert.equal(answered.body.code, 'STILL_REFERENCED');
    assert.deepEqual(answered.body.referencedBy, [{ collection: 'statements', field: 'respondsToId', ids: ['answer'] }]);

    // Nothing was deleted, nothing cascaded.
    assert.equal((await app.json({ method: 'GET', url: '/v1/statements/cited' })).status, 200);
    assert.equal((await app.json({ method: 'GET', url: '/v1/statements/answered' })).status, 200);
    const position = await app.json({ method: 'GET', url: '/v1/positions/pakistan-opposes-talks' });
    assert.deepEqual(position.body.evidence, [{ statementId: 'cited', relation: 'asserts', statedOn: '2024-04-04' }]);

    // Once the answer is gone, the answered statement can go.
    assert.equal((await app.request({ method: 'DELETE', url: '/v1/statements/answer' })).statusCode, 204);
    const gone = await app.request({ method: 'DELETE', url: '/v1/statements/answered' });
    assert.equal(gone.statusCode, 204);
    assert.equal(gone.body, '');
    assert.equal((await app.json({ method: 'GET', url: '/v1/statements/answered' })).status, 404);
    const again = await app.json({ method: 'DELETE', url: '/v1/statements/answered' });
    assert.equal(again.status, 404);
    assert.equal(again.body.code, 'NOT_FOUND');
    // Writes need the key.
    const anonymous = await app.json({ method: 'DELETE', url: '/v1/statements/cited', auth: false });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'UNAUTHORIZED');
  }
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
      respondsToId: 'c',
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
      respondsToId: 'a',
    },
  ];
  for (const s of bundle) await create(t, '/v1/statements', s);
}

test('GET /v1/statements: every filter, "any of" with commas, topic with descendants, AND between filters, and the sorts', async (t) => {
  const app = await makeApp(t);
  await filterWorld(app);
  const expectations: [string, string[]][] = [
    ['', ['f', 'b', 'a', 'c', 'd', 'e']],
    ['speaker=spokesperson', ['b', 'a', 'd']],
    ['speaker=spokesperson,us-envoy', ['b', 'a', 'd', 'e']],
    ['speaker=nobody', []],
    ['onBehalfOf=pakistan', ['b', 'a', 'd']],
    ['onBehalfOf=afghanistan,united-states', ['c', 'e']],
    ['topic=counter-terrorism', ['a', 'c', 'd', 'e']],
    ['topic=ttp', ['a', 'c', 'd']],
    ['topic=talks-with-ttp', ['a', 'c']],
    ['topic=migration', ['b']],
    ['topic=migration,talks-with-ttp', ['b', 'a', 'c']],
    // An id that names no topic matches nothing, beside others as alone.
    ['topic=nobody', []],
    ['topic=nobody,migration', ['b']],
    ['addressee=afghanistan', ['a', 'd']],
    ['addressee=pakistan', ['c', 'e']],
    ['addressee=ttp,afghanistan', ['a', 'c', 'd']],
    ['event=briefing', ['b', 'a']],
    ['event=meeting,briefing', ['b', 'a', 'd']],
    ['source=report-2', ['b', 'c']],
    ['source=report', ['f', 'b', 'a', 'd', 'e']],
    ['kind=quote', ['f', 'b', 'd']],
    ['kind=paraphrase', ['a', 'c', 'e']],
    ['kind=quote,paraphrase', ['f', 'b', 'a', 'c', 'd', 'e']],
    ['act=demand', ['d']],
    ['act=defend,appeal', ['b', 'c']],
    ['act=rejectNegotiation', ['a']],
    ['language=en', ['b', 'a', 'e']],
    ['language=ps,ur', ['c', 'd']],
    ['respondsTo=c', ['d']],
    ['respondsTo=a,c', ['f', 'd']],
    ['from=2024-04-01', ['f', 'b', 'a']],
    ['to=2024-03-31', ['c', 'd']],
    ['from=2024-03-20&to=2024-04-04', ['b', 'a', 'c']],
    ['from=2024-04-05&to=2024-04-30', []],
    ['speaker=spokesperson&topic=counter-terrorism', ['a', 'd']],
    ['speaker=spokesperson&kind=quote&event=briefing', ['b']],
    ['onBehalfOf=pakistan&addressee=afghanistan&from=2024-02-01', ['a']],
    ['topic=talks-with-ttp&language=en,ps&act=appeal', ['c']],
    ['speaker=spokesperson&language=ur&from=2024-04-01', []],
  ];
  for (const [query, expected] of expectations) {
    assert.deepEqual(await ids(app, query), expected, `?${query}`);
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
    const res = await app.json({ method: 'GET', url: `/v1/statements?${query}` });
    assert.equal(res.status, 400, `?${query}`);
    assert.equal(res.body.code, 'VALIDATION_FAILED', `?${query}`);
    assert.deepEqual(
      res.body.errors.map((e: { in: string; path: string }) => `${e.in} ${e.path}`),
      [`querystring ${path}`],
      `?${query}`,
    );
  }

  // Sorting: newest statedOn first by default, ascending with sort=statedOn; undated statements are listed either way.
  assert.deepEqual(await ids(app, 'sort=-statedOn'), ['f', 'b', 'a', 'c', 'd', 'e']);
  assert.deepEqual(await ids(app, 'sort=statedOn'), ['e', 'd', 'c', 'a', 'b', 'f']);
  assert.deepEqual(await ids(app, 'sort=id'), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual(await ids(app, 'sort=-id'), ['f', 'e', 'd', 'c', 'b', 'a']);
  const page = await app.json({ method: 'GET', url: '/v1/statements?count=true' });
  assert.equal(page.body.total, 6);
  assert.equal(page.body.data.find((s: { id: string }) => s.id === 'e').statedOn, null);
});
