// The link tables keyed by value and the topic ancestry without its index by statement (migration 0015): a
// database from before upgrades in place with the same answers, and every write after it keeps the ancestry
// and the counts what they would be if built again from the statements' links.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { sqliteInternals } from '../src/storage/inspect.js';
import { REBUILD_SEARCH_INDEX } from '../src/storage/sqlite/statements.fts.js';
import { REBUILD_COUNTS } from '../src/storage/sqlite/stats.counts.js';
import { REBUILD_STATEMENT_ANCESTRY } from '../src/storage/sqlite/topics.ancestry.js';
import { sqliteAtMigration } from './sqlite-at-migration.js';

type Body = Record<string, any>;
const at = '2024-04-05T10:00:00.000Z';

/**
 * A database as migration 0014 left it: a topic tree (region > south-asia > border, and talks), four statements
 * with their links on the row and in the link tables, the ancestry and counts filled by 0014's triggers.
 */
function databaseBeforeLeanLinks(path: string, dir: string): void {
  const sqlite = sqliteAtMigration(path, dir, 14);
  const statement = (id: string, doc: number, text: string, statedOn: string | null, links: string[][]) =>
    `('${id}', ${doc}, '${text}', 'paraphrase', 'pakistan', ${statedOn ? `'${statedOn}'` : 'NULL'}, '${JSON.stringify(links)}', '${at}', '${at}')`;
  sqlite.exec(`
    INSERT INTO actors (id, name, kind, created_at, updated_at) VALUES ('pakistan', 'Pakistan', 'state', '${at}', '${at}'),
      ('india', 'India', 'state', '${at}', '${at}');
    INSERT INTO sources (id, kind, title, created_at, updated_at) VALUES ('report', 'newsReport', 'A report', '${at}', '${at}');
    INSERT INTO topics (id, name, aliases, parent_id, created_at, updated_at) VALUES
      ('region', 'Region', '[]', NULL, '${at}', '${at}'),
      ('south-asia', 'South Asia', '["Subcontinent"]', 'region', '${at}', '${at}'),
      ('border', 'Border crossings', '["Torkham"]', 'south-asia', '${at}', '${at}'),
      ('talks', 'Talks', '[]', NULL, '${at}', '${at}');
    INSERT INTO statements (id, doc, text, kind, speaker_id, stated_on, links, created_at, updated_at) VALUES
      ${statement('s1', 1, 'Talks at the border.', '2024-01-02', [['report'], ['border', 'talks'], ['india'], ['demand'], []])},
      ${statement('s2', 2, 'Nothing on the region.', '2024-02-03', [[], ['south-asia'], [], ['reject', 'demand'], []])},
      ${statement('s3', 3, 'Undated words.', null, [['report'], [], ['india'], [], []])},
      ${statement('s4', 4, 'An answer on talks.', '2024-02-05', [[], ['talks'], [], [], ['s1']])};
    INSERT INTO statement_sources (statement_id, source_id, ord) VALUES ('s1', 'report', 0), ('s3', 'report', 0);
    INSERT INTO statement_topics (statement_id, topic_id, ord) VALUES ('s1', 'border', 0), ('s1', 'talks', 1), ('s2', 'south-asia', 0),
      ('s4', 'talks', 0);
    INSERT INTO statement_addressees (statement_id, actor_id, ord) VALUES ('s1', 'india', 0), ('s3', 'india', 0);
    INSERT INTO statement_acts (statement_id, act, ord) VALUES ('s1', 'demand', 0), ('s2', 'reject', 0), ('s2', 'demand', 1);
    INSERT INTO statement_responds_to (statement_id, responds_to_id, ord) VALUES ('s4', 's1', 0);
  `);
  sqlite.exec(REBUILD_SEARCH_INDEX);
  sqlite.close();
}

/** The ancestry and the topic counts as stored, and as built again from the statements' links. */
function derived(sqlite: Database.Database): { stored: unknown; rebuilt: unknown } {
  const read = () => ({
    ancestry: sqlite.prepare('SELECT * FROM statement_topic_ancestors ORDER BY 1, 2, 3').raw().all(),
    counts: sqlite.prepare('SELECT * FROM topic_month_counts WHERE statements > 0 ORDER BY 1, 2').raw().all(),
  });
  const stored = read();
  sqlite.exec('SAVEPOINT rebuild');
  for (const step of [...REBUILD_STATEMENT_ANCESTRY, ...REBUILD_COUNTS]) sqlite.exec(step);
  const rebuilt = read();
  sqlite.exec('ROLLBACK TO rebuild; RELEASE rebuild');
  return { stored, rebuilt };
}

