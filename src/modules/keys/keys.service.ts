// API keys: made once, stored as SHA-256 hashes, checked on every write, revocable.
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { now } from '../../lib/records.js';
import { apiKeys } from './keys.table.js';

const KEY_PREFIX = 'dsa_';
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// Keys carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export class KeyError extends Error {}

/** Makes a key for `name` and returns it; it is never shown again. */
export function createKey(db: Db, name: string): string {
  if (!KEY_NAME_PATTERN.test(name)) {
    throw new KeyError(`Key name '${name}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.`);
  }
  if (db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, name)).get()) {
    throw new KeyError(`A key named '${name}' already exists (revoked keys keep their name); choose another name.`);
  }
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  db.insert(apiKeys)
    .values({ name, keyHash: hashKey(key), prefix: key.slice(0, 10), createdAt: now() })
    .run();
  return key;
}

export function listKeys(db: Db) {
  return db
    .select({
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .orderBy(asc(apiKeys.name))
    .all();
}

export function revokeKey(db: Db, name: string): void {
  const key = db.select().from(apiKeys).where(eq(apiKeys.name, name)).get();
  if (!key) throw new KeyError(`There is no key named '${name}'.`);
  if (key.revokedAt) throw new KeyError(`The key '${name}' was already revoked at ${key.revokedAt}.`);
  db.update(apiKeys).set({ revokedAt: now() }).where(eq(apiKeys.id, key.id)).run();
}

/** The name of the live key, or undefined for an unknown or revoked one. */
export function verifyKey(db: Db, key: string): string | undefined {
  if (!key.startsWith(KEY_PREFIX)) return undefined;
  const row = db
    .select({ id: apiKeys.id, name: apiKeys.name })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashKey(key)), isNull(apiKeys.revokedAt)))
    .get();
  return row?.name;
}
