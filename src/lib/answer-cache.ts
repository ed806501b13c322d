// Serialized answers of aggregate reads (stats), kept until the data changes: a dashboard that many people
// reload asks the same question again and again, and the answer can weigh hundreds of kilobytes.
import type { FastifyReply } from 'fastify';
import type { Db } from '../db/client.js';
import { prepared } from './records.js';

/** How many answers are kept; the least recently used goes first. */
const KEPT = 32;
type Body = ReturnType<FastifyReply['serialize']>;
const answers = new WeakMap<Db, Map<string, { version: string; body: Body }>>();

/**
 * The data's version: rows changed through this connection (triggers included) and SQLite's count of
 * commits by other connections (an import CLI writing the file with --db). Both are read in O(1).
 */
export function dataVersion(db: Db): string {
  const changes = prepared(db, 'SELECT total_changes()').pluck().get() as number;
  const others = prepared(db, 'PRAGMA data_version').pluck().get() as number;
  return `${changes}:${others}`;
}

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
