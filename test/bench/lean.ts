// The lean baseline's storage (issue #21): the leanest SQLite schema that answers the bench's read shapes with
// the service's JSON, and a loader writing the archive's bundles into it with prepared better-sqlite3 statements;
// its rows (`leanRow`) are those PostgreSQL's lean baseline writes too (test/bench/lean-pg-load.ts).
// It shares nothing with our schema: its own file, its own tables, no triggers, no change feed.
//
// - `statements`: one row per statement, clustered by the sort key (stated_on, id), so a page newest first, a
//   date-range page and a cursor page are each one range scan of the table itself; its five link arrays are
//   one JSON column (`links`: [sourceIds, topicIds, addresseeIds, acts, respondsToIds]); `verified` is worked
//   out when the statement is written, from the texts of the sources it cites. A unique index on doc maps
//   full-text hits back to rows.
// - `statement_key(id, stated_on)`: a statement's sort key by id, for a statement by id (a table rather than an
//   index on statements(id), which the planner would otherwise pick for the topic page's join, costing a
//   second lookup per row).
// - `statement_topic(topic_id, stated_on, id)`: each statement under each of its topics and every ancestor of
//   those (once each), the sort key copied in, so a topic subtree + date range page is one range scan, then a
//   lookup per row shown.
// - `statements_fts`: contentless FTS5 (the text lives in `statements`) over text, context and topic names.
// - actors, topics, events (participant ids inline), sources (with their text), positions (evidence inline):
//   one row each, keyed by id.
import type Database from 'better-sqlite3';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';

export const LEAN_SCHEMA = `
CREATE TABLE actors (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country_code TEXT, parent_id TEXT,
  aliases TEXT NOT NULL, description TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE topics (id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT, aliases TEXT NOT NULL, description TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE events (id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, start_date TEXT, end_date TEXT, location TEXT,
  host_id TEXT, participant_ids TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, publisher TEXT, author TEXT, url TEXT,
  published_on TEXT, language TEXT, text TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE positions (id TEXT PRIMARY KEY, actor_id TEXT NOT NULL, topic_id TEXT NOT NULL, stance TEXT NOT NULL, summary TEXT NOT NULL,
  valid_from TEXT, valid_to TEXT, evidence TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE statements (stated_on TEXT NOT NULL, id TEXT NOT NULL, doc INTEGER NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL,
  speaker_id TEXT NOT NULL, on_behalf_of_id TEXT, speaker_role TEXT, event_id TEXT, context TEXT, language TEXT,
  links TEXT NOT NULL, verified INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
  PRIMARY KEY (stated_on, id)) WITHOUT ROWID;
CREATE TABLE statement_key (id TEXT PRIMARY KEY, stated_on TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE statement_topic (topic_id TEXT NOT NULL, stated_on TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY (topic_id, stated_on, id)) WITHOUT ROWID;
CREATE VIRTUAL TABLE statements_fts USING fts5(text, context, topics, content = '', tokenize = 'unicode61 remove_diacritics 2');
`;
/** Built once the rows are in, in key order, as a bulk load builds its secondary indexes. */
export const LEAN_INDEXES = `
INSERT INTO statement_key SELECT id, stated_on FROM statements ORDER BY id;
CREATE UNIQUE INDEX statements_doc ON statements (doc);
`;

type Records = Required<Bundle>;
type Encode = (value: unknown) => unknown;
/**
 * A record's row in the lean tables, which both engines' lean baselines share (test/bench/lean-pg-load.ts is
 * PostgreSQL's): its columns in table order, `version` 1 last; `json` encodes the JSON columns (text for SQLite,
 * the value itself for PostgreSQL's jsonb).
 */
export const leanRow = {
  actor: (a: Records['actors'][number], now: string, json: Encode) => [
    a.id,
    a.name,
    a.kind,
    a.countryCode ?? null,
    a.parentId ?? null,
    json(a.aliases ?? []),
    a.description ?? null,
    now,
    now,
    1,
  ],
  topic: (t: Records['topics'][number], now: string, json: Encode) => [
    t.id,
    t.name,
    t.parentId ?? null,
    json(t.aliases ?? []),
    t.description ?? null,
    now,
    now,
    1,
  ],
  source: (s: Records['sources'][number], now: string) => [
    s.id,
    s.kind,
    s.title,
    s.publisher ?? null,
    s.author ?? null,
    s.url ?? null,
    s.publishedOn ?? null,
    s.language ?? null,
    s.text ?? null,
    now,
    now,
    1,
  ],
  event: (e: Records['events'][number], now: string, json: Encode) => [
    e.id,
    e.kind,
    e.title,
    e.startDate ?? null,
    e.endDate ?? null,
    e.location ?? null,
    e.hostId ?? null,
    json(e.participantIds ?? []),
    now,
    now,
    1,
  ],
  position: (p: Records['positions'][number], now: string, json: Encode) => [
    p.id,
    p.actorId,
    p.topicId,
    p.stance,
    p.summary,
    p.validFrom ?? null,
    p.validTo ?? null,
    json(p.evidence),
    now,
    now,
    1,
  ],
  /** `verified` as the engine stores it; the five link arrays as one JSON column. */
  statement: (s: Records['statements'][number], doc: number, verified: unknown, now: string, json: Encode) => [
    s.statedOn,
    s.id,
    doc,
    s.text,
    s.kind,
    s.speakerId,
    s.onBehalfOfId ?? null,
    s.speakerRole ?? null,
    s.eventId ?? null,
    s.context ?? null,
    s.language ?? null,
    json([s.sourceIds, s.topicIds ?? [], s.addresseeIds ?? [], s.acts ?? [], s.respondsToIds ?? []]),
    verified,
    now,
    now,
    1,
  ],
};

