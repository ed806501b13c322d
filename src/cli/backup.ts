// `npm run backup -- <file>`: a consistent copy of the live database (SQLite's online backup API), safe
// while the server runs and writes.
import { existsSync } from 'node:fs';
import { loadConfig, storageOptions } from '../config.js';
import { openStorage } from '../storage/index.js';

async function main(args: string[]): Promise<number> {
  const [target, ...rest] = args;
  if (!target || rest.length > 0) {
    console.error('Usage: npm run backup -- <file>   copies DATABASE_PATH (default ./data/statements.db) to <file>');
    return 2;
  }
  if (existsSync(target)) {
    console.error(`${target} exists; choose a new file name (a backup never overwrites).`);
    return 1;
  }
  const config = loadConfig(process.env);
  const { databasePath } = config;
  if (config.databaseUrl) {
    // PostgreSQL: pg_dump's custom format (restore with pg_restore --clean --if-exists -d URL FILE).
    const storage = await openStorage(storageOptions(config));
    try {
      await storage.backup(target);
      console.log(`Backed up the PostgreSQL database to ${target} (pg_dump, custom format).`);
      return 0;
    } finally {
      await storage.close();
    }
  }
  if (databasePath === ':memory:' || !existsSync(databasePath)) {
    console.error(`There is no database at ${databasePath} to back up.`);
    return 1;
  }
  const storage = await openStorage({ path: databasePath });
  try {
    const { pages } = await storage.backup(target);
    console.log(`Backed up ${databasePath} to ${target} (${pages} pages).`);
    return 0;
  } finally {
    await storage.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
