// The FO briefing seed: faithful to the report it comes from, linked as the report links it, and stable across restarts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildApp } from '../src/app.js';
import { seedBundles } from '../src/modules/imports/imports.seed.js';
import { createKey } from '../src/modules/keys/keys.service.js';
import { sharedApp, type TestApp } from './helpers.js';

const SOURCE_TEXT = readFileSync(new URL('../../shared/source/fo-briefing-2024-04-04.txt', import.meta.url), 'utf8');
const SPOKESPERSON = 'mumtaz-zahra-baloch';

interface Statement {
  id: string;
  text: string;
  kind: 'quote' | 'paraphrase';
  speakerId: string;
  onBehalfOfId: string | null;
  speakerRole: string | null;
  statedOn: string | null;
  eventId: string | null;
  sourceIds: string[];
  topicIds: string[];
  addresseeIds: string[];
  respondsToIds: string[];
  context: string | null;
}

async function all<T>(t: TestApp, url: string): Promise<T[]> {
  const res = await t.json({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}limit=100` });
  assert.equal(res.status, 200, `GET ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.nextCursor, null, `${url} has more than one page`);
  return res.body.data;
}

async function one<T = Record<string, unknown>>(t: TestApp, url: string): Promise<T> {
  const res = await t.json({ method: 'GET', url });
  assert.equal(res.status, 200, `GET ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const QUOTE_OPENINGS = [
  'We expect the Afghan authorities to take action against these terror groups',
  'We have also seen that over the last several months',
  'I’m sure the Ministry of Interior will release',
  'There have been repeated incidents of terrorism inside Pakistan',
  'As regards to the security cooperation',
];

interface Position {
  id: string;
  actorId: string;
  topicId: string;
  stance: string;
  validFrom: string | null;
  firstStatedOn: string | null;
  evidence: { statementId: string; statedOn: string | null }[];
}

const ADVICE = 'afghan-deputy-interior-minister-advice-pakistan-ttp-dialogue';
const BIDEN_LETTER = 'biden-letter-mentions-security-cooperation';
const SHARIF_LETTER = 'shehbaz-sharif-letter-mentions-security-cooperation';
const SECURITY_ANSWER = 'fo-2024-04-04-security-cooperation-with-united-states';

// Every test of this block only reads: they share one seeded app.
describe('the seeded database', () => {
  const seeded = sharedApp(async () => {}, { seed: true });

  test('the seed quotes the report verbatim, attributes the spokesperson’s words as the report does, and links answers, event and positions as the report does', async () => {
    const app = seeded();
    const statements = await all<Statement>(app, '/v1/statements');

    const quotes = statements.filter((s) => s.kind === 'quote');
    assert.equal(quotes.length, 5, `quotes: ${quotes.map((q) => q.id).join(', ')}`);
    for (const q of quotes) {
      assert.ok(SOURCE_TEXT.includes(q.text), `quote ${q.id} is not verbatim in the source: ${q.text}`);
      assert.ok(q.text.length > 40, `quote ${q.id} is a fragment`);
    }
    for (const opening of QUOTE_OPENINGS) {
      assert.equal(quotes.filter((q) => q.text.startsWith(opening)).length, 1, `one quote opens with “${opening}”`);
    }
    // Curly apostrophes survive the round trip.
    assert.ok(quotes.some((q) => q.text.includes('I’m sure')));

    const sources = await all<Record<string, unknown>>(app, '/v1/sources');
    assert.equal(sources.length, 1);
    const source = sources[0] as Record<string, unknown>;
    assert.equal(source.publisher, 'The News');
    assert.equal(source.author, 'Mariana Baabar');
    assert.equal(source.publishedOn, '2024-04-05');
    assert.equal(source.kind, 'newsReport');
    assert.equal(source.title, SOURCE_TEXT.split('\n')[0]?.trim());

    const briefing = (await all<Record<string, unknown>>(app, '/v1/events?kind=pressBriefing'))[0];
    assert.ok(briefing, 'the briefing is an event');
    assert.equal(briefing.startDate, '2024-04-04');

    const spokesperson = statements.filter((s) => s.speakerId === SPOKESPERSON);
    // Her paraphrased words too, starting with the headline: Pakistan is not in talks with the TTP.
    const noTalks = spokesperson.filter((s) => s.kind === 'paraphrase' && /not holding any talks/.test(s.text));
    assert.equal(noTalks.length, 1);
    assert.ok(noTalks[0]?.topicIds.includes('talks-with-ttp'));
    assert.ok(spokesperson.filter((s) => s.kind === 'paraphrase').length >= 3);
    for (const s of [...quotes, ...spokesperson]) {
      assert.equal(s.speakerId, SPOKESPERSON, s.id);
      assert.equal(s.onBehalfOfId, 'pakistan', s.id);
      assert.equal(s.speakerRole, 'Foreign Office Spokesperson', s.id);
      assert.equal(s.statedOn, '2024-04-04', s.id);
      assert.equal(s.eventId, briefing.id, s.id);
      assert.deepEqual(s.sourceIds, [source.id], s.id);
      assert.ok(s.context && s.context.length > 10, `${s.id} has the question or criticism it answers`);
      assert.ok(s.topicIds.length > 0, `${s.id} has topics`);
    }
    // Every statement cites the report.
    for (const s of statements) assert.deepEqual(s.sourceIds, [source.id], s.id);

    const speaker = await one(app, `/v1/actors/${SPOKESPERSON}`);
    assert.equal(speaker.name, 'Mumtaz Zahra Baloch');
    assert.equal(speaker.kind, 'person');

    // Links: answers to what they answer, the SCO meeting, the positions held on the day.
    {
      const statements = await all<Statement>(app, '/v1/statements');
      const byId = new Map(statements.map((s) => [s.id, s]));

      // The Afghan deputy interior minister's advice, answered by the spokesperson.
      const advice = statements.filter((s) => s.speakerId === 'afghan-deputy-interior-minister');
      assert.equal(advice.length, 1);
      const adviceStatement = advice[0] as Statement;
      assert.match(adviceStatement.text, /dialogue/);
      assert.ok(adviceStatement.topicIds.includes('talks-with-ttp'));
      const afghanActor = await one(app, `/v1/actors/${adviceStatement.speakerId}`);
      assert.equal(afghanActor.countryCode, 'AFG');
      const answers = await all<Statement>(app, `/v1/statements?respondsTo=${adviceStatement.id}`);
      assert.ok(answers.length >= 1);
      for (const a of answers) assert.equal(a.speakerId, SPOKESPERSON);
      assert.ok(
        answers.some((a) => a.text.startsWith('We expect the Afghan authorities')),
        'the “we expect the Afghan authorities” quote answers the advice',
      );

      // The letters of President Biden and Prime Minister Sharif, and the spokesperson's comment on them.
      const biden = statements.find((s) => s.speakerId === 'joe-biden');
      const sharif = statements.find((s) => s.speakerId === 'shehbaz-sharif');
      assert.ok(biden && sharif, 'both letters are statements');
      assert.match(biden.text, /security cooperation/);
      assert.match(sharif.text, /security cooperation/);
      assert.equal((await one(app, `/v1/events/${biden.eventId}`)).kind, 'letter');
      assert.equal((await one(app, `/v1/events/${sharif.eventId}`)).kind, 'letter');
      const comment = statements.find((s) => s.text.startsWith('As regards to the security cooperation')) as Statement;
      assert.ok(
        comment.respondsToIds.includes(biden.id) || comment.respondsToIds.includes(sharif.id),
        `the comment answers a letter: ${comment.respondsToIds}`,
      );
      for (const s of statements) {
        for (const answered of s.respondsToIds) assert.ok(byId.has(answered), `${s.id} answers a statement that exists`);
      }

      // The SCO Security Council Secretaries meeting in Astana on 3 April.
      const meetings = await all<Record<string, unknown>>(app, '/v1/events?from=2024-04-03&to=2024-04-03&participant=waqar-ahmad');
      assert.equal(meetings.length, 1);
      const meeting = meetings[0] as Record<string, unknown>;
      assert.equal(meeting.kind, 'meeting');
      assert.match(String(meeting.location), /Astana/);
      assert.match(String(meeting.title), /Security Councils/);
      assert.ok((meeting.participantIds as string[]).includes('waqar-ahmad'));
      assert.equal((await one(app, '/v1/actors/waqar-ahmad')).name, 'Waqar Ahmad');

      // Positions held on 4 April 2024.
      const held = async (query: string) => all<Record<string, unknown>>(app, `/v1/positions?asOf=2024-04-04&${query}`);
      const noTalks = await held('actor=pakistan&topic=talks-with-ttp');
      assert.deepEqual(
        noTalks.map((p) => p.stance),
        ['opposes'],
      );
      // Support for talks rests on undated advice: on the timeline, but not known to be held on any one date.
      assert.deepEqual(await held('topic=talks-with-ttp&stance=supports'), []);
      const talksSupporters = await all<Record<string, unknown>>(app, '/v1/positions?topic=talks-with-ttp&stance=supports');
      assert.equal(talksSupporters.length, 1);
      const supporter = await one(app, `/v1/actors/${(talksSupporters[0] as Record<string, unknown>).actorId}`);
      assert.equal(supporter.countryCode, 'AFG');
      const repatriation = await held('actor=pakistan&topic=migration');
      assert.ok(repatriation.length >= 1);
      assert.ok(repatriation.every((p) => p.stance === 'supports'));
      assert.ok(repatriation.some((p) => String(p.topicId).includes('illegal-foreigners') || String(p.topicId).includes('repatriation')));
      const security = await held('actor=pakistan&topic=pakistan-us-relations');
      assert.equal(security.length, 1);
      assert.equal((security[0] as Record<string, unknown>).stance, 'supports');
      // Every position's evidence is dated (the briefing day for the spokesperson's words).
      for (const p of await all<Record<string, unknown>>(app, '/v1/positions')) {
        assert.ok((p.statementCount as number) >= 1);
        for (const e of p.evidence as { statementId: string }[]) assert.ok(byId.has(e.statementId));
      }
      // Nothing on the day before the briefing.
      assert.deepEqual(await all(app, '/v1/positions?asOf=2024-04-03'), []);

      // topic=counter-terrorism finds the TTP statements (topics below it included) and not the migration ones.
      const ct = new Set((await all<Statement>(app, '/v1/statements?topic=counter-terrorism')).map((s) => s.id));
      const ttpRelated = statements.filter((s) => s.topicIds.some((topic) => topic === 'ttp' || topic === 'talks-with-ttp'));
      assert.ok(ttpRelated.length >= 3);
      for (const s of ttpRelated) assert.ok(ct.has(s.id), `${s.id} is found under counter-terrorism`);
      for (const s of statements.filter((s) =>
        s.topicIds.every((topic) => topic.includes('repatriation') || topic.includes('foreigners')),
      )) {
        assert.ok(!ct.has(s.id), `${s.id} is not about counter-terrorism`);
      }
      assert.equal((await one(app, '/v1/topics/talks-with-ttp')).parentId, 'ttp');
      assert.equal((await one(app, '/v1/topics/ttp')).parentId, 'counter-terrorism');
    }
  });

  test('seed: every position starts on the date of its first dated evidence, or at an unknown date (null) when its evidence is undated', async () => {
    const app = seeded();
    const positions = await all<Position>(app, '/v1/positions');
    assert.ok(positions.length >= 5);
    for (const p of positions)
      assert.equal(p.validFrom, p.firstStatedOn, `${p.id}: validFrom ${p.validFrom}, evidence ${JSON.stringify(p.evidence)}`);
  });

  test('seed: support for talks with the TTP is held by the deputy interior minister the report names, not by the whole Afghan government', async () => {
    const app = seeded();
    const supporters = await all<Position>(app, '/v1/positions?topic=talks-with-ttp&stance=supports');
    assert.deepEqual(
      supporters.map((p) => [p.actorId, p.validFrom, p.evidence.map((e) => e.statementId)]),
      [['afghan-deputy-interior-minister', null, [ADVICE]]],
    );
    // Nothing in the seed speaks for the Afghan interim government as a whole.
    assert.deepEqual(await all(app, '/v1/positions?actor=afghanistan-interim-government'), []);
    const advice = await one<Statement>(app, `/v1/statements/${ADVICE}`);
    assert.equal(advice.speakerId, 'afghan-deputy-interior-minister');
    assert.equal(advice.onBehalfOfId, null);
    assert.equal(advice.statedOn, null);
  });

  test('seed: the letters of Biden and Shehbaz Sharif name no addressee, as the report names none', async () => {
    const app = seeded();
    for (const [id, author] of [
      [BIDEN_LETTER, 'joe-biden'],
      [SHARIF_LETTER, 'shehbaz-sharif'],
    ] as const) {
      const letter = await one<Statement>(app, `/v1/statements/${id}`);
      assert.equal(letter.speakerId, author);
      assert.deepEqual(letter.addresseeIds, [], id);
      const event = await one<{ kind: string; title: string; participantIds: string[] }>(app, `/v1/events/${letter.eventId}`);
      assert.equal(event.kind, 'letter');
      assert.deepEqual(event.participantIds, [author], `${letter.eventId} has its author only`);
      assert.doesNotMatch(event.title, / to /, `${letter.eventId} says whom it was written to: ${event.title}`);
    }
  });

  test('seed: the FO’s answer on security cooperation responds to both letters', async () => {
    const app = seeded();
    const answer = await one<Statement>(app, `/v1/statements/${SECURITY_ANSWER}`);
    assert.deepEqual(answer.respondsToIds, [BIDEN_LETTER, SHARIF_LETTER]);
    for (const letter of [BIDEN_LETTER, SHARIF_LETTER]) {
      const answers = await all<Statement>(app, `/v1/statements?respondsTo=${letter}`);
      assert.deepEqual(
        answers.map((s) => s.id),
        [SECURITY_ANSWER],
        letter,
      );
    }
  });

  test('seed: the SCO Security Council Secretaries meeting carries the agenda the report lists, in its words', async () => {
    const app = seeded();
    const statements = await all<Statement>(app, '/v1/statements?event=sco-ssc-19th-meeting-2024-04-03');
    assert.equal(statements.length, 1);
    const agenda = statements[0] as Statement;
    assert.equal(agenda.kind, 'paraphrase');
    assert.equal(agenda.statedOn, '2024-04-03');
    assert.ok(SOURCE_TEXT.includes(agenda.text), `not the report's words: ${agenda.text}`);
    const topics = await all<{ id: string; name: string; aliases: string[] }>(app, `/v1/topics?within=${agenda.topicIds.join(',')}`);
    const named = (words: RegExp) =>
      topics.some((topic) => agenda.topicIds.includes(topic.id) && [topic.name, ...topic.aliases].some((n) => words.test(n)));
    for (const item of [
      /terrorism/i,
      /extremism/i,
      /narcotic|drug/i,
      /organi[sz]ed crime/i,
      /information security/i,
      /misuse of (the )?internet/i,
      /Afghanistan/,
      /Middle East/,
      /Gaza/,
    ]) {
      assert.ok(named(item), `the agenda has a topic for ${item}`);
    }
    // Found by topic, as a dashboard would ask.
    for (const topic of ['drug-trafficking', 'transnational-organised-crime', 'international-information-security', 'gaza']) {
      assert.deepEqual(
        (await all<Statement>(app, `/v1/statements?topic=${topic}`)).map((s) => s.id),
        [agenda.id],
        topic,
      );
    }
  });

  test('seed: paraphrases that give the report’s own reported speech keep its words', async () => {
    const app = seeded();
    for (const id of [
      ADVICE,
      'fo-2024-04-04-no-afghanistan-specific-policy-on-illegal-foreigners',
      'fo-2024-04-04-illegal-foreigners-should-return-home',
      'fo-2024-04-04-will-raise-concern-with-afghan-authorities',
    ]) {
      const { text, kind } = await one<Statement>(app, `/v1/statements/${id}`);
      assert.equal(kind, 'paraphrase');
      // The sentence may open with a capital and close with a full stop where the report's clause runs on.
      const clause = text.replace(/\.$/, '');
      const found = SOURCE_TEXT.includes(clause) || SOURCE_TEXT.includes(clause[0]?.toLowerCase() + clause.slice(1));
      assert.ok(found, `${id} is not in the report's words: ${text}`);
    }
  });
});