/** Whether a quote is found in the texts of the sources it cites (`textOf`: normalized, null without text); null when none has text. */
export function quoteVerified(
  s: Records['statements'][number],
  textOf: (id: string) => string | null,
  normalize: (text: string) => string,
) {
  if (s.kind !== 'quote') return null;
  const cited = s.sourceIds.map(textOf).filter((t) => t !== null);
  return cited.length ? cited.some((t) => t.includes(normalize(s.text))) : null;
}

/** A statement's topics and every ancestor of theirs, once each. */
export function topicsUnder(topicIds: string[], parents: Map<string, string | null>): Set<string> {
  const under = new Set<string>();
  for (const topic of topicIds) {
    let t: string | null | undefined = topic;
    while (t && !under.has(t)) {
      under.add(t);
      t = parents.get(t);
    }
  }
  return under;
}

/** What a load keeps between bundles: topic parents and search terms, the last doc number. */
export interface LeanState {
  parents: Map<string, string | null>;
  terms: Map<string, string>;
  doc: number;
  normalize: (text: string) => string;
}

export function leanStatements(sqlite: Database.Database) {
  const at = () => new Date().toISOString();
  const insert = {
    actor: sqlite.prepare('INSERT INTO actors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    topic: sqlite.prepare('INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    event: sqlite.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    source: sqlite.prepare('INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    position: sqlite.prepare('INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    statement: sqlite.prepare('INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    topicLink: sqlite.prepare('INSERT INTO statement_topic VALUES (?, ?, ?)'),
    fts: sqlite.prepare('INSERT INTO statements_fts (rowid, text, context, topics) VALUES (?, ?, ?, ?)'),
  };
  const sourceText = sqlite.prepare('SELECT text FROM sources WHERE id = ?').pluck();
  const json = (value: unknown) => JSON.stringify(value);

  /** Inserts a bundle's records, one transaction; no reads but the cited sources' texts of quotes. */
  return (bundle: Bundle, state: LeanState) =>
    sqlite
      .transaction(() => {
        const now = at();
        for (const a of bundle.actors ?? []) insert.actor.run(leanRow.actor(a, now, json));
        for (const t of bundle.topics ?? []) {
          insert.topic.run(leanRow.topic(t, now, json));
          state.parents.set(t.id, t.parentId ?? null);
          state.terms.set(t.id, [t.name, ...(t.aliases ?? [])].join(' \n '));
        }
        const texts = new Map<string, string | null>();
        for (const s of bundle.sources ?? []) {
          insert.source.run(leanRow.source(s, now));
          texts.set(s.id, s.text == null ? null : state.normalize(s.text));
        }
        for (const e of bundle.events ?? []) insert.event.run(leanRow.event(e, now, json));
        const textOf = (id: string) => {
          if (!texts.has(id)) {
            const text = sourceText.get(id) as string | null | undefined;
            texts.set(id, text == null ? null : state.normalize(text));
          }
          return texts.get(id) ?? null;
        };
        for (const s of bundle.statements ?? []) {
          if (!s.statedOn) throw new Error(`the lean baseline keys statements by date: ${s.id} has none`);
          const doc = ++state.doc;
          const topicIds = s.topicIds ?? [];
          const verified = quoteVerified(s, textOf, state.normalize);
          insert.statement.run(leanRow.statement(s, doc, verified === null ? null : verified ? 1 : 0, now, json));
          for (const t of topicsUnder(topicIds, state.parents)) insert.topicLink.run(t, s.statedOn, s.id);
          insert.fts.run(doc, s.text, s.context ?? null, topicIds.map((t) => state.terms.get(t) ?? '').join(' \n '));
        }
        for (const p of bundle.positions ?? []) insert.position.run(leanRow.position(p, now, json));
      })
      .immediate();
}
