// Where a revision's state is kept: not in the row while the record holds it (its current version), in the row
// once the record moves on; the history and the feed answer the same either way, and an old database upgrades.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { buildApp } from '../src/app.js';
import { openStorage } from '../src/storage/index.js';
import { sqliteInternals } from '../src/storage/inspect.js';
import { makeApp, seedMinimal, sqliteOnly, type TestApp } from './helpers.js';
import { sqliteAtMigration } from './sqlite-at-migration.js';

type Body = Record<string, any>;

/** Each change of a history or feed answer as the JSON text it was served as (JSON.parse keeps key order). */
async function served(api: TestApp, url: string): Promise<string[]> {
  const res = await api.json({ method: 'GET', url });
  assert.equal(res.status, 200, url);
  return res.body.data.map((r: Body) => JSON.stringify(r));
}

/** The stored rows of a record's revisions: operation, version and the stored state (null when none). */
function storedRows(api: TestApp, collection: string, id: string): [string, number, Body | null][] {
  const rows = sqliteInternals(api.app.storage)
    .reader.$client.prepare(
      'SELECT "operation", "version", "state" FROM "revisions" WHERE "collection" = ? AND "record_id" = ? ORDER BY "seq"',
    )
    .all(collection, id) as { operation: string; version: number; state: string | null }[];
  return rows.map((r) => [r.operation, r.version, r.state === null ? null : JSON.parse(r.state)]);
}

/** What a revision's state holds of a served statement: all but the derived `verified`. */
const statementState = ({ verified: _v, ...state }: Body) => state;

test('a record created, patched twice and deleted: each answer of its history and of the feed stays as first given', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  const history = () => served(api, '/v1/statements/s1/revisions');
  const feed = async () => (await served(api, '/v1/changes?collection=statements')).filter((c) => JSON.parse(c).id === 's1');
  const answers: string[][] = [];
  const records: Body[] = [];
  const step = async (request: Parameters<TestApp['json']>[0], status: number) => {
    const res = await api.json(request);
    assert.equal(res.status, status, JSON.stringify(res.body));
    if (status !== 204) records.push(res.body);
    const h = await history();
    assert.deepEqual(await feed(), h, 'the feed answers each change of the record as its history does');
    answers.push(h);
  };
  await step(
    {
      method: 'POST',
      url: '/v1/statements',
      payload: {
        text: 'First.',
        kind: 'quote',
        speakerId: 'spokesperson',
        sourceIds: ['report'],
        topicIds: ['ttp', 'migration'],
        id: 's1',
      },
    },
    201,
  );
  await step({ method: 'PATCH', url: '/v1/statements/s1', payload: { text: 'Second.', acts: ['criticize'] } }, 200);
  await step({ method: 'PATCH', url: '/v1/statements/s1', payload: { topicIds: ['migration'], statedOn: '2024-04-04' } }, 200);
  await step({ method: 'DELETE', url: '/v1/statements/s1' }, 204);

  // Each answer is the one before it and one change more, byte for byte: a revision reads the same whether its
  // state came from the record (while current) or from its row (once superseded).
  for (let i = 1; i < answers.length; i++) assert.deepEqual(answers[i]?.slice(0, i), answers[i - 1], `after step ${i + 1}`);
  const last = (answers.at(-1) ?? []).map((c) => JSON.parse(c));
  assert.deepEqual(
    last.map((r) => [r.operation, r.version]),
    [
      ['create', 1],
      ['update', 2],
      ['update', 3],
      ['delete', 4],
    ],
  );
  // Each state is the record as it was served after that write, derived fields left out.
  for (const [i, record] of records.entries()) assert.deepEqual(last[i].state, statementState(record), `state of version ${i + 1}`);
  assert.equal(last[3].state, null, "a delete's revision is a tombstone");
  // Stored: every state the record no longer holds (the delete filled the last one), and the tombstone none.
  assert.deepEqual(
    storedRows(api, 'statements', 's1'),
    last.map((r) => [r.operation, r.version, r.state]),
  );
});

