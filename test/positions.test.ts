// Positions over HTTP: evidence in date order with derived fields, validation, the timeline rule, and the filters.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { create, get } from './assertions.js';
import { datedStatements } from './dated-statements.js';
import { makeApp, seedMinimal, sharedApp, type TestApp } from './helpers.js';

type Body = Record<string, unknown>;

/** The ids of a position list, in the order served. */
async function ids(t: TestApp, query: string): Promise<string[]> {
  const body = await get(t, `/v1/positions?limit=100&${query}`);
  return (body.data as { id: string }[]).map((p) => p.id);
}

/** seedMinimal plus a second actor and statements on four dates (one undated). */
async function world(t: TestApp): Promise<void> {
  await seedMinimal(t);
  await create(t, '/v1/actors', { id: 'afghanistan', name: 'Afghanistan', kind: 'state', countryCode: 'AFG' });
  await datedStatements(t, [
    ['s-jan', '2024-01-15'],
    ['s-feb', '2024-02-10'],
    ['s-mar', '2024-03-01'],
    ['s-apr', '2024-04-04'],
    ['s-undated', null],
  ]);
}

const position = (fields: Body): Body => ({
  actorId: 'pakistan',
  topicId: 'talks-with-ttp',
  stance: 'opposes',
  summary: 'Pakistan will not hold talks with the TTP.',
  validFrom: '2024-01-01',
  evidence: [{ statementId: 's-jan', relation: 'asserts' }],
  ...fields,
});

async function positionCount(t: TestApp): Promise<number> {
  return (await get(t, '/v1/positions?count=true&limit=1')).total as number;
}

describe('positions: bodies refused', () => {
  // Every write here is refused, so no position is ever stored in this world.
  const app = sharedApp(world);
  const cases: [string, Body, number, string, string[]][] = [
    ['no evidence', position({ evidence: [] }), 400, 'VALIDATION_FAILED', ['/evidence']],
    [
      'evidence with an unknown relation',
      position({ evidence: [{ statementId: 's-jan', relation: 'likes' }] }),
      400,
      'VALIDATION_FAILED',
      ['/evidence/0/relation'],
    ],
    ['unknown stance', position({ stance: 'loves' }), 400, 'VALIDATION_FAILED', ['/stance']],
    [
      'unknown statement in evidence',
      position({ evidence: [{ statementId: 'no-such-statement', relation: 'asserts' }] }),
      422,
      'UNKNOWN_REFERENCE',
      ['/evidence/0/statementId'],
    ],
    [
      'unknown actor, topic and second statement',
      position({
        actorId: 'nobody',
        topicId: 'no-topic',
        evidence: [
          { statementId: 's-jan', relation: 'asserts' },
          { statementId: 'ghost', relation: 'reiterates' },
        ],
      }),
      422,
      'UNKNOWN_REFERENCE',
      ['/actorId', '/evidence/1/statementId', '/topicId'],
    ],
    [
      'the same statement twice',
      position({
        evidence: [
          { statementId: 's-jan', relation: 'asserts' },
          { statementId: 's-feb', relation: 'reiterates' },
          { statementId: 's-jan', relation: 'hardens' },
        ],
      }),
      422,
      'INVALID_RECORD',
      ['/evidence/2/statementId'],
    ],
    ['validTo equal to validFrom', position({ validFrom: '2024-03-01', validTo: '2024-03-01' }), 422, 'INVALID_RECORD', ['/validTo']],
    ['validTo before validFrom', position({ validFrom: '2024-03-01', validTo: '2024-02-01' }), 422, 'INVALID_RECORD', ['/validTo']],
  ];
  for (const [name, payload, status, code, paths] of cases) {
    test(`${name}: ${status} ${code} naming ${paths.join(', ')}; nothing stored`, async () => {
      const res = await app().json({ method: 'POST', url: '/v1/positions', payload });
      assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, code, name);
      assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path).sort(), paths, `${name}: ${JSON.stringify(res.body.errors)}`);
      assert.equal(await positionCount(app()), 0);
    });
  }
});

