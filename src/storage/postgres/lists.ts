// Lists on PostgreSQL: keyset pages (SQLite's order: NULL first ascending, last descending; id the final
// tiebreak), each resource's filters, expand=, search over statements, and the stats.
import { type SQL, sql } from 'drizzle-orm';
import { decodeCursor, encodeCursor, type SortValue } from '../../lib/cursor.js';
import { AppError } from '../../lib/errors.js';
import { applyExpansions } from '../../lib/expand.js';
import { entry } from '../../lib/maps.js';
import { anyOf, bindingOf, type ListQuery, type PageResult, pageInMemory } from '../../lib/pagination.js';
import {
  COUNTED_MATCHES,
  type Corpus,
  estimatedFrequency,
  type Hit,
  parseSearch,
  RANKED_MATCHES,
  type Search,
  scoreHits,
  snippet,
} from '../../lib/search.js';
import type { Dimension, StanceMatrix, StatementStats } from '../../modules/stats/stats.schema.js';
import type { Collection, StatementFilterValues } from '../types.js';
import { AND, anyText, first, ident, type Runner, selectList, snake } from './query.js';
import { matchesSearch, tsquery } from './search.js';
import {
  actorStore,
  eventStore,
  hydrateEvents,
  hydratePositions,
  hydrateStatements,
  LINK_AT,
  linkedTo,
  namedIds,
  participants,
  STATEMENT_AT,
  STATEMENT_LINK_ARRAYS,
  STATEMENT_READ,
  type StatementRow,
  type StoredRecord,
  sourceStore,
  statementLinks,
  statementStore,
  topicStore,
  topicsUnder,
} from './stores.js';

type Query = ListQuery & Record<string, unknown>;

/** Where a statement row read as an array holds its doc number. */
const DOC = STATEMENT_AT.doc;

interface Sortable {
  /** The expression sorted on, and whether it may be NULL. */
  key: SQL;
  nullable: boolean;
  /** What stands for NULL in a key that is never NULL (a cursor still carries null, as with the nullable column). */
  nullAs?: string;
}

interface ListSpec {
  collection: string;
  /** `SELECT <fields> FROM <from>`: the rows, each with `id` and every sortable field by its API name. */
  select: SQL;
  id: SQL;
  sortable: Record<string, Sortable>;
  defaultSort: string;
  /** `SELECT count(*) FROM …` without the WHERE. */
  count: SQL;
  /**
   * Rows read as arrays (RowMode `'arrays'`), with where `id` and each sortable field are in them; without it,
   * rows are objects keyed by field.
   */
  arrays?: Record<string, number>;
}

/**
 * The page sizes whose pages run as named statements when `listPage` is told they may (the default and a few
 * usual ones): the LIMIT is in a named statement's text, so each size is a statement of its own on each
 * connection, with a plan the server keeps (some tens of KB each). Other sizes are planned on every request.
 */
const KEPT_PLAN_SIZES = new Set([10, 20, 50, 100]);

/**
 * One page of a list, as SQLite's listPage: the WHERE of the filters and the keyset after the cursor, ORDER BY
 * the sort then the id, one more row than the page to know whether another follows.
 */
async function listPage<Row>(
  run: Runner,
  spec: ListSpec,
  query: Query,
  filters: (SQL | undefined)[],
  /** Run the page's query as a named statement (query.ts's `named`): for a shape whose plan does not hang on its values. */
  named = false,
): Promise<PageResult<Row>> {
  const sort = query.sort ?? spec.defaultSort;
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const sortable = spec.sortable[field] ?? { key: spec.id, nullable: false };
  const byId = sortable.key === spec.id;
  const arrays = spec.arrays;
  const fieldOf = (row: Row, name: string) =>
    (arrays ? (row as unknown[])[arrays[name] as number] : (row as Record<string, unknown>)[name]) as SortValue;
  const binding = bindingOf(spec.collection, sort, query);
  // SQLite sorts NULL first ascending and last descending: so does this, and the cursors rely on it. Said only
  // of a column that can be NULL: an index serves an ORDER BY only when its NULLS order is the index's (read
  // forwards or backwards), and the indexes of columns that are never NULL keep PostgreSQL's default.
  const direction = sql.raw(descending ? 'DESC' : 'ASC');
  const nulls = sql.raw(descending ? 'DESC NULLS LAST' : 'ASC NULLS FIRST');
  const orderBy = byId
    ? sql`${spec.id} ${direction}`
    : sql`${sortable.key} ${sortable.nullable ? nulls : direction}, ${spec.id} ${direction}`;
  const filter = AND(filters);
  const wanted = query.limit + 1;
  const select = (where: SQL | undefined, limit: number) => {
    // A named statement's limit is in its text (query.ts's `named`), so only a few sizes are named statements.
    const keep = named && limit === wanted && KEPT_PLAN_SIZES.has(query.limit);
    const text = sql`${spec.select}${where ? sql` WHERE ${where}` : sql``} ORDER BY ${orderBy} LIMIT ${keep ? sql.raw(String(limit)) : limit}`;
    const rows = arrays ? 'arrays' : 'objects';
    return keep ? run.named<Row>(text, rows) : run.all<Row>(text, rows);
  };
  let rows: Row[];
  if (query.cursor) {
    const [carried, lastId] = decodeCursor(query.cursor, binding);
    const value = carried === null && sortable.nullAs !== undefined ? sortable.nullAs : carried;
    rows = [];
    for (const stretch of after(sortable.key, spec.id, byId, value, lastId, descending, sortable.nullable)) {
      rows.push(...(await select(AND([filter, stretch]), wanted - rows.length)));
      if (rows.length === wanted) break;
    }
  } else {
    rows = await select(filter, wanted);
  }
  const more = rows.length > query.limit;
  const data = more ? rows.slice(0, query.limit) : rows;
  const last = data.at(-1);
  const lastValue = last ? fieldOf(last, field) : null;
  let total: number | undefined;
  if (query.count) {
    const counted = await first<{ n: number }>(run, sql`${spec.count}${filter ? sql` WHERE ${filter}` : sql``}`);
    total = Number(counted?.n ?? 0);
  }
  return {
    data,
    nextCursor: more && last ? encodeCursor(binding, lastValue ?? null, fieldOf(last, 'id') as string) : null,
    ...(total !== undefined ? { total } : {}),
  };
}

