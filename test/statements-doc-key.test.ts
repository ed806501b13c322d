// Statements keyed by their doc number (migration 0016): a database from before upgrades in place, keeps every
// statement, its search row, the evidence and answers that name it, and drops the always-empty responds_to_id.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { sqliteInternals } from '../src/storage/inspect.js';
import { REBUILD_SEARCH_INDEX } from '../src/storage/sqlite/statements.fts.js';
import { sqliteOnly } from './helpers.js';
import { sqliteAtMigration } from './sqlite-at-migration.js';

type Body = Record<string, any>;
const at = '2024-04-05T10:00:00.000Z';

/**
 * A database as migration 0015 left it: three statements (docs 3, 5, 9: numbers a statement keeps for life, not
 * its place in the table), one answering another, one cited as a position's evidence, their search rows.
 */
function databaseBeforeDocKey(path: string, dir: string): void {
  const sqlite = sqliteAtMigration(path, dir, 15);
  const statement = (id: string, doc: number, text: string, statedOn: string, links: string[][]) =>
    `('${id}', ${doc}, '${text}', 'paraphrase', 'pakistan', '${statedOn}', '${JSON.stringify(links)}', '${at}', '${at}')`;
  sqlite.exec(`
    INSERT INTO actors (id, name, kind, created_at, updated_at) VALUES ('pakistan', 'Pakistan', 'state', '${at}', '${at}');
    INSERT INTO topics (id, name, aliases, created_at, updated_at) VALUES ('talks', 'Talks', '[]', '${at}', '${at}');
    INSERT INTO sources (id, kind, title, created_at, updated_at) VALUES ('report', 'newsReport', 'A report', '${at}', '${at}');
    INSERT INTO statements (id, doc, text, kind, speaker_id, stated_on, links, created_at, updated_at) VALUES
      ${statement('asked', 9, 'Were the envoys recalled?', '2024-01-02', [[], ['talks'], [], [], []])},
      ${statement('answer', 3, 'The envoys stay in Kabul.', '2024-01-03', [[], ['talks'], [], [], ['asked']])},
      ${statement('aside', 5, 'Trade resumed at the crossing.', '2024-01-04', [[], [], [], [], []])};
    INSERT INTO statement_topics (statement_id, topic_id, ord) VALUES ('asked', 'talks', 0), ('answer', 'talks', 0);
    INSERT INTO statement_responds_to (statement_id, responds_to_id, ord) VALUES ('answer', 'asked', 0);
    INSERT INTO positions (id, actor_id, topic_id, stance, summary, valid_from, valid_to, created_at, updated_at)
      VALUES ('envoys', 'pakistan', 'talks', 'supports', 'Envoys stay.', '2024-01-03', NULL, '${at}', '${at}');
    INSERT INTO position_evidence (position_id, statement_id, relation, ord) VALUES ('envoys', 'answer', 'asserts', 0);
  `);
  sqlite.exec(REBUILD_SEARCH_INDEX);
  sqlite.close();
}

describe('a database from before statements were keyed by doc upgrades in place', { skip: sqliteOnly }, () => {
  let dir: string;
  let app: FastifyInstance;
  const request = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const res = await app.inject({ method, url, payload });
    return { status: res.statusCode, body: res.body ? (res.json() as Body) : undefined };
  };
  const client = () => sqliteInternals(app.storage).writer.$client;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'doc-key-upgrade-'));
    const databasePath = join(dir, 'old.db');
    databaseBeforeDocKey(databasePath, dir);
    app = await buildApp({ databasePath, logLevel: 'silent', authDisabled: true, seed: false });
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('each statement keeps its doc number, which is now the row key', () => {
    assert.deepEqual(client().prepare('SELECT id, doc, rowid FROM statements ORDER BY doc').raw().all(), [
      ['answer', 3, 3],
      ['aside', 5, 5],
      ['asked', 9, 9],
    ]);
  });

  test('the empty responds_to_id column, its index and the doc index are gone', () => {
    const columns = client().prepare("SELECT name FROM pragma_table_info('statements')").pluck().all();
    assert.ok(!columns.includes('responds_to_id'), `columns: ${columns.join(', ')}`);
    const indexes = client()
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'statements' ORDER BY name")
      .pluck()
      .all();
    assert.ok(!indexes.includes('statements_responds_to_idx'));
    assert.ok(!indexes.includes('statements_doc_unique'));
    assert.ok(indexes.includes('statements_id_unique'));
  });

  test('every reference still names an existing row, and foreign keys are on again', () => {
    assert.deepEqual(client().pragma('foreign_key_check'), []);
    assert.equal(client().pragma('foreign_keys', { simple: true }), 1);
  });

  test('the statements answer as before: a page, one by id, an answer and a topic', async () => {
    const page = await request('GET', '/v1/statements');
    assert.deepEqual(
      page.body?.data.map((s: Body) => s.id),
      ['aside', 'answer', 'asked'],
    );
    const answer = await request('GET', '/v1/statements/answer');
    assert.deepEqual(answer.body?.respondsToIds, ['asked']);
    const talks = await request('GET', '/v1/statements?topic=talks');
    assert.deepEqual(
      talks.body?.data.map((s: Body) => s.id),
      ['answer', 'asked'],
    );
  });

  test('search finds each statement through the doc number its index row kept', async () => {
    for (const [word, id] of [
      ['recalled', 'asked'],
      ['kabul', 'answer'],
      ['crossing', 'aside'],
    ]) {
      const found = await request('GET', `/v1/search?q=${word}`);
      assert.deepEqual(
        found.body?.data.map((h: Body) => h.id),
        [id],
        word,
      );
    }
  });

  test('a statement cited as evidence cannot be deleted', async () => {
    const refused = await request('DELETE', '/v1/statements/answer');
    assert.equal(refused.status, 409);
    assert.equal((await request('GET', '/v1/statements/answer')).status, 200);
  });

  test('a new statement takes the next doc number and is found by search', async () => {
    const created = await request('POST', '/v1/statements', {
      id: 'later',
      text: 'Envoys met at the border.',
      kind: 'paraphrase',
      speakerId: 'pakistan',
      statedOn: '2024-01-05',
      sourceIds: ['report'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(client().prepare("SELECT doc FROM statements WHERE id = 'later'").pluck().get(), 10);
    const found = await request('GET', '/v1/search?q=border');
    assert.deepEqual(
      found.body?.data.map((h: Body) => h.id),
      ['later'],
    );
  });

  test('a deleted statement leaves no search row', async () => {
    assert.equal((await request('DELETE', '/v1/statements/aside')).status, 204);
    const found = await request('GET', '/v1/search?q=crossing');
    assert.deepEqual(found.body?.data, []);
  });
});