describe('positions: evidence and the derived fields', () => {
  const evidence = [
    { statementId: 's-mar', relation: 'hardens' },
    { statementId: 's-undated', relation: 'qualifies' },
    { statementId: 's-jan', relation: 'asserts' },
    { statementId: 's-feb', relation: 'reiterates' },
  ];
  /** A new app with world() and position `p`, its evidence out of date order. */
  async function withPosition(t: TestContext) {
    const app = await makeApp(t);
    await world(app);
    const res = await app.json({ method: 'POST', url: '/v1/positions', payload: position({ id: 'p', validFrom: '2024-01-01', evidence }) });
    assert.equal(res.status, 201);
    return { app, res };
  }
  const newEvidence = {
    evidence: [
      { statementId: 's-apr', relation: 'reiterates' },
      { statementId: 's-feb', relation: 'asserts' },
    ],
  };

  test('POST answers the position with its evidence in date order (undated last) and the derived fields; GET agrees', async (t) => {
    const { app, res } = await withPosition(t);
    assert.equal(res.headers.location, '/v1/positions/p');
    // The version, and a digest of the evidence's dates (derived from its statements: test/etag-derived.test.ts).
    assert.match(String(res.headers.etag), /^"1\.[\w-]{8}"$/);
    const { createdAt, updatedAt, ...rest } = res.body;
    assert.deepEqual(rest, {
      id: 'p',
      actorId: 'pakistan',
      topicId: 'talks-with-ttp',
      stance: 'opposes',
      summary: 'Pakistan will not hold talks with the TTP.',
      validFrom: '2024-01-01',
      validTo: null,
      evidence: [
        { statementId: 's-jan', relation: 'asserts', statedOn: '2024-01-15' },
        { statementId: 's-feb', relation: 'reiterates', statedOn: '2024-02-10' },
        { statementId: 's-mar', relation: 'hardens', statedOn: '2024-03-01' },
        { statementId: 's-undated', relation: 'qualifies', statedOn: null },
      ],
      firstStatedOn: '2024-01-15',
      lastReaffirmedOn: '2024-03-01',
      statementCount: 4,
      version: 1,
    });
    assert.equal(createdAt, updatedAt);
    assert.deepEqual(await get(app, '/v1/positions/p'), res.body);
  });

  test('the same evidence in another order is no change', async (t) => {
    const { app } = await withPosition(t);
    const same = await app.json({ method: 'PATCH', url: '/v1/positions/p', payload: { evidence: [...evidence].reverse() } });
    assert.equal(same.body.version, 1);
  });

  test('new evidence moves firstStatedOn, lastReaffirmedOn and statementCount', async (t) => {
    const { app } = await withPosition(t);
    const patched = await app.json({ method: 'PATCH', url: '/v1/positions/p', payload: newEvidence });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.evidence, [
      { statementId: 's-feb', relation: 'asserts', statedOn: '2024-02-10' },
      { statementId: 's-apr', relation: 'reiterates', statedOn: '2024-04-04' },
    ]);
    assert.equal(patched.body.firstStatedOn, '2024-02-10');
    assert.equal(patched.body.lastReaffirmedOn, '2024-04-04');
    assert.equal(patched.body.statementCount, 2);
    assert.equal(patched.body.version, 2);
  });

  test('a statement that no longer evidences the position can be deleted', async (t) => {
    const { app } = await withPosition(t);
    await app.json({ method: 'PATCH', url: '/v1/positions/p', payload: newEvidence });
    assert.equal((await app.request({ method: 'DELETE', url: '/v1/statements/s-jan' })).statusCode, 204);
  });

  test('derived fields are read-only: a PATCH sending one is a 400 naming it', async (t) => {
    const { app } = await withPosition(t);
    const derived = await app.json({ method: 'PATCH', url: '/v1/positions/p', payload: { statementCount: 9 } });
    assert.equal(derived.status, 400);
    assert.deepEqual(
      derived.body.errors.map((e: { path: string }) => e.path),
      ['/statementCount'],
    );
  });
});

/** world() with Pakistan's timeline on talks with the TTP: `first` from 2024-01-01, closed by `second` from 2024-04-04. */
async function timeline(app: TestApp): Promise<void> {
  await world(app);
  await create(app, '/v1/positions', position({ id: 'first', validFrom: '2024-01-01' }));
  await create(
    app,
    '/v1/positions',
    position({ id: 'second', validFrom: '2024-04-04', stance: 'opposes', evidence: [{ statementId: 's-apr', relation: 'reiterates' }] }),
  );
}

