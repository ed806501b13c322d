// Search, engine-neutral: the documented query syntax parsed (every term quoted, so no user text is read as
// syntax), snippets, BM25-style ranking maths and the estimate of a term's frequency. The engine runs the match.
import { AppError } from './errors.js';

export const SEARCH_SYNTAX =
  'Words are all required; "an exact phrase" in double quotes; prefix* matches words that start with prefix; ' +
  'OR between two terms accepts either; -word or -"a phrase" excludes. Case and diacritics are ignored.';

const MAX_QUERY_LENGTH = 500;
const MAX_TERMS = 32;
const SEARCHABLE = /[\p{L}\p{N}]/u;

interface Term {
  text: string;
  phrase: boolean;
  prefix: boolean;
  negated: boolean;
}

/** A parsed search: the FTS5 expression, and what to mark in snippets (the words of each wanted term). */
export interface Search {
  expression: string;
  patterns: Pattern[];
}

/**
 * One wanted term: its folded words in order (`prefix`: the last may be the start of a longer word), and
 * the term alone as an FTS5 expression.
 */
interface Pattern {
  words: string[];
  prefix: boolean;
  expression: string;
}

/** The FTS5 expression of a search (see parseSearch). */
export const toFtsQuery = (input: string): string => parseSearch(input).expression;

/**
 * Translates the documented query syntax into an FTS5 expression. Every term becomes a quoted FTS5 string,
 * so no user text is ever read as FTS5 syntax (NEAR, column filters, parentheses, stray quotes). A query
 * with nothing to search for is a 400 that says why.
 */
export function parseSearch(input: string): Search {
  const query = input.trim();
  const invalid = (why: string) =>
    new AppError('VALIDATION_FAILED', `The search query ${why}. ${SEARCH_SYNTAX}`, {
      errors: [{ in: 'query', path: '/q', message: why }],
    });
  if (query.length === 0) throw invalid('is empty');
  if (query.length > MAX_QUERY_LENGTH) throw invalid(`is longer than ${MAX_QUERY_LENGTH} characters`);

  // Tokens: -?"phrase" (an unclosed quote runs to the end), or -?word.
  const tokens = query.match(/-?"[^"]*(?:"|$)|[^\s"]+/g) ?? [];
  const items: (Term | 'OR')[] = [];
  for (const token of tokens) {
    if (token === 'OR') {
      items.push('OR');
      continue;
    }
    const negated = token.startsWith('-') && token.length > 1;
    let body = negated ? token.slice(1) : token;
    const phrase = body.startsWith('"');
    if (phrase) body = body.replace(/^"/, '').replace(/"$/, '');
    const prefix = !phrase && body.endsWith('*');
    if (prefix) body = body.replace(/\*+$/, '');
    if (!SEARCHABLE.test(body)) continue;
    items.push({ text: body, phrase, prefix, negated });
  }

  const positives: string[] = [];
  const negatives: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === 'OR' || item === undefined) continue;
    if (item.negated) {
      negatives.push(literal(item));
      continue;
    }
    // OR joins this term to the previous positive one when both sides are plain positive terms.
    const previous = items[i - 1];
    const beforeOr = items[i - 2];
    if (previous === 'OR' && beforeOr && beforeOr !== 'OR' && !beforeOr.negated && positives.length > 0) {
      positives[positives.length - 1] = `${positives[positives.length - 1]} OR ${literal(item)}`;
    } else {
      positives.push(literal(item));
    }
  }
  if (positives.length + negatives.length > MAX_TERMS) throw invalid(`has more than ${MAX_TERMS} terms`);
  if (positives.length === 0) {
    throw invalid(
      negatives.length > 0 ? 'only excludes words: add at least one word to look for' : 'has no letters or digits to search for',
    );
  }
  const required = positives.map((p) => (p.includes(' OR ') ? `(${p})` : p)).join(' AND ');
  return {
    expression: negatives.reduce((expression, n) => `(${expression}) NOT ${n}`, required),
    patterns: items.flatMap((item) =>
      item === 'OR' || item.negated
        ? []
        : [{ words: words(item.text).map((w) => w.folded), prefix: item.prefix, expression: literal(item) }],
    ),
  };
}

/** A term as a quoted FTS5 string: never read as FTS5 syntax. */
const literal = (term: Term) => `"${term.text.replaceAll('"', '""')}"${term.prefix ? '*' : ''}`;

/**
 * Words as the index's tokenizer (unicode61, remove_diacritics 2) sees them: runs of letters, digits and
 * marks, compared without case or diacritics.
 */
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const ASCII = /^[\t\n\r\x20-\x7e]*$/;
const fold = (word: string) => (ASCII.test(word) ? word.toLowerCase() : word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());

/** The folded words of a text, without their positions: what ranking needs. */
const foldedWords = (text: string): string[] => (text.match(WORD) ?? []).map(fold);

function words(text: string): { start: number; end: number; folded: string }[] {
  return [...text.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, folded: fold(m[0]) }));
}

/** A text's words as ranking counts them: folded, in order. */
export const wordsOf = (text: string): string[] => foldedWords(text);

