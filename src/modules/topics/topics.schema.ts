// The HTTP contract of topics.
import { type Static, Type } from 'typebox';
import { entitySchemas, Id, IdFilter, listQuery, Nullable, Text } from '../../lib/schemas.js';

export const TopicFields = {
  name: Text(300),
  parentId: Nullable({ ...Id, description: 'The broader topic (talks-with-ttp → ttp → counter-terrorism).' }),
  aliases: Type.Array(Text(300), { uniqueItems: true, maxItems: 100, description: 'Other names and spellings (Besham for Bisham).' }),
  description: Nullable(Text(5000)),
};

export const {
  record: TopicSchema,
  create: TopicCreateSchema,
  patch: TopicPatchSchema,
} = entitySchemas('Topic', TopicFields, ['name'], {
  description: 'An issue that statements address and positions are held on; topics form a tree.',
});
export type Topic = Static<typeof TopicSchema>;
export type TopicFieldValues = Omit<Topic, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export const TopicListQuerySchema = listQuery(['id', 'name', 'createdAt', 'updatedAt'], 'id', {
  // So a page that shows many topics by id (the explorer's stance matrix) names them in one request.
  id: IdFilter('Only these topics, not their descendants (up to a page of them: set `limit`).'),
  parent: IdFilter('Only the direct children of these topics.'),
  root: Type.Boolean({ description: 'true: only topics without a parent; false: only topics with one.' }),
  within: IdFilter('Only these topics and all their descendants.'),
});
