// buildApp: the whole service as a Fastify instance, ready to listen or to be injected in tests.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { Config } from './config.js';
import { problemRoutes } from './lib/problems.js';
import { ProblemSchema } from './lib/schemas.js';
import { trimStrings } from './lib/trim.js';
import { schemaController } from './lib/validation.js';
import { actorRoutes, actorSchemas } from './modules/actors/actors.routes.js';
import { eventRoutes, eventSchemas } from './modules/events/events.routes.js';
import { importRoutes, importSchemas } from './modules/imports/imports.routes.js';
import { positionRoutes, positionSchemas } from './modules/positions/positions.routes.js';
import { sourceRoutes, sourceSchemas } from './modules/sources/sources.routes.js';
import { statementRoutes, statementSchemas } from './modules/statements/statements.routes.js';
import { statsRoutes, statsSchemas } from './modules/stats/stats.routes.js';
import { topicRoutes, topicSchemas } from './modules/topics/topics.routes.js';
import { vocabularyRoutes, vocabularySchemas } from './modules/vocabularies/vocabularies.routes.js';
import { authPlugin } from './plugins/auth.js';
import { dbPlugin } from './plugins/db.js';
import { errorsPlugin } from './plugins/errors.js';
import { healthRoutes } from './plugins/health.js';
import { openapiPlugin } from './plugins/openapi.js';

export type AppConfig = Pick<Config, 'databasePath' | 'logLevel' | 'authDisabled' | 'seed'>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export async function buildApp(config: AppConfig) {
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    schemaController,
    // A caller's own X-Request-Id is kept when it is sane, so logs on both sides line up.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(errorsPlugin);
  await app.register(dbPlugin, { databasePath: config.databasePath, seed: config.seed });
  await app.register(authPlugin, { disabled: config.authDisabled });
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
    ...vocabularySchemas,
    ...statsSchemas,
  ]) {
    app.addSchema(schema);
  }

  // Bodies are JSON; text/plain would otherwise reach validation as a string and read as a 400 about types.
  app.removeContentTypeParser('text/plain');

  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && request.body !== null && typeof request.body === 'object') {
      request.body = trimStrings(request.body);
    }
  });

  await app.register(healthRoutes);
  await app.register(problemRoutes);
  await app.register(actorRoutes);
  await app.register(topicRoutes);
  await app.register(sourceRoutes);
  await app.register(eventRoutes);
  await app.register(statementRoutes);
  await app.register(positionRoutes);
  await app.register(importRoutes);
  await app.register(vocabularyRoutes);
  await app.register(statsRoutes);
  return app;
}
