// API keys as stored: hashes, scopes, expiry, revocation. Making and checking keys is modules/keys' business.
import type { KeyScope } from '../lib/vocabularies.js';

export interface StoredKey {
  id: number;
  name: string;
  keyHash: string;
  prefix: string;
  scopes: KeyScope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type KeyListing = Omit<StoredKey, 'id' | 'keyHash'>;

export interface KeyStorage {
  byName(name: string): Promise<StoredKey | undefined>;
  byHash(keyHash: string): Promise<StoredKey | undefined>;
  insert(key: Omit<StoredKey, 'id' | 'revokedAt' | 'lastUsedAt'>): Promise<void>;
  /** Every key, by name, without its hash. */
  list(): Promise<KeyListing[]>;
  revoke(id: number, at: string): Promise<void>;
  touch(id: number, at: string): Promise<void>;
}
