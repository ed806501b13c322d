// Imports and the bulk load: a planned bundle upserted all or nothing, and a load into an empty database.
import type { FieldError } from '../lib/errors.js';
import type { Bundle, ImportCounts } from '../modules/imports/imports.schema.js';
import type { Author, Collection } from './types.js';

/**
 * A bundle in the order its records are written (planned by modules/imports/imports.service.ts): per
 * collection, the indexes of its records in dependency order; records the plan refused (a repeated id, a
 * cycle) are left out, and what refused them is in the step's `errors`, reported before its records' own.
 */
export interface ImportPlan {
  bundle: Bundle;
  /** The collections the bundle holds, in COLLECTIONS order. */
  steps: { collection: Collection; order: number[]; errors: FieldError[] }[];
}

export interface ImportOutcome {
  counts: ImportCounts;
  /** Every error, with a JSON Pointer into the bundle; when there is one, nothing of the bundle was stored. */
  errors: FieldError[];
}

export interface ImportStorage {
  /**
   * Upserts the planned records in one write transaction: stored when there is no error and not `dryRun`,
   * else rolled back entirely. Readers never see a bundle's rows before its commit.
   */
  run(plan: ImportPlan, options: { dryRun?: boolean; author?: Author }): Promise<ImportOutcome>;
  /**
   * Before a load into an empty database: puts derived work aside (indexes, search, counts) to be rebuilt in
   * bulk by finishDeferredWork; true when something was put aside. An engine without such work answers false.
   */
  deferDerivedWork(): Promise<boolean>;
  /** Rebuilds what deferDerivedWork put aside (also run by every migration, for a load cut short); true when there was work. */
  finishDeferredWork(): Promise<boolean>;
}
