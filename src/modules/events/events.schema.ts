// The HTTP contract of events.
import type { Static } from 'typebox';
import { EnumFilter, entitySchemas, Id, IdFilter, IdList, IsoDate, listQuery, Nullable, StringEnum, Text } from '../../lib/schemas.js';
import { EVENT_KINDS } from '../../lib/vocabularies.js';

export const EventFields = {
  kind: StringEnum(EVENT_KINDS, 'What sort of occasion this is.'),
  title: Text(1000),
  startDate: Nullable(IsoDate),
  endDate: Nullable({ ...IsoDate, description: 'The last day, on or after startDate; null for a one-day or undated event.' }),
  location: Nullable(Text(300)),
  hostId: Nullable({ ...Id, description: 'The actor that held the event.' }),
  participantIds: IdList('Actors that took part.', 500),
};

export const {
  record: EventSchema,
  create: EventCreateSchema,
  patch: EventPatchSchema,
} = entitySchemas('Event', EventFields, ['kind', 'title'], {
  description: 'The occasion where something was said: a briefing, a meeting, a letter.',
});
export type Event = Static<typeof EventSchema>;
export type EventFieldValues = Omit<Event, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export const EventListQuerySchema = listQuery(['id', 'startDate', 'title', 'createdAt', 'updatedAt'], 'id', {
  kind: EnumFilter(EVENT_KINDS, 'Only events of these kinds.'),
  host: IdFilter('Only events hosted by these actors.'),
  participant: IdFilter('Only events in which any of these actors took part.'),
  from: { ...IsoDate, description: 'Starting on or after this date.' },
  to: { ...IsoDate, description: 'Starting on or before this date.' },
});
