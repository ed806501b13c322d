// The HTTP contract of statements.
import { type Static, Type } from 'typebox';
import { expandedProperties, expandParameter } from '../../lib/expand.js';
import { FormatParameter } from '../../lib/export.js';
import {
  EnumFilter,
  entitySchemas,
  Id,
  IdFilter,
  IdList,
  IsoDate,
  Language,
  listQuery,
  Nullable,
  StringEnum,
  Text,
} from '../../lib/schemas.js';
import { SEARCH_SYNTAX } from '../../lib/search.js';
import { ACT_CAMEO_CODES, ACTS, STATEMENT_KINDS } from '../../lib/vocabularies.js';
import { ActorSchema } from '../actors/actors.schema.js';
import { EventSchema } from '../events/events.schema.js';
import { SourceSchema } from '../sources/sources.schema.js';
import { TopicSchema } from '../topics/topics.schema.js';

const actList = Object.entries(ACT_CAMEO_CODES)
  .map(([act, code]) => `${act} (CAMEO ${code})`)
  .join(', ');

export const StatementFields = {
  text: Text(20000, 'What was said: the exact words for a quote, the reported content for a paraphrase.'),
  kind: StringEnum(STATEMENT_KINDS, "quote: the speaker's exact words; paraphrase: reported speech."),
  speakerId: { ...Id, description: 'The actor who spoke.' },
  onBehalfOfId: Nullable({ ...Id, description: 'Whom the speaker represents (Pakistan for its spokesperson).' }),
  speakerRole: Nullable(Text(300, 'The role as attributed at the time ("Foreign Office Spokesperson").')),
  statedOn: Nullable({ ...IsoDate, description: 'When it was said; null when the source does not say.' }),
  eventId: Nullable({ ...Id, description: 'Where it was said.' }),
  sourceIds: Type.Array(Id, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Where it is reported; at least one.' }),
  topicIds: IdList('What it is about.'),
  addresseeIds: IdList('Whom it is aimed at.'),
  respondsToIds: IdList(
    'The statements it answers, also across governments (a question often bundles several); never the statement itself.',
  ),
  context: Nullable(Text(5000, 'The question or criticism it responds to.')),
  acts: Type.Array(StringEnum(ACTS), { uniqueItems: true, maxItems: 20, description: `What kind of act it is: ${actList}.` }),
  language: Nullable(Language),
};

export const {
  record: StatementSchema,
  create: StatementCreateSchema,
  patch: StatementPatchSchema,
} = entitySchemas('Statement', StatementFields, ['text', 'kind', 'speakerId', 'sourceIds'], {
  description: 'One thing an actor said, as a verbatim quote or a paraphrase, with where it comes from.',
  derived: {
    verified: Type.Optional(
      Nullable(
        Type.Boolean({
          description:
            'Read-only. For a quote: whether its words stand verbatim in the text of a source it cites, after normalising whitespace and quotation-mark style (“ ” ‘ ’ as " and \'); null for a paraphrase or when no cited source keeps its text.',
        }),
      ),
    ),
    snippet: Type.Optional(
      Type.String({ description: 'With `q` only: the best window of the text, HTML-escaped, with the matched words in <mark>…</mark>.' }),
    ),
    score: Type.Optional(
      Type.Number({
        description:
          'With `q` only: the relevance: the BM25 score SQLite FTS5 bm25() gives, with weights 10/3/2 for text, context, topic names (lower is more relevant).',
      }),
    ),
    ...expandedProperties({
      speaker: { schema: ActorSchema, many: false },
      onBehalfOf: { schema: ActorSchema, many: false, nullable: true },
      event: { schema: EventSchema, many: false, nullable: true },
      sources: { schema: SourceSchema, many: true },
      topics: { schema: TopicSchema, many: true },
      addressees: { schema: ActorSchema, many: true },
    }),
    // By name: the schema refers to itself. The embedded statements carry no expansions of their own.
    respondsTo: Type.Optional(
      Type.Array(Type.Unsafe<Record<string, unknown>>(Type.Ref('Statement')), {
        description: 'With expand=respondsTo: the statements it answers (without their own expansions).',
      }),
    ),
  },
});

export const STATEMENT_EXPANSIONS = ['speaker', 'onBehalfOf', 'event', 'sources', 'topics', 'addressees', 'respondsTo'] as const;
export type Statement = Static<typeof StatementSchema>;
export type StatementFieldValues = Omit<
  Statement,
  'id' | 'createdAt' | 'updatedAt' | 'version' | 'snippet' | 'score' | 'verified' | (typeof STATEMENT_EXPANSIONS)[number]
>;

/** The statement filters, shared by the list, stats and exports. */
export const SearchText = Type.String({
  minLength: 1,
  maxLength: 500,
  description: `Full-text search over text, context and topic names and aliases. ${SEARCH_SYNTAX}`,
});

export const StatementFilters = {
  q: SearchText,
  speaker: IdFilter('Said by any of these actors.'),
  onBehalfOf: IdFilter('Said on behalf of any of these actors.'),
  topic: IdFilter('About any of these topics or their descendants; a topic may also be named by an alias as a slug (besham).'),
  addressee: IdFilter('Aimed at any of these actors.'),
  event: IdFilter('Said at any of these events.'),
  source: IdFilter('Reported by any of these sources.'),
  respondsTo: IdFilter('Answering any of these statements.'),
  kind: EnumFilter(STATEMENT_KINDS, 'Only these kinds.'),
  act: EnumFilter(ACTS, 'Having any of these acts.'),
  language: Type.String({
    pattern: '^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*(?:,[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)*$',
    description: 'In any of these languages (en,ur).',
  }),
  from: { ...IsoDate, description: 'Stated on or after this date.' },
  to: { ...IsoDate, description: 'Stated on or before this date.' },
};

export const STATEMENT_SORTS = ['statedOn', 'createdAt', 'updatedAt', 'id', 'relevance'] as const;
export const StatementListQuerySchema = listQuery(STATEMENT_SORTS, '-statedOn (relevance with q)', {
  ...StatementFilters,
  expand: expandParameter(STATEMENT_EXPANSIONS),
  format: FormatParameter,
});
// Search answers pages of hits; exports of matches go through GET /v1/statements?q=…&format=csv.
const { format: _format, ...searchable } = StatementListQuerySchema.properties;
export const SearchQuerySchema = Type.Object({ ...searchable, q: SearchText }, { additionalProperties: false });
