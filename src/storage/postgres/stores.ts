// The six resources on PostgreSQL: how each is read (rows, links, derived fields), written, checked and
// referred to. The write path that drives them is write.ts; the rules shared with SQLite are lib/write-rules.ts.
import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { BLANKS } from '../../lib/blanks.js';
import { AppError, type FieldError } from '../../lib/errors.js';
import { normalizeForMatch, quoteVerified } from '../../lib/quotes.js';
import type { RecordReference } from '../records.js';
import type { Author, Collection, Meta } from '../types.js';
import { AND, anyText, first, ident, inOrder, type Prepared, prepared, type Runner, selectList, slot, snake } from './query.js';

export const now = () => new Date().toISOString();
export const newId = () => randomUUID();

// Records inside the engine are plain objects: routes and imports validated them against the resource schemas.
export type Fields = Record<string, unknown>;
export type StoredRecord = Meta & Record<string, unknown>;

export interface PgReferrer {
  collection: string;
  field: string;
  /** The table and column holding the reference, and the column naming the referring record. */
  table: string;
  column: string;
  owner: string;
}

export interface PgStore {
  collection: Collection;
  /** The record's own columns, by field name (links are other tables). */
  columns: readonly string[];
  /** Columns stored as jsonb (arrays). */
  json: readonly string[];
  blank: Fields;
  getMany(run: Runner, ids: readonly string[]): Promise<StoredRecord[]>;
  fieldsOf(record: StoredRecord): Fields;
  write(run: Runner, id: string, fields: Fields, meta: Meta, existing: StoredRecord | undefined): Promise<void>;
  references(fields: Fields, id?: string): RecordReference[];
  referrers: PgReferrer[];
  derive?(run: Runner, fields: Fields): Promise<Fields>;
  resolveImported?(run: Runner, id: string, fields: Fields): Promise<Fields>;
  canonical?(fields: Fields): Fields;
  check?(run: Runner, id: string, fields: Fields, existing: StoredRecord | undefined, author: Author): Promise<void>;
}

const META = ['createdAt', 'updatedAt', 'version'] as const;

/** The writable fields of a record: all but id and metadata. */
export function stripMeta({ id: _i, createdAt: _c, updatedAt: _u, version: _v, ...fields }: StoredRecord): Fields {
  return fields;
}

/** The queries of a table's rows by id: one (`$1` an id) and several (`$1` an array); `extra`, more columns of each row. */
interface ByIds {
  one: Prepared;
  many: Prepared;
}

function byIds(table: string, columns: readonly string[], extra?: SQL): ByIds {
  const select = sql`SELECT ${selectList(columns, table)}${extra ? sql`, ${extra}` : sql``} FROM ${ident(table)}`;
  // Two queries, because PostgreSQL plans `= ANY($1)` for an unknown number of ids: the generic plan looks
  // costlier than a plan made for one id, so it would plan anew at each call; `= $1` keeps its generic plan.
  return {
    one: prepared(`${table}_by_id`, sql`${select} WHERE "id" = ${slot(1)}`),
    many: prepared(`${table}_by_ids`, sql`${select} WHERE "id" = ANY(${slot(1)}::text[])`),
  };
}

/** The rows of a table by id (its `byIds` queries), in the order asked. */
export async function rowsByIds(run: Runner, query: ByIds, ids: readonly string[]): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  if (ids.length === 1) return run.prepared<StoredRecord>(query.one, [ids[0]]);
  const rows = await run.prepared<StoredRecord>(query.many, [ids]);
  return inOrder(rows, ids, (r) => r.id);
}

/** Inserts or updates a record's own row: its columns from `row` (undefined ones left out). */
export async function writeRow(run: Runner, table: string, store: Pick<PgStore, 'columns' | 'json'>, row: Fields, update: boolean) {
  const names: string[] = [];
  const values: SQL[] = [];
  for (const field of store.columns) {
    const value = row[field];
    if (value === undefined || (update && field === 'id')) continue;
    names.push(field);
    values.push(store.json.includes(field) && value !== null ? sql`${JSON.stringify(value)}::jsonb` : sql`${value}`);
  }
  if (update) {
    const sets = names.map((f, i) => sql`${ident(snake(f))} = ${values[i]}`);
    await run.all(sql`UPDATE ${ident(table)} SET ${sql.join(sets, sql`, `)} WHERE "id" = ${row.id}`);
  } else {
    await run.all(
      sql`INSERT INTO ${ident(table)} (${sql.join(
        names.map((f) => ident(snake(f))),
        sql`, `,
      )}) VALUES (${sql.join(values, sql`, `)})`,
    );
  }
}

/** A link table: owner id, linked value, and the value's position in the owner's array. */
export interface Link {
  table: string;
  owner: string;
  value: string;
}

