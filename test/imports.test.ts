// POST /v1/imports: bundles across the six entities, idempotent upserts, any order, atomic rejection, dry runs.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { makeApp, sharedApp, type TestApp } from './helpers.js';

type Body = Record<string, unknown>;
type Counts = { created: number; updated: number; unchanged: number };
const ENTITIES = ['sources', 'actors', 'topics', 'events', 'statements', 'positions'] as const;

const counts = (each: Partial<Record<(typeof ENTITIES)[number], Partial<Counts>>>) =>
  Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0, ...each[e] }]));

/** A briefing in miniature: one record or more of each entity, referring to each other by id. */
function briefing(): Record<string, Body[]> {
  return {
    sources: [
      {
        id: 'the-report',
        kind: 'newsReport',
        title: 'Pakistan not in talks',
        publisher: 'The News',
        publishedOn: '2024-04-05',
        language: 'en',
      },
    ],
    actors: [
      { id: 'pakistan', name: 'Pakistan', kind: 'state', countryCode: 'PAK' },
      { id: 'fo', name: 'Foreign Office', kind: 'governmentBody', countryCode: 'PAK', parentId: 'pakistan', aliases: ['FO', 'MOFA'] },
      { id: 'spokesperson', name: 'The Spokesperson', kind: 'person', parentId: 'fo' },
      { id: 'afghanistan', name: 'Afghanistan', kind: 'state', countryCode: 'AFG' },
    ],
    topics: [
      { id: 'counter-terrorism', name: 'Counter-terrorism' },
      { id: 'ttp', name: 'TTP', parentId: 'counter-terrorism' },
      { id: 'talks-with-ttp', name: 'Talks with the TTP', parentId: 'ttp' },
    ],
    events: [
      {
        id: 'briefing',
        kind: 'pressBriefing',
        title: 'Weekly briefing',
        startDate: '2024-04-04',
        hostId: 'fo',
        participantIds: ['fo', 'spokesperson'],
      },
    ],
    statements: [
      {
        id: 'advice',
        text: 'Pakistan and the TTP should talk.',
        kind: 'paraphrase',
        speakerId: 'afghanistan',
        sourceIds: ['the-report'],
        topicIds: ['talks-with-ttp'],
        addresseeIds: ['pakistan'],
        acts: ['appeal'],
      },
      {
        id: 'no-talks',
        text: 'Pakistan is not holding any talks with the TTP.',
        kind: 'paraphrase',
        speakerId: 'spokesperson',
        onBehalfOfId: 'pakistan',
        statedOn: '2024-04-04',
        eventId: 'briefing',
        sourceIds: ['the-report'],
        topicIds: ['talks-with-ttp'],
        respondsToIds: ['advice'],
        acts: ['rejectNegotiation'],
        language: 'en',
      },
    ],
    positions: [
      {
        id: 'pakistan-opposes-talks',
        actorId: 'pakistan',
        topicId: 'talks-with-ttp',
        stance: 'opposes',
        summary: 'No talks with the TTP.',
        validFrom: '2024-04-04',
        evidence: [{ statementId: 'no-talks', relation: 'reiterates' }],
      },
    ],
  };
}

async function importBundle(t: TestApp, payload: unknown, query = '') {
  return t.json({ method: 'POST', url: `/v1/imports${query}`, payload: payload as Body });
}

/** The total of every list: what a failed import must leave as it was. */
async function totals(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of ENTITIES) out[e] = (await t.json({ method: 'GET', url: `/v1/${e}?count=true&limit=1` })).body.total;
  return out;
}

/** Every record of every list, as served: to compare before and after. */
async function everything(t: TestApp): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const e of ENTITIES) out[e] = (await t.json({ method: 'GET', url: `/v1/${e}?limit=100&sort=id` })).body.data;
  return out;
}

