// HTTP routes of events.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { eventStore, listEvents } from './events.queries.js';
import { EventCreateSchema, EventListQuerySchema, EventPatchSchema, EventSchema } from './events.schema.js';

export const eventSchemas = [EventSchema, EventCreateSchema, EventPatchSchema];

export async function eventRoutes(app: FastifyInstance) {
  registerCrudRoutes(app, {
    store: eventStore,
    tag: 'Events',
    schemas: { record: EventSchema, create: EventCreateSchema, patch: EventPatchSchema, listQuery: EventListQuerySchema },
    list: listEvents,
    notes: { create: 'endDate before startDate is a 422; unknown hostId or participantIds are a 422 naming each.' },
    examples: {
      create: {
        id: 'sco-ssc-19th-meeting-astana-2024-04-03',
        kind: 'meeting',
        title: '19th regular meeting of Secretaries of the Security Councils of the SCO',
        startDate: '2024-04-03',
        endDate: '2024-04-03',
        location: 'Astana, Kazakhstan',
        hostId: 'sco',
        participantIds: ['pakistan', 'waqar-ahmad'],
      },
      patch: { location: 'Astana, Kazakhstan' },
    },
  });
}
