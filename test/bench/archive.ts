// A deterministic synthetic archive for the read benchmark: years of foreign-ministry briefings, as import bundles.

import { ACTS, EVIDENCE_RELATIONS, STANCES } from '../../src/lib/vocabularies.js';
import type { Bundle } from '../../src/modules/imports/imports.schema.js';

/** Statements per bundle: one import transaction, as a script pushing a week of briefings would send. */
export const STATEMENTS_PER_BUNDLE = 1000;
/** Statements per briefing: each briefing has its own source and event. */
const STATEMENTS_PER_BRIEFING = 25;
const STATES = 120;
const ORGANISATIONS = 20;
const SPOKESPEOPLE = 60;
/** Topic tree: roots, children of each root, children of each child (10 + 70 + 420 = 500 topics). */
const TREE = [10, 7, 6] as const;
/** The archive spans these years; statements are spread evenly over them in import order. */
const FIRST_DAY = Date.UTC(2010, 0, 1);
const DAYS = 16 * 365;

/** mulberry32: a small, fast PRNG; the same seed gives the same archive on every machine. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  // Zipf-like: low indexes far more often, as words and actors are in real briefings.
  const skewed = (n: number) => Math.floor(n * next() ** 2.2);
  const pick = <T>(items: readonly T[]) => items[int(items.length)] as T;
  return { next, int, skewed, pick };
}

const REGIONS = [
  'South Asia',
  'Central Asia',
  'the Gulf',
  'the Middle East',
  'East Asia',
  'Europe',
  'Africa',
  'the Americas',
  'the Pacific',
  'the Arctic',
];
const THEMES = ['security', 'trade', 'energy', 'water', 'climate', 'migration', 'health'];
const ISSUES = ['sanctions', 'ceasefire', 'border crossings', 'visa regime', 'nuclear safeguards', 'maritime boundary'];
const PLACES = [
  'Kabul',
  'Tehran',
  'Riyadh',
  'Beijing',
  'Delhi',
  'Moscow',
  'Brussels',
  'Geneva',
  'Doha',
  'Ankara',
  'Tashkent',
  'Astana',
  'Dhaka',
  'Colombo',
  'Kathmandu',
  'Baku',
  'Muscat',
  'Cairo',
  'Nairobi',
  'Jakarta',
];
const SUBJECTS = ['The government', 'The ministry', 'Our country', 'The spokesperson', 'The foreign minister', 'The delegation'];
const VERBS = [
  'remains committed to',
  'strongly condemns',
  'welcomes',
  'rejects',
  'calls for',
  'expresses deep concern over',
  'supports',
  'urges restraint regarding',
  'categorically denies reports about',
  'looks forward to',
];
const OBJECTS = [
  'dialogue',
  'the peace process',
  'regional connectivity',
  'the resolution adopted by the Security Council',
  'the joint statement',
  'the bilateral agreement',
  'the humanitarian situation',
  'the recent attacks',
  'the ongoing negotiations',
  'the safety of its citizens abroad',
  'the principles of the UN Charter',
  'confidence-building measures',
];
const CLAUSES = [
  'in accordance with international law',
  'through peaceful means and mutual respect',
  'without interference in internal affairs',
  'as agreed at the last round of talks',
  'and will raise the matter at the next ministerial meeting',
  'and has conveyed its position through diplomatic channels',
  'while reserving the right to respond',
  'in close consultation with friendly countries',
];
const QUESTIONS = ['Asked about', 'Responding to a question on', 'Commenting on reports about', 'When asked to comment on'];
const ROLES = ['Spokesperson', 'Foreign Minister', 'Deputy Spokesperson', 'Ambassador', 'Permanent Representative'];

/** The words of the archive's statements (four letters or more), for searches of words it holds. */
export const ARCHIVE_WORDS: readonly string[] = [
  ...new Set(
    [REGIONS, THEMES, ISSUES, PLACES, SUBJECTS, VERBS, OBJECTS, CLAUSES, QUESTIONS]
      .flat()
      .join(' ')
      .toLowerCase()
      .match(/[a-z]{4,}/g),
  ),
];

export interface ArchiveShape {
  actors: Required<Bundle>['actors'];
  topics: Required<Bundle>['topics'];
}

/** The actors (states, organisations, spokespeople) and the topic tree every bundle refers to. */
export function archiveShape(): ArchiveShape {
  const actors: ArchiveShape['actors'] = [];
  for (let i = 0; i < STATES; i++) actors.push({ id: `state-${i}`, name: `State ${i}`, kind: 'state', aliases: [`S${i}`] });
  for (let i = 0; i < ORGANISATIONS; i++) actors.push({ id: `org-${i}`, name: `Organisation ${i}`, kind: 'igo' });
  for (let i = 0; i < SPOKESPEOPLE; i++) {
    actors.push({ id: `person-${i}`, name: `Spokesperson ${i}`, kind: 'person', parentId: `state-${i}` });
  }
  const topics: ArchiveShape['topics'] = [];
  for (let r = 0; r < TREE[0]; r++) {
    const root = `region-${r}`;
    topics.push({ id: root, name: REGIONS[r] as string, aliases: [] });
    for (let c = 0; c < TREE[1]; c++) {
      const child = `${root}-${c}`;
      topics.push({ id: child, name: `${THEMES[c]} in ${REGIONS[r]}`, parentId: root, aliases: [] });
      for (let g = 0; g < TREE[2]; g++) {
        topics.push({
          id: `${child}-${g}`,
          name: `${ISSUES[g]}: ${THEMES[c]} in ${REGIONS[r]}`,
          parentId: child,
          aliases: [`${ISSUES[g]} ${r}-${c}`],
        });
      }
    }
  }
  return { actors, topics };
}

