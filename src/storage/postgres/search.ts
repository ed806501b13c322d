// Search on PostgreSQL: the query people type, as parseSearch (lib/search.ts) reads it, turned into a
// tsquery; matches from statements_search's GIN index; relevance over a bounded window of the newest matches
// (ts_rank_cd); snippets from ts_headline with <mark>. The documents are written by triggers
// (migrations/postgres/0001_search.sql).
import { type SQL, sql } from 'drizzle-orm';

/**
 * What this module reads of a parsed search: parseSearch's FTS5 expression. It is made only of quoted terms
 * (`"word"`, `"a phrase"`, `"prefix"*`, a quote inside doubled), AND, OR, NOT and parentheses, whatever the
 * user typed (lib/search.ts), so it can be read back safely. The syntax, the limits and the 400s for
 * empty or negative-only queries stay in parseSearch, shared by both engines.
 */
export interface ParsedSearch {
  expression: string;
}

/** The text search configuration of migrations/postgres/0001: `simple` behind `unaccent`. */
export const SEARCH_CONFIG = 'public.statements_words';

/**
 * The words of a term as the documents hold them (statements_words): NFC, runs of letters and digits, lower
 * case. The configuration then takes the accents off and makes them lexemes, as it does for documents.
 */
const WORD = /[\p{L}\p{N}]+/gu;
const termWords = (term: string): string[] => (term.normalize('NFC').toLowerCase().match(WORD) ?? []) as string[];

/**
 * A quoted term as tsquery text: its words in a row (`<->`), the last one a prefix (`:*`) for `"prefix"*`.
 * Words are letters and digits only, so each is a safe quoted operand. A term with no such word matches
 * nothing, as on SQLite.
 */
function phrase(term: string, prefix: boolean): string {
  const words = termWords(term);
  // Nothing is true of no document: `x & !x` (and `!(x & !x)` of every one, so `-"½"` excludes nothing).
  if (words.length === 0) return "('x' & !'x')";
  const operands = words.map((w, i) => `'${w}'${prefix && i === words.length - 1 ? ':*' : ''}`);
  return operands.length === 1 ? (operands[0] as string) : `(${operands.join(' <-> ')})`;
}

