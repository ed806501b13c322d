// HTTP routes of events.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { type Event, EventCreateSchema, EventListQuerySchema, EventPatchSchema, EventSchema } from './events.schema.js';

export const eventSchemas = [EventSchema, EventCreateSchema, EventPatchSchema];

export async function eventRoutes(app: FastifyInstance) {
  registerCrudRoutes<object, Event>(app, {
    collection: 'events',
    tag: 'Events',
    schemas: { record: EventSchema, create: EventCreateSchema, patch: EventPatchSchema, listQuery: EventListQuerySchema },
    notes: { create: 'endDate before startDate is a 422; unknown hostId or participantIds are a 422 naming each.' },
    problems: {
      create: {
        UNKNOWN_REFERENCE: 'hostId or participantIds name an actor that does not exist; `errors` names each.',
        INVALID_RECORD: 'endDate is before startDate.',
      },
      update: {
        UNKNOWN_REFERENCE: 'hostId or participantIds name an actor that does not exist; `errors` names each.',
        INVALID_RECORD: 'endDate is before startDate.',
      },
    },
    examples: {
      label: 'The FO weekly press briefing of 4 April 2024',
      listQuery: 'kind=pressBriefing',
      listLabel: 'The press briefings',
      patch: { label: 'Where it took place', value: { location: 'Foreign Office, Islamabad, Pakistan' } },
    },
  });
}
