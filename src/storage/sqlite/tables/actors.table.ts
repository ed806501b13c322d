// Storage for actors: states, bodies, organizations, groups and people.
import { sql } from 'drizzle-orm';
import { type AnySQLiteColumn, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ACTOR_KINDS } from '../../../lib/vocabularies.js';
import { oneOf, timestamps } from '../columns.js';

export const actors = sqliteTable(
  'actors',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ACTOR_KINDS }).notNull(),
    countryCode: text('country_code'),
    parentId: text('parent_id').references((): AnySQLiteColumn => actors.id),
    aliases: text('aliases', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    description: text('description'),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('actors_kind_check', t.kind, ACTOR_KINDS),
    index('actors_parent_idx').on(t.parentId),
    index('actors_kind_idx').on(t.kind, t.id),
  ],
);
