// HTTP routes of statements.
import type { FastifyInstance } from 'fastify';
import { registerCrudRoutes } from '../../lib/crud-routes.js';
import { listStatements, statementStore } from './statements.queries.js';
import { StatementCreateSchema, StatementListQuerySchema, StatementPatchSchema, StatementSchema } from './statements.schema.js';

export const statementSchemas = [StatementSchema, StatementCreateSchema, StatementPatchSchema];

export async function statementRoutes(app: FastifyInstance) {
  registerCrudRoutes(app, {
    store: statementStore,
    tag: 'Statements',
    schemas: { record: StatementSchema, create: StatementCreateSchema, patch: StatementPatchSchema, listQuery: StatementListQuerySchema },
    list: listStatements,
    notes: {
      list: 'Newest first by default. Filters combine with AND; a comma inside one filter means "any of". `topic` includes descendants.',
      create: 'Every referenced actor, event, source, topic and statement must exist (422 naming each that does not).',
      remove: 'A statement still cited as evidence by a position, or answered by another statement, cannot be deleted.',
    },
    examples: {
      create: {
        id: 'fo-2024-04-04-no-talks-with-ttp',
        text: 'Pakistan is not holding any talks with Tehreek-e-Taliban Pakistan (TTP) and has no plans to hold talks with them in future.',
        kind: 'paraphrase',
        speakerId: 'mumtaz-zahra-baloch',
        onBehalfOfId: 'pakistan',
        speakerRole: 'Foreign Office Spokesperson',
        statedOn: '2024-04-04',
        sourceIds: ['the-news-2024-04-05-pakistan-not-in-talks-with-ttp'],
        topicIds: ['talks-with-ttp'],
        acts: ['rejectNegotiation'],
        language: 'en',
      },
      patch: { acts: ['rejectNegotiation', 'statement'] },
    },
  });
}