/** The linked values of many owners in one query, in their stored order. */
export async function loadLinks(run: Runner, link: Link, ownerIds: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(ownerIds.map((id) => [id, []]));
  if (ownerIds.length === 0) return result;
  const rows = await run.all<{ owner: string; value: string }>(
    sql`SELECT ${ident(link.owner)} AS "owner", ${ident(link.value)} AS "value" FROM ${ident(link.table)}
         WHERE ${ident(link.owner)} = ${anyText(ownerIds)} ORDER BY ${ident(link.owner)}, "ord"`,
  );
  for (const { owner, value } of rows) result.get(owner)?.push(value);
  return result;
}

/** Replaces an owner's linked values, keeping their order, in one insert. */
export async function replaceLinks(run: Runner, link: Link, ownerId: string, values: readonly string[], fresh: boolean): Promise<void> {
  if (!fresh) await run.all(sql`DELETE FROM ${ident(link.table)} WHERE ${ident(link.owner)} = ${ownerId}`);
  if (values.length === 0) return;
  await run.all(
    sql`INSERT INTO ${ident(link.table)} (${ident(link.owner)}, ${ident(link.value)}, "ord")
        SELECT ${ownerId}, v, (o - 1)::int FROM unnest(${sql.param([...values])}::text[]) WITH ORDINALITY AS u(v, o)`,
  );
}

/** Records (by `id`) linked to any of `values`: the "any of" filter over a link table. */
export const linkedTo = (idColumn: SQL, link: Link, values: string[] | undefined): SQL | undefined =>
  values
    ? sql`${idColumn} IN (SELECT ${ident(link.owner)} FROM ${ident(link.table)} WHERE ${ident(link.value)} = ${anyText(values)})`
    : undefined;

/** A record may not be its own ancestor: walking up from the new parent must never reach `id`. */
async function assertNoCycle(run: Runner, table: string, id: string, parentId: unknown, collection: string): Promise<void> {
  if (parentId === null || parentId === undefined) return;
  const hit = await run.all(sql`
    WITH RECURSIVE up(id, parent) AS (
      SELECT "id", "parent_id" FROM ${ident(table)} WHERE "id" = ${parentId}
      UNION
      SELECT t."id", t."parent_id" FROM ${ident(table)} t JOIN up ON t."id" = up.parent
    )
    SELECT id FROM up WHERE id = ${id} LIMIT 1`);
  if (parentId === id || hit.length > 0) {
    throw new AppError('INVALID_RECORD', `parentId '${parentId}' would make '${id}' its own ancestor in /v1/${collection}.`, {
      errors: [{ in: 'body', path: '/parentId', message: `would make '${id}' its own ancestor` }],
    });
  }
}

/**
 * The ids of the records the given values name: a value names the record with that id, and the records that
 * list it as an alias written as a slug (`besham` finds the topic `bisham-attack`, alias "Besham").
 */
export async function namedIds(run: Runner, table: 'topics' | 'actors', wanted: readonly string[]): Promise<string[]> {
  if (wanted.length === 0) return [];
  const rows = await run.all<{ id: string }>(sql`
    SELECT "id" FROM ${ident(table)} WHERE "id" = ${anyText(wanted)}
    UNION
    SELECT t."id" FROM ${ident(table)} t, jsonb_array_elements_text(t."aliases") a
     WHERE replace(translate(regexp_replace(a, '^ +| +$', '', 'g'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), ' ', '-') = ${anyText(wanted)}`);
  const found = new Set(rows.map((r) => r.id));
  return [...found];
}

/** The given topics and all their descendants, as a subquery of topic ids. */
export const topicsUnder = (ids: readonly string[]): SQL =>
  sql`(SELECT "topic_id" FROM "topic_ancestors" WHERE "ancestor_id" = ${anyText(ids)})`;

// Sources, actors, topics: one table each.

const SOURCE_COLUMNS = ['id', 'kind', 'title', 'publisher', 'author', 'url', 'publishedOn', 'language', 'text', ...META];
const SOURCES_BY_IDS = byIds('sources', SOURCE_COLUMNS);
export const sourceStore: PgStore = {
  collection: 'sources',
  columns: SOURCE_COLUMNS,
  json: [],
  blank: BLANKS.sources,
  getMany: (run, ids) => rowsByIds(run, SOURCES_BY_IDS, ids),
  fieldsOf: stripMeta,
  write: (run, _id, fields, meta, existing) => writeRow(run, 'sources', sourceStore, { ...fields, ...meta }, existing !== undefined),
  references: () => [],
  referrers: [{ collection: 'statements', field: 'sourceIds', table: 'statement_sources', column: 'source_id', owner: 'statement_id' }],
};