/** The rows after (value, id) in the sort order, as stretches in that order (see SQLite's pagination.ts). */
function after(key: SQL, id: SQL, byId: boolean, value: SortValue, lastId: string, descending: boolean, nullable: boolean): SQL[] {
  const beyond = sql.raw(descending ? '<' : '>');
  if (byId) return [sql`${id} ${beyond} ${lastId}`];
  if (value === null) {
    const nullTail = sql`${key} IS NULL AND ${id} ${beyond} ${lastId}`;
    return descending ? [nullTail] : [nullTail, sql`${key} IS NOT NULL`];
  }
  const rest = sql`(${key}, ${id}) ${beyond} (${value}, ${lastId})`;
  return descending && nullable ? [rest, sql`${key} IS NULL`] : [rest];
}

const column = (table: string, name: string, nullable = false): Sortable => ({ key: sql.raw(`"${table}"."${name}"`), nullable });
const META_SORTS = (table: string) => ({ createdAt: column(table, 'created_at'), updatedAt: column(table, 'updated_at') });

function tableSpec(table: string, columns: readonly string[], sortable: Record<string, Sortable>, defaultSort: string): ListSpec {
  return {
    collection: table,
    select: sql`SELECT ${selectList(columns, table)} FROM ${ident(table)}`,
    id: sql.raw(`"${table}"."id"`),
    sortable: { id: column(table, 'id'), ...META_SORTS(table), ...sortable },
    defaultSort,
    count: sql`SELECT count(*)::int AS "n" FROM ${ident(table)}`,
  };
}

const inAny = (expr: string, value: unknown) => (value ? sql`${sql.raw(expr)} = ${anyText(anyOf(value as string) ?? [])}` : undefined);

async function listSources(run: Runner, query: Query) {
  const q = query as Record<string, string | undefined>;
  return listPage<StoredRecord>(
    run,
    tableSpec(
      'sources',
      sourceStore.columns,
      { publishedOn: column('sources', 'published_on', true), title: column('sources', 'title') },
      'id',
    ),
    query,
    [
      inAny('"sources"."kind"', q.kind),
      q.publisher ? sql`"sources"."publisher" = ${q.publisher}` : undefined,
      q.from ? sql`"sources"."published_on" >= ${q.from}` : undefined,
      q.to ? sql`"sources"."published_on" <= ${q.to}` : undefined,
    ],
  );
}

async function listActors(run: Runner, query: Query) {
  const q = query as Record<string, string | undefined>;
  return listPage<StoredRecord>(run, tableSpec('actors', actorStore.columns, { name: column('actors', 'name') }, 'id'), query, [
    inAny('"actors"."id"', q.id),
    inAny('"actors"."kind"', q.kind),
    inAny('"actors"."country_code"', q.countryCode),
    inAny('"actors"."parent_id"', q.parent),
  ]);
}

async function listTopics(run: Runner, query: Query, topics: TopicNames) {
  const q = query as Record<string, unknown>;
  return listPage<StoredRecord>(run, tableSpec('topics', topicStore.columns, { name: column('topics', 'name') }, 'id'), query, [
    inAny('"topics"."id"', q.id),
    inAny('"topics"."parent_id"', q.parent),
    q.root === undefined ? undefined : q.root ? sql`"topics"."parent_id" IS NULL` : sql`"topics"."parent_id" IS NOT NULL`,
    q.within ? sql`"topics"."id" IN ${topicsUnder(await topics.ids(run, anyOf(q.within as string) ?? []))}` : undefined,
  ]);
}

async function listEvents(run: Runner, query: Query) {
  const q = query as Record<string, string | undefined>;
  const page = await listPage<StoredRecord>(
    run,
    tableSpec('events', eventStore.columns, { startDate: column('events', 'start_date', true), title: column('events', 'title') }, 'id'),
    query,
    [
      inAny('"events"."kind"', q.kind),
      inAny('"events"."host_id"', q.host),
      linkedTo(sql.raw('"events"."id"'), participants, anyOf(q.participant)),
      q.from ? sql`"events"."start_date" >= ${q.from}` : undefined,
      q.to ? sql`"events"."start_date" <= ${q.to}` : undefined,
    ],
  );
  return { ...page, data: await hydrateEvents(run, page.data) };
}

