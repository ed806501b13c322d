// The HTTP contract of positions.
import { type Static, Type } from 'typebox';
import { expandedProperties, expandParameter } from '../../lib/expand.js';
import { FormatParameter } from '../../lib/export.js';
import { EnumFilter, entitySchemas, Id, IdFilter, IsoDate, listQuery, Nullable, ref, StringEnum, Text } from '../../lib/schemas.js';
import { EVIDENCE_RELATIONS, STANCES } from '../../lib/vocabularies.js';
import { ActorSchema } from '../actors/actors.schema.js';
import { StatementSchema } from '../statements/statements.schema.js';
import { TopicSchema } from '../topics/topics.schema.js';

const Evidence = Type.Object(
  {
    statementId: Id,
    relation: StringEnum(
      EVIDENCE_RELATIONS,
      'How the statement bears on the position: first asserts it, reiterates it, hardens or softens its wording, qualifies or contradicts it.',
    ),
  },
  { additionalProperties: false },
);

export const PositionFields = {
  actorId: { ...Id, description: 'Who holds the position.' },
  topicId: { ...Id, description: 'What it is about.' },
  stance: StringEnum(STANCES, 'The stance on the topic.'),
  summary: Text(2000, 'The position as one sentence: "Pakistan will not hold talks with the TTP".'),
  validFrom: Nullable({
    ...IsoDate,
    description:
      'The first day the position is held: the date of its first dated evidence. Null when that is not known (its evidence is undated); such a period starts before any dated one of the same actor and topic, and `asOf` leaves it out. Left out of a create or an import, it is derived from the evidence that way.',
  }),
  validTo: Nullable({ ...IsoDate, description: 'The day a later position took over (exclusive); null while still held.' }),
  evidence: Type.Array(Evidence, {
    minItems: 1,
    maxItems: 500,
    description: 'The statements that show it; at least one, each statement once.',
  }),
};

const EvidenceRead = Type.Object({
  statementId: Id,
  relation: StringEnum(EVIDENCE_RELATIONS),
  statedOn: Nullable({ ...IsoDate, description: 'When the statement was made (read-only).' }),
  statement: Type.Optional({ ...ref(StatementSchema), description: 'With expand=evidence: the statement.' }),
});

export const {
  record: PositionSchema,
  create: PositionCreateSchema,
  patch: PositionPatchSchema,
} = entitySchemas('Position', PositionFields, ['actorId', 'topicId', 'stance', 'summary', 'evidence'], {
  description: "An actor's stance on a topic over a period, evidenced by statements. An actor's periods on one topic never overlap.",
  derived: {
    evidence: Type.Array(EvidenceRead, { description: 'The evidence in date order (undated statements last).' }),
    firstStatedOn: Nullable({ ...IsoDate, description: 'The earliest date among the evidence (read-only).' }),
    lastReaffirmedOn: Nullable({ ...IsoDate, description: 'The latest date among the evidence (read-only).' }),
    statementCount: Type.Integer({ minimum: 1, description: 'How many statements evidence it (read-only).' }),
    ...expandedProperties({ actor: { schema: ActorSchema, many: false }, topic: { schema: TopicSchema, many: false } }),
  },
});
export type Position = Static<typeof PositionSchema>;
export const POSITION_EXPANSIONS = ['actor', 'topic', 'evidence'] as const;

export type PositionFieldValues = Static<typeof PositionCreateSchema> extends infer C ? Omit<Required<C>, 'id'> : never;

export const PositionListQuerySchema = listQuery(['validFrom', 'createdAt', 'updatedAt', 'id'], 'validFrom', {
  actor: IdFilter('Held by any of these actors.'),
  topic: IdFilter('On any of these topics or their descendants.'),
  stance: EnumFilter(STANCES, 'Only these stances.'),
  // A statement's page shows the positions it evidences without reading every position.
  evidence: IdFilter('Only positions evidenced by any of these statements.'),
  expand: expandParameter(POSITION_EXPANSIONS),
  format: FormatParameter,
  asOf: {
    ...IsoDate,
    description:
      'Only positions held on this date (validFrom ≤ asOf < validTo); a position whose start is not known (validFrom null) is not known to be held on any date, so it is left out. Without it, every period: a timeline.',
  },
});
