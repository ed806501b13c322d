// POST /v1/imports: bulk upsert of a bundle, atomic, with every error reported.
import type { FastifyInstance } from 'fastify';
import { ProblemSchema, ref } from '../../lib/schemas.js';
import type { Bundle } from './imports.schema.js';
import { BundleSchema, ImportQuerySchema, ImportResultSchema } from './imports.schema.js';
import { runImport } from './imports.service.js';

export const importSchemas = [BundleSchema, ImportResultSchema];

export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

export async function importRoutes(app: FastifyInstance) {
  app.post(
    '/v1/imports',
    {
      onRequest: app.requireKey,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        operationId: 'importBundle',
        tags: ['Imports'],
        summary: 'Import a bundle',
        description:
          'Upserts every record of the bundle by id: absent → created, present and different → updated (version + 1), present and identical → unchanged. ' +
          'Atomic: one error and nothing of the bundle is stored; the 422 lists every error with a JSON Pointer into the bundle (`/statements/3/speakerId`). ' +
          'Running the same bundle twice changes nothing the second time. In a bundle, a position whose validTo is null ends where a later position of the same actor and topic starts, so a timeline imports in any order. Body limit 64 MiB.',
        security: [{ bearerAuth: [] }],
        querystring: ImportQuerySchema,
        body: ref(BundleSchema),
        response: {
          200: { ...ref(ImportResultSchema), description: 'Imported (or, with dryRun, validated).' },
          400: { ...ref(ProblemSchema), description: 'The body is not a bundle: the problem lists each bad field.' },
          401: { ...ref(ProblemSchema), description: 'A valid API key is required.' },
          413: { ...ref(ProblemSchema), description: 'The body is larger than 64 MiB.' },
          422: { ...ref(ProblemSchema), description: 'Records break references or rules; every error is listed; nothing was stored.' },
        },
      },
    },
    async (request) => runImport(app.db, request.body as Bundle, { dryRun: (request.query as { dryRun: boolean }).dryRun }),
  );
}
