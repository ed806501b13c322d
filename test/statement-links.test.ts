// A statement's link arrays kept on its row (`links`): in step with the link tables through every write, filled by
// the upgrade of an older database in their stored order; and a quote's `verified` following its sources' texts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { sqliteInternals } from '../src/storage/inspect.js';
import { create, get } from './assertions.js';
import { makeApp, seedMinimal, sqliteOnly, type TestApp } from './helpers.js';
import { sqliteAtMigration } from './sqlite-at-migration.js';

type Body = Record<string, any>;

const LINK_TABLES = [
  ['statement_sources', 'source_id'],
  ['statement_topics', 'topic_id'],
  ['statement_addressees', 'actor_id'],
  ['statement_acts', 'act'],
  ['statement_responds_to', 'responds_to_id'],
] as const;

/** Every statement's `links` column, and the same arrays as the link tables hold them (by `ord`). */
function rowsAndTables(sqlite: Database.Database): { rows: Record<string, unknown>; tables: Record<string, unknown> } {
  const rows: Record<string, unknown> = {};
  const tables: Record<string, string[][]> = {};
  for (const { id, links } of sqlite.prepare('SELECT id, links FROM statements ORDER BY id').all() as { id: string; links: string }[]) {
    rows[id] = JSON.parse(links);
    tables[id] = LINK_TABLES.map(() => []);
  }
  for (const [i, [table, column]] of LINK_TABLES.entries()) {
    for (const { owner, value } of sqlite
      .prepare(`SELECT statement_id AS owner, ${column} AS value FROM ${table} ORDER BY statement_id, ord`)
      .all() as { owner: string; value: string }[]) {
      (tables[owner] as string[][])[i]?.push(value);
    }
  }
  return { rows, tables };
}

const reader = (t: TestApp) => sqliteInternals(t.app.storage).reader.$client;

test('the links on a statement row follow every write: create, patch (reordered, emptied), import, delete', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  const inStep = (what: string) => {
    const { rows, tables } = rowsAndTables(reader(api));
    assert.deepEqual(rows, tables, what);
  };
  await create(api, '/v1/statements', { id: 'q', text: 'A question.', kind: 'paraphrase', speakerId: 'pakistan', sourceIds: ['report'] });
  await create(api, '/v1/statements', {
    id: 'a',
    text: 'An answer.',
    kind: 'paraphrase',
    speakerId: 'spokesperson',
    sourceIds: ['report'],
    topicIds: ['ttp', 'migration', 'counter-terrorism'],
    addresseeIds: ['ttp', 'pakistan'],
    acts: ['reject', 'demand'],
    respondsToIds: ['q'],
  });
  inStep('after the creates');
  assert.deepEqual(JSON.parse(reader(api).prepare(`SELECT links FROM statements WHERE id = 'a'`).pluck().get() as string), [
    ['report'],
    ['ttp', 'migration', 'counter-terrorism'],
    ['ttp', 'pakistan'],
    ['reject', 'demand'],
    ['q'],
  ]);
  const patched = await api.json({
    method: 'PATCH',
    url: '/v1/statements/a',
    payload: { topicIds: ['counter-terrorism', 'ttp'], addresseeIds: [], acts: ['demand', 'reject'] },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(patched.body.topicIds, ['counter-terrorism', 'ttp']);
  assert.deepEqual(patched.body.acts, ['demand', 'reject']);
  inStep('after a patch');
  const statement = (await get(api, '/v1/statements/a')) as Body;
  const imported = await api.json({
    method: 'POST',
    url: '/v1/imports',
    payload: {
      statements: [
        {
          ...statement,
          createdAt: undefined,
          updatedAt: undefined,
          version: undefined,
          verified: undefined,
          respondsToIds: [],
          sourceIds: ['report'],
        },
        { id: 'b', text: 'Another.', kind: 'quote', speakerId: 'pakistan', sourceIds: ['report'], respondsToIds: ['q', 'a'] },
      ].map((s) => JSON.parse(JSON.stringify(s))),
    },
  });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  inStep('after an import');
  assert.deepEqual(
    (await get(api, '/v1/statements?respondsTo=a')).data.map((s: Body) => [s.id, s.respondsToIds]),
    [['b', ['q', 'a']]],
  );
  const removed = await api.request({ method: 'DELETE', url: '/v1/statements/b' });
  assert.equal(removed.statusCode, 204, removed.body);
  inStep('after a delete');
});

/** A database file as the service left it before `links` (migrations up to 0011), links stored out of `ord` order. */
function databaseBeforeLinks(path: string, dir: string): void {
  const sqlite = sqliteAtMigration(path, dir, 11);
  const at = '2024-04-05T10:00:00.000Z';
  sqlite.exec(`
    INSERT INTO actors (id, name, kind, created_at, updated_at) VALUES ('pakistan', 'Pakistan', 'state', '${at}', '${at}'),
      ('india', 'India', 'state', '${at}', '${at}');
    INSERT INTO sources (id, kind, title, text, created_at, updated_at) VALUES ('report', 'newsReport', 'A report', NULL, '${at}', '${at}'),
      ('transcript', 'officialTranscript', 'A transcript', 'She said: no talks with anyone.', '${at}', '${at}');
    INSERT INTO topics (id, name, created_at, updated_at) VALUES ('talks', 'Talks', '${at}', '${at}'), ('water', 'Water', '${at}', '${at}');
    INSERT INTO statements (id, doc, text, kind, speaker_id, stated_on, created_at, updated_at)
      VALUES ('question', 1, 'A question.', 'paraphrase', 'pakistan', NULL, '${at}', '${at}'),
             ('answer', 2, 'no talks', 'quote', 'pakistan', '2024-04-04', '${at}', '${at}');
    INSERT INTO statement_sources (statement_id, source_id, ord) VALUES ('question', 'report', 0), ('answer', 'transcript', 1), ('answer', 'report', 0);
    INSERT INTO statement_topics (statement_id, topic_id, ord) VALUES ('answer', 'water', 1), ('answer', 'talks', 0);
    INSERT INTO statement_addressees (statement_id, actor_id, ord) VALUES ('answer', 'pakistan', 1), ('answer', 'india', 0);
    INSERT INTO statement_acts (statement_id, act, ord) VALUES ('answer', 'reject', 1), ('answer', 'demand', 0);
    INSERT INTO statement_responds_to (statement_id, responds_to_id, ord) VALUES ('answer', 'question', 0);
  `);
  sqlite.close();
}

test('a database from before links upgrades in place: each statement row gets its arrays in their stored order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-links-upgrade-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'old.db');
  databaseBeforeLinks(databasePath, dir);
  const app = await buildApp({ databasePath, logLevel: 'silent', authDisabled: false, seed: false });
  t.after(() => app.close());
  const read = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json();
  };
  const answer = await read('/v1/statements/answer');
  assert.deepEqual(
    [answer.sourceIds, answer.topicIds, answer.addresseeIds, answer.acts, answer.respondsToIds, answer.verified],
    [['report', 'transcript'], ['talks', 'water'], ['india', 'pakistan'], ['demand', 'reject'], ['question'], true],
  );
  const question = await read('/v1/statements/question');
  assert.deepEqual([question.sourceIds, question.topicIds, question.respondsToIds, question.verified], [['report'], [], [], null]);
  assert.deepEqual(
    (await read('/v1/statements')).data.map((s: Body) => [s.id, s.topicIds]),
    [
      ['answer', ['talks', 'water']],
      ['question', []],
    ],
  );
  const { rows, tables } = rowsAndTables(sqliteInternals(app.storage).reader.$client);
  assert.deepEqual(rows, tables);
});

