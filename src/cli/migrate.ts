// `npm run db:migrate [-- --vacuum]`: apply pending migrations to the configured database (and, on SQLite,
// VACUUM it); exits non-zero on failure.
import { loadConfig, storageOptions } from '../config.js';
import { openStorage } from '../storage/index.js';

try {
  const config = loadConfig(process.env);
  const storage = await openStorage(storageOptions(config));
  await storage.migrate(console.log);
  // On request, whatever is free: migrations VACUUM on their own only when much is (docs/operations.md, Storage).
  if (process.argv.includes('--vacuum') && !(await storage.compact({ log: console.log }))) process.exitCode = 1;
  await storage.close();
  console.log(`Migrated ${config.databaseUrl ? 'the PostgreSQL database' : config.databasePath}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