test("the row of a record's current revision holds no state; the one it superseded holds its state", { skip: sqliteOnly }, async (t) => {
  const api = await makeApp(t);
  await api.request({ method: 'POST', url: '/v1/topics', payload: { id: 'ttp', name: 'TTP' } });
  assert.deepEqual(storedRows(api, 'topics', 'ttp'), [['create', 1, null]]);
  const before = await served(api, '/v1/topics/ttp/revisions');
  await api.request({ method: 'PATCH', url: '/v1/topics/ttp', payload: { aliases: ['Tehreek-e-Taliban Pakistan'] } });
  const rows = storedRows(api, 'topics', 'ttp');
  assert.deepEqual(
    rows.map(([operation, version, state]) => [operation, version, state === null ? null : JSON.stringify(state)]),
    [
      ['create', 1, JSON.stringify(JSON.parse(before[0] as string).state)],
      ['update', 2, null],
    ],
    'the create keeps, in the key order it was answered with, the state it answered',
  );
  // An identical patch writes nothing: no revision, and the current one still holds no state.
  await api.request({ method: 'PATCH', url: '/v1/topics/ttp', payload: { aliases: ['Tehreek-e-Taliban Pakistan'] } });
  assert.deepEqual(storedRows(api, 'topics', 'ttp'), rows);
});

test("a history or feed read while a write is open answers the committed states, not the write's own", async (t) => {
  const api = await makeApp(t);
  await api.request({ method: 'POST', url: '/v1/topics', payload: { id: 'ttp', name: 'TTP' } });
  const history = () => served(api, '/v1/topics/ttp/revisions');
  const feed = () => served(api, '/v1/changes?collection=topics');
  const before = [await history(), await feed()];
  let patched!: () => void;
  let release!: () => void;
  const applied = new Promise<void>((resolve) => {
    patched = resolve;
  });
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const writing = api.app.storage.write(async (tx) => {
    await tx.records.patch('topics', 'ttp', { name: 'Renamed' }, undefined, {});
    // Inside the write, its own reads see the new version, its state taken from the record.
    const own = await tx.revisions.of('topics', 'ttp', 0, 10);
    assert.deepEqual(
      own.map((r) => [r.version, r.state?.name]),
      [
        [1, 'TTP'],
        [2, 'Renamed'],
      ],
    );
    patched();
    await held;
  });
  await applied;
  // The write has filled version 1's state and recorded version 2, uncommitted: the reads do not see either.
  assert.deepEqual([await history(), await feed()], before);
  release();
  await writing;
  const after = await history();
  assert.deepEqual(after.slice(0, 1), before[0]);
  assert.equal(JSON.parse(after[1] as string).state.name, 'Renamed');
});

test('a position closed by a later one: its superseded state is kept before the closing revision, which holds none', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  await seedMinimal(api);
  for (const [id, statedOn] of [
    ['s1', '2024-01-01'],
    ['s2', '2024-04-04'],
  ]) {
    const res = await api.request({
      method: 'POST',
      url: '/v1/statements',
      payload: { id, text: id, kind: 'quote', speakerId: 'pakistan', sourceIds: ['report'], statedOn },
    });
    assert.equal(res.statusCode, 201);
  }
  const position = (id: string, validFrom: string, statementId: string) => ({
    id,
    actorId: 'pakistan',
    topicId: 'ttp',
    stance: 'supports',
    summary: id,
    validFrom,
    evidence: [{ statementId, relation: 'asserts' }],
  });
  assert.equal((await api.request({ method: 'POST', url: '/v1/positions', payload: position('p1', '2024-01-01', 's1') })).statusCode, 201);
  const open = await served(api, '/v1/positions/p1/revisions');
  assert.equal((await api.request({ method: 'POST', url: '/v1/positions', payload: position('p2', '2024-04-04', 's2') })).statusCode, 201);
  const closed = await served(api, '/v1/positions/p1/revisions');
  assert.deepEqual(closed.slice(0, 1), open, "the open period's revision answers as before");
  const [, update] = closed.map((c) => JSON.parse(c));
  assert.deepEqual([update.operation, update.version, update.state.validTo], ['update', 2, '2024-04-04']);
  assert.deepEqual(
    storedRows(api, 'positions', 'p1').map(([operation, version, state]) => [operation, version, state?.validTo]),
    [
      ['create', 1, null],
      ['update', 2, undefined],
    ],
  );
});

