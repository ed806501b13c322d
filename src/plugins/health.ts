// Liveness and readiness probes.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../lib/errors.js';

const Status = (value: string, description: string) =>
  Type.Object({ status: Type.Literal(value, { description }) }, { description, additionalProperties: false });

export async function healthRoutes(app: FastifyInstance) {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'health',
        tags: ['Service'],
        summary: 'Liveness',
        description: 'Answers 200 while the process runs; it asks nothing of the database.',
        response: { 200: Status('ok', 'Alive.') },
        examples: {
          responses: {
            200: { alive: { summary: 'Alive', description: 'Answer to `GET /health` on any server.', value: { status: 'ok' } } },
          },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/ready',
    {
      schema: {
        operationId: 'ready',
        tags: ['Service'],
        summary: 'Readiness',
        description: 'Answers 200 when the database answers a query, 503 (an `UNAVAILABLE` problem) otherwise.',
        response: { 200: Status('ready', 'Ready: the database answers.') },
        problems: { UNAVAILABLE: 'The database does not answer.' },
        examples: {
          responses: {
            200: { ready: { summary: 'Ready', description: 'Answer to `GET /ready` on any server.', value: { status: 'ready' } } },
          },
        },
      },
    },
    async (request) => {
      try {
        app.db.$client.prepare('SELECT 1').get();
      } catch (error) {
        request.log.error({ err: error }, 'the database does not answer');
        throw new AppError('UNAVAILABLE', 'The database does not answer.');
      }
      return { status: 'ready' };
    },
  );
}
