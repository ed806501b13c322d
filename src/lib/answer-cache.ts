// Serialized answers of costly reads (stats, full-text search), kept until the data changes: a dashboard
// that many people reload asks the same question again and again, and popular searches come back all day.
import type { FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Storage } from '../storage/index.js';

type Body = ReturnType<FastifyReply['serialize']>;
interface Kept {
  version: string;
  body: Body;
  headers: Record<string, string> | undefined;
}

/**
 * Up to `answers` answers and `bytes` of them per storage, each under the key of its question; the least
 * recently used goes first, and an answer larger than `bytes` is never kept. An answer is only given while
 * the storage's version (`storage.version()`) is the one it was built at: any write by the service, or a
 * commit by another program on the same data, makes every kept answer stale.
 */
export class KeptAnswers {
  private readonly byStorage = new WeakMap<Storage, LRUCache<string, Kept>>();

  constructor(readonly limits: { answers: number; bytes: number }) {}

  /**
   * Sends the answer to `key`, serialized with the route's response schema: the kept one while the data is
   * unchanged, else a new one from `build`, kept for next time with the headers `headersOf` gives it.
   */
  async send<T>(
    storage: Storage,
    reply: FastifyReply,
    key: string,
    build: () => Promise<T>,
    headersOf?: (answer: T) => Record<string, string> | undefined,
  ) {
    let kept = this.byStorage.get(storage);
    if (!kept) {
      kept = new LRUCache({
        max: this.limits.answers,
        maxSize: this.limits.bytes,
        sizeCalculation: (entry) => Buffer.byteLength(entry.body),
      });
      this.byStorage.set(storage, kept);
    }
    // Read before the answer is built: a commit landing meanwhile makes the kept answer stale, never the reverse.
    const version = await storage.version();
    let entry = kept.get(key);
    if (entry?.version !== version) {
      const answer = await build();
      entry = { version, body: serialized(reply, answer), headers: headersOf?.(answer) };
      kept.set(key, entry);
    }
    if (entry.headers) reply.headers(entry.headers);
    return reply.type('application/json; charset=utf-8').send(entry.body);
  }
}

/**
 * The answer as the route's response schema writes it. `reply.serialize` does not look up a schema declared
 * per media type (`content: { 'application/json': … }`), so that one is asked for by name first.
 */
function serialized(reply: FastifyReply, answer: unknown): Body {
  const perMediaType = reply.getSerializationFunction(String(reply.statusCode), 'application/json');
  return typeof perMediaType === 'function' ? perMediaType(answer as Record<string, unknown>) : reply.serialize(answer);
}
