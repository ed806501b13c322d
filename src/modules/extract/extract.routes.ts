// POST /v1/extract: a briefing's text → a draft import bundle with spans and warnings; writes nothing.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../lib/errors.js';
import { ref } from '../../lib/schemas.js';
import { extract } from './extract.engine.js';
import {
  EXTRACT_BODY_LIMIT,
  EXTRACT_LINES_MAX,
  type ExtractRequest,
  ExtractRequestSchema,
  ExtractResultSchema,
  ExtractSpanSchema,
  ExtractWarningSchema,
} from './extract.schema.js';

/** A short briefing written for the documentation, and what extraction makes of it on an empty archive. */
const EXAMPLE = {
  text: "Foreign Ministry Spokesperson Anna Berg's Regular Press Conference on March 3, 2025\n\nQ: Neighbouring states held talks on the river dispute yesterday. What is your comment?\n\nA: We welcome the talks. We urge both sides to keep to dialogue.",
  source: { publisher: 'Ministry of Foreign Affairs', url: 'https://mfa.example/briefings/2025-03-03' },
};

export const extractSchemas = [ExtractRequestSchema, ExtractSpanSchema, ExtractWarningSchema, ExtractResultSchema];

export async function extractRoutes(app: FastifyInstance) {
  app.post(
    '/v1/extract',
    {
      onRequest: app.requireKey,
      bodyLimit: EXTRACT_BODY_LIMIT,
      schema: {
        operationId: 'extractBundle',
        tags: ['Extraction'],
        summary: "Draft a bundle from a briefing's text",
        description:
          'Reads an official Q&A transcript or a news report and answers a draft bundle, exactly as POST /v1/imports takes it: each answer turn ' +
          '(transcripts) or direct quotation (reports) as a `quote` statement whose text stands verbatim in the input, reported speech as ' +
          '`paraphrase` statements, speakers from labels and attributions (pronouns and roles resolved to the person named), the question each ' +
          'answer takes up as its `context`, `statedOn` from the text (relative days resolved against the dateline or `source.publishedOn`), acts ' +
          'from the wording and topics from the names and aliases of stored topics. Stored actors (by name or alias), topics and the source (by URL) ' +
          'are reused whole; new ones are proposed with ids. The source carries the text, so its quotes can be verified once imported.\n\n' +
          '`spans` says where each statement (and its question) stands in `text`, as trimmed at its ends like every string of a body; `warnings` ' +
          'lists what could not be decided. Nothing is stored: review the bundle, then POST it to /v1/imports. Needs a key with the write scope.',
        security: [{ bearerAuth: [] }],
        body: ref(ExtractRequestSchema),
        response: {
          200: { ...ref(ExtractResultSchema), description: 'The draft bundle, the spans of its statements and the warnings.' },
        },
        problems: {
          VALIDATION_FAILED: `The body is not valid: a missing or empty text, control characters (binary data), more than ${EXTRACT_LINES_MAX} lines, an unknown field; \`errors\` names each.`,
        },
        examples: {
          body: { transcript: { summary: 'A two-turn transcript', value: EXAMPLE } },
          responses: {
            200: {
              transcript: {
                summary: 'Its draft bundle',
                description: 'Answer to the example body on an empty archive (nothing stored to reuse).',
                value: extract(EXAMPLE),
              },
            },
          },
        },
      },
    },
    async (request) => {
      const body = request.body as ExtractRequest;
      let lines = 1;
      for (let i = body.text.indexOf('\n'); i >= 0; i = body.text.indexOf('\n', i + 1)) {
        if (++lines > EXTRACT_LINES_MAX) {
          throw new AppError(
            'VALIDATION_FAILED',
            `The text has more than ${EXTRACT_LINES_MAX} lines: no briefing is that long; split it.`,
            {
              errors: [{ in: 'body', path: '/text', message: `has more than ${EXTRACT_LINES_MAX} lines` }],
            },
          );
        }
      }
      return extract(body, await app.storage.extract.archive());
    },
  );
}
