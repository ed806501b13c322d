// `npm run db:migrate`: apply pending migrations to DATABASE_PATH; exits non-zero on failure.
import { loadConfig, storageOptions } from '../config.js';
import { openStorage } from '../storage/index.js';

try {
  const config = loadConfig(process.env);
  const storage = await openStorage(storageOptions(config));
  await storage.migrate();
  await storage.close();
  console.log(`Migrated ${config.databaseUrl ? 'the PostgreSQL database' : config.databasePath}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