test('positions: a later position closes the open one (validTo, a new version), and is open itself', async (t) => {
  const app = await makeApp(t);
  await world(app);
  const first = await create(app, '/v1/positions', position({ id: 'first', validFrom: '2024-01-01' }));
  const second = await create(
    app,
    '/v1/positions',
    position({ id: 'second', validFrom: '2024-04-04', stance: 'opposes', evidence: [{ statementId: 's-apr', relation: 'reiterates' }] }),
  );
  assert.equal(second.validTo, null);
  const closed = await app.json({ method: 'GET', url: '/v1/positions/first' });
  assert.equal(closed.body.validTo, '2024-04-04');
  assert.equal(closed.body.version, 2);
  assert.match(String(closed.headers.etag), /^"2\.[\w-]{8}"$/);
  assert.equal(closed.body.createdAt, first.createdAt);
  assert.ok(closed.body.updatedAt >= (first.updatedAt as string));
  assert.equal(closed.body.validFrom, '2024-01-01');
});

describe('positions: overlapping periods are a 409 POSITION_OVERLAP that stores and closes nothing', () => {
  const app = sharedApp(timeline);
  const overlaps: [string, Body, string][] = [
    ['inside the closed period', position({ id: 'inside', validFrom: '2024-02-01', validTo: '2024-03-01' }), 'first'],
    ['straddling the closed period’s start', position({ id: 'straddle', validFrom: '2023-12-01', validTo: '2024-01-02' }), 'first'],
    ['open, starting inside the closed period', position({ id: 'open-inside', validFrom: '2024-03-01' }), 'first'],
    ['the same day as the open one', position({ id: 'same-day', validFrom: '2024-04-04' }), 'second'],
  ];
  for (const [name, payload, conflict] of overlaps) {
    test(`a period ${name}: names ${conflict}`, async () => {
      const before = await get(app(), '/v1/positions?limit=100');
      const res = await app().json({ method: 'POST', url: '/v1/positions', payload });
      assert.equal(res.status, 409, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'POSITION_OVERLAP', name);
      assert.equal(res.body.conflictingPositionId, conflict, name);
      assert.equal((await app().json({ method: 'GET', url: `/v1/positions/${payload.id}` })).status, 404, name);
      assert.deepEqual(await get(app(), '/v1/positions?limit=100'), before);
    });
  }
});

