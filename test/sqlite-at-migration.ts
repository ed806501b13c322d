// Databases as an earlier release left them, for the tests that upgrade one in place.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_FOLDER } from '../src/lib/paths.js';

/**
 * A new SQLite file at `path` migrated up to migration `last` (its journal index) and no further: the
 * migrations folder is copied into `dir` with the later entries left out of its journal.
 */
export function sqliteAtMigration(path: string, dir: string, last: number): Database.Database {
  const folder = join(dir, `migrations-${String(last).padStart(4, '0')}`);
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  writeFileSync(journalPath, JSON.stringify(journal));
  const sqlite = new Database(path);
  sqlite.pragma('foreign_keys = ON');
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return sqlite;
}