test('a re-import: changed records get an update and keep their previous state; unchanged ones get no revision', {
  skip: sqliteOnly,
}, async (t) => {
  const api = await makeApp(t);
  const bundle = (summary: string, title: string) => ({
    actors: [{ id: 'pakistan', name: 'Pakistan', kind: 'state' }],
    topics: [{ id: 'talks', name: 'Talks' }],
    sources: [{ id: 'src', kind: 'newsReport', title }],
    statements: [{ id: 's1', text: 'One', kind: 'quote', speakerId: 'pakistan', sourceIds: ['src'], statedOn: '2024-01-01' }],
    positions: [
      {
        id: 'p1',
        actorId: 'pakistan',
        topicId: 'talks',
        stance: 'supports',
        summary,
        validFrom: '2024-01-01',
        evidence: [{ statementId: 's1', relation: 'asserts' }],
      },
    ],
  });
  assert.equal((await api.request({ method: 'POST', url: '/v1/imports', payload: bundle('Yes', 'Report') })).statusCode, 200);
  const before = await served(api, '/v1/changes');
  const res = await api.json({ method: 'POST', url: '/v1/imports', payload: bundle('Yes, firmly', 'Report, corrected') });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const after = await served(api, '/v1/changes');
  assert.deepEqual(after.slice(0, before.length), before, 'the first import reads as it did');
  const added = after.slice(before.length).map((c) => JSON.parse(c));
  assert.deepEqual(
    added.map((c) => [c.collection, c.id, c.operation, c.version]),
    [
      ['sources', 'src', 'update', 2],
      ['positions', 'p1', 'update', 2],
    ],
  );
  assert.equal(added[0].state.title, 'Report, corrected');
  assert.equal(added[1].state.summary, 'Yes, firmly');
  const byId = new Map(before.map((c) => [JSON.parse(c).id, JSON.parse(c).state]));
  assert.deepEqual(storedRows(api, 'sources', 'src'), [
    ['create', 1, byId.get('src')],
    ['update', 2, null],
  ]);
  assert.deepEqual(storedRows(api, 'statements', 's1'), [['create', 1, null]], 'an unchanged record is not written');
});

/**
 * A database as the service left it before migration 0012 (every revision holding its state), written in SQL:
 * topic `ttp` created then renamed, topic `gone` created then deleted, a statement with links, a position
 * closed by a later one (the closing revision's state in the key order the service wrote it in), and topic
 * `odd` whose stored state is not the record's.
 */
