// HTTP routes of statements.
import type { FastifyInstance } from 'fastify';
import { KeptAnswers } from '../../lib/answer-cache.js';
import { registerCrudRoutes, sendPage } from '../../lib/crud-routes.js';
import { SAMPLE_IDS, seededRecord } from '../../lib/examples.js';
import type { ListQuery } from '../../lib/pagination.js';
import { Page, ref } from '../../lib/schemas.js';
import { COUNTED_MATCHES, RANKED_MATCHES, SEARCH_SYNTAX } from '../../lib/search.js';
import {
  SearchQuerySchema,
  STATEMENT_EXPANSIONS,
  type Statement,
  StatementCreateSchema,
  StatementListQuerySchema,
  StatementPatchSchema,
  StatementSchema,
} from './statements.schema.js';

/** Answers to the last searches (a page of 20 hits weighs about 20 KB), and their bound in MiB: a popular search is asked again and again, and ranking is the costly part. */
const KEPT_SEARCHES = 256;
const KEPT_SEARCH_MIB = 16;
const keptSearches = new KeptAnswers({ answers: KEPT_SEARCHES, bytes: KEPT_SEARCH_MIB * 1024 * 1024 });

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
          `Relevance (BM25) ranks the ${RANKED_MATCHES.toLocaleString('en')} most recently recorded matches that pass the filters (pages by relevance end after them), so a common word answers as fast as a rare one (at equal scores the more recently recorded comes first). ` +
          `A term's weight needs the number of statements it matches: counted up to ${COUNTED_MATCHES.toLocaleString('en')}, and past that estimated from how densely its newest ${COUNTED_MATCHES.toLocaleString('en')} matches lie among the statements recorded since the oldest of them; ` +
          `\`count=true\` still counts every match, and \`sort=-statedOn\` (or any other sort) walks every match. ` +
          `Takes every filter of GET /v1/statements and pages the same way. ` +
          `The answers to the last ${KEPT_SEARCHES} searches, here and by \`q\` on GET /v1/statements (${KEPT_SEARCH_MIB} MiB at most), are kept until any data changes, so a search asked again is answered without ranking anew. ${SEARCH_SYNTAX}`,
        querystring: SearchQuerySchema,
        response: {
          200: {
            description: 'A page of matching statements.',
            headers: { Link: { type: 'string', description: 'The next page, as `<url>; rel="next"`; absent on the last page.' } },
            content: { 'application/json': { schema: Page(ref(StatementSchema)) } },
          },
        },
        problems: {
          VALIDATION_FAILED: 'A parameter is not valid, or is not one this operation takes, or `q` has nothing to search for.',
          INVALID_CURSOR: 'The cursor was issued for other filters or another sort, or is damaged.',
        },
        examples: {
          responses: {
            200: {
              talks: {
                summary: 'The spokesperson on talks',
                description: 'Answer to `GET /v1/search?q=talks&speaker=mumtaz-zahra-baloch` on the seeded server.',
                value: {
                  data: [
                    {
                      // A paraphrase: there are no exact words to check against the source.
                      ...seededRecord('statements', SAMPLE_IDS.statements, { verified: null }),
                      snippet:
                        'Pakistan is not holding any <mark>talks</mark> with Tehreek-e-Taliban Pakistan (TTP) and has no plans to hold <mark>talks</mark> with them in future.',
                      score: -3.197451302561056,
                    },
                  ],
                  nextCursor: null,
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const query = request.query as ListQuery & Record<string, unknown>;
      return sendPage(app.storage, request, reply, keptSearches, async () => {
        const page = await app.storage.search.statements<Statement>(query);
        const requested = query.expand as string | undefined;
        return requested ? { ...page, data: await app.storage.lists.expand('statements', page.data, requested) } : page;
      });
    },
  );

  registerCrudRoutes<object, Statement>(app, {
    collection: 'statements',
    tag: 'Statements',
    schemas: { record: StatementSchema, create: StatementCreateSchema, patch: StatementPatchSchema, listQuery: StatementListQuerySchema },
    expand: { names: STATEMENT_EXPANSIONS },
    kept: { answers: keptSearches, when: (query) => query.q !== undefined },
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
        'respondsToIds',
        'language',
        'createdAt',
        'updatedAt',
        'version',
      ],
      csvRow: (statement) => statement,
    },
    notes: {
      list: 'Newest first by default; with `q`, by relevance (among the newest matches, as GET /v1/search says), each with a `snippet`, and the answer is kept as GET /v1/search keeps its own. Filters combine with AND; a comma inside one filter means "any of". `topic` includes descendants.',
      create: 'Every referenced actor, event, source, topic and statement must exist (422 naming each that does not).',
      remove: 'A statement still cited as evidence by a position, or answered by another statement, cannot be deleted.',
    },
    problems: {
      create: {
        UNKNOWN_REFERENCE:
          'speakerId, onBehalfOfId, eventId, sourceIds, topicIds, addresseeIds or respondsToIds names a record that does not exist; `errors` names each.',
        INVALID_RECORD: 'The statement responds to itself (respondsToIds names its own id).',
      },
      update: {
        UNKNOWN_REFERENCE:
          'speakerId, onBehalfOfId, eventId, sourceIds, topicIds, addresseeIds or respondsToIds names a record that does not exist; `errors` names each.',
        INVALID_RECORD: 'The statement responds to itself (respondsToIds names its own id).',
      },
    },
    examples: {
      // A paraphrase: no exact words to check against the source.
      derived: { verified: null },
      label: 'The FO: no talks with the TTP',
      listQuery: 'topic=talks-with-ttp&speaker=mumtaz-zahra-baloch',
      listLabel: 'What the FO spokesperson said on talks with the TTP',
      patch: { label: 'One more act', value: { acts: ['rejectNegotiation', 'reject'] } },
    },
  });
}
