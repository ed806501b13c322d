// For tests and benchmarks that look inside an engine (raw SQL on its file, query plans, the statement a list
// runs): never for the service, whose code reaches data through the Storage interface only.
import type { Storage } from './index.js';
import { sqliteConnections } from './sqlite/index.js';

/**
 * The SQLite connections under a storage: `writer` (its write transactions; raw SQL run on it between
 * requests is committed at once) and `reader` (every read outside a write). Throws for another engine.
 */
export const sqliteInternals = (storage: Storage) => sqliteConnections(storage);