test('verified follows its sources’ texts at once: a text given, changed, taken away, or written by another program', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  await create(api, '/v1/sources', { id: 'other', kind: 'newsReport', title: 'Another report' });
  await create(api, '/v1/statements', {
    id: 'q1',
    text: 'We will not talk',
    kind: 'quote',
    speakerId: 'pakistan',
    sourceIds: ['report', 'other'],
  });
  await create(api, '/v1/statements', {
    id: 'p1',
    text: 'We will not talk',
    kind: 'paraphrase',
    speakerId: 'pakistan',
    sourceIds: ['report'],
  });
  const verified = async () =>
    Object.fromEntries(
      [...(await get(api, '/v1/statements?sort=id')).data, await get(api, '/v1/statements/q1')].map((s: Body, i: number) => [
        i < 2 ? s.id : 'one',
        s.verified,
      ]),
    );
  const setText = async (id: string, text: string | null) => {
    const res = await api.json({ method: 'PATCH', url: `/v1/sources/${id}`, payload: { text } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  assert.deepEqual(await verified(), { p1: null, q1: null, one: null });
  await setText('other', 'He said “We will not   talk” today.');
  assert.deepEqual(await verified(), { p1: null, q1: true, one: true });
  await setText('other', 'He said nothing.');
  assert.deepEqual(await verified(), { p1: null, q1: false, one: false });
  await setText('report', 'We will not talk, they said.');
  assert.deepEqual(await verified(), { p1: null, q1: true, one: true });
  await setText('report', null);
  assert.deepEqual(await verified(), { p1: null, q1: false, one: false });
  await setText('other', null);
  assert.deepEqual(await verified(), { p1: null, q1: null, one: null });
  // Another connection to the file (another program, or `npm run import -- --db`) gives a source a text.
  const other = new Database(sqliteInternals(api.app.storage).writer.$client.name);
  t.after(() => other.close());
  other.prepare(`UPDATE sources SET text = 'We will not talk' WHERE id = 'other'`).run();
  assert.deepEqual(await verified(), { p1: null, q1: true, one: true });
});
