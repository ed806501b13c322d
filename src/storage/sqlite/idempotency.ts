// Idempotency-Key entries in SQLite: the rows behind storage.idempotency (the protocol is plugins/idempotency.ts).
import { and, eq, lt } from 'drizzle-orm';
import type { IdempotencyEntry } from '../idempotency.js';
import type { Db } from './client.js';
import { idempotencyKeys } from './tables/idempotency.table.js';

const one = (caller: string, key: string) => and(eq(idempotencyKeys.caller, caller), eq(idempotencyKeys.key, key));

export const findEntry = (db: Db, caller: string, key: string): IdempotencyEntry | undefined =>
  db.select().from(idempotencyKeys).where(one(caller, key)).get();

export function claimEntry(
  db: Db,
  entry: Pick<IdempotencyEntry, 'caller' | 'key' | 'method' | 'path' | 'bodyHash' | 'createdAt'>,
  expiredBefore: string,
): IdempotencyEntry | undefined {
  db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, expiredBefore)).run();
  const held = findEntry(db, entry.caller, entry.key);
  if (held) return held;
  db.insert(idempotencyKeys).values(entry).run();
  return undefined;
}

export function completeEntry(
  db: Db,
  caller: string,
  key: string,
  answer: { status: number; headers: Record<string, string>; body: string },
): void {
  db.update(idempotencyKeys).set(answer).where(one(caller, key)).run();
}

export function releaseEntry(db: Db, caller: string, key: string): void {
  db.delete(idempotencyKeys).where(one(caller, key)).run();
}
