// HTTP routes of positions.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { listPositions, positionExpansions, positionStore } from './positions.queries.js';
import { PositionCreateSchema, PositionListQuerySchema, PositionPatchSchema, PositionSchema } from './positions.schema.js';

export const positionSchemas = [PositionSchema, PositionCreateSchema, PositionPatchSchema];

export async function positionRoutes(app: FastifyInstance) {
  registerCrudRoutes(app, {
    store: positionStore,
    tag: 'Positions',
    schemas: { record: PositionSchema, create: PositionCreateSchema, patch: PositionPatchSchema, listQuery: PositionListQuerySchema },
    list: listPositions,
    expand: positionExpansions,
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
    examples: {
      create: {
        id: 'pakistan-opposes-talks-with-ttp',
        actorId: 'pakistan',
        topicId: 'talks-with-ttp',
        stance: 'opposes',
        summary: 'Pakistan is not holding talks with the TTP and has no plans to.',
        validFrom: '2024-04-04',
        evidence: [{ statementId: 'fo-2024-04-04-no-talks-with-ttp', relation: 'reiterates' }],
      },
      patch: { summary: 'Pakistan will not hold talks with the TTP.' },
    },
  });
}
