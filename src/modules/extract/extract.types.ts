// The shapes extraction passes between its steps: drafts of statements before they become bundle records.
import type { SOURCE_KINDS } from '../../lib/vocabularies.js';
import type { WARNING_CODES } from './extract.schema.js';

type SourceKind = (typeof SOURCE_KINDS)[number];

/** One statement found in the text, before ids, actors and topics are assigned. */
export interface Draft {
  kind: 'quote' | 'paraphrase';
  start: number;
  end: number;
  /** The speaker's name as the text gives it, resolved to the fullest form the text offers. */
  speaker: string;
  /** What sort of actor the speaker is. */
  speakerKind: 'person' | 'organization';
  /** The role as attributed ("Foreign Ministry Spokesperson"), when the text gives one. */
  speakerRole: string | null;
  /** The question or criticism it answers, as offsets into the text. */
  question: [number, number] | null;
  statedOn: string | null;
}

export type WarningCode = (typeof WARNING_CODES)[number];

export interface ExtractWarning {
  code: WarningCode;
  message: string;
  /** Where in the text it applies: a character offset, or null for the text as a whole. */
  at: number | null;
}

export interface GenreResult {
  drafts: Draft[];
  warnings: ExtractWarning[];
  /** The briefing's date as the text tells it, and who gave it. */
  date: string | null;
  spokesperson: string | null;
  title: string | null;
  url: string | null;
}

export interface ArchiveActor {
  id: string;
  name: string;
  kind: string;
  countryCode: string | null;
  parentId: string | null;
  aliases: string[];
  description: string | null;
}
export interface ArchiveTopic {
  id: string;
  name: string;
  parentId: string | null;
  aliases: string[];
  description: string | null;
}
export interface ArchiveSource {
  id: string;
  kind: SourceKind;
  title: string;
  publisher: string | null;
  author: string | null;
  url: string | null;
  publishedOn: string | null;
  language: string | null;
  text?: string | null;
}

/** What extraction may reuse: records already stored, matched by name, alias or URL. */
export interface Archive {
  actors: ArchiveActor[];
  topics: ArchiveTopic[];
  /** The source whose URL the input names, if one is stored. */
  sourceByUrl?: ((url: string) => ArchiveSource | undefined) | undefined;
}
