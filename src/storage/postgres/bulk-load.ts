// A load into a database without statements (the import CLI with --db postgres://…): the rows an import would
// insert one statement at a time are written with COPY instead, many bundles in one go, and what the database
// derives from them (topic ancestry, the statements under each topic, the counts, the search documents) is
// rebuilt once at the end, its triggers off meanwhile.
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { AppError } from '../../lib/errors.js';
import { withBlanks } from '../../lib/write-rules.js';
import { ENTITIES, type ImportResult } from '../../modules/imports/imports.schema.js';
import type { ImportOutcome, ImportPlan } from '../imports.js';
import { type Author, COLLECTIONS, type Collection } from '../types.js';
import { copyRows, finishBulkLoad, WRITE_LOCK } from './client.js';
import { first, type Runner, runnerOf, snake } from './query.js';
import { type Fields, linksOf, now, participants, STATEMENT_COLUMNS, STORES, statementLinks } from './stores.js';
import { importPlan, Rollback } from './write.js';

/**
 * The tables whose triggers keep derived rows (migrations/postgres 0001, 0002), turned off for the load:
 * `derived_rebuild()` writes every derived row from the stored ones at its end.
 */
const TRIGGERED_TABLES = ['topics', 'statements', 'statement_topics', 'statement_topic_ancestors'];

/** The stored tables `derived_rebuild()` reads, analyzed before it runs. */
const ANALYZED_TABLES = ['topics', 'statements', 'statement_topics'];

/** Rows a load holds before it copies them: enough that each COPY carries many bundles, few enough to keep memory low. */
const FLUSH_ROWS = 50_000;

const REVISION_COLUMNS = ['collection', 'record_id', 'version', 'operation', 'state', 'key_name', 'at'];

/** The tables the load copies into, in an order their foreign keys accept, revisions last. */
const TABLES: { table: string; columns: readonly string[] }[] = [
  ...(['sources', 'actors', 'topics', 'events'] as const).map((c) => ({ table: c, columns: STORES[c].columns.map(snake) })),
  { table: participants.table, columns: [participants.owner, participants.value, 'ord'] },
  { table: 'statements', columns: [...STATEMENT_COLUMNS, 'doc', 'links'].map(snake) },
  ...Object.values(statementLinks).map((l) => ({ table: l.table, columns: [l.owner, l.value, 'ord'] })),
  { table: 'revisions', columns: REVISION_COLUMNS },
];

/** A bundle's rows ready to copy, its counts, and what is left to write record by record (its positions). */
interface Staged {
  rows: Map<string, unknown[][]>;
  ids: Map<Collection, Set<string>>;
  counts: ImportResult['counts'];
  rest: ImportPlan['steps'];
  /** The last doc number the bundle's statements take. */
  doc: number;
}

const emptyCounts = () => Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as ImportResult['counts'];

/**
 * One load, in one transaction on one client holding the write lock: nothing of it is visible before its end,
 * and a load cut short (the process gone, an error) leaves the database as it was, triggers on.
 *
 * Each bundle is checked in memory against what the load stored before it, with the rules the record-by-record
 * path applies to a record it creates (lib/write-rules.ts's blanks, each store's references and checks), and its
 * rows, links and revisions (the same states, versions and order as that path writes) wait for the next COPY.
 * A bundle that is not only new records (it updates a record, refers to a record that is not there, breaks a
 * rule) goes record by record through write.ts's importPlan under a savepoint after what waits is copied, so
 * its outcome — errors included — is that path's own. Positions always do (their timeline reads the positions
 * and the statements stored before them), after the bundle's other rows are copied.
 */
export class PostgresBulkLoad {
  private readonly run: Runner;
  private readonly pending = new Map<string, unknown[][]>(TABLES.map((t) => [t.table, []]));
  private pendingRows = 0;
  private savepoints = 0;

  private constructor(
    private readonly client: pg.PoolClient,
    /** The ids of every record stored, per collection (the database's before the load, and the load's). */
    private readonly known: Map<Collection, Set<string>>,
    /** The last doc number given (statements take the next). */
    private doc: number,
    trace?: (sql: string) => void,
  ) {
    this.run = runnerOf(client, true, trace);
  }

