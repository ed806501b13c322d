// HTTP routes of sources.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { listSources, sourceStore } from './sources.queries.js';
import { SourceCreateSchema, SourceListQuerySchema, SourcePatchSchema, SourceSchema } from './sources.schema.js';

export const sourceSchemas = [SourceSchema, SourceCreateSchema, SourcePatchSchema];

export async function sourceRoutes(app: FastifyInstance) {
  registerCrudRoutes(app, {
    store: sourceStore,
    tag: 'Sources',
    schemas: { record: SourceSchema, create: SourceCreateSchema, patch: SourcePatchSchema, listQuery: SourceListQuerySchema },
    list: listSources,
    examples: {
      create: {
        id: 'the-news-2024-04-05-pakistan-not-in-talks-with-ttp',
        kind: 'newsReport',
        title: 'Pakistan not in talks with TTP: FO',
        publisher: 'The News',
        author: 'Mariana Baabar',
        publishedOn: '2024-04-05',
        language: 'en',
      },
      patch: { author: 'Mariana Baabar' },
    },
  });
}
