// The lean baseline on PostgreSQL (`npm run bench -- --engine postgres`): the leanest PostgreSQL shape that
// answers the bench's read shapes with the service's JSON, mirroring test/bench/lean.ts, and its load.
// `tsx test/bench/lean-pg-load.ts <database URL> <archive.ndjson>` creates that database (C collation, so text
// sorts as the service's "C" columns do), loads the archive's bundles with COPY, and prints
// { statements, seconds, bytes } as JSON. It shares nothing with our schema: no triggers, no change feed.
//
// - `statements`: one row per statement, its primary key the sort key (stated_on, id), the table CLUSTERed on it
//   after the load, so a page newest first, a date-range page and a cursor page are each one range scan; its five
//   link arrays are one jsonb column (`links`); `verified` is worked out at the load from the cited sources' texts.
//   A unique index on id for a statement by id.
// - `statement_topic(topic_id, stated_on, id)`: each statement under each of its topics and every ancestor of
//   those (once each), the sort key copied in, so a topic subtree + date range page is one index-only range scan,
//   then a lookup per row shown.
// - actors, topics, events (participant ids inline), sources (with their text), positions (evidence inline).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { normalizeForMatch } from '../../src/lib/quotes.js';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';
import { copyRows } from '../../src/storage/postgres/client.js';
import { leanRow, quoteVerified, topicsUnder } from './lean.js';

export const LEAN_PG_SCHEMA = `
CREATE TABLE actors (id text PRIMARY KEY, name text NOT NULL, kind text NOT NULL, country_code text, parent_id text,
  aliases jsonb NOT NULL, description text, created_at text NOT NULL, updated_at text NOT NULL, version integer NOT NULL);
CREATE TABLE topics (id text PRIMARY KEY, name text NOT NULL, parent_id text, aliases jsonb NOT NULL, description text,
  created_at text NOT NULL, updated_at text NOT NULL, version integer NOT NULL);
CREATE TABLE events (id text PRIMARY KEY, kind text NOT NULL, title text NOT NULL, start_date text, end_date text, location text,
  host_id text, participant_ids jsonb NOT NULL, created_at text NOT NULL, updated_at text NOT NULL, version integer NOT NULL);
CREATE TABLE sources (id text PRIMARY KEY, kind text NOT NULL, title text NOT NULL, publisher text, author text, url text,
  published_on text, language text, text text, created_at text NOT NULL, updated_at text NOT NULL, version integer NOT NULL);
CREATE TABLE positions (id text PRIMARY KEY, actor_id text NOT NULL, topic_id text NOT NULL, stance text NOT NULL, summary text NOT NULL,
  valid_from text, valid_to text, evidence jsonb NOT NULL, created_at text NOT NULL, updated_at text NOT NULL, version integer NOT NULL);
CREATE TABLE statements (stated_on text NOT NULL, id text NOT NULL, doc integer NOT NULL, text text NOT NULL, kind text NOT NULL,
  speaker_id text NOT NULL, on_behalf_of_id text, speaker_role text, event_id text, context text, language text,
  links jsonb NOT NULL, verified boolean, created_at text NOT NULL, updated_at text NOT NULL, version integer NOT NULL);
CREATE TABLE statement_topic (topic_id text NOT NULL, stated_on text NOT NULL, id text NOT NULL);
`;
/** Built once the rows are in, as a bulk load builds its indexes; then the statements in key order. */
export const LEAN_PG_INDEXES = `
ALTER TABLE statements ADD PRIMARY KEY (stated_on, id);
CREATE UNIQUE INDEX statements_id ON statements (id);
ALTER TABLE statement_topic ADD PRIMARY KEY (topic_id, stated_on, id);
CLUSTER statements USING statements_pkey;
`;

