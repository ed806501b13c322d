// HTTP routes of sources.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { type Source, SourceCreateSchema, SourceListQuerySchema, SourcePatchSchema, SourceSchema } from './sources.schema.js';

export const sourceSchemas = [SourceSchema, SourceCreateSchema, SourcePatchSchema];

export async function sourceRoutes(app: FastifyInstance) {
  registerCrudRoutes<object, Source>(app, {
    collection: 'sources',
    tag: 'Sources',
    schemas: { record: SourceSchema, create: SourceCreateSchema, patch: SourcePatchSchema, listQuery: SourceListQuerySchema },
    examples: {
      label: 'The News report of the briefing',
      listQuery: 'publisher=The%20News',
      listLabel: 'The reports of The News',
      patch: { label: 'The publisher under its full name', value: { publisher: 'The News International' } },
    },
  });
}
