// News reports: direct quotes with their attributions, reported speech as paraphrases, pronouns and roles resolved to
// the person the report names, relative days resolved against the report's date.
import { SAY_PARTICIPLES, SAY_VERBS } from './extract.lexicon.js';
import { findDate, HONORIFIC, lines, type Paragraph, paragraphs, resolveRelativeDay, trimSpan } from './extract.text.js';
import type { Draft, ExtractWarning, GenreResult } from './extract.types.js';

export interface ReportOptions {
  statedOn?: string | undefined;
  spokesperson?: string | undefined;
  publishedOn?: string | undefined;
  title?: string | undefined;
}

interface Quote {
  /** The opening mark, and the closing one (or where the quote was cut off). */
  open: number;
  close: number;
  /** The quoted words, without the marks. */
  start: number;
  end: number;
  balanced: boolean;
}

interface Sentence {
  start: number;
  end: number;
  quotes: Quote[];
}

interface Person {
  name: string;
  role: string | null;
  spokes: boolean;
}

interface Speaker {
  name: string;
  kind: 'person' | 'organization';
  role: string | null;
}

const END_OR_QUOTE = /[.!?]/g;
const QUOTE_MARK = /[\u201C\u201D\u201E\u201F\u00AB\u00BB"]/g;
const OPENERS = new Set(['\u201C', '\u201E', '\u00AB']);
const CLOSERS = new Set(['\u201D', '\u00BB', '\u201F']);
// A capitalised word, with O’Brien's apostrophe but without a possessive 's.
const NAME_WORD = "[A-Z][\\p{L}\\-]*(?:['’][A-Z][\\p{L}\\-]+)?";
const NAME = `${NAME_WORD}(?:\\s+${NAME_WORD}){0,3}`;
/** Nouns that name a speaker's role; either case for the first letter, as titles capitalise them and prose does not. */
const ROLE_NOUN = [
  'spokes(?:person|woman|man|wom[a-z]*)',
  'minister',
  'secretary',
  'ambassador',
  'envoy',
  'officials?',
  'president',
  'premier',
  'chancellor',
  'chief',
  'advis[eo]r',
  'director',
  'diplomat',
  'representative',
  'deputy',
  'coordinator',
]
  .map((w) => `[${w[0]?.toUpperCase()}${w[0]}]${w.slice(1)}`)
  .join('|');
const CALENDAR_WORD =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)$/;
const ROLE_WORD = new RegExp(`^(?:${ROLE_NOUN}|[Oo]ffice|[Mm]inistry|[Ff]oreign|[Dd]epartment)[,:]?$`);
const SAY = new RegExp(`\\b(?:${SAY_VERBS})\\b`, 'g');
const PURE_SAY =
  /^(?:(?:was|is|were) quoted as saying|said|says|say|added|adds|told|tells|stated|states|noted|notes|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|explained|explains|continued|remarked|asserted|asserts|insisted|insists|responded|replied|replies|declared|declares|observed|maintained|maintains|pointed out|underlined|underscored|wrote|tweeted|announced|announces|affirmed|clarified|confirmed|mentioned|commented|recalled|acknowledged|argued|claimed|contended|concluded|elaborated|revealed|informed|briefed|assured|reported)$/;
const PARTICIPLE = new RegExp(`,\\s+(?:while\\s+|and\\s+)?(${SAY_PARTICIPLES})\\s+(?:that\\s+)?`, 'g');
const LEADING_PARTICIPLE = new RegExp(
  `^(?:${SAY_PARTICIPLES.split('|')
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('|')})\\s+`,
);
const PRONOUN = /^(?:he|she|they|him|her)$/i;
const ADVERBIAL_TAIL =
  /(?:\s+(?:also|further|again|once again|today|yesterday|later|earlier|then|has|have|had|was|were|is|had also|has also|on\s+\w+day|on\s+\w+|at the briefing|in a statement|in his remarks|in her remarks|separately|additionally|however|meanwhile|too|\w+ly))+$/i;