/** The WHERE terms of the position filters, shared by the list and the stance matrix. */
async function positionFilters(run: Runner, q: Record<string, unknown>, topics: TopicNames): Promise<(SQL | undefined)[]> {
  return [
    inAny('"positions"."actor_id"', q.actor),
    q.topic ? sql`"positions"."topic_id" IN ${topicsUnder(await topics.ids(run, anyOf(q.topic as string) ?? []))}` : undefined,
    inAny('"positions"."stance"', q.stance),
    linkedTo(
      sql.raw('"positions"."id"'),
      { table: 'position_evidence', owner: 'position_id', value: 'statement_id' },
      anyOf(q.evidence as string),
    ),
    q.asOf
      ? sql`"positions"."valid_from" <= ${q.asOf} AND ("positions"."valid_to" IS NULL OR "positions"."valid_to" > ${q.asOf})`
      : undefined,
  ];
}

const positionSpec = tableSpec(
  'positions',
  ['id', 'actorId', 'topicId', 'stance', 'summary', 'validFrom', 'validTo', 'createdAt', 'updatedAt', 'version'],
  { validFrom: column('positions', 'valid_from', true) },
  'validFrom',
);

async function listPositions(run: Runner, query: Query, topics: TopicNames) {
  const page = await listPage<StoredRecord>(run, positionSpec, query, await positionFilters(run, query, topics));
  return { ...page, data: await hydratePositions(run, page.data) };
}

/** The WHERE terms of the statement filters (not `q`), shared by every query over statements. */
async function statementFilters(run: Runner, q: StatementFilterValues, topics: TopicNames): Promise<(SQL | undefined)[]> {
  const topicIds = anyOf(q.topic);
  const id = sql.raw('"statements"."id"');
  return [
    inAny('"statements"."speaker_id"', q.speaker),
    inAny('"statements"."on_behalf_of_id"', q.onBehalfOf),
    // The date range on the ancestry key too, so the subtree is read as a range (as on SQLite).
    topicIds
      ? sql`"statements"."id" IN (SELECT a."statement_id" FROM "statement_topic_ancestors" a WHERE ${AND([
          sql`a."ancestor_id" = ${anyText(await topics.ids(run, topicIds))}`,
          q.from ? sql`a."stated_on" >= ${q.from}` : undefined,
          q.to ? sql`a."stated_on" <= ${q.to}` : undefined,
        ])})`
      : undefined,
    linkedTo(id, statementLinks.addresseeIds, anyOf(q.addressee)),
    inAny('"statements"."event_id"', q.event),
    linkedTo(id, statementLinks.sourceIds, anyOf(q.source)),
    linkedTo(id, statementLinks.respondsToIds, anyOf(q.respondsTo)),
    inAny('"statements"."kind"', q.kind),
    linkedTo(id, statementLinks.acts, anyOf(q.act)),
    inAny('"statements"."language"', q.language),
    q.from ? sql`"statements"."stated_on" >= ${q.from}` : undefined,
    q.to ? sql`"statements"."stated_on" <= ${q.to}` : undefined,
  ];
}

/** Statement pages read their rows as arrays (stores.ts's STATEMENT_AT), which hydrateStatements makes records of. */
const statementSpec: ListSpec = {
  ...tableSpec('statements', STATEMENT_READ, { statedOn: column('statements', 'stated_on', true) }, '-statedOn'),
  select: sql`SELECT ${selectList(STATEMENT_READ, 'statements')}, ${STATEMENT_LINK_ARRAYS} FROM "statements"`,
  arrays: STATEMENT_AT,
};

const ANCESTRY_JOIN = sql.raw(
  '"statement_topic_ancestors" JOIN "statements" ON "statements"."id" = "statement_topic_ancestors"."statement_id"',
);

/**
 * Statements under one topic by date, read in order off statement_topic_ancestors' key (ancestor, date, id),
 * then their rows: the page costs the same for a topic with ten statements or all of them. The key holds an
 * undated statement under '' (below every date: where NULL sorts), which `nullAs` maps from the cursor's null.
 */
const topicSelect = (extra: string) =>
  sql`SELECT ${sql.raw(
    STATEMENT_READ.map((f) =>
      f === 'statedOn' ? `NULLIF("statement_topic_ancestors"."stated_on", '') AS "statedOn"` : `"statements"."${snake(f)}" AS "${f}"`,
    ).join(', '),
  )}, ${STATEMENT_LINK_ARRAYS}${sql.raw(extra)} FROM ${ANCESTRY_JOIN}`;
const topicSpec: ListSpec = {
  collection: 'statements',
  select: topicSelect(''),
  id: sql.raw('"statement_topic_ancestors"."statement_id"'),
  sortable: { statedOn: { key: sql.raw('"statement_topic_ancestors"."stated_on"'), nullable: false, nullAs: '' } },
  defaultSort: '-statedOn',
  count: sql`SELECT count(*)::int AS "n" FROM ${ANCESTRY_JOIN}`,
  arrays: STATEMENT_AT,
};

/**
 * topicSpec whose rows also carry the newest revision their query saw (`seenSeq`, read once per query, in the
 * page's own snapshot): what the data version is made of (index.ts's `version()`), so that the topic names the
 * page was asked by can be checked against the data the page was read from (listStatements).
 */
