// Statement counts by topic and month, kept by triggers (migrations/0005_topic_ancestry.sql): stats by topic,
// month or year over whole months answer from them without reading the statements.
import { sql } from 'drizzle-orm';
import type { Dimension, StatementStats } from '../../modules/stats/stats.schema.js';
import type { StatementFilterValues } from '../types.js';
import type { Db } from './client.js';

/** Everything but these filters needs the statements themselves. */
const SERVED_FILTERS = new Set(['from', 'to']);
const SERVED_DIMENSIONS = new Set<Dimension>(['topic', 'month', 'year']);

const lastDayOfMonth = (date: string) => {
  const next = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1, 0);
  return next.toISOString().slice(0, 10);
};

/**
 * The stats from the counts, when they can answer: dimensions among topic, month and year, and no filter
 * but a period of whole months (`from` the first of one, `to` the last day of one). Undefined otherwise.
 */
export function statsFromCounts(db: Db, groupBy: Dimension[], filters: StatementFilterValues): StatementStats | undefined {
  const given = Object.entries(filters).filter(([, value]) => value !== undefined);
  if (!given.every(([name]) => SERVED_FILTERS.has(name)) || !groupBy.every((d) => SERVED_DIMENSIONS.has(d))) return undefined;
  if (filters.from && !filters.from.endsWith('-01')) return undefined;
  if (filters.to && filters.to !== lastDayOfMonth(filters.to)) return undefined;
  // A period leaves the undated out ('' sorts before every month).
  const dated = filters.from || filters.to;
  const from = filters.from?.slice(0, 7) ?? (dated ? '0000-01' : '');
  const to = filters.to?.slice(0, 7) ?? '9999-12';
  // Rows (topic, month, statements). By topic: each topic's own counts, and per month the statements without
  // a topic (every statement of the month, less those under '*', any topic). By period only: the months.
  const rows = groupBy.includes('topic')
    ? sql`SELECT ancestor_id AS topic, month, statements FROM topic_month_counts
          WHERE ancestor_id <> '*' AND month BETWEEN ${from} AND ${to}
        UNION ALL
        SELECT NULL, m.month, m.statements - coalesce(t.statements, 0) FROM month_counts m
          LEFT JOIN topic_month_counts t ON t.ancestor_id = '*' AND t.month = m.month
         WHERE m.month BETWEEN ${from} AND ${to}`
    : sql`SELECT NULL AS topic, month, statements FROM month_counts WHERE month BETWEEN ${from} AND ${to}`;
  const value = (d: Dimension) =>
    d === 'topic' ? sql`topic` : d === 'month' ? sql`nullif(month, '')` : sql`nullif(substr(month, 1, 4), '')`;
  const [first, second] = groupBy as [Dimension, Dimension | undefined];
  const cells = db.all<{ d0: string | null; d1: string | null; n: number }>(sql`
    SELECT ${value(first)} AS d0, ${second ? value(second) : sql`NULL`} AS d1, sum(statements) AS n FROM (${rows})
     GROUP BY d0, d1 HAVING n > 0
     ORDER BY n DESC, d0 IS NULL, d0, d1 IS NULL, d1`);
  const total = db.all<{ n: number | null }>(sql`SELECT sum(statements) AS n FROM month_counts WHERE month BETWEEN ${from} AND ${to}`)[0]
    ?.n;
  return {
    groupBy,
    total: total ?? 0,
    data: cells.map((c) => ({ [first]: c.d0, ...(second ? { [second]: c.d1 } : {}), count: c.n })),
  };
}

/**
 * The counts rebuilt from the statements and their topic ancestry (rebuilt first), as migration 0005 first
 * filled them; the SQL a bulk load leaves for its end, when the triggers that keep them are put aside. Topic
 * counts are taken a day at a time first: grouped by (topic, date), the ancestry's key order, SQLite counts
 * as it reads, and only those counts are sorted into months. Grouped by month straight away, it sorted every
 * ancestry row in memory: slower, and with a far higher peak of memory (docs/performance.md, Imports).
 */
export const REBUILD_COUNTS = [
  'DELETE FROM `topic_month_counts`',
  `INSERT INTO \`topic_month_counts\` (\`ancestor_id\`, \`month\`, \`statements\`)
     SELECT \`ancestor_id\`, \`month\`, sum(\`n\`) FROM (
       SELECT \`ancestor_id\`, substr(\`stated_on\`, 1, 7) AS \`month\`, count(*) AS \`n\` FROM \`statement_topic_ancestors\`
         GROUP BY \`ancestor_id\`, \`stated_on\`)
     GROUP BY \`month\`, \`ancestor_id\``,
  'DELETE FROM `month_counts`',
  `INSERT INTO \`month_counts\` (\`month\`, \`statements\`)
     SELECT substr(coalesce(\`stated_on\`, ''), 1, 7), count(*) FROM \`statements\` GROUP BY 1`,
];
