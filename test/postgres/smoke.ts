// By hand, not in `npm test` (it needs a PostgreSQL server): `npx tsx test/postgres/smoke.ts`.
// Starts the throwaway server (.ci/postgres.sh), migrates an empty database twice (and another from two pools
// at once), writes a few records, searches, reads a topic's subtree and the counts, moves and renames a topic,
// COPYs 10,000 statements (SMOKE_ROWS=…: another number), and backs the database up with pg_dump. Prints what it finds; exits 1 on a mismatch.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { ROOT } from '../../src/lib/paths.js';
import { parseSearch } from '../../src/lib/search.js';
import {
  backup,
  closePostgres,
  copyRows,
  createDatabaseIfMissing,
  finishBulkLoad,
  migratePostgres,
  openPostgres,
  type PgDb,
  writeTransaction,
} from '../../src/storage/postgres/client.js';
import { rankingWindow, snippets, toTsquery } from '../../src/storage/postgres/search.js';
import * as t from '../../src/storage/postgres/tables.js';

const started = performance.now();
const ms = (since: number) => `${Math.round(performance.now() - since)} ms`;
const log = (...args: unknown[]) => console.log(...args);

const line =
  execFileSync(join(ROOT, '.ci', 'postgres.sh'), ['start'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1) ?? '';
const serverUrl = line.replace(/^DATABASE_URL=/, '');
log(`server: ${serverUrl} (ready in ${ms(started)})`);

/** A database of this run, dropped first if an earlier run left it. */
async function freshDatabase(name: string): Promise<string> {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
  return url.toString();
}

const rows = async <T>(db: PgDb, query: ReturnType<typeof sql>) => (await db.execute(query)).rows as T[];

// 1. Migrations: an empty database is made, migrated, and migrating again does nothing.
const url = await freshDatabase('statements_smoke');
log(`\n# migrations\ncreated: ${await createDatabaseIfMissing(url)}, again: ${await createDatabaseIfMissing(url)}`);
const handles = openPostgres(url, { readUrl: url });
const db = handles.write;
let at = performance.now();
const fresh = await migratePostgres(db);
log(`first migrate: fresh=${fresh} (${ms(at)})`);
at = performance.now();
const again = await migratePostgres(db);
log(`second migrate: fresh=${again} (${ms(at)})`);
assert.equal(fresh, true);
assert.equal(again, false);
const applied = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
log(`migrations recorded: ${applied[0]?.n}`);

// Two processes starting together: the advisory lock makes the second wait, then find nothing to do.
const racedUrl = await freshDatabase('statements_smoke_race');
await createDatabaseIfMissing(racedUrl);
const [a, b] = [openPostgres(racedUrl), openPostgres(racedUrl)];
const raced = await Promise.all([migratePostgres(a.write), migratePostgres(b.write)]);
log(`two pools migrating at once: fresh=${JSON.stringify(raced)}`);
assert.deepEqual(raced.toSorted(), [false, true]);
await closePostgres(a);
await closePostgres(b);

// 2. A few records, written as the service will: one transaction holding the write lock.
const now = '2024-04-05T10:00:00.000Z';
const stamp = { createdAt: now, updatedAt: now };
await writeTransaction(db, async (tx) => {
  await tx.insert(t.actors).values([
    { id: 'pakistan', name: 'Pakistan', kind: 'state', countryCode: 'PAK', aliases: [], ...stamp },
    { id: 'mumtaz-zahra-baloch', name: 'Mumtaz Zahrā Baloch', kind: 'person', aliases: ['FO Spokesperson'], ...stamp },
    { id: 'ttp', name: 'Tehrik-i-Taliban Pakistan', kind: 'armedGroup', aliases: ['Fitna al-Khawarij'], ...stamp },
  ]);
  await tx.insert(t.topics).values([
    { id: 'counter-terrorism', name: 'Counter-terrorism', ...stamp },
    { id: 'ttp', name: 'TTP', parentId: 'counter-terrorism', aliases: ['Fitna al-Khawarij'], ...stamp },
    { id: 'talks-with-ttp', name: 'Talks with the TTP', parentId: 'ttp', ...stamp },
    { id: 'bisham-attack', name: 'Bisham attack', parentId: 'counter-terrorism', aliases: ['Besham'], ...stamp },
    { id: 'afghanistan', name: 'Afghanistan', ...stamp },
  ]);
  await tx.insert(t.statements).values([
    {
      id: 's1',
      doc: 1,
      text: 'Pakistan is not holding talks with the TTP.',
      kind: 'paraphrase',
      speakerId: 'mumtaz-zahra-baloch',
      onBehalfOfId: 'pakistan',
      statedOn: '2024-04-04',
      context: 'Asked whether back-channel talks were under way with the Afghan Taliban’s help.',
      ...stamp,
    },
    {
      id: 's2',
      doc: 2,
      text: 'We expect the Afghan authorities to take action against terrorists & <their> sanctuaries — Fitna al-Khawarij included.',
      kind: 'quote',
      speakerId: 'mumtaz-zahra-baloch',
      statedOn: '2024-04-04',
      ...stamp,
    },
    {
      id: 's3',
      doc: 3,
      text: 'The investigation into the terrorist attack on Chinese engineers continues.',
      kind: 'paraphrase',
      speakerId: 'mumtaz-zahra-baloch',
      statedOn: '2024-03-28',
      ...stamp,
    },
    { id: 's4', doc: 4, text: 'Undated remark.', kind: 'quote', speakerId: 'pakistan', ...stamp },
  ]);
  await tx.insert(t.statementTopics).values([
    { statementId: 's1', value: 'talks-with-ttp', ord: 0 },
    { statementId: 's2', value: 'ttp', ord: 0 },
    { statementId: 's2', value: 'afghanistan', ord: 1 },
    { statementId: 's3', value: 'bisham-attack', ord: 0 },
  ]);
});
log('\n# records: 3 actors, 5 topics, 4 statements, 4 topic links');

// 3. Search.
log('\n# search');
const window = async (q: string) => {
  const search = parseSearch(q);
  const hits = await rows<{ doc: number; score: number; tokens: number }>(db, rankingWindow(search));
  const marks = await rows<{ doc: number; snippet: string }>(
    db,
    snippets(
      search,
      hits.map((h) => h.doc),
    ),
  );
  return { search, hits, marks: new Map(marks.map((m) => [m.doc, m.snippet])) };
};
const expectations: [string, number[]][] = [
  ['talks TTP', [1]],
  ['khawarij', [2]], // a word of the text (and of the topic's alias)
  ['"not holding talks"', [1]],
  ['"holding not talks"', []],
  ['terror*', [2, 3]], // prefix: terrorists, terrorist
  ['Besham', [3]], // a topic's alias
  ['counter terrorism', []], // statements are filed under "ttp", whose name is not its parent's: no match
  ['afghan -taliban', [2]], // s1's context says Taliban
  ['engineers OR sanctuaries', [2, 3]],
  ['zahra', []], // the speaker's name is not indexed (neither on SQLite)
  ['TALIBAN’s', [1]], // case, and the apostrophe is no letter
  ['"al-Khawarij"', [2]],
  ['NEAR(talks ttp) "unclosed', []], // any text is a query: FTS syntax in it is just words
];
for (const [q, want] of expectations) {
  const { search, hits, marks } = await window(q);
  const docs = hits.map((h) => h.doc).sort();
  log(`${JSON.stringify(q)} → tsquery ${toTsquery(search)} → docs ${JSON.stringify(docs)}`);
  for (const hit of hits.slice(0, 2)) log(`    ${hit.doc} score ${hit.score.toFixed(4)} tokens ${hit.tokens}: ${marks.get(hit.doc)}`);
  assert.deepEqual(docs, want, q);
}
const accented = await window('Zahrā');
log(`accents: "Zahrā" finds ${accented.hits.length} (speaker names are not indexed); "zahra" in text:`);
await writeTransaction(db, (tx) => tx.update(t.statements).set({ context: 'A question to Ms Zahrā Baloch.' }).where(sql`id = 's4'`));
for (const q of ['zahra', 'Zahrā', 'ZAHRĀ']) {
  const found = (await window(q)).hits.map((h) => h.doc);
  log(`    ${JSON.stringify(q)} → ${JSON.stringify(found)}`);
  assert.deepEqual(found, [4]);
}

// 4. Topic subtree, ancestry and counts.
log('\n# topics');
const subtree = await rows<{ id: string; depth: number }>(
  db,
  sql`WITH RECURSIVE sub(id, depth) AS (
        SELECT id, 0 FROM topics WHERE id = 'counter-terrorism'
        UNION ALL SELECT t.id, sub.depth + 1 FROM topics t JOIN sub ON t.parent_id = sub.id)
      SELECT id, depth FROM sub ORDER BY depth, id`,
);
log(`subtree of counter-terrorism (recursive CTE): ${subtree.map((r) => `${r.id}@${r.depth}`).join(', ')}`);
const viaAncestors = await rows<{ topic_id: string }>(
  db,
  sql`SELECT topic_id FROM topic_ancestors WHERE ancestor_id = 'counter-terrorism' ORDER BY topic_id`,
);
assert.deepEqual(
  viaAncestors.map((r) => r.topic_id),
  subtree.map((r) => r.id).sort(),
);
const under = async (topic: string) =>
  (
    await rows<{ statement_id: string }>(
      db,
      sql`SELECT statement_id FROM statement_topic_ancestors WHERE ancestor_id = ${topic} ORDER BY stated_on DESC, statement_id`,
    )
  ).map((r) => r.statement_id);
const counts = async () =>
  rows<{ ancestor_id: string; month: string; statements: number }>(
    db,
    sql`SELECT ancestor_id, month, statements FROM topic_month_counts WHERE statements > 0 ORDER BY ancestor_id, month`,
  );
const monthly = async () =>
  rows<{ month: string; statements: number }>(db, sql`SELECT month, statements FROM month_counts WHERE statements > 0 ORDER BY month`);
log(
  `statements under counter-terrorism: ${JSON.stringify(await under('counter-terrorism'))}, under '*': ${JSON.stringify(await under('*'))}`,
);
log(`topic_month_counts: ${(await counts()).map((c) => `${c.ancestor_id}/${c.month}=${c.statements}`).join(' ')}`);
log(`month_counts: ${(await monthly()).map((c) => `${c.month || "''"}=${c.statements}`).join(' ')}`);
assert.deepEqual(await under('counter-terrorism'), ['s1', 's2', 's3']);
assert.deepEqual(await monthly(), [
  { month: '', statements: 1 },
  { month: '2024-03', statements: 1 },
  { month: '2024-04', statements: 2 },
]);

// A move: ttp (with talks-with-ttp) goes under afghanistan; the counts follow.
await writeTransaction(db, (tx) => tx.update(t.topics).set({ parentId: 'afghanistan' }).where(sql`id = 'ttp'`));
log(
  `moved ttp under afghanistan: under counter-terrorism ${JSON.stringify(await under('counter-terrorism'))}, under afghanistan ${JSON.stringify(await under('afghanistan'))}`,
);
assert.deepEqual(await under('counter-terrorism'), ['s3']);
assert.deepEqual(await under('afghanistan'), ['s1', 's2']);
// A date changed: the ancestor rows and both counts move month.
await writeTransaction(db, (tx) => tx.update(t.statements).set({ statedOn: '2024-05-01' }).where(sql`id = 's3'`));
log(`s3 redated to May: month_counts ${(await monthly()).map((c) => `${c.month || "''"}=${c.statements}`).join(' ')}`);
// A rename: the statements filed under the topic are found by the new alias.
await writeTransaction(db, (tx) =>
  tx
    .update(t.topics)
    .set({ aliases: ['Besham', 'Dasu convoy'] })
    .where(sql`id = 'bisham-attack'`),
);
const renamed = (await window('dasu')).hits.map((h) => h.doc);
log(`alias "Dasu convoy" added to bisham-attack: "dasu" finds ${JSON.stringify(renamed)}`);
assert.deepEqual(renamed, [3]);
// A delete: its links, ancestor rows, search document and counts go.
await writeTransaction(db, (tx) => tx.delete(t.statements).where(sql`id = 's3'`));
const afterDelete = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM statements_search`);
log(
  `s3 deleted: ${afterDelete[0]?.n} search documents, month_counts ${(await monthly()).map((c) => `${c.month || "''"}=${c.statements}`).join(' ')}`,
);
assert.equal(afterDelete[0]?.n, 3);

// 5. COPY 10,000 statements and their topic links, in one transaction.
log('\n# COPY');
const client = await db.$client.connect();
const N = Number(process.env.SMOKE_ROWS ?? 10_000);
const words = ['talks', 'security', 'border', 'trade', 'visa', 'water', 'climate', 'nuclear', 'refugees', 'elections'];
at = performance.now();
try {
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock(726002)');
  const copied = await copyRows(
    client,
    'statements',
    ['id', 'doc', 'text', 'kind', 'speaker_id', 'stated_on', 'context', 'created_at', 'updated_at'],
    (function* () {
      for (let i = 0; i < N; i++) {
        const day = String((i % 28) + 1).padStart(2, '0');
        const month = String((i % 12) + 1).padStart(2, '0');
        const text = `Statement ${i} on ${words[i % 10]} and ${words[(i * 7) % 10]}: the spokesperson said\tthat "nothing" changed.${i === 4242 ? ' Rarissimo.' : ''}`;
        yield [
          `bulk-${i}`,
          100 + i,
          text,
          i % 3 ? 'quote' : 'paraphrase',
          'pakistan',
          `2023-${month}-${day}`,
          i % 5 ? null : 'A question\nover two lines',
          now,
          now,
        ];
      }
    })(),
  );
  const linked = await copyRows(
    client,
    'statement_topics',
    ['statement_id', 'topic_id', 'ord'],
    (function* () {
      for (let i = 0; i < N; i++) yield [`bulk-${i}`, i % 2 ? 'talks-with-ttp' : 'bisham-attack', 0];
    })(),
  );
  await client.query('COMMIT');
  log(`copied ${copied} statements and ${linked} links, triggers included: ${ms(at)}`);
} catch (error) {
  await client.query('ROLLBACK');
  throw error;
} finally {
  client.release();
}
const [totals] = await rows<{ statements: number; documents: number; under: number; counted: number }>(
  db,
  sql`SELECT (SELECT count(*)::int FROM statements) AS statements, (SELECT count(*)::int FROM statements_search) AS documents,
             (SELECT count(*)::int FROM statement_topic_ancestors WHERE ancestor_id = '*') AS under,
             (SELECT sum(statements)::int FROM month_counts) AS counted`,
);
log(`after COPY: ${JSON.stringify(totals)}`);
assert.deepEqual(totals, { statements: N + 3, documents: N + 3, under: N + 2, counted: N + 3 });
const byMonth = await rows<{ month: string; statements: number }>(
  db,
  sql`SELECT month, statements FROM topic_month_counts WHERE ancestor_id = 'afghanistan' AND month LIKE '2023-%' ORDER BY month LIMIT 3`,
);
log(`afghanistan (talks-with-ttp moved under it) by month: ${byMonth.map((r) => `${r.month}=${r.statements}`).join(' ')} …`);
at = performance.now();
const finisher = await db.$client.connect();
await finishBulkLoad(finisher);
finisher.release();
log(`finishBulkLoad (GIN pending list merged, ANALYZE): ${ms(at)}`);

// The ranking window: a common word reads a hundred matches newest first; a rare one reads the GIN index.
for (const q of ['talks', 'rarissimo', 'secur*', 'talks security -elections']) {
  const search = parseSearch(q);
  at = performance.now();
  const hits = await rows<{ doc: number; score: number }>(db, rankingWindow(search));
  const took = ms(at);
  const plan = await rows<{ 'QUERY PLAN': string }>(db, sql`EXPLAIN ${rankingWindow(search)}`);
  const access = plan.map((p) => p['QUERY PLAN']).find((p) => /Scan/.test(p) && /statements_search/.test(p)) ?? '';
  log(`${JSON.stringify(q)}: ${hits.length} ranked in ${took}; reads ${access.trim().replace(/\s+\(cost.*$/, '')}`);
}
const [matches] = await rows<{ n: number }>(
  db,
  sql`SELECT count(*)::int AS n FROM statements_search WHERE document @@ to_tsquery('public.statements_words', 'talks')`,
);
log(`all matches of "talks" (count=true reads them all): ${matches?.n}`);
const filtered = await rows<{ doc: number }>(db, rankingWindow(parseSearch('talks'), [sql`"statements"."stated_on" >= '2023-12-01'`], 5));
log(`"talks" from 2023-12-01, window of 5: docs ${JSON.stringify(filtered.map((r) => r.doc))}`);

// 6. Backup.
log('\n# backup');
const folder = mkdtempSync(join(tmpdir(), 'statements-backup-'));
const file = join(folder, 'statements.dump');
at = performance.now();
await backup(url, file);
log(`pg_dump custom format: ${statSync(file).size} bytes in ${ms(at)}`);
rmSync(folder, { recursive: true, force: true });

await closePostgres(handles);
log(`\nsmoke: all checks passed in ${ms(started)}`);