function databaseBefore0012(path: string, dir: string): Record<string, string> {
  const sqlite = sqliteAtMigration(path, dir, 11);
  const at = '2024-04-05T10:00:00.000Z';
  const later = '2024-04-06T10:00:00.000Z';
  const meta = (version = 1, updatedAt = at) => ({ createdAt: at, updatedAt, version });
  // The states as the service wrote them: optional fields first (in the order of each store's blank), then the others.
  const states = {
    ttp1: { id: 'ttp', parentId: null, aliases: [], description: null, name: 'TTP', ...meta() },
    ttp2: { id: 'ttp', parentId: null, aliases: ['Tehreek-e-Taliban Pakistan'], description: null, name: 'TTP', ...meta(2, later) },
    gone: { id: 'gone', parentId: null, aliases: [], description: null, name: 'Gone', ...meta() },
    odd: { id: 'odd', name: 'Odd', ...meta() },
    pakistan: {
      id: 'pakistan',
      countryCode: 'PAK',
      parentId: null,
      aliases: [],
      description: null,
      name: 'Pakistan',
      kind: 'state',
      ...meta(),
    },
    report: {
      id: 'report',
      publisher: null,
      author: null,
      url: null,
      publishedOn: '2024-04-05',
      language: null,
      text: 'He said: "We condemn the attack."',
      kind: 'newsReport',
      title: 'A report',
      ...meta(),
    },
    s1: {
      id: 's1',
      onBehalfOfId: null,
      speakerRole: 'Spokesperson',
      statedOn: '2024-01-01',
      eventId: null,
      topicIds: ['ttp'],
      addresseeIds: [],
      respondsToIds: [],
      context: null,
      acts: ['criticize', 'demand'],
      language: 'en',
      text: 'We condemn the attack.',
      kind: 'quote',
      speakerId: 'pakistan',
      sourceIds: ['report'],
      ...meta(),
    },
    s2: {
      id: 's2',
      onBehalfOfId: null,
      speakerRole: null,
      statedOn: '2024-04-04',
      eventId: null,
      topicIds: [],
      addresseeIds: [],
      respondsToIds: ['s1'],
      context: 'Asked again.',
      acts: [],
      language: null,
      text: 'We said so.',
      kind: 'paraphrase',
      speakerId: 'pakistan',
      sourceIds: ['report'],
      ...meta(),
    },
    p1: {
      id: 'p1',
      validTo: null,
      actorId: 'pakistan',
      topicId: 'ttp',
      stance: 'opposes',
      summary: 'Against',
      validFrom: '2024-01-01',
      evidence: [{ statementId: 's1', relation: 'asserts' }],
      ...meta(),
    },
    // As closePeriod wrote it: the record's own order, validTo in its place.
    p1closed: {
      id: 'p1',
      actorId: 'pakistan',
      topicId: 'ttp',
      stance: 'opposes',
      summary: 'Against',
      validFrom: '2024-01-01',
      validTo: '2024-04-04',
      evidence: [{ statementId: 's1', relation: 'asserts' }],
      ...meta(2, later),
    },
    p2: {
      id: 'p2',
      validTo: null,
      actorId: 'pakistan',
      topicId: 'ttp',
      stance: 'supports',
      summary: 'For',
      validFrom: '2024-04-04',
      evidence: [
        { statementId: 's1', relation: 'reiterates' },
        { statementId: 's2', relation: 'asserts' },
      ],
      ...meta(),
    },
  };
  const json = Object.fromEntries(Object.entries(states).map(([k, v]) => [k, JSON.stringify(v)]));
  sqlite.exec(`
    INSERT INTO actors (id, name, kind, country_code, created_at, updated_at) VALUES ('pakistan', 'Pakistan', 'state', 'PAK', '${at}', '${at}');
    INSERT INTO sources (id, kind, title, published_on, text, created_at, updated_at)
      VALUES ('report', 'newsReport', 'A report', '2024-04-05', 'He said: "We condemn the attack."', '${at}', '${at}');
    INSERT INTO topics (id, name, aliases, created_at, updated_at, version) VALUES
      ('ttp', 'TTP', '["Tehreek-e-Taliban Pakistan"]', '${at}', '${later}', 2), ('odd', 'Odd', '[]', '${at}', '${at}', 1);
    INSERT INTO statements (id, doc, text, kind, speaker_id, speaker_role, stated_on, context, language, created_at, updated_at) VALUES
      ('s1', 1, 'We condemn the attack.', 'quote', 'pakistan', 'Spokesperson', '2024-01-01', NULL, 'en', '${at}', '${at}'),
      ('s2', 2, 'We said so.', 'paraphrase', 'pakistan', NULL, '2024-04-04', 'Asked again.', NULL, '${at}', '${at}');
    INSERT INTO statement_sources (statement_id, source_id, ord) VALUES ('s1', 'report', 0), ('s2', 'report', 0);
    INSERT INTO statement_topics (statement_id, topic_id, ord) VALUES ('s1', 'ttp', 0);
    INSERT INTO statement_acts (statement_id, act, ord) VALUES ('s1', 'criticize', 0), ('s1', 'demand', 1);
    INSERT INTO statement_responds_to (statement_id, responds_to_id, ord) VALUES ('s2', 's1', 0);
    INSERT INTO positions (id, actor_id, topic_id, stance, summary, valid_from, valid_to, created_at, updated_at, version) VALUES
      ('p1', 'pakistan', 'ttp', 'opposes', 'Against', '2024-01-01', '2024-04-04', '${at}', '${later}', 2),
      ('p2', 'pakistan', 'ttp', 'supports', 'For', '2024-04-04', NULL, '${at}', '${at}', 1);
    INSERT INTO position_evidence (position_id, statement_id, relation, ord) VALUES
      ('p1', 's1', 'asserts', 0), ('p2', 's2', 'asserts', 0), ('p2', 's1', 'reiterates', 1);
  `);
  const insert = sqlite.prepare(
    'INSERT INTO revisions (collection, record_id, version, operation, state, key_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const [collection, id, version, operation, state] of [
    ['topics', 'ttp', 1, 'create', 'ttp1'],
    ['topics', 'gone', 1, 'create', 'gone'],
    ['actors', 'pakistan', 1, 'create', 'pakistan'],
    ['sources', 'report', 1, 'create', 'report'],
    ['statements', 's1', 1, 'create', 's1'],
    ['statements', 's2', 1, 'create', 's2'],
    ['positions', 'p1', 1, 'create', 'p1'],
    ['topics', 'ttp', 2, 'update', 'ttp2'],
    ['topics', 'gone', 2, 'delete', null],
    ['positions', 'p1', 2, 'update', 'p1closed'],
    ['positions', 'p2', 1, 'create', 'p2'],
    ['topics', 'odd', 1, 'create', 'odd'],
  ] as const) {
    insert.run(collection, id, version, operation, state === null ? null : json[state], 'old-key', at);
  }
  sqlite.close();
  return json;
}

