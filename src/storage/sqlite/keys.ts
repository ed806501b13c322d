// API keys in SQLite: the rows behind storage.keys (making and checking keys is modules/keys/keys.service.ts).
import { asc, eq } from 'drizzle-orm';
import type { KeyListing, StoredKey } from '../keys.js';
import type { Db } from './client.js';
import { apiKeys } from './tables/keys.table.js';

export const keyByName = (db: Db, name: string): StoredKey | undefined => db.select().from(apiKeys).where(eq(apiKeys.name, name)).get();

export const keyByHash = (db: Db, keyHash: string): StoredKey | undefined =>
  db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).get();

export function insertKey(db: Db, key: Omit<StoredKey, 'id' | 'revokedAt' | 'lastUsedAt'>): void {
  db.insert(apiKeys).values(key).run();
}

export function listKeys(db: Db): KeyListing[] {
  return db
    .select({
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .orderBy(asc(apiKeys.name))
    .all();
}

export function setRevoked(db: Db, id: number, at: string): void {
  db.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)).run();
}

export function setLastUsed(db: Db, id: number, at: string): void {
  db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run();
}
