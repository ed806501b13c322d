// Full-text search over statements: matches ranked by relevance (or sorted by a field), each with a snippet and a score.
import type { Meta, PageResult, Query } from './types.js';

export interface SearchStorage {
  /**
   * A page of the statements matching `query.q` (lib/search.ts parses it) and the statement filters: by
   * relevance unless sorted otherwise. Relevance ranks the newest RANKED_MATCHES matches (lib/search.ts).
   */
  statements<R extends Meta>(query: Query): Promise<PageResult<R & { snippet?: string; score?: number }>>;
}
