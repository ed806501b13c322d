// HTTP routes of actors.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { actorStore, listActors } from './actors.queries.js';
import { ActorCreateSchema, ActorListQuerySchema, ActorPatchSchema, ActorSchema } from './actors.schema.js';

export const actorSchemas = [ActorSchema, ActorCreateSchema, ActorPatchSchema];

export async function actorRoutes(app: FastifyInstance) {
  registerCrudRoutes(app, {
    store: actorStore,
    tag: 'Actors',
    schemas: { record: ActorSchema, create: ActorCreateSchema, patch: ActorPatchSchema, listQuery: ActorListQuerySchema },
    list: listActors,
    examples: {
      create: {
        id: 'pakistan-mofa',
        name: 'Ministry of Foreign Affairs of Pakistan',
        kind: 'governmentBody',
        countryCode: 'PAK',
        parentId: 'pakistan',
        aliases: ['Foreign Office', 'FO', 'MOFA'],
      },
      patch: { aliases: ['Foreign Office', 'FO', 'MOFA'] },
    },
  });
}
