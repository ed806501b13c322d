// What the position, position-start and stats tests build their worlds on, after seedMinimal: paraphrases by
// the spokesperson, cited to the report, each on its own date (or undated).
import { create } from './assertions.js';
import type { TestApp } from './helpers.js';

/** The body of a paraphrase `Statement <id>.` on `statedOn`; needs seedMinimal's speaker and source. */
const paraphrase = (id: string, statedOn: string | null) => ({
  id,
  text: `Statement ${id}.`,
  kind: 'paraphrase',
  speakerId: 'spokesperson',
  sourceIds: ['report'],
  statedOn,
});

/** One statement `Statement <id>.` for each [id, statedOn], in order; needs seedMinimal's speaker and source. */
export async function datedStatements(t: TestApp, dates: readonly (readonly [string, string | null])[]): Promise<void> {
  for (const [id, statedOn] of dates) await create(t, '/v1/statements', paraphrase(id, statedOn));
}

/** A statement body `Statement <id>.` on `statedOn` about `topicIds`; needs seedMinimal's speaker and source. */
export const taggedStatement = (id: string, statedOn: string | null, topicIds: string[]) => ({ ...paraphrase(id, statedOn), topicIds });
