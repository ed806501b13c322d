// Facing the open internet: security headers, CORS, a rate limit per key or IP, and shedding load early.
import { createHash } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import fp from 'fastify-plugin';
import { AppError } from '../lib/errors.js';
import { sendProblem } from './errors.js';

export interface HardeningOptions {
  corsOrigins: string[];
  /** Requests per minute per key (per IP when anonymous); 0: no limit. */
  rateLimit: number;
  /** Shed load with 503s when the event loop stalls; for a listening server, not for injected tests. */
  shedLoad: boolean;
}

export const hardeningPlugin = fp<HardeningOptions>(
  async (app, { corsOrigins, rateLimit: perMinute, shedLoad }) => {
    // The API serves JSON; the only HTML is /docs, whose Swagger UI needs inline styles, so no CSP here.
    await app.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'cross-origin' } });

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
        // One budget per key; anonymous callers share one per address. Only a hash of the key is kept.
        keyGenerator: (request) => {
          const header = request.headers.authorization;
          return header?.startsWith('Bearer ')
            ? `key:${createHash('sha256').update(header.slice(7).trim()).digest('base64url')}`
            : `ip:${request.ip}`;
        },
        errorResponseBuilder: (_request, context) =>
          new AppError('RATE_LIMITED', `More than ${context.max} requests in a minute; retry in ${Math.ceil(context.ttl / 1000)} s.`),
      });
    }

    if (!shedLoad) return;
    await app.register(underPressure, {
      // Answer 503 before the process drowns: the event loop blocked for over a second.
      maxEventLoopDelay: 1000,
      maxHeapUsedBytes: 0,
      maxRssBytes: 0,
      retryAfter: 10,
      pressureHandler: (request, reply) => {
        reply.header('retry-after', '10');
        sendProblem(request, reply, new AppError('UNAVAILABLE', 'The server is overloaded; retry in 10 s.'));
      },
    });
  },
  { name: 'hardening', dependencies: ['errors'] },
);

/**
 * The explorer's Content-Security-Policy, set by src/plugins/explorer.ts on `/` and its files only (the API
 * answers JSON, and /docs needs Swagger UI's inline styles). Scripts, styles, images and API calls come
 * from this origin alone: no inline script or style and no eval, so text in the data can never run even if
 * a bug let it in as markup; no plugins, no <base>, no framing, and forms submit nowhere else.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
