// The HTTP contract of the dashboard stats: statement counts by dimension, and the stance matrix.
import { type Static, type TOptional, Type } from 'typebox';
import { AppError, type FieldError } from '../../lib/errors.js';
import { Id, IdFilter, IsoDate, Nullable, StringEnum } from '../../lib/schemas.js';
import { describeFieldErrors } from '../../lib/validation.js';
import { STANCES, STATEMENT_KINDS } from '../../lib/vocabularies.js';
import { StatementFilters } from '../statements/statements.schema.js';

export const DIMENSIONS = ['topic', 'speaker', 'onBehalfOf', 'addressee', 'act', 'kind', 'month', 'year'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

type OptionalFilters = { [K in keyof typeof StatementFilters]: TOptional<(typeof StatementFilters)[K]> };
const optionalFilters = Object.fromEntries(Object.entries(StatementFilters).map(([k, v]) => [k, Type.Optional(v)])) as OptionalFilters;

export const StatementStatsQuerySchema = Type.Object(
  {
    groupBy: Type.String({
      minLength: 1,
      maxLength: 100,
      description: `One dimension, or two separated by a comma (\`topic,month\`), among: ${DIMENSIONS.join(', ')}.`,
      examples: ['topic', 'topic,month'],
    }),
    ...optionalFilters,
  },
  { additionalProperties: false },
);
export type StatementStatsQuery = Static<typeof StatementStatsQuerySchema>;

const MONTH = { pattern: '^[0-9]{4}-[0-9]{2}$' };
const YEAR = { pattern: '^[0-9]{4}$' };

const StatementStatsCell = Type.Object(
  {
    topic: Type.Optional(
      Nullable({ ...Id, description: 'A topic; its cell counts statements about it or any of its descendants. null: no topic.' }),
    ),
    speaker: Type.Optional({ ...Id, description: 'The speaker.' }),
    onBehalfOf: Type.Optional(Nullable({ ...Id, description: 'Whom the speaker represented; null when not recorded.' })),
    addressee: Type.Optional(Nullable({ ...Id, description: 'An addressee; null: aimed at no one in particular.' })),
    act: Type.Optional(Nullable(Type.String({ description: 'An act (see GET /v1/vocabularies); null: no act recorded.' }))),
    kind: Type.Optional(StringEnum(STATEMENT_KINDS, 'The statement kind.')),
    month: Type.Optional(Nullable(Type.String({ ...MONTH, description: 'YYYY-MM of statedOn; null for undated statements.' }))),
    year: Type.Optional(Nullable(Type.String({ ...YEAR, description: 'YYYY of statedOn; null for undated statements.' }))),
    count: Type.Integer({ minimum: 1, description: 'Distinct statements matching the filters that fall in this cell.' }),
  },
  { additionalProperties: false },
);

export const StatementStatsSchema = Type.Object(
  {
    groupBy: Type.Array(StringEnum(DIMENSIONS), { minItems: 1, maxItems: 2, description: 'The dimensions, in the order asked.' }),
    total: Type.Integer({
      minimum: 0,
      description: 'Distinct statements matching the filters: the `total` of GET /v1/statements with the same filters and count=true.',
    }),
    data: Type.Array(StatementStatsCell, {
      description: 'One cell per combination of values that has statements; count descending, then by the values (null last).',
    }),
  },
  { $id: 'StatementStats', additionalProperties: false, description: 'Counts of statements grouped by one or two dimensions.' },
);
export type StatementStats = Static<typeof StatementStatsSchema>;

export const StanceMatrixQuerySchema = Type.Object(
  {
    asOf: Type.Optional({
      ...IsoDate,
      description: "The date the stances were held on (validFrom ≤ asOf < validTo). Default: today's UTC date.",
    }),
    actor: Type.Optional(IdFilter('Only these actors; without it, every actor that held a position on asOf.')),
    topic: Type.Optional(IdFilter('Only these topics or their descendants; without it, every topic.')),
  },
  { additionalProperties: false },
);
export type StanceMatrixQuery = Static<typeof StanceMatrixQuerySchema>;

const StanceCell = Type.Object(
  {
    actorId: Id,
    topicId: Id,
    stance: StringEnum(STANCES, 'The stance the actor held on the topic on asOf.'),
    positionId: { ...Id, description: 'The position that says so: GET /v1/positions/{positionId} for its evidence.' },
    summary: Type.String({ description: 'The position as one sentence.' }),
    validFrom: IsoDate,
    validTo: Nullable({ ...IsoDate, description: 'When a later position took over (exclusive); null while still held.' }),
  },
  { additionalProperties: false },
);

export const StanceMatrixSchema = Type.Object(
  {
    asOf: IsoDate,
    actors: Type.Array(Id, { description: 'The actors with at least one cell, by id: the rows of the matrix.' }),
    topics: Type.Array(Id, { description: 'The topics with at least one cell, by id: the columns of the matrix.' }),
    cells: Type.Array(StanceCell, {
      description: 'One cell per actor and topic with a position held on asOf (at most one: periods never overlap), by actor then topic.',
    }),
  },
  { $id: 'StanceMatrix', additionalProperties: false, description: 'The actor × topic matrix of the stances held on a date.' },
);
export type StanceMatrix = Static<typeof StanceMatrixSchema>;

/** `topic,month` → ['topic', 'month']; an unknown, repeated or third dimension is a 400 naming /groupBy. */
export function parseGroupBy(value: string): Dimension[] {
  const names = value.split(',');
  const errors: FieldError[] = [];
  const bad = (message: string) => errors.push({ in: 'query', path: '/groupBy', message });
  for (const name of names) {
    if (!(DIMENSIONS as readonly string[]).includes(name)) bad(`'${name}' is not a dimension; use one or two of: ${DIMENSIONS.join(', ')}`);
  }
  if (names.length > 2) bad(`groups by at most two dimensions, not ${names.length}`);
  if (names.length === 2 && names[0] === names[1]) bad(`names '${names[0]}' twice; use two different dimensions`);
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', describeFieldErrors(errors), { errors });
  return names as Dimension[];
}
