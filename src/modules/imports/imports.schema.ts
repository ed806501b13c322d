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
const CountsByEntity = Type.Object(Object.fromEntries(ENTITIES.map((e) => [e, Counts])) as Record<Entity, typeof Counts>);
export type ImportCounts = Static<typeof CountsByEntity>;

export const ImportResultSchema = Type.Object(
  {
    dryRun: Type.Boolean({ description: 'true: nothing was stored; the counts say what would have happened.' }),
    counts: CountsByEntity,
  },
  { $id: 'ImportResult', description: 'What the import did (or, in a dry run, would do) per entity.' },
);
export type ImportResult = Static<typeof ImportResultSchema>;

/** The largest NDJSON line (one bundle) the import reads, in bytes of UTF-8, newline excluded. */
export const NDJSON_LINE_LIMIT = 8 * 1024 * 1024;

const FieldErrorItem = Type.Object({
  in: Type.String({ description: "Always body: the line's bundle." }),
  path: Type.String({ description: 'JSON Pointer into the bundle of that line (/statements/3/speakerId); empty for the line as a whole.' }),
  message: Type.String(),
});

export const ImportLineResultSchema = Type.Union(
  [
    Type.Object(
      {
        line: Type.Integer({ minimum: 1, description: 'The line number in the body, counting from 1 (empty lines included).' }),
        status: Type.Literal('ok'),
        dryRun: Type.Boolean(),
        counts: CountsByEntity,
      },
      { title: 'ImportLineOk', description: 'The bundle of this line was stored (with dryRun: would have been), in its own transaction.' },
    ),
    Type.Object(
      {
        line: Type.Integer({ minimum: 1 }),
        status: Type.Literal('failed'),
        code: Type.String({
          description:
            'VALIDATION_FAILED (not JSON, not valid UTF-8, or not a bundle), IMPORT_FAILED (records break references or rules), PAYLOAD_TOO_LARGE (the line is over the limit), UNAVAILABLE or INTERNAL.',
        }),
        detail: Type.String(),
        errors: Type.Array(FieldErrorItem, { description: 'Every error of the line, each with a JSON Pointer into its bundle.' }),
      },
      { title: 'ImportLineFailed', description: 'Nothing of this line was stored; the other lines are not affected.' },
    ),
    Type.Object(
      {
        status: Type.Literal('done'),
        lines: Type.Integer({ minimum: 0, description: 'Bundles read (empty lines are skipped).' }),
        ok: Type.Integer({ minimum: 0 }),
        failed: Type.Integer({ minimum: 0 }),
        dryRun: Type.Boolean(),
        counts: CountsByEntity,
      },
      {
        title: 'ImportSummary',
        description: 'The last line of the answer: totals over the lines that succeeded. Missing if the import was cut off.',
      },
    ),
  ],
  {
    $id: 'ImportLineResult',
    description:
      'One line of an NDJSON import answer: one per input line holding a bundle, in input order, then the summary (status done).',
  },
);
export type ImportLineResult = Static<typeof ImportLineResultSchema>;

export const ImportQuerySchema = Type.Object(
  { dryRun: Type.Boolean({ default: false, description: 'Validate and count only; store nothing.' }) },
  { additionalProperties: false },
);