const ACTOR_COLUMNS = ['id', 'name', 'kind', 'countryCode', 'parentId', 'aliases', 'description', ...META];
const ACTORS_BY_IDS = byIds('actors', ACTOR_COLUMNS);
export const actorStore: PgStore = {
  collection: 'actors',
  columns: ACTOR_COLUMNS,
  json: ['aliases'],
  blank: BLANKS.actors,
  getMany: (run, ids) => rowsByIds(run, ACTORS_BY_IDS, ids),
  fieldsOf: stripMeta,
  write: (run, _id, fields, meta, existing) => writeRow(run, 'actors', actorStore, { ...fields, ...meta }, existing !== undefined),
  references: (f) => [{ path: '/parentId', collection: 'actors', id: f.parentId as string | null }],
  check: (run, id, f) => assertNoCycle(run, 'actors', id, f.parentId, 'actors'),
  referrers: [
    { collection: 'actors', field: 'parentId', table: 'actors', column: 'parent_id', owner: 'id' },
    { collection: 'events', field: 'hostId', table: 'events', column: 'host_id', owner: 'id' },
    { collection: 'events', field: 'participantIds', table: 'event_participants', column: 'actor_id', owner: 'event_id' },
    { collection: 'statements', field: 'speakerId', table: 'statements', column: 'speaker_id', owner: 'id' },
    { collection: 'statements', field: 'onBehalfOfId', table: 'statements', column: 'on_behalf_of_id', owner: 'id' },
    { collection: 'statements', field: 'addresseeIds', table: 'statement_addressees', column: 'actor_id', owner: 'statement_id' },
    { collection: 'positions', field: 'actorId', table: 'positions', column: 'actor_id', owner: 'id' },
  ],
};

const TOPIC_COLUMNS = ['id', 'name', 'parentId', 'aliases', 'description', ...META];
const TOPICS_BY_IDS = byIds('topics', TOPIC_COLUMNS);
export const topicStore: PgStore = {
  collection: 'topics',
  columns: TOPIC_COLUMNS,
  json: ['aliases'],
  blank: BLANKS.topics,
  getMany: (run, ids) => rowsByIds(run, TOPICS_BY_IDS, ids),
  fieldsOf: stripMeta,
  // Search documents of statements under a renamed topic are rewritten by the topics trigger (migrations/postgres/0001).
  write: (run, _id, fields, meta, existing) => writeRow(run, 'topics', topicStore, { ...fields, ...meta }, existing !== undefined),
  references: (f) => [{ path: '/parentId', collection: 'topics', id: f.parentId as string | null }],
  check: (run, id, f) => assertNoCycle(run, 'topics', id, f.parentId, 'topics'),
  referrers: [
    { collection: 'topics', field: 'parentId', table: 'topics', column: 'parent_id', owner: 'id' },
    { collection: 'statements', field: 'topicIds', table: 'statement_topics', column: 'topic_id', owner: 'statement_id' },
    { collection: 'positions', field: 'topicId', table: 'positions', column: 'topic_id', owner: 'id' },
  ],
};

// Events: participants are a link table.

export const participants: Link = { table: 'event_participants', owner: 'event_id', value: 'actor_id' };
const EVENT_COLUMNS = ['id', 'kind', 'title', 'startDate', 'endDate', 'location', 'hostId', ...META];
// An event by id with its participants in the same round trip.
const EVENTS_BY_IDS = byIds(
  'events',
  EVENT_COLUMNS,
  sql.raw(`ARRAY(SELECT x."actor_id" FROM "event_participants" x WHERE x."event_id" = "events"."id" ORDER BY x."ord") AS "participantIds"`),
);

/** Attaches the participants to events read without them (a page), in one query. */
export async function hydrateEvents(run: Runner, rows: StoredRecord[]): Promise<StoredRecord[]> {
  const bare = rows.filter((r) => !Array.isArray(r.participantIds)).map((r) => r.id);
  if (bare.length === 0) return rows;
  const links = await loadLinks(run, participants, bare);
  return rows.map((r) => (Array.isArray(r.participantIds) ? r : { ...r, participantIds: links.get(r.id) ?? [] }));
}

export const eventStore: PgStore = {
  collection: 'events',
  columns: EVENT_COLUMNS,
  json: [],
  blank: BLANKS.events,
  getMany: (run, ids) => rowsByIds(run, EVENTS_BY_IDS, ids),
  fieldsOf: stripMeta,
  async write(run, id, { participantIds, ...fields }, meta, existing) {
    await writeRow(run, 'events', eventStore, { ...fields, ...meta }, existing !== undefined);
    await replaceLinks(run, participants, id, participantIds as string[], existing === undefined);
  },
  references: (f) => [
    { path: '/hostId', collection: 'actors', id: f.hostId as string | null },
    ...(f.participantIds as string[]).map((id, i) => ({ path: `/participantIds/${i}`, collection: 'actors' as const, id })),
  ],
  async check(_run, _id, f) {
    if (f.startDate && f.endDate && (f.endDate as string) < (f.startDate as string)) {
      throw new AppError('INVALID_RECORD', `endDate ${f.endDate} is before startDate ${f.startDate}.`, {
        errors: [{ in: 'body', path: '/endDate', message: `must be on or after startDate (${f.startDate})` }],
      });
    }
  },
  referrers: [{ collection: 'statements', field: 'eventId', table: 'statements', column: 'event_id', owner: 'id' }],
};

