// The lean baseline's server on PostgreSQL (`npm run bench -- --engine postgres`): hand-written Fastify routes over
// the lean database (test/bench/lean-pg-load.ts), one prepared query per answer on a `pg` pool of the service's
// size, serialised with the service's response schemas — as test/bench/lean-server.ts does on SQLite. The bench
// checks that each route answers as the service does. Env: DATABASE_URL (the lean database), PORT.
import Fastify from 'fastify';
import pg from 'pg';
import { actorSchemas } from '../../src/modules/actors/actors.routes.js';
import { eventSchemas } from '../../src/modules/events/events.routes.js';
import { positionSchemas } from '../../src/modules/positions/positions.routes.js';
import { sourceSchemas } from '../../src/modules/sources/sources.routes.js';
import { statementSchemas } from '../../src/modules/statements/statements.routes.js';
import { topicSchemas } from '../../src/modules/topics/topics.routes.js';

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
// pg's default pool size, as the service's.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => {});

// Rows come as arrays, in this column order; each query prepared once per connection (a name).
const COLUMNS = `s.id, s.text, s.kind, s.speaker_id, s.on_behalf_of_id, s.speaker_role, s.stated_on, s.event_id, s.context,
  s.language, s.links, s.verified, s.created_at, s.updated_at, s.version`;
const QUERIES = {
  page: `SELECT ${COLUMNS} FROM statements s ORDER BY s.stated_on DESC, s.id DESC LIMIT $1`,
  after: `SELECT ${COLUMNS} FROM statements s WHERE (s.stated_on, s.id) < ($1, $2) ORDER BY s.stated_on DESC, s.id DESC LIMIT $3`,
  range: `SELECT ${COLUMNS} FROM statements s WHERE s.stated_on >= $1 AND s.stated_on <= $2 ORDER BY s.stated_on DESC, s.id DESC LIMIT $3`,
  topicRange: `SELECT ${COLUMNS} FROM statement_topic t JOIN statements s ON s.stated_on = t.stated_on AND s.id = t.id
    WHERE t.topic_id = $1 AND t.stated_on >= $2 AND t.stated_on <= $3 ORDER BY t.stated_on DESC, t.id DESC LIMIT $4`,
  one: `SELECT ${COLUMNS} FROM statements s WHERE s.id = $1`,
  // An expansion's records by the ids a statement carries inline, in their order.
  actors: `SELECT a.id, a.name, a.kind, a.country_code, a.parent_id, a.aliases, a.description, a.created_at, a.updated_at, a.version
    FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY j(v, o) JOIN actors a ON a.id = j.v ORDER BY j.o`,
  topics: `SELECT t.id, t.name, t.parent_id, t.aliases, t.description, t.created_at, t.updated_at, t.version
    FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY j(v, o) JOIN topics t ON t.id = j.v ORDER BY j.o`,
  sources: `SELECT s.id, s.kind, s.title, s.publisher, s.author, s.url, s.published_on, s.language, s.text, s.created_at, s.updated_at, s.version
    FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY j(v, o) JOIN sources s ON s.id = j.v ORDER BY j.o`,
  event:
    'SELECT id, kind, title, start_date, end_date, location, host_id, participant_ids, created_at, updated_at, version FROM events WHERE id = $1',
} as const;
type Cells = unknown[];
const run = async (name: keyof typeof QUERIES, values: unknown[]): Promise<Cells[]> =>
  (await pool.query({ name: `lean_${name}`, text: QUERIES[name], values, rowMode: 'array' })).rows as Cells[];

app.get('/lean/started', async () => ({ ok: true }));

// Field by field, one object shape for every statement.
function statement(r: Cells) {
  const links = r[10] as string[][];
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
    verified: r[11],
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
  return pageOf(statedOn ? await run('after', [statedOn, id, n + 1]) : await run('page', [n + 1]), n);
});

app.get('/lean/range', { schema: { response: page } }, async (request) => {
  const { limit, from, to } = request.query as Record<string, string>;
  return pageOf(await run('range', [from, to, Number(limit) + 1]), Number(limit));
});

app.get('/lean/filtered', { schema: { response: page } }, async (request) => {
  const { limit, topic, from, to } = request.query as Record<string, string>;
  return pageOf(await run('topicRange', [topic, from, to, Number(limit) + 1]), Number(limit));
});

const actor = (r: Cells) => ({
  id: r[0],
  name: r[1],
  kind: r[2],
  countryCode: r[3],
  parentId: r[4],
  aliases: r[5],
  description: r[6],
  createdAt: r[7],
  updatedAt: r[8],
  version: r[9],
});

app.get('/lean/statement/:id', { schema: { response: { 200: { $ref: 'Statement#' } } } }, async (request) => {
  const [row] = await run('one', [(request.params as { id: string }).id]);
  if (!row) throw new Error('no such statement');
  const s = statement(row);
  if (!(request.query as { expand?: string }).expand) return s;
  const [speaker, onBehalfOf, events, sources, topics, addressees] = await Promise.all([
    run('actors', [JSON.stringify([s.speakerId])]),
    s.onBehalfOfId ? run('actors', [JSON.stringify([s.onBehalfOfId])]) : Promise.resolve([]),
    s.eventId ? run('event', [s.eventId]) : Promise.resolve([]),
    run('sources', [JSON.stringify(s.sourceIds)]),
    run('topics', [JSON.stringify(s.topicIds)]),
    run('actors', [JSON.stringify(s.addresseeIds)]),
  ]);
  const e = events[0];
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
          participantIds: e[7],
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
      aliases: r[3],
      description: r[4],
      createdAt: r[5],
      updatedAt: r[6],
      version: r[7],
    })),
    addressees: addressees.map(actor),
  });
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
