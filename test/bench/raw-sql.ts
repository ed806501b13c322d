// The SQL of each read shape as the baseline routes run it: what the service's queries come to, written by hand.
import { COUNTED_MATCHES, RANKED_MATCHES } from '../../src/lib/search.js';
import { TOPIC_TERMS } from '../../src/storage/sqlite/statements.fts.js';

const STATEMENT = `s.id, s.doc, s.text, s.kind, s.speaker_id AS speakerId, s.on_behalf_of_id AS onBehalfOfId,
  s.speaker_role AS speakerRole, s.stated_on AS statedOn, s.event_id AS eventId,
  s.context, s.language, s.created_at AS createdAt, s.updated_at AS updatedAt, s.version`;
const META = 'created_at AS createdAt, updated_at AS updatedAt, version';
// A statement's links are read from its row's `links` column (position `at`): the link tables are keyed by value.
const link = (at: number) =>
  `SELECT s.id AS owner, l.value AS value FROM statements s, json_each(s.links, '$[${at}]') l
    WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.id, l.key`;
const byIds = (table: string, columns: string) => `SELECT ${columns}, ${META} FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`;
// One owner or one id is compared directly, as the service does (json_each cost about 4 µs more a lookup).
const linkOne = (at: number) =>
  `SELECT s.id AS owner, l.value AS value FROM statements s, json_each(s.links, '$[${at}]') l WHERE s.id = ? ORDER BY l.key`;
const byId = (table: string, columns: string) => `SELECT ${columns}, ${META} FROM ${table} WHERE id = ?`;
const ACTOR = 'id, name, kind, country_code AS countryCode, parent_id AS parentId, aliases, description';
const TOPIC = 'id, name, parent_id AS parentId, aliases, description';
const SOURCE = 'id, kind, title, publisher, author, url, published_on AS publishedOn, language, text';

export const RAW_SQL = {
  page: `SELECT ${STATEMENT} FROM statements s ORDER BY s.stated_on DESC, s.id DESC LIMIT ?`,
  // A topic (with its descendants) and a date range, newest first, off the topic ancestry key.
  filtered: `SELECT ${STATEMENT} FROM statement_topic_ancestors a JOIN statements s ON s.id = a.statement_id
     WHERE a.ancestor_id = ? AND a.stated_on >= ? AND a.stated_on <= ?
     ORDER BY a.stated_on DESC, a.statement_id DESC LIMIT ?`,
  // The page after (statedOn, id), newest first: keyset pagination.
  deep: `SELECT ${STATEMENT} FROM statements s
     WHERE (s.stated_on, s.id) < (?, ?)
     ORDER BY s.stated_on DESC, s.id DESC LIMIT ?`,
  statement: `SELECT ${STATEMENT} FROM statements s WHERE s.id = ?`,
  statementSources: link(0),
  statementTopics: link(1),
  statementAddressees: link(2),
  statementActs: link(3),
  statementRespondsTo: link(4),
  statementSourcesOne: linkOne(0),
  statementTopicsOne: linkOne(1),
  statementAddresseesOne: linkOne(2),
  statementActsOne: linkOne(3),
  statementRespondsToOne: linkOne(4),
  actors: byIds('actors', ACTOR),
  actor: byId('actors', ACTOR),
  topics: byIds('topics', TOPIC),
  topic: byId('topics', TOPIC),
  sources: byIds('sources', SOURCE),
  source: byId('sources', SOURCE),
  event: `SELECT id, kind, title, start_date AS startDate, end_date AS endDate, location, host_id AS hostId, ${META} FROM events WHERE id = ?`,
  // The texts of the sources a page's quotes cite, for their `verified`.
  sourceTexts: 'SELECT id, text FROM sources WHERE id IN (SELECT value FROM json_each(?)) AND text IS NOT NULL',
  eventParticipants: 'SELECT actor_id FROM event_participants WHERE event_id = ? ORDER BY ord',
  // The newest RANKED_MATCHES matches, with what ranking reads; the page's rows by id; a term's newest matches and the span of doc numbers, for its document frequency.
  // The index is contentless: text and context from the statements, topic terms built again as it was given them.
  searchWindow: `SELECT w.doc, s.text, s.context, ${TOPIC_TERMS} AS topics, d.sz FROM (
      SELECT rowid AS doc FROM statements_fts WHERE statements_fts MATCH ? ORDER BY rowid DESC LIMIT ${RANKED_MATCHES}) w
     JOIN statements s ON s.doc = w.doc JOIN statements_fts_docsize d ON d.id = w.doc ORDER BY w.doc DESC`,
  statementsByDocs: `SELECT ${STATEMENT} FROM statements s WHERE s.doc IN (SELECT value FROM json_each(?))`,
  newestMatches: `SELECT count(*) AS counted, min(rowid) AS oldest FROM (
      SELECT rowid FROM statements_fts WHERE statements_fts MATCH ? ORDER BY rowid DESC LIMIT ${COUNTED_MATCHES})`,
  docSpan: 'SELECT (SELECT min(doc) FROM statements) AS first, (SELECT max(doc) FROM statements) AS last',
  averages: 'SELECT block FROM statements_fts_data WHERE id = 1',
  // Statements by topic (with their ancestors) and month, each counted once per cell.
  // Topic x month over whole months, from the counts the triggers keep (months as 'YYYY-MM', four parameters).
  stats: `SELECT d0, d1, sum(statements) AS n FROM (
      SELECT ancestor_id AS d0, month AS d1, statements FROM topic_month_counts WHERE ancestor_id <> '*' AND month BETWEEN ? AND ?
      UNION ALL
      SELECT NULL, m.month, m.statements - coalesce(t.statements, 0) FROM month_counts m
        LEFT JOIN topic_month_counts t ON t.ancestor_id = '*' AND t.month = m.month
       WHERE m.month BETWEEN ? AND ?
    ) GROUP BY d0, d1 HAVING n > 0 ORDER BY n DESC, d0 IS NULL, d0, d1 IS NULL, d1`,
  statsTotal: 'SELECT sum(statements) FROM month_counts WHERE month BETWEEN ? AND ?',
  stances: `SELECT actor_id AS actorId, topic_id AS topicId, stance, id AS positionId, summary, valid_from AS validFrom, valid_to AS validTo
      FROM positions WHERE topic_id IN (SELECT topic_id FROM topic_ancestors WHERE ancestor_id = ?)
       AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY actor_id, topic_id, valid_from`,
  positions: `SELECT id, actor_id AS actorId, topic_id AS topicId, stance, summary, valid_from AS validFrom, valid_to AS validTo, ${META}
      FROM positions WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from, id LIMIT ?`,
  evidence: `SELECT e.position_id AS positionId, e.statement_id AS statementId, e.relation, s.stated_on AS statedOn
      FROM position_evidence e JOIN statements s ON s.id = e.statement_id
     WHERE e.position_id IN (SELECT value FROM json_each(?))
     ORDER BY e.position_id, s.stated_on IS NULL, s.stated_on, e.ord`,
} as const;
