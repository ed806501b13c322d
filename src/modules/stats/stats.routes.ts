// GET /v1/stats/statements and /v1/stats/stances: the numbers dashboards chart.
import type { FastifyInstance } from 'fastify';
import { KeptAnswers } from '../../lib/answer-cache.js';
import { canonicalEntries } from '../../lib/cursor.js';
import { ref } from '../../lib/schemas.js';
import {
  DIMENSIONS,
  parseGroupBy,
  type StanceMatrixQuery,
  StanceMatrixQuerySchema,
  StanceMatrixSchema,
  type StatementStatsQuery,
  StatementStatsQuerySchema,
  StatementStatsSchema,
} from './stats.schema.js';

/** The last 32 answers (an answer by topic × month can weigh hundreds of kilobytes). */
const keptStats = new KeptAnswers({ answers: 32, bytes: 32 * 1024 * 1024 });

export const statsSchemas = [StatementStatsSchema, StanceMatrixSchema];

export async function statsRoutes(app: FastifyInstance) {
  app.get(
    '/v1/stats/statements',
    {
      schema: {
        operationId: 'getStatementStats',
        tags: ['Stats'],
        summary: 'Count statements by dimension',
        description: [
          `Counts the statements matching the filters (the same filters as GET /v1/statements) grouped by one or two of: ${DIMENSIONS.join(', ')}.`,
          '`groupBy=topic,month` answers "topic by month" in one call.',
          '',
          'What the numbers mean:',
          "- `count` is the number of distinct statements in the cell, equal to the `total` of GET /v1/statements with the same filters, that cell's values as filters, and `count=true`. A statement counts once per cell.",
          '- A `topic` cell counts the statements about that topic or any of its descendants, like the `topic` filter: a statement about `talks-with-ttp` counts under `talks-with-ttp`, `ttp` and `counter-terrorism`.',
          '- A statement with several topics, addressees or acts counts in the cell of each, so the counts of those dimensions can add up to more than `total`; for the others they add up to `total`.',
          '- `null` cells: undated statements (`month`, `year`), no `onBehalfOf` recorded, no topic, addressee or act.',
          '- `total` is the number of distinct statements matching the filters.',
          '',
          'Cells are sorted by count, largest first, then by their values (null last). Only cells with statements are listed.',
        ].join('\n'),
        querystring: StatementStatsQuerySchema,
        response: {
          200: { ...ref(StatementStatsSchema), description: 'The counts.' },
        },
        problems: {
          VALIDATION_FAILED:
            'A parameter is not valid, or is not one this operation takes, or `groupBy` names an unknown or repeated dimension.',
        },
        examples: {
          responses: {
            200: {
              actsOnTalks: {
                summary: 'Acts in statements on talks with the TTP',
                description: 'Answer to `GET /v1/stats/statements?groupBy=act&topic=talks-with-ttp` on the seeded server.',
                value: {
                  groupBy: ['act'],
                  total: 2,
                  data: [
                    { count: 1, act: 'appeal' },
                    { count: 1, act: 'rejectNegotiation' },
                  ],
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { groupBy, ...filters } = request.query as StatementStatsQuery;
      const dimensions = parseGroupBy(groupBy);
      return keptStats.send(app.storage, reply, `statements ${JSON.stringify([dimensions, canonicalEntries(filters)])}`, () =>
        app.storage.stats.statements(dimensions, filters),
      );
    },
  );

  app.get(
    '/v1/stats/stances',
    {
      schema: {
        operationId: 'getStanceMatrix',
        tags: ['Stats'],
        summary: 'The actor × topic matrix of stances on a date',
        description:
          'For each actor and topic, the stance of the position the actor held on `asOf` (validFrom ≤ asOf, and validTo null or after asOf; a position whose start is not known is not known to be held on any date), ' +
          'with the position that says so. `asOf` defaults to today (UTC). `topic` includes descendants. ' +
          'A pair with no position held on that date has no cell; `actors` and `topics` list the rows and columns that have at least one.',
        querystring: StanceMatrixQuerySchema,
        response: {
          200: { ...ref(StanceMatrixSchema), description: 'The matrix.' },
        },
        examples: {
          responses: {
            200: {
              talksWithTtp: {
                summary: 'Who supported or opposed talks with the TTP on 4 April 2024',
                description:
                  "Answer to `GET /v1/stats/stances?topic=talks-with-ttp&asOf=2024-04-04` on the seeded server. The Afghan deputy interior minister's support has no cell: his undated advice does not show it held on that date.",
                value: {
                  asOf: '2024-04-04',
                  actors: ['pakistan'],
                  topics: ['talks-with-ttp'],
                  cells: [
                    {
                      actorId: 'pakistan',
                      topicId: 'talks-with-ttp',
                      stance: 'opposes',
                      positionId: 'pakistan-opposes-talks-with-ttp-from-2024-04-04',
                      summary: 'Pakistan is not holding any talks with the TTP and has no plans to hold talks with them in future.',
                      validFrom: '2024-04-04',
                      validTo: null,
                    },
                  ],
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { asOf, ...filters } = request.query as StanceMatrixQuery;
      const query = { ...filters, asOf: asOf ?? new Date().toISOString().slice(0, 10) };
      return keptStats.send(app.storage, reply, `stances ${JSON.stringify(canonicalEntries(query))}`, () =>
        app.storage.stats.stances(query),
      );
    },
  );
}
