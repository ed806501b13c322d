// Extraction: a briefing's text in, a draft import bundle with the span of every statement and warnings out.
// Pure: the archive it reuses records from is passed in, nothing is read or written here.
import type { SOURCE_KINDS } from '../../lib/vocabularies.js';
import type { Bundle } from '../imports/imports.schema.js';
import { actsOf } from './extract.lexicon.js';
import { extractReport } from './extract.report.js';
import { slug, trimSpan } from './extract.text.js';
import { detectTranscript, extractTranscript } from './extract.transcript.js';
import type { Archive, ArchiveActor, ArchiveSource, ArchiveTopic, Draft, ExtractWarning, GenreResult } from './extract.types.js';

export type { Archive, ArchiveActor, ArchiveSource, ArchiveTopic } from './extract.types.js';

export type ExtractFormat = 'auto' | 'transcript' | 'report';
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface ExtractInput {
  text: string;
  format?: ExtractFormat | undefined;
  source?:
    | {
        title?: string | undefined;
        publisher?: string | null | undefined;
        url?: string | null | undefined;
        publishedOn?: string | null | undefined;
        kind?: SourceKind | undefined;
      }
    | undefined;
  statedOn?: string | undefined;
  spokesperson?: string | undefined;
}

/** A drafted statement: every field of an import bundle's statement, none left out. */
export type BundleStatement = Required<NonNullable<Bundle['statements']>[number]>;

export interface ExtractBundle {
  sources: ArchiveSource[];
  events: {
    id: string;
    kind: 'pressBriefing';
    title: string;
    startDate: string | null;
    endDate: null;
    location: null;
    hostId: null;
    participantIds: string[];
  }[];
  actors: ArchiveActor[];
  topics: ArchiveTopic[];
  statements: BundleStatement[];
}

export interface ExtractSpan {
  statementId: string;
  start: number;
  end: number;
  question: { start: number; end: number } | null;
}

export interface ExtractResult {
  format: 'transcript' | 'report';
  bundle: ExtractBundle;
  spans: ExtractSpan[];
  warnings: ExtractWarning[];
}

/** The longest statement text and context the statements schema takes. */
const TEXT_MAX = 20000;
const CONTEXT_MAX = 5000;