const topicSeenSpec: ListSpec = { ...topicSpec, select: topicSelect(`, (SELECT max("seq")::text FROM "revisions") AS "seenSeq"`) };

/** A page of one topic's subtree by date (see topicSpec): the date range on the key, the other filters on the rows. */
async function topicPage(run: Runner, query: Query, topicId: string, topics: TopicNames, seen = false) {
  const q = query as Query & StatementFilterValues;
  const key = '"statement_topic_ancestors"."stated_on"';
  const others = await statementFilters(run, { ...q, topic: undefined }, topics);
  return listPage<StatementRow>(
    run,
    seen ? topicSeenSpec : topicSpec,
    query,
    [
      sql`"statement_topic_ancestors"."ancestor_id" = ${topicId}`,
      q.from ? sql`${sql.raw(key)} >= ${q.from}` : undefined,
      q.to ? sql`${sql.raw(key)} <= ${q.to}` : undefined,
      ...others,
    ],
    datesOnly(others, q),
  );
}

/**
 * Whether a page by date has no filter but the dates: then its plan is the same whatever the values (the date
 * key read in order from one end of the range, a row looked up per statement shown), so it runs as a named
 * statement, planned once per connection instead of on every request (planning the topic page's join cost more
 * than running it). Other filters are planned with their values (a rare speaker is read first).
 */
const datesOnly = (filters: (SQL | undefined)[], q: StatementFilterValues) =>
  filters.filter((f) => f !== undefined).length === (q.from ? 1 : 0) + (q.to ? 1 : 0);

/** A page of statements; with `q`, only matches, by relevance unless sorted otherwise, each with a snippet and score. */
async function listStatements(run: Runner, query: Query, { corpus, topics }: ReadCaches) {
  const q = query as Query & StatementFilterValues;
  if (!q.q) {
    if (q.sort === 'relevance' || q.sort === '-relevance') {
      throw new AppError('VALIDATION_FAILED', 'sort=relevance needs a search: add q.', {
        errors: [{ in: 'query', path: '/sort', message: 'relevance is only available with q' }],
      });
    }
    const byDate = !q.sort || q.sort === 'statedOn' || q.sort === '-statedOn';
    if (q.topic && byDate && !run.inTransaction) {
      // The kept topic names, without asking the data version first (a round trip of its own on every request):
      // the page's query reads the newest revision in its own snapshot, and the page stands only when the names
      // were kept at that revision. Otherwise (a write since, nothing kept yet, an empty page) it is asked again
      // below, as before.
      const kept = await topics.keptIds(anyOf(q.topic) ?? []);
      if (kept?.ids.length === 1) {
        const page = await topicPage(run, query, kept.ids[0] as string, topics, true);
        const seen = page.data[0]?.[STATEMENT_AT.seenSeq] as string | null | undefined;
        if (seen !== undefined && kept.at === (seen ?? '0')) return { ...page, data: await hydrateStatements(run, page.data) };
      }
    }
    const named = q.topic && byDate ? await topics.ids(run, anyOf(q.topic) ?? []) : [];
    let page: PageResult<StatementRow>;
    if (named.length === 1) page = await topicPage(run, query, named[0] as string, topics);
    else {
      const filters = await statementFilters(run, q, topics);
      page = await listPage<StatementRow>(run, statementSpec, query, filters, byDate && datesOnly(filters, q));
    }
    return { ...page, data: await hydrateStatements(run, page.data) };
  }
  const search = parseSearch(q.q);
  const others = (await statementFilters(run, { ...q, q: undefined }, topics)).filter((f): f is SQL => f !== undefined);
  const sort = q.sort ?? 'relevance';
  const stats = await corpus.statistics(run, search);
  let rows: StatementRow[];
  let scores: Map<number, number>;
  let page: PageResult<unknown>;
  if (sort === 'relevance' || sort === '-relevance') {
    const hits = await rankingHits(run, search, others, topics);
    scores = scoreHits(hits, search, (e) => stats.frequency(e), stats.corpus);
    const ranked = pageInMemory('statements', query, 'relevance', hits, (hit) => scores.get(hit.doc) ?? 0);
    if (ranked.total !== undefined) {
      const counted = await first<{ n: number }>(
        run,
        sql`SELECT count(*)::int AS "n" FROM "statements" WHERE ${AND([matchesSearch(search), ...others])}`,
      );
      ranked.total = Number(counted?.n ?? 0);
    }
    const docs = ranked.data.map((h) => h.doc);
    const found = docs.length
      ? await run.all<StatementRow>(
          sql`SELECT ${selectList(STATEMENT_READ, 'statements')}, ${STATEMENT_LINK_ARRAYS} FROM "statements" WHERE "doc" = ANY(${sql.param(docs)}::int[])`,
          'arrays',
        )
      : [];
    const byDoc = new Map(found.map((r) => [r[DOC] as number, r]));
    // Each row is an array: flatMap would spread it.
    rows = docs.map((d) => byDoc.get(d)).filter((r) => r !== undefined);
    page = ranked;
  } else {
    const dated = await listPage<StatementRow>(run, statementSpec, query, [matchesSearch(search), ...others]);
    rows = dated.data;
    scores = scoreHits(
      await hitsOf(
        run,
        rows.map((r) => r[DOC] as number),
        topics,
      ),
      search,
      (e) => stats.frequency(e),
      stats.corpus,
    );
    page = dated;
  }
  const records = await hydrateStatements(run, rows);
  return {
    ...page,
    data: records.map((record, i) => {
      record.snippet = snippet(record.text as string, search);
      record.score = scores.get(rows[i]?.[DOC] as number) ?? 0;
      return record;
    }),
  };
}

