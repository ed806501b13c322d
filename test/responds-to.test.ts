// A statement answers several statements (respondsToIds): storage, filter, expansion, rules, imports, exports, history, and the upgrade of a database that had one respondsToId.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../src/app.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { assertProblem, create, fieldError, get } from './assertions.js';
import { makeApp, seedMinimal, type TestApp } from './helpers.js';
import { sqliteAtMigration } from './sqlite-at-migration.js';

type Body = Record<string, any>;

const statement = (id: string, fields: Body = {}): Body => ({
  id,
  text: `Statement ${id}.`,
  kind: 'paraphrase',
  speakerId: 'spokesperson',
  sourceIds: ['report'],
  ...fields,
});

/** Two letters, and an answer to both. */
async function letters(t: TestApp): Promise<void> {
  await seedMinimal(t);
  await create(t, '/v1/statements', statement('letter-a', { speakerId: 'pakistan' }));
  await create(t, '/v1/statements', statement('letter-b', { speakerId: 'ttp' }));
  await create(t, '/v1/statements', statement('answer', { respondsToIds: ['letter-b', 'letter-a'], statedOn: '2024-04-04' }));
}

async function ids(t: TestApp, query: string): Promise<string[]> {
  const body = await get(t, `/v1/statements?limit=100&sort=id&${query}`);
  return body.data.map((s: { id: string }) => s.id);
}

const count = async (t: TestApp) => (await get(t, '/v1/statements?count=true&limit=1')).total as number;

test('respondsToIds: a statement answers several statements, kept in the order sent; PATCH replaces the list', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  assert.deepEqual((await get(app, '/v1/statements/answer')).respondsToIds, ['letter-b', 'letter-a']);
  assert.deepEqual((await get(app, '/v1/statements/letter-a')).respondsToIds, []);
  const patched = await app.json({ method: 'PATCH', url: '/v1/statements/answer', payload: { respondsToIds: ['letter-a'] } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(patched.body.respondsToIds, ['letter-a']);
  assert.equal(patched.body.version, 2);
  assert.deepEqual((await get(app, '/v1/statements/answer')).respondsToIds, ['letter-a']);
});

test('respondsToIds: the same statement twice is a 400 naming the field', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  const res = await app.json({
    method: 'POST',
    url: '/v1/statements',
    payload: statement('twice', { respondsToIds: ['letter-a', 'letter-a'] }),
  });
  const problem = assertProblem(res, 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/respondsToIds').in, 'body');
  assert.equal(await count(app), 3);
});

test('respondsTo= matches the answers to any of the listed statements, each answer once', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  await create(app, '/v1/statements', statement('rejoinder', { respondsToIds: ['letter-a'] }));
  assert.deepEqual(await ids(app, 'respondsTo=letter-b'), ['answer']);
  assert.deepEqual(await ids(app, 'respondsTo=letter-a'), ['answer', 'rejoinder']);
  assert.deepEqual(await ids(app, 'respondsTo=letter-a,letter-b'), ['answer', 'rejoinder']);
  assert.equal((await get(app, '/v1/statements?respondsTo=letter-a,letter-b&count=true')).total, 2);
  assert.deepEqual(await ids(app, 'respondsTo=nothing'), []);
  // Combined with another filter (AND).
  assert.deepEqual(await ids(app, 'respondsTo=letter-a&from=2024-04-01'), ['answer']);
});

test('expand=respondsTo embeds the answered statements in the order of respondsToIds, on a get and on a list', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  const one = await get(app, '/v1/statements/answer?expand=respondsTo');
  assert.deepEqual(
    one.respondsTo.map((s: Body) => [s.id, s.speakerId, s.text]),
    [
      ['letter-b', 'ttp', 'Statement letter-b.'],
      ['letter-a', 'pakistan', 'Statement letter-a.'],
    ],
  );
  const list = await get(app, '/v1/statements?expand=respondsTo,speaker&sort=id');
  const byId = new Map(list.data.map((s: Body) => [s.id, s]));
  assert.deepEqual(
    (byId.get('answer') as Body).respondsTo.map((s: Body) => s.id),
    ['letter-b', 'letter-a'],
  );
  assert.deepEqual((byId.get('letter-a') as Body).respondsTo, []);
});

test('a statement cannot answer itself: 422 naming /respondsToIds/<i> on create and on patch, nothing stored', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  const created = await app.json({
    method: 'POST',
    url: '/v1/statements',
    payload: statement('selfish', { respondsToIds: ['letter-a', 'selfish'] }),
  });
  const problem = assertProblem(created, 422, 'INVALID_RECORD');
  assert.match(fieldError(problem, '/respondsToIds/1').message, /itself/);
  assert.equal((await app.json({ method: 'GET', url: '/v1/statements/selfish' })).status, 404);

  const patched = await app.json({ method: 'PATCH', url: '/v1/statements/answer', payload: { respondsToIds: ['answer'] } });
  assertProblem(patched, 422, 'INVALID_RECORD');
  const answer = await get(app, '/v1/statements/answer');
  assert.deepEqual(answer.respondsToIds, ['letter-b', 'letter-a']);
  assert.equal(answer.version, 1);
});