test('a database from before the lean link tables upgrades in place and answers the same; later writes keep the ancestry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'link-keys-upgrade-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'old.db');
  databaseBeforeLeanLinks(databasePath, dir);
  const app = await buildApp({ databasePath, logLevel: 'silent', authDisabled: true, seed: false });
  t.after(() => app.close());
  const client = sqliteInternals(app.storage).writer.$client;
  const request = async (method: 'GET' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await app.inject({ method, url, payload });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.body ? res.json() : undefined;
  };
  const ids = async (query: string) => (await request('GET', `/v1/statements?${query}`)).data.map((s: Body) => s.id);
  const stats = async (query: string) => {
    const dimension = new URLSearchParams(query).get('groupBy') as string;
    return Object.fromEntries((await request('GET', `/v1/stats/statements?${query}`)).data.map((c: Body) => [c[dimension], c.count]));
  };

  assert.deepEqual(
    client
      .prepare("SELECT name FROM sqlite_master WHERE name = 'statement_topic_ancestors_statement_idx' OR name LIKE '%_value_idx'")
      .all(),
    [],
  );
  assert.deepEqual(derived(client).stored, derived(client).rebuilt, 'the ancestry and counts came over as they were');
  assert.deepEqual(await ids('topic=region'), ['s2', 's1']);
  assert.deepEqual(await ids('topic=south-asia&from=2024-02-01'), ['s2']);
  assert.deepEqual(await ids('topic=talks&sort=statedOn'), ['s1', 's4']);
  assert.deepEqual(await ids('act=demand'), ['s2', 's1']);
  assert.deepEqual(await ids('addressee=india'), ['s1', 's3']);
  assert.deepEqual(await ids('source=report'), ['s1', 's3']);
  assert.deepEqual(await ids('respondsTo=s1'), ['s4']);
  assert.deepEqual((await request('GET', '/v1/statements/s1')).topicIds, ['border', 'talks']);
  assert.deepEqual(
    (await request('GET', '/v1/search?q=torkham')).data.map((h: Body) => h.id),
    ['s1'],
  );
  assert.deepEqual(await stats('groupBy=topic'), { region: 2, 'south-asia': 2, border: 1, talks: 2, null: 1 });
  // A filter takes stats off the kept counts: the same cells, read from each statement's links.
  assert.deepEqual(await stats('groupBy=topic&speaker=pakistan'), await stats('groupBy=topic'));
  assert.deepEqual(await stats('groupBy=addressee&speaker=pakistan'), { india: 2, null: 2 });
  assert.deepEqual(await stats('groupBy=act&speaker=pakistan'), { demand: 2, reject: 1, null: 2 });

  // Topics replaced and a new date in one write, topics reordered, a topic moved, a statement deleted.
  await request('PATCH', '/v1/statements/s1', { topicIds: ['talks', 'south-asia'], statedOn: '2024-03-01', acts: ['reject'] });
  assert.deepEqual(await ids('topic=border'), []);
  assert.deepEqual(await ids('topic=region'), ['s1', 's2']);
  assert.deepEqual(await ids('act=demand'), ['s2']);
  await request('PATCH', '/v1/statements/s2', { acts: ['demand', 'reject'] });
  assert.deepEqual((await request('GET', '/v1/statements/s2')).acts, ['demand', 'reject']);
  await request('PATCH', '/v1/topics/south-asia', { parentId: 'talks' });
  assert.deepEqual(await ids('topic=region'), []);
  assert.deepEqual(await ids('topic=talks'), ['s1', 's4', 's2']);
  await request('DELETE', '/v1/statements/s4');
  assert.deepEqual(await ids('topic=talks'), ['s1', 's2']);
  assert.deepEqual(await ids('respondsTo=s1'), []);
  assert.deepEqual(await stats('groupBy=topic&speaker=pakistan'), await stats('groupBy=topic'));
  const { stored, rebuilt } = derived(client);
  assert.deepEqual(stored, rebuilt, 'the ancestry and counts are what the links make them');
  assert.deepEqual(
    client.prepare("SELECT count(*) FROM statement_topics WHERE statement_id = 's4'").pluck().get(),
    0,
    'a deleted statement leaves no link row',
  );
});
