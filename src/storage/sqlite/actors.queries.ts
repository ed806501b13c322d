// Queries over actors: the list and the store the shared write path uses.
import { inArray } from 'drizzle-orm';
import { BLANKS } from '../../lib/blanks.js';
import type { ListQuery } from '../../lib/pagination.js';
import { anyOf } from '../../lib/pagination.js';
import type { Actor, ActorFieldValues } from '../../modules/actors/actors.schema.js';
import type { Db } from './client.js';
import { listRecords, rowOf, rowsByIds, type Store, stripMeta, writeRow } from './store.js';
import { actors } from './tables/actors.table.js';
import { eventParticipants, events } from './tables/events.table.js';
import { positions } from './tables/positions.table.js';
import { statementAddressees, statements } from './tables/statements.table.js';
import { assertNoCycle } from './tree.js';

export const actorStore: Store<ActorFieldValues, Actor> = {
  collection: 'actors',
  table: actors,
  blank: BLANKS.actors,
  getMany: (db, ids) => rowsByIds(db, actors, ids),
  fieldsOf: stripMeta,
  write: (db, _id, fields, meta, existing) => writeRow(db, actors, rowOf(fields, meta), existing !== undefined),
  references: (f) => [{ path: '/parentId', table: actors, id: f.parentId }],
  check(db, id, fields) {
    assertNoCycle(db, actors, id, fields.parentId, 'actors');
  },
  referrers: [
    { collection: 'actors', field: 'parentId', column: actors.parentId, owner: actors.id },
    { collection: 'events', field: 'hostId', column: events.hostId, owner: events.id },
    { collection: 'events', field: 'participantIds', column: eventParticipants.actorId, owner: eventParticipants.eventId },
    { collection: 'statements', field: 'speakerId', column: statements.speakerId, owner: statements.id },
    { collection: 'statements', field: 'onBehalfOfId', column: statements.onBehalfOfId, owner: statements.id },
    { collection: 'statements', field: 'addresseeIds', column: statementAddressees.value, owner: statementAddressees.statementId },
    { collection: 'positions', field: 'actorId', column: positions.actorId, owner: positions.id },
  ],
};

export function listActors(db: Db, query: ListQuery & Record<string, unknown>) {
  const q = query as ListQuery & { id?: string; kind?: string; countryCode?: string; parent?: string };
  return listRecords(
    db,
    {
      collection: 'actors',
      table: actors,
      id: actors.id,
      sortable: { id: actors.id, name: actors.name, createdAt: actors.createdAt, updatedAt: actors.updatedAt },
      defaultSort: 'id',
    },
    query,
    [
      q.id ? inArray(actors.id, anyOf(q.id) ?? []) : undefined,
      q.kind ? inArray(actors.kind, anyOf(q.kind) as Actor['kind'][]) : undefined,
      q.countryCode ? inArray(actors.countryCode, anyOf(q.countryCode) ?? []) : undefined,
      q.parent ? inArray(actors.parentId, anyOf(q.parent) ?? []) : undefined,
    ],
    (rows) => rows as Actor[],
  );
}
