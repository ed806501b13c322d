// Statement counts by topic and month, kept by triggers (migrations/postgres/0002) and rebuilt by a bulk load:
// stats by topic, month or year over whole months answer from them without reading the statements, as SQLite's
// stats.counts.ts does (the same rule for when they can, the same rows, the same order).
import { sql } from 'drizzle-orm';
import type { Dimension, StatementStats } from '../../modules/stats/stats.schema.js';
import type { StatementFilterValues } from '../types.js';
import type { Runner } from './query.js';

/** Everything but these filters needs the statements themselves. */
const SERVED_FILTERS = new Set(['from', 'to']);
const SERVED_DIMENSIONS = new Set<Dimension>(['topic', 'month', 'year']);

const lastDayOfMonth = (date: string) => {
  const next = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1, 0);
  return next.toISOString().slice(0, 10);
};

/**
 * The stats from the counts, when they can answer: dimensions among topic, month and year, and no filter but a
 * period of whole months (`from` the first of one, `to` the last day of one). Undefined otherwise.
 */
export async function statsFromCounts(
  run: Runner,
  groupBy: Dimension[],
  filters: StatementFilterValues,
): Promise<StatementStats | undefined> {
  const given = Object.entries(filters).filter(([, value]) => value !== undefined);
  if (!given.every(([name]) => SERVED_FILTERS.has(name)) || !groupBy.every((d) => SERVED_DIMENSIONS.has(d))) return undefined;
  if (filters.from && !filters.from.endsWith('-01')) return undefined;
  if (filters.to && filters.to !== lastDayOfMonth(filters.to)) return undefined;
  // A period leaves the undated out ('' sorts before every month).
  const dated = filters.from || filters.to;
  const from = filters.from?.slice(0, 7) ?? (dated ? '0000-01' : '');
  const to = filters.to?.slice(0, 7) ?? '9999-12';
  // Rows (topic, month, statements). By topic: each topic's own counts, and per month the statements without a
  // topic (every statement of the month, less those under '*', any topic). By period only: the months.
  const rows = groupBy.includes('topic')
    ? sql`SELECT "ancestor_id" AS topic, "month", "statements" FROM "topic_month_counts"
          WHERE "ancestor_id" <> '*' AND "month" BETWEEN ${from} AND ${to}
        UNION ALL
        SELECT NULL, m."month", m."statements" - coalesce(t."statements", 0) FROM "month_counts" m
          LEFT JOIN "topic_month_counts" t ON t."ancestor_id" = '*' AND t."month" = m."month"
         WHERE m."month" BETWEEN ${from} AND ${to}`
    : sql`SELECT NULL::text AS topic, "month", "statements" FROM "month_counts" WHERE "month" BETWEEN ${from} AND ${to}`;
  const value = (d: Dimension) =>
    d === 'topic' ? sql`r.topic` : d === 'month' ? sql`nullif(r."month", '')` : sql`nullif(substr(r."month", 1, 4), '')`;
  const [first, second] = groupBy as [Dimension, Dimension | undefined];
  // One after the other: `run` may be the one client of a write transaction.
  const cells = await run.all<{ d0: string | null; d1: string | null; n: number }>(sql`
    SELECT ${value(first)} AS d0, ${second ? value(second) : sql`NULL::text`} AS d1, sum(r."statements")::int AS n FROM (${rows}) r
     GROUP BY 1, 2 HAVING sum(r."statements") > 0
     ORDER BY n DESC, d0 ASC NULLS LAST, d1 ASC NULLS LAST`);
  const totals = await run.all<{ n: number | null }>(
    sql`SELECT sum("statements")::int AS n FROM "month_counts" WHERE "month" BETWEEN ${from} AND ${to}`,
  );
  return {
    groupBy,
    total: totals[0]?.n ?? 0,
    data: cells.map((c) => ({ [first]: c.d0, ...(second ? { [second]: c.d1 } : {}), count: c.n })),
  } as StatementStats;
}
