// POST /v1/extract over HTTP: label styles, attributions, quotes, dates, spans, the bundle importing as it is, hostile input.
// Every briefing here is a short synthetic one written for these tests.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertProblem, fieldError } from './assertions.js';
import { makeApp, type TestApp } from './helpers.js';

interface Statement {
  id: string;
  text: string;
  kind: 'quote' | 'paraphrase';
  speakerId: string;
  statedOn: string | null;
  context: string | null;
  acts: string[];
  topicIds: string[];
  sourceIds: string[];
}
interface Result {
  format: 'transcript' | 'report';
  bundle: {
    sources: { id: string; url: string | null; text?: string | null }[];
    actors: { id: string; name: string }[];
    statements: Statement[];
  };
  spans: { statementId: string; start: number; end: number; question: { start: number; end: number } | null }[];
  warnings: { code: string; message: string; at: number | null }[];
}

async function run(api: TestApp, payload: Record<string, unknown>): Promise<Result> {
  const res = await api.json({ method: 'POST', url: '/v1/extract', payload });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Result;
}

const speakerOf = (r: Result, s: Statement) => r.bundle.actors.find((a) => a.id === s.speakerId)?.name ?? s.speakerId;
const texts = (r: Result) => r.bundle.statements.map((s) => s.text);

const QA = `Foreign Ministry Spokesperson Anna Berg's Regular Press Conference on March 3, 2025

Q: Neighbouring states held talks on the river dispute yesterday. What is your comment?

A: We welcome the talks. We urge both sides to keep to dialogue.

Q: Will the minister visit the region?

A: I have no information to release at the moment.`;

test('Q:/A: transcript: each answer is a quote by the spokesperson the title names, with its question and the title’s date', async (t) => {
  const api = await makeApp(t);
  const r = await run(api, { text: QA });
  assert.equal(r.format, 'transcript');
  assert.deepEqual(texts(r), [
    'We welcome the talks. We urge both sides to keep to dialogue.',
    'I have no information to release at the moment.',
  ]);
  assert.deepEqual(
    r.bundle.statements.map((s) => [s.kind, speakerOf(r, s), s.statedOn, s.context]),
    [
      ['quote', 'Anna Berg', '2025-03-03', 'Neighbouring states held talks on the river dispute yesterday. What is your comment?'],
      ['quote', 'Anna Berg', '2025-03-03', 'Will the minister visit the region?'],
    ],
  );
});

test('outlet labels ask and the spokesperson’s name answers (Outlet: … Name:), a follow-up too', async (t) => {
  const api = await makeApp(t);
  const text = `Foreign Ministry Spokesperson Chen Mo's Regular Press Conference on June 4, 2021

Evening Herald: The port deal was signed on Monday. Does your side have a comment?

Chen Mo: We note the reports. Cooperation serves both peoples.

Follow-up: Will it be extended?

Chen Mo: That is for the two companies to decide.

Global Wire: Some say the deal threatens the region. How do you respond?

Chen Mo: Such claims are groundless. We reject them.`;
  const r = await run(api, { text });
  assert.deepEqual(
    r.bundle.statements.map((s) => [s.text, speakerOf(r, s), s.context]),
    [
      [
        'We note the reports. Cooperation serves both peoples.',
        'Chen Mo',
        'The port deal was signed on Monday. Does your side have a comment?',
      ],
      ['That is for the two companies to decide.', 'Chen Mo', 'Will it be extended?'],
      ['Such claims are groundless. We reject them.', 'Chen Mo', 'Some say the deal threatens the region. How do you respond?'],
    ],
  );
});

test('US style: `Q` and `MR. NAME:`; the full name from the title; stage directions and cut-off turns are not statements', async (t) => {
  const api = await makeApp(t);
  const text = `Press Gaggle by National Security Spokesman Peter Dale

10:02 A.M. EDT

     MR. DALE:  Morning, everybody.  Just one thing at the top on the ceasefire talks.

     Q    John, are the talks stalled?

     MR. DALE:  No, they are not stalled.  (Laughter.)
We are hopeful.

(A reporter raises a hand.)

     Q    And on the sanctions —

     MR. DALE:  Hey, Sam —

     Q    Will there be more sanctions?

     MR. DALE:  I won't get ahead of decisions that haven't been made.

10:20 A.M. EDT`;
  const r = await run(api, { text, statedOn: '2024-05-06' });
  assert.equal(r.format, 'transcript');
  assert.deepEqual(texts(r), [
    'Morning, everybody.  Just one thing at the top on the ceasefire talks.',
    'No, they are not stalled.  (Laughter.)\nWe are hopeful.',
    "I won't get ahead of decisions that haven't been made.",
  ]);
  assert.ok(r.bundle.statements.every((s) => speakerOf(r, s) === 'Peter Dale' && s.statedOn === '2024-05-06'));
  assert.deepEqual(
    r.bundle.statements.map((s) => s.context),
    [null, 'John, are the talks stalled?', 'Will there be more sanctions?'],
  );
});

