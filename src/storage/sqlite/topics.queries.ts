// Queries over topics: the list and the store the shared write path uses.
import { inArray, isNotNull, isNull } from 'drizzle-orm';
import { BLANKS } from '../../lib/blanks.js';
import { anyOf, type ListQuery } from '../../lib/pagination.js';
import type { Topic, TopicFieldValues } from '../../modules/topics/topics.schema.js';
import type { Db } from './client.js';
import { reindexTopic } from './statements.fts.js';
import { listRecords, rowOf, rowsByIds, type Store, stripMeta, writeRow } from './store.js';
import { positions } from './tables/positions.table.js';
import { statementTopics } from './tables/statements.table.js';
import { topics } from './tables/topics.table.js';
import { topicsUnder } from './topics.ancestry.js';
import { assertNoCycle } from './tree.js';

export const topicStore: Store<TopicFieldValues, Topic> = {
  collection: 'topics',
  table: topics,
  blank: BLANKS.topics,
  getMany: (db, ids) => rowsByIds(db, topics, ids),
  fieldsOf: stripMeta,
  write(db, id, fields, meta, existing) {
    writeRow(db, topics, rowOf(fields, meta), existing !== undefined);
    // Searches match topic names and aliases: statements filed under a renamed topic are re-indexed.
    if (existing && (existing.name !== fields.name || existing.aliases.join('\n') !== fields.aliases.join('\n'))) reindexTopic(db, id);
  },
  references: (f) => [{ path: '/parentId', table: topics, id: f.parentId }],
  check: (db, id, fields) => assertNoCycle(db, topics, id, fields.parentId, 'topics'),
  referrers: [
    { collection: 'topics', field: 'parentId', column: topics.parentId, owner: topics.id },
    { collection: 'statements', field: 'topicIds', column: statementTopics.value, owner: statementTopics.statementId },
    { collection: 'positions', field: 'topicId', column: positions.topicId, owner: positions.id },
  ],
};

export function listTopics(db: Db, query: ListQuery & Record<string, unknown>) {
  const q = query as ListQuery & { id?: string; parent?: string; root?: boolean; within?: string };
  return listRecords(
    db,
    {
      collection: 'topics',
      table: topics,
      id: topics.id,
      sortable: { id: topics.id, name: topics.name, createdAt: topics.createdAt, updatedAt: topics.updatedAt },
      defaultSort: 'id',
    },
    query,
    [
      q.id ? inArray(topics.id, anyOf(q.id) ?? []) : undefined,
      q.parent ? inArray(topics.parentId, anyOf(q.parent) ?? []) : undefined,
      q.root === undefined ? undefined : q.root ? isNull(topics.parentId) : isNotNull(topics.parentId),
      q.within ? inArray(topics.id, topicsUnder(db, anyOf(q.within) ?? [])) : undefined,
    ],
    (rows) => rows as Topic[],
  );
}
