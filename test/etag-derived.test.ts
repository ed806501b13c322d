// A statement's ETag follows its derived `verified` (read from its sources' texts) as well as its version: a
// conditional GET never answers 304 for an answer that changed, and If-Match still guards the statement's own fields.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertProblem, type Body, create } from './assertions.js';
import { makeApp, type TestApp } from './helpers.js';

const QUOTE = 'We will not hold talks with the TTP';
const SAYS_IT = `The spokesperson said: “We will not hold talks with the TTP,” on Thursday.`;
const SAYS_OTHER = 'The spokesperson declined to comment.';

/** A speaker, a source (with `text` when given) and a quote citing it; answers the app. */
async function quoteCiting(t: Parameters<typeof makeApp>[0], text?: string): Promise<TestApp> {
  const api = await makeApp(t);
  const post = (url: string, payload: Body) => create(api, url, payload);
  await post('/v1/actors', { id: 'spokesperson', name: 'A Spokesperson', kind: 'person' });
  await post('/v1/sources', { id: 'report', kind: 'newsReport', title: 'A report', ...(text ? { text } : {}) });
  await post('/v1/statements', { id: 'q', text: QUOTE, kind: 'quote', speakerId: 'spokesperson', sourceIds: ['report'] });
  return api;
}

const getQuote = (api: TestApp, ifNoneMatch?: string) =>
  api.json({ method: 'GET', url: '/v1/statements/q', headers: ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {} });

async function setSourceText(api: TestApp, text: string | null): Promise<void> {
  const res = await api.json({ method: 'PATCH', url: '/v1/sources/report', payload: { text } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

const patchQuote = (api: TestApp, ifMatch: string, payload: object = { speakerRole: 'Spokesperson' }) =>
  api.json({ method: 'PATCH', url: '/v1/statements/q', payload, headers: { 'if-match': ifMatch } });

describe('ETag of a statement: conditional GET', () => {
  test('a source text edited so that the quote no longer stands in it: the old ETag gets 200, verified false and a new ETag', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const before = await getQuote(api);
    assert.deepEqual([before.status, before.body.verified, before.headers.etag], [200, true, '"1.v"']);

    await setSourceText(api, SAYS_OTHER);
    const after = await getQuote(api, String(before.headers.etag));
    assert.equal(after.status, 200);
    assert.deepEqual([after.body.verified, after.body.version, after.headers.etag], [false, 1, '"1.u"']);
  });

  test('the new ETag, strong or weak, answers 304 with that ETag', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    await setSourceText(api, SAYS_OTHER);
    for (const tag of ['"1.u"', 'W/"1.u"', '"1.v", "1.u"']) {
      const res = await getQuote(api, tag);
      assert.deepEqual([res.status, res.body, res.headers.etag], [304, undefined, '"1.u"'], tag);
    }
  });

  test('a text given to a source that had none: the plain ETag of the unverifiable quote gets 200, verified true', async (t) => {
    const api = await quoteCiting(t);
    const before = await getQuote(api);
    assert.deepEqual([before.status, before.body.verified, before.headers.etag], [200, null, '"1"']);

    await setSourceText(api, SAYS_IT);
    const after = await getQuote(api, '"1"');
    assert.deepEqual([after.status, after.body.verified, after.headers.etag], [200, true, '"1.v"']);
    assert.equal((await getQuote(api, '"1.v"')).status, 304);
  });

  test('a source text removed: the quote is unverifiable again and its ETag the plain version', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    await setSourceText(api, null);
    const after = await getQuote(api, '"1.v"');
    assert.deepEqual([after.status, after.body.verified, after.headers.etag], [200, null, '"1"']);
  });

  test('a paraphrase keeps the plain version as its ETag whatever its sources hold', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const res = await api.json({ method: 'PATCH', url: '/v1/statements/q', payload: { kind: 'paraphrase' } });
    assert.deepEqual([res.status, res.body.verified, res.headers.etag], [200, null, '"2"']);
    assert.equal((await getQuote(api, '"2"')).status, 304);
  });
});