test('India style: `Question:` and `Official Spokesperson, Shri …:` name the speaker from the label', async (t) => {
  const api = await makeApp(t);
  const text = `Transcript of Weekly Media Briefing by the Official Spokesperson (May 15, 2025)

Official Spokesperson, Shri Ravi Menon: Good afternoon and welcome to this briefing.

Question: Sir, is there an update on the trade agreement?

Official Spokesperson, Shri Ravi Menon: Negotiations are going on. We will share details when they conclude.`;
  const r = await run(api, { text });
  assert.deepEqual(
    r.bundle.statements.map((s) => [s.text, speakerOf(r, s), s.context, s.statedOn]),
    [
      ['Good afternoon and welcome to this briefing.', 'Ravi Menon', null, '2025-05-15'],
      [
        'Negotiations are going on. We will share details when they conclude.',
        'Ravi Menon',
        'Sir, is there an update on the trade agreement?',
        '2025-05-15',
      ],
    ],
  );
});

test('unlabelled opening remarks are a statement of the spokesperson without a question', async (t) => {
  const api = await makeApp(t);
  const text = `Foreign Ministry Spokesperson Anna Berg's Regular Press Conference on March 3, 2025

At the invitation of the Foreign Minister, the President of Westland will pay a state visit from March 10 to 12.

Q: What do you expect from the visit?

A: The visit will deepen our cooperation.`;
  const r = await run(api, { text });
  const [remarks, answer] = r.bundle.statements;
  assert.equal(
    remarks?.text,
    'At the invitation of the Foreign Minister, the President of Westland will pay a state visit from March 10 to 12.',
  );
  assert.equal(remarks?.context, null);
  assert.equal(remarks && speakerOf(r, remarks), 'Anna Berg');
  assert.equal(answer?.context, 'What do you expect from the visit?');
});

test('a bilingual transcript: 问/答 turns and Q/A turns are each a statement, each with its language', async (t) => {
  const api = await makeApp(t);
  const text = `外交部发言人林平主持例行记者会 Foreign Ministry Spokesperson Lin Ping's Regular Press Conference on April 2, 2024

问：你对会谈有何评论？

答：我们欢迎会谈。

Q: What is your comment on the talks?

A: We welcome the talks.`;
  const r = await run(api, { text, spokesperson: 'Lin Ping' });
  assert.deepEqual(
    r.bundle.statements.map((s) => [s.text, (s as unknown as { language: string }).language, s.context]),
    [
      ['我们欢迎会谈。', 'zh', '你对会谈有何评论？'],
      ['We welcome the talks.', 'en', 'What is your comment on the talks?'],
    ],
  );
});

const REPORT = `Ministry rejects claims over dam

By Staff Reporter
March 8, 2024

CAPITAL CITY: Foreign Office Spokesperson Sara Idris on Thursday rejected claims that the dam would harm downstream states.

“The project meets every international standard and poses no risk to our neighbours,” she said at the weekly briefing.

“We have shared the data with all sides,” the spokeswoman added, “and we remain open to a joint review.”

Asked about the protests, the spokesperson responded, “People have a right to be heard, but the facts are clear.”

"Nobody has asked us for talks," said Idris.`;

test('report quotes: pronouns and roles resolve to the named spokesperson; attributions before, after and inside the quote', async (t) => {
  const api = await makeApp(t);
  const r = await run(api, { text: REPORT });
  assert.equal(r.format, 'report');
  const quotes = r.bundle.statements.filter((s) => s.kind === 'quote');
  assert.deepEqual(
    quotes.map((s) => [s.text, speakerOf(r, s)]),
    [
      ['The project meets every international standard and poses no risk to our neighbours', 'Sara Idris'],
      ['We have shared the data with all sides', 'Sara Idris'],
      ['and we remain open to a joint review.', 'Sara Idris'],
      ['People have a right to be heard, but the facts are clear.', 'Sara Idris'],
      ['Nobody has asked us for talks', 'Sara Idris'],
    ],
  );
});