describe('imports: upserts by id', () => {
  /** A new app with the briefing imported once. */
  async function imported(t: TestContext) {
    const app = await makeApp(t);
    const first = await importBundle(app, briefing());
    assert.equal(first.status, 200, JSON.stringify(first.body));
    return { app, first };
  }

  test('an import creates records across all six entities, linked as the bundle says', async (t) => {
    const { app, first } = await imported(t);
    assert.deepEqual(first.body, {
      dryRun: false,
      counts: counts({
        sources: { created: 1 },
        actors: { created: 4 },
        topics: { created: 3 },
        events: { created: 1 },
        statements: { created: 2 },
        positions: { created: 1 },
      }),
    });
    const noTalks = await app.json({ method: 'GET', url: '/v1/statements/no-talks' });
    assert.equal(noTalks.status, 200);
    assert.deepEqual(noTalks.body.respondsToIds, ['advice']);
    assert.equal(noTalks.body.eventId, 'briefing');
    assert.deepEqual(noTalks.body.addresseeIds, []);
    assert.equal(noTalks.body.context, null);
    assert.equal(noTalks.body.version, 1);
    const position = await app.json({ method: 'GET', url: '/v1/positions/pakistan-opposes-talks' });
    assert.deepEqual(position.body.evidence, [{ statementId: 'no-talks', relation: 'reiterates', statedOn: '2024-04-04' }]);
    assert.equal(position.body.validTo, null);
    const event = await app.json({ method: 'GET', url: '/v1/events/briefing' });
    assert.deepEqual(event.body.participantIds, ['fo', 'spokesperson']);
    assert.equal((await app.json({ method: 'GET', url: '/v1/topics/talks-with-ttp' })).body.parentId, 'ttp');
    assert.equal((await app.json({ method: 'GET', url: '/v1/sources/the-report' })).body.publisher, 'The News');
  });

  test('the same bundle again changes nothing: all unchanged, versions still 1, updatedAt as before', async (t) => {
    const { app } = await imported(t);
    const stored = await everything(app);
    const second = await importBundle(app, briefing());
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, {
      dryRun: false,
      counts: counts({
        sources: { unchanged: 1 },
        actors: { unchanged: 4 },
        topics: { unchanged: 3 },
        events: { unchanged: 1 },
        statements: { unchanged: 2 },
        positions: { unchanged: 1 },
      }),
    });
    assert.deepEqual(await everything(app), stored);
    for (const records of Object.values(stored)) for (const r of records as { version: number }[]) assert.equal(r.version, 1);
  });

  test('a changed record is updated (version + 1, createdAt kept); the others are unchanged', async (t) => {
    const { app } = await imported(t);
    const noTalks = await app.json({ method: 'GET', url: '/v1/statements/no-talks' });
    const changed = briefing();
    (changed.statements as Body[])[1] = { ...(changed.statements as Body[])[1], text: 'Pakistan will not talk to the TTP.' };
    (changed.topics as Body[])[1] = { ...(changed.topics as Body[])[1], aliases: ['Tehreek-e-Taliban Pakistan'] };
    const third = await importBundle(app, changed);
    assert.equal(third.status, 200);
    assert.deepEqual(third.body.counts, {
      ...counts({
        sources: { unchanged: 1 },
        actors: { unchanged: 4 },
        topics: { updated: 1, unchanged: 2 },
        events: { unchanged: 1 },
        statements: { updated: 1, unchanged: 1 },
        positions: { unchanged: 1 },
      }),
    });
    const updated = await app.json({ method: 'GET', url: '/v1/statements/no-talks' });
    assert.equal(updated.body.text, 'Pakistan will not talk to the TTP.');
    assert.equal(updated.body.version, 2);
    assert.equal(updated.headers.etag, '"2"');
    assert.equal(updated.body.createdAt, noTalks.body.createdAt);
    assert.equal((await app.json({ method: 'GET', url: '/v1/topics/ttp' })).body.version, 2);
    assert.equal((await app.json({ method: 'GET', url: '/v1/statements/advice' })).body.version, 1);
  });

  test('a bundle record is the whole record: a field left out is stored blank', async (t) => {
    const { app } = await imported(t);
    const trimmed = { actors: [{ id: 'fo', name: 'Foreign Office', kind: 'governmentBody', countryCode: 'PAK', parentId: 'pakistan' }] };
    const fourth = await importBundle(app, trimmed);
    assert.deepEqual(fourth.body.counts.actors, { created: 0, updated: 1, unchanged: 0 });
    const fo = await app.json({ method: 'GET', url: '/v1/actors/fo' });
    assert.deepEqual(fo.body.aliases, []);
    assert.equal(fo.body.version, 2);
  });
});

