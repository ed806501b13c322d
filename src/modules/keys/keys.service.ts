// API keys: made once, stored as SHA-256 hashes, checked on every write, with scopes, expiry and revocation.
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../lib/errors.js';
import { KEY_SCOPES, type KeyScope } from '../../lib/vocabularies.js';
import type { KeyListing, Storage } from '../../storage/index.js';

const KEY_PREFIX = 'dsa_';
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// Keys carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export class KeyError extends Error {}

export interface KeyOptions {
  /** What the key may do: read (identifies a caller), write (create, change, delete, import), admin (all). */
  scopes?: KeyScope[];
  /** When the key stops working (an ISO timestamp); none: never. */
  expiresAt?: string | null;
}

/** Makes a key for `name` and returns it; it is never shown again. */
export async function createKey(storage: Storage, name: string, options: KeyOptions = {}): Promise<string> {
  if (!KEY_NAME_PATTERN.test(name)) {
    throw new KeyError(`Key name '${name}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.`);
  }
  const scopes = options.scopes ?? ['write'];
  const unknown = scopes.filter((s) => !KEY_SCOPES.includes(s));
  if (scopes.length === 0 || unknown.length > 0)
    throw new KeyError(`Scopes must be some of ${KEY_SCOPES.join(', ')}; got ${scopes.join(', ') || 'none'}.`);
  if (options.expiresAt && Number.isNaN(Date.parse(options.expiresAt))) throw new KeyError(`Expiry '${options.expiresAt}' is not a date.`);
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  // The name is checked and the key stored in one transaction: two scripts cannot both take a name.
  await storage.write(async (tx) => {
    if (await tx.keys.byName(name)) {
      throw new KeyError(`A key named '${name}' already exists (revoked keys keep their name); choose another name.`);
    }
    await tx.keys.insert({
      name,
      keyHash: hashKey(key),
      prefix: key.slice(0, 10),
      scopes: [...new Set(scopes)],
      createdAt: new Date().toISOString(),
      expiresAt: options.expiresAt ? new Date(options.expiresAt).toISOString() : null,
    });
  });
  return key;
}

export const listKeys = (storage: Storage): Promise<KeyListing[]> => storage.keys.list();

export async function revokeKey(storage: Storage, name: string): Promise<void> {
  await storage.write(async (tx) => {
    const key = await tx.keys.byName(name);
    if (!key) throw new KeyError(`There is no key named '${name}'.`);
    if (key.revokedAt) throw new KeyError(`The key '${name}' was already revoked at ${key.revokedAt}.`);
    await tx.keys.revoke(key.id, new Date().toISOString());
  });
}

/** How often lastUsedAt is written for a busy key: often enough to audit, rarely enough to cost nothing. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A live key, as a request carries it once its token is verified. */
export interface Caller {
  id: number;
  name: string;
  scopes: KeyScope[];
}

/**
 * The live key a token names; otherwise a 401 (unknown, revoked, expired). Looked up on every request, so a
 * revocation takes effect at once.
 */
export async function identifyKey(storage: Storage, key: string): Promise<Caller> {
  const row = key.startsWith(KEY_PREFIX) ? await storage.keys.byHash(hashKey(key)) : undefined;
  if (!row || row.revokedAt) throw new AppError('UNAUTHORIZED', 'The API key is unknown or revoked.');
  const at = new Date();
  if (row.expiresAt && row.expiresAt <= at.toISOString())
    throw new AppError('UNAUTHORIZED', `The API key '${row.name}' expired at ${row.expiresAt}.`);
  if (!row.lastUsedAt || at.getTime() - Date.parse(row.lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
    // Not awaited: the request goes on while the note waits its turn behind any write in progress (an import
    // may hold the write transaction for a while). The queue is first in, first out, so the note lands before
    // any write this request makes. A failure costs only the note.
    storage.keys.touch(row.id, at.toISOString()).catch(() => {});
  }
  return { id: row.id, name: row.name, scopes: row.scopes };
}

/** A 403 unless the key may do `scope`. */
export function assertScope(caller: Caller, scope: KeyScope): void {
  if (!caller.scopes.includes(scope) && !caller.scopes.includes('admin')) {
    throw new AppError('FORBIDDEN', `The API key '${caller.name}' has the scopes ${caller.scopes.join(', ')}; this needs ${scope}.`);
  }
}
