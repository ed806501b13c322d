// The OpenAPI examples' one home: records of the FO briefing seed, as a server seeded with it serves them.
// Routes declare their examples with these (`examples` in a route schema); the OpenAPI plugin only places them.
import { seedFiles } from './paths.js';

/** An OpenAPI Example Object. */
export interface Example {
  summary: string;
  description?: string;
  value: unknown;
}
export type Examples = Record<string, Example>;
export interface OperationExamples {
  /** Examples of the JSON request body, by name. */
  body?: Examples;
  /** Examples of the JSON responses, by status and name. */
  responses?: Partial<Record<number, Examples>>;
}

/** Per collection, the seed record that illustrates it in every example: of its operations, its history, its problems. */
export const SAMPLE_IDS = {
  actors: 'ttp',
  topics: 'talks-with-ttp',
  sources: 'the-news-2024-04-05-pakistan-not-in-talks-with-ttp',
  events: 'fo-weekly-press-briefing-2024-04-04',
  statements: 'fo-2024-04-04-no-talks-with-ttp',
  positions: 'pakistan-opposes-talks-with-ttp-from-2024-04-04',
} as const;
export type SampledCollection = keyof typeof SAMPLE_IDS;

/** When the examples' seeded server stored its records: the day after the briefing. */
export const SEEDED_AT = '2024-04-05T10:00:00.000Z';

// The seed files' content, read once: it is data shipped with the code, the same for every request.
let seedBundles: Record<string, { id: string }[] | undefined>[] | undefined;

/** A record of the FO briefing seed, as the bundle has it (a complete create body, with its id). */
export function seedRecord(collection: string, id: string): Record<string, unknown> {
  seedBundles ??= seedFiles().map(({ text }) => JSON.parse(text));
  for (const bundle of seedBundles) {
    const record = bundle[collection]?.find((r) => r.id === id);
    if (record) return structuredClone(record) as Record<string, unknown>;
  }
  throw new Error(`The seed has no ${collection} record '${id}' for the OpenAPI examples.`);
}

/** A seed record as the seeded server serves it: with its read-only fields (`derived`) and first version's metadata. */
export function seededRecord(collection: string, id: string, derived?: Record<string, unknown>): Record<string, unknown> {
  return { ...seedRecord(collection, id), ...derived, createdAt: SEEDED_AT, updatedAt: SEEDED_AT, version: 1 };
}

/** A bundle of seed records, by collection and id. */
export function seedSlice(ids: Record<string, string[]>): Record<string, Record<string, unknown>[]> {
  return Object.fromEntries(Object.entries(ids).map(([collection, list]) => [collection, list.map((id) => seedRecord(collection, id))]));
}
