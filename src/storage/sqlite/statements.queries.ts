// Queries over statements: the list with its filters, and the store the shared write path uses.
import type Database from 'better-sqlite3';
import { and, count, desc, eq, getTableColumns, getTableName, gt, gte, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { QueryBuilder } from 'drizzle-orm/sqlite-core';
import { LRUCache } from 'lru-cache';
import { BLANKS } from '../../lib/blanks.js';
import { AppError } from '../../lib/errors.js';
import { applyExpansions } from '../../lib/expand.js';
import { entry } from '../../lib/maps.js';
import { anyOf, type ListQuery, type PageResult, pageInMemory } from '../../lib/pagination.js';
import { normalizeForMatch, quoteVerified } from '../../lib/quotes.js';
import {
  COUNTED_MATCHES,
  type DocSpan,
  estimatedFrequency,
  type Hit,
  mayOccur,
  type NewestMatches,
  parseSearch,
  RANKED_MATCHES,
  type Search,
  scoreHits,
  snippet,
  toFtsQuery,
} from '../../lib/search.js';
import { STATEMENT_EXPANSIONS, type Statement, type StatementFieldValues } from '../../modules/statements/statements.schema.js';
import type { StatementFilterValues } from '../types.js';
import { actorStore } from './actors.queries.js';
import type { Db } from './client.js';
import { eventStore } from './events.queries.js';
import { listPage } from './pagination.js';
import { byKeys, dataVersion, IN_KEYS, type LinkTable, linkedTo, prepared } from './records.js';
import { sourceStore } from './sources.queries.js';
import {
  corpusOf,
  searchIndexDeferred,
  statementsFts,
  statementsFtsSizes,
  tokensOf,
  topicTermsOfLinks,
  topicVocabulary,
} from './statements.fts.js';
import { type BulkSession, rowOf, type Source, type Store, selectValues, stripMeta, tableSource, valuesByKeys, writeRow } from './store.js';
import { actors } from './tables/actors.table.js';
import { events } from './tables/events.table.js';
import { positionEvidence } from './tables/positions.table.js';
import { sources } from './tables/sources.table.js';
import {
  STATEMENT_LINKS,
  type StatementLinks,
  statementActs,
  statementAddressees,
  statementRespondsTo,
  statementSources,
  statements,
  statementTopics,
} from './tables/statements.table.js';
import { topics } from './tables/topics.table.js';
import { statementTopicAncestors } from './topics.ancestry.js';
import { topicStore } from './topics.queries.js';
import { namedIds } from './tree.js';

const link = (
  table: typeof statementSources | typeof statementTopics | typeof statementAddressees | typeof statementActs | typeof statementRespondsTo,
): LinkTable => ({
  table,
  owner: table.statementId,
  value: table.value,
  ord: table.ord,
});
const links = {
  sourceIds: link(statementSources),
  topicIds: link(statementTopics),
  addresseeIds: link(statementAddressees),
  acts: link(statementActs),
  respondsToIds: link(statementRespondsTo),
};

/**
 * Brings a statement's rows in one link table from `before` (its stored array; undefined for a new statement) to
 * `after`, each row by its key (value, statement): the link tables have no index by statement (migrations/0015).
 * An unchanged array writes nothing, and a value that stays only has its `ord` updated, so the topic ancestry
 * and its counts move only for the topics that come or go.
 */
function writeLinks(db: Db, link: LinkTable, id: string, before: readonly string[] | undefined, after: readonly string[]): void {
  if (before && before.length === after.length && before.every((value, i) => value === after[i])) return;
  const text = linkWrites(link);
  const position = new Map(after.map((value, ord) => [value, ord]));
  for (const [ord, value] of (before ?? []).entries()) {
    const now = position.get(value);
    if (now === undefined) prepared(db, text.remove).run(value, id);
    else if (now !== ord) prepared(db, text.reorder).run(now, value, id);
  }
  const had = new Set(before);
  for (const [ord, value] of after.entries()) if (!had.has(value)) prepared(db, text.insert).run(id, value, ord);
}

const linkWritesKept = new WeakMap<LinkTable, { remove: string; reorder: string; insert: string }>();

function linkWrites(link: LinkTable): { remove: string; reorder: string; insert: string } {
  return entry(linkWritesKept, link, () => {
    const table = `"${getTableName(link.table)}"`;
    const key = `"${link.value.name}" = ? AND "${link.owner.name}" = ?`;
    return {
      remove: `DELETE FROM ${table} WHERE ${key}`,
      reorder: `UPDATE ${table} SET "${link.ord.name}" = ? WHERE ${key}`,
      insert: `INSERT INTO ${table} ("${link.owner.name}", "${link.value.name}", "${link.ord.name}") VALUES (?, ?, ?)`,
    };
  });
}

type StatementRow = typeof statements.$inferSelect;

/** Values of statement rows, in the order `fields` names (a source's: see selectValues). */
interface StatementRows {
  values: unknown[][];
  fields: readonly string[];
}

/** Per field order, the maker of a statement's record from its row's values (see recordMaker). */
const recordMakers = new WeakMap<readonly string[], (values: unknown[]) => Statement>();

/**
 * The maker of a statement's record from its row's values, for rows whose fields come in this order: each row
 * is made its record in one step, with no row object between, and its five link arrays come from its `links`
 * column (JSON text, as drizzle's json mode stores it), so nothing else is read. `verified` is left null for
 * verifyQuotes. Field by field: copying a row with rest and spread is slower per row and leaves V8 a slow
 * dictionary-mode object, which the serializer then reads slowly too (docs/performance.md, Reads).
 */
function recordMaker(fields: readonly string[]): (values: unknown[]) => Statement {
  return entry(recordMakers, fields, () => {
    const at = {} as Record<(typeof RECORD_FIELDS)[number], number>;
    for (const name of RECORD_FIELDS) {
      at[name] = fields.indexOf(name);
      if (at[name] < 0) throw new Error(`A statement's record needs its ${name}.`);
    }
    return (v): Statement => {
      const linked = JSON.parse(v[at.links] as string) as StatementLinks;
      return {
        id: v[at.id] as string,
        text: v[at.text] as string,
        kind: v[at.kind] as Statement['kind'],
        speakerId: v[at.speakerId] as string,
        onBehalfOfId: v[at.onBehalfOfId] as string | null,
        speakerRole: v[at.speakerRole] as string | null,
        statedOn: v[at.statedOn] as string | null,
        eventId: v[at.eventId] as string | null,
        context: v[at.context] as string | null,
        language: v[at.language] as string | null,
        sourceIds: linked[0] ?? [],
        topicIds: linked[1] ?? [],
        addresseeIds: linked[2] ?? [],
        acts: (linked[3] ?? []) as Statement['acts'],
        respondsToIds: linked[4] ?? [],
        verified: null,
        createdAt: v[at.createdAt] as string,
        updatedAt: v[at.updatedAt] as string,
        version: v[at.version] as number,
      };
    };
  });
}

/** The row's fields a statement's record is made of. */
const RECORD_FIELDS = [
  'id',
  'text',
  'kind',
  'speakerId',
  'onBehalfOfId',
  'speakerRole',
  'statedOn',
  'eventId',
  'context',
  'language',
  'links',
  'createdAt',
  'updatedAt',
  'version',
] as const satisfies readonly (keyof StatementRow)[];

/** Statement records from rows' values, `verified` not yet set (verifyQuotes). */
const recordsOf = ({ values, fields }: StatementRows): Statement[] => values.map(recordMaker(fields));

/** Records from rows' values, `verified` set: what a get or a page serves. */
const hydrate = (db: Db, rows: StatementRows): Statement[] => verifyQuotes(db, recordsOf(rows));

/** The `links` column of a statement's fields, in STATEMENT_LINKS order. */
const linksOf = (f: StatementFieldValues): StatementLinks => STATEMENT_LINKS.map((name) => f[name] as string[]);

/**
 * Sets `verified` on each record: whether each quote's words stand verbatim in the text of a source it cites,
 * once whitespace and quotation-mark style are normalised; null for paraphrases and for quotes whose sources
 * keep no text. The cited sources' texts are read in one query for the page, when any of them keeps a text
 * (see textedSources).
 */
function verifyQuotes(db: Db, records: Statement[], version?: string): Statement[] {
  const cited = new Set<string>();
  for (const r of records) if (r.kind === 'quote') for (const id of r.sourceIds) cited.add(id);
  if (cited.size === 0) return records;
  const texted = textedSources(db, version);
  if (texted) for (const id of cited) if (!texted.has(id)) cited.delete(id);
  if (cited.size === 0) return records;
  const texts = new Map<string, string>();
  const [statement, keys] = byKeys(db, `SELECT "id", "text" FROM "sources" WHERE "id" ${IN_KEYS} AND "text" IS NOT NULL`, [...cited]);
  for (const row of statement.all(keys) as { id: string; text: string }[]) texts.set(row.id, normalizeForMatch(row.text));
  if (texts.size === 0) return records;
  for (const r of records) if (r.kind === 'quote') r.verified = quoteVerified(r.text, r.sourceIds, texts);
  return records;
}

/** At most this many ids of sources with a text are kept; past it, every page with quotes asks for its sources' texts. */
const TEXTED_KEPT = 1000;
const textedKept = new WeakMap<Database.Statement, { version: string; ids: Set<string> | undefined }>();

/**
 * The ids of the sources that keep a text (usually none or few: most sources are cited, not transcribed), read
 * off their partial index and kept per connection while the data's version is unchanged, so a page of quotes
 * whose sources keep no text asks for none. Undefined (ask for every cited source) inside a transaction, whose
 * rollback would leave the version as it was, and when there are more than TEXTED_KEPT. `known` is the data's
 * version when the request has read it already (a topic page, for the topic's names).
 */
function textedSources(db: Db, known?: string): Set<string> | undefined {
  const read = prepared(db, `SELECT "id" FROM "sources" WHERE "text" IS NOT NULL LIMIT ${TEXTED_KEPT + 1}`);
  if (read.database.inTransaction) return undefined;
  const version = known ?? dataVersion(db);
  let kept = textedKept.get(read);
  if (kept?.version !== version) {
    const ids = read.pluck().all() as string[];
    kept = { version, ids: ids.length > TEXTED_KEPT ? undefined : new Set(ids) };
    textedKept.set(read, kept);
  }
  return kept.ids;
}

export const statementStore: Store<StatementFieldValues, Statement> = {
  collection: 'statements',
  table: statements,
  blank: BLANKS.statements,
  getMany: (db, ids) => hydrate(db, valuesByKeys(db, statements, statements.id, ids)),
  // `verified` is derived from the sources' texts: not a field of the statement's own.
  fieldsOf: (record) => {
    const { verified: _verified, ...fields } = stripMeta(record);
    return fields;
  },
  // The hot path of bulk imports: every statement here is prepared once, and the search index is written
  // from the fields at hand instead of being read back.
  write(db, id, fields, meta, existing, session) {
    const fresh = existing === undefined;
    const doc = fresh ? nextDoc(db, session?.memo) : docOf(db, id);
    // The link arrays go to the row's `links` column and to the link tables (the filters' index), both here;
    // the row first, since the topic link triggers read the statement's topics from it.
    writeRow(db, statements, rowOf(fields, meta, { doc: fresh ? doc : undefined, links: linksOf(fields) }), !fresh);
    for (const name of STATEMENT_LINKS) writeLinks(db, links[name], id, existing?.[name], fields[name]);
    writeSearchIndex(db, doc, fields.text, fields.context, fields.topicIds, fresh, session);
  },
  references: (f, self) => [
    { path: '/speakerId', table: actors, id: f.speakerId },
    { path: '/onBehalfOfId', table: actors, id: f.onBehalfOfId },
    { path: '/eventId', table: events, id: f.eventId },
    ...f.sourceIds.map((id, i) => ({ path: `/sourceIds/${i}`, table: sources, id })),
    ...f.topicIds.map((id, i) => ({ path: `/topicIds/${i}`, table: topics, id })),
    ...f.addresseeIds.map((id, i) => ({ path: `/addresseeIds/${i}`, table: actors, id })),
    // An answer to itself is not a missing statement (on create it does not exist yet): check refuses it.
    ...f.respondsToIds.flatMap((id, i) => (id === self ? [] : [{ path: `/respondsToIds/${i}`, table: statements, id }])),
  ],
  check(_db, id, f) {
    const self = f.respondsToIds.indexOf(id);
    if (self >= 0) {
      throw new AppError('INVALID_RECORD', 'A statement cannot respond to itself.', {
        errors: [{ in: 'body', path: `/respondsToIds/${self}`, message: 'must not be the statement itself' }],
      });
    }
  },
  referrers: [
    { collection: 'statements', field: 'respondsToIds', column: statementRespondsTo.value, owner: statementRespondsTo.statementId },
    { collection: 'positions', field: 'evidence', column: positionEvidence.statementId, owner: positionEvidence.positionId },
  ],
};

/**
 * The doc number of a new statement. In a bulk write the last one is remembered, since only this
 * transaction inserts statements; plain max(doc) is read off the end of its index.
 */
function nextDoc(db: Db, memo: Map<string, unknown> | undefined): number {
  const last =
    (memo?.get('statements.lastDoc') as number | undefined) ??
    (prepared(db, 'SELECT max("doc") FROM "statements"').pluck().get() as number | null) ??
    0;
  memo?.set('statements.lastDoc', last + 1);
  return last + 1;
}
const docOf = (db: Db, id: string) => prepared(db, 'SELECT "doc" FROM "statements" WHERE "id" = ?').pluck().get(id) as number;

interface SearchRow {
  doc: number;
  text: string;
  context: string | null;
  topics: string;
  /** A new doc number, which no index row can hold yet. */
  fresh: boolean;
}

/**
 * The full-text row of one statement: its text, context, and the names and aliases of its topics (as
 * `indexStatements` writes it). A bulk write leaves the rows for the end of its transaction: a write to
 * any other table between two of them makes FTS5 flush its pending terms (at the statement savepoint
 * SQLite opens) into a segment of one document; flushing and merging those cost a sixth to a quarter of
 * an import. Nothing while a bulk load has put the index aside (searchIndexDeferred).
 */
function writeSearchIndex(
  db: Db,
  doc: number,
  text: string,
  context: string | null,
  topicIds: readonly string[],
  fresh: boolean,
  session: BulkSession | undefined,
): void {
  if (searchIndexDeferred(db, session?.memo)) return;
  const terms: string[] = [];
  for (const topicId of topicIds) terms.push(...topicTerms(db, topicId, session?.memo));
  const row: SearchRow = { doc, text, context, topics: terms.join(' \n '), fresh };
  if (session) pendingSearchRows(db, session).push(row);
  else storeSearchRow(db, row);
}

function pendingSearchRows(db: Db, session: BulkSession): SearchRow[] {
  let rows = session.memo.get('statements.search') as SearchRow[] | undefined;
  if (!rows) {
    const pending: SearchRow[] = [];
    session.memo.set('statements.search', pending);
    session.atEnd.set('statements.search', function* () {
      for (const [i, row] of pending.entries()) {
        storeSearchRow(db, row);
        if ((i + 1) % SEARCH_ROWS_A_FLUSH === 0 || i === pending.length - 1) {
          yield;
          flushSearchIndex(db);
        }
        yield;
      }
    });
    rows = pending;
  }
  return rows;
}

/**
 * The full-text rows a bulk write hands FTS5 before it writes them out as a segment (see flushSearchIndex). FTS5
 * holds a transaction's rows in memory and writes them, and merges segments, in one go at the COMMIT, which held
 * the event loop for a bundle's whole index at once. Its merge work at a write is proportional to the pages the
 * write adds, so smaller segments make shorter steps; automerge folds them into larger ones as it did before.
 */
const SEARCH_ROWS_A_FLUSH = 100;

/**
 * Makes FTS5 write the rows it holds as a segment now, inside the transaction (nothing is committed): opening a
 * savepoint syncs every virtual table of the transaction. One step of a bulk write that may pause before and after it.
 */
function flushSearchIndex(db: Db): void {
  db.$client.exec('SAVEPOINT "search_flush"; RELEASE "search_flush"');
}

function storeSearchRow(db: Db, row: SearchRow): void {
  if (!row.fresh) prepared(db, 'DELETE FROM "statements_fts" WHERE "rowid" = ?').run(row.doc);
  prepared(db, 'INSERT INTO "statements_fts" ("rowid", "text", "context", "topics") VALUES (?, ?, ?, ?)').run(
    row.doc,
    row.text,
    row.context,
    row.topics,
  );
}

/** A topic's name and aliases, as the search index holds them; remembered in a bulk write, where topics come first. */
function topicTerms(db: Db, topicId: string, memo: Map<string, unknown> | undefined): string[] {
  const key = `topics.terms:${topicId}`;
  let terms = memo?.get(key) as string[] | undefined;
  if (!terms) {
    const topic = prepared(db, 'SELECT "name", "aliases" FROM "topics" WHERE "id" = ?').get(topicId) as
      | { name: string; aliases: string }
      | undefined;
    terms = topic ? [topic.name, ...(JSON.parse(topic.aliases) as string[])] : [];
    memo?.set(key, terms);
  }
  return terms;
}

/**
 * The statement filters' values as the terms take them (statementTerms): lists split, the topics named resolved
 * to their ids, the search made an FTS5 query; undefined for a filter not given.
 */
function filterValues(db: Db, q: StatementFilterValues) {
  const topicIds = anyOf(q.topic);
  return {
    match: q.q ? toFtsQuery(q.q) : undefined,
    speaker: anyOf(q.speaker),
    onBehalfOf: anyOf(q.onBehalfOf),
    topics: topicIds ? namedIds(db, topics, topicIds) : undefined,
    addressee: anyOf(q.addressee),
    event: anyOf(q.event),
    source: anyOf(q.source),
    respondsTo: anyOf(q.respondsTo),
    kind: anyOf(q.kind),
    act: anyOf(q.act),
    language: anyOf(q.language),
    from: q.from || undefined,
    to: q.to || undefined,
  };
}

type FilterValues = ReturnType<typeof filterValues>;

/** A subquery needs no connection: the terms below are made once per shape of list (see ShapedFilters). */
const subqueries = new QueryBuilder();

/**
 * The WHERE terms of the statement filters, from their values or from placeholders in their place (the
 * same SQL either way: they only test which values are given).
 */
function statementTerms(v: FilterValues): (SQL | undefined)[] {
  return [
    v.match !== undefined
      ? inArray(
          statements.doc,
          subqueries.select({ doc: statementsFts.rowid }).from(statementsFts).where(sql`${statementsFts} MATCH ${v.match}`),
        )
      : undefined,
    v.speaker ? inArray(statements.speakerId, v.speaker) : undefined,
    v.onBehalfOf ? inArray(statements.onBehalfOfId, v.onBehalfOf) : undefined,
    // Statements under the topics, read off the ancestry index within the date range when there is one.
    v.topics
      ? inArray(
          statements.id,
          subqueries
            .select({ id: statementTopicAncestors.statementId })
            .from(statementTopicAncestors)
            .where(
              and(
                inArray(statementTopicAncestors.ancestorId, v.topics),
                v.from !== undefined ? gte(statementTopicAncestors.statedOn, v.from) : undefined,
                v.to !== undefined ? lte(statementTopicAncestors.statedOn, v.to) : undefined,
              ),
            ),
        )
      : undefined,
    linkedTo(statements.id, links.addresseeIds, v.addressee),
    v.event ? inArray(statements.eventId, v.event) : undefined,
    linkedTo(statements.id, links.sourceIds, v.source),
    linkedTo(statements.id, links.respondsToIds, v.respondsTo),
    v.kind ? inArray(statements.kind, v.kind as Statement['kind'][]) : undefined,
    linkedTo(statements.id, links.acts, v.act),
    v.language ? inArray(statements.language, v.language) : undefined,
    v.from !== undefined ? gte(statements.statedOn, v.from) : undefined,
    v.to !== undefined ? lte(statements.statedOn, v.to) : undefined,
  ];
}

/** The WHERE terms of the statement filters, shared by every query over statements. */
export const statementFilters = (db: Db, q: StatementFilterValues) => statementTerms(filterValues(db, q));

const listSpec = {
  collection: 'statements',
  table: statements,
  id: statements.id,
  sortable: { statedOn: statements.statedOn, createdAt: statements.createdAt, updatedAt: statements.updatedAt, id: statements.id },
  defaultSort: '-statedOn',
};

/** A statement's row, every column. */
const statementRows = tableSource(statements);

/** Statements with their token counts in the full-text index: search results sorted by a field. */
const datedMatches: Source = {
  fields: { ...getTableColumns(statements), sizes: statementsFtsSizes.sz },
  from: sql`${statements} inner join ${statementsFts} on ${eq(statementsFts.rowid, statements.doc)} inner join ${statementsFtsSizes} on ${eq(statementsFtsSizes.id, statements.doc)}`,
};

/** A page of statements; with `q`, only matches, by relevance unless sorted otherwise, each with a snippet. */
export function listStatements(db: Db, query: ListQuery & Record<string, unknown>) {
  const q = query as ListQuery & StatementFilterValues;
  if (!q.q) {
    if (q.sort === 'relevance' || q.sort === '-relevance') {
      throw new AppError('VALIDATION_FAILED', 'sort=relevance needs a search: add q.', {
        errors: [{ in: 'query', path: '/sort', message: 'relevance is only available with q' }],
      });
    }
    if (q.topic && (!q.sort || q.sort === 'statedOn' || q.sort === '-statedOn')) {
      // The data's version, read once for the topic's names and the quote check: each read costs about what a
      // small statement does (it opens a read of the WAL index).
      const version = dataVersion(db);
      const topic = oneTopic(db, q.topic, version);
      if (topic) return topicPage(db, query, topic, version);
    }
    const page = listPage(
      listSpec,
      query,
      { values: filterValues(db, q), terms: statementTerms },
      (where, orderBy, limit) => recordsOf(selectValues(db, statementRows, where, orderBy, limit)),
      (where) => db.select({ n: count() }).from(statements).where(where).get()?.n ?? 0,
    );
    return { ...page, data: verifyQuotes(db, page.data) };
  }
  const search = parseSearch(q.q);
  const filters = [...statementFilters(db, { ...q, q: undefined }), sql`${statementsFts} MATCH ${search.expression}`];
  const countMatches = () =>
    db
      .select({ n: count() })
      .from(statements)
      .innerJoin(statementsFts, eq(statementsFts.rowid, statements.doc))
      .where(and(...filters))
      .get()?.n ?? 0;
  const frequency = (expression: string) => remembered(db, `df:${expression}`, () => documentFrequency(db, expression));
  const corpus = corpusOf(prepared(db, 'SELECT "block" FROM "statements_fts_data" WHERE "id" = 1').pluck().get() as Uint8Array | undefined);
  const sort = q.sort ?? 'relevance';
  let page: PageResult<Statement>;
  let docs: number[];
  let scores: Map<number, number>;
  if (sort === 'relevance' || sort === '-relevance') {
    const hits = rankingWindow(db, q, search);
    scores = scoreHits(hits, search, frequency, corpus);
    const ranked = pageInMemory('statements', query, 'relevance', hits, (hit) => scores.get(hit.doc) ?? 0);
    if (ranked.total !== undefined) ranked.total = countMatches();
    // The window read the page's rows whole: they need not be read again.
    page = { ...ranked, data: ranked.data.map((hit) => hit.record()) };
    docs = ranked.data.map((hit) => hit.doc);
  } else {
    // Each record's row, for what ranking reads of it beyond the record (its doc number, its length).
    const rowOf = new Map<Statement, unknown[]>();
    let fields: readonly string[] = [];
    page = listPage(
      listSpec,
      query,
      filters,
      (where, orderBy, limit) => {
        const rows = selectValues(db, datedMatches, where, orderBy, limit);
        fields = rows.fields;
        const make = recordMaker(rows.fields);
        return rows.values.map((values) => {
          const record = make(values);
          rowOf.set(record, values);
          return record;
        });
      },
      countMatches,
    );
    const [doc, sizes] = [fields.indexOf('doc'), fields.indexOf('sizes')] as [number, number];
    docs = page.data.map((record) => rowOf.get(record)?.[doc] as number);
    const topicTerms = topicTermsOf(db, search, page.data);
    scores = scoreHits(
      page.data.map((record, i) => ({
        doc: docs[i] as number,
        text: record.text,
        context: record.context,
        topics: topicTerms[i] ?? '',
        tokens: tokensOf(rowOf.get(record)?.[sizes] as Uint8Array | null),
      })),
      search,
      frequency,
      corpus,
    );
  }
  return {
    ...page,
    data: verifyQuotes(db, page.data).map((record, i) => {
      record.snippet = snippet(record.text, search);
      record.score = scores.get(docs[i] as number) ?? 0;
      return record;
    }),
  };
}

/** A match in the ranking window: what ranking reads of it, and its statement's row, made only for the page. */
type WindowHit = Hit & { record: () => Statement };

/**
 * The newest RANKED_MATCHES matches that pass the filters, with what ranking reads of them: the index walks
 * its rowids backwards and stops there, and each match's statement comes whole, joined by doc number (the
 * index is contentless): its text and context for ranking, its links for its topic terms (topicTermsOf), and
 * the rest for the page, which is then not read again. Only the page's rows are made records.
 */
function rankingWindow(db: Db, q: StatementFilterValues, search: Search): WindowHit[] {
  const others = statementFilters(db, { ...q, q: undefined }).filter((f) => f !== undefined);
  const { values, fields } = selectValues(
    db,
    window,
    and(sql`${statementsFts} MATCH ${search.expression}`, ...others),
    [desc(statementsFts.rowid)],
    RANKED_MATCHES,
  );
  const [doc, text, context, links, sizes] = ['doc', 'text', 'context', 'links', 'sizes'].map((field) => fields.indexOf(field)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const make = recordMaker(fields);
  const topicTerms = mayOccur(search, topicVocabulary(db))
    ? topicTermsOfLinks(
        db,
        values.map((row) => (JSON.parse(row[links] as string) as StatementLinks)[1] ?? []),
      )
    : undefined;
  return values.map((row, i) => ({
    doc: row[doc] as number,
    text: row[text] as string,
    context: row[context] as string | null,
    topics: topicTerms?.[i] ?? '',
    tokens: tokensOf(row[sizes] as Uint8Array | null),
    record: () => make(row),
  }));
}

/**
 * The topic terms of these statements, for counting the search's terms in them, in their order: built from
 * the topic ids each row carries (its `links` column, in the order its full-text row was written with). None
 * are built when no term can occur in any topic's name or aliases (every count would be 0), as for most searches.
 */
function topicTermsOf(db: Db, search: Search, records: readonly Statement[]): string[] {
  if (!mayOccur(search, topicVocabulary(db))) return records.map(() => '');
  return topicTermsOfLinks(
    db,
    records.map((record) => record.topicIds),
  );
}

/** What ranking reads of a match: its statement, and its length in the index. */
const window: Source = {
  fields: { ...getTableColumns(statements), sizes: statementsFtsSizes.sz },
  from: sql`${statementsFts} inner join ${statements} on ${eq(statements.doc, statementsFts.rowid)} inner join ${statementsFtsSizes} on ${eq(statementsFtsSizes.id, statementsFts.rowid)}`,
};

/**
 * The number of statements a term (or phrase) matches, for BM25's weight of the term: counted up to
 * COUNTED_MATCHES, estimated past it (see estimatedFrequency). Counting every match of a common word would
 * read its whole posting list, which grows with the archive; this reads at most a thousand postings, so a
 * common word costs what a rare one does (docs/performance.md, Search).
 */
export function documentFrequency(db: Db, expression: string): number {
  const newest = prepared(
    db,
    `SELECT count(*) AS counted, min("rowid") AS oldest FROM (
       SELECT "rowid" FROM "statements_fts" WHERE "statements_fts" MATCH ? ORDER BY "rowid" DESC LIMIT ${COUNTED_MATCHES})`,
  ).get(expression) as NewestMatches;
  return estimatedFrequency(
    newest,
    () =>
      prepared(db, 'SELECT (SELECT min("doc") FROM "statements") AS first, (SELECT max("doc") FROM "statements") AS last').get() as DocSpan,
  );
}

/**
 * Corpus statistics for ranking (the number of statements, each term's document frequency), remembered
 * per database for ten minutes, 10,000 at most: BM25 hardly moves while the archive grows by a few percent.
 */
const statistics = new WeakMap<Db, LRUCache<string, number>>();

function remembered(db: Db, key: string, compute: () => number): number {
  let kept = statistics.get(db);
  if (!kept) {
    kept = new LRUCache({ max: 10_000, ttl: 10 * 60_000 });
    statistics.set(db, kept);
  }
  let value = kept.get(key);
  if (value === undefined) {
    value = compute();
    kept.set(key, value);
  }
  return value;
}

/** The topic `topic=` names when it names exactly one (by id or alias). */
function oneTopic(db: Db, names: string, version: string): string | undefined {
  const ids = namedIds(db, topics, anyOf(names) ?? [], version);
  return ids.length === 1 ? ids[0] : undefined;
}

/** Statements filed under a topic or its descendants, with the date the ancestry index keeps (see topicPage). */
const topicStatements: Source = {
  fields: { ...getTableColumns(statements), statedOn: statementTopicAncestors.statedOn },
  from: sql`${statementTopicAncestors} inner join ${statements} on ${eq(statements.id, statementTopicAncestors.statementId)}`,
};

/**
 * The WHERE terms of a topic page: the topic and the date range on the ancestry key, so the index is read as a
 * range, and the other statement filters. The key's date is the statement's (or '' when undated, below every
 * date), so the statements' own from/to would only repeat it, and cost a second look at each row: all but
 * `> ''`, which keeps the undated out of a `to` without a `from`.
 */
function topicPageTerms(v: FilterValues & { topic: string }): (SQL | undefined)[] {
  const ancestry = statementTopicAncestors;
  return [
    eq(ancestry.ancestorId, v.topic),
    v.from !== undefined ? gte(ancestry.statedOn, v.from) : v.to !== undefined ? gt(ancestry.statedOn, '') : undefined,
    v.to !== undefined ? lte(ancestry.statedOn, v.to) : undefined,
    ...statementTerms({ ...v, from: undefined, to: undefined }),
  ];
}

/** The topic page's list: one object, so its ORDER BY is built once (listPage). */
const topicSpec = {
  collection: 'statements',
  id: statementTopicAncestors.statementId,
  sortable: { statedOn: statementTopicAncestors.statedOn },
  defaultSort: '-statedOn',
};

/**
 * A page of statements about one topic (or its descendants) by date, read in order off the ancestry index:
 * the page costs the same for a topic with ten statements or a million, on page 1 or page 10,000. The
 * index holds undated statements under '' (sorting where NULL does), which the cursor carries as it is.
 */
function topicPage(db: Db, query: ListQuery & Record<string, unknown>, topicId: string, version: string) {
  const ancestry = statementTopicAncestors;
  const q = query as StatementFilterValues;
  const page = listPage(
    topicSpec,
    query,
    { values: { ...filterValues(db, { ...q, topic: undefined }), topic: topicId }, terms: topicPageTerms },
    (where, orderBy, limit) => recordsOf(selectValues(db, topicStatements, where, orderBy, limit)),
    (where) =>
      db.select({ n: count() }).from(ancestry).innerJoin(statements, eq(statements.id, ancestry.statementId)).where(where).get()?.n ?? 0,
  );
  // The cursor has taken the key's '' as it is; the records serve an undated statement's date as null.
  for (const record of page.data) if (record.statedOn === '') record.statedOn = null;
  return { ...page, data: verifyQuotes(db, page.data, version) };
}

/** What `expand=` embeds in statements. */
export const statementExpansions = {
  names: STATEMENT_EXPANSIONS,
  apply: (db: Db, records: Statement[], requested: string | undefined) =>
    applyExpansions(db, records, requested, {
      speaker: { from: 'speakerId', load: actorStore.getMany },
      onBehalfOf: { from: 'onBehalfOfId', load: actorStore.getMany },
      event: { from: 'eventId', load: eventStore.getMany },
      sources: { from: 'sourceIds', load: sourceStore.getMany },
      topics: { from: 'topicIds', load: topicStore.getMany },
      addressees: { from: 'addresseeIds', load: actorStore.getMany },
      respondsTo: { from: 'respondsToIds', load: statementStore.getMany },
    }),
};
