// The seed: every bundle in seeds/, checked and loaded exactly as a JSON body of POST /v1/imports is.
import { seedFiles } from '../../lib/paths.js';
import type { Storage } from '../../storage/index.js';
import { parseBundle } from './imports.parse.js';
import type { Bundle, ImportResult } from './imports.schema.js';
import { runImport } from './imports.service.js';

export function seedBundles(): { file: string; bundle: Bundle }[] {
  return seedFiles().map(({ file, text }) => ({ file, bundle: parseBundle(text) }));
}

export async function loadSeeds(storage: Storage): Promise<{ file: string; result: ImportResult }[]> {
  const loaded: { file: string; result: ImportResult }[] = [];
  for (const { file, bundle } of seedBundles()) loaded.push({ file, result: await runImport(storage, bundle) });
  return loaded;
}