test('a database from before migration 0012 upgrades in place: the same answers, current states emptied, the feed goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-upgrade-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'old.db');
  const json = databaseBefore0012(databasePath, dir);
  const old = new Database(databasePath, { readonly: true });
  const oldRows = old.prepare('SELECT * FROM revisions ORDER BY seq').all() as Body[];
  old.close();

  const app = await buildApp({ databasePath, logLevel: 'silent', authDisabled: true, seed: false });
  t.after(() => app.close());
  const feed = await app.inject({ method: 'GET', url: '/v1/changes' });
  assert.equal(feed.statusCode, 200, feed.body);
  const changes = feed.json().data as Body[];
  // The answer, state by state, is the text each row held before the upgrade.
  assert.deepEqual(
    changes.map((c) => (c.state === null ? null : JSON.stringify(c.state))),
    oldRows.map((r) => r.state),
  );
  assert.deepEqual(
    changes.map((c) => [c.collection, c.id, c.version, c.operation, c.keyName, c.at]),
    oldRows.map((r) => [r.collection, r.record_id, r.version, r.operation, r.key_name, r.at]),
  );
  for (const [url, states] of [
    ['/v1/topics/ttp/revisions', [json.ttp1, json.ttp2]],
    ['/v1/topics/gone/revisions', [json.gone, null]],
    ['/v1/statements/s2/revisions', [json.s2]],
  ] as const) {
    const history = (await app.inject({ method: 'GET', url })).json().data as Body[];
    assert.deepEqual(
      history.map((r) => (r.state === null ? null : JSON.stringify(r.state))),
      states,
      url,
    );
  }
  // Emptied: each current version whose row held exactly what the record gives. Kept: superseded states, the
  // closing revision written in another key order, and the state that is not its record's.
  const sqlite = sqliteInternals(app.storage).reader.$client;
  const rows = sqlite.prepare('SELECT seq, record_id, version, state FROM revisions ORDER BY seq').all() as Body[];
  assert.deepEqual(
    rows.filter((r) => r.state === null).map((r) => `${r.record_id}@${r.version}`),
    ['pakistan@1', 'report@1', 's1@1', 's2@1', 'ttp@2', 'gone@2', 'p2@1'],
  );
  assert.deepEqual(
    rows.map((r) => r.seq),
    oldRows.map((r) => r.seq),
  );

  // The feed goes on after the last position it gave, and the next write keeps the state it supersedes.
  const patched = await app.inject({ method: 'PATCH', url: '/v1/statements/s1', payload: { acts: ['criticize'] } });
  assert.equal(patched.statusCode, 200, patched.body);
  const s1 = sqlite.prepare("SELECT seq, state FROM revisions WHERE record_id = 's1' ORDER BY seq").all() as Body[];
  assert.deepEqual(
    s1.map((r) => r.state),
    [json.s1, null],
  );
  assert.ok((s1[1]?.seq as number) > (oldRows.at(-1)?.seq as number));
});

