// The lean baseline's routes on either engine (test/bench/lean-server.ts on SQLite, lean-pg-server.ts on
// PostgreSQL): hand-written Fastify routes serialised with the service's response schemas, each answer built
// field by field from rows that come as arrays. An engine brings its queries and how its cells hold JSON and
// booleans; the bench checks that each route answers as the service does.
import Fastify from 'fastify';
import { actorSchemas } from '../../src/modules/actors/actors.routes.js';
import { eventSchemas } from '../../src/modules/events/events.routes.js';
import { positionSchemas } from '../../src/modules/positions/positions.routes.js';
import { sourceSchemas } from '../../src/modules/sources/sources.routes.js';
import { statementSchemas } from '../../src/modules/statements/statements.routes.js';
import { topicSchemas } from '../../src/modules/topics/topics.routes.js';

/** A row as an array, in the column order of the queries below. */
export type Cells = unknown[];
type Rows = Cells[] | Promise<Cells[]>;
/** A statement's expansions, each the rows of its records in the statement's order. */
type Expansions = Record<'speaker' | 'onBehalfOf' | 'event' | 'sources' | 'topics' | 'addressees', Cells[]>;

/** The statements' columns, in the order `statement` reads them. */
export const LEAN_COLUMNS = `s.id, s.text, s.kind, s.speaker_id, s.on_behalf_of_id, s.speaker_role, s.stated_on, s.event_id, s.context,
  s.language, s.links, s.verified, s.created_at, s.updated_at, s.version`;
/** An expansion's columns, in the order the routes read them. */
export const LEAN_EXPANSION_COLUMNS = {
  actors: 'a.id, a.name, a.kind, a.country_code, a.parent_id, a.aliases, a.description, a.created_at, a.updated_at, a.version',
  topics: 't.id, t.name, t.parent_id, t.aliases, t.description, t.created_at, t.updated_at, t.version',
  sources: 's.id, s.kind, s.title, s.publisher, s.author, s.url, s.published_on, s.language, s.text, s.created_at, s.updated_at, s.version',
  event: 'id, kind, title, start_date, end_date, location, host_id, participant_ids, created_at, updated_at, version',
} as const;

export interface LeanEngine {
  /** A JSON cell as a value (SQLite holds its text, PostgreSQL's jsonb comes parsed). */
  json: (cell: unknown) => unknown;
  /** A boolean cell (SQLite holds 0 or 1). */
  boolean: (cell: unknown) => unknown;
  /** Pages of `limit` rows newest first: from the start, after (statedOn, id), in a date range, under a topic in one. */
  page: (limit: number) => Rows;
  after: (statedOn: string, id: string, limit: number) => Rows;
  range: (from: string, to: string, limit: number) => Rows;
  topicRange: (topic: string, from: string, to: string, limit: number) => Rows;
  /** One statement by id: one row or none. */
  one: (id: string) => Rows;
  /** The rows a statement's expansions are made of. */
  expansions: (s: {
    speakerId: string;
    onBehalfOfId: string | null;
    eventId: string | null;
    sourceIds: string[];
    topicIds: string[];
    addresseeIds: string[];
  }) => Expansions | Promise<Expansions>;
}

/** Listens on PORT with the lean routes over `engine`; `/lean/started` answers before the database is ready. */
export async function serveLean(engine: LeanEngine) {
  const { json, boolean } = engine;
  const app = Fastify({ logger: false });
  for (const schema of [...actorSchemas, ...topicSchemas, ...sourceSchemas, ...eventSchemas, ...statementSchemas, ...positionSchemas]) {
    app.addSchema(schema);
  }
  const page = {
    200: {
      type: 'object',
      properties: { data: { type: 'array', items: { $ref: 'Statement#' } }, nextCursor: { type: ['string', 'null'] } },
    },
  };
  app.get('/lean/started', async () => ({ ok: true }));

  // Field by field, one object shape for every statement.
  function statement(r: Cells) {
    const links = json(r[10]) as string[][];
    return {
      id: r[0] as string,
      text: r[1],
      kind: r[2],
      speakerId: r[3] as string,
      onBehalfOfId: r[4] as string | null,
      speakerRole: r[5],
      statedOn: r[6],
      eventId: r[7] as string | null,
      context: r[8],
      language: r[9],
      sourceIds: links[0] as string[],
      topicIds: links[1] as string[],
      addresseeIds: links[2] as string[],
      acts: links[3],
      respondsToIds: links[4],
      verified: boolean(r[11]),
      createdAt: r[12],
      updatedAt: r[13],
      version: r[14],
    };
  }
  const pageOf = (rows: Cells[], limit: number) => ({
    data: rows.slice(0, limit).map(statement),
    nextCursor: rows.length > limit ? 'more' : null,
  });

  app.get('/lean/page', { schema: { response: page } }, async (request) => {
    const { limit, statedOn, id } = request.query as Record<string, string>;
    const n = Number(limit);
    return pageOf(await (statedOn ? engine.after(statedOn, id as string, n + 1) : engine.page(n + 1)), n);
  });

  app.get('/lean/range', { schema: { response: page } }, async (request) => {
    const { limit, from, to } = request.query as Record<string, string>;
    return pageOf(await engine.range(from as string, to as string, Number(limit) + 1), Number(limit));
  });

  app.get('/lean/filtered', { schema: { response: page } }, async (request) => {
    const { limit, topic, from, to } = request.query as Record<string, string>;
    return pageOf(await engine.topicRange(topic as string, from as string, to as string, Number(limit) + 1), Number(limit));
  });

  const actor = (r: Cells) => ({
    id: r[0],
    name: r[1],
    kind: r[2],
    countryCode: r[3],
    parentId: r[4],
    aliases: json(r[5]),
    description: r[6],
    createdAt: r[7],
    updatedAt: r[8],
    version: r[9],
  });

  app.get('/lean/statement/:id', { schema: { response: { 200: { $ref: 'Statement#' } } } }, async (request) => {
    const [row] = await engine.one((request.params as { id: string }).id);
    if (!row) throw new Error('no such statement');
    const s = statement(row);
    if (!(request.query as { expand?: string }).expand) return s;
    const { speaker, onBehalfOf, event, sources, topics, addressees } = await engine.expansions(s);
    const e = event[0];
    return Object.assign(s, {
      speaker: speaker[0] ? actor(speaker[0]) : undefined,
      onBehalfOf: onBehalfOf[0] ? actor(onBehalfOf[0]) : null,
      event: e
        ? {
            id: e[0],
            kind: e[1],
            title: e[2],
            startDate: e[3],
            endDate: e[4],
            location: e[5],
            hostId: e[6],
            participantIds: json(e[7]),
            createdAt: e[8],
            updatedAt: e[9],
            version: e[10],
          }
        : null,
      sources: sources.map((r) => ({
        id: r[0],
        kind: r[1],
        title: r[2],
        publisher: r[3],
        author: r[4],
        url: r[5],
        publishedOn: r[6],
        language: r[7],
        text: r[8],
        createdAt: r[9],
        updatedAt: r[10],
        version: r[11],
      })),
      topics: topics.map((r) => ({
        id: r[0],
        name: r[1],
        parentId: r[2],
        aliases: json(r[3]),
        description: r[4],
        createdAt: r[5],
        updatedAt: r[6],
        version: r[7],
      })),
      addressees: addressees.map(actor),
    });
  });

  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}