const COLUMNS = {
  actors: ['id', 'name', 'kind', 'country_code', 'parent_id', 'aliases', 'description', 'created_at', 'updated_at', 'version'],
  topics: ['id', 'name', 'parent_id', 'aliases', 'description', 'created_at', 'updated_at', 'version'],
  events: [
    'id',
    'kind',
    'title',
    'start_date',
    'end_date',
    'location',
    'host_id',
    'participant_ids',
    'created_at',
    'updated_at',
    'version',
  ],
  sources: ['id', 'kind', 'title', 'publisher', 'author', 'url', 'published_on', 'language', 'text', 'created_at', 'updated_at', 'version'],
  positions: [
    'id',
    'actor_id',
    'topic_id',
    'stance',
    'summary',
    'valid_from',
    'valid_to',
    'evidence',
    'created_at',
    'updated_at',
    'version',
  ],
  statements: [
    'stated_on',
    'id',
    'doc',
    'text',
    'kind',
    'speaker_id',
    'on_behalf_of_id',
    'speaker_role',
    'event_id',
    'context',
    'language',
    'links',
    'verified',
    'created_at',
    'updated_at',
    'version',
  ],
  statement_topic: ['topic_id', 'stated_on', 'id'],
} as const;
type Table = keyof typeof COLUMNS;
// jsonb columns take the values themselves: COPY writes them as JSON.
const jsonb = (value: unknown) => value;

async function load(url: string, archive: string) {
  const started = performance.now();
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const server = new pg.Client({ connectionString: admin.toString() });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${server.escapeIdentifier(name)}`);
  await server.query(`CREATE DATABASE ${server.escapeIdentifier(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(LEAN_PG_SCHEMA);
  const parents = new Map<string, string | null>();
  const texts = new Map<string, string | null>();
  let doc = 0;
  let statements = 0;
  let pending: Record<Table, unknown[][]> = emptyRows();
  let rows = 0;
  const flush = async () => {
    for (const table of Object.keys(COLUMNS) as Table[]) {
      if (pending[table].length) await copyRows(client, table, COLUMNS[table], pending[table]);
    }
    pending = emptyRows();
    rows = 0;
  };
  await client.query('BEGIN');
  for await (const line of createInterface({ input: createReadStream(archive), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (!line) continue;
    const bundle = JSON.parse(line) as Bundle;
    const now = new Date().toISOString();
    for (const a of bundle.actors ?? []) pending.actors.push(leanRow.actor(a, now, jsonb));
    for (const t of bundle.topics ?? []) {
      pending.topics.push(leanRow.topic(t, now, jsonb));
      parents.set(t.id, t.parentId ?? null);
    }
    for (const s of bundle.sources ?? []) {
      pending.sources.push(leanRow.source(s, now));
      texts.set(s.id, s.text == null ? null : normalizeForMatch(s.text));
    }
    for (const e of bundle.events ?? []) pending.events.push(leanRow.event(e, now, jsonb));
    for (const s of bundle.statements ?? []) {
      if (!s.statedOn) throw new Error(`the lean baseline keys statements by date: ${s.id} has none`);
      doc += 1;
      statements += 1;
      const verified = quoteVerified(s, (id) => texts.get(id) ?? null, normalizeForMatch);
      pending.statements.push(leanRow.statement(s, doc, verified, now, jsonb));
      const under = topicsUnder(s.topicIds ?? [], parents);
      for (const t of under) pending.statement_topic.push([t, s.statedOn, s.id]);
      rows += 1 + under.size;
    }
    for (const p of bundle.positions ?? []) pending.positions.push(leanRow.position(p, now, jsonb));
    if (rows >= 50_000) await flush();
  }
  await flush();
  await client.query('COMMIT');
  await client.query(LEAN_PG_INDEXES);
  // As our bulk load ends (client.ts, finishBulkLoad): every page marked all-visible, statistics fresh.
  await client.query('VACUUM (ANALYZE)');
  const bytes = Number((await client.query('SELECT pg_database_size(current_database()) AS n')).rows[0]?.n);
  await client.end();
  await server.end();
  return { statements, seconds: (performance.now() - started) / 1000, bytes };
}

function emptyRows(): Record<Table, unknown[][]> {
  return Object.fromEntries(Object.keys(COLUMNS).map((t) => [t, []])) as unknown as Record<Table, unknown[][]>;
}

const [url, archive] = process.argv.slice(2) as [string, string];
console.log(JSON.stringify(await load(url, archive)));