test('report dates: "on Thursday" resolves against the dateline to the Thursday before it', async (t) => {
  const api = await makeApp(t);
  const r = await run(api, { text: REPORT });
  assert.ok(r.bundle.statements.length >= 5);
  assert.ok(
    r.bundle.statements.every((s) => s.statedOn === '2024-03-07'),
    JSON.stringify(r.bundle.statements.map((s) => s.statedOn)),
  );
});

test('report dates: without a dateline, source.publishedOn resolves "yesterday"; with neither, null and a warning', async (t) => {
  const api = await makeApp(t);
  const text = 'The foreign ministry spokesman Omar Lind said yesterday that the border would reopen next week.';
  const dated = await run(api, { text, source: { publishedOn: '2024-06-11' } });
  assert.deepEqual(
    dated.bundle.statements.map((s) => [s.kind, s.text, s.statedOn]),
    [['paraphrase', 'the border would reopen next week', '2024-06-10']],
  );
  const undated = await run(api, { text });
  assert.equal(undated.bundle.statements[0]?.statedOn, null);
  assert.ok(undated.warnings.some((w) => w.code === 'DATE_UNRESOLVED'));
});

test('a paraphrase-only report: reported speech becomes paraphrases of the speaker; no quotes', async (t) => {
  const api = await makeApp(t);
  const text = `Spokesman urges restraint

Foreign Ministry Spokesman Karl Ost said on Monday that both sides should exercise restraint.
He added that the embassy was in contact with the families of those detained.
According to him, a new round of consultations will be held next month.
Ost also condemned the attack on the convoy and reiterated support for the peace process, urging all parties to return to talks.`;
  const r = await run(api, { text, source: { publishedOn: '2024-02-06' } });
  assert.ok(r.bundle.statements.every((s) => s.kind === 'paraphrase'));
  assert.deepEqual(texts(r), [
    'both sides should exercise restraint',
    'the embassy was in contact with the families of those detained',
    'a new round of consultations will be held next month',
    'condemned the attack on the convoy',
    'reiterated support for the peace process, urging all parties to return to talks',
    'all parties to return to talks',
  ]);
  assert.ok(r.bundle.statements.every((s) => speakerOf(r, s) === 'Karl Ost'));
  assert.equal(r.bundle.statements[0]?.statedOn, '2024-02-05');
});

test('a headline’s quote is not a statement: the story attributes it in full', async (t) => {
  const api = await makeApp(t);
  const text = `Ministry “firmly opposes” new tariffs

Spokesperson Ana Ruiz said the ministry “firmly opposes the new tariffs on steel”.`;
  const r = await run(api, { text });
  assert.deepEqual(
    r.bundle.statements.filter((s) => s.kind === 'quote').map((s) => [s.text, speakerOf(r, s)]),
    [['firmly opposes the new tariffs on steel', 'Ana Ruiz']],
  );
});

test('nested quotes: an inner quotation stays inside the outer quote’s text', async (t) => {
  const api = await makeApp(t);
  const text = `Spokeswoman Lea Park said: “They called it ‘a final offer’, and we told them “no deal” is better than a bad deal.”`;
  const r = await run(api, { text });
  assert.deepEqual(texts(r), ['They called it ‘a final offer’, and we told them “no deal” is better than a bad deal.']);
  assert.equal(speakerOf(r, r.bundle.statements[0] as Statement), 'Lea Park');
});

test('an unbalanced quotation mark: a warning at the mark, the rest of the paragraph taken as the quote', async (t) => {
  const api = await makeApp(t);
  const text = `Spokeswoman Lea Park said: “We will not accept any change to the border

The ministry later issued a statement.`;
  const r = await run(api, { text });
  const warning = r.warnings.find((w) => w.code === 'UNBALANCED_QUOTE');
  assert.equal(warning?.at, text.indexOf('“'));
  assert.deepEqual(
    r.bundle.statements.filter((s) => s.kind === 'quote').map((s) => s.text),
    ['We will not accept any change to the border'],
  );
});

test('a quote over several paragraphs (reopened with a mark, not closed before) is one statement', async (t) => {
  const api = await makeApp(t);
  const text = `Minister Tom Ray spoke to reporters on the dispute.

“We have made our position clear. We will defend our interests.

“But we also want a peaceful solution,” Ray said.`;
  const r = await run(api, { text });
  const quotes = r.bundle.statements.filter((s) => s.kind === 'quote');
  assert.equal(quotes.length, 1);
  assert.equal(quotes[0]?.text, 'We have made our position clear. We will defend our interests.\n\n“But we also want a peaceful solution');
  assert.equal(speakerOf(r, quotes[0] as Statement), 'Tom Ray');
});