test('a migration compacts the file when a fifth of it or more is free, and not otherwise; compact on request', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-vacuum-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const storage = await openStorage({ path: join(dir, 'v.db') });
  t.after(() => storage.close());
  await storage.migrate();
  const sqlite = sqliteInternals(storage).writer.$client;
  sqlite.exec('CREATE TABLE filler (x TEXT)');
  const fill = sqlite.prepare('INSERT INTO filler (x) VALUES (?)');
  sqlite.transaction(() => {
    for (let i = 0; i < 2000; i++) fill.run('x'.repeat(1000));
  })();
  const messages: string[] = [];
  const log = (m: string) => messages.push(m);
  const share = 0.2;
  assert.equal(await storage.compact({ minFreeShare: share, log }), false, 'nothing free');
  sqlite.exec('DELETE FROM filler WHERE rowid <= 200');
  assert.equal(await storage.compact({ minFreeShare: share, log }), false, 'a tenth free');
  // No migration pending: a start never compacts, however much is free.
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  sqlite.exec('DELETE FROM filler WHERE rowid <= 1000');
  assert.equal(await storage.migrate(log), false);
  assert.ok((sqlite.pragma('freelist_count', { simple: true }) as number) > pages * 0.4, 'half free, left so by a start');
  assert.equal(await storage.compact({ minFreeShare: share, log }), true, 'half free');
  assert.equal(sqlite.pragma('freelist_count', { simple: true }), 0);
  assert.ok((sqlite.pragma('page_count', { simple: true }) as number) < pages * 0.7);
  assert.equal(sqlite.pragma('temp_store', { simple: true }), 2, 'temp_store is MEMORY again');
  assert.equal(messages.length, 1);
  assert.match(messages[0] as string, /^VACUUM: /);
  // On request (db:migrate --vacuum), whatever is free.
  sqlite.exec('DELETE FROM filler WHERE rowid <= 1100');
  assert.equal(await storage.compact({ log }), true);
  assert.equal(sqlite.pragma('freelist_count', { simple: true }), 0);
});

test('a start that applies migrations leaving a fifth of the file free compacts it, and logs it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-vacuum-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'old.db');
  databaseBefore0012(databasePath, dir);
  // Free pages the upgrade finds: a table filled and emptied before it.
  const old = new Database(databasePath);
  old.exec('CREATE TABLE filler (x TEXT)');
  const fill = old.prepare('INSERT INTO filler (x) VALUES (?)');
  old.transaction(() => {
    for (let i = 0; i < 2000; i++) fill.run('x'.repeat(1000));
  })();
  old.exec('DROP TABLE filler');
  assert.ok((old.pragma('freelist_count', { simple: true }) as number) > 400);
  old.close();
  const storage = await openStorage({ path: databasePath });
  t.after(() => storage.close());
  const messages: string[] = [];
  assert.equal(await storage.migrate((m) => messages.push(m)), false);
  assert.equal(messages.length, 1);
  assert.match(messages[0] as string, /^VACUUM: /);
  assert.equal(sqliteInternals(storage).writer.$client.pragma('freelist_count', { simple: true }), 0);
  assert.equal((await storage.revisions.since(0, 100)).length, 12);
});