/**
 * Whether any wanted term could occur in a text whose words (as wordsOf gives them) are all in `vocabulary`:
 * an occurrence starts with the term's first word, whole, or as the start of a word for a prefix of one word.
 * When none could, every count in such a text is 0 and the caller need not read it.
 */
export function mayOccur(search: Search, vocabulary: ReadonlySet<string>): boolean {
  return search.patterns.some(({ words: [first, ...rest], prefix }) => {
    if (first === undefined) return false;
    if (!prefix || rest.length > 0) return vocabulary.has(first);
    for (const word of vocabulary) if (word.startsWith(first)) return true;
    return false;
  });
}

const SNIPPET_WORDS = 48;
const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * A hit's snippet: the window of up to 48 words of its text with the most matched words, HTML-escaped,
 * each match (a phrase as a whole) in <mark>, and … where the text was cut. Built here rather than by
 * FTS5's snippet(), which would score the whole index again for each hit.
 */
export function snippet(text: string, search: Search): string {
  const folded = NON_ASCII.test(text) ? words(text) : undefined;
  const tokens = folded ?? asciiWords(text);
  // Spans of matched words [first, last], in text order, none overlapping: at each word, the first pattern
  // that matches there and overlaps no earlier span.
  const candidates: [number, number, number][] = [];
  const startsAt = folded ? undefined : new Map(tokens.map((t, i) => [t.start, i]));
  for (const [p, pattern] of search.patterns.entries()) {
    const last = pattern.words.length - 1;
    if (last < 0) continue;
    if (folded) {
      for (let i = 0; i < folded.length; i++) if (matchesAt(folded, i, pattern)) candidates.push([i, i + last, p]);
    } else if (startsAt) {
      const matcher = asciiMatcher(pattern);
      matcher.lastIndex = 0;
      for (let m = matcher.exec(text); m !== null; m = matcher.exec(text)) {
        const i = startsAt.get(m.index);
        if (i !== undefined) candidates.push([i, i + last, p]);
      }
    }
  }
  candidates.sort((x, y) => x[0] - y[0] || x[2] - y[2]);
  const spans: [number, number][] = [];
  for (const [a, b] of candidates) {
    const previous = spans.at(-1);
    if (!previous || a > previous[1]) spans.push([a, b]);
  }
  // The first window of SNIPPET_WORDS words holding the most whole spans (spans are sorted by both ends).
  let from = 0;
  if (tokens.length > SNIPPET_WORDS) {
    let best = -1;
    let first = 0;
    let beyond = 0;
    for (let start = 0; start <= tokens.length - SNIPPET_WORDS; start++) {
      while (first < spans.length && (spans[first] as [number, number])[0] < start) first++;
      while (beyond < spans.length && (spans[beyond] as [number, number])[1] < start + SNIPPET_WORDS) beyond++;
      const inside = Math.max(0, beyond - first);
      if (inside > best) [best, from] = [inside, start];
    }
  }
  const to = Math.min(tokens.length, from + SNIPPET_WORDS) - 1;
  const begin = from === 0 ? 0 : (tokens[from]?.start ?? 0);
  const end = to === tokens.length - 1 ? text.length : (tokens[to]?.end ?? text.length);
  let html = from === 0 ? '' : '…';
  let at = begin;
  for (const [a, b] of spans) {
    if (a < from || b > to) continue;
    const start = tokens[a]?.start as number;
    const stop = tokens[b]?.end as number;
    html += `${escapeHtml(text.slice(at, start))}<mark>${escapeHtml(text.slice(start, stop))}</mark>`;
    at = stop;
  }
  return `${html}${escapeHtml(text.slice(at, end))}${end < text.length ? '…' : ''}`;
}

/** The words of ASCII text with their offsets: runs of letters and digits. */
function asciiWords(text: string): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    const word = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (word && start < 0) start = i;
    else if (!word && start >= 0) {
      found.push({ start, end: i });
      start = -1;
    }
  }
  return found;
}

/** Whether the pattern's words start at word i. */
function matchesAt(tokens: { folded: string }[] | string[], i: number, { words: wanted, prefix }: Pattern): boolean {
  const last = wanted.length - 1;
  if (last < 0) return false;
  for (let k = 0; k <= last; k++) {
    const at = tokens[i + k];
    const token = typeof at === 'string' ? at : at?.folded;
    if (token === undefined || (k === last && prefix ? !token.startsWith(wanted[k] as string) : token !== wanted[k])) return false;
  }
  return true;
}

/** What ranking reads of a hit: its searchable columns, weighted as the index ranks them, and its length in tokens. */
export interface Hit {
  doc: number;
  text: string;
  context: string | null;
  topics: string | null;
  /** Tokens in all three columns, as FTS5 counted them (its docsize row). */
  tokens: number;
}

/** What BM25 needs of the whole index: the number of documents and their average length in tokens. */
export interface Corpus {
  documents: number;
  averageTokens: number;
}

const WEIGHTS = [10, 3, 2] as const;
const K1 = 1.2;
const B = 0.75;

