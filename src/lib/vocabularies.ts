// Controlled vocabularies: one `as const` array each, feeding both the TypeBox schemas and the table columns.

export const ACTOR_KINDS = ['state', 'governmentBody', 'igo', 'organization', 'armedGroup', 'media', 'person', 'other'] as const;
export const SOURCE_KINDS = ['officialTranscript', 'pressRelease', 'newsReport', 'socialPost', 'letter', 'other'] as const;
export const EVENT_KINDS = ['pressBriefing', 'pressConference', 'meeting', 'speech', 'interview', 'letter', 'visit', 'other'] as const;
export const STATEMENT_KINDS = ['quote', 'paraphrase'] as const;
export const STANCES = ['supports', 'opposes', 'neutral', 'mixed', 'unclear'] as const;
export const EVIDENCE_RELATIONS = ['asserts', 'reiterates', 'hardens', 'softens', 'qualifies', 'contradicts'] as const;

/** Verbal acts with their CAMEO event codes (the codebook behind GDELT and ICEWS). */
export const ACT_CAMEO_CODES = {
  statement: '010',
  declineComment: '011',
  pessimistic: '012',
  optimistic: '013',
  considerPolicy: '014',
  denyResponsibility: '016',
  condolence: '018',
  appeal: '02',
  intendCooperate: '03',
  intendMeet: '036',
  praise: '051',
  defend: '052',
  demand: '10',
  criticize: '111',
  accuse: '112',
  reject: '12',
  rejectNegotiation: '125',
  threaten: '13',
} as const;
export type Act = keyof typeof ACT_CAMEO_CODES;
export const ACTS = Object.keys(ACT_CAMEO_CODES) as Act[];

/** What an API key may do: read (identifies a caller), write (create, change, delete, import), admin (all). */
export const KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** What a revision records. */
export const REVISION_OPERATIONS = ['create', 'update', 'delete'] as const;
export type RevisionOperation = (typeof REVISION_OPERATIONS)[number];