export function extract(input: ExtractInput, archive: Archive = { actors: [], topics: [] }): ExtractResult {
  const text = input.text;
  const format = input.format && input.format !== 'auto' ? input.format : detectTranscript(text) ? 'transcript' : 'report';
  const options = {
    statedOn: input.statedOn,
    spokesperson: input.spokesperson,
    publishedOn: input.source?.publishedOn ?? undefined,
    title: input.source?.title,
  };
  const genre: GenreResult = format === 'transcript' ? extractTranscript(text, options) : extractReport(text, options);
  const warnings = capWarnings(genre.warnings);

  // The source: the stored one with this URL, or a new record.
  const url = input.source?.url ?? genre.url ?? null;
  const stored = url ? archive.sourceByUrl?.(url) : undefined;
  const publishedOn = input.source?.publishedOn ?? (format === 'transcript' ? genre.date : null) ?? null;
  const title = (input.source?.title ?? genre.title ?? 'Untitled briefing').slice(0, 1000);
  // A stored source without its text gains it, so its quotes can be checked.
  const source: ArchiveSource = stored
    ? { ...stored, text: stored.text ?? (text.trim() || null) }
    : {
        id: slug([publishedOn ?? genre.date ?? '', title].filter(Boolean).join(' '), 60),
        kind: input.source?.kind ?? (format === 'transcript' ? 'officialTranscript' : 'newsReport'),
        title,
        publisher: input.source?.publisher ?? null,
        author: null,
        url: url && /^https?:\/\/\S+$/.test(url) ? url : null,
        publishedOn: publishedOn ?? null,
        language: 'en',
        // The source keeps the text, so each quote can be checked against it once imported.
        text: text.trim() || null,
      };

  const event = {
    id: `${source.id}-briefing`.slice(0, 100).replace(/-+$/, ''),
    kind: 'pressBriefing' as const,
    title: `Press briefing${genre.spokesperson ? ` by ${genre.spokesperson}` : ''}${genre.date ? ` on ${genre.date}` : ''}`,
    startDate: genre.date,
    endDate: null,
    location: null,
    hostId: null,
    participantIds: [] as string[],
  };

  const actors = new ActorIndex(archive.actors);
  const topics = TopicMatcher.for(archive.topics);
  const statements: BundleStatement[] = [];
  const spans: ExtractSpan[] = [];
  const pad = String(genre.drafts.length).length;
  let n = 0;
  for (const d of genre.drafts) {
    if (!d.speaker) continue;
    let [start, end] = trimSpan(text, d.start, d.end);
    if (end <= start) continue;
    if (end - start > TEXT_MAX) {
      [start, end] = trimSpan(text, start, start + TEXT_MAX);
      warnings.push({
        code: 'TEXT_TOO_LONG',
        message: `A statement longer than ${TEXT_MAX} characters was cut to that length.`,
        at: d.start,
      });
    }
    const words = text.slice(start, end);
    n++;
    const id = `${source.id.slice(0, 90 - pad)}-${String(n).padStart(pad, '0')}`.replace(/-+/g, '-');
    const speakerId = actors.idFor(d);
    let question = d.question ? trimSpan(text, d.question[0], d.question[1]) : null;
    if (question && question[1] - question[0] > CONTEXT_MAX) question = trimSpan(text, question[1] - CONTEXT_MAX, question[1]);
    if (question && question[1] <= question[0]) question = null;
    const context = question ? text.slice(question[0], question[1]) : null;
    statements.push({
      id,
      text: words,
      kind: d.kind,
      speakerId,
      onBehalfOfId: null,
      speakerRole: d.speakerRole?.trim().slice(0, 300) || null,
      statedOn: d.statedOn,
      eventId: event.id,
      sourceIds: [source.id],
      topicIds: topics.match(words),
      addresseeIds: [],
      respondsToIds: [],
      context,
      acts: actsOf(words),
      language: languageOf(words),
    });
    spans.push({ statementId: id, start, end, question: question ? { start: question[0], end: question[1] } : null });
  }
  if (statements.length === 0) warnings.push({ code: 'NOTHING_FOUND', message: 'No statements were found in the text.', at: null });
  if (looksCutOff(text))
    warnings.push({ code: 'TRUNCATED_TEXT', message: 'The text ends mid-sentence: it may have been cut off.', at: text.length });

  const used = new Set(statements.map((s) => s.speakerId));
  const usedTopics = new Set(statements.flatMap((s) => s.topicIds));
  return {
    format,
    bundle: {
      sources: [source],
      events: [event],
      actors: actors.records().filter((a) => used.has(a.id)),
      topics: archive.topics.filter((t) => usedTopics.has(t.id)),
      statements,
    },
    spans,
    warnings,
  };
}

/** The warnings a reviewer can read: the first few of each kind, then how many more there were. */
const WARNINGS_PER_CODE = 50;
function capWarnings(all: ExtractWarning[]): ExtractWarning[] {
  const seen = new Map<string, number>();
  const out: ExtractWarning[] = [];
  for (const w of all) {
    const n = (seen.get(w.code) ?? 0) + 1;
    seen.set(w.code, n);
    if (n <= WARNINGS_PER_CODE) out.push(w);
  }
  for (const [code, n] of seen) {
    if (n > WARNINGS_PER_CODE)
      out.push({
        code: code as ExtractWarning['code'],
        message: `${n - WARNINGS_PER_CODE} more warnings of this kind were left out.`,
        at: null,
      });
  }
  return out;
}