// Statements: five link tables, a doc number (the search index's key), and `verified` derived from sources.

export const statementLinks = {
  sourceIds: { table: 'statement_sources', owner: 'statement_id', value: 'source_id' },
  topicIds: { table: 'statement_topics', owner: 'statement_id', value: 'topic_id' },
  addresseeIds: { table: 'statement_addressees', owner: 'statement_id', value: 'actor_id' },
  acts: { table: 'statement_acts', owner: 'statement_id', value: 'act' },
  respondsToIds: { table: 'statement_responds_to', owner: 'statement_id', value: 'responds_to_id' },
} satisfies Record<string, Link>;

export const STATEMENT_COLUMNS = [
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
  ...META,
] as const;

type LinkField = keyof typeof statementLinks;
/** The link fields in the order of the `links` column (tables.ts; migrations/postgres/0005), as SQLite's. */
export const LINK_FIELDS = Object.keys(statementLinks) as LinkField[];

/** Where each link field is in the `links` column. */
export const LINK_AT = Object.fromEntries(LINK_FIELDS.map((field, i) => [field, i])) as Record<LinkField, number>;

/** The `links` column of a statement's fields: its five link arrays, in LINK_FIELDS order. */
export const linksOf = (fields: Fields): string[][] => LINK_FIELDS.map((name) => fields[name] as string[]);

/**
 * What a query of `"statements"` rows reads besides their columns: the `links` column (the five link arrays, in
 * their stored order, kept on the row by the write path) and, for a quote, the cited sources that keep a text
 * (`textSourceIds`; NULL for any other kind): the quote check needs those texts, and when no cited source has
 * one (the common case) it need not ask for them.
 */
export const STATEMENT_LINK_ARRAYS: SQL = sql.raw(
  // The sources by key (`= ANY` of the cited ids): joined to the array's elements instead, the planner expects
  // a hundred of them and few sources with a text, and reads every source for each quote. Whether any source
  // keeps a text is asked first, once per query (an uncorrelated EXISTS is run once, off the partial index
  // sources_with_text_idx): when none does, no quote's sources are looked up, where each quote cost a
  // subplan of its own, most of a page's time in the database.
  `"statements"."links", CASE WHEN "statements"."kind" = 'quote' THEN CASE
     WHEN EXISTS (SELECT FROM "sources" w WHERE w."text" IS NOT NULL) THEN ARRAY(
       SELECT t."id" FROM "sources" t WHERE t."id" = ANY(ARRAY(SELECT jsonb_array_elements_text("statements"."links" -> ${LINK_AT.sourceIds}))) AND t."text" IS NOT NULL
     ) ELSE '{}'::text[] END
   END AS "textSourceIds"`,
);

/** The fields a read of statements selects, in this order: STATEMENT_COLUMNS, then `doc`. */
export const STATEMENT_READ = [...STATEMENT_COLUMNS, 'doc'] as const;

/**
 * Where each value is in a statement's row read as an array (RowMode `'arrays'`): STATEMENT_READ, then
 * STATEMENT_LINK_ARRAYS' two columns, then what a query adds after them (a topic page's `seenSeq`). Every query
 * of statement rows selects them in this order.
 */
export const STATEMENT_AT: Readonly<Record<(typeof STATEMENT_READ)[number] | 'links' | 'textSourceIds' | 'seenSeq', number>> = {
  ...(Object.fromEntries(STATEMENT_READ.map((field, i) => [field, i])) as Record<(typeof STATEMENT_READ)[number], number>),
  links: STATEMENT_READ.length,
  textSourceIds: STATEMENT_READ.length + 1,
  seenSeq: STATEMENT_READ.length + 2,
};

/** A statement's row read as an array (see STATEMENT_AT). */
export type StatementRow = unknown[];

// Each position a local of its own: hydrateStatements reads them for every value of every row.
const {
  id: I_ID,
  text: I_TEXT,
  kind: I_KIND,
  speakerId: I_SPEAKER,
  onBehalfOfId: I_ON_BEHALF,
  speakerRole: I_ROLE,
  statedOn: I_STATED,
  eventId: I_EVENT,
  context: I_CONTEXT,
  language: I_LANGUAGE,
  createdAt: I_CREATED,
  updatedAt: I_UPDATED,
  version: I_VERSION,
  links: I_LINKS,
  textSourceIds: I_TEXT_SOURCES,
} = STATEMENT_AT;

/**
 * The records of statement rows read as arrays with STATEMENT_LINK_ARRAYS (every statement read is): their
 * columns, the five link arrays and `verified`, one object per row made in the records' field order.
 */
