// The lean baseline's server on PostgreSQL (`npm run bench -- --engine postgres`): hand-written Fastify routes over
// the lean database (test/bench/lean-pg-load.ts), one prepared query per answer on a `pg` pool of the service's
// size, serialised with the service's response schemas — the routes SQLite's lean server has
// (test/bench/lean-routes.ts). The bench checks that each route answers as the service does. Env: DATABASE_URL
// (the lean database), PORT.
import pg from 'pg';
import { type Cells, LEAN_COLUMNS as COLUMNS, LEAN_EXPANSION_COLUMNS as EXPANSION, serveLean } from './lean-routes.js';

// pg's default pool size, as the service's.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => {});

// Rows come as arrays; each query prepared once per connection (a name).
const QUERIES = {
  page: `SELECT ${COLUMNS} FROM statements s ORDER BY s.stated_on DESC, s.id DESC LIMIT $1`,
  after: `SELECT ${COLUMNS} FROM statements s WHERE (s.stated_on, s.id) < ($1, $2) ORDER BY s.stated_on DESC, s.id DESC LIMIT $3`,
  range: `SELECT ${COLUMNS} FROM statements s WHERE s.stated_on >= $1 AND s.stated_on <= $2 ORDER BY s.stated_on DESC, s.id DESC LIMIT $3`,
  // The page's keys first, then their rows: joined whole, the planner takes the two tables' (date, id) for
  // independent columns, expects a handful of rows and sorts a hash join of every statement.
  topicRange: `SELECT ${COLUMNS} FROM (SELECT stated_on, id FROM statement_topic
      WHERE topic_id = $1 AND stated_on >= $2 AND stated_on <= $3 ORDER BY stated_on DESC, id DESC LIMIT $4) t
    JOIN statements s ON s.stated_on = t.stated_on AND s.id = t.id ORDER BY t.stated_on DESC, t.id DESC`,
  one: `SELECT ${COLUMNS} FROM statements s WHERE s.id = $1`,
  // An expansion's records by the ids a statement carries inline, in their order.
  actors: `SELECT ${EXPANSION.actors}
    FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY j(v, o) JOIN actors a ON a.id = j.v ORDER BY j.o`,
  topics: `SELECT ${EXPANSION.topics}
    FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY j(v, o) JOIN topics t ON t.id = j.v ORDER BY j.o`,
  sources: `SELECT ${EXPANSION.sources}
    FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY j(v, o) JOIN sources s ON s.id = j.v ORDER BY j.o`,
  event: `SELECT ${EXPANSION.event} FROM events WHERE id = $1`,
} as const;
const run = async (name: keyof typeof QUERIES, values: unknown[]): Promise<Cells[]> =>
  (await pool.query({ name: `lean_${name}`, text: QUERIES[name], values, rowMode: 'array' })).rows as Cells[];
const none = Promise.resolve([] as Cells[]);

await serveLean({
  json: (cell) => cell,
  boolean: (cell) => cell,
  page: (limit) => run('page', [limit]),
  after: (statedOn, id, limit) => run('after', [statedOn, id, limit]),
  range: (from, to, limit) => run('range', [from, to, limit]),
  topicRange: (topic, from, to, limit) => run('topicRange', [topic, from, to, limit]),
  one: (id) => run('one', [id]),
  // All at once, each on a connection of the pool.
  expansions: async (s) => {
    const [speaker, onBehalfOf, event, sources, topics, addressees] = await Promise.all([
      run('actors', [JSON.stringify([s.speakerId])]),
      s.onBehalfOfId ? run('actors', [JSON.stringify([s.onBehalfOfId])]) : none,
      s.eventId ? run('event', [s.eventId]) : none,
      run('sources', [JSON.stringify(s.sourceIds)]),
      run('topics', [JSON.stringify(s.topicIds)]),
      run('actors', [JSON.stringify(s.addresseeIds)]),
    ]);
    return { speaker, onBehalfOf, event, sources, topics, addressees };
  },
});
