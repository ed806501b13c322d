// Records and their links: read by id, create, patch, delete; references and referrers are checked inside each write.
import type { Author, Collection, Meta } from './types.js';

/** A record that may point at a collection's records: a delete is refused while any does. */
export interface ReferrerOf {
  /** The collection the referring records are served under, and the API field holding the reference. */
  collection: string;
  field: string;
}

/** A reference from a field of a record to a record of a collection. */
export interface RecordReference {
  path: string;
  collection: Collection;
  id: string | null | undefined;
}

export interface RecordStorage {
  /** The record with everything it serves (links, derived fields); undefined when there is none. */
  get<R extends Meta>(collection: Collection, id: string): Promise<R | undefined>;
  /** Records by id in the order asked; a miss leaves no hole. One read however many ids. */
  getMany<R extends Meta>(collection: Collection, ids: readonly string[]): Promise<R[]>;
  /**
   * Creates a record (its id chosen by the client, else a new UUID) with its revision: ID_TAKEN,
   * UNKNOWN_REFERENCE and the resource's rules are AppErrors.
   */
  create<R extends Meta, I extends object = Record<string, unknown>>(
    collection: Collection,
    input: I & { id?: string },
    author: Author,
  ): Promise<R>;
  /** Merges `patch` into the record, checked against If-Match; an identical patch changes nothing, not even the version. */
  patch<R extends Meta>(collection: Collection, id: string, patch: object, ifMatch: string | undefined, author: Author): Promise<R>;
  /** Deletes the record, checked against If-Match; STILL_REFERENCED while another record refers to it. */
  remove(collection: Collection, id: string, ifMatch: string | undefined, author: Author): Promise<void>;
  /**
   * UNKNOWN_REFERENCE (an AppError listing each) unless every referenced record exists; `path` is the JSON
   * Pointer of the referencing field. Every write checks its record's references this way before writing.
   */
  checkReferences(references: readonly RecordReference[]): Promise<void>;
  /** STILL_REFERENCED (an AppError naming the referrers) while another record refers to this one: what a delete checks. */
  checkNotReferenced(collection: Collection, id: string): Promise<void>;
  /** Who may refer to a collection's records (what a delete checks), for the documentation: known without a read. */
  referrersOf(collection: Collection): readonly ReferrerOf[];
}
