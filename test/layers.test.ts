// The layers point one way: lib (with db and the tables) at the bottom, then modules, plugins, and the app on top.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../src/lib/paths.js';

type Layer = 'lib' | 'db' | 'table' | 'modules' | 'plugins' | 'top';

/** What each layer may import from the service's own code (packages are not this test's business). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  lib: ['lib', 'db'],
  // The tables are defined next to their module; db/schema.ts gathers them for drizzle and drizzle-kit.
  db: ['lib', 'db', 'table'],
  table: ['lib', 'db', 'table'],
  modules: ['lib', 'db', 'table', 'modules'],
  plugins: ['lib', 'db', 'table', 'modules', 'plugins'],
  top: ['lib', 'db', 'table', 'modules', 'plugins', 'top'],
};

function layerOf(file: string): Layer {
  const [folder] = file.split('/');
  if (folder === 'lib' || folder === 'db' || folder === 'plugins') return folder;
  if (folder === 'modules') return file.endsWith('.table.ts') ? 'table' : 'modules';
  // app.ts, server.ts, config.ts, openapi-document.ts, cli/
  return 'top';
}

const SRC = join(ROOT, 'src');
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
// Every kind of import: `import … from`, `export … from`, `import type`, bare `import '…'`, and `import('…')`.
const RELATIVE_IMPORT = /\bfrom\s*['"](\.[^'"]+)['"]|\bimport\s*\(?\s*['"](\.[^'"]+)['"]/g;

/** Each relative import of the source tree, as [importer, imported], both relative to src/. */
function imports(): [string, string][] {
  return sourceFiles(SRC).flatMap((path) =>
    [...readFileSync(path, 'utf8').matchAll(RELATIVE_IMPORT)].map(([, from, bare]) => {
      const target = resolve(dirname(path), (from ?? bare) as string).replace(/\.js$/, '.ts');
      return [relative(SRC, path), relative(SRC, target)] as [string, string];
    }),
  );
}

test('src/lib imports nothing from modules, plugins or the app', () => {
  const edges = imports();
  assert.ok(edges.filter(([from]) => from.startsWith('lib/')).length > 20, 'the scan reads the imports of src/lib');
  const upward = edges.filter(([from, to]) => from.startsWith('lib/') && !MAY_IMPORT.lib.includes(layerOf(to)));
  assert.deepEqual(upward, []);
});

test('every import points to the same layer or one below', () => {
  const upward = imports()
    .filter(([from, to]) => !MAY_IMPORT[layerOf(from)].includes(layerOf(to)))
    .map(([from, to]) => `${from} (${layerOf(from)}) imports ${to} (${layerOf(to)})`);
  assert.deepEqual(upward, []);
});
