// Actors over HTTP: create, read, list, patch, delete, and every failure those routes document.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProblem, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp, seedMinimal } from './helpers.js';

const ACTOR_KINDS = 'state, governmentBody, igo, organization, armedGroup, media, person, other';

/** Asserts an RFC 9457 problem with this status and code, and returns its body. */
/** The one field error at `path`, asserting it exists. */
test('actors: POST, GET, PATCH, DELETE with defaults, versions and ETags; lists with filters, counts and stable pages', async (t) => {
  const api = await makeApp(t);

  // Create, read, patch and delete, with defaults, versions and ETags.
  {
    const created = await api.json({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Pakistan', kind: 'state' } });
    assert.equal(created.status, 201);
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

    // Without an id the server makes one, and the Location names it.
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

    // PATCH changes only what it sends.
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

    // The same values again change nothing, not even the version or updatedAt.
    await sleep(5);
    const same = await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { countryCode: 'PAK', name: 'Pakistan' } });
    assert.equal(same.status, 200);
    assert.equal(same.headers.etag, '"2"');
    assert.deepEqual(same.body, patched.body);

    // null clears a nullable field.
    const cleared = await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { description: null } });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.description, null);
    assert.equal(cleared.body.countryCode, 'PAK');
    assert.equal(cleared.body.version, 3);
    assert.equal((await api.json({ method: 'GET', url: '/v1/actors/pakistan' })).body.description, null);

    // DELETE answers 204 without a body, then the actor is gone.
    const deleted = await api.request({ method: 'DELETE', url: `/v1/actors/${anonymous.body.id}` });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    const gone = await api.json({ method: 'GET', url: `/v1/actors/${anonymous.body.id}` });
    const problem = assertProblem(gone, 404, 'NOT_FOUND');
    assert.match(problem.detail, new RegExp(anonymous.body.id));
    assertProblem(await api.json({ method: 'DELETE', url: `/v1/actors/${anonymous.body.id}` }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'PATCH', url: '/v1/actors/nobody', payload: { name: 'x' } }), 404, 'NOT_FOUND');

    // ETags: If-Match guards PATCH and DELETE, If-None-Match answers 304.
    await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'afghanistan', name: 'Afghanistan', kind: 'state' } });
    const notModified = await api.request({ method: 'GET', url: '/v1/actors/afghanistan', headers: { 'if-none-match': '"1"' } });
    assert.equal(notModified.statusCode, 304);
    assert.equal(notModified.body, '');
    assert.equal(notModified.headers.etag, '"1"');
    assert.equal(
      (await api.request({ method: 'GET', url: '/v1/actors/afghanistan', headers: { 'if-none-match': '"7"' } })).statusCode,
      200,
    );

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
    // Leave the table empty for the list checks below.
    assert.equal((await api.request({ method: 'DELETE', url: '/v1/actors/pakistan' })).statusCode, 204);
  }

  // Lists: filters, counts, sorts and pages that never skip or repeat.
  {
    // pakistan (state, PAK), spokesperson ('A Spokesperson', person, parent pakistan), ttp (armedGroup)
    await seedMinimal(api);
    for (const payload of [
      { id: 'afghanistan', name: 'Afghanistan', kind: 'state', countryCode: 'AFG' },
      { id: 'mofa', name: 'Ministry of Foreign Affairs', kind: 'governmentBody', countryCode: 'PAK', parentId: 'pakistan' },
    ]) {
      assert.equal((await api.request({ method: 'POST', url: '/v1/actors', payload })).statusCode, 201);
    }
    const ids = async (url: string) => {
      const res = await api.json({ method: 'GET', url, auth: false });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((a: { id: string }) => a.id);
    };

    const all = await api.json({ method: 'GET', url: '/v1/actors' });
    assert.deepEqual(
      all.body.data.map((a: { id: string }) => a.id),
      ['afghanistan', 'mofa', 'pakistan', 'spokesperson', 'ttp'],
    );
    assert.equal(all.body.nextCursor, null);
    assert.equal('total' in all.body, false);
    assert.equal(all.headers.link, undefined);
    assert.deepEqual(all.body.data[2], (await api.json({ method: 'GET', url: '/v1/actors/pakistan' })).body);

    const counted = await api.json({ method: 'GET', url: '/v1/actors?count=true&kind=state&limit=1' });
    assert.equal(counted.body.total, 2);
    assert.equal(counted.body.data.length, 1);

    assert.deepEqual(await ids('/v1/actors?kind=state'), ['afghanistan', 'pakistan']);
    assert.deepEqual(await ids('/v1/actors?kind=person,armedGroup'), ['spokesperson', 'ttp']);
    assert.deepEqual(await ids('/v1/actors?countryCode=AFG'), ['afghanistan']);
    assert.deepEqual(await ids('/v1/actors?countryCode=PAK,AFG'), ['afghanistan', 'mofa', 'pakistan']);
    assert.deepEqual(await ids('/v1/actors?parent=pakistan'), ['mofa', 'spokesperson']);
    assert.deepEqual(await ids('/v1/actors?parent=pakistan&kind=person'), ['spokesperson']);
    assert.deepEqual(await ids('/v1/actors?kind=media'), []);
    assert.deepEqual(await ids('/v1/actors?sort=-name'), ['ttp', 'pakistan', 'mofa', 'afghanistan', 'spokesperson']);

    // Pages of two, following the Link header; a row inserted before the cursor does not shift later pages.
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

    // A cursor keeps working with another limit, but not with other filters or another sort.
    const byKind = await api.json({ method: 'GET', url: '/v1/actors?kind=state&limit=1' });
    const cursor = byKind.body.nextCursor;
    assert.deepEqual(await ids(`/v1/actors?kind=state&limit=5&cursor=${cursor}`), ['pakistan']);
    for (const url of [`/v1/actors?kind=person&limit=1&cursor=${cursor}`, `/v1/actors?kind=state&sort=-id&cursor=${cursor}`]) {
      const problem = assertProblem(await api.json({ method: 'GET', url }), 400, 'INVALID_CURSOR');
      assert.equal(fieldError(problem, '/cursor').in, 'query');
    }
    for (const garbage of ['garbage', 'e30', Buffer.from('{"k":"x","v":[1,"a"]}').toString('base64url')]) {
      const problem = assertProblem(await api.json({ method: 'GET', url: `/v1/actors?cursor=${garbage}` }), 400, 'INVALID_CURSOR');
      assert.equal(fieldError(problem, '/cursor').in, 'query');
    }
  }
});

