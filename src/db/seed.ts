// The seed: every bundle in seeds/, loaded through the same import service users call.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEEDS_FOLDER } from '../lib/paths.js';
import type { Bundle, ImportResult } from '../modules/imports/imports.schema.js';
import { runImport } from '../modules/imports/imports.service.js';
import type { Db } from './client.js';

export function seedBundles(): { file: string; bundle: Bundle }[] {
  return readdirSync(SEEDS_FOLDER)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, bundle: JSON.parse(readFileSync(join(SEEDS_FOLDER, file), 'utf8')) as Bundle }));
}

export function loadSeeds(db: Db): { file: string; result: ImportResult }[] {
  return seedBundles().map(({ file, bundle }) => ({ file, result: runImport(db, bundle) }));
}