/**
 * The newest RANKED_MATCHES matches that pass the filters, with what ranking reads of them. The statements'
 * rows are joined to the matches only when a filter reads them: a search without filters takes the window
 * from the search index alone.
 */
async function rankingHits(run: Runner, search: Search, filters: SQL[], topics: TopicNames): Promise<Hit[]> {
  const match = sql`d."document" @@ ${tsquery(search)}`;
  const docs =
    filters.length > 0
      ? await newestMatches(
          run,
          sql`"statements_search" d JOIN "statements" ON "statements"."doc" = d."doc"`,
          AND([match, ...filters]) as SQL,
          RANKED_MATCHES,
        )
      : await newestMatches(run, sql`"statements_search" d`, match, RANKED_MATCHES);
  return hitsOf(run, docs, topics);
}

/**
 * What ranking reads of each of these statements (by doc number, newest first): text, context, topic terms and
 * the document's length. The topic terms come from the topic ids on the row and the topics kept per data
 * version; inside a write transaction, or when a row names a topic the kept map lacks, from
 * `statements_topic_terms`.
 */
async function hitsOf(run: Runner, docs: number[], topics: TopicNames): Promise<Hit[]> {
  if (docs.length === 0) return [];
  const rowsWith = <R>(topicColumn: SQL) =>
    run.all<R>(sql`SELECT s."doc", s."text", s."context", ${topicColumn}, statements_search_length(d."document")::int AS "tokens"
      FROM "statements" s JOIN "statements_search" d ON d."doc" = s."doc"
     WHERE s."doc" = ANY(${sql.param(docs)}::int[]) ORDER BY s."doc" DESC`);
  const terms = await topics.terms(run);
  if (terms) {
    const rows = await rowsWith<Omit<Hit, 'topics'> & { topicIds: string[] | null }>(
      sql`s."links" -> ${sql.raw(String(LINK_AT.topicIds))} AS "topicIds"`,
    );
    const hits = withTopicTerms(rows, terms);
    if (hits) return hits;
  }
  return rowsWith<Hit>(sql`statements_topic_terms(s."id") AS "topics"`);
}

/**
 * Each row's topic terms (`statements_topic_terms`: each topic's name then its aliases, in the statement's
 * order, NULL without topics) from the topics kept per data version and the topic ids on the row: that
 * function's joins for each of a window's statements were most of the window's query. Undefined when a row
 * names a topic the kept map does not hold (written since it was read): the caller asks the database. A topic
 * renamed between the map's version read and this query is ranked on its old terms by that one search, as the
 * corpus statistics kept per version are.
 */
function withTopicTerms<R extends { topicIds: string[] | null }>(
  rows: R[],
  terms: Map<string, string>,
): (Omit<R, 'topicIds'> & { topics: string | null })[] | undefined {
  const hits: (Omit<R, 'topicIds'> & { topics: string | null })[] = [];
  for (const { topicIds, ...row } of rows) {
    if (topicIds === null) return undefined;
    const named = topicIds.map((id) => terms.get(id));
    if (named.some((t) => t === undefined)) return undefined;
    hits.push({ ...row, topics: named.length > 0 ? named.join(' ') : null });
  }
  return hits;
}

/** How many of the newest documents a search walks, newest first, before it weighs reading the GIN index. */
export const WALKED_DOCUMENTS = 20_000;
/** About how many documents a page of statements_search holds: a walk reads that many a page, a fetch one. */
const DOCUMENTS_A_PAGE = 10;

/**
 * The doc numbers of the newest `count` documents of `from` (statements_search as `d`) where `where` holds,
 * newest first. First a walk of the newest WALKED_DOCUMENTS documents by doc number, which stops at `count`
 * matches: a common word needs no more. When the walk found fewer, the share of matches among the documents
 * it read says what each way on costs: walking on reads about `rest / share` documents, some to a page;
 * reading the older matches off the GIN index and sorting them fetches about `share × older documents`, a
 * page each. The cheaper is taken. A combination of words that are each common but seldom meet (which the
 * planner, multiplying their shares, expects often) no longer walks every document to find none.
 */
