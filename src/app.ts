// buildApp: the whole service as a Fastify instance, ready to listen or to be injected in tests.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Fastify from 'fastify';
import type { Config } from './config.js';
import { AppError, type ErrorCode } from './lib/errors.js';
import { problemRoutes } from './lib/problems.js';
import { ProblemSchema } from './lib/schemas.js';
import { cleanBody } from './lib/trim.js';
import { schemaController } from './lib/validation.js';
import { actorRoutes, actorSchemas } from './modules/actors/actors.routes.js';
import { eventRoutes, eventSchemas } from './modules/events/events.routes.js';
import { extractRoutes, extractSchemas } from './modules/extract/extract.routes.js';
import { importRoutes, importSchemas } from './modules/imports/imports.routes.js';
import { positionRoutes, positionSchemas } from './modules/positions/positions.routes.js';
import { revisionRoutes, revisionSchemas } from './modules/revisions/revisions.routes.js';
import { sourceRoutes, sourceSchemas } from './modules/sources/sources.routes.js';
import { statementRoutes, statementSchemas } from './modules/statements/statements.routes.js';
import { statsRoutes, statsSchemas } from './modules/stats/stats.routes.js';
import { topicRoutes, topicSchemas } from './modules/topics/topics.routes.js';
import { vocabularyRoutes, vocabularySchemas } from './modules/vocabularies/vocabularies.routes.js';
import { authPlugin } from './plugins/auth.js';
import { dbPlugin } from './plugins/db.js';
import { errorsPlugin, sendProblem } from './plugins/errors.js';
import { hardeningPlugin } from './plugins/hardening.js';
import { healthPlugin } from './plugins/health.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { openapiPlugin } from './plugins/openapi.js';

export type AppConfig = Pick<Config, 'databasePath' | 'logLevel' | 'authDisabled' | 'seed'> &
  Partial<Pick<Config, 'corsOrigins' | 'rateLimit'>> & {
    /** Answer 503 while the event loop is stalled (the server sets it; injected tests do not). */
    shedLoad?: boolean;
    /** How long a request may take to arrive whole (default REQUEST_TIMEOUT_MS). */
    requestTimeoutMs?: number;
  };

/**
 * How long a request may take to arrive whole; a client trickling its body gets a 408 after this. Long
 * enough for a streamed NDJSON import of a large archive; split bigger archives into several requests.
 */
export const REQUEST_TIMEOUT_MS = 300_000;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export async function buildApp(config: AppConfig) {
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'] },
    schemaController,
    // A caller's own X-Request-Id is kept when it is sane, so logs on both sides line up.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Node checks request timeouts every connectionsCheckingInterval (30 s by default): check each second.
    serverFactory: (handler) => {
      const requestTimeout = config.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
      return createServer({ requestTimeout, headersTimeout: Math.min(requestTimeout, 10_000), connectionsCheckingInterval: 1000 }, handler);
    },
    keepAliveTimeout: 5_000,
    // On close (after the drain, see server.ts) a request that still arrives on an open connection is answered as
    // usual, not refused with Fastify's bare 503; only idle connections are dropped; requests in flight finish.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    // Errors Fastify answers before routing (a malformed URL, a bad Content-Type header) leave as problems too.
    frameworkErrors: (error, request, reply) => {
      const known: ErrorCode = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED';
      reply.header('x-request-id', request.id);
      sendProblem(request, reply, new AppError(known, `${error.message}.`));
    },
  });

  await app.register(errorsPlugin);
  // Tests and scripts build apps without these; the server passes what the environment says.
  await app.register(hardeningPlugin, {
    corsOrigins: config.corsOrigins ?? [],
    rateLimit: config.rateLimit ?? 0,
    shedLoad: config.shedLoad ?? false,
  });
  await app.register(dbPlugin, { databasePath: config.databasePath, seed: config.seed });
  await app.register(authPlugin, { disabled: config.authDisabled });
  await app.register(idempotencyPlugin);
  await app.register(openapiPlugin);

  for (const schema of [
    ProblemSchema,
    ...actorSchemas,
    ...topicSchemas,
    ...sourceSchemas,
    ...eventSchemas,
    ...statementSchemas,
    ...positionSchemas,
    ...importSchemas,
    ...extractSchemas,
    ...vocabularySchemas,
    ...statsSchemas,
    ...revisionSchemas,
  ]) {
    app.addSchema(schema);
  }

  // Bodies are JSON; text/plain would otherwise reach validation as a string and read as a 400 about types.
  app.removeContentTypeParser('text/plain');
  // Invalid UTF-8 would otherwise be decoded into U+FFFD and stored mangled: refuse it instead.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      done(
        new AppError('VALIDATION_FAILED', 'The body is not valid UTF-8.', {
          errors: [{ in: 'body', path: '', message: 'is not valid UTF-8' }],
        }),
        undefined,
      );
      return;
    }
    parseJson(request, text, done);
  });

  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && request.body !== null && typeof request.body === 'object') {
      request.body = cleanBody(request.body);
    }
  });

  await app.register(healthPlugin);
  await app.register(problemRoutes);
  await app.register(actorRoutes);
  await app.register(topicRoutes);
  await app.register(sourceRoutes);
  await app.register(eventRoutes);
  await app.register(statementRoutes);
  await app.register(positionRoutes);
  await app.register(importRoutes);
  await app.register(extractRoutes);
  await app.register(vocabularyRoutes);
  await app.register(statsRoutes);
  await app.register(revisionRoutes);
  return app;
}