test('actors: references (422, 409, cycles, taken ids) and validation of bodies and list parameters', async (t) => {
  const api = await makeApp(t);

  // References: 422 for unknown ones, 409 while referenced, 422 for a cycle, 409 for a taken id.
  {
    await seedMinimal(api);

    // An unknown parent is a 422 naming the field; nothing is stored.
    let problem = assertProblem(
      await api.json({ method: 'POST', url: '/v1/actors', payload: { id: 'orphan', name: 'Orphan', kind: 'person', parentId: 'nowhere' } }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.deepEqual(
      problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
      [['body', '/parentId']],
    );
    assert.match(problem.detail, /nowhere/);
    assertProblem(await api.json({ method: 'GET', url: '/v1/actors/orphan' }), 404, 'NOT_FOUND');
    problem = assertProblem(
      await api.json({ method: 'PATCH', url: '/v1/actors/ttp', payload: { parentId: 'nowhere' } }),
      422,
      'UNKNOWN_REFERENCE',
    );
    assert.equal(fieldError(problem, '/parentId').in, 'body');
    const ttp = await api.json({ method: 'GET', url: '/v1/actors/ttp' });
    assert.equal(ttp.body.parentId, null);
    assert.equal(ttp.body.version, 1);

    // An actor cannot become its own ancestor.
    problem = assertProblem(
      await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { parentId: 'spokesperson' } }),
      422,
      'INVALID_RECORD',
    );
    assert.equal(fieldError(problem, '/parentId').in, 'body');
    assertProblem(
      await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload: { parentId: 'pakistan' } }),
      422,
      'INVALID_RECORD',
    );
    assert.equal((await api.json({ method: 'GET', url: '/v1/actors/pakistan' })).body.parentId, null);

    // A taken id is a 409 that leaves the first record as it was.
    problem = assertProblem(
      await api.json({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Another', kind: 'other' } }),
      409,
      'ID_TAKEN',
    );
    assert.equal(fieldError(problem, '/id').in, 'body');
    const pakistan = await api.json({ method: 'GET', url: '/v1/actors/pakistan' });
    assert.equal(pakistan.body.name, 'Pakistan');
    assert.equal(pakistan.body.kind, 'state');

    // Referenced by a child actor, an event (host and participant) and a statement.
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

    problem = assertProblem(await api.json({ method: 'DELETE', url: '/v1/actors/pakistan' }), 409, 'STILL_REFERENCED');
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

    // Once the referring records are gone, the deletes go through.
    for (const url of ['/v1/statements/no-talks', '/v1/events/briefing', '/v1/actors/spokesperson', '/v1/actors/pakistan']) {
      assert.equal((await api.request({ method: 'DELETE', url })).statusCode, 204, url);
    }
    assertProblem(await api.json({ method: 'GET', url: '/v1/actors/pakistan' }), 404, 'NOT_FOUND');
  }

  // Validation: unknown fields, types, vocabulary, ids, trimming, Unicode, list parameters.
  {
    const post = (payload: unknown) => api.json({ method: 'POST', url: '/v1/actors', payload: payload as Record<string, unknown> });

    let problem = assertProblem(await post({ name: 'x', kind: 'state', foo: 1 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/foo'), { in: 'body', path: '/foo', message: 'is not a known field' });

    // No coercion: a number is not a name.
    problem = assertProblem(await post({ id: 'five', name: 5, kind: 'state' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must be string' });
    assertProblem(await api.json({ method: 'GET', url: '/v1/actors/five' }), 404, 'NOT_FOUND');

    problem = assertProblem(await post({ name: 'x', kind: 'country' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/kind'), { in: 'body', path: '/kind', message: `must be one of: ${ACTOR_KINDS}` });

    problem = assertProblem(await post({ id: 'Bad Id', name: 'x', kind: 'state' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/id').in, 'body');
    assert.match(fieldError(problem, '/id').message, /lowercase slug/);

    problem = assertProblem(await post({ name: 'x', kind: 'state', countryCode: 'pk' }), 400, 'VALIDATION_FAILED');
    assert.match(fieldError(problem, '/countryCode').message, /ISO 3166-1 alpha-3/);

    // Every bad field is named at once, the missing ones included.
    problem = assertProblem(await post({ aliases: 'FO', description: 7 }), 400, 'VALIDATION_FAILED');
    for (const path of ['/name', '/kind', '/aliases', '/description']) assert.equal(fieldError(problem, path).in, 'body');
    assert.equal(fieldError(problem, '/name').message, 'is required');

    problem = assertProblem(await post({ name: '   ', kind: 'state' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/name'), { in: 'body', path: '/name', message: 'must not be empty' });

    // Trimmed at the ends (aliases too); after trimming, two aliases that are equal are a repeat.
    const trimmed = await post({ id: 'pakistan', name: '  Pakistan  ', kind: 'state', aliases: [' Pak '] });
    assert.equal(trimmed.status, 201);
    assert.equal(trimmed.body.name, 'Pakistan');
    assert.deepEqual(trimmed.body.aliases, ['Pak']);
    problem = assertProblem(await post({ name: 'x', kind: 'state', aliases: ['FO', ' FO '] }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/aliases').in, 'body');

    // Unicode, curly quotes and dashes come back exactly as sent.
    const text = {
      name: 'پاکستان',
      description: 'Calls the TTP “Fitna al-Khawarij” — the state’s own term',
      aliases: ['اسلامی جمہوریہ پاکستان'],
    };
    const unicode = await post({ id: 'pakistan-ur', kind: 'state', ...text });
    assert.equal(unicode.status, 201);
    const read = await api.json({ method: 'GET', url: '/v1/actors/pakistan-ur' });
    assert.equal(read.body.name, text.name);
    assert.equal(read.body.description, text.description);
    assert.deepEqual(read.body.aliases, text.aliases);

    // PATCH bodies: not empty, no id, no unknown fields, same rules.
    for (const payload of [{}, { id: 'other' }, { nickname: 'x' }, { name: '' }, { kind: 'country' }, { name: 1 }]) {
      problem = assertProblem(await api.json({ method: 'PATCH', url: '/v1/actors/pakistan', payload }), 400, 'VALIDATION_FAILED');
      assert.ok((problem.errors?.length ?? 0) > 0);
      assert.equal(problem.errors?.[0]?.in, 'body');
    }
    assert.equal((await api.json({ method: 'GET', url: '/v1/actors/pakistan' })).body.version, 1);

    const badJson = await api.json({
      method: 'POST',
      url: '/v1/actors',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "x", "kind": ',
    });
    problem = assertProblem(badJson, 400, 'VALIDATION_FAILED');
    assert.match(problem.detail, /not valid JSON/);

    // A bad id in the path is a 400 on params, not a 404.
    problem = assertProblem(await api.json({ method: 'GET', url: '/v1/actors/Bad%20Id' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/id').in, 'path');

    // The list parameters follow the same rules.
    const get = (query: string) => api.json({ method: 'GET', url: `/v1/actors?${query}` });
    problem = assertProblem(await get('foo=1'), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/foo'), {
      in: 'query',
      path: '/foo',
      message: 'is not a known query parameter for this route',
    });
    for (const [query, message] of [
      ['limit=0', 'must be >= 1'],
      ['limit=-1', 'must be >= 1'],
      ['limit=abc', 'must be a whole number written in decimal digits (e.g. 1)'],
      ['limit=101', 'must be <= 100'],
      ['limit=2.5', 'must be a whole number written in decimal digits (e.g. 1)'],
      ['limit=Infinity', 'must be a whole number written in decimal digits (e.g. 1)'],
      [`limit=${'9'.repeat(400)}`, 'must be from 1 to 100'],
    ] as const) {
      problem = assertProblem(await get(query), 400, 'VALIDATION_FAILED');
      assert.deepEqual(problem.errors, [{ in: 'query', path: '/limit', message }], query);
    }
    assert.equal((await get('limit=100')).status, 200);

    problem = assertProblem(await get('sort=bogus'), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/sort').in, 'query');
    assert.match(fieldError(problem, '/sort').message, /must be one of: id, -id, name, -name/);
    for (const query of ['kind=country', 'countryCode=pak', 'parent=Not%20A%20Slug', 'count=maybe']) {
      problem = assertProblem(await get(query), 400, 'VALIDATION_FAILED');
      assert.equal(problem.errors?.[0]?.in, 'query', query);
      assert.equal(problem.errors?.[0]?.path, `/${query.split('=')[0]}`, query);
    }
  }
});
