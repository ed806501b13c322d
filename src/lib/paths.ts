// Folders the service reads at run time, found from the project root whether run from src/ or dist/.
import { existsSync } from 'node:fs';
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
export const MIGRATIONS_FOLDER = join(ROOT, 'migrations');
export const SEEDS_FOLDER = join(ROOT, 'seeds');
export const OPENAPI_FILE = join(ROOT, 'openapi', 'openapi.json');
