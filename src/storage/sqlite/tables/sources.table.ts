// Storage for sources: the documents that report what was said.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { SOURCE_KINDS } from '../../../lib/vocabularies.js';
import { oneOf, timestamps } from '../columns.js';

export const sources = sqliteTable(
  'sources',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: SOURCE_KINDS }).notNull(),
    title: text('title').notNull(),
    publisher: text('publisher'),
    author: text('author'),
    url: text('url'),
    publishedOn: text('published_on'),
    language: text('language'),
    text: text('text'),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('sources_kind_check', t.kind, SOURCE_KINDS),
    index('sources_published_idx').on(t.publishedOn, t.id),
    // The sources that keep a text, the only ones a quote's `verified` reads: usually few (statements.queries.ts, textedSources).
    index('sources_with_text_idx').on(t.id).where(sql`"text" IS NOT NULL`),
  ],
);
