// Writes need `Authorization: Bearer <key>`; reads are public. `app.requireKey` guards a route.
import bearerAuth from '@fastify/bearer-auth';
import type { onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { authorizeKey } from '../modules/keys/keys.service.js';

declare module 'fastify' {
  interface FastifyInstance {
    requireKey: onRequestHookHandler;
  }
  interface FastifyRequest {
    /** The name of the key that authorised this request. */
    keyName?: string;
  }
}

export const authPlugin = fp<{ disabled: boolean }>(
  async (app, { disabled }) => {
    if (disabled) {
      app.log.warn('AUTH_DISABLED=true: anyone can write');
      app.decorate('requireKey', async () => {});
      return;
    }
    await app.register(bearerAuth, {
      addHook: false,
      keys: [],
      verifyErrorLogLevel: 'info',
      // Throws a 401 or 403 problem that says why (unknown, revoked, expired, lacking the scope).
      auth: (key, request) => {
        request.keyName = authorizeKey(app.db, key, 'write');
        return true;
      },
    });
    app.decorate('requireKey', app.verifyBearerAuth as unknown as onRequestHookHandler);
  },
  { name: 'auth', dependencies: ['db'] },
);
