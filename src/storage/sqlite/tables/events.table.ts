// Storage for events (the occasions where things were said) and their participants.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { EVENT_KINDS } from '../../../lib/vocabularies.js';
import { oneOf, timestamps } from '../columns.js';
import { actors } from './actors.table.js';

export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: EVENT_KINDS }).notNull(),
    title: text('title').notNull(),
    startDate: text('start_date'),
    endDate: text('end_date'),
    location: text('location'),
    hostId: text('host_id').references(() => actors.id),
    ...timestamps,
    version: integer('version').notNull().default(1),
  },
  (t) => [
    oneOf('events_kind_check', t.kind, EVENT_KINDS),
    index('events_host_idx').on(t.hostId),
    index('events_start_idx').on(t.startDate, t.id),
  ],
);

export const eventParticipants = sqliteTable(
  'event_participants',
  {
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    actorId: text('actor_id')
      .notNull()
      .references(() => actors.id),
    ord: integer('ord').notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.actorId] }), index('event_participants_actor_idx').on(t.actorId)],
);