  /**
   * Begins a load when the database holds no statement (as SQLite's bulk load decides); otherwise releases the
   * client and answers undefined, and imports go record by record.
   */
  static async begin(client: pg.PoolClient, trace?: (sql: string) => void): Promise<PostgresBulkLoad | undefined> {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      if ((await client.query('SELECT 1 FROM "statements" LIMIT 1')).rowCount) {
        await client.query('ROLLBACK');
        return undefined;
      }
      // Taken with the write lock held: nothing else writes until the load ends.
      const known = new Map<Collection, Set<string>>();
      for (const collection of COLLECTIONS) {
        const rows = await client.query<{ id: string }>(`SELECT "id" FROM ${client.escapeIdentifier(collection)}`);
        known.set(collection, new Set(rows.rows.map((r) => r.id)));
      }
      for (const table of TRIGGERED_TABLES) await client.query(`ALTER TABLE ${client.escapeIdentifier(table)} DISABLE TRIGGER USER`);
      return new PostgresBulkLoad(client, known, 0, trace);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Imports one planned bundle, all or nothing, and answers what the record-by-record path would. */
  async import(plan: ImportPlan, options: { dryRun?: boolean; author?: Author }): Promise<ImportOutcome> {
    const staged = options.dryRun ? undefined : await this.stage(plan, options.author ?? {});
    if (!staged) return this.recordByRecord(plan, options);
    if (staged.rest.length === 0) {
      this.keep(staged);
      if (this.pendingRows >= FLUSH_ROWS) await this.flush();
      return { counts: staged.counts, errors: [] };
    }
    // Positions read the bundle's statements: everything waiting is copied first, then the bundle's rows under a
    // savepoint, which its positions' errors roll back.
    await this.flush();
    const doc = this.doc;
    return this.atomic(
      async () => {
        this.keep(staged);
        await this.flush();
        const outcome = await importPlan(this.run, { bundle: plan.bundle, steps: staged.rest }, options);
        for (const entity of ENTITIES) {
          const c = staged.counts[entity];
          const p = outcome.counts[entity];
          p.created += c.created;
          p.updated += c.updated;
          p.unchanged += c.unchanged;
        }
        this.learn(plan);
        return outcome;
      },
      () => this.forget(staged, doc),
    );
  }

  /** Copies what waits, rebuilds the derived rows, turns the triggers back on and commits; then tidies the indexes. */
  async finish(): Promise<void> {
    await this.flush();
    // The copied rows are the transaction's own, so autovacuum has no statistics of them, and the planner,
    // guessing, would read every topic's name and aliases once per statement to find its topic terms (the search
    // documents' statements_topic_terms) instead of its few topics by key. ANALYZE counts the rows its own
    // transaction inserted; VACUUM (ANALYZE) after the commit (finishBulkLoad) refreshes them for the readers.
    await this.client.query(`ANALYZE ${ANALYZED_TABLES.map((t) => this.client.escapeIdentifier(t)).join(', ')}`);
    await this.client.query('SELECT derived_rebuild()');
    for (const table of TRIGGERED_TABLES) await this.client.query(`ALTER TABLE ${this.client.escapeIdentifier(table)} ENABLE TRIGGER USER`);
    await this.client.query('COMMIT');
    await finishBulkLoad(this.client);
  }

  /** Ends the load without storing anything of it. */
  async abandon(): Promise<void> {
    await this.client.query('ROLLBACK');
  }

  /** A bundle of records none of which is stored yet, checked and turned into rows; undefined when it is not such a bundle. */
  private async stage(plan: ImportPlan, author: Author): Promise<Staged | undefined> {
    const at = now();
    const staged: Staged = {
      rows: new Map(TABLES.map((t) => [t.table, []])),
      ids: new Map(),
      counts: emptyCounts(),
      rest: [],
      doc: this.doc,
    };
    const has = (collection: Collection, id: string) => this.known.get(collection)?.has(id) || staged.ids.get(collection)?.has(id);
    const rows = (table: string) => staged.rows.get(table) as unknown[][];
    let doc = staged.doc;
    for (const step of plan.steps) {
      if (step.collection === 'positions') {
        staged.rest.push(step);
        continue;
      }
      if (step.errors.length > 0) return undefined;
      const store = STORES[step.collection];
      const records = (plan.bundle[step.collection] ?? []) as (Fields & { id: string })[];
      const ids = staged.ids.get(step.collection) ?? new Set<string>();
      staged.ids.set(step.collection, ids);
      for (const index of step.order) {
        const record = records[index] as Fields & { id: string };
        const id = record.id;
        if (has(step.collection, id)) return undefined;
        const fields = withBlanks(store, record) as Fields;
        // A parent named by a new record is stored, so no cycle can pass through the new record: the rest of
        // the checks (an event's dates, a statement answering itself) read nothing stored.
        for (const reference of store.references(fields, id)) {
          if (reference.id != null && !has(reference.collection, reference.id)) return undefined;
        }
        if (step.collection === 'events' || step.collection === 'statements') {
          try {
            await store.check?.(this.run, id, fields, undefined, author);
          } catch (error) {
            if (error instanceof AppError) return undefined;
            throw error;
          }
        }
        const meta = { createdAt: at, updatedAt: at, version: 1 };
        const row: Fields = { ...fields, id, ...meta };
        if (step.collection === 'statements') {
          doc += 1;
          // The row carries its link arrays (`links`, as stores.ts writes it) and the link tables their rows.
          rows('statements').push([...STATEMENT_COLUMNS.map((c) => row[c]), doc, linksOf(fields)]);
          for (const [name, link] of Object.entries(statementLinks)) linkRows(rows(link.table), id, fields[name] as string[]);
        } else if (step.collection === 'events') {
          const { participantIds, ...own } = row;
          rows('events').push(store.columns.map((c) => own[c]));
          linkRows(rows(participants.table), id, participantIds as string[]);
        } else {
          rows(step.collection).push(store.columns.map((c) => row[c]));
        }
        const state = { id, ...fields, ...meta };
        rows('revisions').push([step.collection, id, 1, 'create', state, author.keyName ?? null, at]);
        ids.add(id);
        staged.counts[step.collection].created += 1;
      }
    }
    staged.doc = doc;
    return staged;
  }

  /** The staged rows join those waiting for the next COPY; their records count as stored. */
  private keep(staged: Staged): void {
    for (const [table, rows] of staged.rows) {
      const pending = this.pending.get(table) as unknown[][];
      for (const row of rows) pending.push(row);
      this.pendingRows += rows.length;
    }
    for (const [collection, ids] of staged.ids) {
      const set = this.known.get(collection) as Set<string>;
      for (const id of ids) set.add(id);
    }
    this.doc = staged.doc;
  }

  /** Undoes keep() for a bundle rolled back (its rows were copied under the savepoint the rollback undid). */
  private forget(staged: Staged, doc: number): void {
    this.doc = doc;
    for (const [collection, ids] of staged.ids) {
      const set = this.known.get(collection) as Set<string>;
      for (const id of ids) set.delete(id);
    }
  }

  /** Every id of a bundle now stored counts as known. */
  private learn(plan: ImportPlan): void {
    for (const step of plan.steps) {
      const records = (plan.bundle[step.collection] ?? []) as { id: string }[];
      const set = this.known.get(step.collection) as Set<string>;
      for (const index of step.order) set.add((records[index] as { id: string }).id);
    }
  }

  private async flush(): Promise<void> {
    if (this.pendingRows === 0) return;
    for (const { table, columns } of TABLES) {
      const rows = this.pending.get(table) as unknown[][];
      if (rows.length === 0) continue;
      await copyRows(this.client, table, columns, rows);
      this.pending.set(table, []);
    }
    this.pendingRows = 0;
  }

  /** The bundle through the record-by-record path, after what waits is copied (it reads the stored rows). */
  private async recordByRecord(plan: ImportPlan, options: { dryRun?: boolean; author?: Author }): Promise<ImportOutcome> {
    await this.flush();
    return this.atomic(async () => {
      const outcome = await importPlan(this.run, plan, options);
      this.learn(plan);
      const last = await first<{ doc: number | null }>(this.run, sql`SELECT max("doc") AS "doc" FROM "statements"`);
      this.doc = last?.doc ?? 0;
      return outcome;
    });
  }

  /** `work` under a savepoint: a bundle with errors (or a dry run) rolls back to it, and answers its outcome. */
  private async atomic(work: () => Promise<ImportOutcome>, undo?: () => void): Promise<ImportOutcome> {
    const name = `bundle_${++this.savepoints}`;
    await this.client.query(`SAVEPOINT ${name}`);
    try {
      const outcome = await work();
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      return outcome;
    } catch (error) {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      undo?.();
      if (error instanceof Rollback) return error.outcome;
      throw error;
    }
  }
}

/** A link table's rows for one owner: its values in their order, as replaceLinks writes them. */
function linkRows(rows: unknown[][], owner: string, values: readonly string[]): void {
  for (const [ord, value] of values.entries()) rows.push([owner, value, ord]);
}
