// Request validation: Ajv that never coerces or strips a body, and problem-ready error lists.
import { createHash } from 'node:crypto';
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import type { FieldError } from './errors.js';
import { ID_PATTERN } from './schemas.js';

// A body is data: no coercion ({"text": 5} stays a number and fails) and no silent removal of unknown
// fields. Query strings and path parameters arrive as text, so there types are converted (limit=5).
const bodyOptions = { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: true } as const;
const textOptions = { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: true } as const;

// One pool per kind for the whole process: Fastify asks for a validator in every plugin context, and a
// pool hands back the same Ajv (with its compiled shared schemas) for the same set of schemas.
const bodyPool = AjvCompiler();
const textPool = AjvCompiler();
const serializerFactory = SerializerSelector();

// Compiled validators and serializers by schema, shared by every app this process builds (the test suite
// builds hundreds): compiling them is most of the start-up time, and equal schemas compile to equal code.
const compiled = new Map<string, unknown>();
function cached<T>(key: string, build: () => T): T {
  let hit = compiled.get(key) as T | undefined;
  if (hit === undefined) {
    hit = build();
    compiled.set(key, hit);
  }
  return hit;
}
const keyOf = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('base64url');

export const schemaController: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator(externalSchemas, ajvServerOptions) {
      const plugins = ajvServerOptions?.plugins ?? [];
      const forBody = bodyPool(externalSchemas, { plugins, customOptions: { ...bodyOptions } });
      const forText = textPool(externalSchemas, { plugins, customOptions: { ...textOptions } });
      const externals = keyOf(externalSchemas);
      return (route) =>
        cached(`validate:${externals}:${route.httpPart === 'body' ? 'body' : 'text'}:${keyOf(route.schema)}`, () =>
          route.httpPart === 'body' ? forBody(route) : strictNumbers(route.schema, forText(route)),
        );
    },
    buildSerializer(externalSchemas, serializerOptions) {
      const compile = serializerFactory(externalSchemas, serializerOptions);
      const externals = keyOf([externalSchemas, serializerOptions]);
      return (route) => cached(`serialize:${externals}:${keyOf(route.schema)}`, () => compile(route));
    },
  },
};

type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

// Decimal digits only: Ajv's coercion would read `0x10` as 16, ` 5` as 5 and `Infinity` as a number that passes
// every minimum and maximum (Ajv checks bounds on finite numbers only).
const DECIMAL = { integer: /^-?\d+$/, number: /^-?\d+(?:\.\d+)?$/ } as const;

/**
 * Wraps the validator of a query string, path or headers so that each integer or number parameter is first
 * checked as text: written in decimal digits, and finite once read (400 digits are not). Ajv then converts it
 * and checks its range.
 */
function strictNumbers<V extends Validate>(schema: unknown, validate: V): V {
  const properties = (schema as { properties?: Record<string, { type?: unknown; minimum?: number; maximum?: number }> }).properties ?? {};
  const numeric = Object.entries(properties).flatMap(([name, property]) => {
    const types = [property.type].flat();
    const kind = types.includes('integer') ? ('integer' as const) : types.includes('number') ? ('number' as const) : undefined;
    return kind ? [{ name, kind, property }] : [];
  });
  if (numeric.length === 0) return validate;
  const wrapped: Validate = (data) => {
    const errors: FastifySchemaValidationError[] = [];
    const values = (data ?? {}) as Record<string, unknown>;
    for (const { name, kind, property } of numeric) {
      const value = values[name];
      if (typeof value !== 'string') continue;
      const at = { instancePath: `/${name}`, schemaPath: `#/properties/${name}` };
      if (!DECIMAL[kind].test(value)) {
        const example = property.minimum ?? 1;
        errors.push({
          ...at,
          keyword: 'decimal',
          params: { type: kind },
          message: `must be ${kind === 'integer' ? 'a whole number' : 'a number'} written in decimal digits (e.g. ${example})`,
        });
      } else if (!Number.isFinite(Number(value))) {
        const { minimum, maximum } = property;
        errors.push({
          ...at,
          keyword: 'range',
          params: {},
          message: minimum !== undefined && maximum !== undefined ? `must be from ${minimum} to ${maximum}` : 'is too large',
        });
      }
    }
    const valid = validate(data);
    if (errors.length === 0) {
      wrapped.errors = validate.errors;
      return valid;
    }
    const refused = new Set(errors.map((e) => e.instancePath));
    wrapped.errors = [...errors, ...(validate.errors ?? []).filter((e) => !refused.has(e.instancePath))];
    return false;
  };
  // Fastify and Ajv read the schema off a validator: the wrapper keeps what the original carries.
  return Object.assign(wrapped, validate, { errors: null }) as V;
}