const ROLE_PERSON = new RegExp(
  `\\b(?:${ROLE_NOUN})\\b[,\\s]+((?:(?:Mr|Ms|Mrs|Dr|Shri|Ambassador)\\.?\\s+)?${NAME_WORD}(?:\\s+${NAME_WORD}){0,3})`,
  'gu',
);
const NAME_THEN_SAY = new RegExp(`\\b(${NAME})\\s+(?:(?:also|further|again|has|had|on\\s+\\w+day)\\s+)*(?:${SAY_VERBS})\\b`, 'gu');
const CONTEXT_INTRO =
  /^(?:Responding to|In response to(?: a question(?: on| about| regarding| that| in this regard)?)?|Commenting on|Turning to|Regarding|Referring to|Asked about|When asked about|About|As for|On)\s+(.{3,300}?),\s/;
const WHEN_ASKED = /\bwhen asked (?:to respond to|about|to comment on|whether|if)\s+(.{3,300}?)(?:,|$)/;
const POSSESSIVE_CLAIM =
  /(?:^|[\s,])(?:the\s+|The\s+)?((?:[\p{L}-]+\s+){0,5}[\p{L}-]+)['’]s\s+(?:advice|remarks?|statement|claims?|comments?|assertion|suggestion|view|words|warning|allegations?|call|accusation|contention)\s+that\b[^\u201C\u201D"]*$/u;
const ABBREVIATION =
  /(?:\b(?:Mr|Ms|Mrs|Dr|St|Jr|Sr|No|Gen|Lt|Col|Sgt|Capt|Prof|Gov|Sen|Rep|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|Inc|Ltd|Co)|\b[A-Z]|\b(?:[A-Z]\.)+[A-Z])$/;

/** Double quotation marks in order, paired: curly ones nest, straight ones toggle within a paragraph. */
function findQuotes(text: string, paras: Paragraph[], warnings: ExtractWarning[]): Quote[] {
  const quotes: Quote[] = [];
  let open = -1;
  let depth = 0;
  let straight = false;
  for (let k = 0; k < paras.length; k++) {
    const p = paras[k];
    if (!p) continue;
    QUOTE_MARK.lastIndex = p.start;
    for (let m = QUOTE_MARK.exec(text); m && m.index < p.end; m = QUOTE_MARK.exec(text)) {
      const i = m.index;
      const ch = m[0];
      if (OPENERS.has(ch)) {
        if (open < 0) {
          open = i;
          depth = 1;
          straight = false;
        } else if (!straight) depth++;
      } else if (CLOSERS.has(ch)) {
        if (open >= 0 && !straight) {
          depth--;
          if (depth === 0) {
            push(open, i, true);
            open = -1;
          }
        }
      } else if (ch === '"') {
        const before = text[i - 1];
        const opens = i === p.start || before === undefined || /[\s([{—–\-/]/.test(before);
        if (open < 0 && opens) {
          open = i;
          straight = true;
          depth = 1;
        } else if (open >= 0 && straight) {
          push(open, i, true);
          open = -1;
        }
      }
    }
    if (open >= 0) {
      // A quote that runs on into the next paragraph reopens there with a mark; otherwise it was never closed.
      const next = paras[k + 1];
      const reopens = next && (OPENERS.has(text[next.start] ?? '') || text[next.start] === '"');
      if (reopens && next) {
        // Skip the reopening mark so it is not read as a new quote.
        paras[k + 1] = { start: next.start + 1, end: next.end };
        continue;
      }
      warnings.push({
        code: 'UNBALANCED_QUOTE',
        message: 'A quotation mark opens here and is not closed before the paragraph ends.',
        at: open,
      });
      push(open, p.end, false);
      open = -1;
    }
  }
  return quotes;

  function push(o: number, c: number, balanced: boolean) {
    let [s, e] = trimSpan(text, o + 1, c);
    while (e > s && (text[e - 1] === ',' || text[e - 1] === ';')) e--;
    [s, e] = trimSpan(text, s, e);
    if (e > s) quotes.push({ open: o, close: c, start: s, end: e, balanced });
  }
}

/** Sentences of a paragraph, never breaking inside a quote. */
function sentences(text: string, p: Paragraph, inPara: Quote[]): Sentence[] {
  const out: Sentence[] = [];
  // The quotes of the paragraph, in order: each sentence takes those from `taken` on that open inside it.
  let taken = 0;
  let nextEnd = -1;
  let qi = 0;
  let start = p.start;
  for (let i = p.start; i < p.end; i++) {
    // Only quotes and sentence-ending marks matter: jump to the next of either.
    const q = inPara[qi];
    // The next mark is looked for again only once it is behind: one scan of the paragraph, however many quotes.
    if (nextEnd < i) {
      END_OR_QUOTE.lastIndex = i;
      const next = END_OR_QUOTE.exec(text);
      nextEnd = next && next.index < p.end ? next.index : p.end;
    }
    const at = Math.min(nextEnd, q ? q.open : p.end);
    if (at >= p.end) break;
    i = at;
    if (q && i === q.open) {
      // Jump over the quote; a sentence may end with it ("… media.” She …).
      i = q.close;
      qi++;
      const inner = text.slice(q.start, q.end).trimEnd();
      if (/[.!?]$/.test(inner) && boundaryAfter(i)) cut(i + 1);
      continue;
    }
    const ch = text[i];
    if ((ch === '.' || ch === '!' || ch === '?') && boundaryAfter(i)) {
      if (ch === '.' && ABBREVIATION.test(text.slice(Math.max(p.start, i - 12), i))) continue;
      cut(i + 1);
    }
  }
  cut(p.end);
  return out;

  function boundaryAfter(i: number): boolean {
    const rest = text.slice(i + 1, i + 4);
    return /^\s+["\u201C\u2018(\p{Lu}\d]/u.test(rest) || i + 1 >= p.end;
  }
  function cut(end: number) {
    const [s, e] = trimSpan(text, start, end);
    let upTo = taken;
    while (upTo < inPara.length && (inPara[upTo]?.open ?? Number.POSITIVE_INFINITY) < end) upTo++;
    if (e > s) out.push({ start: s, end: e, quotes: inPara.slice(taken, upTo).filter((q) => q.open >= s) });
    taken = upTo;
    start = end;
  }
}

export function extractReport(text: string, options: ReportOptions): GenreResult {
  const warnings: ExtractWarning[] = [];
  // Paragraphs end at a blank line; a report that is not hard-wrapped (some line is longer than a wrapped
  // line would be) also ends one at each line break, so a headline without a full stop is not read as the
  // start of the sentence below it.
  const blocks = paragraphs(text);
  const paras = /[^\n]{120}/.test(text) ? blocks.flatMap((p) => lines(text, p)) : blocks;
  const headerEnd = paras[Math.min(6, paras.length - 1)]?.end ?? 0;
  const header = text.slice(0, Math.min(headerEnd, 800));
  const reference = options.publishedOn ?? findDate(header)?.date;
  const title = options.title ?? firstLine(text, paras);

  const quotes = findQuotes(text, paras.slice(), warnings);
  const people = peopleIn(text, options.spokesperson);
  const drafts: Draft[] = [];

  // The briefing's day: given, or the first day the report names.
  let briefingDay: string | null = options.statedOn ?? null;
  if (!briefingDay) {
    const rel = resolveRelativeDay(text.slice(0, Math.min(text.length, 4000)), reference);
    if (rel?.date) briefingDay = rel.date;
    else if (rel)
      warnings.push({
        code: 'DATE_UNRESOLVED',
        message: `"${rel.word}" cannot be resolved without the report's date (pass source.publishedOn).`,
        at: rel.index,
      });
  }

  let last: Speaker | undefined;
  const fallback = (): Speaker | undefined => last ?? spokesPerson(people);

  const resolve = (phrase: string): Speaker | undefined => {
    let p = phrase
      .replace(/\s*\([^)]*\)\s*/g, ' ')
      .replace(ADVERBIAL_TAIL, '')
      .trim();
    p = p.replace(/^(?:and|but|while|as|so|then|also)\s+/i, '').trim();
    if (!p || p.split(/\s+/).length > 10) return undefined;
    if (PRONOUN.test(p)) return fallback();
    if (/^(?:it|we|i|you)$/i.test(p)) return undefined;
    // A named person, in full or by family name.
    const named = matchPerson(p, people);
    if (named) return { name: named.name, kind: 'person', role: named.role };
    const lower = p.toLowerCase();
    if (/spokes/.test(lower)) {
      const sp = last && people.find((x) => x.name === last?.name && x.spokes) ? last : spokesPerson(people);
      if (sp) return { ...sp, role: cleanRole(p) };
    }
    if (/^(?:the|a|an)\s/i.test(p) || /\b(?:office|ministry|government|department|embassy|mission|statement|officials?)\b/i.test(p)) {
      const bare = p.replace(/^(?:the|a|an)\s+/i, '').trim();
      if (/^(?:minister|official|envoy|ambassador|diplomat)$/i.test(bare) && last) return last;
      return {
        name: capitalise(bare),
        kind: /\b(?:minister|envoy|ambassador|diplomat|official)$/i.test(bare) ? 'person' : 'organization',
        role: null,
      };
    }
    if (/^\p{Lu}/u.test(p)) {
      const words = p.split(/\s+/).filter((w) => !HONORIFIC.test(w));
      const name = words.slice(-4).join(' ');
      if (!name) return undefined;
      return {
        name,
        kind: words.length >= 2 && !/(?:Office|Ministry|Government|Department|Council|Embassy)$/.test(name) ? 'person' : 'organization',
        role: null,
      };
    }
    return undefined;
  };

  const add = (
    kind: Draft['kind'],
    s: number,
    e: number,
    who: Speaker | undefined,
    context: [number, number] | null,
    date: string | null,
  ) => {
    [s, e] = trimSpan(text, s, e);
    while (e > s && /[,;:\s]/.test(text[e - 1] ?? '')) e--;
    if (e - s < 3) return;
    if (!who) {
      warnings.push({ code: 'UNATTRIBUTED_QUOTE', message: 'No speaker could be found for this quote.', at: s });
      return;
    }
    drafts.push({
      kind,
      start: s,
      end: e,
      speaker: who.name,
      speakerKind: who.kind,
      speakerRole: who.role,
      question: context,
      statedOn: date,
    });
  };

  let nextQuote = 0;
  for (const p of paras) {
    // Quotes are in text order: those of this paragraph follow those of the last.
    while (nextQuote < quotes.length && (quotes[nextQuote]?.open ?? 0) < p.start) nextQuote++;
    let upTo = nextQuote;
    while (upTo < quotes.length && (quotes[upTo]?.open ?? 0) < p.end) upTo++;
    const paraSentences = sentences(text, p, quotes.slice(nextQuote, upTo));
    nextQuote = upTo;
    // A headline repeats, in few words, what the story attributes in full.
    if (p === paras[0] && paras.length > 1 && isHeadline(text.slice(p.start, p.end))) continue;
    let paraSpeaker: Speaker | undefined;
    const unattributed: Sentence[] = [];
    for (const sentence of paraSentences) {
      const s = text.slice(sentence.start, sentence.end);
      const date = dateOf(s, reference) ?? briefingDay;
      const context = contextOf(text, sentence);
      if (sentence.quotes.length) {
        let previous: Speaker | undefined;
        let from = sentence.start;
        for (const q of sentence.quotes) {
          const words = text.slice(q.start, q.end).split(/\s+/).length;
          const after = text.slice(q.close + 1, Math.min(sentence.end, q.close + 160));
          const before = text.slice(from, q.open);
          const adjacent = attributionAfter(after, resolve) ?? attributionBefore(before, resolve);
          const claim = adjacent ? undefined : POSSESSIVE_CLAIM.exec(before.length > 400 ? before.slice(-400) : before);
          const titleLike =
            words <= 6 &&
            text
              .slice(q.start, q.end)
              .split(/\s+/)
              .every((w) => /^[\p{Lu}\d]/u.test(w));
          if (words < 2 || (titleLike && !adjacent)) {
            from = q.close + 1;
            continue;
          }
          let who = adjacent ?? (claim ? { name: capitalise(claim[1] ?? ''), kind: 'person' as const, role: null } : undefined);
          who ??= previous ?? subjectOf(text.slice(Math.max(sentence.start, q.open - 300), q.open), resolve) ?? paraSpeaker ?? fallback();
          add('quote', q.start, q.end, who, context, date);
          if (who && !claim) {
            previous = who;
            paraSpeaker = who;
            if (who.kind === 'person') last = who;
          }
          from = q.close + 1;
        }
        continue;
      }
      const found = paraphrasesIn(text, sentence, resolve, fallback);
      for (const f of found) {
        add('paraphrase', f.start, f.end, f.who, context, date);
        if (f.who) {
          paraSpeaker = f.who;
          if (f.who.kind === 'person' && f.subject) last = f.who;
        }
      }
      if (!found.length) unattributed.push(sentence);
    }
    // In a paragraph that quotes someone, the reporter's other sentences relay what that person said.
    if (paraSpeaker && paraSentences.some((x) => x.quotes.length)) {
      for (const sentence of unattributed) {
        const s = text.slice(sentence.start, sentence.end);
        if (s.split(/\s+/).length < 6) continue;
        add('paraphrase', sentence.start, sentence.end, paraSpeaker, contextOf(text, sentence), dateOf(s, reference) ?? briefingDay);
      }
    }
  }
  drafts.sort((a, b) => a.start - b.start);
  const spokesperson = options.spokesperson ?? spokesPerson(people)?.name ?? null;
  return { drafts, warnings, date: briefingDay, spokesperson, title, url: null };
}

function isHeadline(s: string): boolean {
  return !s.includes('\n') && s.split(/\s+/).length <= 15 && !/[.!?"”’]$/.test(s) && !/\b(?:said|says|told)[,:]?\s*["“]/.test(s);
}

function firstLine(text: string, paras: Paragraph[]): string | null {
  const p = paras[0];
  if (!p) return null;
  const line = text.slice(p.start, p.end).split('\n')[0]?.trim() ?? '';
  return line ? line.slice(0, 1000) : null;
}

function capitalise(s: string): string {
  return s ? s[0]?.toUpperCase() + s.slice(1) : s;
}

function cleanRole(phrase: string): string {
  return phrase.replace(/^(?:the|a|an)\s+/i, '').trim();
}

const SPEECH_CUE = new RegExp(`\\b(?:${SAY_VERBS}|briefing|press conference|statement|remarks)\\b`, 'g');

/**
 * The day a sentence says something was said: a date or a named day next to the verb of speech or the briefing
 * ("on Thursday reiterated", "said on Monday", "briefing on Thursday"); a date elsewhere in it is about something else.
 */
function dateOf(sentence: string, reference: string | undefined): string | undefined {
  const cues: number[] = [];
  SPEECH_CUE.lastIndex = 0;
  for (let m = SPEECH_CUE.exec(sentence); m; m = SPEECH_CUE.exec(sentence)) cues.push(m.index, m.index + m[0].length);
  if (!cues.length) return undefined;
  const near = (at: number, len: number) => cues.some((c) => Math.abs(c - at) <= 30 || Math.abs(c - (at + len)) <= 30);
  const full = findDate(sentence);
  if (full && near(full.index, 12)) return full.date;
  const rel = resolveRelativeDay(sentence, reference);
  if (rel?.date && near(rel.index, rel.word.length)) return rel.date;
  return undefined;
}

/** The question a sentence says the statement answers: "Responding to X, …", "… when asked about X". */
function contextOf(text: string, sentence: Sentence): [number, number] | null {
  const s = text.slice(sentence.start, sentence.end);
  const m = CONTEXT_INTRO.exec(s) ?? WHEN_ASKED.exec(s);
  if (!m || m[1] === undefined) return null;
  const at = sentence.start + (m.index ?? 0) + m[0].indexOf(m[1]);
  return [at, at + m[1].length];
}

/** People the report names with a role ("Foreign Office Spokesperson Mumtaz Zahra Baloch") or as speakers. */
function peopleIn(text: string, given: string | undefined): Person[] {
  const people: Person[] = [];
  const addPerson = (raw: string, role: string | null) => {
    let words = raw.split(/\s+/).filter((w) => !HONORIFIC.test(w) && !/^(?:On|In|At|During|Said|Told)$/.test(w));
    // "Office Spokesperson Sara Idris": the name is what follows the last word of the role.
    const lastRole = words.findLastIndex((w) => ROLE_WORD.test(w));
    if (lastRole >= 0) words = words.slice(lastRole + 1);
    if (!words.length) return;
    const name = words.join(' ');
    const existing = people.find((p) => p.name === name || p.name.endsWith(` ${name}`));
    if (existing) {
      if (role && !existing.role) existing.role = role;
      existing.spokes ||= /spokes/i.test(role ?? '');
      return;
    }
    // A fuller form replaces a family name met first.
    const shorter = people.find((p) => name.endsWith(` ${p.name}`));
    if (shorter) {
      shorter.name = name;
      shorter.role ??= role;
      shorter.spokes ||= /spokes/i.test(role ?? '');
      return;
    }
    people.push({ name, role, spokes: /spokes/i.test(role ?? '') });
  };
  if (given) addPerson(given, 'Spokesperson');
  ROLE_PERSON.lastIndex = 0;
  for (let m = ROLE_PERSON.exec(text); m; m = ROLE_PERSON.exec(text)) {
    const roleStart = Math.max(0, m.index - 60);
    const roleText = text.slice(roleStart, m.index + m[0].length - (m[1]?.length ?? 0)).split(/[.,;:\n]/);
    const role =
      (roleText[roleText.length - 2] !== undefined && roleText[roleText.length - 1]?.trim() === ''
        ? roleText[roleText.length - 2]
        : roleText[roleText.length - 1]
      )?.trim() ?? null;
    const name = trimName(m[1] ?? '');
    if (name) addPerson(name, role);
  }
  NAME_THEN_SAY.lastIndex = 0;
  for (let m = NAME_THEN_SAY.exec(text); m; m = NAME_THEN_SAY.exec(text)) {
    const name = trimName(m[1] ?? '');
    if (name && people.some((p) => p.name.endsWith(name.split(/\s+/).pop() ?? '\0'))) addPerson(name, null);
  }
  return people;
}

/** Drops words that follow a name but are not part of it ("Mao Ning On Monday" never, but "Baloch Also"). */
function trimName(raw: string): string {
  const words = raw.split(/\s+/);
  while (words.length && /^(?:On|In|At|During|Also|Has|Had|Said|Told|The|And|But|Of)$/.test(words[words.length - 1] ?? '')) words.pop();
  while (words.length && /^(?:The|A|An)$/.test(words[0] ?? '')) words.shift();
  return words.join(' ');
}

function matchPerson(phrase: string, people: Person[]): Person | undefined {
  const words = phrase.split(/[\s,]+/).filter((w) => /^\p{Lu}/u.test(w) && !HONORIFIC.test(w));
  if (!words.length) return undefined;
  const tail = words.slice(-3).join(' ');
  for (const p of people) if (tail.endsWith(p.name) || p.name === tail || p.name.endsWith(` ${tail}`)) return p;
  const lastWord = words[words.length - 1] ?? '';
  return people.find((p) => p.name.split(/\s+/).pop() === lastWord);
}

function spokesPerson(people: Person[]): Speaker | undefined {
  const p = people.find((x) => x.spokes) ?? (people.length === 1 ? people[0] : undefined);
  return p ? { name: p.name, kind: 'person', role: p.role } : undefined;
}

const AFTER_SUBJECT_VERB = new RegExp(
  `^[\\s,.;:]*(?:[\\u2014\\u2013-]\\s*)?(.{1,80}?)\\s+(?:(?:also|further|again|then|later|has|had)\\s+)*(?:${SAY_VERBS}|(?:was|is|were) quoted as saying)\\b`,
  'u',
);
const AFTER_ACCORDING = /^[\s,.;:]*according to (.{1,80}?)(?=[,.;]|$)/;
const AFTER_VERB_SUBJECT = new RegExp(
  `^[\\s,.;:]*(?:${SAY_VERBS})\\s+(.{1,80}?)(?=\\s+(?:at|in|on|during|when|while|after|before|to|as|of|from|who|,|\\.)\\b|[,.;]|$)`,
  'u',
);

/** `…,” she said` / `…,” said the spokeswoman` / `…,” Zakharova told a briefing`. */
function attributionAfter(after: string, resolve: (p: string) => Speaker | undefined): Speaker | undefined {
  const vs = AFTER_VERB_SUBJECT.exec(after);
  if (vs?.[1]) {
    const who = resolve(vs[1]);
    if (who) return who;
  }
  const acc = AFTER_ACCORDING.exec(after);
  if (acc?.[1]) {
    const who = resolve(acc[1]);
    if (who) return who;
  }
  const sv = AFTER_SUBJECT_VERB.exec(after);
  if (sv?.[1] && !/[\u201C"]/.test(sv[1])) return resolve(sv[1]);
  return undefined;
}

const BEFORE_ATTRIBUTION = new RegExp(
  `(?:^|[,;:]\\s*|\\s)([^,;:]{1,80}?)\\s+(?:(?:also|further|again|then|later|has|had|\\w+ly)\\s+)*(?:${SAY_VERBS})(?:\\s+that)?\\s*[,:]?\\s*$`,
  'u',
);
const ENDS_IN_ROLE = new RegExp(`(?:${ROLE_NOUN})$`, 'i');
const NEXT_PARTICIPLE = new RegExp(`,\\s+(?:while\\s+)?(?:${SAY_PARTICIPLES})\\b`);
const COORDINATED_SAY = new RegExp(`\\s+and\\s+(?:also\\s+)?(?=(?:${SAY_VERBS})\\b)`, 'g');
const NAME_RUN = new RegExp(NAME, 'gu');

/** `she said, “…` / `the spokeswoman responded, “…` / `X had termed the statement “…`. */
function attributionBefore(before: string, resolve: (p: string) => Speaker | undefined): Speaker | undefined {
  const m = BEFORE_ATTRIBUTION.exec(before.length > 300 ? before.slice(-300) : before);
  if (m?.[1]) return resolve(lastClause(m[1]));
  return undefined;
}

/** The subject of the clause that frames a quote: the phrase before its reporting verb. */
function subjectOf(before: string, resolve: (p: string) => Speaker | undefined): Speaker | undefined {
  SAY.lastIndex = 0;
  const m = SAY.exec(before);
  if (!m) return undefined;
  return resolve(lastClause(before.slice(0, m.index)));
}

function lastClause(s: string): string {
  const parts = s.split(/,\s+/);
  let clause = parts.pop()?.trim() ?? '';
  // "Chinese Foreign Ministry Spokesperson, Mao Ning": a role before the comma belongs to the name.
  if (/^\p{Lu}/u.test(clause) && parts.length) {
    const prev = parts[parts.length - 1]?.trim() ?? '';
    if (ENDS_IN_ROLE.test(prev) && prev.split(/\s+/).length <= 6) clause = `${prev}, ${clause}`;
  }
  // A dateline ("ISLAMABAD, May 3 (APP): …") is not part of the subject.
  return clause.replace(/^[^:]{1,60}:\s+/, '').replace(/^(?:and|but|while|as|so|then|also)\s+/i, '');
}

interface Found {
  start: number;
  end: number;
  who: Speaker | undefined;
  subject: boolean;
}

/** Reported speech in a sentence without quotes: "X said (that) …", "…, X said", "According to X, …", ", urging …". */
function paraphrasesIn(
  text: string,
  sentence: Sentence,
  resolve: (p: string) => Speaker | undefined,
  fallback: () => Speaker | undefined,
): Found[] {
  const out: Found[] = [];
  const s = text.slice(sentence.start, sentence.end);
  const base = sentence.start;
  let end = s.length;
  while (end > 0 && /[.!?\s]/.test(s[end - 1] ?? '')) end--;

  const according = /^(?:.*?,\s+)?[Aa]ccording to (?:the\s+)?([^,]{2,80}),\s+/.exec(s);
  if (according?.[1]) {
    const who = resolve(according[1].replace(/\b(?:statement|report)\b.*$/i, '').trim()) ?? fallback();
    out.push({ start: base + according[0].length, end: base + end, who, subject: true });
    return out;
  }

  let subject: Speaker | undefined;
  let subjectFound = false;
  SAY.lastIndex = 0;
  const verb = SAY.exec(s);
  if (verb) {
    const before = s.slice(0, verb.index);
    const clause = lastClause(before);
    const after = s.slice(verb.index + verb[0].length);
    const that =
      /^(?:\s+(?:again|also|once again|further|today|yesterday|on\s+\w+day|on\s+\w+|in\s+\w+|during [^,]{1,60}?|at [^,]{1,60}?))*\s+that\s+/.exec(
        after,
      );
    const rest = after.replace(/^\s+/, '');
    const placeOrTime =
      /^(?:during|in|at|on|while|after|before|when|here|there|today|yesterday|last|this|to (?:reporters|journalists|the media|a briefing)|a (?:briefing|press))\b/i.test(
        rest,
      ) || rest.split(/\s+/).length < 4;
    if (
      clause
        .replace(/\s*\([^)]*\)/g, '')
        .replace(ADVERBIAL_TAIL, '')
        .split(/\s+/).length <= 8
    ) {
      subject = resolve(clause);
      subjectFound = subject !== undefined;
    }
    if (!subject) {
      const names = before.match(NAME_RUN);
      const lastName = names?.filter((n) => !CALENDAR_WORD.test(n)).pop();
      if (lastName && before.trimEnd().endsWith('and') === false) subject = resolve(lastName);
    }
    const who = subject ?? fallback();
    const verbAt = base + verb.index;
    if (that) {
      out.push({ start: base + verb.index + verb[0].length + that[0].length, end: base + end, who, subject: subjectFound });
    } else if (!placeOrTime && PURE_SAY.test(verb[0])) {
      const told = /^(?:told|tells)\s+(?:reporters|journalists|the media|a briefing|the press)\s*/.exec(`${verb[0]}${after}`);
      out.push({
        start: verbAt + verb[0].length + (told ? told[0].length - verb[0].length : 0),
        end: base + end,
        who,
        subject: subjectFound,
      });
    } else if (!placeOrTime) {
      // "condemned X and reiterated Y": each act of speech on its own.
      const tail = s.slice(verb.index, end);
      const parts = splitCoordinated(tail);
      for (const [ps, pe] of parts) out.push({ start: verbAt + ps, end: verbAt + pe, who, subject: subjectFound });
    } else {
      const comma = before.lastIndexOf(',');
      const clauseStart = comma >= 0 ? comma : -1;
      if (clauseStart > 0) {
        const content = s.slice(0, clauseStart);
        // "…, Chinese Foreign Ministry Spokesperson, Mao Ning said": the role before the name is not what was said.
        const roleComma = content.lastIndexOf(',');
        const roleTail = roleComma >= 0 ? content.slice(roleComma + 1).trim() : '';
        const cut = roleTail && ENDS_IN_ROLE.test(roleTail) && roleTail.split(/\s+/).length <= 6 ? roleComma : clauseStart;
        const lead = /^[\p{Lu}\s]{2,30}:\s+|^[\p{L}\s]{2,20}[:\u2014\u2013-]\s+/u.exec(content);
        out.push({ start: base + (lead ? lead[0].length : 0), end: base + cut, who, subject: subjectFound });
      }
    }
  }

  // A sentence that opens with a participle of speech: "Terming terrorism a common enemy …, she said that …".
  const lead = LEADING_PARTICIPLE.exec(s);
  if (lead) {
    const comma = s.indexOf(',', lead[0].length);
    if (comma > 0) out.push({ start: base, end: base + comma, who: subject ?? fallback(), subject: false });
  }
  // Clauses of reported speech after a comma: ", urging …", ", noting that …".
  PARTICIPLE.lastIndex = 0;
  for (let m = PARTICIPLE.exec(s); m; m = PARTICIPLE.exec(s)) {
    const from = m.index + m[0].length;
    const next = s.slice(from).search(NEXT_PARTICIPLE);
    const to = next >= 0 ? from + next : end;
    if (to - from > 8 && !out.some((o) => o.start === base + from))
      out.push({ start: base + from, end: base + Math.min(to, end), who: subject ?? fallback(), subject: false });
  }
  return out;
}

function splitCoordinated(tail: string): [number, number][] {
  const re = COORDINATED_SAY;
  re.lastIndex = 0;
  const out: [number, number][] = [];
  let from = 0;
  for (let m = re.exec(tail); m; m = re.exec(tail)) {
    out.push([from, m.index]);
    from = m.index + m[0].length;
  }
  out.push([from, tail.length]);
  return out;
}