export async function hydrateStatements(run: Runner, rows: StatementRow[]): Promise<StoredRecord[]> {
  const verify = await quoteChecker(run, rows);
  return rows.map((r) => {
    const links = r[I_LINKS] as string[][];
    return {
      id: r[I_ID] as string,
      text: r[I_TEXT],
      kind: r[I_KIND],
      speakerId: r[I_SPEAKER],
      onBehalfOfId: r[I_ON_BEHALF],
      speakerRole: r[I_ROLE],
      statedOn: r[I_STATED],
      eventId: r[I_EVENT],
      context: r[I_CONTEXT],
      language: r[I_LANGUAGE],
      sourceIds: links[LINK_AT.sourceIds] ?? [],
      topicIds: links[LINK_AT.topicIds] ?? [],
      addresseeIds: links[LINK_AT.addresseeIds] ?? [],
      acts: links[LINK_AT.acts] ?? [],
      respondsToIds: links[LINK_AT.respondsToIds] ?? [],
      verified: verify(r),
      createdAt: r[I_CREATED] as string,
      updatedAt: r[I_UPDATED] as string,
      version: r[I_VERSION] as number,
    };
  });
}

const SOURCE_TEXTS = prepared(
  'source_texts',
  sql`SELECT "id", "text" FROM "sources" WHERE "id" = ANY(${slot(1)}::text[]) AND "text" IS NOT NULL`,
);

/**
 * Whether each quote's words stand verbatim in a cited source's text (null for paraphrases and sources without
 * text). Rows read with STATEMENT_LINK_ARRAYS say which cited sources keep a text: no query when none does.
 */
async function quoteChecker(run: Runner, rows: StatementRow[]): Promise<(r: StatementRow) => boolean | null> {
  const sourceIds = (r: StatementRow) => (r[I_LINKS] as string[][])[LINK_AT.sourceIds] ?? [];
  const cited = new Set<string>();
  for (const r of rows) {
    if (r[I_KIND] !== 'quote') continue;
    const withText = r[I_TEXT_SOURCES] as string[] | null | undefined;
    for (const id of withText ?? sourceIds(r)) cited.add(id);
  }
  if (cited.size === 0) return () => null;
  const texts = new Map<string, string>();
  const found = await run.prepared<{ id: string; text: string }>(SOURCE_TEXTS, [[...cited]]);
  for (const row of found) texts.set(row.id, normalizeForMatch(row.text));
  if (texts.size === 0) return () => null;
  return (r) => (r[I_KIND] === 'quote' ? quoteVerified(r[I_TEXT] as string, sourceIds(r), texts) : null);
}

/** The columns of a statement's row as written: its own, its doc number, its `links`. */
const STATEMENT_ROW = { columns: [...STATEMENT_COLUMNS, 'doc', 'links'], json: ['links'] };

/** Statements by id with their link arrays: a statement is one round trip unless a quote cites a source with a text. */
const STATEMENTS_BY_IDS = byIds('statements', STATEMENT_READ, STATEMENT_LINK_ARRAYS);

/** Statement rows by id as arrays (STATEMENT_AT), in the order asked. */
async function statementRowsByIds(run: Runner, ids: readonly string[]): Promise<StatementRow[]> {
  if (ids.length === 0) return [];
  if (ids.length === 1) return run.prepared<StatementRow>(STATEMENTS_BY_IDS.one, [ids[0]], 'arrays');
  const rows = await run.prepared<StatementRow>(STATEMENTS_BY_IDS.many, [ids], 'arrays');
  // Not inOrder: its flatMap would spread each row.
  const byId = new Map(rows.map((r) => [r[I_ID] as string, r]));
  return ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
}

