// `npm run db:migrate`: apply pending migrations to DATABASE_PATH; exits non-zero on failure.
import { loadConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../storage/sqlite/client.js';

try {
  const { databasePath } = loadConfig(process.env);
  const db = openDatabase(databasePath);
  migrateDatabase(db);
  db.$client.close();
  console.log(`Migrated ${databasePath}.`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
