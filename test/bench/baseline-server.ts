// The read benchmark's baselines, in one process: a bare Fastify route answering a constant body (the framework's
// ceiling) and, per read shape, a raw route running the same SQL through prepared better-sqlite3 statements and
// serialising with the same response schema, without our layers (the stack's ceiling).
// Env: DATABASE_PATH, PORT, BARE_BODY_FILE (the constant body: a page of statements as the service answers it).
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { normalizeForMatch } from '../../src/lib/quotes.js';
import { type DocSpan, estimatedFrequency, type Hit, type NewestMatches, parseSearch, scoreHits, snippet } from '../../src/lib/search.js';
import { actorSchemas } from '../../src/modules/actors/actors.routes.js';
import { eventSchemas } from '../../src/modules/events/events.routes.js';
import { positionSchemas } from '../../src/modules/positions/positions.routes.js';
import { sourceSchemas } from '../../src/modules/sources/sources.routes.js';
import { statementSchemas } from '../../src/modules/statements/statements.routes.js';
import { StanceMatrixSchema, StatementStatsSchema } from '../../src/modules/stats/stats.schema.js';
import { topicSchemas } from '../../src/modules/topics/topics.routes.js';
import { corpusOf, tokensOf } from '../../src/storage/sqlite/statements.fts.js';
import { RAW_SQL } from './raw-sql.js';

const sqlite = new Database(process.env.DATABASE_PATH as string, { readonly: true });
// Read at the first request: the bench writes the file from the service's answer, and starts both servers at once.
let bare: Buffer | undefined;
const app = Fastify({ logger: false });
for (const schema of [...actorSchemas, ...topicSchemas, ...sourceSchemas, ...eventSchemas, ...statementSchemas, ...positionSchemas]) {
  app.addSchema(schema);
}

const page = (item: string) => ({
  200: {
    type: 'object',
    properties: { data: { type: 'array', items: { $ref: `${item}#` } }, nextCursor: { type: ['string', 'null'] } },
  },
});

const q = Object.fromEntries(Object.entries(RAW_SQL).map(([name, text]) => [name, sqlite.prepare(text)])) as {
  [K in keyof typeof RAW_SQL]: Database.Statement;
};

type Row = Record<string, unknown> & { id: string };

/**
 * The five link arrays of a page of statements, one query per link table, and each quote's `verified` from the
 * texts of the sources it cites (one query), as the service does.
 */
function statementsWithLinks(rows: Row[]): Row[] {
  const ids = JSON.stringify(rows.map((r) => r.id));
  // The arrays go onto the rows themselves (the response schema leaves `doc` out): no copy of any row.
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    Object.assign(r, { sourceIds: [], topicIds: [], addresseeIds: [], acts: [], respondsToIds: [] });
    byId.set(r.id, r);
  }
  const one = rows.length === 1;
  for (const [key, statement] of [
    ['sourceIds', one ? q.statementSourcesOne : q.statementSources],
    ['topicIds', one ? q.statementTopicsOne : q.statementTopics],
    ['addresseeIds', one ? q.statementAddresseesOne : q.statementAddressees],
    ['acts', one ? q.statementActsOne : q.statementActs],
    ['respondsToIds', one ? q.statementRespondsToOne : q.statementRespondsTo],
  ] as const) {
    for (const link of statement.all(one ? rows[0]?.id : ids) as { owner: string; value: string }[])
      (byId.get(link.owner)?.[key] as string[] | undefined)?.push(link.value);
  }
  const cited = new Set(rows.flatMap((r) => (r.kind === 'quote' ? (r.sourceIds as string[]) : [])));
  const texts = new Map<string, string>();
  if (cited.size) {
    for (const s of q.sourceTexts.all(JSON.stringify([...cited])) as { id: string; text: string }[])
      texts.set(s.id, normalizeForMatch(s.text));
  }
  for (const r of rows) {
    const withText = r.kind === 'quote' ? (r.sourceIds as string[]).flatMap((id) => texts.get(id) ?? []) : [];
    const words = withText.length ? normalizeForMatch(r.text as string) : '';
    r.verified = withText.length ? withText.some((t) => t.includes(words)) : null;
  }
  return rows;
}

const limited = (rows: Row[], limit: number) => ({
  data: statementsWithLinks(rows.slice(0, limit)),
  nextCursor: rows.length > limit ? 'more' : null,
});

app.get('/bare', async (_request, reply) => {
  bare ??= readFileSync(process.env.BARE_BODY_FILE as string);
  return reply.type('application/json; charset=utf-8').send(bare);
});

app.get('/raw/page', { schema: { response: page('Statement') } }, async (request) => {
  const { limit } = request.query as { limit: string };
  return limited(q.page.all(Number(limit) + 1) as Row[], Number(limit));
});

app.get('/raw/filtered', { schema: { response: page('Statement') } }, async (request) => {
  const { limit, topic, from, to } = request.query as Record<string, string>;
  return limited(q.filtered.all(topic, from, to, Number(limit) + 1) as Row[], Number(limit));
});

app.get('/raw/deep', { schema: { response: page('Statement') } }, async (request) => {
  const { limit, statedOn, id } = request.query as Record<string, string>;
  return limited(q.deep.all(statedOn, id, Number(limit) + 1) as Row[], Number(limit));
});