function languageOf(s: string): string | null {
  const cjk = s.match(/[\p{Script=Han}]/gu)?.length ?? 0;
  if (cjk > s.length / 4) return 'zh';
  return /[a-z]/i.test(s) ? 'en' : null;
}

function looksCutOff(text: string): boolean {
  const tail = text.trimEnd();
  if (tail.length < 200) return false;
  const lastLine = tail.slice(tail.lastIndexOf('\n') + 1);
  return lastLine.split(/\s+/).length > 12 && /[\p{Ll},]$/u.test(lastLine);
}

/** Actors by lower-cased name and alias: the archive's first, then the ones extraction proposes. */
class ActorIndex {
  private byName = new Map<string, ArchiveActor>();
  private ids = new Set<string>();
  private proposed: ArchiveActor[] = [];
  private reused = new Map<string, ArchiveActor>();

  constructor(archive: ArchiveActor[]) {
    for (const a of archive) {
      this.ids.add(a.id);
      for (const n of [a.name, ...a.aliases]) {
        const key = n.toLowerCase();
        if (!this.byName.has(key)) this.byName.set(key, a);
      }
    }
  }

  idFor(d: Draft): string {
    const key = d.speaker.toLowerCase();
    const known = this.byName.get(key) ?? this.byName.get(key.replace(/^(?:the\s+)/, ''));
    if (known) {
      if (!this.proposed.includes(known)) this.reused.set(known.id, known);
      return known.id;
    }
    let id = slug(d.speaker);
    for (let i = 2; this.ids.has(id); i++) id = `${slug(d.speaker)}-${i}`;
    const actor: ArchiveActor = {
      id,
      name: d.speaker.slice(0, 300),
      kind: d.speakerKind === 'person' ? 'person' : 'governmentBody',
      countryCode: null,
      parentId: null,
      aliases: [],
      description: d.speakerRole ? `${d.speakerRole}`.slice(0, 5000) : null,
    };
    this.ids.add(id);
    this.byName.set(key, actor);
    this.proposed.push(actor);
    return id;
  }

  records(): ArchiveActor[] {
    return [...this.reused.values(), ...this.proposed];
  }
}

/** Topics by name and alias, found in a statement's words as whole words; one pass over the text per statement. */
class TopicMatcher {
  /** One matcher per list of topics: an archive kept while the data is unchanged compiles its pattern once. */
  private static built = new WeakMap<ArchiveTopic[], TopicMatcher>();
  static for(topics: ArchiveTopic[]): TopicMatcher {
    let matcher = TopicMatcher.built.get(topics);
    if (!matcher) {
      matcher = new TopicMatcher(topics);
      TopicMatcher.built.set(topics, matcher);
    }
    return matcher;
  }

  private re: RegExp | undefined;
  private byTerm = new Map<string, string>();

  private constructor(topics: ArchiveTopic[]) {
    const terms: string[] = [];
    for (const t of topics) {
      for (const n of [t.name, ...t.aliases]) {
        const term = n.trim().toLowerCase();
        if (term.length < 2 || this.byTerm.has(term)) continue;
        this.byTerm.set(term, t.id);
        terms.push(term);
      }
    }
    if (terms.length) {
      terms.sort((a, b) => b.length - a.length);
      const alt = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[-–—]/g, '[-–—]')).join('|');
      this.re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alt})(?![\\p{L}\\p{N}])`, 'giu');
    }
  }

  match(s: string): string[] {
    if (!this.re) return [];
    const found = new Set<string>();
    const lower = s.toLowerCase();
    this.re.lastIndex = 0;
    for (let m = this.re.exec(lower); m; m = this.re.exec(lower)) {
      const id = this.byTerm.get(m[0]);
      if (id) found.add(id);
      else for (const [term, tid] of this.byTerm) if (term.replace(/[-–—]/g, '-') === m[0].replace(/[-–—]/g, '-')) found.add(tid);
      if (found.size >= 20) break;
    }
    return [...found].slice(0, 50);
  }
}