test('spans: each statement’s text and context stand at their offsets in the input', async (t) => {
  const api = await makeApp(t);
  for (const text of [QA, REPORT]) {
    const r = await run(api, { text });
    assert.equal(r.spans.length, r.bundle.statements.length);
    r.bundle.statements.forEach((s, i) => {
      const span = r.spans[i];
      assert.equal(span?.statementId, s.id);
      assert.equal(text.slice(span?.start, span?.end), s.text);
      if (s.context !== null && span?.question) assert.equal(text.slice(span.question.start, span.question.end), s.context);
    });
  }
});

test('acts come from the wording: welcome → praise, urge → appeal, no information → declineComment, reject → reject', async (t) => {
  const api = await makeApp(t);
  const r = await run(api, { text: QA });
  assert.deepEqual(
    r.bundle.statements.map((s) => s.acts),
    [['appeal', 'praise'], ['declineComment']],
  );
  const report = await run(api, { text: 'Spokesperson Ana Ruiz said: “We reject these baseless allegations.”' });
  assert.ok(report.bundle.statements[0]?.acts.includes('reject'));
});

test('the returned bundle imports as it is, and its quotes verify against the source’s text', async (t) => {
  const api = await makeApp(t);
  const r = await run(api, {
    text: REPORT,
    source: { url: 'https://news.example/dam', publisher: 'Example News', publishedOn: '2024-03-08' },
  });
  const imported = await api.json({ method: 'POST', url: '/v1/imports', payload: r.bundle });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  assert.equal(imported.body.counts.statements.created, r.bundle.statements.length);
  const listed = await api.json({ method: 'GET', url: '/v1/statements?kind=quote&limit=100' });
  assert.equal(listed.body.data.length, 5);
  assert.ok(listed.body.data.every((s: { verified: boolean | null }) => s.verified === true));
  const paraphrases = await api.json({ method: 'GET', url: '/v1/statements?kind=paraphrase&limit=100' });
  assert.ok(paraphrases.body.data.every((s: { verified: boolean | null }) => s.verified === null));
});

test('stored records are reused: actors by name, topics by alias (Besham → the Bisham attack), the source by URL', async (t) => {
  const api = await makeApp(t, { seed: true });
  const patched = await api.json({
    method: 'PATCH',
    url: '/v1/sources/the-news-2024-04-05-pakistan-not-in-talks-with-ttp',
    payload: { url: 'https://news.example/fo-briefing' },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const text = `Spokesperson Mumtaz Zahra Baloch said on Thursday: “The investigation into the Besham attack is nearly complete.”`;
  const r = await run(api, { text, source: { url: 'https://news.example/fo-briefing' } });
  const [s] = r.bundle.statements;
  assert.equal(s?.speakerId, 'mumtaz-zahra-baloch');
  assert.deepEqual(s?.topicIds, ['bisham-attack']);
  assert.deepEqual(s?.sourceIds, ['the-news-2024-04-05-pakistan-not-in-talks-with-ttp']);
  // Reused records come whole, so importing them changes nothing.
  const imported = await api.json({ method: 'POST', url: '/v1/imports', payload: r.bundle });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  assert.deepEqual(imported.body.counts.actors, { created: 0, updated: 0, unchanged: 1 });
  assert.deepEqual(imported.body.counts.sources, { created: 0, updated: 0, unchanged: 1 });
});

test('a quote whose words do not stand in its source’s text is verified: false; quotation-mark style and spacing do not count', async (t) => {
  const api = await makeApp(t);
  await api.json({ method: 'POST', url: '/v1/actors', payload: { id: 'ana', name: 'Ana', kind: 'person' } });
  await api.json({
    method: 'POST',
    url: '/v1/sources',
    payload: { id: 'src', kind: 'newsReport', title: 'T', text: 'She said: “We will  not\naccept it,” and left.' },
  });
  const make = (id: string, words: string) =>
    api.json({ method: 'POST', url: '/v1/statements', payload: { id, text: words, kind: 'quote', speakerId: 'ana', sourceIds: ['src'] } });
  assert.equal((await make('same', '"We will not accept it,"')).body.verified, true);
  assert.equal((await make('other', 'We will accept it')).body.verified, false);
});

test('the seed’s source carries the report’s text and every quote of the seed verifies', async (t) => {
  const api = await makeApp(t, { seed: true });
  const source = await api.json({ method: 'GET', url: '/v1/sources/the-news-2024-04-05-pakistan-not-in-talks-with-ttp' });
  assert.match(source.body.text, /^Pakistan not in talks with TTP: FO/);
  const quotes = await api.json({ method: 'GET', url: '/v1/statements?kind=quote&limit=100' });
  assert.ok(quotes.body.data.length >= 5);
  assert.deepEqual(
    quotes.body.data.filter((s: { verified: boolean }) => s.verified !== true).map((s: { id: string }) => s.id),
    [],
  );
});

test('hostile input: a 10 MB body is a 413 before extraction', async (t) => {
  const api = await makeApp(t);
  const res = await api.json({ method: 'POST', url: '/v1/extract', payload: { text: 'Q: a?\nA: b.\n'.repeat(900_000) } });
  assertProblem(res, 413, 'PAYLOAD_TOO_LARGE');
});

test('hostile input: binary data in text is a 400 naming /text', async (t) => {
  const api = await makeApp(t);
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)).toString('latin1');
  const res = await api.json({ method: 'POST', url: '/v1/extract', payload: { text: binary } });
  const problem = assertProblem(res, 400, 'VALIDATION_FAILED');
  assert.match(fieldError(problem, '/text').message, /control character/);
});