const COLLECTIONS = ['sources', 'actors', 'topics', 'events', 'statements', 'positions'] as const;

test('a restart on the same database changes nothing, and never overwrites what a user changed', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statements-seed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'restart.db');
  const start = () => buildApp({ databasePath, logLevel: 'silent', authDisabled: false, seed: true });
  const snapshot = async (app: Awaited<ReturnType<typeof start>>) => {
    const out: Record<string, unknown> = {};
    for (const c of COLLECTIONS) {
      const res = await app.inject({ method: 'GET', url: `/v1/${c}?limit=100&sort=id&count=true` });
      assert.equal(res.statusCode, 200);
      out[c] = res.json();
    }
    return out as Record<(typeof COLLECTIONS)[number], { data: { id: string; version: number; updatedAt: string }[]; total: number }>;
  };

  const first = await start();
  let firstClosed = false;
  t.after(() => (firstClosed ? undefined : first.close()));
  const seeded = await snapshot(first);
  // Everything in the seed files, and nothing else, each record at version 1.
  for (const c of COLLECTIONS) {
    const expected = seedBundles().reduce((n, { bundle }) => n + (bundle[c]?.length ?? 0), 0);
    assert.equal(seeded[c].total, expected, c);
    for (const r of seeded[c].data) assert.equal(r.version, 1, `${c}/${r.id}`);
  }
  assert.ok(seeded.statements.total >= 13);

  // A user edits a seeded statement and deletes a seeded position, then the service restarts on the same file.
  const auth = { authorization: `Bearer ${await createKey(first.storage, 'restart-test')}` };
  const statementId = seeded.statements.data[0]?.id as string;
  const edited = await first.inject({
    method: 'PATCH',
    url: `/v1/statements/${statementId}`,
    headers: auth,
    payload: { context: 'Edited by a user.' },
  });
  assert.equal(edited.statusCode, 200, edited.body);
  const positionId = seeded.positions.data[0]?.id as string;
  const deleted = await first.inject({ method: 'DELETE', url: `/v1/positions/${positionId}`, headers: auth });
  assert.equal(deleted.statusCode, 204, deleted.body);
  const beforeRestart = await snapshot(first);
  await first.close();
  firstClosed = true;

  const second = await start();
  t.after(() => second.close());
  const afterRestart = await snapshot(second);
  // Same counts, versions and updatedAt: the seed did not run again, so it neither re-created nor reset anything.
  assert.deepEqual(afterRestart, beforeRestart);
  for (const c of COLLECTIONS) {
    for (const r of afterRestart[c].data) {
      if (c === 'statements' && r.id === statementId) continue;
      const original = seeded[c].data.find((o) => o.id === r.id);
      assert.deepEqual(r, original, `${c}/${r.id} is as seeded`);
    }
  }
  const statement = afterRestart.statements.data.find((s) => s.id === statementId) as unknown as Statement & { version: number };
  assert.equal(statement.context, 'Edited by a user.');
  assert.equal(statement.version, 2);
  assert.equal((await second.inject({ method: 'GET', url: `/v1/positions/${positionId}` })).statusCode, 404);
  assert.equal(afterRestart.positions.total, seeded.positions.total - 1);
});
