// Transcripts: turns by label (Q:/A:, an outlet's name vs the spokesperson's, US "Q" and "MR. KIRBY:", India's
// "Question:" and "Official Spokesperson, Shri …:"), unlabelled opening remarks, and the question each answer takes up.
import { findDate, HONORIFIC, hasYearlessDate, isNameWord, lines, type Paragraph, paragraphs, trimSpan } from './extract.text.js';
import type { Draft, ExtractWarning, GenreResult } from './extract.types.js';

export interface TranscriptOptions {
  statedOn?: string | undefined;
  spokesperson?: string | undefined;
  publishedOn?: string | undefined;
  title?: string | undefined;
}

type Side = 'question' | 'answer' | 'other';

interface Label {
  /** The label as written, without its colon. */
  name: string;
  /** Where the turn's own words start. */
  contentStart: number;
}

interface Turn {
  label: string;
  side: Side;
  start: number;
  end: number;
  /** The same speaker going on after a stage direction. */
  resumed: boolean;
}

const QA_LABEL =
  /^(?:[*_]{1,3})?(Q|A|QUESTION|ANSWER|Question|Answer|问|答)(?:\s*\d{1,3}|\s*\([^()\n]{0,120}\))?(?:\s*[:：](?:[*_]{1,3})?\s*|(?=[ \t\u00A0]{2,}|\t)\s*|\.?\s(?=["“\p{Lu}])|\s*$)/u;
const NAMED_LABEL = /^(?:[*_]{1,3})?([^:：\n]{1,90}?)\s*[:：](?:[*_]{1,3})?(?:[ \t\u00A0]+|$)/;
const QUESTION_WORDS =
  /^(?:q|question|问|follow[- ]?up|journalist|reporter|correspondent|audience|participant|questioner|speaker\s*\d+|journalist\s*\d+|(?:question|q)\s*\(.*\))$/i;
const ANSWER_WORDS = /^(?:a|answer|答)$/i;
const OTHER_WORDS =
  /^(?:moderator|operator|host|narrator|interpreter|translator|note|editor'?s note|translation|source|transcript|update|photo|caption|image|video|audio)$/i;
const OFFICIAL_WORDS =
  /\b(?:spokes(?:person|man|woman)|official|minister|secretary|ambassador|director|deputy|adviser|advisor|coordinator|press secretary|spokesperson)\b/i;
const SMALL_WORDS = new Set([
  'of',
  'the',
  'and',
  'for',
  'on',
  'de',
  'la',
  'le',
  'du',
  'des',
  'van',
  'von',
  'da',
  'al',
  'el',
  'bin',
  'to',
  'in',
  '&',
]);
const STAGE_DIRECTION = /^[([][^()[\]]{2,200}[)\]]\.?$/;
const INTERRUPTED = /^(?:[—–-]\s*\S+(?:\s+\S+){0,3}|\S+(?:\s+\S+){0,3}\s*[—–-])$/;
const CLUTTER_LINE =
  /^(?:\d{1,2}:\d{2}\s*(?:[AP]\.?M\.?)?\s*[A-Z]{0,4}|END|###|\*(?:\s*\*)+|[-—–_=]{3,}|share|print|email|top|back to top|suggest to a friend|advertisement|related (?:news|articles|stories)|tags?:.*|\[?(?:end|ends)\]?)$/i;
const SPOKESPERSON_AFTER_NAME =
  /\b(?:by\s+)?((?:[A-Z][\p{L}’'-]+\s+){1,3}[A-Z][\p{L}’'-]+),\s+(?:the\s+)?(?:(?:Deputy|Official|Chief|Principal|Associate)\s+)?(?:Spokes(?:person|man|woman)|Press Secretary)\b/u;
const SPOKESPERSON_IN_TITLE =
  /\bSpokes(?:person|man|woman)\s*,?\s+((?:[A-Z][\p{L}’'-]+\s+){0,3}[A-Z][\p{L}’'-]+?)(?:['’]s\b|\s+(?:at|on|for|during|held|'s)\b|[,(:]|$)/u;

/** Reads a label at the start of a line, or undefined when the line starts with ordinary words. */
function readLabel(text: string, line: Paragraph): Label | undefined {
  const head = text.slice(line.start, Math.min(line.end, line.start + 120));
  const qa = QA_LABEL.exec(head);
  if (qa) return { name: qa[1] ?? '', contentStart: line.start + qa[0].length };
  const m = NAMED_LABEL.exec(head);
  if (!m) return undefined;
  const name = (m[1] ?? '').trim();
  if (!looksLikeLabel(name)) return undefined;
  return { name, contentStart: line.start + m[0].length };
}

function looksLikeLabel(name: string): boolean {
  if (
    !name ||
    /^\d/.test(name) ||
    /[.?!;"“”]$/.test(name.replace(/\b(?:MR|MS|MRS|DR|Mr|Ms|Mrs|Dr|U\.S|St|Jr)\.$/, '').replace(/\.$/, name.length < 5 ? '' : '.'))
  )
    return false;
  if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(name)) return name.length <= 12;
  const words = name.split(/[\s,]+/).filter(Boolean);
  if (words.length === 0 || words.length > 9) return false;
  if (!/^[\p{Lu}\d]/u.test(words[0] ?? '')) return false;
  return words.every((w) => isNameWord(w) || SMALL_WORDS.has(w.toLowerCase()) || /^[\p{Lu}\d][\p{L}\d.&’'()-]*$/u.test(w));
}

/** "MR. KIRBY" → "Kirby"; "Official Spokesperson, Shri Randhir Jaiswal" → "Randhir Jaiswal"; a name as it is otherwise. */
function personInLabel(label: string): string | undefined {
  const afterComma = label.includes(',') ? (label.split(',').pop() ?? '') : label;
  const words = afterComma
    .trim()
    .split(/\s+/)
    .filter(
      (w) =>
        w &&
        !HONORIFIC.test(w) &&
        !OFFICIAL_WORDS.test(w) &&
        !/^(?:official|foreign|ministry|the|press|chief|senior|deputy|principal|nsc|spokesperson)$/i.test(w),
    );
  if (!words.length) return undefined;
  return words.map((w) => (w === w.toUpperCase() && w.length > 1 ? w[0] + w.slice(1).toLowerCase() : w)).join(' ');
}

/** The fullest form of a name that the header text gives: "Kirby" → "John Kirby" when the title names him so. */
function fullerName(name: string, header: string): string {
  const last = name.split(/\s+/).pop() ?? name;
  const re = new RegExp(`((?:[A-Z][\\p{L}’'-]+\\s+){1,2})${last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'u');
  const m = re.exec(header.replace(/[\u00A0_]/g, ' '));
  if (!m) return name;
  const before = (m[1] ?? '')
    .trim()
    .split(/\s+/)
    .filter(
      (w) =>
        !HONORIFIC.test(w) &&
        !OFFICIAL_WORDS.test(w) &&
        !/^(?:Communications|Advisor|Adviser|Coordinator|Strategic|Affairs|Security|Press|Council|Spokesperson|National|By|And|The|Of|Foreign|Ministry|White|House)$/.test(
          w,
        ),
    );
  const first = before.pop();
  return first && name.split(/\s+/).length === 1 ? `${first} ${name}` : name;
}

interface FrontMatter {
  body: number;
  date?: string;
  title?: string;
  url?: string;
}

/** A YAML header (`---` … `---`) as some archives store pages: its date, title and URL, and where the body starts. */
function frontMatter(text: string): FrontMatter {
  const head = /^\uFEFF?---\r?\n/.exec(text);
  if (!head) return { body: 0 };
  const close = text.indexOf('\n---', head[0].length);
  if (close < 0 || close > 5000) return { body: 0 };
  const yaml = text.slice(head[0].length, close);
  const date = /^date:\s*['"]?(\d{4}-\d{2}-\d{2})/m.exec(yaml)?.[1];
  const url = /^(?:source_url|url|link):\s*['"]?(\S+?)['"]?\s*$/m.exec(yaml)?.[1];
  const titleMatch = /^title:\s*([\s\S]*?)(?=\n[a-z_]+:|$)/m.exec(yaml);
  const title = titleMatch?.[1]
    ?.replace(/\\\r?\n\s*\\?/g, '')
    .replace(/\\_/g, ' ')
    .replace(/^["']|["']$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const out: FrontMatter = { body: close + 4 };
  if (date) out.date = date;
  if (url) out.url = url;
  if (title) out.title = title;
  return out;
}

/** Prose that a spokesperson reads out, as opposed to a heading, a place line, a time or a caption. */
function isProse(s: string): boolean {
  const words = s.split(/\s+/).length;
  return (
    words >= 6 &&
    /[.!?:"”’)\]]$/.test(s) &&
    !/^https?:\/\//.test(s) &&
    // The editor's note that opens some transcripts is not the spokesperson's.
    !/^(?:the following is|this is an? [\w\s-]{0,30}transcript|transcript of|note:|editor['’]s note)/i.test(s)
  );
}

export function extractTranscript(text: string, options: TranscriptOptions): GenreResult {
  const warnings: ExtractWarning[] = [];
  const fm = frontMatter(text);
  const allLines: Paragraph[] = [];
  for (const p of paragraphs(text, fm.body)) allLines.push(...lines(text, p));

  // The title: the front matter's, or the first line when it carries no label.
  let title = fm.title ?? options.title;
  let bodyFrom = 0;
  const first = allLines[0];
  if (first && !readLabel(text, first)) {
    const firstText = text.slice(first.start, first.end);
    // A title is not a sentence: it does not end as one.
    if (!/^https?:\/\//.test(firstText) && !/[.!?"”’]$/.test(firstText)) {
      title ??= firstText;
      bodyFrom = 1;
    } else if (/^https?:\/\//.test(firstText)) {
      fm.url ??= firstText;
      bodyFrom = 1;
    }
  }
  const headerEnd = allLines[Math.min(bodyFrom + 6, allLines.length - 1)]?.end ?? 0;
  const header = `${title ?? ''}\n${text.slice(fm.body, Math.min(headerEnd, fm.body + 3000))}`;

  // The date: given, from the front matter, or the first full date in the header.
  let date = options.statedOn ?? fm.date ?? findDate(header)?.date ?? null;
  if (!date && options.publishedOn) date = options.publishedOn;
  if (!date) {
    warnings.push({
      code: 'DATE_UNRESOLVED',
      message: hasYearlessDate(header)
        ? 'The title gives a day without a year: statedOn is left empty (pass statedOn or source.publishedOn).'
        : 'No date found in the title or header: statedOn is left empty.',
      at: null,
    });
  }

  // Labels and their sides.
  const labelled: { line: number; label: Label }[] = [];
  const counts = new Map<string, number>();
  for (let i = bodyFrom; i < allLines.length; i++) {
    const line = allLines[i];
    if (!line) continue;
    const label = readLabel(text, line);
    if (!label) continue;
    labelled.push({ line: i, label });
    counts.set(label.name, (counts.get(label.name) ?? 0) + 1);
  }
  // The spokesperson: given, named in the title or banner, or named anywhere with the role.
  const spokesperson =
    options.spokesperson ?? spokespersonFrom(header) ?? spokespersonFrom(text.slice(fm.body, Math.min(text.length, fm.body + 200_000)));
  const firstLabelAt = labelled[0] ? (allLines[labelled[0].line]?.start ?? text.length) : text.length;
  const sideOf = classifyLabels(counts, `${title ?? ''}\n${text.slice(fm.body, Math.min(firstLabelAt, fm.body + 3000))}`, spokesperson);

  // Turns: from a label to the next, trailing clutter left out.
  const turns: Turn[] = [];
  for (let k = 0; k < labelled.length; k++) {
    const here = labelled[k];
    if (!here) continue;
    const nextLine = labelled[k + 1]?.line ?? allLines.length;
    const side = sideOf.get(here.label.name) ?? 'other';
    // A stage direction on a line of its own ("(A reporter gestures …)") ends the stretch of the turn before it.
    let from = here.line;
    let contentStart = here.label.contentStart;
    for (let i = here.line; i <= nextLine; i++) {
      const line = allLines[i];
      const direction = i < nextLine && i > here.line && line !== undefined && STAGE_DIRECTION.test(text.slice(line.start, line.end));
      if (i < nextLine && !direction) continue;
      let lastLine = i - 1;
      while (lastLine > from && isClutter(text, allLines[lastLine])) lastLine--;
      const endLine = allLines[lastLine];
      if (endLine && lastLine >= from) {
        const [s, e] = trimSpan(text, contentStart, endLine.end);
        if (e > s) turns.push({ label: here.label.name, side, start: s, end: e, resumed: from !== here.line });
      }
      from = i + 1;
      contentStart = allLines[i + 1]?.start ?? text.length;
    }
  }

  const drafts: Draft[] = [];
  // Unnamed, the speaker is the role: better a reviewer fills in a name than the answers are lost.
  const defaultSpeaker = spokesperson ?? 'Spokesperson';
  const base = { kind: 'quote' as const, statedOn: date, speakerKind: 'person' as const };

  // Opening remarks: runs of prose before the first label.
  const firstLabelLine = labelled[0]?.line ?? allLines.length;
  let run: Paragraph | undefined;
  const flush = () => {
    if (!run) return;
    drafts.push({ ...base, start: run.start, end: run.end, speaker: defaultSpeaker, speakerRole: 'Spokesperson', question: null });
    run = undefined;
  };
  for (let i = bodyFrom; i < firstLabelLine; i++) {
    const line = allLines[i];
    if (!line) continue;
    const s = text.slice(line.start, line.end);
    if (isProse(s) || (run && !isClutter(text, line) && s.split(/\s+/).length >= 3)) {
      run = run ? { start: run.start, end: line.end } : { ...line };
    } else flush();
  }
  flush();

  let warnedNoName = false;
  const names = new Map<string, string>();
  let question: [number, number] | null = null;
  let previousAnswer: Turn | undefined;
  for (const turn of turns) {
    if (turn.side === 'question') {
      const short = turn.end - turn.start < 30 && text.slice(turn.start, turn.end).split(/\s+/).length <= 3;
      // A one-word reply to the official's own question ("Who? Iran?" — "Yes.") keeps the question being answered.
      const clarifies =
        short && previousAnswer !== undefined && text.slice(previousAnswer.start, previousAnswer.end).trimEnd().endsWith('?');
      if (!clarifies) question = [turn.start, turn.end];
      previousAnswer = undefined;
      continue;
    }
    if (turn.side !== 'answer' || turn.end <= turn.start) continue;
    // A few words cut off by the next speaker ("And so —", "— J.J.") are not a statement.
    if (INTERRUPTED.test(text.slice(turn.start, turn.end).trim())) continue;
    const fromLabel = ANSWER_WORDS.test(turn.label) ? undefined : personInLabel(turn.label);
    let name = defaultSpeaker;
    if (fromLabel) {
      name = names.get(fromLabel) ?? fullerName(fromLabel, header);
      names.set(fromLabel, name);
    }
    if (!fromLabel && !spokesperson && !warnedNoName) {
      warnedNoName = true;
      warnings.push({
        code: 'NO_SPEAKER',
        message: `No spokesperson is named for answers labelled "${turn.label}": they are attributed to "Spokesperson" (pass spokesperson).`,
        at: turn.start,
      });
    }
    drafts.push({ ...base, start: turn.start, end: turn.end, speaker: name, speakerRole: roleInLabel(turn.label), question });
    previousAnswer = turn;
    question = null;
  }
  if (labelled.length === 0 && drafts.length === 0) {
    warnings.push({ code: 'NOTHING_FOUND', message: 'No labelled turns and no opening remarks were found.', at: null });
  }
  return { drafts, warnings, date, spokesperson: spokesperson ?? null, title: title ?? null, url: fm.url ?? null };
}

function isClutter(text: string, line: Paragraph | undefined): boolean {
  return line !== undefined && CLUTTER_LINE.test(text.slice(line.start, line.end));
}

function roleInLabel(label: string): string | null {
  if (label.includes(',')) return label.split(',')[0]?.trim() || null;
  return OFFICIAL_WORDS.test(label) ? label : null;
}

/** The spokesperson the title or banner names ("Spokesperson Lu Kang's Regular Press Conference"). */
function spokespersonFrom(header: string): string | undefined {
  const h = header.replace(/[\u00A0_]/g, ' ');
  const m = SPOKESPERSON_IN_TITLE.exec(h) ?? SPOKESPERSON_AFTER_NAME.exec(h);
  const name = m?.[1]?.trim().replace(/^(?:Shri|Smt|Mr|Ms|Mrs|Dr|Ambassador)\.?\s+/, '');
  return name && !/^(?:Office|Ministry|Foreign|Deputy|The)\b/.test(name) ? name : undefined;
}

/**
 * Which labels ask and which answer. `Q`/`Question` ask and `A` answers; a label with an official's title or honorific
 * ("MR. KIRBY", "Official Spokesperson, Shri …") or the name the title gives answers; where questions carry outlets'
 * names instead of `Q`, the label that speaks most answers and the rest ask.
 */
function classifyLabels(counts: Map<string, number>, header: string, spokesperson: string | undefined): Map<string, Side> {
  const sides = new Map<string, Side>();
  const headerWords = new Set(
    header
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter((w) => w.length > 2),
  );
  let hasGenericQuestions = false;
  const open: string[] = [];
  for (const name of counts.keys()) {
    const bare = name.trim();
    if (QUESTION_WORDS.test(bare)) {
      sides.set(name, 'question');
      hasGenericQuestions = true;
    } else if (ANSWER_WORDS.test(bare)) sides.set(name, 'answer');
    else if (OTHER_WORDS.test(bare)) sides.set(name, 'other');
    else if (/^(?:MR|MS|MRS|DR|AMB|AMBASSADOR|SECRETARY|ADMIRAL|GENERAL|Mr|Ms|Mrs|Dr)\.?\s/.test(bare) || OFFICIAL_WORDS.test(bare))
      sides.set(name, 'answer');
    else if (namesHeaderPerson(bare, headerWords, spokesperson)) sides.set(name, 'answer');
    else open.push(name);
  }
  if (hasGenericQuestions || [...sides.values()].includes('answer')) {
    // Questions are `Q` and the officials are known: other labels name further officials when questions are
    // generic, or outlets when the answers are already named.
    for (const name of open) sides.set(name, hasGenericQuestions && ![...sides.values()].includes('answer') ? 'answer' : 'question');
    return sides;
  }
  // Outlets ask, one spokesperson answers: the label that speaks most.
  let top: string | undefined;
  for (const name of open) if (!top || (counts.get(name) ?? 0) > (counts.get(top) ?? 0)) top = name;
  for (const name of open) sides.set(name, name === top ? 'answer' : 'question');
  return sides;
}

function namesHeaderPerson(label: string, headerWords: Set<string>, spokesperson: string | undefined): boolean {
  const words = label
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length > 2);
  if (spokesperson) {
    const sp = spokesperson.toLowerCase();
    if (words.length && words.every((w) => sp.includes(w))) return true;
  }
  return words.length >= 2 && words.length <= 4 && words.every((w) => headerWords.has(w));
}

/** Whether a text reads as a transcript: a question and an answer label, or three labelled turns with a label speaking twice. */
export function detectTranscript(text: string): boolean {
  const fm = frontMatter(text);
  const counts = new Map<string, number>();
  let total = 0;
  let most = 0;
  let asks = 0;
  let answers = 0;
  for (const p of paragraphs(text, fm.body)) {
    for (const line of lines(text, p)) {
      const label = readLabel(text, line);
      if (!label) continue;
      total++;
      const n = (counts.get(label.name) ?? 0) + 1;
      counts.set(label.name, n);
      most = Math.max(most, n);
      if (QUESTION_WORDS.test(label.name)) asks++;
      else if (ANSWER_WORDS.test(label.name) || OFFICIAL_WORDS.test(label.name) || /^(?:MR|MS|MRS|DR)\.?\s/.test(label.name)) answers++;
      if ((asks >= 1 && answers >= 1) || (total >= 3 && most >= 2)) return true;
    }
  }
  return false;
}
