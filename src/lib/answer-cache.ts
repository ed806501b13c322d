// Serialized answers of aggregate reads (stats), kept until the data changes: a dashboard that many people
// reload asks the same question again and again, and the answer can weigh hundreds of kilobytes.
import type { FastifyReply } from 'fastify';
import type { Db } from '../db/client.js';
import { dataVersion } from './records.js';

/** How many answers are kept; the least recently used goes first. */
const KEPT = 32;
type Body = ReturnType<FastifyReply['serialize']>;
const answers = new WeakMap<Db, Map<string, { version: string; body: Body }>>();

/**
 * Sends the answer to `key`, serialized with the route's response schema: the kept one while the data is
 * unchanged, else a new one from `build`, kept for next time.
 */
export function sendKept(db: Db, reply: FastifyReply, key: string, build: () => unknown): FastifyReply {
  let kept = answers.get(db);
  if (!kept) {
    kept = new Map();
    answers.set(db, kept);
  }
  const version = dataVersion(db);
  const found = kept.get(key);
  const entry = found?.version === version ? found : { version, body: reply.serialize(build()) };
  // Most recently used last; the least recently used goes when the cache is full.
  kept.delete(key);
  if (kept.size >= KEPT) kept.delete(kept.keys().next().value as string);
  kept.set(key, entry);
  return reply.type('application/json; charset=utf-8').send(entry.body);
}
