// GET /v1/vocabularies: every controlled list, with CAMEO codes and labels, served publicly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACT_CAMEO_CODES,
  ACTOR_KINDS,
  EVENT_KINDS,
  EVIDENCE_RELATIONS,
  SOURCE_KINDS,
  STANCES,
  STATEMENT_KINDS,
} from '../src/lib/vocabularies.js';
import { sharedApp } from './helpers.js';

describe('GET /v1/vocabularies', () => {
  // Vocabularies only read: one app serves every test.
  const app = sharedApp(async () => {});
  const vocabularies = async () => {
    const res = await app().json({ method: 'GET', url: '/v1/vocabularies', auth: false });
    assert.equal(res.status, 200);
    return res.body;
  };

  test('serves every list the code defines, publicly, in the code’s order', async () => {
    const v = await vocabularies();
    assert.deepEqual(v.actorKinds, [...ACTOR_KINDS]);
    assert.deepEqual(v.sourceKinds, [...SOURCE_KINDS]);
    assert.deepEqual(v.eventKinds, [...EVENT_KINDS]);
    assert.deepEqual(v.statementKinds, [...STATEMENT_KINDS]);
    assert.deepEqual(
      v.stances.map((s: { id: string }) => s.id),
      [...STANCES],
    );
    assert.deepEqual(
      v.evidenceRelations.map((r: { id: string }) => r.id),
      [...EVIDENCE_RELATIONS],
    );
    assert.deepEqual(Object.fromEntries(v.acts.map((a: { id: string; cameoCode: string }) => [a.id, a.cameoCode])), ACT_CAMEO_CODES);
    assert.deepEqual(Object.keys(v).sort(), [
      'actorKinds',
      'acts',
      'eventKinds',
      'evidenceRelations',
      'sourceKinds',
      'stances',
      'statementKinds',
    ]);
  });

  test('stances, relations and acts each carry a human label', async () => {
    const v = await vocabularies();
    for (const item of [...v.stances, ...v.evidenceRelations, ...v.acts]) {
      assert.equal(typeof item.label, 'string', JSON.stringify(item));
      assert.ok(item.label.length > 0, JSON.stringify(item));
    }
  });

  test('acts map to the CAMEO codes the design names (spot checks)', async () => {
    const v = await vocabularies();
    const codes = Object.fromEntries(v.acts.map((a: { id: string; cameoCode: string }) => [a.id, a.cameoCode]));
    // "Pakistan is not holding talks with the TTP" is rejectNegotiation; "we expect the Afghan authorities to act" is demand.
    assert.equal(codes.rejectNegotiation, '125');
    assert.equal(codes.demand, '10');
    // Codes keep their leading zeros and their length: the codebook's 010 is not its 10.
    assert.equal(codes.statement, '010');
    assert.equal(codes.appeal, '02');
    assert.equal(codes.intendMeet, '036');
    assert.equal(codes.threaten, '13');
    assert.deepEqual(
      v.acts.find((a: { id: string }) => a.id === 'rejectNegotiation'),
      { id: 'rejectNegotiation', cameoCode: '125', label: 'Reject a proposal to meet, discuss or negotiate' },
    );
  });

  test('the acts and stances are the ones statements and positions accept', async () => {
    const v = await vocabularies();
    const spec = await app().json({ method: 'GET', url: '/openapi.json' });
    assert.deepEqual(
      v.acts.map((a: { id: string }) => a.id),
      spec.body.components.schemas.Statement.properties.acts.items.enum,
    );
    assert.deepEqual(
      spec.body.components.schemas.Position.properties.stance.enum,
      v.stances.map((s: { id: string }) => s.id),
    );
  });

  test('refuses unknown query parameters with a 400 naming them', async () => {
    const res = await app().json({ method: 'GET', url: '/v1/vocabularies?lang=en' });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'VALIDATION_FAILED');
    assert.deepEqual(res.body.errors, [{ in: 'query', path: '/lang', message: 'is not a known query parameter for this route' }]);
  });
});
