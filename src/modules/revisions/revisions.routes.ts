// GET /v1/{collection}/{id}/revisions (a record's history) and GET /v1/changes (the feed to mirror from).
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { notFound } from '../../lib/errors.js';
import { SAMPLE_IDS, SEEDED_AT, seededRecord } from '../../lib/examples.js';
import { Id, Nullable, ref, StringEnum, Timestamp } from '../../lib/schemas.js';
import { REVISION_OPERATIONS } from '../../lib/vocabularies.js';
import type { Revision } from '../../storage/index.js';
import { decodePosition, encodePosition } from './revisions.service.js';

export const COLLECTIONS = ['actors', 'topics', 'sources', 'events', 'statements', 'positions'] as const;

export const RevisionSchema = Type.Object(
  {
    position: Type.String({ description: 'Where this change is in the feed: pass as `since` to read what came after it.' }),
    collection: StringEnum(COLLECTIONS),
    id: Id,
    version: Type.Integer({ minimum: 1, description: 'The record version this change made (a delete counts as one more).' }),
    operation: StringEnum(REVISION_OPERATIONS),
    state: Nullable({
      type: 'object',
      additionalProperties: true,
      description:
        'The record as stored after the change (its fields and metadata; derived fields such as firstStatedOn are left out); null for a delete.',
    }),
    keyName: Nullable(Type.String({ description: 'The API key that made the change; null for the seed or with auth off.' })),
    at: Timestamp,
  },
  { $id: 'Revision', description: 'One change of one record.' },
);
type RevisionView = Static<typeof RevisionSchema>;

const RevisionPage = Type.Object({
  data: Type.Array(ref(RevisionSchema)),
  next: Nullable(Type.String({ description: 'Pass as `since` for the changes after this page; null when this page was the last so far.' })),
});

export const revisionSchemas = [RevisionSchema];

const view = (r: Revision): RevisionView => ({
  position: encodePosition(r.seq),
  collection: r.collection as RevisionView['collection'],
  id: r.recordId,
  version: r.version,
  operation: r.operation,
  state: r.state,
  keyName: r.keyName,
  at: r.at,
});

const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Changes per page, 1 to 1000.' });
const Since = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'A `position` or `next` from an earlier answer; without it, from the start.',
});

/** For the examples: the first revision of the seed record that illustrates each collection. */
const seededRevision = (collection: (typeof COLLECTIONS)[number]) => ({
  position: 'YzQ3',
  collection,
  id: SAMPLE_IDS[collection],
  version: 1,
  operation: 'create',
  state: seededRecord(collection, SAMPLE_IDS[collection]),
  keyName: null,
  at: SEEDED_AT,
});
const revisionsExample = (collection: (typeof COLLECTIONS)[number], request: string, summary: string) => ({
  responses: {
    200: {
      seeded: {
        summary,
        description: `Answer to \`GET ${request}\` on the seeded server.`,
        value: { data: [seededRevision(collection)], next: 'YzQ3' },
      },
    },
  },
});

export async function revisionRoutes(app: FastifyInstance) {
  app.get(
    '/v1/changes',
    {
      schema: {
        operationId: 'listChanges',
        tags: ['Changes'],
        summary: 'The change feed',
        description:
          'Every create, update and delete of every record, in commit order, deletes as tombstones (state null). Keep `next` and ask again ' +
          'with `since=next` to receive only what changed since: a mirror stays in sync without re-reading everything.',
        querystring: Type.Object(
          {
            since: Type.Optional(Since),
            limit: Type.Optional(Limit),
            collection: Type.Optional(
              Type.String({
                pattern: `^(?:${COLLECTIONS.join('|')})(?:,(?:${COLLECTIONS.join('|')}))*$`,
                description: `Only changes of these collections: ${COLLECTIONS.join(', ')}, comma-separated.`,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: { ...RevisionPage, description: 'A page of changes.' } },
        problems: { INVALID_CURSOR: '`since` is not a position this API issued.' },
        examples: revisionsExample('positions', '/v1/changes?collection=positions&limit=1', 'The first change of a position'),
      },
    },
    async (request) => {
      const q = request.query as { since?: string; limit?: number; collection?: string };
      const after = decodePosition(q.since, 'since');
      const limit = q.limit ?? 100;
      const rows = await app.storage.revisions.since(after, limit, q.collection?.split(','));
      const last = rows.at(-1);
      // `next` always lets a client resume: from the last change seen, or from where it already was.
      return { data: rows.map(view), next: encodePosition(last ? last.seq : after) };
    },
  );

  for (const collection of COLLECTIONS) {
    app.get(
      `/v1/${collection}/:id/revisions`,
      {
        schema: {
          operationId: `list${collection[0]?.toUpperCase()}${collection.slice(1, -1)}Revisions`,
          tags: [`${collection[0]?.toUpperCase()}${collection.slice(1)}`],
          summary: `History of one ${collection.slice(0, -1)}`,
          description: `Every change of the record, oldest first, with the state after it and the key that made it. It stays readable after a delete.`,
          params: Type.Object({ id: Id }, { additionalProperties: false }),
          querystring: Type.Object({ since: Type.Optional(Since), limit: Type.Optional(Limit) }, { additionalProperties: false }),
          response: { 200: { ...RevisionPage, description: 'The revisions.' } },
          problems: { INVALID_CURSOR: '`since` is not a position this API issued.', NOT_FOUND: 'No record with this id ever existed.' },
          examples: revisionsExample(
            collection,
            `/v1/${collection}/${SAMPLE_IDS[collection]}/revisions`,
            `The history of '${SAMPLE_IDS[collection]}'`,
          ),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const q = request.query as { since?: string; limit?: number };
        const after = decodePosition(q.since, 'since');
        const rows = await app.storage.revisions.of(collection, id, after, q.limit ?? 100);
        if (rows.length === 0 && after === 0) throw notFound(collection, id);
        const last = rows.at(-1);
        return { data: rows.map(view), next: last ? encodePosition(last.seq) : (q.since ?? null) };
      },
    );
  }
}