const PATTERN_MESSAGES: Record<string, string> = {
  [ID_PATTERN]: "must be a lowercase slug: letters a–z, digits and single hyphens (e.g. 'talks-with-ttp')",
  '^https?://': 'must be an http:// or https:// URL',
  '^[A-Z]{3}$': 'must be an ISO 3166-1 alpha-3 code in capitals (e.g. PAK)',
};

const FORMAT_MESSAGES: Record<string, string> = {
  date: 'must be a valid date as YYYY-MM-DD',
  'date-time': 'must be a UTC timestamp as YYYY-MM-DDTHH:MM:SS.sssZ',
  uri: 'must be an absolute URL',
};

type Part = FieldError['in'];

/** Fastify's names of the parts of a request, in the words of OpenAPI's `in`, which clients read. */
const PARTS: Record<string, Part> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** Turns Ajv's errors into one entry per bad field, with a JSON Pointer and a message a person can act on. */
export function toFieldErrors(errors: FastifySchemaValidationError[], part: string): FieldError[] {
  const where = PARTS[part] ?? 'body';
  const out = new Map<string, FieldError>();
  for (const e of errors) {
    const params = e.params as Record<string, unknown>;
    let path = e.instancePath;
    let message = e.message ?? 'is not valid';
    switch (e.keyword) {
      case 'additionalProperties':
        path = `${path}/${String(params.additionalProperty)}`;
        message = where === 'query' ? 'is not a known query parameter for this route' : 'is not a known field';
        break;
      case 'required':
        path = `${path}/${String(params.missingProperty)}`;
        message = 'is required';
        break;
      case 'enum':
        message = `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
        break;
      case 'pattern':
        message = patternMessage(String(params.pattern));
        break;
      case 'format':
        message = FORMAT_MESSAGES[String(params.format)] ?? message;
        break;
      case 'type':
        message = `must be ${String(params.type).replace(',', ' or ')}`;
        break;
      case 'minLength':
        if (params.limit === 1) message = 'must not be empty';
        break;
      case 'uniqueItems':
        message = `must not repeat a value (items ${String(params.j)} and ${String(params.i)} are equal)`;
        break;
    }
    const key = `${path}\u0000${message}`;
    if (!out.has(key)) out.set(key, { in: where, path, message });
  }
  return [...out.values()];
}

export function describeFieldErrors(errors: FieldError[]): string {
  const shown = errors.slice(0, 5).map((e) => `${e.in} ${e.path || '(root)'} ${e.message}`);
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  return `${shown.join('; ')}${more}.`;
}

const LIST_OF_WORDS = /^\^\(\?:([\w|]+)\)\(\?:,\(\?:\1\)\)\*\$$/;

function patternMessage(pattern: string): string {
  const known = PATTERN_MESSAGES[pattern];
  if (known) return known;
  const words = LIST_OF_WORDS.exec(pattern)?.[1];
  if (words) return `must be one or more of ${words.split('|').join(', ')}, separated by commas`;
  if (pattern.startsWith(ID_PATTERN.slice(0, -1)) && pattern.includes(','))
    return 'must be one or more ids (lowercase slugs) separated by commas';
  return `must match the pattern ${pattern}`;
}
