// `npm run db:migrate`: apply pending migrations to DATABASE_PATH; exits non-zero on failure.
import { loadConfig } from '../config.js';
import { openStorage } from '../storage/index.js';

try {
  const { databasePath } = loadConfig(process.env);
  const storage = await openStorage({ path: databasePath });
  await storage.migrate();
  await storage.close();
  console.log(`Migrated ${databasePath}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
