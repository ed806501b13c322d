// Idempotency-Key bookkeeping: claim a key, record its answer, find it again for 24 hours.
import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from './client.js';
import { idempotencyKeys } from './tables/idempotency.table.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export type Stored = typeof idempotencyKeys.$inferSelect;

export const hashBody = (body: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('base64url');

/** The live entry for this caller and key, if any (entries older than the TTL are gone). */
export function findKey(db: Db, caller: string, key: string): Stored | undefined {
  const row = db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.caller, caller), eq(idempotencyKeys.key, key)))
    .get();
  if (row && Date.now() - Date.parse(row.createdAt) >= IDEMPOTENCY_TTL_MS) return undefined;
  return row;
}

/** Claims the key for a first request (its answer is not known yet), dropping expired entries. */
export function claimKey(db: Db, entry: { caller: string; key: string; method: string; path: string; bodyHash: string }): void {
  const at = new Date();
  db.delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(at.getTime() - IDEMPOTENCY_TTL_MS).toISOString()))
    .run();
  db.delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.caller, entry.caller), eq(idempotencyKeys.key, entry.key)))
    .run();
  db.insert(idempotencyKeys)
    .values({ ...entry, createdAt: at.toISOString() })
    .run();
}

export function recordAnswer(
  db: Db,
  caller: string,
  key: string,
  answer: { status: number; headers: Record<string, string>; body: string },
): void {
  db.update(idempotencyKeys)
    .set(answer)
    .where(and(eq(idempotencyKeys.caller, caller), eq(idempotencyKeys.key, key)))
    .run();
}

/** Forgets a key whose first request failed on our side, so that a retry runs again. */
export function releaseKey(db: Db, caller: string, key: string): void {
  db.delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.caller, caller), eq(idempotencyKeys.key, key)))
    .run();
}
