// HTTP routes of topics.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { type Topic, TopicCreateSchema, TopicListQuerySchema, TopicPatchSchema, TopicSchema } from './topics.schema.js';

export const topicSchemas = [TopicSchema, TopicCreateSchema, TopicPatchSchema];

export async function topicRoutes(app: FastifyInstance) {
  registerCrudRoutes<object, Topic>(app, {
    collection: 'topics',
    tag: 'Topics',
    schemas: { record: TopicSchema, create: TopicCreateSchema, patch: TopicPatchSchema, listQuery: TopicListQuerySchema },
    notes: { create: 'A parentId that would make the topic its own ancestor is a 422.' },
    problems: {
      create: {
        UNKNOWN_REFERENCE: 'parentId names a topic that does not exist.',
        INVALID_RECORD: 'parentId would make the topic its own ancestor.',
      },
      update: {
        UNKNOWN_REFERENCE: 'parentId names a topic that does not exist.',
        INVALID_RECORD: 'parentId would make the topic its own ancestor.',
      },
    },
    examples: {
      label: 'Talks with the TTP',
      listQuery: 'parent=ttp',
      listLabel: 'The subtopics of the TTP',
      patch: {
        label: 'Another way reports name it',
        value: { aliases: ['dialogue with the TTP', 'Pakistan–TTP talks', 'negotiations with the TTP'] },
      },
    },
  });
}
