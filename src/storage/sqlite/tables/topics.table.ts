// Storage for topics, a tree of issues.
import { sql } from 'drizzle-orm';
import { type AnySQLiteColumn, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamps } from '../columns.js';

export const topics = sqliteTable(
  'topics',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    parentId: text('parent_id').references((): AnySQLiteColumn => topics.id),
    aliases: text('aliases', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    description: text('description'),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [index('topics_parent_idx').on(t.parentId)],
);
