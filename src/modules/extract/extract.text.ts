// Text helpers for extraction: paragraphs with their offsets, dates, names and slugs. Pure functions.

/** A run of non-blank lines, as offsets into the input (trimmed of surrounding whitespace). */
export interface Paragraph {
  start: number;
  end: number;
}

/** Whitespace as briefings carry it: ASCII, no-break and narrow spaces, the byte-order mark. */
export function isSpace(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x2007 ||
    c === 0x202f ||
    c === 0xfeff ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x3000
  );
}

/** Offsets of [start, end) with whitespace removed at both ends. */
export function trimSpan(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && isSpace(text[s])) s++;
  while (e > s && isSpace(text[e - 1])) e--;
  return [s, e];
}

/** Splits [from, to) of the text into paragraphs at blank lines (lines of nothing but whitespace). */
export function paragraphs(text: string, from = 0, to = text.length): Paragraph[] {
  const out: Paragraph[] = [];
  let paraStart = -1;
  let lineStart = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text[i] !== '\n') continue;
    let blank = true;
    for (let j = lineStart; j < i; j++) {
      if (!isSpace(text[j])) {
        blank = false;
        break;
      }
    }
    if (blank) {
      if (paraStart >= 0) push(paraStart, lineStart);
      paraStart = -1;
    } else if (paraStart < 0) paraStart = lineStart;
    lineStart = i + 1;
  }
  if (paraStart >= 0) push(paraStart, to);
  return out;

  function push(s: number, e: number) {
    const [ts, te] = trimSpan(text, s, e);
    if (te > ts) out.push({ start: ts, end: te });
  }
}

/** Splits a paragraph into its lines (a single-line paragraph is one). */
export function lines(text: string, p: Paragraph): Paragraph[] {
  const out: Paragraph[] = [];
  let s = p.start;
  for (let i = p.start; i <= p.end; i++) {
    if (i === p.end || text[i] === '\n') {
      const [ts, te] = trimSpan(text, s, i);
      if (te > ts) out.push({ start: ts, end: te });
      s = i + 1;
    }
  }
  return out;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/;
const MONTH_DAY_YEAR = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i');
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})\\b`, 'i');
const MONTH_DAY = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?!,?\\s*\\d{4})`, 'i');

function iso(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200) return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return undefined;
  return date.toISOString().slice(0, 10);
}

function monthOf(name: string): number {
  return MONTHS[name.toLowerCase().slice(0, name.toLowerCase().startsWith('sept') ? 4 : 3)] ?? 0;
}

/** The first full date (with a year) in a piece of text, as ISO 8601, and where it starts. */
export function findDate(s: string): { date: string; index: number } | undefined {
  const found: { date: string; index: number }[] = [];
  const a = ISO_DATE.exec(s);
  if (a) {
    const d = iso(Number(a[1]), Number(a[2]), Number(a[3]));
    if (d) found.push({ date: d, index: a.index });
  }
  const b = MONTH_DAY_YEAR.exec(s);
  if (b) {
    const d = iso(Number(b[3]), monthOf(b[1] ?? ''), Number(b[2]));
    if (d) found.push({ date: d, index: b.index });
  }
  const c = DAY_MONTH_YEAR.exec(s);
  if (c) {
    const d = iso(Number(c[3]), monthOf(c[2] ?? ''), Number(c[1]));
    if (d) found.push({ date: d, index: c.index });
  }
  found.sort((x, y) => x.index - y.index);
  return found[0];
}

/** A month and day without a year ("on September 10"): the year cannot be told from it. */
export function hasYearlessDate(s: string): boolean {
  return MONTH_DAY.test(s) && !findDate(s);
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const RELATIVE_DAY = /\b(?:on|last|this|since|by)?\s*(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|today|yesterday)\b/i;

/**
 * A day named relative to the report's date ("on Thursday", "yesterday"), resolved to ISO 8601: news reports speak of
 * the latest such day on or before their own date.
 */
export function resolveRelativeDay(s: string, reference: string | undefined): { date?: string; word: string; index: number } | undefined {
  const m = RELATIVE_DAY.exec(s);
  if (!m) return undefined;
  const word = (m[1] ?? '').toLowerCase();
  const index = m.index + m[0].length - word.length;
  if (!reference) return { word, index };
  const ref = new Date(`${reference}T00:00:00Z`);
  if (Number.isNaN(ref.getTime())) return { word, index };
  let back = 0;
  if (word === 'yesterday') back = 1;
  else if (word !== 'today') back = (ref.getUTCDay() - WEEKDAYS.indexOf(word) + 7) % 7;
  ref.setUTCDate(ref.getUTCDate() - back);
  return { date: ref.toISOString().slice(0, 10), word, index };
}

/** A URL-safe id made from a name: lower case ASCII words joined by hyphens. */
export function slug(s: string, max = 80): string {
  const out = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return out || 'x';
}

/** Honorifics and role words that precede or stand in for a name in labels and bylines. */
export const HONORIFIC =
  /^(?:mr|ms|mrs|miss|dr|prof|amb|ambassador|admiral|adm|gen|general|col|secretary|minister|shri|smt|sri|sir|madam|dame|lord|h\.?e)\.?$/i;

/** Capitalised as a name is: "Zhao", "McDonald", "al-Sisi", "O’Brien", an initial "J."; or written in capitals. */
export function isNameWord(w: string): boolean {
  return /^(?:[A-Z][\p{L}’'`-]*\.?|[a-z]{1,3}-[A-Z][\p{L}-]+|(?:al|el|bin|van|von|de|da|du|ul)|[A-Z]\.)$/u.test(w);
}