const TOKEN = /\s*(?:(\()|(\))|(AND|OR|NOT)(?=[\s(")]|$)|"((?:[^"]|"")*)"(\*)?)/y;

/**
 * parseSearch's FTS5 expression as tsquery text for to_tsquery(SEARCH_CONFIG, …): AND is `&`, OR is `|`,
 * `x NOT y` is `x & !y`, a quoted term a phrase of its words. FTS5 and tsquery both bind NOT tighter than
 * AND and AND tighter than OR, and parseSearch parenthesizes what it joins, so the tree is the same.
 */
export function toTsquery(search: ParsedSearch): string {
  const out: string[] = [];
  const source = search.expression;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new Error(`not an expression parseSearch makes, at ${at}: ${source}`);
    const [, open, close, operator, quoted, star] = m;
    if (open) out.push('(');
    else if (close) out.push(')');
    else if (operator === 'AND') out.push('&');
    else if (operator === 'OR') out.push('|');
    else if (operator === 'NOT') out.push('& !');
    else out.push(phrase((quoted ?? '').replaceAll('""', '"'), star === '*'));
  }
  return out.join(' ');
}

/** The tsquery of a search, as SQL (bound as a parameter: the text never becomes SQL). */
export const tsquery = (search: ParsedSearch): SQL => sql`to_tsquery(${SEARCH_CONFIG}::regconfig, ${toTsquery(search)})`;

/** The condition "this statement matches", for lists sorted by a field and for counts (`count=true`). */
export const matchesSearch = (search: ParsedSearch): SQL =>
  sql`"statements"."doc" IN (SELECT "doc" FROM "statements_search" WHERE "document" @@ ${tsquery(search)})`;

/** Relevance ranks at most this many matches: the newest ones that pass the filters (RANKED_MATCHES on SQLite). */
export const RANKED_MATCHES = 100;

/**
 * ts_rank_cd's weights for D, C, B, A: topics (C) 0.2, context (B) 0.3, text (A) 1, as FTS5's bm25(10, 3, 2).
 * Normalization 1 divides by 1 + the log of the document's length, as BM25 favours the shorter of two
 * documents that match alike.
 */
const WEIGHTS = '{0.1, 0.2, 0.3, 1.0}';

export interface RankedHit {
  doc: number;
  /** Lower is more relevant, as the SQLite engine's score: minus ts_rank_cd. */
  score: number;
  text: string;
  context: string | null;
  /** Its topics' names and aliases, as FTS5's third column holds them (for ranking in JavaScript instead). */
  topics: string | null;
  /** Its length in words, all three columns (as FTS5's docsize). */
  tokens: number;
}

/**
 * The ranking window: the newest `window` matches that pass `filters` (conditions on "statements"), each with
 * its score, most relevant first (then newest). The planner walks the doc-number index backwards and stops
 * at `window` matches when the terms are common, and reads the GIN index's few matches when they are rare:
 * either way a common word costs about what a rare one does. The rows also carry what the SQLite engine's
 * BM25 reads (text, context, topics, tokens), so the wiring can rank with scoreHits instead and answer the
 * same scores on both engines.
 */
export function rankingWindow(search: ParsedSearch, filters: SQL[] = [], window = RANKED_MATCHES): SQL {
  const where = filters.length > 0 ? sql` AND ${sql.join(filters, sql` AND `)}` : sql``;
  return sql`WITH "query" AS (SELECT ${tsquery(search)} AS "q"),
    "window" AS (
      SELECT "statements_search"."doc", "statements_search"."document"
        FROM "statements_search" JOIN "statements" ON "statements"."doc" = "statements_search"."doc"
       WHERE "statements_search"."document" @@ (SELECT "q" FROM "query")${where}
       ORDER BY "statements_search"."doc" DESC
       LIMIT ${window})
    SELECT "window"."doc",
           -ts_rank_cd(${WEIGHTS}::float4[], "window"."document", "query"."q", 1) AS "score",
           "statements"."text", "statements"."context",
           statements_topic_terms("statements"."id") AS "topics",
           (SELECT coalesce(sum(coalesce(array_length("positions", 1), 1)), 0)::int FROM unnest("window"."document")) AS "tokens"
      FROM "window" CROSS JOIN "query" JOIN "statements" ON "statements"."doc" = "window"."doc"
     ORDER BY "score", "window"."doc" DESC`;
}

/**
 * ts_headline's options: one excerpt of up to 48 words (SQLite's snippet window) around the matches,
 * matches in <mark>; no word is dropped from the excerpt's ends for being short.
 */
const HEADLINE = 'StartSel=<mark>, StopSel=</mark>, MaxWords=48, MinWords=24, ShortWord=0, HighlightAll=false, MaxFragments=0';

/** Text as HTML: ts_headline marks matches but escapes nothing, and the explorer shows snippets as HTML. */
const escapedText = sql`replace(replace(replace(replace("statements"."text", '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')`;

/**
 * The snippets of these statements (by doc number): their text, HTML-escaped, cut to the excerpt with the
 * matches, each in <mark>…</mark>. The escapes are entities, which the parser skips, so `&amp;` is never a
 * match. Run for a page's hits only: ts_headline parses the whole text of each.
 */
export function snippets(search: ParsedSearch, docs: number[]): SQL {
  return sql`SELECT "statements"."doc", ts_headline(${SEARCH_CONFIG}::regconfig, ${escapedText}, ${tsquery(search)}, ${HEADLINE}) AS "snippet"
    FROM "statements" WHERE "statements"."doc" = ANY(${sql.param(docs)}::int[])`;
}
