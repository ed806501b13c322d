// Revisions and the change feed: every write records one in its own transaction; these read them.
import type { RevisionOperation } from '../lib/vocabularies.js';

export interface Revision {
  /** The position in the feed: grows with every revision, in commit order. */
  seq: number;
  collection: string;
  recordId: string;
  version: number;
  operation: RevisionOperation;
  /** The stored state after the change (fields and metadata); null for a delete. */
  state: Record<string, unknown> | null;
  keyName: string | null;
  at: string;
}

/** Each read answers from one consistent snapshot: a revision's state is never paired with a later write's. */
export interface RevisionStorage {
  /** A record's history after `after` (a seq), oldest first; a deleted record's history stays readable. */
  of(collection: string, recordId: string, after: number, limit: number): Promise<Revision[]>;
  /** Changes after `after` (a seq), in commit order, optionally of some collections only. */
  since(after: number, limit: number, collections?: readonly string[]): Promise<Revision[]>;
}
