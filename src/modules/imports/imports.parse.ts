// Bundles from JSON text (NDJSON lines, files, seeds), checked exactly as the JSON body of POST /v1/imports is.
import { AppError, type FieldError } from '../../lib/errors.js';
import { cleanBody } from '../../lib/trim.js';
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

function validateBundle(value: unknown): FieldError[] {
  const validator = bundleValidator();
  if (validator(value)) return [];
  return toFieldErrors((validator.errors ?? []) as Parameters<typeof toFieldErrors>[0], 'body');
}

/**
 * A bundle from JSON text, checked as a JSON body of POST /v1/imports is: keys that would reach an
 * object's prototype refused, strings cleaned and trimmed, then the Bundle schema. Throws a
 * VALIDATION_FAILED AppError listing every problem.
 */
export function parseBundle(text: string): Bundle {
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
  const cleaned = cleanBody(value);
  const errors = validateBundle(cleaned);
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
