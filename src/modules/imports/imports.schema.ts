// The HTTP contract of bulk imports: a bundle of records that reference each other by id.
import { type Static, type TSchema, Type } from 'typebox';
import { ActorCreateSchema } from '../actors/actors.schema.js';
import { EventCreateSchema } from '../events/events.schema.js';
import { PositionCreateSchema } from '../positions/positions.schema.js';
import { SourceCreateSchema } from '../sources/sources.schema.js';
import { StatementCreateSchema } from '../statements/statements.schema.js';
import { TopicCreateSchema } from '../topics/topics.schema.js';

/** A create body whose id is required: in a bundle, records refer to each other by id. */
const withId = <T extends TSchema & { $id?: string }>(schema: T) =>
  Type.Unsafe<Static<T> & { id: string }>({ allOf: [{ $ref: schema.$id }, { type: 'object', required: ['id'] }] });

const list = <T extends TSchema & { $id?: string }>(schema: T, what: string) =>
  Type.Optional(Type.Array(withId(schema), { maxItems: 100000, description: `${what}; each with its id.` }));

export const BundleSchema = Type.Object(
  {
    sources: list(SourceCreateSchema, 'Sources'),
    events: list(EventCreateSchema, 'Events'),
    actors: list(ActorCreateSchema, 'Actors'),
    topics: list(TopicCreateSchema, 'Topics'),
    statements: list(StatementCreateSchema, 'Statements'),
    positions: list(PositionCreateSchema, 'Positions'),
  },
  {
    $id: 'Bundle',
    additionalProperties: false,
    description:
      'Records of any entity, referring to each other and to stored records by id. Each record is the whole record: a field left out is stored as null or empty.',
  },
);
export type Bundle = Static<typeof BundleSchema>;

export const ENTITIES = ['sources', 'actors', 'topics', 'events', 'statements', 'positions'] as const;
export type Entity = (typeof ENTITIES)[number];

const Counts = Type.Object({
  created: Type.Integer({ minimum: 0 }),
  updated: Type.Integer({ minimum: 0 }),
  unchanged: Type.Integer({ minimum: 0 }),
});

export const ImportResultSchema = Type.Object(
  {
    dryRun: Type.Boolean({ description: 'true: nothing was stored; the counts say what would have happened.' }),
    counts: Type.Object(Object.fromEntries(ENTITIES.map((e) => [e, Counts])) as Record<Entity, typeof Counts>),
  },
  { $id: 'ImportResult', description: 'What the import did (or, in a dry run, would do) per entity.' },
);
export type ImportResult = Static<typeof ImportResultSchema>;

export const ImportQuerySchema = Type.Object(
  { dryRun: Type.Boolean({ default: false, description: 'Validate and count only; store nothing.' }) },
  { additionalProperties: false },
);
