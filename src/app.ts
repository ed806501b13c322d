// buildApp: the whole service as a Fastify instance, ready to listen or to be injected in tests.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Fastify, { type FastifyInstance, type preValidationHookHandler } from 'fastify';
import { type Config, storageOptions } from './config.js';
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
import { authPlugin, requestIdentifier } from './plugins/auth.js';
import { dbPlugin } from './plugins/db.js';
import { answerClientError, errorsPlugin, sendProblem } from './plugins/errors.js';
import { explorerPlugin } from './plugins/explorer.js';
import { type HardeningOptions, hardeningPlugin } from './plugins/hardening.js';
import { healthPlugin } from './plugins/health.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { openapiPlugin } from './plugins/openapi.js';

export type AppConfig = Pick<Config, 'databasePath' | 'logLevel' | 'authDisabled' | 'seed'> &
  Partial<Pick<Config, 'corsOrigins' | 'rateLimit' | 'bodyTimeoutMs' | 'importTimeoutMs' | 'databaseUrl' | 'databaseReadUrl'>> & {
    /** Answer 503 while the event loop is stalled (the server sets it; injected tests do not); tests may set the thresholds. */
    shedLoad?: HardeningOptions['shedLoad'];
  };

/**
 * How long a request may take to arrive whole, headers and body; a client trickling it gets a 408 after this,
 * so a slow client cannot hold a connection for long. Imports stream archives, for longer.
 */
export const BODY_TIMEOUT_MS = 30_000;
export const IMPORT_TIMEOUT_MS = 3_600_000;
/** Headers arrive in one packet from any real client: no budget of theirs need be longer. */
const HEADERS_TIMEOUT_MS = 10_000;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export async function buildApp(config: AppConfig) {
  const bodyTimeoutMs = config.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  const importTimeoutMs = config.importTimeoutMs ?? IMPORT_TIMEOUT_MS;
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'] },
    schemaController,
    // A caller's own X-Request-Id is kept when it is sane, so logs on both sides line up.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Node's own timeout is one for every request: it is the longest budget (an import's), a backstop. The
    // shorter budget of other requests is kept per request (see hardening). Node checks timeouts every
    // connectionsCheckingInterval (30 s by default): check each second.
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: importTimeoutMs + 1000,
          headersTimeout: Math.min(bodyTimeoutMs, HEADERS_TIMEOUT_MS),
          connectionsCheckingInterval: 1000,
        },
        handler,
      ),
    // What Node refuses before there is a request (an oversized URL or headers, malformed HTTP, headers that
    // do not arrive in time) leaves as a problem too, not as Node's or Fastify's bare answer.
    clientErrorHandler(this: FastifyInstance, error, socket) {
      answerClientError(this.log, error, socket);
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
  const identify = requestIdentifier(app, config.authDisabled);
  // Tests and scripts build apps without these; the server passes what the environment says.
  await app.register(hardeningPlugin, {
    corsOrigins: config.corsOrigins ?? [],
    rateLimit: config.rateLimit ?? 0,
    shedLoad: config.shedLoad ?? false,
    bodyTimeoutMs,
    importTimeoutMs,
    bucketOf: async (request) => {
      const { caller } = await identify(request);
      return caller ? `key:${caller.id}` : `ip:${request.ip}`;
    },
  });
  await app.register(dbPlugin, {
    storage: storageOptions(config),
    seed: config.seed,
  });
  await app.register(authPlugin, { disabled: config.authDisabled, identify });
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

  // Only on routes whose method carries a body: Fastify never reads one for GET or HEAD, and a route without
  // preValidation hooks skips that step, which every read used to run for nothing.
  const clean: preValidationHookHandler = (request, _reply, done) => {
    if (request.body !== undefined && request.body !== null && typeof request.body === 'object') {
      request.body = cleanBody(request.body);
    }
    done();
  };
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().every((method) => method === 'GET' || method === 'HEAD')) return;
    route.preValidation = [clean, ...[route.preValidation ?? []].flat()];
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
  await app.register(explorerPlugin);
  return app;
}
