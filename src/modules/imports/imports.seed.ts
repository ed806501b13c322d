// The seed: every bundle in seeds/, checked and loaded exactly as a JSON body of POST /v1/imports is.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEEDS_FOLDER } from '../lib/paths.js';
import { parseBundle } from '../modules/imports/imports.parse.js';
import type { Bundle, ImportResult } from '../modules/imports/imports.schema.js';
import { runImport } from '../modules/imports/imports.service.js';
import type { Db } from './client.js';

export function seedBundles(): { file: string; bundle: Bundle }[] {
  return readdirSync(SEEDS_FOLDER)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, bundle: parseBundle(readFileSync(join(SEEDS_FOLDER, file), 'utf8')) }));
}

export function loadSeeds(db: Db): { file: string; result: ImportResult }[] {
  return seedBundles().map(({ file, bundle }) => ({ file, result: runImport(db, bundle) }));
}
