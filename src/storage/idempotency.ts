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
  /**
   * Claims the key for a first request, dropping entries created before `expiredBefore`, in one write: when a
   * live entry holds the key already (another request, perhaps in another process, claimed it since the caller
   * looked), nothing is claimed and that entry is the answer; undefined when this request holds the key.
   */
  claim(
    entry: Pick<IdempotencyEntry, 'caller' | 'key' | 'method' | 'path' | 'bodyHash' | 'createdAt'>,
    expiredBefore: string,
  ): Promise<IdempotencyEntry | undefined>;
  complete(caller: string, key: string, answer: { status: number; headers: Record<string, string>; body: string }): Promise<void>;
  release(caller: string, key: string): Promise<void>;
}