describe('imports: records in any order within an array', () => {
  const shuffled = {
    sources: [{ id: 'src', kind: 'other', title: 'A source' }],
    actors: [
      { id: 'spokesperson', name: 'The Spokesperson', kind: 'person', parentId: 'fo' },
      { id: 'fo', name: 'Foreign Office', kind: 'governmentBody', parentId: 'pakistan' },
      { id: 'pakistan', name: 'Pakistan', kind: 'state' },
    ],
    topics: [
      { id: 'talks-with-ttp', name: 'Talks with the TTP', parentId: 'ttp' },
      { id: 'ttp', name: 'TTP', parentId: 'counter-terrorism' },
      { id: 'counter-terrorism', name: 'Counter-terrorism' },
    ],
    statements: [
      { id: 'rejoinder', text: 'Third.', kind: 'quote', speakerId: 'pakistan', sourceIds: ['src'], respondsToIds: ['reply'] },
      { id: 'reply', text: 'Second.', kind: 'quote', speakerId: 'spokesperson', sourceIds: ['src'], respondsToIds: ['opening'] },
      { id: 'opening', text: 'First.', kind: 'quote', speakerId: 'fo', sourceIds: ['src'], topicIds: ['talks-with-ttp'] },
    ],
    positions: [
      {
        id: 'pos',
        actorId: 'pakistan',
        topicId: 'talks-with-ttp',
        stance: 'opposes',
        summary: 'No talks.',
        validFrom: '2024-04-04',
        evidence: [{ statementId: 'rejoinder', relation: 'asserts' }],
      },
    ],
  };

  test('children before parents, answers before what they answer: all created and linked', async (t) => {
    const app = await makeApp(t);
    const res = await importBundle(app, shuffled);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.counts,
      counts({
        sources: { created: 1 },
        actors: { created: 3 },
        topics: { created: 3 },
        statements: { created: 3 },
        positions: { created: 1 },
      }),
    );
    assert.equal((await app.json({ method: 'GET', url: '/v1/actors/spokesperson' })).body.parentId, 'fo');
    assert.equal((await app.json({ method: 'GET', url: '/v1/topics/talks-with-ttp' })).body.parentId, 'ttp');
    assert.deepEqual((await app.json({ method: 'GET', url: '/v1/statements/rejoinder' })).body.respondsToIds, ['reply']);
    const found = await app.json({ method: 'GET', url: '/v1/statements?topic=counter-terrorism' });
    assert.deepEqual(
      found.body.data.map((s: { id: string }) => s.id),
      ['opening'],
    );
  });

  test('the shuffled bundle again, in the same order, changes nothing', async (t) => {
    const app = await makeApp(t);
    await importBundle(app, shuffled);
    const again = await importBundle(app, shuffled);
    assert.deepEqual(
      again.body.counts,
      counts({
        sources: { unchanged: 1 },
        actors: { unchanged: 3 },
        topics: { unchanged: 3 },
        statements: { unchanged: 3 },
        positions: { unchanged: 1 },
      }),
    );
  });
});

test('imports: a cycle inside a bundle is reported (422), not looped on, and nothing is stored', async (t) => {
  const app = await makeApp(t);
  const cycle = await importBundle(app, {
    topics: [
      { id: 'loop-a', name: 'A', parentId: 'loop-b' },
      { id: 'loop-b', name: 'B', parentId: 'loop-a' },
    ],
  });
  assert.equal(cycle.status, 422);
  assert.equal(cycle.body.code, 'IMPORT_FAILED');
  assert.ok(
    cycle.body.errors.some((e: { path: string }) => /^\/topics\/[01]\/parentId$/.test(e.path)),
    JSON.stringify(cycle.body.errors),
  );
  assert.equal((await app.json({ method: 'GET', url: '/v1/topics/loop-a' })).status, 404);
});