const leafTopics = (shape: ArchiveShape) => shape.topics.filter((t) => t.id.split('-').length === 4).map((t) => t.id);

/** The date of the n-th statement of an archive of `size`: the archive spans DAYS days in import order. */
const dayOf = (n: number, size: number) => new Date(FIRST_DAY + Math.floor((n / size) * DAYS) * 86_400_000).toISOString().slice(0, 10);

/**
 * The archive as bundles of STATEMENTS_PER_BUNDLE statements (the first also carries the actors and
 * topics). Each briefing has a source, an event and its statements (1–3 topics, 1–2 acts, an addressee
 * for most, a context for some, an answer to an earlier statement for a few); each bundle also records
 * positions of the states it quotes, evidenced by its statements, in date order per actor and topic.
 */
export function* archiveBundles(size: number, seed = 42): Generator<Bundle> {
  const rng = random(seed);
  const shape = archiveShape();
  const leaves = leafTopics(shape);
  let n = 0;
  for (let b = 0; n < size; b++) {
    const bundle: Bundle = { sources: [], events: [], statements: [], positions: [] };
    if (b === 0) Object.assign(bundle, shape);
    const inBundle = Math.min(STATEMENTS_PER_BUNDLE, size - n);
    // Positions start on the bundle's first day: bundles cover different days, so an actor's periods on a topic never share a start.
    const since = dayOf(n, size);
    const byPair = new Map<string, { actorId: string; topicId: string; statementIds: string[] }>();
    for (let i = 0; i < inBundle; i += STATEMENTS_PER_BRIEFING) {
      const key = `b${b}-${i / STATEMENTS_PER_BRIEFING}`;
      const day = dayOf(n + i, size);
      const spokesperson = rng.skewed(SPOKESPEOPLE);
      const state = `state-${spokesperson}`;
      bundle.sources?.push({
        id: `${key}-report`,
        kind: rng.next() < 0.7 ? 'officialTranscript' : 'newsReport',
        title: `Transcript of the press briefing by the Spokesperson of State ${spokesperson}, ${day}`,
        publisher: `Ministry of Foreign Affairs of State ${spokesperson}`,
        publishedOn: day,
        language: 'en',
      });
      bundle.events?.push({
        id: `${key}-briefing`,
        kind: 'pressBriefing',
        title: `Weekly press briefing, ${day}`,
        startDate: day,
        hostId: state,
        participantIds: [`person-${spokesperson}`],
      });
      for (let j = 0; j < STATEMENTS_PER_BRIEFING && i + j < inBundle; j++) {
        const id = `${key}-s${j}`;
        const topicCount = 1 + rng.int(3);
        const topicIds = [...new Set(Array.from({ length: topicCount }, () => leaves[rng.skewed(leaves.length)] as string))];
        const place = rng.pick(PLACES);
        const topic = shape.topics.find((t) => t.id === topicIds[0])?.name ?? '';
        const text = `${rng.pick(SUBJECTS)} ${rng.pick(VERBS)} ${rng.pick(OBJECTS)} on ${topic} ${rng.pick(CLAUSES)}. ${
          rng.next() < 0.5
            ? `The situation in ${place} was discussed with the ambassador of State ${rng.skewed(STATES)}.`
            : `${rng.pick(SUBJECTS)} ${rng.pick(VERBS)} ${rng.pick(OBJECTS)}.`
        }`;
        const acts = [...new Set([rng.pick(ACTS), rng.pick(ACTS)])].slice(0, 1 + rng.int(2));
        bundle.statements?.push({
          id,
          text,
          kind: rng.next() < 0.3 ? 'quote' : 'paraphrase',
          speakerId: `person-${spokesperson}`,
          onBehalfOfId: state,
          speakerRole: rng.pick(ROLES),
          statedOn: day,
          eventId: `${key}-briefing`,
          sourceIds: [`${key}-report`],
          topicIds,
          addresseeIds: rng.next() < 0.7 ? [`state-${rng.skewed(STATES)}`] : [],
          respondsToIds: j > 0 && rng.next() < 0.05 ? [`${key}-s${rng.int(j)}`] : [],
          context: rng.next() < 0.3 ? `${rng.pick(QUESTIONS)} the situation in ${place} and ${rng.pick(ISSUES)}.` : null,
          acts,
          language: 'en',
        });
        // The first statement of an actor on a topic in a bundle starts a position; later ones evidence it.
        const pair = `${state}|${topicIds[0]}`;
        const held = byPair.get(pair);
        if (held) {
          if (held.statementIds.length < 5) held.statementIds.push(id);
        } else if (rng.next() < 0.1) byPair.set(pair, { actorId: state, topicId: topicIds[0] as string, statementIds: [id] });
      }
    }
    for (const [pair, p] of byPair) {
      bundle.positions?.push({
        id: `b${b}-${pair.replace('|', '-')}`,
        actorId: p.actorId,
        topicId: p.topicId,
        stance: rng.pick(STANCES),
        summary: `State ${p.actorId.slice(6)} on ${shape.topics.find((t) => t.id === p.topicId)?.name}`,
        validFrom: since,
        evidence: p.statementIds.map((statementId, k) => ({
          statementId,
          relation: k === 0 ? 'asserts' : (rng.pick(EVIDENCE_RELATIONS.slice(1)) as 'reiterates'),
        })),
      });
    }
    n += inBundle;
    yield bundle;
  }
}