test('an answered statement that does not exist is a 422 naming each /respondsToIds/<i>', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  const res = await app.json({
    method: 'POST',
    url: '/v1/statements',
    payload: statement('lost', { respondsToIds: ['letter-a', 'ghost', 'phantom'] }),
  });
  const problem = assertProblem(res, 422, 'UNKNOWN_REFERENCE');
  assert.deepEqual(problem.errors?.map((e) => e.path).sort(), ['/respondsToIds/1', '/respondsToIds/2']);
  assert.match(fieldError(problem, '/respondsToIds/1').message, /'ghost'/);
  assert.equal(await count(app), 3);
});

test('deleting a statement still answered is a 409 naming every answer; once no answer refers to it, it goes', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  await create(app, '/v1/statements', statement('rejoinder', { respondsToIds: ['letter-a'] }));
  const refused = await app.json({ method: 'DELETE', url: '/v1/statements/letter-a' });
  const problem = assertProblem(refused, 409, 'STILL_REFERENCED');
  assert.deepEqual(problem.referencedBy, [{ collection: 'statements', field: 'respondsToIds', ids: ['answer', 'rejoinder'] }]);
  assert.match(problem.detail, /respondsToIds: answer, rejoinder/);
  assert.equal(await count(app), 4);

  // Deleting an answer takes its links with it, and leaves what it answered.
  assert.equal((await app.json({ method: 'DELETE', url: '/v1/statements/rejoinder' })).status, 204);
  await app.json({ method: 'PATCH', url: '/v1/statements/answer', payload: { respondsToIds: ['letter-b'] } });
  assert.equal((await app.json({ method: 'DELETE', url: '/v1/statements/letter-a' })).status, 204);
  assert.deepEqual(await ids(app, ''), ['answer', 'letter-b']);
});

test('imports: a statement may answer several statements of its bundle, listed after it; a second run changes nothing', async (t) => {
  const app = await makeApp(t);
  await seedMinimal(app);
  const bundle = {
    statements: [
      statement('answer', { respondsToIds: ['question-1', 'question-2'] }),
      statement('question-2', { respondsToIds: ['question-1'] }),
      statement('question-1'),
    ],
  };
  const first = await app.json({ method: 'POST', url: '/v1/imports', payload: bundle });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(first.body.counts.statements, { created: 3, updated: 0, unchanged: 0 });
  assert.deepEqual((await get(app, '/v1/statements/answer')).respondsToIds, ['question-1', 'question-2']);
  const second = await app.json({ method: 'POST', url: '/v1/imports', payload: bundle });
  assert.deepEqual(second.body.counts.statements, { created: 0, updated: 0, unchanged: 3 });
});

test('imports: answers that form a cycle through any of their respondsToIds are a 422 naming where, and nothing is stored', async (t) => {
  const app = await makeApp(t);
  await seedMinimal(app);
  const res = await app.json({
    method: 'POST',
    url: '/v1/imports',
    payload: {
      statements: [
        statement('a', { respondsToIds: ['c'] }),
        statement('b', { respondsToIds: ['c', 'a'] }),
        statement('c', { respondsToIds: ['b'] }),
        statement('self', { respondsToIds: ['self'] }),
      ],
    },
  });
  const problem = assertProblem(res, 422, 'IMPORT_FAILED');
  const cycle = problem.errors?.find((e) => /cycle/.test(e.message));
  assert.ok(cycle, JSON.stringify(problem.errors));
  assert.match(cycle.path, /^\/statements\/[0-2]\/respondsToIds\/[01]$/);
  assert.ok(problem.errors?.some((e) => e.path === '/statements/3/respondsToIds/0' && /itself/.test(e.message)));
  assert.equal(await count(app), 0);
});

test('exports carry respondsToIds: CSV joins them with ";", NDJSON as an array', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  const csv = await app.request({ method: 'GET', url: '/v1/statements?format=csv&sort=id' });
  assert.equal(csv.statusCode, 200);
  const [header, ...rows] = csv.body.trim().split('\n');
  const column = (header as string).split(',').indexOf('respondsToIds');
  assert.ok(column >= 0, header);
  assert.equal(rows[0]?.split(',')[column], 'letter-b;letter-a');
  const ndjson = await app.request({ method: 'GET', url: '/v1/statements?format=ndjson&sort=id' });
  assert.deepEqual(JSON.parse(ndjson.body.split('\n')[0] as string).respondsToIds, ['letter-b', 'letter-a']);
});