describe('imports: bodies that are not bundles, and writes without a key, are refused before anything is read', () => {
  // Nothing here stores anything: one empty database serves every test of the block.
  const app = sharedApp(async () => {});
  const NOTHING = Object.fromEntries(ENTITIES.map((e) => [e, 0]));

  const cases: [string, unknown, string[]][] = [
    ['unknown top-level field', { sources: [], speeches: [] }, ['/speeches']],
    ['a record without id', { statements: [{ text: 'x', kind: 'quote', speakerId: 'a', sourceIds: ['s'] }] }, ['/statements/0/id']],
    ['an unknown field in a record', { topics: [{ id: 't', name: 'T', colour: 'red' }] }, ['/topics/0/colour']],
    ['an entity that is not an array', { topics: { id: 't', name: 'T' } }, ['/topics']],
    ['a wrong type in a record', { topics: [{ id: 't', name: 5 }] }, ['/topics/0/name']],
  ];
  for (const [name, payload, expected] of cases) {
    test(`${name}: a 400 naming ${expected.join(', ')}`, async () => {
      const res = await importBundle(app(), payload);
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED', name);
      for (const path of expected) {
        assert.ok(
          res.body.errors.some((e: { path: string }) => e.path === path),
          `${name}: ${path} not in ${JSON.stringify(res.body.errors)}`,
        );
      }
      assert.deepEqual(await totals(app()), NOTHING);
    });
  }

  test('dryRun must be a boolean', async () => {
    const badQuery = await importBundle(app(), {}, '?dryRun=maybe');
    assert.equal(badQuery.status, 400);
    assert.deepEqual(
      badQuery.body.errors.map((e: { path: string }) => e.path),
      ['/dryRun'],
    );
  });

  test('without a key, or with a key that names none, an import is a 401 and stores nothing', async () => {
    const anonymous = await app().json({ method: 'POST', url: '/v1/imports', payload: briefing(), auth: false });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'UNAUTHORIZED');
    const wrongKey = await app().json({
      method: 'POST',
      url: '/v1/imports',
      payload: briefing(),
      auth: false,
      headers: { authorization: 'Bearer dsa_not-a-key' },
    });
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.body.code, 'UNAUTHORIZED');
    assert.deepEqual(await totals(app()), NOTHING);
  });

  test('{} is a bundle of nothing: 200, every count 0', async () => {
    const empty = await importBundle(app(), {});
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { dryRun: false, counts: counts({}) });
  });
});

/** On top of the briefing: new records, a changed topic, and four errors (an unknown speaker, a repeated id, unknown topics). */
const bad = {
  sources: [{ id: 'new-source', kind: 'pressRelease', title: 'A new source' }],
  actors: [{ id: 'new-actor', name: 'New actor', kind: 'person' }],
  topics: [{ id: 'ttp', name: 'TTP (renamed)', parentId: 'counter-terrorism' }],
  events: [{ id: 'new-event', kind: 'meeting', title: 'A meeting', hostId: 'new-actor' }],
  statements: [
    { id: 'new-ok', text: 'Fine.', kind: 'quote', speakerId: 'new-actor', sourceIds: ['new-source'], eventId: 'new-event' },
    { id: 'new-bad', text: 'Bad speaker.', kind: 'quote', speakerId: 'ghost', sourceIds: ['new-source'] },
    { id: 'new-ok', text: 'Same id again.', kind: 'quote', speakerId: 'new-actor', sourceIds: ['new-source'] },
    {
      id: 'new-bad-2',
      text: 'Bad topic.',
      kind: 'quote',
      speakerId: 'new-actor',
      sourceIds: ['the-report'],
      topicIds: ['ttp', 'no-topic'],
    },
  ],
  positions: [
    {
      id: 'new-position',
      actorId: 'new-actor',
      topicId: 'no-such-topic',
      stance: 'supports',
      summary: 'Something.',
      validFrom: '2024-04-04',
      evidence: [{ statementId: 'new-ok', relation: 'asserts' }],
    },
  ],
};
const BAD_PATHS = ['/positions/0/topicId', '/statements/1/speakerId', '/statements/2/id', '/statements/3/topicIds/1'];
/** The bad bundle without its errors. */
const good = { ...bad, statements: [bad.statements[0]], positions: [{ ...bad.positions[0], topicId: 'talks-with-ttp' }] };
const goodCounts = counts({
  sources: { created: 1 },
  actors: { created: 1 },
  topics: { updated: 1 },
  events: { created: 1 },
  statements: { created: 1 },
  positions: { created: 1 },
});

