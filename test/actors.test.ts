// Actors over HTTP: create, read, list, patch, delete, and every failure those routes document.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertProblem, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp, seedMinimal, sharedApp, type TestApp } from './helpers.js';

const ACTOR_KINDS = 'state, governmentBody, igo, organization, armedGroup, media, person, other';

const pakistan = { id: 'pakistan', name: 'Pakistan', kind: 'state' };

/** POSTs an actor with the write key and asserts a 201; returns the answer. */
async function post(api: TestApp, payload: Record<string, unknown>) {
  const created = await api.json({ method: 'POST', url: '/v1/actors', payload });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created;
}

/** The ids of a list answer, in the order served (reads are public). */
async function ids(api: TestApp, url: string): Promise<string[]> {
  const res = await api.json({ method: 'GET', url, auth: false });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.map((a: { id: string }) => a.id);
}

describe('actors: a record from POST to DELETE', () => {
  test('POST creates an actor with its defaults, version 1, an ETag and a Location; GET reads it back', async (t) => {
    const api = await makeApp(t);
    const created = await post(api, pakistan);
    assert.equal(created.headers.location, '/v1/actors/pakistan');
    assert.equal(created.headers.etag, '"1"');
    assert.deepEqual(withoutTimes(created.body), {
      id: 'pakistan',
      name: 'Pakistan',
      kind: 'state',
      countryCode: null,
      parentId: null,
      aliases: [],
      description: null,
      version: 1,
    });
    assert.match(created.body.createdAt, TIMESTAMP);
    assert.equal(created.body.updatedAt, created.body.createdAt);

    const got = await api.json({ method: 'GET', url: '/v1/actors/pakistan', auth: false });
    assert.equal(got.status, 200);
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.body, created.body);
  });

  test('POST without an id makes one, and the Location names it', async (t) => {
    const api = await makeApp(t);
    await post(api, pakistan);
    const anonymous = await api.json({
      method: 'POST',
      url: '/v1/actors',
      payload: { name: 'Foreign Office', kind: 'governmentBody', countryCode: 'PAK', parentId: 'pakistan', aliases: ['FO', 'MOFA'] },
    });
    assert.equal(anonymous.status, 201);
    assert.match(anonymous.body.id, UUID);
    assert.equal(anonymous.headers.location, `/v1/actors/${anonymous.body.id}`);
    assert.deepEqual(anonymous.body.aliases, ['FO', 'MOFA']);
    assert.equal(anonymous.body.parentId, 'pakistan');
    const fetched = await api.json({ method: 'GET', url: `/v1/actors/${anonymous.body.id}` });
    assert.equal(fetched.body.name, 'Foreign Office');
  });

  test('PATCH changes only what it sends, and moves the version and updatedAt on', async (t) => {
    const api = await makeApp(t);
    const created = await post(api, pakistan);
    await sleep(5);
    const patched = await api.json({
      method: 'PATCH',
      url: '/v1/actors/pakistan',
      payload: { countryCode: 'PAK', description: 'Islamic Republic of Pakistan' },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.headers.etag, '"2"');
    assert.deepEqual(withoutTimes(patched.body), {
      id: 'pakistan',
      name: 'Pakistan',
      kind: 'state',
      countryCode: 'PAK',
      parentId: null,
      aliases: [],
      description: 'Islamic Republic of Pakistan',
      version: 2,
    });
    assert.equal(patched.body.createdAt, created.body.createdAt);
    assert.notEqual(patched.body.updatedAt, created.body.updatedAt);
    assert.ok(patched.body.updatedAt > created.body.updatedAt);
  });

  test('PATCH with the values already stored changes nothing, not even the version or updatedAt', async (t) => {
    const api = await makeApp(t);
    const stored = await post(api, { ...pakistan, countryCode: 'PAK' });
    await sleep(5);
    const same = await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { countryCode: 'PAK', name: 'Pakistan' } });
    assert.equal(same.status, 200);
    assert.equal(same.headers.etag, '"1"');
    assert.deepEqual(same.body, stored.body);
  });

  test('PATCH with null clears a nullable field and keeps the others', async (t) => {
    const api = await makeApp(t);
    await post(api, { ...pakistan, countryCode: 'PAK', description: 'Islamic Republic of Pakistan' });
    const cleared = await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { description: null } });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.description, null);
    assert.equal(cleared.body.countryCode, 'PAK');
    assert.equal(cleared.body.version, 2);
    assert.equal((await api.json({ method: 'GET', url: '/v1/actors/pakistan' })).body.description, null);
  });

  test('DELETE answers 204 without a body; then GET, DELETE and PATCH are 404s naming the id', async (t) => {
    const api = await makeApp(t);
    const { body: actor } = await post(api, { name: 'Foreign Office', kind: 'governmentBody' });
    const deleted = await api.request({ method: 'DELETE', url: `/v1/actors/${actor.id}` });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    const gone = await api.json({ method: 'GET', url: `/v1/actors/${actor.id}` });
    const problem = assertProblem(gone, 404, 'NOT_FOUND');
    assert.match(problem.detail, new RegExp(actor.id));
    assertProblem(await api.json({ method: 'DELETE', url: `/v1/actors/${actor.id}` }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'PATCH', url: '/v1/actors/nobody', payload: { name: 'x' } }), 404, 'NOT_FOUND');
  });

  test('If-None-Match answers 304 without a body while the ETag matches, 200 otherwise', async (t) => {
    const api = await makeApp(t);
    await post(api, { id: 'afghanistan', name: 'Afghanistan', kind: 'state' });
    const notModified = await api.request({ method: 'GET', url: '/v1/actors/afghanistan', headers: { 'if-none-match': '"1"' } });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    assert.equal(notModified.headers.etag, '"1"');
    assert.equal(
      (await api.request({ method: 'GET', url: '/v1/actors/afghanistan', headers: { 'if-none-match': '"7"' } })).statusCode,
      200,
    );
  });

  test('If-Match guards PATCH and DELETE: a stale version is a 412 with the current one, and changes nothing', async (t) => {
    const api = await makeApp(t);
    await post(api, { id: 'afghanistan', name: 'Afghanistan', kind: 'state' });
    const moved = await api.json({
      method: 'PATCH',
      url: '/v1/actors/afghanistan',
      headers: { 'if-match': '"1"' },
      payload: { countryCode: 'AFG' },
    });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.version, 2);

    let stale = assertProblem(
      await api.json({ method: 'PATCH', url: '/v1/actors/afghanistan', headers: { 'if-match': '"1"' }, payload: { name: 'Lost update' } }),
      412,
      'PRECONDITION_FAILED',
    );
    assert.equal(stale.currentVersion, 2);
    stale = assertProblem(
      await api.json({ method: 'DELETE', url: '/v1/actors/afghanistan', headers: { 'if-match': '"1"' } }),
      412,
      'PRECONDITION_FAILED',
    );
    assert.equal(stale.currentVersion, 2);
    const kept = await api.json({ method: 'GET', url: '/v1/actors/afghanistan', headers: { 'if-none-match': '"1"' } });
    assert.equal(kept.status, 200);
    assert.equal(kept.headers.etag, '"2"');
    assert.equal(kept.body.name, 'Afghanistan');

    const updated = await api.json({
      method: 'PATCH',
      url: '/v1/actors/afghanistan',
      headers: { 'if-match': '"2"' },
      payload: { name: 'Afghanistan (state)' },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.headers.etag, '"3"');
    assert.equal(updated.body.name, 'Afghanistan (state)');

    assert.equal((await api.request({ method: 'DELETE', url: '/v1/actors/afghanistan', headers: { 'if-match': '"3"' } })).statusCode, 204);
    assertProblem(await api.json({ method: 'GET', url: '/v1/actors/afghanistan' }), 404, 'NOT_FOUND');
  });
});