test('the change feed records respondsToIds in each state of a statement', async (t) => {
  const app = await makeApp(t);
  await letters(app);
  await app.json({ method: 'PATCH', url: '/v1/statements/answer', payload: { respondsToIds: ['letter-a'] } });
  const history = await get(app, '/v1/statements/answer/revisions');
  assert.deepEqual(
    history.data.map((r: Body) => r.state.respondsToIds),
    [['letter-b', 'letter-a'], ['letter-a']],
  );
  assert.ok(history.data.every((r: Body) => !('respondsToId' in r.state)));
});

/**
 * A database file as the service left it before respondsToIds (migrations up to 0009), holding answers in
 * the old `responds_to_id` column, positions with evidence, and the revisions of the old shape.
 */
function databaseBeforeRespondsToIds(path: string, dir: string): void {
  const sqlite = sqliteAtMigration(path, dir, 9);
  const at = '2024-04-05T10:00:00.000Z';
  sqlite.exec(`
    INSERT INTO actors (id, name, kind, created_at, updated_at) VALUES ('pakistan', 'Pakistan', 'state', '${at}', '${at}');
    INSERT INTO sources (id, kind, title, created_at, updated_at) VALUES ('report', 'newsReport', 'A report', '${at}', '${at}');
    INSERT INTO topics (id, name, created_at, updated_at) VALUES ('talks', 'Talks', '${at}', '${at}');
    INSERT INTO statements (id, doc, text, kind, speaker_id, stated_on, responds_to_id, created_at, updated_at)
      VALUES ('question', 1, 'A question.', 'paraphrase', 'pakistan', NULL, NULL, '${at}', '${at}'),
             ('answer', 2, 'An answer.', 'quote', 'pakistan', '2024-04-04', 'question', '${at}', '${at}');
    INSERT INTO statement_sources (statement_id, source_id, ord) VALUES ('question', 'report', 0), ('answer', 'report', 0);
    INSERT INTO statement_topics (statement_id, topic_id, ord) VALUES ('answer', 'talks', 0);
    INSERT INTO positions (id, actor_id, topic_id, stance, summary, valid_from, valid_to, created_at, updated_at)
      VALUES ('no-talks', 'pakistan', 'talks', 'opposes', 'No talks.', '2024-04-04', NULL, '${at}', '${at}');
    INSERT INTO position_evidence (position_id, statement_id, relation, ord) VALUES ('no-talks', 'answer', 'asserts', 0);
    INSERT INTO revisions (collection, record_id, version, operation, state, at) VALUES
      ('statements', 'question', 1, 'create', json_object('id', 'question', 'respondsToId', NULL), '${at}'),
      ('statements', 'answer', 1, 'create', json_object('id', 'answer', 'respondsToId', 'question'), '${at}'),
      ('positions', 'no-talks', 1, 'create', json_object('id', 'no-talks', 'validFrom', '2024-04-04'), '${at}');
  `);
  sqlite.close();
}

test('a database from before respondsToIds upgrades in place at start: answers, evidence, topics and history are kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-upgrade-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'old.db');
  databaseBeforeRespondsToIds(databasePath, dir);

  const app = await buildApp({ databasePath, logLevel: 'silent', authDisabled: false, seed: false });
  t.after(() => app.close());
  const read = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json();
  };
  const answer = await read('/v1/statements/answer');
  assert.deepEqual(answer.respondsToIds, ['question']);
  assert.deepEqual(answer.sourceIds, ['report']);
  assert.deepEqual(answer.topicIds, ['talks']);
  assert.equal(answer.version, 1);
  assert.deepEqual((await read('/v1/statements/question')).respondsToIds, []);
  assert.deepEqual(
    (await read('/v1/statements?respondsTo=question')).data.map((s: Body) => s.id),
    ['answer'],
  );
  const position = await read('/v1/positions/no-talks');
  assert.equal(position.validFrom, '2024-04-04');
  assert.deepEqual(position.evidence, [{ statementId: 'answer', relation: 'asserts', statedOn: '2024-04-04' }]);
  // The history reads in today's shape.
  const states = (await read('/v1/changes')).data.map((r: Body) => r.state);
  assert.deepEqual(states, [
    { id: 'question', respondsToIds: [] },
    { id: 'answer', respondsToIds: ['question'] },
    { id: 'no-talks', validFrom: '2024-04-04' },
  ]);
  // The delete rule sees the moved links.
  const key = await createKey(app.storage, 'upgrade');
  const refused = await app.inject({ method: 'DELETE', url: '/v1/statements/question', headers: { authorization: `Bearer ${key}` } });
  assert.equal(refused.statusCode, 409, refused.body);
  assert.deepEqual(refused.json().referencedBy, [{ collection: 'statements', field: 'respondsToIds', ids: ['answer'] }]);
});
