// Synthetic briefings for the import benchmark and the import tests: deterministic, self-contained bundles.
import type { Bundle } from '../../src/modules/imports/imports.schema.js';

const ACTS = ['statement', 'demand', 'reject', 'criticize', 'appeal', 'praise', 'rejectNegotiation', 'intendCooperate'] as const;
const SHARED_ACTORS = 20;
const SHARED_TOPICS = 30;

/** Records every briefing refers to: states and spokespeople, a topic tree. Identical in every bundle. */
export function sharedRecords(): Pick<Required<Bundle>, 'actors' | 'topics'> {
  const actors: Required<Bundle>['actors'] = [];
  for (let i = 0; i < SHARED_ACTORS; i++) {
    actors.push(
      i % 2 === 0
        ? { id: `state-${i}`, name: `State ${i}`, kind: 'state', countryCode: null, aliases: [`S${i}`] }
        : { id: `spokesperson-${i}`, name: `Spokesperson ${i}`, kind: 'person', parentId: `state-${i - 1}` },
    );
  }
  const topics: Required<Bundle>['topics'] = [];
  for (let i = 0; i < SHARED_TOPICS; i++) {
    topics.push({ id: `topic-${i}`, name: `Topic ${i}`, parentId: i >= 5 ? `topic-${i % 5}` : null, aliases: [`T${i}`] });
  }
  return { actors, topics };
}

/**
 * One briefing: its source and event, `statements` statements (each with 2 topics, 1 source, 1 addressee,
 * 2 acts), and optionally the shared actors and topics. Ids are prefixed with `key`, so bundles with
 * different keys are independent and a bundle's presence can be checked record by record.
 */
export function briefingBundle(key: string, statements: number, options: { shared?: boolean; revision?: number } = {}): Bundle {
  const day = `2024-${String((hash(key) % 12) + 1).padStart(2, '0')}-${String((hash(key) % 28) + 1).padStart(2, '0')}`;
  const source = `${key}-report`;
  const event = `${key}-briefing`;
  const bundle: Bundle = {
    sources: [
      { id: source, kind: 'newsReport', title: `Report of briefing ${key}`, publisher: 'The News', publishedOn: day, language: 'en' },
    ],
    events: [
      { id: event, kind: 'pressBriefing', title: `Briefing ${key}`, startDate: day, hostId: 'state-0', participantIds: ['spokesperson-1'] },
    ],
    statements: [],
  };
  if (options.shared !== false) Object.assign(bundle, sharedRecords());
  for (let i = 0; i < statements; i++) {
    const a = (i * 7) % SHARED_TOPICS;
    const b = (a + 1 + (i % (SHARED_TOPICS - 1))) % SHARED_TOPICS;
    bundle.statements?.push({
      id: `${key}-s${i}`,
      text: `Statement ${i} of briefing ${key}${options.revision ? ` (revision ${options.revision})` : ''}: the spokesperson said that the government remains committed to dialogue on regional security, trade and the safety of its citizens abroad.`,
      kind: i % 3 === 0 ? 'quote' : 'paraphrase',
      speakerId: `spokesperson-${(i % (SHARED_ACTORS / 2)) * 2 + 1}`,
      onBehalfOfId: `state-${(i % (SHARED_ACTORS / 2)) * 2}`,
      speakerRole: 'Spokesperson',
      statedOn: day,
      eventId: event,
      sourceIds: [source],
      topicIds: [`topic-${a}`, `topic-${b === a ? (a + 1) % SHARED_TOPICS : b}`],
      addresseeIds: [`state-${((i + 3) % (SHARED_ACTORS / 2)) * 2}`],
      context: i % 4 === 0 ? `Asked about item ${i}.` : null,
      acts: [ACTS[i % ACTS.length] as 'statement', ACTS[(i + 3) % ACTS.length] as 'statement'],
      language: 'en',
    });
  }
  return bundle;
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
  return h;
}
