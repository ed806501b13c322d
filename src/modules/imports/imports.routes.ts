// POST /v1/imports: bulk upsert of a bundle (JSON), or of one bundle a line (NDJSON, streamed); atomic per bundle, every error reported.
import { Readable } from 'node:stream';
import { setImmediate as nextTick } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../lib/errors.js';
import { seedSlice } from '../../lib/examples.js';
import { ref } from '../../lib/schemas.js';
import type { Bundle, ImportLineResult } from './imports.schema.js';
import { BundleSchema, ImportLineResultSchema, ImportQuerySchema, ImportResultSchema, NDJSON_LINE_LIMIT } from './imports.schema.js';
import { runImport } from './imports.service.js';
import { describeBytes, importLines } from './imports.stream.js';

export const importSchemas = [BundleSchema, ImportResultSchema, ImportLineResultSchema];

const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;
export const NDJSON = 'application/x-ndjson';

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw body of an NDJSON import, read by the handler line by line instead of being parsed up front. */
    ndjsonBody?: NodeJS.ReadableStream;
  }
}

/** The part of the FO briefing about talks with the TTP: both sides' statements and positions, and all they refer to. */
const talksWithTtp = () =>
  seedSlice({
    sources: ['the-news-2024-04-05-pakistan-not-in-talks-with-ttp'],
    events: ['fo-weekly-press-briefing-2024-04-04'],
    actors: [
      'pakistan',
      'pakistan-mofa',
      'mumtaz-zahra-baloch',
      'ttp',
      'afghanistan',
      'afghanistan-interim-government',
      'afghan-deputy-interior-minister',
    ],
    topics: ['counter-terrorism', 'ttp', 'talks-with-ttp'],
    statements: ['afghan-deputy-interior-minister-advice-pakistan-ttp-dialogue', 'fo-2024-04-04-no-talks-with-ttp'],
    positions: ['pakistan-opposes-talks-with-ttp-from-2024-04-04', 'afghan-deputy-interior-minister-supports-talks-with-ttp'],
  });

/** What importing `bundle` into an empty database answers: every record created. */
const createdCounts = (bundle: Record<string, unknown[]>) =>
  Object.fromEntries(Object.entries(bundle).map(([entity, records]) => [entity, { created: records.length, updated: 0, unchanged: 0 }]));

