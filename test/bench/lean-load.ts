// The lean baseline's load: `tsx test/bench/lean-load.ts <db> <archive.ndjson>` reads the archive's NDJSON (one
// bundle a line, as the CLI reads it), writes each bundle into a fresh lean database in one transaction, builds
// its two secondary indexes and merges the full-text index at the end (as a bulk load of ours does), and prints
// { statements, seconds, bytes } as JSON. The same pragmas as the service's bulk load: WAL, synchronous=FULL,
// temp_store=MEMORY, a 64 MiB page cache.
import { createReadStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { normalizeForMatch } from '../../src/lib/quotes.js';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';
import { BULK_LOAD_CACHE_KIB } from '../../src/storage/index.js';
import { LEAN_INDEXES, LEAN_SCHEMA, type LeanState, leanStatements } from './lean.js';

const [dbPath, archivePath] = process.argv.slice(2) as [string, string];
if (existsSync(dbPath)) throw new Error(`${dbPath} exists: the lean load writes a fresh file`);
// Written under another name and renamed when complete: an interrupted load leaves no database to reuse.
const part = `${dbPath}.part`;
for (const suffix of ['', '-wal', '-shm']) rmSync(`${part}${suffix}`, { force: true });
const started = performance.now();
const sqlite = new Database(part);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = FULL');
sqlite.pragma('temp_store = MEMORY');
sqlite.pragma(`cache_size = -${BULK_LOAD_CACHE_KIB}`);
sqlite.exec(LEAN_SCHEMA);
const insert = leanStatements(sqlite);
const state: LeanState = { parents: new Map(), terms: new Map(), doc: 0, normalize: normalizeForMatch };
let statements = 0;
for await (const line of createInterface({ input: createReadStream(archivePath), crlfDelay: Number.POSITIVE_INFINITY })) {
  if (!line) continue;
  const bundle = JSON.parse(line) as Bundle;
  insert(bundle, state);
  statements += bundle.statements?.length ?? 0;
}
sqlite.exec(LEAN_INDEXES);
sqlite.exec("INSERT INTO statements_fts (statements_fts) VALUES ('optimize')");
sqlite.pragma('wal_checkpoint(TRUNCATE)');
sqlite.close();
renameSync(part, dbPath);
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ statements, seconds, bytes: statSync(dbPath).size }));
