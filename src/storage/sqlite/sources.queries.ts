// Queries over sources: the list and the store the shared write path uses.
import { eq, gte, inArray, lte } from 'drizzle-orm';
import { BLANKS } from '../../lib/blanks.js';
import { anyOf, type ListQuery } from '../../lib/pagination.js';
import type { Source, SourceFieldValues } from '../../modules/sources/sources.schema.js';
import type { Db } from './client.js';
import { listRecords, rowOf, rowsByIds, type Store, stripMeta, writeRow } from './store.js';
import { sources } from './tables/sources.table.js';
import { statementSources } from './tables/statements.table.js';

export const sourceStore: Store<SourceFieldValues, Source> = {
  collection: 'sources',
  table: sources,
  blank: BLANKS.sources,
  getMany: (db, ids) => rowsByIds(db, sources, ids),
  fieldsOf: stripMeta,
  write: (db, _id, fields, meta, existing) => writeRow(db, sources, rowOf(fields, meta), existing !== undefined),
  references: () => [],
  referrers: [{ collection: 'statements', field: 'sourceIds', column: statementSources.value, owner: statementSources.statementId }],
};

export function listSources(db: Db, query: ListQuery & Record<string, unknown>) {
  const q = query as ListQuery & { kind?: string; publisher?: string; from?: string; to?: string };
  return listRecords(
    db,
    {
      collection: 'sources',
      table: sources,
      id: sources.id,
      sortable: {
        id: sources.id,
        publishedOn: sources.publishedOn,
        title: sources.title,
        createdAt: sources.createdAt,
        updatedAt: sources.updatedAt,
      },
      defaultSort: 'id',
    },
    query,
    [
      q.kind ? inArray(sources.kind, anyOf(q.kind) as Source['kind'][]) : undefined,
      q.publisher ? eq(sources.publisher, q.publisher) : undefined,
      q.from ? gte(sources.publishedOn, q.from) : undefined,
      q.to ? lte(sources.publishedOn, q.to) : undefined,
    ],
    (rows) => rows as Source[],
  );
}