describe('positions: periods that fit the timeline', () => {
  // The timeline, plus a period that ends before it starts and positions of another actor and another topic.
  // Every PATCH here is refused, so the world stays as set up.
  const app = sharedApp(async (api) => {
    await timeline(api);
    await create(api, '/v1/positions', position({ id: 'early', validFrom: '2023-01-01', validTo: '2024-01-01' }));
    await create(api, '/v1/positions', position({ id: 'afghan', actorId: 'afghanistan', stance: 'supports', validFrom: '2024-02-01' }));
    await create(api, '/v1/positions', position({ id: 'other-topic', topicId: 'ttp', validFrom: '2024-02-01' }));
  });

  test('a period that ends before the open one starts fits, and closes nothing', async () => {
    assert.equal((await get(app(), '/v1/positions/early')).validTo, '2024-01-01');
    assert.equal((await get(app(), '/v1/positions/first')).version, 2);
  });

  test('another actor, or another topic, never conflicts and closes nothing', async () => {
    assert.equal((await get(app(), '/v1/positions/second')).validTo, null);
    assert.equal((await get(app(), '/v1/positions/second')).version, 1);
  });

  test('patching a period into an overlap is a 409 too, and changes nothing', async () => {
    const snapshot = await get(app(), '/v1/positions?limit=100');
    const patches: [string, Body, string][] = [
      ['second', { validFrom: '2024-03-01' }, 'first'],
      ['first', { validTo: '2024-05-01' }, 'second'],
      ['early', { validTo: '2024-02-01' }, 'first'],
    ];
    for (const [id, payload, conflict] of patches) {
      const res = await app().json({ method: 'PATCH', url: `/v1/positions/${id}`, payload });
      assert.equal(res.status, 409, `${id} ${JSON.stringify(payload)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'POSITION_OVERLAP');
      assert.equal(res.body.conflictingPositionId, conflict);
    }
    assert.deepEqual(await get(app(), '/v1/positions?limit=100'), snapshot);
  });
});

test('positions: a patch that keeps the timeline whole is fine', async (t) => {
  const app = await makeApp(t);
  await timeline(app);
  const ok = await app.json({ method: 'PATCH', url: '/v1/positions/second', payload: { validFrom: '2024-05-01' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.version, 2);
});

describe('positions: an open period before the open one', () => {
  /** A new app with world() and `now`, open from 2024-04-04. */
  async function withOpen(t: TestContext) {
    const app = await makeApp(t);
    await world(app);
    await create(app, '/v1/positions', position({ id: 'now', validFrom: '2024-04-04' }));
    return app;
  }

  test('an open position starting BEFORE the open one is a 409 naming it, and closes nothing', async (t) => {
    const app = await withOpen(t);
    const before = await app.json({ method: 'POST', url: '/v1/positions', payload: position({ id: 'before', validFrom: '2024-01-01' }) });
    assert.equal(
      before.status,
      409,
      `an open period from 2024-01-01 overlaps the open one from 2024-04-04: ${JSON.stringify(before.body)}`,
    );
    assert.equal(before.body.code, 'POSITION_OVERLAP');
    assert.equal(before.body.conflictingPositionId, 'now');
    assert.equal((await app.json({ method: 'GET', url: '/v1/positions/before' })).status, 404);
    const now = await get(app, '/v1/positions/now');
    assert.equal(now.validTo, null);
    assert.equal(now.version, 1);
  });

  test('a closed period before it records history; re-opening that period (clearing its end) is an overlap', async (t) => {
    const app = await withOpen(t);
    await create(app, '/v1/positions', position({ id: 'history', validFrom: '2024-01-01', validTo: '2024-04-04' }));
    const reopened = await app.json({ method: 'PATCH', url: '/v1/positions/history', payload: { validTo: null } });
    assert.equal(reopened.status, 409, `re-opening a closed period: ${JSON.stringify(reopened.body)}`);
    assert.equal(reopened.body.code, 'POSITION_OVERLAP');
    assert.equal(reopened.body.conflictingPositionId, 'now');
    const history = await get(app, '/v1/positions/history');
    assert.equal(history.validTo, '2024-04-04');
    assert.equal(history.version, 1);
  });
});

describe('positions: GET /v1/positions filters', () => {
  // Lists only read: five positions, `closed` closed by `current`, serve every test of the block.
  const app = sharedApp(async (api) => {
    await world(api);
    await create(api, '/v1/positions', position({ id: 'closed', validFrom: '2024-01-01' }));
    await create(api, '/v1/positions', position({ id: 'current', validFrom: '2024-04-04', stance: 'mixed' }));
    await create(api, '/v1/positions', position({ id: 'afghan', actorId: 'afghanistan', stance: 'supports', validFrom: '2024-03-01' }));
    await create(api, '/v1/positions', position({ id: 'on-ttp', topicId: 'ttp', validFrom: '2023-06-01', validTo: '2024-02-01' }));
    await create(api, '/v1/positions', position({ id: 'on-migration', topicId: 'migration', stance: 'supports', validFrom: '2024-04-04' }));
  });

  const filters: [string, [string, string[]][]][] = [
    [
      'by default every period, validFrom ascending then id; sort=-validFrom reverses it',
      [
        ['', ['on-ttp', 'closed', 'afghan', 'current', 'on-migration']],
        ['sort=-validFrom', ['on-migration', 'current', 'afghan', 'closed', 'on-ttp']],
      ],
    ],
    [
      'actor, one or any of several',
      [
        ['actor=pakistan', ['on-ttp', 'closed', 'current', 'on-migration']],
        ['actor=afghanistan', ['afghan']],
        ['actor=afghanistan,pakistan&topic=talks-with-ttp', ['closed', 'afghan', 'current']],
      ],
    ],
    [
      'topic includes the topic’s descendants',
      [
        ['topic=counter-terrorism', ['on-ttp', 'closed', 'afghan', 'current']],
        ['topic=ttp', ['on-ttp', 'closed', 'afghan', 'current']],
        ['topic=talks-with-ttp', ['closed', 'afghan', 'current']],
        ['topic=migration,ttp', ['on-ttp', 'closed', 'afghan', 'current', 'on-migration']],
      ],
    ],
    [
      'stance',
      [
        ['stance=supports', ['afghan', 'on-migration']],
        ['stance=opposes,mixed', ['on-ttp', 'closed', 'current']],
      ],
    ],
    [
      'asOf: the one position of a timeline held that day; validTo is exclusive; none before the first',
      [
        ['actor=pakistan&topic=talks-with-ttp&asOf=2024-02-01', ['closed']],
        ['actor=pakistan&topic=talks-with-ttp&asOf=2024-04-03', ['closed']],
        ['actor=pakistan&topic=talks-with-ttp&asOf=2024-04-04', ['current']],
        ['actor=pakistan&topic=talks-with-ttp&asOf=2024-05-01', ['current']],
        ['actor=pakistan&topic=talks-with-ttp&asOf=2023-12-31', []],
      ],
    ],
    [
      'asOf across timelines, and with other filters',
      [
        ['asOf=2024-01-15', ['on-ttp', 'closed']],
        ['asOf=2024-02-01', ['closed']],
        ['asOf=2024-05-01', ['afghan', 'current', 'on-migration']],
        ['asOf=2024-05-01&stance=supports&topic=counter-terrorism', ['afghan']],
      ],
    ],
  ];

  test('a later position closed the earlier one of the timeline', async () => {
    assert.equal((await get(app(), '/v1/positions/closed')).validTo, '2024-04-04');
  });

  for (const [name, expectations] of filters) {
    test(name, async () => {
      for (const [query, expected] of expectations) {
        assert.deepEqual(await ids(app(), query), expected, `?${query}`);
      }
    });
  }

  for (const [query, path] of [
    ['asOf=now', '/asOf'],
    ['stance=loves', '/stance'],
    ['holder=pakistan', '/holder'],
  ]) {
    test(`?${query} is a 400 naming ${path}`, async () => {
      const res = await app().json({ method: 'GET', url: `/v1/positions?${query}` });
      assert.equal(res.status, 400, query);
      assert.deepEqual(
        res.body.errors.map((e: { path: string }) => e.path),
        [path],
        query,
      );
    });
  }
});

test('GET /v1/positions?evidence= lists the positions a statement evidences (any of several), with the other filters', async (t) => {
  const app = await makeApp(t);
  await world(app);
  await create(app, '/v1/positions', position({ id: 'closed', validFrom: '2024-01-01' }));
  await create(
    app,
    '/v1/positions',
    position({
      id: 'current',
      validFrom: '2024-04-04',
      evidence: [
        { statementId: 's-apr', relation: 'asserts' },
        { statementId: 's-jan', relation: 'reiterates' },
      ],
    }),
  );
  await create(
    app,
    '/v1/positions',
    position({
      id: 'on-migration',
      topicId: 'migration',
      validFrom: '2024-04-04',
      evidence: [{ statementId: 's-apr', relation: 'asserts' }],
    }),
  );
  const expectations: [string, string[]][] = [
    ['evidence=s-jan', ['closed', 'current']],
    ['evidence=s-apr', ['current', 'on-migration']],
    ['evidence=s-mar,s-apr', ['current', 'on-migration']],
    ['evidence=s-apr&topic=migration', ['on-migration']],
    ['evidence=s-feb', []],
    ['evidence=no-such-statement', []],
  ];
  for (const [query, expected] of expectations) {
    assert.deepEqual(await ids(app, query), expected, `?${query}`);
  }
  const bad = await app.json({ method: 'GET', url: '/v1/positions?evidence=Not%20A%20Slug' });
  assert.equal(bad.status, 400);
  assert.deepEqual(
    bad.body.errors.map((e: { path: string }) => e.path),
    ['/evidence'],
  );
});
