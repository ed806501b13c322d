// A position whose start is not known (validFrom null): derived from undated evidence, its place on a timeline, and asOf.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProblem, create, get } from './assertions.js';
import { datedStatements } from './dated-statements.js';
import { everyPage, makeApp, seedMinimal, type TestApp } from './helpers.js';

type Body = Record<string, any>;

/** seedMinimal plus statements on two dates and two undated ones. */
async function world(t: TestApp): Promise<void> {
  await seedMinimal(t);
  await datedStatements(t, [
    ['s-undated', null],
    ['s-undated-2', null],
    ['s-mar', '2024-03-01'],
    ['s-apr', '2024-04-04'],
  ]);
}

const position = (id: string, fields: Body): Body => ({
  id,
  actorId: 'pakistan',
  topicId: 'talks-with-ttp',
  stance: 'opposes',
  summary: 'Pakistan will not hold talks with the TTP.',
  evidence: [{ statementId: 's-undated', relation: 'asserts' }],
  ...fields,
});

test('validFrom null: a position whose start is not known is stored and served with null', async (t) => {
  const app = await makeApp(t);
  await world(app);
  const created = await create(app, '/v1/positions', position('undated', { validFrom: null }));
  assert.equal(created.validFrom, null);
  assert.equal(created.firstStatedOn, null);
  assert.equal((await get(app, '/v1/positions/undated')).validFrom, null);
});

test('validFrom left out: derived from the first dated evidence, or null when every evidence item is undated', async (t) => {
  const app = await makeApp(t);
  await world(app);
  const dated = await create(
    app,
    '/v1/positions',
    position('dated', {
      evidence: [
        { statementId: 's-apr', relation: 'reiterates' },
        { statementId: 's-undated', relation: 'qualifies' },
        { statementId: 's-mar', relation: 'asserts' },
      ],
    }),
  );
  assert.equal(dated.validFrom, '2024-03-01');
  const undated = await create(app, '/v1/positions', position('undated', { topicId: 'migration' }));
  assert.equal(undated.validFrom, null);
  // Given explicitly, it is kept as given.
  const given = await create(app, '/v1/positions', position('given', { topicId: 'ttp', validFrom: '2024-01-01' }));
  assert.equal(given.validFrom, '2024-01-01');
});

test('validFrom left out in an import: derived the same way, and a second run of the bundle is unchanged', async (t) => {
  const app = await makeApp(t);
  await world(app);
  const bundle = {
    positions: [
      position('dated', { evidence: [{ statementId: 's-apr', relation: 'asserts' }] }),
      position('undated', { topicId: 'migration' }),
    ],
  };
  const first = await app.json({ method: 'POST', url: '/v1/imports', payload: bundle });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal((await get(app, '/v1/positions/dated')).validFrom, '2024-04-04');
  assert.equal((await get(app, '/v1/positions/undated')).validFrom, null);
  const second = await app.json({ method: 'POST', url: '/v1/imports', payload: bundle });
  assert.deepEqual(second.body.counts.positions, { created: 0, updated: 0, unchanged: 2 });
});

test('asOf leaves out a position whose start is not known, in the list and in the stance matrix; the timeline keeps it', async (t) => {
  const app = await makeApp(t);
  await world(app);
  await create(app, '/v1/positions', position('undated', { validFrom: null }));
  await create(
    app,
    '/v1/positions',
    position('on-migration', { topicId: 'migration', validFrom: '2024-03-01', evidence: [{ statementId: 's-mar', relation: 'asserts' }] }),
  );
  for (const asOf of ['2000-01-01', '2024-04-04', '2099-12-31']) {
    const held = await get(app, `/v1/positions?asOf=${asOf}`);
    assert.ok(!held.data.some((p: Body) => p.id === 'undated'), asOf);
    const matrix = await get(app, `/v1/stats/stances?asOf=${asOf}`);
    assert.ok(!matrix.cells.some((c: Body) => c.positionId === 'undated'), asOf);
  }
  assert.deepEqual(
    (await get(app, '/v1/positions?asOf=2024-04-04')).data.map((p: Body) => p.id),
    ['on-migration'],
  );
  assert.deepEqual(
    (await get(app, '/v1/positions')).data.map((p: Body) => p.id),
    ['undated', 'on-migration'],
  );
});

