// GET /v1/vocabularies: every controlled list, with CAMEO codes and labels, served publicly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeApp } from './helpers.js';

test('GET /v1/vocabularies serves every controlled list, and acts with their CAMEO codes', async (t) => {
  const app = await makeApp(t);
  const res = await app.json({ method: 'GET', url: '/v1/vocabularies', auth: false });
  assert.equal(res.status, 200);
  const v = res.body;
  assert.deepEqual(Object.keys(v).sort(), [
    'actorKinds',
    'acts',
    'eventKinds',
    'evidenceRelations',
    'sourceKinds',
    'stances',
    'statementKinds',
  ]);
  assert.deepEqual(v.actorKinds, ['state', 'governmentBody', 'igo', 'organization', 'armedGroup', 'media', 'person', 'other']);
  assert.deepEqual(v.sourceKinds, ['officialTranscript', 'pressRelease', 'newsReport', 'socialPost', 'letter', 'other']);
  assert.deepEqual(v.eventKinds, ['pressBriefing', 'pressConference', 'meeting', 'speech', 'interview', 'letter', 'visit', 'other']);
  assert.deepEqual(v.statementKinds, ['quote', 'paraphrase']);
  assert.deepEqual(
    v.stances.map((s: { id: string }) => s.id),
    ['supports', 'opposes', 'neutral', 'mixed', 'unclear'],
  );
  assert.deepEqual(
    v.evidenceRelations.map((r: { id: string }) => r.id),
    ['asserts', 'reiterates', 'hardens', 'softens', 'qualifies', 'contradicts'],
  );
  for (const item of [...v.stances, ...v.evidenceRelations, ...v.acts]) {
    assert.equal(typeof item.label, 'string', JSON.stringify(item));
    assert.ok(item.label.length > 0, JSON.stringify(item));
  }

  const codes = Object.fromEntries(v.acts.map((a: { id: string; cameoCode: string }) => [a.id, a.cameoCode]));
  assert.deepEqual(codes, {
    statement: '010',
    declineComment: '011',
    pessimistic: '012',
    optimistic: '013',
    considerPolicy: '014',
    denyResponsibility: '016',
    condolence: '018',
    appeal: '02',
    intendCooperate: '03',
    intendMeet: '036',
    praise: '051',
    defend: '052',
    demand: '10',
    criticize: '111',
    accuse: '112',
    reject: '12',
    rejectNegotiation: '125',
    threaten: '13',
  });
  assert.equal(codes.rejectNegotiation, '125');
  assert.equal(codes.demand, '10');
  assert.deepEqual(
    v.acts.find((a: { id: string }) => a.id === 'rejectNegotiation'),
    { id: 'rejectNegotiation', cameoCode: '125', label: 'Reject a proposal to meet, discuss or negotiate' },
  );
});

test('the act vocabulary is the one statements accept', async (t) => {
  const app = await makeApp(t);
  const { body } = await app.json({ method: 'GET', url: '/v1/vocabularies' });
  const spec = await app.json({ method: 'GET', url: '/openapi.json' });
  const statementActs = spec.body.components.schemas.Statement.properties.acts.items.enum;
  assert.deepEqual(
    body.acts.map((a: { id: string }) => a.id),
    statementActs,
  );
  assert.deepEqual(
    spec.body.components.schemas.Position.properties.stance.enum,
    body.stances.map((s: { id: string }) => s.id),
  );
});

test('GET /v1/vocabularies refuses unknown query parameters with a 400 naming them', async (t) => {
  const app = await makeApp(t);
  const res = await app.json({ method: 'GET', url: '/v1/vocabularies?lang=en' });
  assert.equal(res.status, 400);
  assert.equal(res.body.code, 'VALIDATION_FAILED');
  assert.deepEqual(res.body.errors, [{ in: 'query', path: '/lang', message: 'is not a known query parameter for this route' }]);
});