export const statementStore: PgStore = {
  collection: 'statements',
  columns: STATEMENT_COLUMNS,
  json: [],
  blank: BLANKS.statements,
  getMany: async (run, ids) => hydrateStatements(run, await statementRowsByIds(run, ids)),
  fieldsOf: (record) => {
    const { verified: _verified, ...fields } = stripMeta(record);
    return fields;
  },
  // The search document, the topic ancestry and the counts follow from triggers (migrations/postgres/0001, 0002).
  async write(run, id, fields, meta, existing) {
    const fresh = existing === undefined;
    // The link arrays go to the row's `links` column (what reads read) and to the link tables (the filters'
    // index, and what the triggers of topic ancestry and search documents follow), both here.
    const row: Fields = { ...fields, ...meta, links: linksOf(fields) };
    if (fresh) {
      // Writes are serialized (client.ts, writeTransaction): no other transaction takes a doc number meanwhile.
      const last = await first<{ doc: number | null }>(run, sql`SELECT max("doc") AS "doc" FROM "statements"`);
      await writeRow(run, 'statements', STATEMENT_ROW, { ...row, doc: (last?.doc ?? 0) + 1 }, false);
    } else {
      await writeRow(run, 'statements', STATEMENT_ROW, row, true);
    }
    for (const name of LINK_FIELDS) {
      await replaceLinks(run, statementLinks[name], id, fields[name] as string[], fresh);
    }
  },
  references: (f, self) => [
    { path: '/speakerId', collection: 'actors', id: f.speakerId as string },
    { path: '/onBehalfOfId', collection: 'actors', id: f.onBehalfOfId as string | null },
    { path: '/eventId', collection: 'events', id: f.eventId as string | null },
    ...(f.sourceIds as string[]).map((id, i) => ({ path: `/sourceIds/${i}`, collection: 'sources' as const, id })),
    ...(f.topicIds as string[]).map((id, i) => ({ path: `/topicIds/${i}`, collection: 'topics' as const, id })),
    ...(f.addresseeIds as string[]).map((id, i) => ({ path: `/addresseeIds/${i}`, collection: 'actors' as const, id })),
    ...(f.respondsToIds as string[]).flatMap((id, i) =>
      id === self ? [] : [{ path: `/respondsToIds/${i}`, collection: 'statements' as const, id }],
    ),
  ],
  async check(_run, id, f) {
    const self = (f.respondsToIds as string[]).indexOf(id);
    if (self >= 0) {
      throw new AppError('INVALID_RECORD', 'A statement cannot respond to itself.', {
        errors: [{ in: 'body', path: `/respondsToIds/${self}`, message: 'must not be the statement itself' }],
      });
    }
  },
  referrers: [
    { collection: 'statements', field: 'respondsToIds', table: 'statement_responds_to', column: 'responds_to_id', owner: 'statement_id' },
    { collection: 'positions', field: 'evidence', table: 'position_evidence', column: 'statement_id', owner: 'position_id' },
  ],
};

// Positions: evidence with derived fields, the timeline rule.

const POSITION_COLUMNS = ['id', 'actorId', 'topicId', 'stance', 'summary', 'validFrom', 'validTo', ...META];
const POSITIONS_BY_IDS = byIds('positions', POSITION_COLUMNS);
type Evidence = { statementId: string; relation: string; statedOn?: string | null };

export async function hydratePositions(run: Runner, rows: StoredRecord[]): Promise<StoredRecord[]> {
  const byPosition = new Map<string, Evidence[]>(rows.map((r) => [r.id, []]));
  if (rows.length > 0) {
    const evidence = await run.all<{ positionId: string; statementId: string; relation: string; statedOn: string | null }>(
      sql`SELECT e."position_id" AS "positionId", e."statement_id" AS "statementId", e."relation", s."stated_on" AS "statedOn"
            FROM "position_evidence" e JOIN "statements" s ON s."id" = e."statement_id"
           WHERE e."position_id" = ${anyText(rows.map((r) => r.id))}
           ORDER BY e."position_id", s."stated_on" ASC NULLS LAST, e."ord"`,
    );
    for (const { positionId, statementId, relation, statedOn } of evidence)
      byPosition.get(positionId)?.push({ statementId, relation, statedOn });
  }
  return rows.map((r) => {
    const evidence = byPosition.get(r.id) ?? [];
    let firstOn: string | null = null;
    let last: string | null = null;
    for (const e of evidence) {
      if (e.statedOn === null || e.statedOn === undefined) continue;
      firstOn ??= e.statedOn;
      last = e.statedOn;
    }
    return {
      id: r.id,
      actorId: r.actorId,
      topicId: r.topicId,
      stance: r.stance,
      summary: r.summary,
      validFrom: r.validFrom,
      validTo: r.validTo,
      evidence,
      firstStatedOn: firstOn,
      lastReaffirmedOn: last,
      statementCount: evidence.length,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      version: r.version,
    };
  });
}

const UNKNOWN_START = '';
const OPEN_END = '9999-12-31';
type Period = { id: string; actorId: string; topicId: string; validFrom: string | null; validTo: string | null } & StoredRecord;

