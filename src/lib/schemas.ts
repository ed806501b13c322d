// Schemas shared by every module: ids, dates, record metadata, list pages and the problem document.
import { type Static, type TOptional, type TProperties, type TSchema, Type } from 'typebox';
import { ERROR_CODES } from './errors.js';

/** A reference to a schema registered with `app.addSchema`, typed as the schema it points to. */
export const ref = <T extends TSchema & { $id?: string }>(schema: T) => Type.Unsafe<Static<T>>(Type.Ref(schema.$id as string));

export const ID_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';

export const Id = Type.String({
  pattern: ID_PATTERN,
  minLength: 1,
  maxLength: 100,
  description: "A lowercase slug: letters a–z, digits and single hyphens (e.g. 'talks-with-ttp').",
});
export const IsoDate = Type.String({ format: 'date', description: 'A calendar date, YYYY-MM-DD.', examples: ['2024-04-04'] });
export const Timestamp = Type.String({ format: 'date-time', description: 'A UTC timestamp.', examples: ['2024-04-05T10:00:00.000Z'] });
/** `type: [X, 'null']` rather than anyOf, so a wrong value gets one clear message ("must be string,null"). */
export const Nullable = <T extends TSchema & { type: string }>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
/** Free text: trimmed at the ends before validation, never empty. */
export const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });
export const Language = Type.String({
  pattern: '^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$',
  maxLength: 35,
  description: 'A BCP 47 language tag (en, ur, ps, zh-Hans).',
});
export const CountryCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 3166-1 alpha-3 country code (PAK, AFG).' });
export const Url = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000, description: 'An http(s) URL.' });
export const IdList = (description: string, maxItems = 100) => Type.Array(Id, { uniqueItems: true, maxItems, description });
export const StringEnum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const RecordMeta = {
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer({ minimum: 1, description: 'Starts at 1 and grows by one on every change; the ETag names it.' }),
};

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** No query parameters: any sent is a 400, not silently ignored (the querystring of every operation that declares none). */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/** The querystring of a list: the page parameters every list takes plus its filters, all optional. */
export function listQuery<F extends TProperties>(sortFields: readonly string[], defaultSort: string, filters: F) {
  const all = { ...pageQuery(sortFields, defaultSort), ...filters };
  const optional = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Type.Optional(v)])) as PatchProps<typeof all>;
  return Type.Object(optional, { additionalProperties: false });
}

const pageQuery = (sortFields: readonly string[], defaultSort: string) => ({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1 to 100.' }),
  cursor: Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'The `nextCursor` of the previous page; only valid with the same filters and sort.',
  }),
  sort: StringEnum(
    sortFields.flatMap((f) => [f, `-${f}`]),
    `Sort field, \`-\` for descending; ties are broken by id. Default \`${defaultSort}\`.`,
  ),
  count: Type.Boolean({ default: false, description: 'Add `total`, the number of records matching the filters.' }),
});

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page.' })),
    total: Type.Optional(Type.Integer({ minimum: 0, description: 'Records matching the filters, with `count=true`.' })),
  });

/**
 * Comma-separated ids ("any of"), e.g. `topic=ttp,bisham-attack`. What an id that names no record does is
 * said here, once, for every id filter.
 */
export const IdFilter = (description: string) =>
  Type.String({
    pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*(?:,[a-z0-9]+(?:-[a-z0-9]+)*)*$',
    maxLength: 2000,
    description: `${description} An id that names no record matches nothing; it is not an error.`,
  });
export const EnumFilter = (values: readonly string[], description: string) =>
  Type.String({
    pattern: `^(?:${values.join('|')})(?:,(?:${values.join('|')}))*$`,
    description: `${description} One or more of: ${values.join(', ')}.`,
  });

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the problem type; GET it for its description.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, for a person.' }),
    instance: Type.Optional(Type.String({ description: 'The request path.' })),
    code: StringEnum(ERROR_CODES, 'A stable machine-readable code; never renamed once shipped.'),
    requestId: Type.String({ description: 'Also sent as the X-Request-Id header; quote it when reporting a problem.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: StringEnum(
            ['query', 'path', 'header', 'body'] as const,
            'Where the bad value is, in the words of OpenAPI: a query, path or header parameter, or the body.',
          ),
          path: Type.String({ description: 'JSON Pointer to the bad value' }),
          message: Type.String(),
        }),
      ),
    ),
    referencedBy: Type.Optional(
      Type.Array(
        Type.Object({
          collection: Type.String(),
          field: Type.String(),
          ids: Type.Array(Type.String(), { description: 'Up to 10 of the referring records.' }),
        }),
      ),
    ),
    currentVersion: Type.Optional(Type.Integer()),
    conflictingPositionId: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'An RFC 9457 problem document.' },
);
export type Problem = Static<typeof ProblemSchema>;

type CreateProps<F extends TProperties, K extends keyof F> = { [P in keyof F]: P extends K ? F[P] : TOptional<F[P]> };
type PatchProps<F extends TProperties> = { [P in keyof F]: TOptional<F[P]> };

/**
 * The three shapes of a resource from its writable fields: the record served (`Name`), the create body
 * (`NameCreate`: `required` fields plus an optional client-chosen id) and the patch body (`NamePatch`).
 */
export function entitySchemas<const N extends string, F extends TProperties, K extends keyof F & string, D extends TProperties = {}>(
  name: N,
  fields: F,
  required: readonly K[],
  options: { description: string; derived?: D },
) {
  const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);
  const create = Object.fromEntries(
    Object.entries(fields).map(([key, schema]) => [key, required.includes(key as K) ? schema : optional(schema)]),
  ) as CreateProps<F, K>;
  const patch = Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, optional(schema)])) as PatchProps<F>;
  return {
    record: Type.Object(
      { id: Id, ...fields, ...(options.derived ?? ({} as D)), ...RecordMeta },
      { $id: name, description: options.description, additionalProperties: false },
    ),
    create: Type.Object(
      { id: Type.Optional(Id), ...create },
      { $id: `${name}Create`, additionalProperties: false, description: `A new ${name}. Without an id, the server makes one.` },
    ),
    patch: Type.Object(patch, {
      $id: `${name}Patch`,
      additionalProperties: false,
      minProperties: 1,
      description: `Fields of a ${name} to change; the others keep their values. A nullable field is cleared with null.`,
    }),
  };
}