describe('ETag of a statement: on writes', () => {
  test('POST and PATCH answer with the ETag a GET then sends', async (t) => {
    const api = await quoteCiting(t);
    const created = await api.json({
      method: 'POST',
      url: '/v1/statements',
      payload: { id: 'q2', text: QUOTE, kind: 'quote', speakerId: 'spokesperson', sourceIds: ['report'] },
    });
    assert.deepEqual([created.status, created.headers.etag], [201, '"1"']);
    await setSourceText(api, SAYS_IT);
    const patched = await api.json({ method: 'PATCH', url: '/v1/statements/q2', payload: { speakerRole: 'Spokesperson' } });
    assert.deepEqual([patched.status, patched.body.verified, patched.headers.etag], [200, true, '"2.v"']);
    const got = await api.json({ method: 'GET', url: '/v1/statements/q2' });
    assert.equal(got.headers.etag, patched.headers.etag);
  });

  test('If-Match with the ETag read before a source text changed still applies: only the derived part differs', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const read = await getQuote(api);
    await setSourceText(api, SAYS_OTHER);
    const res = await patchQuote(api, String(read.headers.etag));
    assert.deepEqual([res.status, res.body.version, res.body.speakerRole, res.headers.etag], [200, 2, 'Spokesperson', '"2.u"']);
  });

  test('If-Match with the version alone applies to a statement whose ETag has a suffix', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const res = await patchQuote(api, '"1"');
    assert.deepEqual([res.status, res.body.version, res.headers.etag], [200, 2, '"2.v"']);
  });

  test('If-Match with a stale version is a 412 whose detail names the current ETag; currentVersion is the version', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    assert.equal((await patchQuote(api, '"1"')).status, 200);
    for (const stale of ['"1"', '"1.v"']) {
      const res = await patchQuote(api, stale, { speakerRole: 'Someone else' });
      const problem = assertProblem(res, 412, 'PRECONDITION_FAILED');
      assert.equal(problem.currentVersion, 2);
      assert.equal(problem.detail, `If-Match ${stale} does not match the current ETag "2.v" (version 2); read the record again and retry.`);
    }
    assert.equal((await getQuote(api)).body.speakerRole, 'Spokesperson');
  });

  test('If-Match compares strongly: a weak tag of the current version is a 412', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    assertProblem(await patchQuote(api, 'W/"1.v"'), 412, 'PRECONDITION_FAILED');
  });

  test('DELETE with the ETag read before a source text changed deletes the statement', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const read = await getQuote(api);
    await setSourceText(api, SAYS_OTHER);
    const res = await api.request({ method: 'DELETE', url: '/v1/statements/q', headers: { 'if-match': String(read.headers.etag) } });
    assert.equal(res.statusCode, 204);
    assert.equal((await getQuote(api)).status, 404);
  });

  test('an idempotent replay of a POST carries the ETag first sent, with the body first sent', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const post = () =>
      api.json({
        method: 'POST',
        url: '/v1/statements',
        payload: { id: 'q2', text: QUOTE, kind: 'quote', speakerId: 'spokesperson', sourceIds: ['report'] },
        headers: { 'idempotency-key': 'k-1' },
      });
    const first = await post();
    assert.deepEqual([first.status, first.body.verified, first.headers.etag], [201, true, '"1.v"']);
    await setSourceText(api, SAYS_OTHER);
    const again = await post();
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual([again.status, again.body.verified, again.headers.etag], [201, true, '"1.v"']);
  });
});

describe('kept answers after a source text change', () => {
  test('a search asked again answers the new verified, by GET /v1/statements?q= and GET /v1/search', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const verified = async () => {
      const list = await api.json({ method: 'GET', url: '/v1/statements?q=talks' });
      const search = await api.json({ method: 'GET', url: '/v1/search?q=talks' });
      assert.deepEqual([list.status, search.status], [200, 200]);
      return [list.body.data[0]?.verified, search.body.data[0]?.verified];
    };
    assert.deepEqual(await verified(), [true, true]);
    await setSourceText(api, SAYS_OTHER);
    assert.deepEqual(await verified(), [false, false]);
  });
});

