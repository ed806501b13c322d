// Types every engine and every caller of the storage boundary share: plain TypeScript, no driver or dialect.
import type { ListQuery, PageResult } from '../lib/pagination.js';

export type { ListQuery, PageResult };

/** The collections served under /v1, in dependency order: a record's references come before it. */
export const COLLECTIONS = ['sources', 'actors', 'topics', 'events', 'statements', 'positions'] as const;
export type Collection = (typeof COLLECTIONS)[number];

/** What every stored record carries besides its fields. */
export interface Meta {
  id: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * Who is writing: the key's name, carried from the request to every revision the write records, as an
 * argument all the way down (never a module-level "current author": two requests' writes may interleave
 * at awaits, and one could record the other's key).
 */
export interface Author {
  keyName?: string | null;
}

/** A list's query: the page parameters and the resource's own filters, as the route validated them. */
export type Query = ListQuery & Record<string, unknown>;
export interface StatementFilterValues {
  q?: string;
  speaker?: string;
  onBehalfOf?: string;
  /** Topics by id or alias, each with its subtopics. */
  topic?: string;
  addressee?: string;
  event?: string;
  source?: string;
  respondsTo?: string;
  kind?: string;
  act?: string;
  language?: string;
  from?: string;
  to?: string;
}
