// Reads are public, writes need `Authorization: Bearer <key>`, and a token sent must name a live key on any route.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';
import { assertScope, type Caller, identifyKey } from '../modules/keys/keys.service.js';

declare module 'fastify' {
  interface FastifyInstance {
    requireKey: onRequestHookHandler;
  }
  interface FastifyRequest {
    /** The name of the key that authorised this request. */
    keyName?: string;
  }
}

/** Who sent a request: a verified key, nobody (no Authorization header), or a refusal to answer with. */
export interface Identity {
  caller?: Caller;
  refusal?: { error: AppError; challenge: string };
}

// RFC 6750 §2.1: the scheme is case-insensitive, the token a b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Identifies the sender of each request once, however many hooks ask (the rate limit asks first, to pick the
 * bucket; the auth check after it refuses). With auth disabled every request is anonymous.
 */
export function requestIdentifier(app: FastifyInstance, disabled: boolean): (request: FastifyRequest) => Promise<Identity> {
  const known = new WeakMap<FastifyRequest, Identity>();
  return async (request) => {
    const header = request.headers.authorization;
    if (disabled || header === undefined) return {};
    let identity = known.get(request);
    if (identity) return identity;
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      identity = {
        refusal: {
          error: new AppError('UNAUTHORIZED', 'The Authorization header is not `Bearer <key>`; send an API key that way, or no header.'),
          challenge: 'Bearer error="invalid_request"',
        },
      };
    } else {
      try {
        identity = { caller: await identifyKey(app.storage, token) };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        identity = { refusal: { error, challenge: 'Bearer error="invalid_token"' } };
      }
    }
    known.set(request, identity);
    return identity;
  };
}

export const authPlugin = fp<{ disabled: boolean; identify: (request: FastifyRequest) => Promise<Identity> }>(
  async (app, { disabled, identify }) => {
    if (disabled) app.log.warn('AUTH_DISABLED=true: anyone can write');

    /** A made-up, revoked or expired token is refused on every route, reads included: it is never read as no token. */
    const refuseBadToken = async (request: FastifyRequest, reply: FastifyReply): Promise<Caller | undefined> => {
      const { caller, refusal } = await identify(request);
      if (refusal) {
        reply.header('www-authenticate', refusal.challenge);
        throw refusal.error;
      }
      if (caller) request.keyName = caller.name;
      return caller;
    };
    // Most reads send no token: then there is nothing to check, and no promise to wait for.
    const checkToken: onRequestHookHandler = (request, reply, done) => {
      if (disabled || request.headers.authorization === undefined) {
        done();
        return;
      }
      refuseBadToken(request, reply).then(() => done(), done);
    };

    const requireKey: onRequestHookHandler = async (request, reply) => {
      if (disabled) return;
      const caller = await refuseBadToken(request, reply);
      if (!caller) throw new AppError('UNAUTHORIZED', 'Writes need an API key: send Authorization: Bearer <key>.');
      assertScope(caller, 'write');
    };
    app.decorate('requireKey', requireKey);

    // The check goes last among a route's onRequest hooks, after the rate limit's (registered before this
    // plugin), so a refused token still spends its sender's budget: guessing keys is rate-limited too.
    app.addHook('onRoute', (route) => {
      const hooks = [route.onRequest ?? []].flat() as onRequestHookHandler[];
      const guarded = hooks.includes(requireKey);
      route.onRequest = [...hooks.filter((hook) => hook !== requireKey), guarded ? requireKey : checkToken];
    });
  },
  { name: 'auth', dependencies: ['db'] },
);