async function newestMatches(run: Runner, from: SQL, where: SQL, count: number): Promise<number[]> {
  const top = await first<{ last: number | null }>(run, sql`SELECT max("doc") AS "last" FROM "statements_search"`);
  if (top?.last == null) return [];
  const bound = Number(top.last) - WALKED_DOCUMENTS;
  const walk = async (range: SQL, limit: number) =>
    (await run.all<{ doc: number }>(sql`SELECT d."doc" FROM ${from} WHERE ${where} AND ${range} ORDER BY d."doc" DESC LIMIT ${limit}`)).map(
      (r) => r.doc,
    );
  const newest = await walk(sql`d."doc" > ${bound}`, count);
  if (newest.length === count || bound < 1) return newest;
  const rest = count - newest.length;
  const share = newest.length / WALKED_DOCUMENTS;
  const fetched = share * bound;
  const walked = share > 0 ? rest / share / DOCUMENTS_A_PAGE : Number.POSITIVE_INFINITY;
  const older =
    fetched < walked
      ? (
          await run.all<{
            doc: number;
          }>(sql`WITH "older" AS MATERIALIZED (SELECT d."doc" FROM ${from} WHERE ${where} AND d."doc" <= ${bound})
            SELECT "doc" FROM "older" ORDER BY "doc" DESC LIMIT ${rest}`)
        ).map((r) => r.doc)
      : await walk(sql`d."doc" <= ${bound}`, rest);
  return [...newest, ...older];
}

/**
 * What BM25 reads of the whole archive (documents, average length, each term's frequency), kept per data
 * version: a search asks for them on every request, and they change only with a write.
 */
export class CorpusCache {
  private kept: Statistics | undefined;
  /** The corpus being read for a version: searches arriving meanwhile wait for it instead of each reading it. */
  private reading: { version: string; corpus: Promise<Corpus> } | undefined;

  constructor(private readonly version: () => Promise<string>) {}

  /**
   * The corpus and the frequency of each of the search's patterns (scoreHits asks for them synchronously), read
   * on one entry: concurrent searches never mix two versions. Inside a write transaction they are read afresh
   * and not kept (the transaction's rows may yet roll back).
   */
  async statistics(run: Runner, search: Search): Promise<{ corpus: Corpus; frequency: (expression: string) => number }> {
    const version = await this.version();
    let entry = run.inTransaction || this.kept?.version !== version ? undefined : this.kept;
    if (!entry) {
      let corpus: Promise<Corpus>;
      if (run.inTransaction) corpus = readCorpus(run);
      else {
        if (this.reading?.version !== version) {
          const reading = { version, corpus: readCorpus(run) };
          this.reading = reading;
          // A failed read is not kept: the next search tries again.
          reading.corpus.catch(() => {
            if (this.reading === reading) this.reading = undefined;
          });
        }
        corpus = (this.reading as { corpus: Promise<Corpus> }).corpus;
      }
      entry = { version, corpus: await corpus, frequencies: new Map() };
      if (!run.inTransaction) {
        // The first search of a version to get here keeps its entry; the others share it.
        if (this.kept?.version === version) entry = this.kept;
        else this.kept = entry;
      }
    }
    for (const pattern of search.patterns) {
      if (entry.frequencies.has(pattern.expression)) continue;
      entry.frequencies.set(pattern.expression, await documentFrequency(run, pattern.expression));
    }
    const kept = entry;
    return { corpus: kept.corpus, frequency: (expression) => kept.frequencies.get(expression) ?? 0 };
  }
}

/**
 * The topic ids that `topic=` values name (by id, or an alias written as a slug: stores.ts's namedIds), from a
 * map of every topic's id and alias slugs kept per data version, as SQLite keeps one: filtered lists ask on every
 * request, and matching the slugs in SQL reads every topic's aliases each time. Kept with it, each topic's search
 * terms (its name, then its aliases), which ranking reads for each statement of a search's window.
 */
export class TopicNames {
  private kept: { version: string; topics: Promise<KeptTopics> } | undefined;

  constructor(private readonly version: () => Promise<string>) {}

  async ids(run: Runner, wanted: readonly string[]): Promise<string[]> {
    if (wanted.length === 0) return [];
    // Inside a write transaction the topics may be the transaction's own, not yet (or never) committed.
    if (run.inTransaction) return namedIds(run, 'topics', wanted);
    return idsIn(await this.topics(run), wanted);
  }

  /**
   * What the names kept now say of `wanted`, without reading the data version, and the newest revision they
   * were read at (`at`, the version's second part): only for a caller that reads the newest revision in the
   * same query as the data it answers from, and uses these ids only when the two agree. Undefined when nothing
   * is kept, or its read failed.
   */
  async keptIds(wanted: readonly string[]): Promise<{ ids: string[]; at: string } | undefined> {
    const entry = this.kept;
    if (!entry || wanted.length === 0) return undefined;
    try {
      return { ids: idsIn(await entry.topics, wanted), at: entry.version.slice(entry.version.indexOf(':') + 1) };
    } catch {
      return undefined;
    }
  }

  /** Each topic's search terms by id, as `statements_topic_terms` joins them; none inside a write transaction. */
  async terms(run: Runner): Promise<Map<string, string> | undefined> {
    return run.inTransaction ? undefined : (await this.topics(run)).terms;
  }

  private async topics(run: Runner): Promise<KeptTopics> {
    const version = await this.version();
    let entry = this.kept;
    if (entry?.version !== version) {
      const reading = { version, topics: readTopics(run) };
      // A failed read is not kept: the next request tries again.
      reading.topics.catch(() => {
        if (this.kept === reading) this.kept = undefined;
      });
      this.kept = reading;
      entry = reading;
    }
    return entry.topics;
  }
}

function idsIn({ byName }: KeptTopics, wanted: readonly string[]): string[] {
  const found = new Set<string>();
  for (const value of wanted) for (const id of byName.get(value) ?? []) found.add(id);
  return [...found];
}

