// HTTP routes of statements.
import type { FastifyInstance } from 'fastify';
import { nextUrl, registerCrudRoutes } from '../../lib/crud-routes.js';
import type { ListQuery } from '../../lib/pagination.js';
import { Page, ProblemSchema, ref } from '../../lib/schemas.js';
import { SEARCH_SYNTAX } from './statements.fts.js';
import { listStatements, statementExpansions, statementStore } from './statements.queries.js';
import {
  SearchQuerySchema,
  StatementCreateSchema,
  StatementListQuerySchema,
  StatementPatchSchema,
  StatementSchema,
} from './statements.schema.js';

export const statementSchemas = [StatementSchema, StatementCreateSchema, StatementPatchSchema];

export async function statementRoutes(app: FastifyInstance) {
  app.get(
    '/v1/search',
    {
      schema: {
        operationId: 'searchStatements',
        tags: ['Statements'],
        summary: 'Search statements',
        description:
          `Full-text search over statements: their text, the question or criticism they answer, and the names and aliases of their topics ` +
          `(so "Besham" finds what is filed under Bisham). Ranked by relevance unless \`sort\` says otherwise; each hit has a \`snippet\`. ` +
          `Takes every filter of GET /v1/statements and pages the same way. ${SEARCH_SYNTAX}`,
        querystring: SearchQuerySchema,
        response: {
          200: { ...Page(ref(StatementSchema)), description: 'A page of matching statements.' },
          400: { ...ref(ProblemSchema), description: 'A parameter is not valid, or the query has nothing to search for.' },
        },
      },
    },
    async (request, reply) => {
      const query = request.query as ListQuery & Record<string, unknown>;
      const page = listStatements(app.db, query);
      if (page.nextCursor) reply.header('link', `<${nextUrl(request, page.nextCursor)}>; rel="next"`);
      return { ...page, data: statementExpansions.apply(app.db, page.data, query.expand as string | undefined) };
    },
  );

  registerCrudRoutes(app, {
    store: statementStore,
    tag: 'Statements',
    schemas: { record: StatementSchema, create: StatementCreateSchema, patch: StatementPatchSchema, listQuery: StatementListQuerySchema },
    list: listStatements,
    expand: statementExpansions,
    export: {
      columns: [
        'id',
        'statedOn',
        'kind',
        'speakerId',
        'onBehalfOfId',
        'speakerRole',
        'text',
        'context',
        'eventId',
        'sourceIds',
        'topicIds',
        'addresseeIds',
        'acts',
        'respondsToId',
        'language',
        'createdAt',
        'updatedAt',
        'version',
      ],
      csvRow: (statement) => statement,
    },
    notes: {
      list: 'Newest first by default; with `q`, by relevance, each with a `snippet`. Filters combine with AND; a comma inside one filter means "any of". `topic` includes descendants.',
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