/** Five actors: pakistan (state, PAK), spokesperson and mofa (its children), afghanistan (state, AFG), ttp (armedGroup). */
async function listWorld(api: TestApp): Promise<void> {
  await seedMinimal(api);
  await post(api, { id: 'afghanistan', name: 'Afghanistan', kind: 'state', countryCode: 'AFG' });
  await post(api, { id: 'mofa', name: 'Ministry of Foreign Affairs', kind: 'governmentBody', countryCode: 'PAK', parentId: 'pakistan' });
}

describe('actors: lists', () => {
  const api = sharedApp(listWorld);

  test('without parameters: every actor by id on one page, without nextCursor, total or Link; each as GET serves it', async () => {
    const all = await api().json({ method: 'GET', url: '/v1/actors' });
    assert.deepEqual(
      all.body.data.map((a: { id: string }) => a.id),
      ['afghanistan', 'mofa', 'pakistan', 'spokesperson', 'ttp'],
    );
    assert.equal(all.body.nextCursor, null);
    assert.equal('total' in all.body, false);
    assert.equal(all.headers.link, undefined);
    assert.deepEqual(all.body.data[2], (await api().json({ method: 'GET', url: '/v1/actors/pakistan' })).body);
  });

  test('count=true adds the total of every match, not of the page', async () => {
    const counted = await api().json({ method: 'GET', url: '/v1/actors?count=true&kind=state&limit=1' });
    assert.equal(counted.body.total, 2);
    assert.equal(counted.body.data.length, 1);
  });

  test('kind filters by kind; a comma means any of', async () => {
    assert.deepEqual(await ids(api(), '/v1/actors?kind=state'), ['afghanistan', 'pakistan']);
    assert.deepEqual(await ids(api(), '/v1/actors?kind=person,armedGroup'), ['spokesperson', 'ttp']);
  });

  test('countryCode filters by country; a comma means any of', async () => {
    assert.deepEqual(await ids(api(), '/v1/actors?countryCode=AFG'), ['afghanistan']);
    assert.deepEqual(await ids(api(), '/v1/actors?countryCode=PAK,AFG'), ['afghanistan', 'mofa', 'pakistan']);
  });

  test('parent lists the children of an actor, and filters combine (AND)', async () => {
    assert.deepEqual(await ids(api(), '/v1/actors?parent=pakistan'), ['mofa', 'spokesperson']);
    assert.deepEqual(await ids(api(), '/v1/actors?parent=pakistan&kind=person'), ['spokesperson']);
  });

  test('id names exactly these actors (an unknown one matches nothing), and combines with other filters', async () => {
    assert.deepEqual(await ids(api(), '/v1/actors?id=ttp,pakistan,no-such-actor'), ['pakistan', 'ttp']);
    assert.deepEqual(await ids(api(), '/v1/actors?id=ttp,pakistan&kind=state'), ['pakistan']);
  });

  test('a filter that matches nothing is an empty page', async () => {
    assert.deepEqual(await ids(api(), '/v1/actors?kind=media'), []);
  });

  test('sort=-name sorts by name, descending', async () => {
    assert.deepEqual(await ids(api(), '/v1/actors?sort=-name'), ['ttp', 'pakistan', 'mofa', 'afghanistan', 'spokesperson']);
  });

  test('a cursor keeps working with another limit, but is a 400 with other filters or another sort', async () => {
    const byKind = await api().json({ method: 'GET', url: '/v1/actors?kind=state&limit=1' });
    const cursor = byKind.body.nextCursor;
    assert.deepEqual(await ids(api(), `/v1/actors?kind=state&limit=5&cursor=${cursor}`), ['pakistan']);
    for (const url of [`/v1/actors?kind=person&limit=1&cursor=${cursor}`, `/v1/actors?kind=state&sort=-id&cursor=${cursor}`]) {
      const problem = assertProblem(await api().json({ method: 'GET', url }), 400, 'INVALID_CURSOR');
      assert.equal(fieldError(problem, '/cursor').in, 'query');
    }
  });

  test('a cursor that is garbage, empty or forged is a 400 naming the cursor parameter', async () => {
    for (const garbage of ['garbage', 'e30', Buffer.from('{"k":"x","v":[1,"a"]}').toString('base64url')]) {
      const problem = assertProblem(await api().json({ method: 'GET', url: `/v1/actors?cursor=${garbage}` }), 400, 'INVALID_CURSOR');
      assert.equal(fieldError(problem, '/cursor').in, 'query');
    }
  });
});