/**
 * BM25 scores of hits (lower is more relevant), computed as FTS5's bm25() computes them with the same
 * weights, k1 and b, given each term's document frequency. FTS5 keeps no document frequencies: its bm25()
 * reads every match of every term on each search, which the caller avoids by estimating and remembering them.
 */
export function scoreHits(hits: Hit[], search: Search, frequency: (expression: string) => number, corpus: Corpus): Map<number, number> {
  const scores = new Map<number, number>();
  if (hits.length === 0) return scores;
  const { documents, averageTokens } = corpus;
  const idf = search.patterns.map((p) => {
    const n = Math.min(frequency(p.expression), documents);
    const value = Math.log((documents - n + 0.5) / (n + 0.5));
    return value > 0 ? value : 1e-6;
  });
  const counters = search.patterns.map(counter);
  for (const hit of hits) {
    const columns = [hit.text, hit.context ?? '', hit.topics ?? ''];
    // Whether each column is plain ASCII is asked once, not once per term.
    const ascii = columns.map((text) => !NON_ASCII.test(text));
    const norm = K1 * (1 - B + (B * hit.tokens) / (averageTokens || 1));
    let score = 0;
    for (let p = 0; p < counters.length; p++) {
      let weighted = 0;
      for (let c = 0; c < columns.length; c++) {
        weighted += (WEIGHTS[c] ?? 1) * (counters[p] as Counter)(columns[c] as string, ascii[c] as boolean);
      }
      score += ((idf[p] ?? 0) * weighted * (K1 + 1)) / (weighted + norm);
    }
    scores.set(hit.doc, -score);
  }
  return scores;
}

/** A term's matches are counted one by one, newest first, up to this many; past it the count is estimated. */
export const COUNTED_MATCHES = 1000;

/** The newest COUNTED_MATCHES matches of a term (or all, when fewer): how many, and the doc number of the oldest. */
export interface NewestMatches {
  counted: number;
  oldest: number | null;
}

/** The doc numbers of the first and the last statement recorded. */
export interface DocSpan {
  first: number;
  last: number;
}

/**
 * A term's document frequency from its newest matches: exact when it has fewer than COUNTED_MATCHES (the span
 * of doc numbers is then not read);
 * otherwise the share of the statements since its COUNTED_MATCHES-th newest match that it matches, applied to
 * every statement (doc numbers grow as statements are recorded, and deletions leave gaps evenly). A term ten
 * times commoner lately is weighed as if it always had been; BM25's weight of a common term moves little.
 */
export function estimatedFrequency({ counted, oldest }: NewestMatches, span: () => DocSpan): number {
  if (counted < COUNTED_MATCHES || oldest === null) return counted;
  // Read only when estimating: a term with fewer matches needs no span.
  const { first, last } = span();
  return Math.round((counted * (last - first + 1)) / (last - oldest + 1));
}

/** A pattern's occurrences in a column; `ascii`: whether the column is plain ASCII (the caller knows). */
type Counter = (text: string, ascii: boolean) => number;
const NON_ASCII = /[\u0080-\uffff]/;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const matchers = new WeakMap<Pattern, RegExp>();

/**
 * Where a pattern occurs in ASCII text (letters and digits make words there, anything else separates them):
 * a regular expression that consumes only the pattern's first word and looks ahead at the rest (a phrase's
 * words may be separated by anything), so overlapping occurrences are all found, as FTS5 counts them.
 * Made once per pattern.
 */
function asciiMatcher(pattern: Pattern): RegExp {
  let matcher = matchers.get(pattern);
  if (!matcher) {
    const [first = '', ...rest] = pattern.words.map(escapeRegExp);
    const last = pattern.prefix ? '' : '(?![A-Za-z0-9])';
    const tail = rest.map((w) => `[^A-Za-z0-9]+${w}`).join('');
    matcher = new RegExp(`(?<![A-Za-z0-9])${first}(?=${tail}${last})`, 'gi');
    matchers.set(pattern, matcher);
  }
  return matcher;
}

/**
 * Counts a pattern's occurrences in a column as the tokenizer sees them: in plain ASCII text, by far the
 * most common, with its regular expression; in other text, over its folded words.
 */
function counter(pattern: Pattern): Counter {
  const empty = pattern.words.length === 0;
  return (text, ascii) => {
    if (empty || text === '') return 0;
    if (!ascii) {
      const tokens = foldedWords(text);
      let n = 0;
      for (let i = 0; i < tokens.length; i++) if (matchesAt(tokens, i, pattern)) n++;
      return n;
    }
    const matcher = asciiMatcher(pattern);
    matcher.lastIndex = 0;
    let n = 0;
    while (matcher.test(text)) n++;
    return n;
  };
}

/**
 * Relevance ranks at most this many matches of a search: the most recently recorded ones that pass the
 * filters. Ranking every match of a common word would read and score a large share of the archive on
 * each request; the full-text index yields matches newest first and stops here. `count=true` still
 * counts every match, and any other sort walks every match. A hundred is five pages of the default size,
 * or one of the largest; a smaller window serves more new searches a second, and the p99 of new searches is
 * the target still missed (docs/performance.md, Search).
 */
export const RANKED_MATCHES = 100;
