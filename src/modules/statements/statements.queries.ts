// Queries over statements: the list with its filters, and the store the shared write path uses.
import { gte, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../lib/errors.js';
import { anyOf, type ListQuery } from '../../lib/pagination.js';
import { type LinkTable, linkedTo, loadLinks, replaceLinks } from '../../lib/records.js';
import { listRecords, rowsByIds, type Store, stripMeta, writeRow } from '../../lib/store.js';
import { subtree } from '../../lib/tree.js';
import { actors } from '../actors/actors.table.js';
import { events } from '../events/events.table.js';
import { positionEvidence } from '../positions/positions.table.js';
import { sources } from '../sources/sources.table.js';
import { topics } from '../topics/topics.table.js';
import type { Statement, StatementFieldValues } from './statements.schema.js';
import { statementActs, statementAddressees, statementSources, statements, statementTopics } from './statements.table.js';

const link = (table: typeof statementSources | typeof statementTopics | typeof statementAddressees | typeof statementActs): LinkTable => ({
  table,
  owner: table.statementId,
  value: table.value,
  ord: table.ord,
});
const links = {
  sourceIds: link(statementSources),
  topicIds: link(statementTopics),
  addresseeIds: link(statementAddressees),
  acts: link(statementActs),
};

type StatementRow = typeof statements.$inferSelect;

/** Attaches the four link arrays to a page of rows: one query per link table, never one per row. */
function hydrate(db: Db, rows: StatementRow[]): Statement[] {
  const ids = rows.map((r) => r.id);
  const [sourceIds, topicIds, addresseeIds, acts] = [links.sourceIds, links.topicIds, links.addresseeIds, links.acts].map((l) =>
    loadLinks(db, l, ids),
  );
  return rows.map((r) => ({
    ...r,
    sourceIds: sourceIds?.get(r.id) ?? [],
    topicIds: topicIds?.get(r.id) ?? [],
    addresseeIds: addresseeIds?.get(r.id) ?? [],
    acts: (acts?.get(r.id) ?? []) as Statement['acts'],
  }));
}

export const statementStore: Store<StatementFieldValues, Statement> = {
  collection: 'statements',
  table: statements,
  blank: {
    onBehalfOfId: null,
    speakerRole: null,
    statedOn: null,
    eventId: null,
    topicIds: [],
    addresseeIds: [],
    respondsToId: null,
    context: null,
    acts: [],
    language: null,
  },
  getMany: (db, ids) => hydrate(db, rowsByIds(db, statements, ids)),
  fieldsOf: stripMeta,
  write(db, id, { sourceIds, topicIds, addresseeIds, acts, ...fields }, meta, existing) {
    writeRow(db, statements, { ...fields, ...meta }, existing !== undefined);
    replaceLinks(db, links.sourceIds, id, sourceIds);
    replaceLinks(db, links.topicIds, id, topicIds);
    replaceLinks(db, links.addresseeIds, id, addresseeIds);
    replaceLinks(db, links.acts, id, acts);
  },
  references: (f) => [
    { path: '/speakerId', table: actors, id: f.speakerId },
    { path: '/onBehalfOfId', table: actors, id: f.onBehalfOfId },
    { path: '/eventId', table: events, id: f.eventId },
    { path: '/respondsToId', table: statements, id: f.respondsToId },
    ...f.sourceIds.map((id, i) => ({ path: `/sourceIds/${i}`, table: sources, id })),
    ...f.topicIds.map((id, i) => ({ path: `/topicIds/${i}`, table: topics, id })),
    ...f.addresseeIds.map((id, i) => ({ path: `/addresseeIds/${i}`, table: actors, id })),
  ],
  check(_db, id, f) {
    if (f.respondsToId === id) {
      throw new AppError('INVALID_RECORD', 'A statement cannot respond to itself.', {
        errors: [{ in: 'body', path: '/respondsToId', message: 'must not be the statement itself' }],
      });
    }
  },
  referrers: [
    { collection: 'statements', field: 'respondsToId', column: statements.respondsToId, owner: statements.id },
    { collection: 'positions', field: 'evidence', column: positionEvidence.statementId, owner: positionEvidence.positionId },
  ],
};

export interface StatementFilters {
  speaker?: string;
  onBehalfOf?: string;
  topic?: string;
  addressee?: string;
  event?: string;
  source?: string;
  respondsTo?: string;
  kind?: string;
  act?: string;
  language?: string;
  from?: string;
  to?: string;
}

/** The WHERE terms of the statement filters, shared by every query over statements. */
export function statementFilters(db: Db, q: StatementFilters) {
  const topicIds = anyOf(q.topic);
  return [
    q.speaker ? inArray(statements.speakerId, anyOf(q.speaker) ?? []) : undefined,
    q.onBehalfOf ? inArray(statements.onBehalfOfId, anyOf(q.onBehalfOf) ?? []) : undefined,
    topicIds
      ? inArray(
          statements.id,
          db
            .select({ id: statementTopics.statementId })
            .from(statementTopics)
            .where(inArray(statementTopics.value, subtree(topics, topicIds))),
        )
      : undefined,
    linkedTo(db, statements.id, links.addresseeIds, anyOf(q.addressee)),
    q.event ? inArray(statements.eventId, anyOf(q.event) ?? []) : undefined,
    linkedTo(db, statements.id, links.sourceIds, anyOf(q.source)),
    q.respondsTo ? inArray(statements.respondsToId, anyOf(q.respondsTo) ?? []) : undefined,
    q.kind ? inArray(statements.kind, anyOf(q.kind) as Statement['kind'][]) : undefined,
    linkedTo(db, statements.id, links.acts, anyOf(q.act)),
    q.language ? inArray(statements.language, anyOf(q.language) ?? []) : undefined,
    q.from ? gte(statements.statedOn, q.from) : undefined,
    q.to ? lte(statements.statedOn, q.to) : undefined,
  ];
}

export function listStatements(db: Db, query: ListQuery & Record<string, unknown>) {
  return listRecords(
    db,
    {
      collection: 'statements',
      table: statements,
      id: statements.id,
      sortable: { statedOn: statements.statedOn, createdAt: statements.createdAt, updatedAt: statements.updatedAt, id: statements.id },
      defaultSort: '-statedOn',
    },
    query,
    statementFilters(db, query as StatementFilters),
    (rows) => hydrate(db, rows as StatementRow[]),
  );
}
