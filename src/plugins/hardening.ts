// Facing the open internet: security headers, CORS, a rate limit per key or IP, and shedding load early.
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { AppError } from '../lib/errors.js';
import { sendProblem } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes long bodies (imports): it has the longer budget for its request to arrive whole. */
    longBody?: boolean;
  }
}

/** Shed load when the event loop's mean delay over a sample is over a second. */
const DEFAULT_SHEDDING = { maxEventLoopDelayMs: 1000, sampleIntervalMs: 1000 };

export interface HardeningOptions {
  corsOrigins: string[];
  /** Requests per minute per key (per IP when anonymous); 0: no limit. */
  rateLimit: number;
  /** Shed load with 503s when the event loop stalls; for a listening server, not for injected tests. */
  shedLoad: boolean | Partial<typeof DEFAULT_SHEDDING>;
  /** How long any request but an import may take to arrive whole. */
  bodyTimeoutMs: number;
  /** How long an import (a route with `config.longBody`) may take to arrive whole. */
  importTimeoutMs: number;
  /** The rate-limit bucket of a request: its verified key, else its address (never an unverified token). */
  bucketOf: (request: FastifyRequest) => Promise<string>;
}

export const hardeningPlugin = fp<HardeningOptions>(
  async (app, { corsOrigins, rateLimit: perMinute, shedLoad, bodyTimeoutMs, importTimeoutMs, bucketOf }) => {
    // Every answer's own headers (its request id, so logs on both sides line up, and Helmet's security headers),
    // and the body's budget, in one hook: each hook is a step of Fastify's chain on every request, and these
    // were three (docs/performance.md, Reads).
    const security = securityHeaders({ contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'cross-origin' } });
    app.addHook('onRequest', (request, reply, done) => {
      // On the reply, not the raw response: then Node takes them all in writeHead, which checks each once, where
      // its setHeader checks each and stores it again.
      reply.header('x-request-id', request.id);
      for (const name of security.removed) reply.raw.removeHeader(name);
      for (const [name, value] of security.set) reply.header(name, value);
      // A client that trickles its body would otherwise hold a connection (and what reads it) for as long as
      // Node's one timeout for every request, the import's. Each request gets its route's budget: past it, a
      // 408 problem, and the connection is closed, since the rest of the body cannot be told from a next request.
      // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112, 6.3): it arrived whole
      // with its headers, and most reads are such. Nothing to time, and no timer to make and clear.
      const { headers } = request;
      if (headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0') {
        done();
        return;
      }
      const budget = request.routeOptions.config.longBody ? importTimeoutMs : bodyTimeoutMs;
      const timer = setTimeout(() => {
        if (request.raw.complete) return;
        request.log.info(`the request did not arrive whole within ${budget} ms`);
        // Under way already (a streamed import's answer): it can only be cut off.
        if (reply.sent || reply.raw.headersSent) {
          request.raw.socket?.destroy();
          return;
        }
        reply.header('connection', 'close');
        sendProblem(
          request,
          reply,
          new AppError(
            'REQUEST_TIMEOUT',
            `The request did not arrive whole within ${budget / 1000} s${request.routeOptions.config.longBody ? '; split the archive into several requests' : ''}.`,
          ),
        );
      }, budget);
      timer.unref();
      reply.raw.once('close', () => clearTimeout(timer));
      done();
    });

    if (corsOrigins.length > 0) {
      await app.register(cors, {
        origin: corsOrigins.includes('*') ? '*' : corsOrigins,
        methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id'],
        exposedHeaders: [
          'ETag',
          'Link',
          'Location',
          'X-Request-Id',
          'Retry-After',
          'RateLimit-Limit',
          'RateLimit-Remaining',
          'RateLimit-Reset',
        ],
        maxAge: 600,
      });
    }

    if (perMinute > 0) {
      await app.register(rateLimit, {
        max: perMinute,
        timeWindow: 60_000,
        enableDraftSpec: true,
        // One budget per verified key; anonymous callers, and tokens that name no key, spend their address's.
        keyGenerator: bucketOf,
        errorResponseBuilder: (_request, context) =>
          new AppError('RATE_LIMITED', `More than ${context.max} requests in a minute; retry in ${Math.ceil(context.ttl / 1000)} s.`),
      });
    }

    if (!shedLoad) return;
    const { maxEventLoopDelayMs, sampleIntervalMs } = { ...DEFAULT_SHEDDING, ...(shedLoad === true ? {} : shedLoad) };

    // An import's bundle is one synchronous transaction (better-sqlite3), so while one runs the event loop is
    // busy by design, not drowning: the import yields between bundles and other requests are answered there.
    // A stall seen while an authorised import runs, or within the samples that measured it (a sample taken
    // during a stall longer than itself reads as infinite, and the next one may still see it), is the
    // import's own: it does not make the server refuse its importer's next bundle, nor anyone else. Any
    // other stall still sheds load.
    let importsRunning = 0;
    let lastImportEnded = Number.NEGATIVE_INFINITY;
    const importing = () => importsRunning > 0 || performance.now() - lastImportEnded < 3 * sampleIntervalMs;
    // preHandler: after the key is checked, so an anonymous import cannot turn shedding off. On the import
    // routes alone, so no other request pays for it.
    const countImport: preHandlerHookHandler = async (_request, reply) => {
      importsRunning += 1;
      reply.raw.once('close', () => {
        importsRunning -= 1;
        lastImportEnded = performance.now();
      });
    };
    app.addHook('onRoute', (route) => {
      if (route.config?.longBody) route.preHandler = [...[route.preHandler ?? []].flat(), countImport];
    });

    await app.register(underPressure, {
      // Answer 503 before the process drowns: the event loop blocked for over a second.
      maxEventLoopDelay: maxEventLoopDelayMs,
      sampleInterval: sampleIntervalMs,
      maxHeapUsedBytes: 0,
      maxRssBytes: 0,
      retryAfter: 10,
      pressureHandler: (request, reply, type) => {
        if (type === 'eventLoopDelay' && importing()) return;
        reply.header('retry-after', '10');
        sendProblem(request, reply, new AppError('UNAVAILABLE', 'The server is overloaded; retry in 10 s.'));
      },
    });
  },
  { name: 'hardening', dependencies: ['errors'] },
);

/**
 * Helmet's headers, worked out once: with these options they are the same on every answer (no CSP, so no
 * nonce), and building Helmet's middleware again for each request, as @fastify/helmet does, was a visible
 * share of a small read's time. Names in lower case, as the reply keeps them.
 */
function securityHeaders(options: HelmetOptions): { set: [string, string][]; removed: string[] } {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => set.push([name.toLowerCase(), String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  helmet(options)({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
  });
  return { set, removed };
}
