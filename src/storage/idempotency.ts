// Idempotency-Key entries as stored: claimed by a first request, completed with its answer.
export interface IdempotencyEntry {
  caller: string;
  key: string;
  method: string;
  path: string;
  bodyHash: string;
  createdAt: string;
  /** The answer, once known (null while the first request is being answered). */
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
}

export interface IdempotencyStorage {
  find(caller: string, key: string): Promise<IdempotencyEntry | undefined>;
  /** Claims the key for a first request (replacing any entry of it), dropping entries created before `expiredBefore`. */
  claim(
    entry: Pick<IdempotencyEntry, 'caller' | 'key' | 'method' | 'path' | 'bodyHash' | 'createdAt'>,
    expiredBefore: string,
  ): Promise<void>;
  complete(caller: string, key: string, answer: { status: number; headers: Record<string, string>; body: string }): Promise<void>;
  release(caller: string, key: string): Promise<void>;
}
