// The HTTP contract of the controlled vocabularies, and the human labels of acts, stances and relations.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../lib/schemas.js';
import {
  ACT_CAMEO_CODES,
  ACTOR_KINDS,
  ACTS,
  type Act,
  EVENT_KINDS,
  EVIDENCE_RELATIONS,
  SOURCE_KINDS,
  STANCES,
  STATEMENT_KINDS,
} from '../../lib/vocabularies.js';

/** The CAMEO codebook's names of the act codes; `satisfies` makes a new act without a label a type error. */
export const ACT_LABELS = {
  statement: 'Make a public statement',
  declineComment: 'Decline to comment',
  pessimistic: 'Make a pessimistic comment',
  optimistic: 'Make an optimistic comment',
  considerPolicy: 'Consider a policy option',
  denyResponsibility: 'Deny responsibility',
  condolence: 'Express condolences or sympathy',
  appeal: 'Make an appeal or request',
  intendCooperate: 'Express intent to cooperate',
  intendMeet: 'Express intent to meet or negotiate',
  praise: 'Praise or endorse',
  defend: 'Defend verbally',
  demand: 'Demand',
  criticize: 'Criticize or denounce',
  accuse: 'Accuse',
  reject: 'Reject',
  rejectNegotiation: 'Reject a proposal to meet, discuss or negotiate',
  threaten: 'Threaten',
} as const satisfies Record<Act, string>;

export const STANCE_LABELS = {
  supports: 'Supports',
  opposes: 'Opposes',
  neutral: 'Neutral',
  mixed: 'Mixed: supports some parts, opposes others',
  unclear: 'Unclear from what was said',
} as const satisfies Record<(typeof STANCES)[number], string>;

export const RELATION_LABELS = {
  asserts: 'States the position (first time)',
  reiterates: 'Repeats the position in the same terms',
  hardens: 'Restates the position in firmer terms',
  softens: 'Restates the position in milder terms',
  qualifies: 'Adds conditions or limits to the position',
  contradicts: 'Goes against the position',
} as const satisfies Record<(typeof EVIDENCE_RELATIONS)[number], string>;

const Labelled = <const T extends readonly string[]>(values: T, description: string) =>
  Type.Array(Type.Object({ id: StringEnum(values), label: Type.String({ description: 'A short human label.' }) }), { description });

export const VocabulariesSchema = Type.Object(
  {
    actorKinds: Type.Array(StringEnum(ACTOR_KINDS), { description: 'Values of Actor.kind.' }),
    sourceKinds: Type.Array(StringEnum(SOURCE_KINDS), { description: 'Values of Source.kind.' }),
    eventKinds: Type.Array(StringEnum(EVENT_KINDS), { description: 'Values of Event.kind.' }),
    statementKinds: Type.Array(StringEnum(STATEMENT_KINDS), { description: 'Values of Statement.kind.' }),
    stances: Labelled(STANCES, 'Values of Position.stance, with labels.'),
    evidenceRelations: Labelled(EVIDENCE_RELATIONS, 'Values of Position.evidence[].relation, with labels.'),
    acts: Type.Array(
      Type.Object({
        id: StringEnum(ACTS),
        cameoCode: Type.String({ pattern: '^[0-9]{2,4}$', description: 'The CAMEO event code (GDELT, ICEWS).' }),
        label: Type.String({ description: "The CAMEO codebook's name for the code." }),
      }),
      { description: 'Values of Statement.acts[], with their CAMEO codes.' },
    ),
  },
  { $id: 'Vocabularies', additionalProperties: false, description: 'Every controlled list of the API, in its canonical order.' },
);
export type Vocabularies = Static<typeof VocabulariesSchema>;

/** The answer never changes while the process runs, so it is built once. */
export const VOCABULARIES: Vocabularies = {
  actorKinds: [...ACTOR_KINDS],
  sourceKinds: [...SOURCE_KINDS],
  eventKinds: [...EVENT_KINDS],
  statementKinds: [...STATEMENT_KINDS],
  stances: STANCES.map((id) => ({ id, label: STANCE_LABELS[id] })),
  evidenceRelations: EVIDENCE_RELATIONS.map((id) => ({ id, label: RELATION_LABELS[id] })),
  acts: ACTS.map((id) => ({ id, cameoCode: ACT_CAMEO_CODES[id], label: ACT_LABELS[id] })),
};

export const VocabulariesQuerySchema = Type.Object({}, { additionalProperties: false });
