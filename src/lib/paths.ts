// Folders the service reads at run time, found from the project root whether run from src/ or dist/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the service code');
    dir = parent;
  }
  return dir;
}

export const ROOT = projectRoot();
export const MIGRATIONS_FOLDER = join(ROOT, 'migrations', 'sqlite');
const SEEDS_FOLDER = join(ROOT, 'seeds');
export const OPENAPI_FILE = join(ROOT, 'openapi', 'openapi.json');

/** The seed bundles' files (seeds/*.json) in name order, as text: the seed loads them, the OpenAPI examples quote them. */
export function seedFiles(): { file: string; text: string }[] {
  return readdirSync(SEEDS_FOLDER)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(SEEDS_FOLDER, file), 'utf8') }));
}
