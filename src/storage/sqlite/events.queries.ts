// Queries over events: the list and the store the shared write path uses.
import { gte, inArray, lte } from 'drizzle-orm';
import { BLANKS } from '../../lib/blanks.js';
import { AppError } from '../../lib/errors.js';
import { anyOf, type ListQuery } from '../../lib/pagination.js';
import type { Event, EventFieldValues } from '../../modules/events/events.schema.js';
import type { Db } from './client.js';
import { type LinkTable, linkedTo, loadLinks, replaceLinks } from './records.js';
import { listRecords, rowOf, rowsByIds, type Store, stripMeta, writeRow } from './store.js';
import { actors } from './tables/actors.table.js';
import { eventParticipants, events } from './tables/events.table.js';
import { statements } from './tables/statements.table.js';

const participants: LinkTable = {
  table: eventParticipants,
  owner: eventParticipants.eventId,
  value: eventParticipants.actorId,
  ord: eventParticipants.ord,
};

type EventRow = typeof events.$inferSelect;

function hydrate(db: Db, rows: EventRow[]): Event[] {
  const links = loadLinks(
    db,
    participants,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, participantIds: links.get(r.id) ?? [] }));
}

export const eventStore: Store<EventFieldValues, Event> = {
  collection: 'events',
  table: events,
  blank: BLANKS.events,
  getMany: (db, ids) => hydrate(db, rowsByIds(db, events, ids)),
  fieldsOf: stripMeta,
  write(db, id, { participantIds, ...fields }, meta, existing) {
    writeRow(db, events, rowOf(fields, meta), existing !== undefined);
    replaceLinks(db, participants, id, participantIds);
  },
  references: (f) => [
    { path: '/hostId', table: actors, id: f.hostId },
    ...f.participantIds.map((id, i) => ({ path: `/participantIds/${i}`, table: actors, id })),
  ],
  check(_db, _id, f) {
    if (f.startDate && f.endDate && f.endDate < f.startDate) {
      throw new AppError('INVALID_RECORD', `endDate ${f.endDate} is before startDate ${f.startDate}.`, {
        errors: [{ in: 'body', path: '/endDate', message: `must be on or after startDate (${f.startDate})` }],
      });
    }
  },
  referrers: [{ collection: 'statements', field: 'eventId', column: statements.eventId, owner: statements.id }],
};

export function listEvents(db: Db, query: ListQuery & Record<string, unknown>) {
  const q = query as ListQuery & { kind?: string; host?: string; participant?: string; from?: string; to?: string };
  return listRecords(
    db,
    {
      collection: 'events',
      table: events,
      id: events.id,
      sortable: {
        id: events.id,
        startDate: events.startDate,
        title: events.title,
        createdAt: events.createdAt,
        updatedAt: events.updatedAt,
      },
      defaultSort: 'id',
    },
    query,
    [
      q.kind ? inArray(events.kind, anyOf(q.kind) as Event['kind'][]) : undefined,
      q.host ? inArray(events.hostId, anyOf(q.host) ?? []) : undefined,
      linkedTo(events.id, participants, anyOf(q.participant)),
      q.from ? gte(events.startDate, q.from) : undefined,
      q.to ? lte(events.startDate, q.to) : undefined,
    ],
    (rows) => hydrate(db, rows as EventRow[]),
  );
}
