// The layers point one way: lib and the storage boundary at the bottom, then modules, plugins, and the app on
// top; the SQLite engine sits under the boundary, and nothing but the boundary reaches it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../src/lib/paths.js';

type Layer = 'lib' | 'storage' | 'engine' | 'contract' | 'modules' | 'plugins' | 'top';

/** What each layer may import from the service's own code (packages are checked below). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
  lib: ['lib', 'storage'],
  // The boundary's types name the HTTP contracts (a Bundle, a Dimension); only its factory opens an engine.
  storage: ['lib', 'storage', 'contract', 'engine'],
  engine: ['lib', 'storage', 'contract', 'engine'],
  // A module's HTTP contract (`*.schema.ts`) and plain types (`*.types.ts`): TypeBox and TypeScript only.
  contract: ['lib', 'storage', 'contract'],
  modules: ['lib', 'storage', 'contract', 'modules'],
  plugins: ['lib', 'storage', 'contract', 'modules', 'plugins'],
  top: ['lib', 'storage', 'contract', 'modules', 'plugins', 'top'],
};

function layerOf(file: string): Layer {
  const [folder] = file.split('/');
  if (folder === 'lib' || folder === 'plugins') return folder;
  if (folder === 'storage') return file.startsWith('storage/sqlite/') ? 'engine' : 'storage';
  if (folder === 'modules') return /\.(schema|types)\.ts$/.test(file) ? 'contract' : 'modules';
  // app.ts, server.ts, config.ts, openapi-document.ts, cli/
  return 'top';
}

/** The files of the boundary that open an engine: the factory, and the inspection helper of tests and benchmarks. */
const ENGINE_OPENERS = ['storage/index.ts', 'storage/inspect.ts'];

/** Packages of the SQLite engine: only src/storage may name them. */
const ENGINE_PACKAGES = /^(better-sqlite3|drizzle-orm\/sqlite-core|drizzle-orm\/better-sqlite3)(\/|$)/;

const SRC = join(ROOT, 'src');
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
// Every kind of import: `import … from`, `export … from`, `import type`, bare `import '…'`, and `import('…')`.
const IMPORT = /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g;

/** Each import of the source tree, as [importer relative to src/, what it names as written]. */
function specifiers(): [string, string][] {
  return sourceFiles(SRC).flatMap((path) =>
    [...readFileSync(path, 'utf8').matchAll(IMPORT)].map(
      ([, from, bare]) => [relative(SRC, path), (from ?? bare) as string] as [string, string],
    ),
  );
}

/** Each relative import of the source tree, as [importer, imported], both relative to src/. */
function imports(): [string, string][] {
  return specifiers()
    .filter(([, spec]) => spec.startsWith('.'))
    .map(([from, spec]) => [from, relative(SRC, resolve(SRC, dirname(from), spec)).replace(/\.js$/, '.ts')] as [string, string]);
}

test('src/lib imports nothing from modules, plugins, the app or the engine', () => {
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

test('only the storage factory reaches the SQLite engine', () => {
  const edges = imports();
  assert.ok(
    edges.some(([from, to]) => from === 'storage/index.ts' && to.startsWith('storage/sqlite/')),
    'the scan sees the factory open the engine',
  );
  const reaching = edges
    .filter(([from, to]) => to.startsWith('storage/sqlite/') && !from.startsWith('storage/sqlite/') && !ENGINE_OPENERS.includes(from))
    .map(([from, to]) => `${from} imports ${to}`);
  assert.deepEqual(reaching, []);
});

test('no file outside src/storage imports better-sqlite3 or drizzle-orm (its SQLite parts, or at all)', () => {
  const all = specifiers();
  assert.ok(
    all.some(([from, spec]) => from.startsWith('storage/sqlite/') && ENGINE_PACKAGES.test(spec)),
    'the scan sees the engine import its driver',
  );
  const leaks = all
    .filter(([from, spec]) => !from.startsWith('storage/') && (ENGINE_PACKAGES.test(spec) || /^drizzle-orm(\/|$)/.test(spec)))
    .map(([from, spec]) => `${from} imports ${spec}`);
  assert.deepEqual(leaks, []);
});
