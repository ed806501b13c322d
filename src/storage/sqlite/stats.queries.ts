// Queries behind the dashboard stats: statement counts by one or two dimensions, and the stance matrix.
import { and, asc, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Dimension, StanceMatrix, StatementStats } from '../../modules/stats/stats.schema.js';
import type { StatementFilterValues } from '../types.js';
import type { Db } from './client.js';
import { positionFilters } from './positions.queries.js';
import { statementFilters } from './statements.queries.js';
import { statsFromCounts } from './stats.counts.js';
import { positions } from './tables/positions.table.js';
import { linkPath, statements } from './tables/statements.table.js';
import { topicAncestors } from './topics.ancestry.js';

const name = (column: SQLiteColumn) => sql.identifier(column.name);

/**
 * The value of a dimension over `matched m`, and the join it needs. Link dimensions are LEFT joins, so a
 * statement without topics (addressees, acts) lands in the null cell instead of vanishing from the answer.
 */
function dimension(dim: Dimension, n: number): { value: SQL; join?: SQL } {
  const j = sql.identifier(`j${n}`);
  switch (dim) {
    case 'speaker':
      return { value: sql`m.speaker_id` };
    case 'onBehalfOf':
      return { value: sql`m.on_behalf_of_id` };
    case 'kind':
      return { value: sql`m.kind` };
    case 'month':
      return { value: sql`substr(m.stated_on, 1, 7)` };
    case 'year':
      return { value: sql`substr(m.stated_on, 1, 4)` };
    // A statement's addressees, acts and topics are read from its `links` column (the link tables are keyed by
    // value only, migrations/0015); its topics lead to every topic above them, as the ancestry does.
    case 'addressee':
      return { value: sql`${j}.value`, join: sql`LEFT JOIN json_each(m.links, ${sql.raw(linkPath('addresseeIds'))}) ${j}` };
    case 'act':
      return { value: sql`${j}.value`, join: sql`LEFT JOIN json_each(m.links, ${sql.raw(linkPath('acts'))}) ${j}` };
    case 'topic': {
      // Every topic the statement is about, directly or through a descendant: the meaning of the `topic` filter.
      const own = sql.identifier(`j${n}t`);
      return {
        value: sql`${j}.${name(topicAncestors.ancestorId)}`,
        join: sql`LEFT JOIN json_each(m.links, ${sql.raw(linkPath('topicIds'))}) ${own} LEFT JOIN ${topicAncestors} ${j}
          ON ${j}.${name(topicAncestors.topicId)} = ${own}.value AND ${j}.${name(topicAncestors.ancestorId)} <> '*'`,
      };
    }
  }
}

interface StatsRow {
  total: number;
  d0: string | null;
  d1: string | null;
  n: number | null;
}

/**
 * Statements matching the filters counted by one or two dimensions, in one query. A statement counts
 * once per cell (COUNT DISTINCT), however many of its links lead there; the total counts each once.
 */
export function statementStats(db: Db, groupBy: Dimension[], filters: StatementFilterValues): StatementStats {
  const counted = statsFromCounts(db, groupBy, filters);
  if (counted) return counted;
  const dims = groupBy.map((d, i) => dimension(d, i));
  const where = and(...statementFilters(db, filters));
  const ctes = [
    sql`matched(id, speaker_id, on_behalf_of_id, kind, stated_on, links) AS (
      SELECT ${statements.id}, ${statements.speakerId}, ${statements.onBehalfOfId}, ${statements.kind}, ${statements.statedOn}, ${statements.links}
        FROM ${statements} ${where ? sql`WHERE ${where}` : sql``}
    )`,
    sql`cells(d0, d1, n) AS (
      SELECT ${dims[0]?.value}, ${dims[1]?.value ?? sql`NULL`}, COUNT(DISTINCT m.id)
        FROM matched m ${sql.join(
          dims.flatMap((d) => (d.join ? [d.join] : [])),
          sql` `,
        )}
       GROUP BY ${sql.join(
         dims.map((d) => d.value),
         sql`, `,
       )}
    )`,
  ];
  // The LEFT JOIN keeps the total when no cell has statements.
  const rows = db.all<StatsRow>(sql`WITH ${sql.join(ctes, sql`, `)}
    SELECT t.total, c.d0, c.d1, c.n
      FROM (SELECT COUNT(*) AS total FROM matched) t LEFT JOIN cells c ON 1 = 1
     ORDER BY c.n DESC, c.d0 IS NULL, c.d0, c.d1 IS NULL, c.d1`);
  const [first, second] = groupBy as [Dimension, Dimension | undefined];
  return {
    groupBy,
    total: rows[0]?.total ?? 0,
    data: rows.flatMap((r) => (r.n === null ? [] : [{ [first]: r.d0, ...(second ? { [second]: r.d1 } : {}), count: r.n }])),
  };
}

/** The stance each actor held on each topic on `asOf`: one position at most per pair, periods never overlap. */
export function stanceMatrix(db: Db, q: { asOf: string; actor?: string; topic?: string }): StanceMatrix {
  const cells = db
    .select({
      actorId: positions.actorId,
      topicId: positions.topicId,
      stance: positions.stance,
      positionId: positions.id,
      summary: positions.summary,
      // asOf leaves out positions whose start is not known: every cell's start is a date.
      validFrom: sql<string>`${positions.validFrom}`,
      validTo: positions.validTo,
    })
    .from(positions)
    .where(and(...positionFilters(db, q)))
    .orderBy(asc(positions.actorId), asc(positions.topicId), asc(positions.validFrom))
    .all();
  return {
    asOf: q.asOf,
    actors: [...new Set(cells.map((c) => c.actorId))],
    topics: [...new Set(cells.map((c) => c.topicId))].sort(),
    cells,
  };
}
