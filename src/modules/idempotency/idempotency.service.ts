// Idempotency-Key bookkeeping: claim a key, record its answer, find it again for 24 hours.
import { createHash } from 'node:crypto';
import type { IdempotencyEntry, Storage } from '../../storage/index.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export type Stored = IdempotencyEntry;

export const hashBody = (body: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('base64url');

/** The live entry for this caller and key, if any (entries older than the TTL are gone). */
export async function findKey(storage: Storage, caller: string, key: string): Promise<Stored | undefined> {
  const row = await storage.idempotency.find(caller, key);
  if (row && Date.now() - Date.parse(row.createdAt) >= IDEMPOTENCY_TTL_MS) return undefined;
  return row;
}

/**
 * Claims the key for a first request (its answer is not known yet), dropping expired entries. When another
 * request claimed it meanwhile (in this process or another), nothing is claimed: its entry is returned.
 */
export function claimKey(
  storage: Storage,
  entry: { caller: string; key: string; method: string; path: string; bodyHash: string },
): Promise<Stored | undefined> {
  const at = new Date();
  return storage.idempotency.claim({ ...entry, createdAt: at.toISOString() }, new Date(at.getTime() - IDEMPOTENCY_TTL_MS).toISOString());
}

export const recordAnswer = (
  storage: Storage,
  caller: string,
  key: string,
  answer: { status: number; headers: Record<string, string>; body: string },
) => storage.idempotency.complete(caller, key, answer);

/** Forgets a key whose first request failed on our side, so that a retry runs again. */
export const releaseKey = (storage: Storage, caller: string, key: string) => storage.idempotency.release(caller, key);
