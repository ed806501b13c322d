// Liveness and readiness probes, and the drain before a shutdown: not ready, and every answer closes its connection.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { AppError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Starts the drain before a shutdown: `/ready` answers 503 so load balancers stop sending, and every answer
     * carries `Connection: close` so keep-alive clients reconnect elsewhere. Requests are still answered as usual.
     */
    drain(): void;
  }
}

const Status = (value: string, description: string) =>
  Type.Object({ status: Type.Literal(value, { description }) }, { description, additionalProperties: false });

// A plugin that shares its decorator and hook with the whole app: every route's answer closes its connection.
export const healthPlugin = fp(
  async (app: FastifyInstance) => {
    let draining = false;
    app.decorate('drain', () => {
      draining = true;
    });
    // onSend, not onRequest: a request already in flight when the drain starts closes its connection too.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (draining) reply.header('connection', 'close');
      done(null, payload);
    });

    app.get(
      '/health',
      {
        schema: {
          operationId: 'health',
          tags: ['Service'],
          summary: 'Liveness',
          description: 'Answers 200 while the process runs, draining or not; it asks nothing of the database.',
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
          description:
            'Answers 200 when the database answers a query, 503 (an `UNAVAILABLE` problem) when it does not or when the ' +
            'server is shutting down: after SIGTERM it keeps answering every request for a grace period ' +
            '(`SHUTDOWN_GRACE_MS`) with `Connection: close`, so send new requests to another instance.',
          response: { 200: Status('ready', 'Ready: the database answers.') },
          problems: { UNAVAILABLE: 'The database does not answer, or the server is shutting down.' },
          examples: {
            responses: {
              200: { ready: { summary: 'Ready', description: 'Answer to `GET /ready` on any server.', value: { status: 'ready' } } },
            },
          },
        },
      },
      async (request) => {
        if (draining) throw new AppError('UNAVAILABLE', 'The server is shutting down; send new requests to another instance.');
        try {
          await app.storage.health();
        } catch (error) {
          request.log.error({ err: error }, 'the database does not answer');
          throw new AppError('UNAVAILABLE', 'The database does not answer.');
        }
        return { status: 'ready' };
      },
    );
  },
  { name: 'health', dependencies: ['db', 'errors'] },
);
