// The HTTP contract of sources.
import { type Static, Type } from 'typebox';
import { EnumFilter, entitySchemas, IsoDate, Language, listQuery, Nullable, StringEnum, Text, Url } from '../../lib/schemas.js';
import { SOURCE_KINDS } from '../../lib/vocabularies.js';

/** The longest text a source keeps, in characters: ten times a long briefing. */
export const SOURCE_TEXT_MAX = 1_000_000;

export const SourceFields = {
  kind: StringEnum(SOURCE_KINDS, 'What sort of document this is.'),
  title: Text(1000),
  publisher: Nullable(Text(300)),
  author: Nullable(Text(300)),
  url: Nullable(Url),
  publishedOn: Nullable(IsoDate),
  language: Nullable(Language),
  text: Nullable(
    Text(
      SOURCE_TEXT_MAX,
      "The document's full text, as published: quote statements citing this source are checked against it (see a statement's `verified`).",
    ),
  ),
};

export const {
  record: SourceSchema,
  create: SourceCreateSchema,
  patch: SourcePatchSchema,
} = entitySchemas('Source', SourceFields, ['kind', 'title'], {
  description: 'A document that reports what was said: a transcript, a press release, a news report.',
});
export type Source = Static<typeof SourceSchema>;
export type SourceFieldValues = Omit<Source, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export const SourceListQuerySchema = listQuery(['id', 'publishedOn', 'title', 'createdAt', 'updatedAt'], 'id', {
  kind: EnumFilter(SOURCE_KINDS, 'Only sources of these kinds.'),
  publisher: Type.String({ minLength: 1, maxLength: 300, description: 'Only sources from this publisher (exact name).' }),
  from: { ...IsoDate, description: 'Published on or after this date.' },
  to: { ...IsoDate, description: 'Published on or before this date.' },
});