export const positionStore: PgStore = {
  collection: 'positions',
  columns: POSITION_COLUMNS,
  json: [],
  blank: BLANKS.positions,
  getMany: async (run, ids) => hydratePositions(run, await rowsByIds(run, POSITIONS_BY_IDS, ids)),
  fieldsOf(record) {
    const { firstStatedOn: _f, lastReaffirmedOn: _l, statementCount: _c, evidence, ...fields } = stripMeta(record);
    return { ...fields, evidence: (evidence as Evidence[]).map(({ statementId, relation }) => ({ statementId, relation })) };
  },
  canonical: (fields) => ({
    ...fields,
    evidence: [...(fields.evidence as Evidence[])].sort((a, b) =>
      a.statementId < b.statementId ? -1 : a.statementId > b.statementId ? 1 : 0,
    ),
  }),
  async write(run, id, { evidence, ...fields }, meta, existing) {
    await writeRow(run, 'positions', positionStore, { ...fields, ...meta }, existing !== undefined);
    if (existing) await run.all(sql`DELETE FROM "position_evidence" WHERE "position_id" = ${id}`);
    const items = evidence as Evidence[];
    if (items.length === 0) return;
    await run.all(sql`INSERT INTO "position_evidence" ("position_id", "statement_id", "relation", "ord")
      SELECT ${id}, s, r, (o - 1)::int FROM unnest(${sql.param(items.map((e) => e.statementId))}::text[], ${sql.param(
        items.map((e) => e.relation),
      )}::text[]) WITH ORDINALITY AS u(s, r, o)`);
  },
  references: (f) => [
    { path: '/actorId', collection: 'actors', id: f.actorId as string },
    { path: '/topicId', collection: 'topics', id: f.topicId as string },
    ...(f.evidence as Evidence[]).map((e, i) => ({
      path: `/evidence/${i}/statementId`,
      collection: 'statements' as const,
      id: e.statementId,
    })),
  ],
  // A position left without validFrom starts on the date of its first dated evidence (see SQLite's derivedStart).
  async derive(run, f) {
    if (f.validFrom !== undefined) return f;
    const ids = ((f.evidence as Evidence[] | undefined) ?? []).map((e) => e.statementId);
    const row = await first<{ min: string | null }>(
      run,
      sql`SELECT min("stated_on") AS "min" FROM "statements" WHERE "id" = ${anyText(ids)}`,
    );
    return { ...f, validFrom: row?.min ?? null };
  },
  // In a bundle, validTo null means "held until a later position takes over".
  async resolveImported(run, id, f) {
    if (f.validTo !== null) return f;
    const next = await first<{ validFrom: string }>(
      run,
      sql`SELECT "valid_from" AS "validFrom" FROM "positions" WHERE "actor_id" = ${f.actorId} AND "topic_id" = ${f.topicId}
           AND "id" <> ${id} AND "valid_from" > ${(f.validFrom as string | null) ?? UNKNOWN_START} ORDER BY "valid_from" LIMIT 1`,
    );
    return next === undefined ? f : { ...f, validTo: next.validFrom };
  },
  check: checkTimeline,
  referrers: [],
};

const PERIOD = selectList(POSITION_COLUMNS);

/** An actor's positions on one topic form a timeline without overlaps (the rules of SQLite's checkTimeline). */
async function checkTimeline(run: Runner, id: string, f: Fields, existing: StoredRecord | undefined, author: Author): Promise<void> {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  (f.evidence as Evidence[]).forEach((e, i) => {
    const firstAt = seen.get(e.statementId);
    if (firstAt !== undefined)
      errors.push({ in: 'body', path: `/evidence/${i}/statementId`, message: `repeats evidence item ${firstAt} ('${e.statementId}')` });
    else seen.set(e.statementId, i);
  });
  const validFrom = f.validFrom as string | null;
  const validTo = f.validTo as string | null;
  if (validTo !== null && validFrom !== null && validTo <= validFrom) {
    errors.push({ in: 'body', path: '/validTo', message: `must be after validFrom (${validFrom})` });
  }
  if (errors.length > 0) {
    throw new AppError('INVALID_RECORD', errors.map((e) => `${e.path.slice(1)} ${e.message}.`).join(' '), { errors });
  }
  const from = validFrom ?? UNKNOWN_START;
  const to = validTo ?? OPEN_END;
  const same = sql`"actor_id" = ${f.actorId} AND "topic_id" = ${f.topicId} AND "id" <> ${id}`;
  const undated = () => run.all<Period>(sql`SELECT ${PERIOD} FROM "positions" WHERE ${same} AND "valid_from" IS NULL`);
  const before =
    from === UNKNOWN_START
      ? undefined
      : ((await first<Period>(
          run,
          sql`SELECT ${PERIOD} FROM "positions" WHERE ${same} AND "valid_from" < ${from} ORDER BY "valid_from" DESC LIMIT 1`,
        )) ?? (await undated())[0]);
  const within = await run.all<Period>(
    sql`SELECT ${PERIOD} FROM "positions" WHERE ${same} AND "valid_from" >= ${from} AND "valid_from" < ${to} ORDER BY "valid_from"`,
  );
  const others = [...(before ? [before] : []), ...(from === UNKNOWN_START ? await undated() : []), ...within];
  const open = existing === undefined && validFrom !== null && before?.validTo === null ? before : undefined;
  for (const other of others) {
    const otherTo = other === open ? from : other.validTo;
    const overlaps = from < (otherTo ?? OPEN_END) && (other.validFrom ?? UNKNOWN_START) < to;
    if (overlaps) {
      throw new AppError(
        'POSITION_OVERLAP',
        `${f.actorId}'s position on ${f.topicId} from ${validFrom ?? 'an unknown date'}${validTo ? ` to ${validTo}` : ''} overlaps position '${other.id}' (${other.validFrom ?? 'an unknown date'} to ${other.validTo ?? 'now'}). Periods of one actor on one topic must not overlap.`,
        { conflictingPositionId: other.id },
      );
    }
  }
  if (open && validFrom !== null) await closePeriod(run, open, validFrom, author);
}

