// HTTP routes of topics.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { listTopics, topicStore } from './topics.queries.js';
import { TopicCreateSchema, TopicListQuerySchema, TopicPatchSchema, TopicSchema } from './topics.schema.js';

export const topicSchemas = [TopicSchema, TopicCreateSchema, TopicPatchSchema];

export async function topicRoutes(app: FastifyInstance) {
  registerCrudRoutes(app, {
    store: topicStore,
    tag: 'Topics',
    schemas: { record: TopicSchema, create: TopicCreateSchema, patch: TopicPatchSchema, listQuery: TopicListQuerySchema },
    list: listTopics,
    notes: { create: 'A parentId that would make the topic its own ancestor is a 422.' },
    examples: {
      create: { id: 'talks-with-ttp', name: 'Talks with the TTP', parentId: 'ttp', aliases: [] },
      patch: { aliases: ['Besham', 'Besham attack'] },
    },
  });
}
