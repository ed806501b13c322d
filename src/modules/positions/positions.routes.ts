// HTTP routes of positions.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import {
  POSITION_EXPANSIONS,
  type Position,
  PositionCreateSchema,
  PositionListQuerySchema,
  PositionPatchSchema,
  PositionSchema,
} from './positions.schema.js';

export const positionSchemas = [PositionSchema, PositionCreateSchema, PositionPatchSchema];

export async function positionRoutes(app: FastifyInstance) {
  registerCrudRoutes<object, Position>(app, {
    collection: 'positions',
    tag: 'Positions',
    schemas: { record: PositionSchema, create: PositionCreateSchema, patch: PositionPatchSchema, listQuery: PositionListQuerySchema },
    expand: { names: POSITION_EXPANSIONS },
    export: {
      columns: [
        'id',
        'actorId',
        'topicId',
        'stance',
        'summary',
        'validFrom',
        'validTo',
        'firstStatedOn',
        'lastReaffirmedOn',
        'statementCount',
        'evidence',
        'createdAt',
        'updatedAt',
        'version',
      ],
      // In CSV, evidence reads `statementId:relation;…` in date order.
      csvRow: (position) => ({ ...position, evidence: position.evidence.map((e) => `${e.statementId}:${e.relation}`) }),
    },
    notes: {
      list: 'With `asOf`, only the positions held on that date; without it, every period (a timeline). Each position carries its evidence in date order.',
      create:
        "A position that starts after the actor's open position on the same topic closes it (the open one's validTo becomes this validFrom, and its version grows). " +
        'Any other overlap is a 409 naming the conflicting position.',
      update: 'A change of period that overlaps another period of the same actor and topic is a 409.',
    },
    problems: {
      create: {
        UNKNOWN_REFERENCE: 'actorId, topicId or an evidence statementId names a record that does not exist; `errors` names each.',
        INVALID_RECORD: 'validTo is not after validFrom, or a statement appears twice in evidence; `errors` names each.',
        POSITION_OVERLAP: 'The period overlaps another of the same actor on the same topic; `conflictingPositionId` names it.',
      },
      update: {
        UNKNOWN_REFERENCE: 'actorId, topicId or an evidence statementId names a record that does not exist; `errors` names each.',
        INVALID_RECORD: 'validTo is not after validFrom, or a statement appears twice in evidence; `errors` names each.',
        POSITION_OVERLAP: 'The new period overlaps another of the same actor on the same topic; `conflictingPositionId` names it.',
      },
    },
    examples: {
      label: "Pakistan's position on talks with the TTP",
      listQuery: 'topic=talks-with-ttp&actor=pakistan&asOf=2024-04-04',
      listLabel: "Pakistan's position on talks with the TTP on 4 April 2024",
      derived: {
        evidence: [{ statementId: 'fo-2024-04-04-no-talks-with-ttp', relation: 'reiterates', statedOn: '2024-04-04' }],
        firstStatedOn: '2024-04-04',
        lastReaffirmedOn: '2024-04-04',
        statementCount: 1,
      },
      patch: { label: 'The position in fewer words', value: { summary: 'Pakistan will not hold talks with the TTP.' } },
    },
  });
}
