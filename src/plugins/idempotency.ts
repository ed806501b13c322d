// Safe retries: a POST with an Idempotency-Key is answered once; a retry with the same key and body gets
// the first answer again (Idempotent-Replayed: true) and writes nothing.
import type { FastifyRequest, onSendHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';
import { claimKey, findKey, hashBody, recordAnswer, releaseKey } from '../modules/idempotency/idempotency.service.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { caller: string; key: string };
  }
}

export const idempotencyPlugin = fp(
  async (app) => {
    const replay: preHandlerAsyncHookHandler = async (request: FastifyRequest, reply) => {
      const key = request.headers['idempotency-key'];
      if (request.method !== 'POST' || key === undefined) return;
      if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
        throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {
          errors: [{ in: 'header', path: '/idempotency-key', message: 'must be 1 to 255 visible ASCII characters' }],
        });
      }
      if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
        throw new AppError(
          'VALIDATION_FAILED',
          'Idempotency-Key applies to JSON bodies; an NDJSON import is already idempotent record by record.',
          {
            errors: [{ in: 'header', path: '/idempotency-key', message: 'applies to JSON bodies only' }],
          },
        );
      }
      const caller = request.keyName ?? 'anonymous';
      const path = request.url.split('?')[0] ?? request.url;
      const bodyHash = hashBody({ query: request.query, body: request.body });
      const entry = { caller, key, method: request.method, path, bodyHash };
      // Looked up first (a retry is the common case), then claimed in one write that finds a claim made meanwhile.
      const stored = (await findKey(app.storage, caller, key)) ?? (await claimKey(app.storage, entry));
      if (stored) {
        if (stored.method !== request.method || stored.path !== path || stored.bodyHash !== bodyHash) {
          throw new AppError(
            'IDEMPOTENCY_KEY_REUSED',
            `Idempotency-Key '${key}' was first used for another request; use a new key for a new request.`,
          );
        }
        if (stored.status === null)
          throw new AppError(
            'IDEMPOTENCY_IN_PROGRESS',
            `The first request with Idempotency-Key '${key}' is still being answered; retry shortly.`,
          );
        reply
          .code(stored.status)
          .headers(stored.headers ?? {})
          .header('idempotent-replayed', 'true');
        return reply.send(stored.body ?? '');
      }
      request.idempotency = { caller, key };
    };

    const record: onSendHookHandler = async (request, reply, payload) => {
      const entry = request.idempotency;
      if (!entry) return payload;
      request.idempotency = undefined;
      // A failure on our side is not an answer to keep: the retry should run again.
      if (reply.statusCode >= 500 || typeof payload !== 'string') {
        await releaseKey(app.storage, entry.caller, entry.key);
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await recordAnswer(app.storage, entry.caller, entry.key, { status: reply.statusCode, headers, body: payload });
      return payload;
    };

    // Only POSTs take an Idempotency-Key: other routes, reads above all, do not pay for two hooks that would
    // return at once. First among the route's own hooks, where an app-wide hook would have run.
    app.addHook('onRoute', (route) => {
      if (![route.method].flat().includes('POST')) return;
      route.preHandler = [replay, ...[route.preHandler ?? []].flat()];
      route.onSend = [record, ...[route.onSend ?? []].flat()];
    });
  },
  { name: 'idempotency', dependencies: ['db'] },
);
