// Stats and counts: statements counted by dimensions (topics with their subtrees), and the stance matrix.
import type { Dimension, StanceMatrix, StatementStats } from '../modules/stats/stats.schema.js';
import type { StatementFilterValues } from './types.js';

export interface StatsStorage {
  /** Statements counted by each combination of `groupBy`'s dimensions, under the statement filters. */
  statements(groupBy: Dimension[], filters: StatementFilterValues): Promise<StatementStats>;
  /** Each actor's stance on each topic as of a date (a topic filter includes its subtopics). */
  stances(query: { asOf: string; actor?: string; topic?: string }): Promise<StanceMatrix>;
}