test('sorting by validFrom puts unknown starts first ascending and last descending, and pages never skip or repeat them', async (t) => {
  const app = await makeApp(t);
  await world(app);
  const topics = ['talks-with-ttp', 'ttp', 'counter-terrorism', 'migration'];
  await create(app, '/v1/positions', position('u-1', { topicId: topics[0], validFrom: null }));
  await create(app, '/v1/positions', position('u-2', { topicId: topics[1], validFrom: null }));
  await create(app, '/v1/positions', position('d-1', { topicId: topics[2], validFrom: '2024-03-01' }));
  await create(app, '/v1/positions', position('d-2', { topicId: topics[3], validFrom: '2024-04-04' }));
  assert.deepEqual((await everyPage(app, '/v1/positions?limit=1&sort=validFrom')).ids, ['u-1', 'u-2', 'd-1', 'd-2']);
  assert.deepEqual((await everyPage(app, '/v1/positions?limit=1&sort=-validFrom')).ids, ['d-2', 'd-1', 'u-2', 'u-1']);
});

test('timeline: a dated position after an open one whose start is not known closes it', async (t) => {
  const app = await makeApp(t);
  await world(app);
  await create(app, '/v1/positions', position('undated', { validFrom: null }));
  await create(
    app,
    '/v1/positions',
    position('dated', { validFrom: '2024-04-04', stance: 'mixed', evidence: [{ statementId: 's-apr', relation: 'softens' }] }),
  );
  const closed = await get(app, '/v1/positions/undated');
  assert.equal(closed.validFrom, null);
  assert.equal(closed.validTo, '2024-04-04');
  assert.equal(closed.version, 2);
});

test('timeline: two periods whose start is not known overlap (409), and so does one with an open dated period', async (t) => {
  const app = await makeApp(t);
  await world(app);
  await create(app, '/v1/positions', position('undated', { validFrom: null }));
  const second = await app.json({
    method: 'POST',
    url: '/v1/positions',
    payload: position('undated-2', { validFrom: null, evidence: [{ statementId: 's-undated-2', relation: 'asserts' }] }),
  });
  assert.match(assertProblem(second, 409, 'POSITION_OVERLAP').detail, /'undated' \(an unknown date to now\)/);

  await create(app, '/v1/positions', position('open', { topicId: 'migration', validFrom: '2024-03-01' }));
  const before = await app.json({
    method: 'POST',
    url: '/v1/positions',
    payload: position('before-open', { topicId: 'migration', validFrom: null }),
  });
  assert.equal((assertProblem(before, 409, 'POSITION_OVERLAP') as Body).conflictingPositionId, 'open');
  // Ending before the dated one starts, it fits.
  await create(app, '/v1/positions', position('ended', { topicId: 'migration', validFrom: null, validTo: '2024-03-01' }));
  assert.equal((await get(app, '/v1/positions?topic=migration&count=true')).total, 2);
});

test('timeline in an import: a period whose start is not known, listed after a later dated one, ends where that one starts', async (t) => {
  const app = await makeApp(t);
  await world(app);
  const res = await app.json({
    method: 'POST',
    url: '/v1/imports',
    payload: {
      positions: [
        position('dated', { validFrom: '2024-04-04', evidence: [{ statementId: 's-apr', relation: 'asserts' }] }),
        position('undated', { validFrom: null }),
      ],
    },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal((await get(app, '/v1/positions/undated')).validTo, '2024-04-04');
  assert.equal((await get(app, '/v1/positions/dated')).validTo, null);
});
