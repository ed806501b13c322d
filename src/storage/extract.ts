// What extraction reuses from the archive: actors and topics by name and alias, sources by URL.
import type { Archive } from '../modules/extract/extract.types.js';

export interface ExtractStorage {
  /**
   * The actors and topics (an engine may keep them until the data changes), and `sourceByUrl`, which
   * extraction calls synchronously for the URL the input or its text names: SQLite answers it from its reader
   * connection; an engine that cannot read synchronously preloads what it needs or leaves it undefined (no
   * source is then reused).
   */
  archive(): Promise<Archive>;
}