test('actors: pages follow the Link header, and a row inserted before the cursor does not shift later pages', async (t) => {
  const api = await makeApp(t);
  await listWorld(api);
  const first = await api.json({ method: 'GET', url: '/v1/actors?limit=2' });
  assert.deepEqual(
    first.body.data.map((a: { id: string }) => a.id),
    ['afghanistan', 'mofa'],
  );
  assert.equal(typeof first.body.nextCursor, 'string');
  assert.equal(first.headers.link, `</v1/actors?limit=2&cursor=${first.body.nextCursor}>; rel="next"`);
  await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'aaa', name: 'Inserted meanwhile', kind: 'other' } });
  const seen: string[] = [];
  let link = String(first.headers.link);
  for (let page = 0; page < 5 && link; page++) {
    const url = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
    assert.ok(url, link);
    const next = await api.json({ method: 'GET', url });
    seen.push(...next.body.data.map((a: { id: string }) => a.id));
    link = next.headers.link ? String(next.headers.link) : '';
    if (!link) assert.equal(next.body.nextCursor, null);
  }
  assert.deepEqual(seen, ['pakistan', 'spokesperson', 'ttp']);
});

describe('actors: references', () => {
  // Every request here is refused, so the world stays as seedMinimal made it.
  const api = sharedApp(seedMinimal);

  test('an unknown parent is a 422 naming the field, on POST and on PATCH, and nothing is stored', async () => {
    let problem = assertProblem(
      await api().json({
        method: 'POST',
        url: '/v1/actors',
        payload: { id: 'orphan', name: 'Orphan', kind: 'person', parentId: 'nowhere' },
      }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.deepEqual(
      problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
      [['body', '/parentId']],
    );
    assert.match(problem.detail, /nowhere/);
    assertProblem(await api().json({ method: 'GET', url: '/v1/actors/orphan' }), 404, 'NOT_FOUND');
    problem = assertProblem(
      await api().json({ method: 'PATCH', url: '/v1/actors/ttp', payload: { parentId: 'nowhere' } }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.equal(fieldError(problem, '/parentId').in, 'body');
    const ttp = await api().json({ method: 'GET', url: '/v1/actors/ttp' });
    assert.equal(ttp.body.parentId, null);
    assert.equal(ttp.body.version, 1);
  });

  test('an actor cannot become its own ancestor, through a child or directly (422)', async () => {
    const problem = assertProblem(
      await api().json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { parentId: 'spokesperson' } }),
      422,
      'INVALID_RECORD',
    );
    assert.equal(fieldError(problem, '/parentId').in, 'body');
    assertProblem(
      await api().json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { parentId: 'pakistan' } }),
      422,
      'INVALID_RECORD',
    );
    assert.equal((await api().json({ method: 'GET', url: '/v1/actors/pakistan' })).body.parentId, null);
  });

  test('a taken id is a 409 that leaves the first record as it was', async () => {
    const problem = assertProblem(
      await api().json({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Another', kind: 'other' } }),
      409,
      'ID_TAKEN',
    );
    assert.equal(fieldError(problem, '/id').in, 'body');
    const stored = await api().json({ method: 'GET', url: '/v1/actors/pakistan' });
    assert.equal(stored.body.name, 'Pakistan');
    assert.equal(stored.body.kind, 'state');
  });
});

/** seedMinimal's actors referred to by a child actor, an event (host and participants) and a statement. */
async function referredWorld(api: TestApp): Promise<void> {
  await seedMinimal(api);
  const event = await api.json({
    method: 'POST',
    url: '/v1/events',
    payload: {
      id: 'briefing',
      kind: 'pressBriefing',
      title: 'Weekly briefing',
      hostId: 'pakistan',
      participantIds: ['spokesperson', 'pakistan'],
    },
  });
  assert.equal(event.status, 201, JSON.stringify(event.body));
  const statement = await api.json({
    method: 'POST',
    url: '/v1/statements',
    payload: {
      id: 'no-talks',
      text: 'Pakistan is not holding talks with the TTP.',
      kind: 'paraphrase',
      speakerId: 'spokesperson',
      onBehalfOfId: 'pakistan',
      addresseeIds: ['ttp'],
      sourceIds: ['report'],
    },
  });
  assert.equal(statement.status, 201, JSON.stringify(statement.body));
}

test('actors: DELETE of a referenced actor is a 409 naming every referrer by collection and field, and deletes nothing', async (t) => {
  const api = await makeApp(t);
  await referredWorld(api);
  let problem = assertProblem(await api.json({ method: 'DELETE', url: '/v1/actors/pakistan' }), 409, 'STILL_REFERENCED');
  assert.deepEqual(problem.referencedBy, [
    { collection: 'actors', field: 'parentId', ids: ['spokesperson'] },
    { collection: 'events', field: 'hostId', ids: ['briefing'] },
    { collection: 'events', field: 'participantIds', ids: ['briefing'] },
    { collection: 'statements', field: 'onBehalfOfId', ids: ['no-talks'] },
  ]);
  assert.match(problem.detail, /spokesperson/);
  problem = assertProblem(await api.json({ method: 'DELETE', url: '/v1/actors/spokesperson' }), 409, 'STILL_REFERENCED');
  assert.deepEqual(problem.referencedBy, [
    { collection: 'events', field: 'participantIds', ids: ['briefing'] },
    { collection: 'statements', field: 'speakerId', ids: ['no-talks'] },
  ]);
  problem = assertProblem(await api.json({ method: 'DELETE', url: '/v1/actors/ttp' }), 409, 'STILL_REFERENCED');
  assert.deepEqual(problem.referencedBy, [{ collection: 'statements', field: 'addresseeIds', ids: ['no-talks'] }]);
  for (const id of ['pakistan', 'spokesperson', 'ttp']) {
    const still = await api.json({ method: 'GET', url: `/v1/actors/${id}` });
    assert.equal(still.status, 200);
    assert.equal(still.body.version, 1);
  }
});

test('actors: once the records referring to an actor are gone, its DELETE goes through', async (t) => {
  const api = await makeApp(t);
  await referredWorld(api);
  for (const url of ['/v1/statements/no-talks', '/v1/events/briefing', '/v1/actors/spokesperson', '/v1/actors/pakistan']) {
    assert.equal((await api.request({ method: 'DELETE', url })).statusCode, 204, url);
  }
  assertProblem(await api.json({ method: 'GET', url: '/v1/actors/pakistan' }), 404, 'NOT_FOUND');
});

describe('actors: validation of bodies and list parameters', () => {
  // Every request here is refused, so the one stored actor stays at version 1.
  const api = sharedApp(async (app) => {
    await post(app, pakistan);
  });
  const postActor = (payload: unknown) => api().json({ method: 'POST', url: '/v1/actors', payload: payload as Record<string, unknown> });
  const list = (query: string) => api().json({ method: 'GET', url: `/v1/actors?${query}` });

  test('an unknown field is a 400 naming it', async () => {
    const problem = assertProblem(await postActor({ name: 'x', kind: 'state', foo: 1 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/foo'), { in: 'body', path: '/foo', message: 'is not a known field' });
  });

  test('values are not coerced: a number is not a name, and nothing is stored', async () => {
    const problem = assertProblem(await postActor({ id: 'five', name: 5, kind: 'state' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must be string' });
    assertProblem(await api().json({ method: 'GET', url: '/v1/actors/five' }), 404, 'NOT_FOUND');
  });

  test('kind must be one of the actor kinds, and the message lists them', async () => {
    const problem = assertProblem(await postActor({ name: 'x', kind: 'country' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/kind'), { in: 'body', path: '/kind', message: `must be one of: ${ACTOR_KINDS}` });
  });

  test('an id must be a lowercase slug', async () => {
    const problem = assertProblem(await postActor({ id: 'Bad Id', name: 'x', kind: 'state' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/id').in, 'body');
    assert.match(fieldError(problem, '/id').message, /lowercase slug/);
  });

  test('countryCode must be ISO 3166-1 alpha-3', async () => {
    const problem = assertProblem(await postActor({ name: 'x', kind: 'state', countryCode: 'pk' }), 400, 'VALIDATION_FAILED');
    assert.match(fieldError(problem, '/countryCode').message, /ISO 3166-1 alpha-3/);
  });

  test('every bad field is named at once, the missing ones included', async () => {
    const problem = assertProblem(await postActor({ aliases: 'FO', description: 7 }), 400, 'VALIDATION_FAILED');
    for (const path of ['/name', '/kind', '/aliases', '/description']) assert.equal(fieldError(problem, path).in, 'body');
    assert.equal(fieldError(problem, '/name').message, 'is required');
  });

  test('a name of only whitespace is empty, and refused', async () => {
    const problem = assertProblem(await postActor({ name: '   ', kind: 'state' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must not be empty' });
  });

  test('two aliases equal after trimming are a repeat (400)', async () => {
    const problem = assertProblem(await postActor({ name: 'x', kind: 'state', aliases: ['FO', ' FO '] }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/aliases').in, 'body');
  });

  test('a PATCH body must not be empty, hold an id or unknown fields, and follows the same rules; nothing changes', async () => {
    for (const payload of [{}, { id: 'other' }, { nickname: 'x' }, { name: '' }, { kind: 'country' }, { name: 1 }]) {
      const problem = assertProblem(await api().json({ method: 'PATCH', url: '/v1/actors/pakistan', payload }), 400, 'VALIDATION_FAILED');
      assert.ok((problem.errors?.length ?? 0) > 0);
      assert.equal(problem.errors?.[0]?.in, 'body');
    }
    assert.equal((await api().json({ method: 'GET', url: '/v1/actors/pakistan' })).body.version, 1);
  });

  test('a body that is not valid JSON is a 400 that says so', async () => {
    const badJson = await api().json({
      method: 'POST',
      url: '/v1/actors',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "x", "kind": ',
    });
    const problem = assertProblem(badJson, 400, 'VALIDATION_FAILED');
    assert.match(problem.detail, /not valid JSON/);
  });

  test('a bad id in the path is a 400 on params, not a 404', async () => {
    const problem = assertProblem(await api().json({ method: 'GET', url: '/v1/actors/Bad%20Id' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/id').in, 'path');
  });

  test('an unknown query parameter is a 400 naming it', async () => {
    const problem = assertProblem(await list('foo=1'), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/foo'), {
      in: 'query',
      path: '/foo',
      message: 'is not a known query parameter for this route',
    });
  });

  test('limit is an integer from 1 to 100', async () => {
    for (const [query, message] of [
      ['limit=0', 'must be >= 1'],
      ['limit=-1', 'must be >= 1'],
      ['limit=abc', 'must be a whole number written in decimal digits (e.g. 1)'],
      ['limit=101', 'must be <= 100'],
      ['limit=2.5', 'must be a whole number written in decimal digits (e.g. 1)'],
      ['limit=Infinity', 'must be a whole number written in decimal digits (e.g. 1)'],
      [`limit=${'9'.repeat(400)}`, 'must be from 1 to 100'],
    ] as const) {
      const problem = assertProblem(await list(query), 400, 'VALIDATION_FAILED');
      assert.deepEqual(problem.errors, [{ in: 'query', path: '/limit', message }], query);
    }
    assert.equal((await list('limit=100')).status, 200);
  });

  test('sort is one of the listed fields, and the message lists them', async () => {
    const problem = assertProblem(await list('sort=bogus'), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/sort').in, 'query');
    assert.match(fieldError(problem, '/sort').message, /must be one of: id, -id, name, -name/);
  });

  test('each filter checks its values: a kind, a country code, a slug, a boolean', async () => {
    for (const query of ['kind=country', 'countryCode=pak', 'parent=Not%20A%20Slug', 'count=maybe']) {
      const problem = assertProblem(await list(query), 400, 'VALIDATION_FAILED');
      assert.equal(problem.errors?.[0]?.in, 'query', query);
      assert.equal(problem.errors?.[0]?.path, `/${query.split('=')[0]}`, query);
    }
  });
});

describe('actors: stored text', () => {
  test('names and aliases are trimmed at the ends', async (t) => {
    const api = await makeApp(t);
    const trimmed = await post(api, { id: 'pakistan', name: '  Pakistan  ', kind: 'state', aliases: [' Pak '] });
    assert.equal(trimmed.body.name, 'Pakistan');
    assert.deepEqual(trimmed.body.aliases, ['Pak']);
  });

  test('Unicode, curly quotes and dashes come back exactly as sent', async (t) => {
    const api = await makeApp(t);
    const text = {
      name: 'پاکستان',
      description: 'Calls the TTP “Fitna al-Khawarij” — the state’s own term',
      aliases: ['اسلامی جمہوریہ پاکستان'],
    };
    await post(api, { id: 'pakistan-ur', kind: 'state', ...text });
    const read = await api.json({ method: 'GET', url: '/v1/actors/pakistan-ur' });
    assert.equal(read.body.name, text.name);
    assert.equal(read.body.description, text.description);
    assert.deepEqual(read.body.aliases, text.aliases);
  });
});
