// Liveness and readiness probes.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

const Status = Type.Object({ status: Type.String() });

export async function healthRoutes(app: FastifyInstance) {
  app.get(
    '/health',
    {
      schema: {
        operationId: 'health',
        tags: ['Service'],
        summary: 'Liveness',
        description: 'Answers while the process runs.',
        response: { 200: { ...Status, description: 'Alive.' } },
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
        description: 'Answers 200 when the database answers a query, 503 otherwise.',
        response: { 200: { ...Status, description: 'Ready.' }, 503: { ...Status, description: 'The database does not answer.' } },
      },
    },
    async (_request, reply) => {
      try {
        app.db.$client.prepare('SELECT 1').get();
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'unavailable' });
      }
    },
  );
}
