// The OpenAPI 3.1 document, generated from the route schemas, at /openapi.json; interactive docs at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { ERRORS } from '../lib/errors.js';

export const openapiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Diplomatic Statements API',
          version: '1.0.0',
          description: [
            'What governments and officials say (statements), where they stand (positions), and where each word comes from (sources, events).',
            '',
            'Reads are public. Writes need `Authorization: Bearer <key>`; keys are made with `npm run keys -- create <name>`.',
            '',
            'Errors are RFC 9457 problems (`application/problem+json`) with a stable `code`:',
            '',
            ...Object.entries(ERRORS).map(([code, { status, title }]) => `- \`${code}\` (${status}): ${title}`),
          ].join('\n'),
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: [
          { name: 'Statements', description: 'What was said, by whom, when, where, to whom.' },
          { name: 'Positions', description: "An actor's stance on a topic over a period, with its evidence." },
          { name: 'Actors', description: 'States, bodies, organizations, groups and people.' },
          { name: 'Topics', description: 'The issues, as a tree.' },
          { name: 'Sources', description: 'Documents that report what was said.' },
          { name: 'Events', description: 'Occasions where things were said.' },
          { name: 'Stats', description: 'Counts and stance matrices for dashboards.' },
          { name: 'Vocabularies', description: 'The controlled lists, with the CAMEO code of each act.' },
          { name: 'Imports', description: 'Bulk upsert of whole briefings.' },
          { name: 'Service', description: 'Health, readiness and problem types.' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run keys -- create <name>`.' },
          },
        },
      },
      refResolver: {
        // Components are named after the schemas' $id (Statement, Problem), not def-0, def-1.
        buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
