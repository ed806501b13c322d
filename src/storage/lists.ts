// Lists: keyset pages with the filters each resource supports, and the records `expand=` embeds.
import type { Collection, Meta, PageResult, Query } from './types.js';

export interface ListStorage {
  /**
   * A page of the collection: `query` holds limit, cursor, sort, count and the resource's filters (validated
   * by its list schema). Cursors are bound to their filters and sort (lib/cursor.ts). On statements, `q`
   * makes the page a search (see SearchStorage).
   */
  page<R extends Meta>(collection: Collection, query: Query): Promise<PageResult<R>>;
  /** The records with each expansion of `requested` (comma-separated names) embedded, one read per relation. */
  expand<R extends Meta>(collection: Collection, records: R[], requested: string | undefined): Promise<R[]>;
}
