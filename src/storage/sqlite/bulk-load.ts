// A load into an empty database (the import CLI with --db): what the database derives from statements is put
// aside for the load and rebuilt from the stored rows at its end, in bulk, instead of row by row.
import { type Db, finishDeferredWork } from './client.js';
import { REBUILD_SEARCH_INDEX } from './statements.fts.js';
import { REBUILD_COUNTS } from './stats.counts.js';
import { REBUILD_STATEMENT_ANCESTRY } from './topics.ancestry.js';

/**
 * The tables a load writes a row (or several) a statement to: statements and their links. Not their history:
 * revisions_record_idx stays, since a load's updates seek it (a record's next write fills the state of its
 * latest revision, revision-log.ts), and without it each would read the whole table.
 */
const LOADED_TABLES = [
  'statements',
  'statement_topics',
  'statement_addressees',
  'statement_sources',
  'statement_acts',
  'statement_responds_to',
  'statement_topic_ancestors',
];

/** The derived tables rebuilt at the end, in this order; the triggers that write them are put aside. */
const REBUILT_TABLES = ['statement_topic_ancestors', 'topic_month_counts', 'month_counts'];
const REBUILD = [...REBUILD_STATEMENT_ANCESTRY, ...REBUILD_COUNTS];

/**
 * The full-text index is put aside too: no row of it is written during the load (searchIndexDeferred), and
 * its end builds it from the stored rows in one statement (REBUILD_SEARCH_INDEX), with two of FTS5's settings
 * raised. FTS5 holds pending terms in a buffer and writes it out as a new segment once it reaches `hashsize`;
 * and it merges a level's segments once `automerge` of them are there. At FTS5's defaults (1 MiB and 4), a
 * million statements make thousands of segments and rewrite the index several times over. The build ends
 * with one `optimize` (the index as one segment, so merging less leaves searches no more segments to read),
 * then the stored settings are put back (migrations 0008 and 0009 wrote them down). The buffer costs the
 * loading process up to about one and a half times LOAD_SETTINGS.hashsize of memory while the index is built.
 */
const LOAD_SETTINGS = { hashsize: 128 * 1024 * 1024, automerge: 16 };
const FTS5_DEFAULTS: typeof LOAD_SETTINGS = { hashsize: 1024 * 1024, automerge: 4 };
type Setting = keyof typeof LOAD_SETTINGS;
const SETTINGS = Object.keys(LOAD_SETTINGS) as Setting[];
const setting = (name: Setting, value: number) => `INSERT INTO "statements_fts"("statements_fts", "rank") VALUES ('${name}', ${value})`;
const OPTIMIZE = `INSERT INTO "statements_fts"("statements_fts") VALUES ('optimize')`;

/**
 * Puts aside, when the database holds no statement yet: the triggers on the loaded tables that name a rebuilt
 * table (they write it), the loaded tables' non-unique indexes (unique ones stay: they decide what may be
 * stored), and the full-text index, which stays empty. What brings them back is written to `deferred_work` in
 * the same transaction, with this process's id, so a load cut short is finished at the next migration once
 * this process is gone. Each bundle is still imported in its own transaction, all or nothing; until the load
 * ends, readers of the file see the statements without topic ancestry, counts, those indexes or search.
 * True when something was put aside: call finishDeferredWork when the load ends.
 */
export function deferDerivedWork(db: Db): boolean {
  const sqlite = db.$client;
  finishDeferredWork(db);
  return sqlite
    .transaction(() => {
      // Not over stored statements, nor beside another load still running (its work is on record).
      if (sqlite.prepare('SELECT 1 FROM "statements" LIMIT 1').get()) return false;
      if (sqlite.prepare('SELECT 1 FROM "deferred_work" LIMIT 1').get()) return false;
      const tables = JSON.stringify(LOADED_TABLES);
      const objects = sqlite
        .prepare(
          `SELECT "type", "name", "sql" FROM "sqlite_master" WHERE "tbl_name" IN (SELECT "value" FROM json_each(?)) AND "sql" IS NOT NULL AND (
           ("type" = 'index' AND "sql" NOT LIKE 'CREATE UNIQUE %')
           OR ("type" = 'trigger' AND EXISTS (SELECT 1 FROM json_each(?) WHERE instr("sqlite_master"."sql", "value") > 0)))
         ORDER BY "type", "name"`,
        )
        .all(tables, JSON.stringify(REBUILT_TABLES)) as { type: 'index' | 'trigger'; name: string; sql: string }[];
      const drop = ({ type, name }: (typeof objects)[number]) => `DROP ${type === 'index' ? 'INDEX' : 'TRIGGER'} IF EXISTS "${name}"`;
      // Tables first, then indexes (built once, from sorted rows), then triggers (nothing to fire on any more).
      // Each object is dropped before it is created, should another program have created it meanwhile.
      // Then the full-text index: emptied of anything another process wrote to it meanwhile, built, merged into
      // one segment, and its settings put back.
      const stored = sqlite.prepare(`SELECT "v" FROM "statements_fts_config" WHERE "k" = ?`).pluck();
      const search = [
        ...SETTINGS.map((name) => setting(name, LOAD_SETTINGS[name])),
        'DELETE FROM "statements_fts"',
        REBUILD_SEARCH_INDEX,
        OPTIMIZE,
        ...SETTINGS.map((name) => setting(name, Number(stored.get(name) ?? FTS5_DEFAULTS[name]))),
      ];
      const steps = [...REBUILD, ...objects.map((o) => `${drop(o)};\n${o.sql}`), ...search];
      const insert = sqlite.prepare('INSERT INTO "deferred_work" ("step", "sql", "owner_pid") VALUES (?, ?, ?)');
      for (const [i, step] of steps.entries()) insert.run(i + 1, step, process.pid);
      for (const o of objects) sqlite.exec(drop(o));
      return true;
    })
    .immediate();
}
