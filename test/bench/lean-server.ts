// The lean baseline's server (issue #21): hand-written Fastify routes over the lean database (test/bench/lean.ts),
// one prepared statement per answer, serialised with the service's response schemas (the routes:
// test/bench/lean-routes.ts). The ceiling our data model could reach for each read shape; the bench checks that
// each route answers as the service does. Env: DATABASE_PATH (a lean database), PORT. The server starts before the
// database is loaded (the bench starts it while the archive is generated); the database is opened at the first
// request that reads it.
import Database from 'better-sqlite3';
import { type Cells, LEAN_COLUMNS as COLUMNS, LEAN_EXPANSION_COLUMNS as EXPANSION, serveLean } from './lean-routes.js';

// Rows come as arrays (`raw`).
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
  actors: sqlite.prepare(`SELECT ${EXPANSION.actors} FROM json_each(?) j JOIN actors a ON a.id = j.value ORDER BY j.key`).raw(),
  topics: sqlite.prepare(`SELECT ${EXPANSION.topics} FROM json_each(?) j JOIN topics t ON t.id = j.value ORDER BY j.key`).raw(),
  sources: sqlite.prepare(`SELECT ${EXPANSION.sources} FROM json_each(?) j JOIN sources s ON s.id = j.value ORDER BY j.key`).raw(),
  event: sqlite.prepare(`SELECT ${EXPANSION.event} FROM events WHERE id = ?`).raw(),
});
let statements: ReturnType<typeof prepare> | undefined;
const db = () => {
  statements ??= prepare(new Database(process.env.DATABASE_PATH as string, { readonly: true, fileMustExist: true }));
  return statements;
};
const actors = (ids: string[]) => db().actors.all(JSON.stringify(ids)) as Cells[];

await serveLean({
  json: (cell) => JSON.parse(cell as string),
  boolean: (cell) => (cell === null ? null : cell === 1),
  page: (limit) => db().page.all(limit) as Cells[],
  after: (statedOn, id, limit) => db().after.all(statedOn, id, limit) as Cells[],
  range: (from, to, limit) => db().range.all(from, to, limit) as Cells[],
  topicRange: (topic, from, to, limit) => db().topicRange.all(topic, from, to, limit) as Cells[],
  one: (id) => {
    const row = db().one.get(id) as Cells | undefined;
    return row ? [row] : [];
  },
  expansions: (s) => ({
    speaker: actors([s.speakerId]),
    onBehalfOf: s.onBehalfOfId ? actors([s.onBehalfOfId]) : [],
    event: s.eventId ? (db().event.all(s.eventId) as Cells[]) : [],
    sources: db().sources.all(JSON.stringify(s.sourceIds)) as Cells[],
    topics: db().topics.all(JSON.stringify(s.topicIds)) as Cells[],
    addressees: actors(s.addresseeIds),
  }),
});
