// The seed: every bundle in seeds/, checked and loaded exactly as a JSON body of POST /v1/imports is.
import type { Db } from '../../storage/sqlite/client.js';
import { seedFiles } from '../../lib/paths.js';
import { parseBundle } from './imports.parse.js';
import type { Bundle, ImportResult } from './imports.schema.js';
import { runImport } from '../../storage/sqlite/import.js';

export function seedBundles(): { file: string; bundle: Bundle }[] {
  return seedFiles().map(({ file, text }) => ({ file, bundle: parseBundle(text) }));
}

export function loadSeeds(db: Db): { file: string; result: ImportResult }[] {
  return seedBundles().map(({ file, bundle }) => ({ file, result: runImport(db, bundle) }));
}