describe('imports: a bad bundle is rejected whole, and a dry run stores nothing', () => {
  // Every import here is refused or a dry run: the briefing stays as imported.
  const app = sharedApp(async (api) => {
    assert.equal((await importBundle(api, briefing())).status, 200);
  });

  test('422 IMPORT_FAILED, listing every error with a JSON Pointer into the bundle', async () => {
    const res = await importBundle(app(), bad);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.code, 'IMPORT_FAILED');
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path).sort(), BAD_PATHS);
    for (const e of res.body.errors) {
      assert.equal(e.in, 'body');
      assert.ok(e.message.length > 0);
    }
    assert.match(res.body.detail, /4 error/);
  });

  test('nothing of the bundle exists, and what was there is as it was', async () => {
    const before = await everything(app());
    const beforeTotals = await totals(app());
    await importBundle(app(), bad);
    for (const url of [
      '/v1/sources/new-source',
      '/v1/actors/new-actor',
      '/v1/events/new-event',
      '/v1/statements/new-ok',
      '/v1/positions/new-position',
    ]) {
      assert.equal((await app().json({ method: 'GET', url })).status, 404, url);
    }
    assert.deepEqual(await totals(app()), beforeTotals);
    assert.deepEqual(await everything(app()), before);
  });

  test('a dry run of the bad bundle reports the same errors', async () => {
    const dryBad = await importBundle(app(), bad, '?dryRun=true');
    assert.equal(dryBad.status, 422);
    assert.deepEqual(dryBad.body.errors.map((e: { path: string }) => e.path).sort(), BAD_PATHS);
  });

  test('a dry run of a good bundle: 200 with the counts, and still nothing stored', async () => {
    const before = await everything(app());
    const dry = await importBundle(app(), good, '?dryRun=true');
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.deepEqual(dry.body, { dryRun: true, counts: goodCounts });
    assert.deepEqual(await everything(app()), before);
  });
});

test('imports: the good bundle for real does what its dry run said', async (t) => {
  const app = await makeApp(t);
  assert.equal((await importBundle(app, briefing())).status, 200);
  const dry = await importBundle(app, good, '?dryRun=true');
  const real = await importBundle(app, good);
  assert.deepEqual(real.body, { ...dry.body, dryRun: false });
  assert.deepEqual(real.body.counts, goodCounts);
  assert.equal((await app.json({ method: 'GET', url: '/v1/topics/ttp' })).body.name, 'TTP (renamed)');
});

/** An actor's timeline on one topic: an older position (sent open) and a newer one that closes it. */
function timeline(order: 'oldest first' | 'newest first'): Body {
  const position = (id: string, validFrom: string) => ({
    id,
    actorId: 'pakistan',
    topicId: 'talks-with-ttp',
    stance: 'opposes',
    summary: `Held from ${validFrom}.`,
    validFrom,
    evidence: [{ statementId: 'no-talks', relation: 'reiterates' }],
  });
  const positions = [position('older', '2024-01-01'), position('newer', '2024-04-04')];
  const { positions: _, ...rest } = briefing();
  return { ...rest, positions: order === 'oldest first' ? positions : positions.reverse() };
}

test('a bundle holding a timeline imports twice with no change (the second run is all unchanged)', async (t) => {
  const app = await makeApp(t);
  const bundle = timeline('oldest first');
  const first = await importBundle(app, bundle);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(first.body.counts.positions, { created: 2, updated: 0, unchanged: 0 });
  assert.equal((await app.json({ method: 'GET', url: '/v1/positions/older' })).body.validTo, '2024-04-04');
  const stored = await everything(app);

  // DESIGN §1/§3: running the same import twice changes nothing the second time.
  const second = await importBundle(app, bundle);
  assert.equal(second.status, 200, `re-import of an accepted bundle: ${JSON.stringify(second.body)}`);
  assert.deepEqual(second.body.counts.positions, { created: 0, updated: 0, unchanged: 2 });
  assert.deepEqual(await everything(app), stored);
});

test('positions of one timeline may come newest first within the bundle', async (t) => {
  const app = await makeApp(t);
  const res = await importBundle(app, timeline('newest first'));
  assert.equal(res.status, 200, `newest first: ${JSON.stringify(res.body)}`);
  assert.deepEqual(res.body.counts.positions, { created: 2, updated: 0, unchanged: 0 });
  const older = await app.json({ method: 'GET', url: '/v1/positions/older' });
  assert.equal(older.body.validTo, '2024-04-04');
  const newer = await app.json({ method: 'GET', url: '/v1/positions/newer' });
  assert.equal(newer.body.validTo, null);
});