interface KeptTopics {
  byName: Map<string, string[]>;
  terms: Map<string, string>;
}

/**
 * Every topic under its id and under each alias's slug (namedIds' rule: spaces trimmed, A–Z lowered, spaces to
 * hyphens), and its search terms.
 */
async function readTopics(run: Runner): Promise<KeptTopics> {
  const byName = new Map<string, string[]>();
  const terms = new Map<string, string>();
  const add = (name: string, id: string) => {
    const ids = byName.get(name) ?? [];
    if (!ids.includes(id)) ids.push(id);
    byName.set(name, ids);
  };
  const rows = await run.all<{ id: string; name: string; aliases: string[] | null }>(sql`SELECT "id", "name", "aliases" FROM "topics"`);
  for (const { id, name, aliases } of rows) {
    add(id, id);
    terms.set(id, [name, ...(aliases ?? [])].join(' '));
    for (const alias of aliases ?? [])
      add(
        alias
          .replace(/^ +| +$/g, '')
          .replace(/[A-Z]/g, (c) => c.toLowerCase())
          .replaceAll(' ', '-'),
        id,
      );
  }
  return { byName, terms };
}

/** What the reads keep per data version. */
export interface ReadCaches {
  corpus: CorpusCache;
  topics: TopicNames;
}

/**
 * How many documents the search index holds, and their average length in words (BM25's corpus): from the row
 * the index's triggers keep (migrations/postgres/0004), one read however large the archive.
 */
async function readCorpus(run: Runner): Promise<Corpus> {
  const row = await first<{ documents: number; tokens: number }>(
    run,
    sql`SELECT "documents"::int AS "documents", "tokens"::float8 AS "tokens" FROM "statements_search_totals"`,
  );
  const documents = Number(row?.documents ?? 0);
  return { documents, averageTokens: documents > 0 ? Number(row?.tokens ?? 0) / documents : 0 };
}

interface Statistics {
  version: string;
  corpus: Corpus;
  frequencies: Map<string, number>;
}

/** The statements a term (or phrase) matches: counted up to COUNTED_MATCHES, estimated past it (as on SQLite). */
async function documentFrequency(run: Runner, expression: string): Promise<number> {
  const newest = await newestMatches(run, sql`"statements_search" d`, sql`d."document" @@ ${tsquery({ expression })}`, COUNTED_MATCHES);
  const counted = newest.length;
  const oldest = newest.at(-1) ?? null;
  if (counted < COUNTED_MATCHES || oldest === null) return counted;
  const span = await first<{ first: number; last: number }>(
    run,
    sql`SELECT coalesce(min("doc"), 0) AS "first", coalesce(max("doc"), 0) AS "last" FROM "statements"`,
  );
  return estimatedFrequency({ counted, oldest }, () => ({ first: span?.first ?? 0, last: span?.last ?? 0 }));
}

/** A page of the collection (see ListStorage). */
export async function listCollection(
  run: Runner,
  collection: Collection,
  query: Query,
  caches: ReadCaches,
): Promise<PageResult<StoredRecord>> {
  switch (collection) {
    case 'sources':
      return listSources(run, query);
    case 'actors':
      return listActors(run, query);
    case 'topics':
      return listTopics(run, query, caches.topics);
    case 'events':
      return listEvents(run, query);
    case 'positions':
      return listPositions(run, query, caches.topics);
    case 'statements':
      return listStatements(run, query, caches);
  }
}

/**
 * `expand=`: the related records, one read per store however many relations name it (speaker, on behalf of and
 * addressees are all actors), the reads at once (lib/expand.ts does the embedding).
 */
export async function expandRecords(run: Runner, collection: Collection, records: StoredRecord[], requested: string | undefined) {
  if (!requested || records.length === 0) return records;
  const loads: Record<string, { from: string; store: typeof actorStore }> = {};
  if (collection === 'statements') {
    Object.assign(loads, {
      speaker: { from: 'speakerId', store: actorStore },
      onBehalfOf: { from: 'onBehalfOfId', store: actorStore },
      event: { from: 'eventId', store: eventStore },
      sources: { from: 'sourceIds', store: sourceStore },
      topics: { from: 'topicIds', store: topicStore },
      addressees: { from: 'addresseeIds', store: actorStore },
      respondsTo: { from: 'respondsToIds', store: statementStore },
    });
  } else if (collection === 'positions') {
    Object.assign(loads, {
      actor: { from: 'actorId', store: actorStore },
      topic: { from: 'topicId', store: topicStore },
    });
  } else {
    return records;
  }
  // applyExpansions is synchronous: the related records are read first, then embedded from memory.
  const names = [...new Set(requested.split(','))];
  const wanted = new Map<typeof actorStore, Set<string>>();
  for (const name of names) {
    const expansion = loads[name];
    if (!expansion) continue;
    const ids = entry(wanted, expansion.store, () => new Set<string>());
    for (const r of records) {
      const value = r[expansion.from];
      if (Array.isArray(value)) for (const id of value) ids.add(id as string);
      else if (typeof value === 'string') ids.add(value);
    }
  }
  const read = await Promise.all(
    [...wanted].map(async ([store, ids]) => [store, new Map((await store.getMany(run, [...ids])).map((x) => [x.id, x]))] as const),
  );
  const byStore = new Map(read);
  const loaded = new Map(names.flatMap((name) => (loads[name] ? [[name, byStore.get(loads[name].store)]] : [])));
  const expanded = applyExpansions(
    null,
    records,
    requested,
    Object.fromEntries(
      Object.entries(loads).map(([name, { from }]) => [
        name,
        { from, load: (_db: null, ids: string[]) => ids.flatMap((id) => loaded.get(name)?.get(id) ?? []) },
      ]),
    ),
  );
  if (collection !== 'positions' || !names.includes('evidence')) return expanded;
  const ids = [...new Set(expanded.flatMap((p) => (p.evidence as { statementId: string }[]).map((e) => e.statementId)))];
  const byId = new Map((await statementStore.getMany(run, ids)).map((s) => [s.id, s]));
  return expanded.map((p) => ({
    ...p,
    evidence: (p.evidence as { statementId: string }[]).map((e) => ({ ...e, statement: byId.get(e.statementId) })),
  }));
}

