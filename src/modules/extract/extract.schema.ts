// The HTTP contract of extraction: a briefing's text in, a draft bundle with spans and warnings out.
import { type Static, Type } from 'typebox';
import { IsoDate, Nullable, StringEnum, Text, Url } from '../../lib/schemas.js';
import { SOURCE_KINDS } from '../../lib/vocabularies.js';

/** The longest text extraction takes, in characters: a briefing is tens of kilobytes; ten of the longest fit. */
export const EXTRACT_TEXT_MAX = 1_000_000;
/** The most lines a text may have: a long transcript has a few thousand. */
export const EXTRACT_LINES_MAX = 50_000;
/** Request bodies over this are refused with a 413 before they are read whole. */
export const EXTRACT_BODY_LIMIT = 4 * 1024 * 1024;

export const WARNING_CODES = [
  'UNATTRIBUTED_QUOTE',
  'UNBALANCED_QUOTE',
  'DATE_UNRESOLVED',
  'TRUNCATED_TEXT',
  'NO_SPEAKER',
  'NOTHING_FOUND',
  'TEXT_TOO_LONG',
] as const;

export const ExtractRequestSchema = Type.Object(
  {
    text: Type.String({
      minLength: 1,
      maxLength: EXTRACT_TEXT_MAX,
      description: `The briefing as plain text: an official Q&A transcript or a news report (up to ${EXTRACT_TEXT_MAX} characters and ${EXTRACT_LINES_MAX} lines).`,
    }),
    format: Type.Optional(
      StringEnum(
        ['auto', 'transcript', 'report'] as const,
        'What the text is; auto (the default) tells a transcript by its speaker labels.',
      ),
    ),
    source: Type.Optional(
      Type.Object(
        {
          title: Type.Optional(Text(1000, 'The title; by default the first line of the text.')),
          publisher: Type.Optional(Nullable(Text(300))),
          url: Type.Optional(Nullable({ ...Url, description: 'Where the text was published; a stored source with this URL is reused.' })),
          publishedOn: Type.Optional(
            Nullable({
              ...IsoDate,
              description: 'The publication date: relative days in a report ("on Thursday") are resolved against it.',
            }),
          ),
          kind: Type.Optional(StringEnum(SOURCE_KINDS, 'By default officialTranscript for a transcript, newsReport for a report.')),
        },
        { additionalProperties: false, description: 'What is known about the document the text comes from.' },
      ),
    ),
    statedOn: Type.Optional({ ...IsoDate, description: 'The day the statements were made, when the text does not say.' }),
    spokesperson: Type.Optional(Text(300, 'Who answers, when the text does not name them (for `A:` labels or "the spokesperson").')),
  },
  { $id: 'ExtractRequest', additionalProperties: false, description: 'A briefing text to turn into a draft import bundle.' },
);
export type ExtractRequest = Static<typeof ExtractRequestSchema>;

const Offsets = (what: string) =>
  Type.Object(
    {
      start: Type.Integer({
        minimum: 0,
        description: `Where ${what} starts: an offset into \`text\`, in UTF-16 code units (JavaScript string indices).`,
      }),
      end: Type.Integer({ minimum: 0, description: `Where ${what} ends (exclusive).` }),
    },
    { additionalProperties: false },
  );

export const ExtractSpanSchema = Type.Object(
  {
    statementId: Type.String({ description: 'The statement of the bundle this span belongs to.' }),
    start: Type.Integer({
      minimum: 0,
      description: "Where the statement's text starts in the input, in UTF-16 code units: text.slice(start, end) is the statement's text.",
    }),
    end: Type.Integer({ minimum: 0, description: 'Where it ends (exclusive).' }),
    question: Nullable(Offsets('the question it answers (its context)')),
  },
  { $id: 'ExtractSpan', additionalProperties: false, description: 'Where a statement (and the question it answers) stands in the input.' },
);

export const ExtractWarningSchema = Type.Object(
  {
    code: StringEnum(WARNING_CODES, 'What could not be decided.'),
    message: Type.String(),
    at: Nullable(Type.Integer({ minimum: 0, description: 'The offset in the input it applies to; null for the text as a whole.' })),
  },
  { $id: 'ExtractWarning', additionalProperties: false, description: 'Something extraction could not decide, for the reviewer.' },
);

export const ExtractResultSchema = Type.Object(
  {
    format: StringEnum(['transcript', 'report'] as const, 'How the text was read.'),
    bundle: Type.Ref('Bundle'),
    spans: Type.Array(Type.Ref('ExtractSpan'), { description: 'One per statement, in the order of the bundle.' }),
    warnings: Type.Array(Type.Ref('ExtractWarning')),
  },
  {
    $id: 'ExtractResult',
    description:
      'A draft bundle, as POST /v1/imports takes it, with where each statement stands in the input and what could not be decided. Stored actors, topics and the source are reused (whole, so importing them changes nothing); new ones are proposed with ids.',
  },
);