export async function importRoutes(app: FastifyInstance) {
  // Only this plugin reads NDJSON (it is encapsulated). The stream is kept aside for the handler; in its
  // place validation and the body hooks see an empty bundle, so nothing buffers or walks the body.
  app.decorateRequest('ndjsonBody', undefined);
  app.addContentTypeParser(NDJSON, (request, payload, done) => {
    request.ndjsonBody = payload;
    done(null, {});
  });
  const example = talksWithTtp();

  app.post(
    '/v1/imports',
    {
      onRequest: app.requireKey,
      bodyLimit: IMPORT_BODY_LIMIT,
      config: { longBody: true },
      schema: {
        operationId: 'importBundle',
        tags: ['Imports'],
        summary: 'Import a bundle, or stream many (NDJSON)',
        description:
          'Upserts every record of the bundle by id: absent → created, present and different → updated (version + 1), present and identical → unchanged. ' +
          'Atomic: one error and nothing of the bundle is stored; the 422 lists every error with a JSON Pointer into the bundle (`/statements/3/speakerId`). ' +
          'Running the same bundle twice changes nothing the second time. ' +
          'In a bundle, a position whose validTo is null ends where a later position of the same actor and topic starts, so a timeline imports in any order.\n\n' +
          '**JSON** (`application/json`): one bundle of up to 64 MiB; the answer is its counts per entity.\n\n' +
          `**NDJSON** (\`${NDJSON}\`): one bundle a line, for archives of any size. Each line is validated and imported in its own transaction as it arrives; ` +
          `the answer (200, \`${NDJSON}\`) streams one result per line holding a bundle, in order — \`{ line, status: "ok", counts }\` or ` +
          '`{ line, status: "failed", code, detail, errors }` (errors with JSON Pointers into that line\'s bundle; nothing of that line stored) — ' +
          'and ends with `{ status: "done", lines, ok, failed, counts }`; an answer without it was cut off. Empty lines are skipped; `line` counts them. ' +
          `A line may hold up to ${describeBytes(NDJSON_LINE_LIMIT)} of UTF-8: when the first bundle of the body is longer, the answer is a 413 problem and the rest is not read; ` +
          'a longer line after that fails alone (PAYLOAD_TOO_LARGE) and the lines after it are imported. The body as a whole has no limit: ' +
          'the server holds one line at a time and reads no faster than it imports, so read the answer while sending. ' +
          'With dryRun, each line is checked against the stored data only: records that an earlier line of the same request would create do not exist yet.',
        security: [{ bearerAuth: [] }],
        querystring: ImportQuerySchema,
        body: ref(BundleSchema),
        consumes: ['application/json', NDJSON],
        response: {
          200: {
            description: `Imported (or, with dryRun, validated). A JSON body gets the counts of its bundle; an NDJSON body gets one ImportLineResult a line (${NDJSON}).`,
            content: { 'application/json': { schema: ref(ImportResultSchema) }, [NDJSON]: { schema: ref(ImportLineResultSchema) } },
          },
        },
        problems: {
          VALIDATION_FAILED:
            'The body is not JSON or not a bundle, or a parameter or field is not valid or not one this operation takes; `errors` names each.',
          PAYLOAD_TOO_LARGE: `A JSON body larger than 64 MiB, or an NDJSON body whose first bundle is longer than ${describeBytes(NDJSON_LINE_LIMIT)}.`,
          IMPORT_FAILED: 'Records break references or rules; `errors` lists every one with a JSON Pointer into the bundle.',
          INVALID_RECORD: 'The database refused the write (a backstop: the import checks first).',
        },
        examples: {
          body: { talksWithTtp: { summary: 'Talks with the TTP, from the FO briefing', value: example } },
          responses: {
            200: {
              talksWithTtp: {
                summary: 'Everything created',
                description: 'Answer to `POST /v1/imports` with the example bundle, on an empty database.',
                value: { dryRun: false, counts: createdCounts(example) },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { dryRun } = request.query as { dryRun: boolean };
      const ndjson = request.ndjsonBody;
      if (!ndjson) {
        // Parsing and validating a large bundle held the event loop: let the requests that queued meanwhile go
        // first, before the transaction holds it again.
        await nextTick();
        return runImport(app.storage, request.body as Bundle, { dryRun, author: { keyName: request.keyName } });
      }

      const results = importLines(app.storage, ndjson as AsyncIterable<Buffer>, {
        dryRun,
        author: { keyName: request.keyName },
        lineLimit: NDJSON_LINE_LIMIT,
        onInternalError: (error, line) => request.log.error({ err: error, line }, 'import of an NDJSON line failed'),
      });
      // The status is sent with the first result: until then, an oversized first bundle can still be a 413.
      let first: IteratorResult<ImportLineResult>;
      try {
        first = await results.next();
      } catch (error) {
        // The client went away before the first line was in: there is no one left to answer.
        if (!request.raw.destroyed) throw error;
        request.log.info({ err: error }, 'the client closed the connection during an NDJSON import');
        return reply.hijack();
      }
      if (!first.done && first.value.status === 'failed' && first.value.code === 'PAYLOAD_TOO_LARGE') {
        await results.return(undefined);
        // The rest of the body is not read: close the connection rather than leave it half-read.
        reply.header('connection', 'close');
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The first bundle (line ${first.value.line}) is longer than the limit of ${describeBytes(NDJSON_LINE_LIMIT)} a line; nothing was imported and the rest of the body was not read. Split large bundles across lines.`,
        );
      }
      return reply.type(`${NDJSON}; charset=utf-8`).send(Readable.from(asNdjson(first.value, results)));
    },
  );
}

async function* asNdjson(first: ImportLineResult | undefined, rest: AsyncIterable<ImportLineResult>): AsyncGenerator<string> {
  if (first) yield `${JSON.stringify(first)}\n`;
  for await (const result of rest) yield `${JSON.stringify(result)}\n`;
}
