// HTTP routes of actors.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { type Actor, ActorCreateSchema, ActorListQuerySchema, ActorPatchSchema, ActorSchema } from './actors.schema.js';

export const actorSchemas = [ActorSchema, ActorCreateSchema, ActorPatchSchema];

export async function actorRoutes(app: FastifyInstance) {
  registerCrudRoutes<object, Actor>(app, {
    collection: 'actors',
    tag: 'Actors',
    schemas: { record: ActorSchema, create: ActorCreateSchema, patch: ActorPatchSchema, listQuery: ActorListQuerySchema },
    problems: {
      create: {
        UNKNOWN_REFERENCE: 'parentId names an actor that does not exist.',
        INVALID_RECORD: 'parentId would make the actor its own ancestor.',
      },
      update: {
        UNKNOWN_REFERENCE: 'parentId names an actor that does not exist.',
        INVALID_RECORD: 'parentId would make the actor its own ancestor.',
      },
    },
    examples: {
      label: 'The TTP',
      listQuery: 'kind=armedGroup',
      listLabel: 'The armed groups',
      patch: { label: 'A later name as an alias', value: { aliases: ['TTP', 'Fitna al-Khawarij'] } },
    },
  });
}
