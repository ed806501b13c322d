// The raw baseline: better-sqlite3 inserting the rows an import of a bundle stores, with prepared statements, in one transaction.
import type Database from 'better-sqlite3';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';
import { REBUILD_SEARCH_INDEX } from '../../src/storage/sqlite/statements.fts.js';

type Row = Record<string, unknown> & { id: string };

/**
 * Inserts what a first import of `bundle` stores: each record's row, its link rows, the statements'
 * full-text rows (unless a bulk load has put the index aside) and, where the schema keeps them, a revision
 * per record (without a state, which the record holds: src/storage/sqlite/revision-log.ts). No reads,
 * no checks, no comparisons: the floor any import path stands on. `sharedStored`: the bundle's actors
 * and topics are already there (an import finds them unchanged and writes nothing for them). `topicTerms`:
 * the names of topics stored by earlier bundles, kept across the bundles of one load. Positions are not
 * written: the import benchmark's bundles carry none; the read benchmark's archive carries about one for
 * every ten statements, so there raw writes less than an import does.
 */
export function rawInsert(
  sqlite: Database.Database,
  bundle: Bundle,
  options: { sharedStored?: boolean; keyName?: string; topicTerms?: Map<string, string[]> } = {},
): void {
  const at = new Date().toISOString();
  const insert = {
    source: sqlite.prepare(
      'INSERT INTO sources (id, kind, title, publisher, author, url, published_on, language, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)',
    ),
    actor: sqlite.prepare(
      'INSERT INTO actors (id, name, kind, country_code, parent_id, aliases, description, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)',
    ),
    topic: sqlite.prepare(
      'INSERT INTO topics (id, name, parent_id, aliases, description, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)',
    ),
    event: sqlite.prepare(
      'INSERT INTO events (id, kind, title, start_date, end_date, location, host_id, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)',
    ),
    participant: sqlite.prepare('INSERT INTO event_participants (event_id, actor_id, ord) VALUES (?, ?, ?)'),
    statement: sqlite.prepare(
      'INSERT INTO statements (id, doc, text, kind, speaker_id, on_behalf_of_id, speaker_role, stated_on, event_id, context, language, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)',
    ),
    statementSource: sqlite.prepare('INSERT INTO statement_sources (statement_id, source_id, ord) VALUES (?, ?, ?)'),
    statementTopic: sqlite.prepare('INSERT INTO statement_topics (statement_id, topic_id, ord) VALUES (?, ?, ?)'),
    statementAddressee: sqlite.prepare('INSERT INTO statement_addressees (statement_id, actor_id, ord) VALUES (?, ?, ?)'),
    statementAct: sqlite.prepare('INSERT INTO statement_acts (statement_id, act, ord) VALUES (?, ?, ?)'),
    statementRespondsTo: sqlite.prepare('INSERT INTO statement_responds_to (statement_id, responds_to_id, ord) VALUES (?, ?, ?)'),
    fts: sqlite.prepare('INSERT INTO statements_fts (rowid, text, context, topics) VALUES (?, ?, ?, ?)'),
  };
  // The change feed, when the schema has one: one row per record written (a create's holds no state).
  const hasRevisions = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'revisions'").get() !== undefined;
  const revision = hasRevisions
    ? sqlite.prepare(
        "INSERT INTO revisions (collection, record_id, version, operation, state, key_name, at) VALUES (?, ?, 1, 'create', NULL, ?, ?)",
      )
    : undefined;
  const keyName = options.keyName ?? null;
  const revise = (collection: string, row: Row) => revision?.run(collection, row.id, keyName, at);

  // As an import: a bulk load builds the full-text index at its end, from the stored rows.
  const searchDeferred = sqlite.prepare('SELECT 1 FROM deferred_work WHERE sql = ?').get(REBUILD_SEARCH_INDEX) !== undefined;
  const lastDoc = sqlite.prepare('SELECT max(doc) FROM statements').pluck();
  // Each topic's name and aliases, for the full-text rows; a load of many bundles passes one map for all.
  const topicTerms = options.topicTerms ?? new Map<string, string[]>();
  for (const t of bundle.topics ?? []) topicTerms.set(t.id, [t.name, ...(t.aliases ?? [])]);
  sqlite
    .transaction(() => {
      for (const s of bundle.sources ?? []) {
        const r = {
          id: s.id,
          kind: s.kind,
          title: s.title,
          publisher: s.publisher ?? null,
          author: s.author ?? null,
          url: s.url ?? null,
          publishedOn: s.publishedOn ?? null,
          language: s.language ?? null,
        };
        insert.source.run(r.id, r.kind, r.title, r.publisher, r.author, r.url, r.publishedOn, r.language, at, at);
        revise('sources', r);
      }
      if (!options.sharedStored) {
        for (const a of bundle.actors ?? []) {
          const r = {
            id: a.id,
            name: a.name,
            kind: a.kind,
            countryCode: a.countryCode ?? null,
            parentId: a.parentId ?? null,
            aliases: a.aliases ?? [],
            description: a.description ?? null,
          };
          insert.actor.run(r.id, r.name, r.kind, r.countryCode, r.parentId, JSON.stringify(r.aliases), r.description, at, at);
          revise('actors', r);
        }
        for (const t of bundle.topics ?? []) {
          const r = { id: t.id, name: t.name, parentId: t.parentId ?? null, aliases: t.aliases ?? [], description: t.description ?? null };
          insert.topic.run(r.id, r.name, r.parentId, JSON.stringify(r.aliases), r.description, at, at);
          revise('topics', r);
        }
      }
      for (const e of bundle.events ?? []) {
        const r = {
          id: e.id,
          kind: e.kind,
          title: e.title,
          startDate: e.startDate ?? null,
          endDate: e.endDate ?? null,
          location: e.location ?? null,
          hostId: e.hostId ?? null,
          participantIds: e.participantIds ?? [],
        };
        insert.event.run(r.id, r.kind, r.title, r.startDate, r.endDate, r.location, r.hostId, at, at);
        links(insert.participant, r.id, r.participantIds);
        revise('events', r);
      }
      let doc = (lastDoc.get() as number | null) ?? 0;
      const search: [number, string, string | null, string][] = [];
      for (const s of bundle.statements ?? []) {
        doc += 1;
        const r = {
          id: s.id,
          text: s.text,
          kind: s.kind,
          speakerId: s.speakerId,
          onBehalfOfId: s.onBehalfOfId ?? null,
          speakerRole: s.speakerRole ?? null,
          statedOn: s.statedOn ?? null,
          eventId: s.eventId ?? null,
          sourceIds: s.sourceIds,
          topicIds: s.topicIds ?? [],
          addresseeIds: s.addresseeIds ?? [],
          respondsToIds: s.respondsToIds ?? [],
          context: s.context ?? null,
          acts: s.acts ?? [],
          language: s.language ?? null,
        };
        insert.statement.run(
          r.id,
          doc,
          r.text,
          r.kind,
          r.speakerId,
          r.onBehalfOfId,
          r.speakerRole,
          r.statedOn,
          r.eventId,
          r.context,
          r.language,
          at,
          at,
        );
        links(insert.statementSource, r.id, r.sourceIds);
        links(insert.statementTopic, r.id, r.topicIds);
        links(insert.statementAddressee, r.id, r.addresseeIds);
        links(insert.statementAct, r.id, r.acts);
        links(insert.statementRespondsTo, r.id, r.respondsToIds);
        if (!searchDeferred) search.push([doc, r.text, r.context, r.topicIds.flatMap((t) => topicTerms.get(t) ?? []).join(' \n ')]);
        revise('statements', r);
      }
      // After every other row, as the service writes them: a write to another table between two rows of
      // the full-text index makes FTS5 flush its pending terms to a new segment (statement savepoint).
      for (const row of search) insert.fts.run(...row);
    })
    .immediate();
}

function links(insert: Database.Statement, owner: string, values: readonly string[]): void {
  for (let ord = 0; ord < values.length; ord++) insert.run(owner, values[ord], ord);
}