/** The value of a stats dimension over `matched m`, and the join it needs (see SQLite's stats.queries.ts). */
function dimension(dim: Dimension, n: number): { value: SQL; join?: SQL } {
  const j = sql.raw(`j${n}`);
  switch (dim) {
    case 'speaker':
      return { value: sql`m.speaker_id` };
    case 'onBehalfOf':
      return { value: sql`m.on_behalf_of_id` };
    case 'kind':
      return { value: sql`m.kind` };
    case 'month':
      return { value: sql`substr(m.stated_on, 1, 7)` };
    case 'year':
      return { value: sql`substr(m.stated_on, 1, 4)` };
    case 'addressee':
      return { value: sql`${j}."actor_id"`, join: sql`LEFT JOIN "statement_addressees" ${j} ON ${j}."statement_id" = m.id` };
    case 'act':
      return { value: sql`${j}."act"`, join: sql`LEFT JOIN "statement_acts" ${j} ON ${j}."statement_id" = m.id` };
    case 'topic':
      return {
        value: sql`${j}."ancestor_id"`,
        join: sql`LEFT JOIN "statement_topic_ancestors" ${j} ON ${j}."statement_id" = m.id AND ${j}."ancestor_id" <> '*'`,
      };
  }
}

/** Statements matching the filters counted by one or two dimensions, in one query (COUNT DISTINCT per cell). */
export async function statementStats(
  run: Runner,
  groupBy: Dimension[],
  filters: StatementFilterValues,
  topics: TopicNames,
): Promise<StatementStats> {
  const dims = groupBy.map((d, i) => dimension(d, i));
  const conditions = await statementFilters(run, filters, topics);
  if (filters.q) conditions.push(matchesSearch(parseSearch(filters.q)));
  const where = AND(conditions);
  const rows = await run.all<{ total: number; d0: string | null; d1: string | null; n: number | null }>(sql`
    WITH matched(id, speaker_id, on_behalf_of_id, kind, stated_on) AS (
      SELECT "statements"."id", "statements"."speaker_id", "statements"."on_behalf_of_id", "statements"."kind", "statements"."stated_on"
        FROM "statements" ${where ? sql`WHERE ${where}` : sql``}
    ), cells(d0, d1, n) AS (
      SELECT ${dims[0]?.value}, ${dims[1]?.value ?? sql`NULL::text`}, COUNT(DISTINCT m.id)::int
        FROM matched m ${sql.join(
          dims.flatMap((d) => (d.join ? [d.join] : [])),
          sql` `,
        )}
       GROUP BY ${sql.join(
         dims.map((d) => d.value),
         sql`, `,
       )}
    )
    SELECT t.total, c.d0, c.d1, c.n
      FROM (SELECT COUNT(*)::int AS total FROM matched) t LEFT JOIN cells c ON true
     ORDER BY c.n DESC NULLS LAST, c.d0 ASC NULLS LAST, c.d1 ASC NULLS LAST`);
  const [firstDim, second] = groupBy as [Dimension, Dimension | undefined];
  return {
    groupBy,
    total: rows[0]?.total ?? 0,
    data: rows.flatMap((r) => (r.n === null ? [] : [{ [firstDim]: r.d0, ...(second ? { [second]: r.d1 } : {}), count: r.n }])),
  } as StatementStats;
}

/** The stance each actor held on each topic on `asOf`. */
export async function stanceMatrix(
  run: Runner,
  q: { asOf: string; actor?: string; topic?: string },
  topics: TopicNames,
): Promise<StanceMatrix> {
  const cells = await run.all<StanceMatrix['cells'][number]>(sql`
    SELECT "actor_id" AS "actorId", "topic_id" AS "topicId", "stance", "id" AS "positionId", "summary",
           "valid_from" AS "validFrom", "valid_to" AS "validTo"
      FROM "positions" WHERE ${AND(await positionFilters(run, q, topics)) ?? sql`true`}
     ORDER BY "actor_id", "topic_id", "valid_from" ASC NULLS FIRST`);
  return {
    asOf: q.asOf,
    actors: [...new Set(cells.map((c) => c.actorId))],
    topics: [...new Set(cells.map((c) => c.topicId))].sort(),
    cells,
  };
}