// A stall shows as the test's timeout, set far above any machine's time for these inputs (quadratic work on
// them would take hours), so that a loaded machine does not fail them: speed itself is the bench's to measure.
test('hostile input: 100k lines is a 400 naming /text', { timeout: 60_000 }, async (t) => {
  const api = await makeApp(t);
  const res = await api.json({ method: 'POST', url: '/v1/extract', payload: { text: 'Q: a?\n'.repeat(100_000) } });
  const problem = assertProblem(res, 400, 'VALIDATION_FAILED');
  assert.match(fieldError(problem, '/text').message, /lines/);
});

test('hostile input: the longest texts allowed, with pathological punctuation, are answered without a stall', {
  timeout: 180_000,
}, async (t) => {
  const api = await makeApp(t);
  const line = '“a, said X, “b” she said. Q: “ " Spokesperson Z said that ’s, urging, noting that — ';
  const texts = [
    `${line.repeat(Math.floor(990_000 / line.length / 20)).trim()}\n`.repeat(20),
    // Tens of thousands of quotes in one paragraph, and in one sentence.
    '“a b” she said. '.repeat(60_000),
    'the minister’s advice that x “y z” '.repeat(28_000),
  ];
  for (const text of texts) {
    const res = await api.json({ method: 'POST', url: '/v1/extract', payload: { text } });
    assert.equal(res.status, 200);
    assert.ok(res.body.warnings.length <= 8 * 51, 'warnings are capped');
  }
});

test('bad requests: no key is a 401, an empty text or an unknown field a 400 naming it', async (t) => {
  const api = await makeApp(t);
  assertProblem(await api.json({ method: 'POST', url: '/v1/extract', payload: { text: QA }, auth: false }), 401, 'UNAUTHORIZED');
  fieldError(
    assertProblem(await api.json({ method: 'POST', url: '/v1/extract', payload: { text: '   ' } }), 400, 'VALIDATION_FAILED'),
    '/text',
  );
  fieldError(
    assertProblem(await api.json({ method: 'POST', url: '/v1/extract', payload: { text: QA, speaker: 'x' } }), 400, 'VALIDATION_FAILED'),
    '/speaker',
  );
});

const SHARED = new URL('../../shared/briefings/texts/', import.meta.url).pathname;

test('on the shared real briefings (read in place), every statement stands verbatim at its span and the bundle passes a dry-run import', {
  skip: !existsSync(SHARED),
}, async (t) => {
  const api = await makeApp(t);
  for (const file of readdirSync(SHARED).filter((f) => f.endsWith('.txt'))) {
    const text = readFileSync(join(SHARED, file), 'utf8').trim();
    const r = await run(api, { text });
    assert.ok(r.bundle.statements.length > 0, file);
    r.bundle.statements.forEach((s, i) => {
      assert.equal(text.slice(r.spans[i]?.start, r.spans[i]?.end), s.text, file);
    });
    const dry = await api.json({ method: 'POST', url: '/v1/imports?dryRun=true', payload: r.bundle });
    assert.equal(dry.status, 200, `${file}: ${JSON.stringify(dry.body)}`);
  }
});
