// For tests and benchmarks that look inside an engine (raw SQL on its file, query plans, the statement a list
// runs): never for the service, whose code reaches data through the Storage interface only.
import type { Storage } from './index.js';
import { sqliteConnections } from './sqlite/index.js';
import { watchRendering } from './sqlite/store.js';

/**
 * The SQLite connections under a storage: `writer` (its write transactions; raw SQL run on it between
 * requests is committed at once) and `reader` (every read outside a write). Throws for another engine.
 */
export const sqliteInternals = (storage: Storage) => sqliteConnections(storage);

/**
 * Watches the SQLite engine render the clauses of its lists in one walk (sqlite/store.ts, `rendered`): the
 * watcher sees each query, what it gave and whether the walk rendered it (else drizzle did); `drizzle` renders a
 * query as drizzle itself does, to hold the two to one answer. `undefined` stops watching.
 */
export const watchSqliteRendering = watchRendering;