app.get('/raw/statement/:id', { schema: { response: { 200: { $ref: 'Statement#' } } } }, async (request) => {
  const row = q.statement.get((request.params as { id: string }).id) as Row | undefined;
  const [s] = statementsWithLinks(row ? [row] : []) as (Row & { sourceIds: string[]; topicIds: string[]; addresseeIds: string[] })[];
  if (!s) throw new Error('no such statement');
  // One id is compared directly, as the service does.
  const byIds = (ids: unknown[], one: Database.Statement, many: Database.Statement) =>
    inOrder(ids, (ids.length === 1 ? one.all(ids[0]) : many.all(JSON.stringify(ids))) as Row[]);
  const actors = (ids: unknown[]) => byIds(ids, q.actor, q.actors).map(parseAliases);
  const [speaker] = actors([s.speakerId]);
  return {
    ...s,
    speaker,
    onBehalfOf: s.onBehalfOfId ? (actors([s.onBehalfOfId])[0] ?? null) : null,
    event: s.eventId ? withParticipants(q.event.get(s.eventId) as Row) : null,
    sources: byIds(s.sourceIds, q.source, q.sources),
    topics: byIds(s.topicIds, q.topic, q.topics).map(parseAliases),
    addressees: actors(s.addresseeIds),
  };
});

/** Rows in the order of the ids that asked for them, as the service serves linked records. */
function inOrder(ids: unknown[], rows: Row[]): Row[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id as string) ?? []);
}

function parseAliases(row: Row): Row {
  return Object.assign(row, { aliases: JSON.parse(row.aliases as string) });
}

function withParticipants(row: Row | undefined): Row | null {
  if (!row) return null;
  return Object.assign(row, { participantIds: q.eventParticipants.pluck().all(row.id) });
}

// Term frequencies remembered as the service remembers them.
const frequencies = new Map<string, number>();

app.get('/raw/search', { schema: { response: page('Statement') } }, async (request) => {
  const { limit, q: text } = request.query as { limit: string; q: string };
  const search = parseSearch(text);
  const window = q.searchWindow.raw().all(search.expression) as [number, string, string | null, string | null, Uint8Array][];
  const hits: Hit[] = window.map(([doc, text, context, topics, sizes]) => ({ doc, text, context, topics, tokens: tokensOf(sizes) }));
  const frequency = (expression: string) => {
    let n = frequencies.get(expression);
    if (n === undefined) {
      const newest = q.newestMatches.get(expression) as NewestMatches;
      n = estimatedFrequency(newest, () => q.docSpan.get() as DocSpan);
      frequencies.set(expression, n);
    }
    return n;
  };
  const scores = scoreHits(hits, search, frequency, corpusOf(q.averages.pluck().get() as Uint8Array));
  const score = (hit: Hit) => scores.get(hit.doc) ?? 0;
  const ranked = hits.sort((a, b) => score(a) - score(b) || b.doc - a.doc).slice(0, Number(limit) + 1);
  const byDoc = new Map((q.statementsByDocs.all(JSON.stringify(ranked.map((h) => h.doc))) as Row[]).map((r) => [r.doc, r]));
  const shown = limited(
    ranked.flatMap((h) => byDoc.get(h.doc) ?? []),
    Number(limit),
  );
  return {
    ...shown,
    data: shown.data.map((r, i) => Object.assign(r, { snippet: snippet(r.text as string, search), score: score(ranked[i] as Hit) })),
  };
});

app.get('/raw/stats', { schema: { response: { 200: StatementStatsSchema } } }, async (request) => {
  const { from, to } = request.query as { from: string; to: string };
  const [first, last] = [from.slice(0, 7), to.slice(0, 7)];
  const rows = q.stats.all(first, last, first, last) as { d0: string | null; d1: string | null; n: number }[];
  return {
    groupBy: ['topic', 'month'],
    total: (q.statsTotal.pluck().get(first, last) as number | null) ?? 0,
    data: rows.map((r) => ({ topic: r.d0, month: r.d1, count: r.n })),
  };
});

app.get('/raw/stances', { schema: { response: { 200: StanceMatrixSchema } } }, async (request) => {
  const { asOf, topic } = request.query as Record<string, string>;
  const cells = q.stances.all(topic, asOf, asOf) as Row[];
  return {
    asOf,
    actors: [...new Set(cells.map((c) => c.actorId))],
    topics: [...new Set(cells.map((c) => c.topicId as string))].sort(),
    cells,
  };
});

app.get('/raw/positions', { schema: { response: page('Position') } }, async (request) => {
  const { asOf, limit } = request.query as Record<string, string>;
  const rows = q.positions.all(asOf, asOf, Number(limit) + 1) as Row[];
  const shown = rows.slice(0, Number(limit));
  const evidence = new Map<string, Row[]>(shown.map((r) => [r.id, []]));
  // Rows are used as they come (the response schema leaves out what it does not list): no copies.
  for (const e of q.evidence.all(JSON.stringify(shown.map((r) => r.id))) as Row[]) evidence.get(e.positionId as string)?.push(e);
  return {
    data: shown.map((r) => {
      const items = evidence.get(r.id) ?? [];
      const dates = items.flatMap((e) => (e.statedOn ? [e.statedOn] : []));
      return Object.assign(r, {
        evidence: items,
        firstStatedOn: dates[0] ?? null,
        lastReaffirmedOn: dates.at(-1) ?? null,
        statementCount: items.length,
      });
    }),
    nextCursor: rows.length > Number(limit) ? 'more' : null,
  };
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
