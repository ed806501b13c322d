// The explorer: the web page at `/` and its files (explorer/ in the repository: plain ES modules and CSS,
// no build step), served with a strict CSP. It reads only the public /v1 API, as any client would.
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ROOT } from '../lib/paths.js';

const EXPLORER_FOLDER = join(ROOT, 'explorer');

/**
 * The explorer's Content-Security-Policy, set on `/` and its files only (the API
 * answers JSON, and /docs needs Swagger UI's inline styles). Scripts, styles, images and API calls come
 * from this origin alone: no inline script or style and no eval, so text in the data can never run even if
 * a bug let it in as markup; no plugins, no <base>, no framing, and forms submit nowhere else.
 */
const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Not wrapped in fastify-plugin: its CSP hook stays with its own routes. */
export async function explorerPlugin(app: FastifyInstance) {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', EXPLORER_CSP);
  });
  await app.register(fastifyStatic, {
    root: EXPLORER_FOLDER,
    prefix: '/explorer/',
    index: false,
    // Files keep their names across releases: revalidate by ETag (a 304 is cheap) rather than cache blind.
    cacheControl: true,
    maxAge: 0,
    schemaHide: true,
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.type('text/html; charset=utf-8').sendFile('index.html'));
}