/** Ends the open period where the next one starts, recorded as a revision of its own, by `author`. */
async function closePeriod(run: Runner, open: Period, validTo: string, author: Author): Promise<void> {
  const updatedAt = now();
  const version = (open.version as number) + 1;
  await run.all(
    sql`UPDATE "positions" SET "valid_to" = ${validTo}, "updated_at" = ${updatedAt}, "version" = ${version} WHERE "id" = ${open.id}`,
  );
  const evidence = await run.all<{ statementId: string; relation: string }>(
    sql`SELECT e."statement_id" AS "statementId", e."relation" FROM "position_evidence" e JOIN "statements" s ON s."id" = e."statement_id"
         WHERE e."position_id" = ${open.id} ORDER BY s."stated_on" ASC NULLS LAST, e."ord"`,
  );
  const { id, createdAt, updatedAt: _u, version: _v, ...fields } = open;
  const state = { id, ...fields, validTo, evidence, createdAt, updatedAt, version };
  await recordRevision(run, { collection: 'positions', recordId: id, version, operation: 'update', state }, author);
}

/** Inserts a revision: every write records one in its own transaction. */
export async function recordRevision(
  run: Runner,
  change: { collection: string; recordId: string; version: number; operation: 'create' | 'update' | 'delete'; state: object | null },
  author: Author,
): Promise<void> {
  await run.all(sql`INSERT INTO "revisions" ("collection", "record_id", "version", "operation", "state", "key_name", "at")
    VALUES (${change.collection}, ${change.recordId}, ${change.version}, ${change.operation},
            ${change.state === null ? null : JSON.stringify(change.state)}::json, ${author.keyName ?? null}, ${now()})`);
}

export const STORES: Record<Collection, PgStore> = {
  sources: sourceStore,
  actors: actorStore,
  topics: topicStore,
  events: eventStore,
  statements: statementStore,
  positions: positionStore,
};

/** UNKNOWN_REFERENCE unless every referenced record exists; one query per collection referred to. */
export async function assertReferences(
  run: Runner,
  references: readonly RecordReference[],
  known?: Map<string, Set<string>>,
): Promise<void> {
  const wanted = new Map<Collection, Set<string>>();
  for (const { collection, id } of references) {
    if (id == null || known?.get(collection)?.has(id)) continue;
    const ids = wanted.get(collection) ?? new Set<string>();
    wanted.set(collection, ids);
    ids.add(id);
  }
  if (wanted.size === 0) return;
  const existing = new Map<Collection, Set<string>>();
  for (const [collection, ids] of wanted) {
    const rows = await run.all<{ id: string }>(sql`SELECT "id" FROM ${ident(collection)} WHERE "id" = ${anyText([...ids])}`);
    const found = new Set(rows.map((r) => r.id));
    existing.set(collection, found);
    if (known) {
      const set = known.get(collection) ?? new Set<string>();
      known.set(collection, set);
      for (const id of found) set.add(id);
    }
  }
  const errors: FieldError[] = references
    .filter(({ collection, id }) => id != null && !known?.get(collection)?.has(id) && !existing.get(collection)?.has(id))
    .map(({ path, collection, id }) => ({
      in: 'body' as const,
      path,
      message: `${path.slice(1)} refers to '${id}', which does not exist in /v1/${collection}.`,
    }));
  if (errors.length > 0) throw new AppError('UNKNOWN_REFERENCE', errors.map((e) => e.message).join(' '), { errors });
}

/** STILL_REFERENCED while anything refers to the record, naming what does. */
export async function assertNotReferenced(run: Runner, collection: Collection, id: string): Promise<void> {
  const referencedBy: { collection: string; field: string; ids: string[] }[] = [];
  for (const r of STORES[collection].referrers) {
    const rows = await run.all<{ id: string }>(
      sql`SELECT DISTINCT ${ident(r.owner)} AS "id" FROM ${ident(r.table)}
           WHERE ${AND([sql`${ident(r.column)} = ${id}`, r.collection === collection ? sql`${ident(r.owner)} <> ${id}` : undefined])}
           ORDER BY 1 LIMIT 10`,
    );
    if (rows.length > 0) referencedBy.push({ collection: r.collection, field: r.field, ids: rows.map((row) => String(row.id)) });
  }
  if (referencedBy.length > 0) {
    const what = referencedBy.map((r) => `${r.collection} (${r.field}: ${r.ids.join(', ')})`).join('; ');
    throw new AppError(
      'STILL_REFERENCED',
      `'${id}' in /v1/${collection} cannot be deleted while other records refer to it: ${what}. Change or delete those first.`,
      { referencedBy },
    );
  }
}
