// The lean baseline's server (issue #21): hand-written Fastify routes over the lean database (test/bench/lean.ts),
// one prepared statement per answer, serialised with the service's response schemas. The ceiling our data
// model could reach for each read shape; the bench checks that each route answers as the service does.
// Env: DATABASE_PATH (a lean database), PORT. The server starts before the database is loaded (the bench starts it
// while the archive is generated); the database is opened at the first request that reads it.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
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

// Rows come as arrays (`raw`), in this column order.
const COLUMNS = `s.id, s.text, s.kind, s.speaker_id, s.on_behalf_of_id, s.speaker_role, s.stated_on, s.event_id, s.context,
  s.language, s.links, s.verified, s.created_at, s.updated_at, s.version`;
const prepare = (sqlite: Database.Database) => ({
  page: sqlite.prepare(`SELECT ${COLUMNS} FROM statements s ORDER BY s.stated_on DESC, s.id DESC LIMIT ?`).raw(),
  after: sqlite
    .prepare(`SELECT ${COLUMNS} FROM statements s WHERE (s.stated_on, s.id) < (?, ?) ORDER BY s.stated_on DESC, s.id DESC LIMIT ?`)
    .raw(),
  range: sqlite
    .prepare(`SELECT ${COLUMNS} FROM statements s WHERE s.stated_on >= ? AND s.stated_on <= ? ORDER BY s.stated_on DESC, s.id DESC LIMIT ?`)
    .raw(),
  topicRange: sqlite
    .prepare(
      `SELECT ${COLUMNS} FROM statement_topic t JOIN statements s ON s.stated_on = t.stated_on AND s.id = t.id
        WHERE t.topic_id = ? AND t.stated_on >= ? AND t.stated_on <= ? ORDER BY t.stated_on DESC, t.id DESC LIMIT ?`,
    )
    .raw(),
  one: sqlite
    .prepare(`SELECT ${COLUMNS} FROM statement_key k JOIN statements s ON s.stated_on = k.stated_on AND s.id = k.id WHERE k.id = ?`)
    .raw(),
  // An expansion's records by the ids a statement carries inline, in their order.
  actors: sqlite
    .prepare(
      `SELECT a.id, a.name, a.kind, a.country_code, a.parent_id, a.aliases, a.description, a.created_at, a.updated_at, a.version
         FROM json_each(?) j JOIN actors a ON a.id = j.value ORDER BY j.key`,
    )
    .raw(),
  topics: sqlite
    .prepare(
      `SELECT t.id, t.name, t.parent_id, t.aliases, t.description, t.created_at, t.updated_at, t.version
         FROM json_each(?) j JOIN topics t ON t.id = j.value ORDER BY j.key`,
    )
    .raw(),
  sources: sqlite
    .prepare(
      `SELECT s.id, s.kind, s.title, s.publisher, s.author, s.url, s.published_on, s.language, s.text, s.created_at, s.updated_at, s.version
         FROM json_each(?) j JOIN sources s ON s.id = j.value ORDER BY j.key`,
    )
    .raw(),
  event: sqlite
    .prepare(
      'SELECT id, kind, title, start_date, end_date, location, host_id, participant_ids, created_at, updated_at, version FROM events WHERE id = ?',
    )
    .raw(),
});
let statements: ReturnType<typeof prepare> | undefined;
const db = () => {
  statements ??= prepare(new Database(process.env.DATABASE_PATH as string, { readonly: true, fileMustExist: true }));
  return statements;
};
app.get('/lean/started', async () => ({ ok: true }));

type Cells = unknown[];
// Field by field, one object shape for every statement.
function statement(r: Cells) {
  const links = JSON.parse(r[10] as string) as string[][];
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
    verified: r[11] === null ? null : r[11] === 1,
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
  return pageOf((statedOn ? db().after.all(statedOn, id, n + 1) : db().page.all(n + 1)) as Cells[], n);
});

app.get('/lean/range', { schema: { response: page } }, async (request) => {
  const { limit, from, to } = request.query as Record<string, string>;
  return pageOf(db().range.all(from, to, Number(limit) + 1) as Cells[], Number(limit));
});

app.get('/lean/filtered', { schema: { response: page } }, async (request) => {
  const { limit, topic, from, to } = request.query as Record<string, string>;
  return pageOf(db().topicRange.all(topic, from, to, Number(limit) + 1) as Cells[], Number(limit));
});

const actor = (r: Cells) => ({
  id: r[0],
  name: r[1],
  kind: r[2],
  countryCode: r[3],
  parentId: r[4],
  aliases: JSON.parse(r[5] as string),
  description: r[6],
  createdAt: r[7],
  updatedAt: r[8],
  version: r[9],
});
const actors = (ids: string[]) => (db().actors.all(JSON.stringify(ids)) as Cells[]).map(actor);

app.get('/lean/statement/:id', { schema: { response: { 200: { $ref: 'Statement#' } } } }, async (request) => {
  const row = db().one.get((request.params as { id: string }).id) as Cells | undefined;
  if (!row) throw new Error('no such statement');
  const s = statement(row);
  if (!(request.query as { expand?: string }).expand) return s;
  const e = s.eventId ? (db().event.get(s.eventId) as Cells | undefined) : undefined;
  return Object.assign(s, {
    speaker: actors([s.speakerId])[0],
    onBehalfOf: s.onBehalfOfId ? (actors([s.onBehalfOfId])[0] ?? null) : null,
    event: e
      ? {
          id: e[0],
          kind: e[1],
          title: e[2],
          startDate: e[3],
          endDate: e[4],
          location: e[5],
          hostId: e[6],
          participantIds: JSON.parse(e[7] as string),
          createdAt: e[8],
          updatedAt: e[9],
          version: e[10],
        }
      : null,
    sources: (db().sources.all(JSON.stringify(s.sourceIds)) as Cells[]).map((r) => ({
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
    topics: (db().topics.all(JSON.stringify(s.topicIds)) as Cells[]).map((r) => ({
      id: r[0],
      name: r[1],
      parentId: r[2],
      aliases: JSON.parse(r[3] as string),
      description: r[4],
      createdAt: r[5],
      updatedAt: r[6],
      version: r[7],
    })),
    addressees: actors(s.addresseeIds),
  });
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
