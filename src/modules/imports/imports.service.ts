// The import service: plan a whole bundle (dependency order, repeated ids, cycles), then upsert it in one
// write transaction through storage.imports, or store nothing of it.
import { AppError, type FieldError } from '../../lib/errors.js';
import type { Author, ImportPlan, Storage } from '../../storage/index.js';
import { type Bundle, ENTITIES, type Entity, type ImportResult } from './imports.schema.js';

/** The field by which a record may refer to records of its own array: they are written before it. */
const SELF_REFERENCES: Partial<Record<Entity, string>> = { actors: 'parentId', topics: 'parentId', statements: 'respondsToIds' };

export const emptyCounts = (): ImportResult['counts'] =>
  Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0 }])) as ImportResult['counts'];

/** Each collection of the bundle with its records in the order they are written, and what refused some. */
export function planImport(bundle: Bundle): ImportPlan {
  const steps: ImportPlan['steps'] = [];
  for (const entity of ENTITIES) {
    const records = (bundle[entity] ?? []) as { id: string }[];
    if (records.length === 0) continue;
    const errors: FieldError[] = [];
    steps.push({ collection: entity, order: dependencyOrder(records, SELF_REFERENCES[entity], entity, errors), errors });
  }
  return { bundle, steps };
}

/**
 * Upserts a whole bundle in one transaction, or nothing of it: every error is collected (with a JSON
 * Pointer into the bundle) and the transaction rolled back. The bundle must have passed the Bundle schema.
 */
export async function runImport(
  storage: Storage,
  bundle: Bundle,
  options: { dryRun?: boolean; author?: Author } = {},
): Promise<ImportResult> {
  const { counts, errors } = await storage.imports.run(planImport(bundle), options);
  if (errors.length > 0) {
    const shown = errors.slice(0, 3).map((e) => `${e.path}: ${e.message}`);
    throw new AppError(
      'IMPORT_FAILED',
      `${errors.length} error(s); nothing was stored. ${shown.join(' ')}${errors.length > 3 ? ' …' : ''}`,
      { errors },
    );
  }
  return { dryRun: options.dryRun === true, counts };
}

/**
 * Indexes of records so that one referring to others of the same array (a parent, the statements it
 * answers) comes after them. Duplicated ids and cycles are reported, and those records skipped. A
 * depth-first walk with a stack of its own, not a recursion, so a long chain of answers cannot exhaust the
 * call stack; each record is visited once.
 */
function dependencyOrder(records: { id: string }[], selfReference: string | undefined, entity: Entity, errors: FieldError[]): number[] {
  const indexById = new Map<string, number>();
  const skip = new Set<number>();
  for (const [i, r] of records.entries()) {
    const first = indexById.get(r.id);
    if (first !== undefined) {
      errors.push({ in: 'body', path: `/${entity}/${i}/id`, message: `'${r.id}' repeats /${entity}/${first}` });
      skip.add(i);
    } else indexById.set(r.id, i);
  }
  if (!selfReference) return [...records.keys()].filter((i) => !skip.has(i));
  /** The indexes of the records `i` refers to within the array, with the JSON Pointer of each reference. */
  const targets = (i: number): [number, string][] => {
    const value: unknown = (records[i] as unknown as Record<string, unknown>)[selfReference];
    const ids = Array.isArray(value) ? value : [value];
    return ids.flatMap((id, k): [number, string][] => {
      const j = typeof id === 'string' ? indexById.get(id) : undefined;
      const at = Array.isArray(value) ? `/${entity}/${i}/${selfReference}/${k}` : `/${entity}/${i}/${selfReference}`;
      // A record naming itself is left to its store's own rule (a statement answering itself is refused there).
      return j === undefined || j === i ? [] : [[j, at]];
    });
  };
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  for (const start of records.keys()) {
    if (state.has(start) || skip.has(start)) continue;
    // Each frame: a record on the current path and the references of it still to follow.
    const stack: { i: number; next: [number, string][] }[] = [{ i: start, next: targets(start) }];
    state.set(start, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as (typeof stack)[number];
      const reference = frame.next.shift();
      if (reference === undefined) {
        stack.pop();
        state.set(frame.i, 'done');
        if (!skip.has(frame.i)) order.push(frame.i);
        continue;
      }
      const [j, at] = reference;
      if (skip.has(j) || state.get(j) === 'done') continue;
      if (state.get(j) === 'visiting') {
        const path = stack.slice(stack.findIndex((f) => f.i === j)).map((f) => f.i);
        errors.push({ in: 'body', path: at, message: `forms a cycle: ${[...path, j].map((k) => records[k]?.id).join(' → ')}` });
        for (const k of path) skip.add(k);
        continue;
      }
      state.set(j, 'visiting');
      stack.push({ i: j, next: targets(j) });
    }
  }
  return order;
}
