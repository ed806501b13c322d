// GET /v1/vocabularies: every controlled list, so clients build their pickers from the API.
import type { FastifyInstance } from 'fastify';
import { ref } from '../../lib/schemas.js';
import { VOCABULARIES, VocabulariesQuerySchema, VocabulariesSchema } from './vocabularies.schema.js';

export const vocabularySchemas = [VocabulariesSchema];

export async function vocabularyRoutes(app: FastifyInstance) {
  app.get(
    '/v1/vocabularies',
    {
      schema: {
        operationId: 'getVocabularies',
        tags: ['Vocabularies'],
        summary: 'List the controlled vocabularies',
        description:
          'Every value the API accepts in its enumerated fields: actor, source, event and statement kinds, stances, evidence relations, ' +
          'and statement acts with their CAMEO event codes (`rejectNegotiation` → 125, `demand` → 10). ' +
          'Stances, relations and acts carry a short human label for pickers. The lists change only with a new release of the API.',
        querystring: VocabulariesQuerySchema,
        response: {
          200: { ...ref(VocabulariesSchema), description: 'The vocabularies.' },
        },
        problems: { VALIDATION_FAILED: 'A query parameter was sent: this operation takes none.' },
        examples: {
          responses: {
            200: {
              all: { summary: 'Every vocabulary', description: 'Answer to `GET /v1/vocabularies` on any server.', value: VOCABULARIES },
            },
          },
        },
      },
    },
    async () => VOCABULARIES,
  );
}
