// Bundles from JSON text (NDJSON lines, files, seeds), checked exactly as the JSON body of POST /v1/imports is.
import { AppError, type FieldError } from '../../lib/errors.js';
import { timeSlices } from '../../lib/slices.js';
import { cleanBody, uncleanBody } from '../../lib/trim.js';
import { schemaController, toFieldErrors } from '../../lib/validation.js';
import { ActorCreateSchema } from '../actors/actors.schema.js';
import { EventCreateSchema } from '../events/events.schema.js';
import { PositionCreateSchema } from '../positions/positions.schema.js';
import { SourceCreateSchema } from '../sources/sources.schema.js';
import { StatementCreateSchema } from '../statements/statements.schema.js';
import { TopicCreateSchema } from '../topics/topics.schema.js';
import { type Bundle, BundleSchema } from './imports.schema.js';

// The schemas a bundle refers to, compiled with the service's own Ajv set-up: no coercion, unknown fields
// refused, every error reported. The same validator checks NDJSON lines and the CLI's files.
const BUNDLE_SCHEMAS = [
  SourceCreateSchema,
  EventCreateSchema,
  ActorCreateSchema,
  TopicCreateSchema,
  StatementCreateSchema,
  PositionCreateSchema,
];
type Validator = ((value: unknown) => boolean) & { errors?: unknown[] | null };
let validator: Validator | undefined;

/** The Bundle validator, compiled on first use (a fraction of a second); call early to keep that out of an import. */
export function bundleValidator(): Validator {
  if (!validator) {
    const external = Object.fromEntries([...BUNDLE_SCHEMAS, BundleSchema].map((s) => [(s as { $id?: string }).$id as string, s]));
    // validation.ts defines the factory and its buildValidator.
    const build = schemaController!.compilersFactory!.buildValidator!(external, {});
    validator = build({ schema: BundleSchema, method: 'POST', url: '/v1/imports', httpPart: 'body' }) as Validator;
  }
  return validator;
}

type AjvError = Parameters<typeof toFieldErrors>[0][number];

function validateBundle(value: unknown): FieldError[] {
  const validator = bundleValidator();
  if (validator(value)) return [];
  return toFieldErrors((validator.errors ?? []) as AjvError[], 'body');
}

/**
 * A bundle from JSON text, checked as a JSON body of POST /v1/imports is: keys that would reach an
 * object's prototype refused, strings cleaned and trimmed, then the Bundle schema. Throws a
 * VALIDATION_FAILED AppError listing every problem.
 */
export function parseBundle(text: string): Bundle {
  return checkedWhole(parseObject(text));
}

function checkedWhole(value: object): Bundle {
  const cleaned = cleanBody(value);
  return checked(cleaned, validateBundle(cleaned));
}

/**
 * parseBundle, giving the event loop back between slices of its work (see timeSlices): cleaning and
 * validating a line of thousands of records held it for tens of milliseconds at a time. Each collection is
 * cleaned and validated a few records at a time; the errors are those parseBundle reports, in its order.
 * Only JSON.parse runs in one go. A body that is not a bundle's shape (an unknown key, a collection that is
 * not an array or is too long) is checked in one go, as parseBundle does.
 */
export async function parseBundleInSlices(text: string, slice = timeSlices()): Promise<Bundle> {
  const value = parseObject(text) as Record<string, unknown>;
  const collections = Object.keys(value);
  if (
    !collections.every((key) => COLLECTIONS.includes(key) && Array.isArray(value[key]) && (value[key] as unknown[]).length <= MAX_RECORDS)
  ) {
    return checkedWhole(value);
  }
  await slice();
  // As cleanBody walks a bundle: collections in the body's order, records in order; every error, then a 400.
  const unclean: FieldError[] = [];
  for (const key of collections) {
    const records = value[key] as unknown[];
    for (let i = 0; i < records.length; i++) {
      try {
        records[i] = cleanBody(records[i], [key, i]);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        unclean.push(...(error.extra.errors ?? []));
      }
      const pause = slice();
      if (pause) await pause;
    }
  }
  if (unclean.length > 0) throw uncleanBody(unclean);
  // As the validator walks a bundle: collections in the schema's order, records in order.
  const validator = bundleValidator();
  const errors: AjvError[] = [];
  for (const key of COLLECTIONS) {
    const records = value[key] as unknown[] | undefined;
    if (!records) continue;
    for (let start = 0; start < records.length; start += VALIDATED_AT_ONCE) {
      if (!validator({ [key]: records.slice(start, start + VALIDATED_AT_ONCE) })) {
        for (const error of (validator.errors ?? []) as AjvError[])
          errors.push({ ...error, instancePath: shifted(error.instancePath, key, start) });
      }
      const pause = slice();
      if (pause) await pause;
    }
  }
  return checked(value, errors.length > 0 ? toFieldErrors(errors, 'body') : []);
}

/** The collections, in the Bundle schema's order (the order its validator reports errors in). */
const COLLECTIONS = Object.keys(BundleSchema.properties);
const MAX_RECORDS = Math.min(...Object.values(BundleSchema.properties).map((p) => (p as unknown as { maxItems: number }).maxItems));
/** Records validated in one call: a fraction of a millisecond's work. */
const VALIDATED_AT_ONCE = 20;

/** An error's pointer into `{ [key]: records.slice(start) }`, as a pointer into the whole collection. */
function shifted(instancePath: string, key: string, start: number): string {
  const prefix = `/${key}/`;
  if (!instancePath.startsWith(prefix)) return instancePath;
  const rest = instancePath.slice(prefix.length);
  const end = rest.indexOf('/');
  const index = Number(end === -1 ? rest : rest.slice(0, end));
  return `${prefix}${index + start}${end === -1 ? '' : rest.slice(end)}`;
}

/** JSON text as an object (a bundle's shape, not yet checked); a VALIDATION_FAILED AppError otherwise. */
function parseObject(text: string): object {
  let value: unknown;
  try {
    // JSON.parse never sets a prototype, but copying the result would: refuse those keys as Fastify's parser does.
    value = /__proto__|constructor|\\u/.test(text) ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('VALIDATION_FAILED', `The bundle is not valid JSON: ${message}.`, {
      errors: [{ in: 'body', path: '', message: `is not valid JSON: ${message}` }],
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('VALIDATION_FAILED', 'A bundle is a JSON object: { sources, events, actors, topics, statements, positions }.', {
      errors: [{ in: 'body', path: '', message: 'must be object' }],
    });
  }
  return value;
}

/** The cleaned bundle, or the 400 listing the schema's errors. */
function checked(cleaned: unknown, errors: FieldError[]): Bundle {
  if (errors.length > 0) {
    const shown = errors.slice(0, 5).map((e) => `${e.path || '(root)'} ${e.message}`);
    throw new AppError('VALIDATION_FAILED', `${shown.join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}.`, {
      errors,
    });
  }
  return cleaned as Bundle;
}

function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)) {
    throw new SyntaxError(`the key "${key}" is not allowed`);
  }
  return value;
}
