// The full-text index of statements (SQLite FTS5) and the safe translation of people's queries into it.
import { eq, inArray, sql } from 'drizzle-orm';
import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { topics } from '../topics/topics.table.js';
import { statements, statementTopics } from './statements.table.js';

/** The FTS5 table, made by migrations/0001 (drizzle-kit does not model virtual tables, so it is not in schema.ts). */
export const statementsFts = sqliteTable('statements_fts', {
  rowid: integer('rowid').notNull(),
  text: text('text'),
  context: text('context'),
  topics: text('topics'),
  rank: real('rank'),
});

/** Rewrites the index rows of these statements from their current text, context and topics. */
export function indexStatements(db: Db, ids: string[]): void {
  if (ids.length === 0) return;
  const rows = db
    .select({ id: statements.id, doc: statements.doc, text: statements.text, context: statements.context })
    .from(statements)
    .where(inArray(statements.id, ids))
    .all();
  const terms = new Map<string, string[]>();
  const linked = db
    .select({ statementId: statementTopics.statementId, name: topics.name, aliases: topics.aliases })
    .from(statementTopics)
    .innerJoin(topics, eq(topics.id, statementTopics.value))
    .where(inArray(statementTopics.statementId, ids))
    .all();
  for (const { statementId, name, aliases } of linked) {
    terms.set(statementId, [...(terms.get(statementId) ?? []), name, ...aliases]);
  }
  for (const row of rows) {
    db.delete(statementsFts).where(eq(statementsFts.rowid, row.doc)).run();
    db.insert(statementsFts)
      .values({ rowid: row.doc, text: row.text, context: row.context, topics: (terms.get(row.id) ?? []).join(' \n ') })
      .run();
  }
}

/** Re-indexes the statements filed under a topic whose name or aliases changed. */
export function reindexTopic(db: Db, topicId: string): void {
  const ids = db.select({ id: statementTopics.statementId }).from(statementTopics).where(eq(statementTopics.value, topicId)).all();
  indexStatements(
    db,
    ids.map((r) => r.id),
  );
}

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

/**
 * Translates the documented query syntax into an FTS5 expression. Every term becomes a quoted FTS5 string,
 * so no user text is ever read as FTS5 syntax (NEAR, column filters, parentheses, stray quotes). A query
 * with nothing to search for is a 400 that says why.
 */
export function toFtsQuery(input: string): string {
  const query = input.trim();
  const invalid = (why: string) =>
    new AppError('VALIDATION_FAILED', `The search query ${why}. ${SEARCH_SYNTAX}`, {
      errors: [{ in: 'querystring', path: '/q', message: why }],
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
    const literal = `"${item.text.replaceAll('"', '""')}"${item.prefix ? '*' : ''}`;
    if (item.negated) {
      negatives.push(literal);
      continue;
    }
    // OR joins this term to the previous positive one when both sides are plain positive terms.
    const previous = items[i - 1];
    const beforeOr = items[i - 2];
    if (previous === 'OR' && beforeOr && beforeOr !== 'OR' && !beforeOr.negated && positives.length > 0) {
      positives[positives.length - 1] = `${positives[positives.length - 1]} OR ${literal}`;
    } else {
      positives.push(literal);
    }
  }
  if (positives.length + negatives.length > MAX_TERMS) throw invalid(`has more than ${MAX_TERMS} terms`);
  if (positives.length === 0) {
    throw invalid(
      negatives.length > 0 ? 'only excludes words: add at least one word to look for' : 'has no letters or digits to search for',
    );
  }
  const required = positives.map((p) => (p.includes(' OR ') ? `(${p})` : p)).join(' AND ');
  return negatives.reduce((expression, n) => `(${expression}) NOT ${n}`, required);
}

const MARK_START = '\u0002';
const MARK_END = '\u0003';

/** The best window of up to 48 words of a hit's text, with the matches marked (made safe by toSnippet). */
export const snippetColumn = sql<string>`snippet(statements_fts, 0, char(2), char(3), '…', 48)`;

export function toSnippet(highlighted: string): string {
  return highlighted
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll(MARK_START, '<mark>')
    .replaceAll(MARK_END, '</mark>');
}