describe('ETag of a position: its evidence dates come from its statements', () => {
  /** Two dated statements and a position evidenced by both; answers the app. */
  async function positionOnTwo(t: Parameters<typeof makeApp>[0]): Promise<TestApp> {
    const api = await quoteCiting(t);
    const post = (url: string, payload: Body) => create(api, url, payload);
    await post('/v1/topics', { id: 'talks', name: 'Talks' });
    for (const [id, statedOn] of [
      ['early', '2024-01-10'],
      ['late', '2024-04-04'],
    ]) {
      await post('/v1/statements', {
        id,
        text: `Said on ${statedOn}.`,
        kind: 'paraphrase',
        speakerId: 'spokesperson',
        sourceIds: ['report'],
        statedOn,
      });
    }
    await post('/v1/positions', {
      id: 'p',
      actorId: 'spokesperson',
      topicId: 'talks',
      stance: 'opposes',
      summary: 'No talks.',
      evidence: [
        { statementId: 'early', relation: 'asserts' },
        { statementId: 'late', relation: 'reiterates' },
      ],
    });
    return api;
  }

  test('a statement re-dated: the old ETag gets 200 with the evidence reordered and a new ETag, which then answers 304', async (t) => {
    const api = await positionOnTwo(t);
    const before = await api.json({ method: 'GET', url: '/v1/positions/p' });
    assert.equal(before.body.lastReaffirmedOn, '2024-04-04');
    const redated = await api.json({ method: 'PATCH', url: '/v1/statements/early', payload: { statedOn: '2024-05-01' } });
    assert.equal(redated.status, 200);

    const after = await api.json({ method: 'GET', url: '/v1/positions/p', headers: { 'if-none-match': String(before.headers.etag) } });
    assert.equal(after.status, 200);
    assert.deepEqual(
      [after.body.version, after.body.evidence.map((e: { statementId: string }) => e.statementId), after.body.lastReaffirmedOn],
      [1, ['late', 'early'], '2024-05-01'],
    );
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.match(String(after.headers.etag), /^"1\.[\w-]{8}"$/);
    const again = await api.json({ method: 'GET', url: '/v1/positions/p', headers: { 'if-none-match': String(after.headers.etag) } });
    assert.equal(again.status, 304);
  });

  test('a statement re-dated: If-Match with the ETag read before still applies to the position', async (t) => {
    const api = await positionOnTwo(t);
    const before = await api.json({ method: 'GET', url: '/v1/positions/p' });
    await api.json({ method: 'PATCH', url: '/v1/statements/early', payload: { statedOn: '2024-05-01' } });
    const res = await api.json({
      method: 'PATCH',
      url: '/v1/positions/p',
      payload: { summary: 'Still no talks.' },
      headers: { 'if-match': String(before.headers.etag) },
    });
    assert.deepEqual([res.status, res.body.version, res.body.summary], [200, 2, 'Still no talks.']);
  });
});

describe('ETag of an expanded answer: the embedded records are part of it', () => {
  test('a cited source retitled: the ETag of ?expand=sources changes and the old one gets 200 with the new title', async (t) => {
    const api = await quoteCiting(t);
    const url = '/v1/statements/q?expand=sources';
    const before = await api.json({ method: 'GET', url });
    assert.match(String(before.headers.etag), /^"1\.[\w-]{8}"$/);
    const retitled = await api.json({ method: 'PATCH', url: '/v1/sources/report', payload: { title: 'The report, retitled' } });
    assert.equal(retitled.status, 200);

    const after = await api.json({ method: 'GET', url, headers: { 'if-none-match': String(before.headers.etag) } });
    assert.deepEqual([after.status, after.body.sources[0].title], [200, 'The report, retitled']);
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.equal((await api.json({ method: 'GET', url, headers: { 'if-none-match': String(after.headers.etag) } })).status, 304);
    // Unexpanded, the statement's answer did not change: its plain ETag still answers 304.
    assert.equal((await getQuote(api, '"1"')).status, 304);
  });

  test('an evidence statement edited: the ETag of a position with ?expand=evidence changes', async (t) => {
    const api = await quoteCiting(t);
    await create(api, '/v1/topics', { id: 'talks', name: 'Talks' });
    await create(api, '/v1/positions', {
      id: 'p',
      actorId: 'spokesperson',
      topicId: 'talks',
      stance: 'opposes',
      summary: 'No talks.',
      evidence: [{ statementId: 'q', relation: 'asserts' }],
    });
    const url = '/v1/positions/p?expand=evidence';
    const before = await api.json({ method: 'GET', url });
    await api.json({ method: 'PATCH', url: '/v1/statements/q', payload: { speakerRole: 'Spokesperson' } });
    const after = await api.json({ method: 'GET', url, headers: { 'if-none-match': String(before.headers.etag) } });
    assert.deepEqual([after.status, after.body.evidence[0].statement.speakerRole], [200, 'Spokesperson']);
    assert.equal((await api.json({ method: 'GET', url, headers: { 'if-none-match': String(after.headers.etag) } })).status, 304);
  });

  test('If-Match with the ETag of an expanded answer applies to the record at that version', async (t) => {
    const api = await quoteCiting(t, SAYS_IT);
    const read = await api.json({ method: 'GET', url: '/v1/statements/q?expand=sources,speaker' });
    assert.match(String(read.headers.etag), /^"1\.v\.[\w-]{8}"$/);
    const res = await patchQuote(api, String(read.headers.etag));
    assert.deepEqual([res.status, res.body.version], [200, 2]);
  });
});
