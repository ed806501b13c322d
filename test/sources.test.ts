// Sources over HTTP: CRUD, the kind / publisher / date filters, and the checks on dates, URLs and languages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertProblem, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp } from './helpers.js';

const SOURCE_KINDS = 'officialTranscript, pressRelease, newsReport, socialPost, letter, other';

/** Asserts an RFC 9457 problem with this status and code, and returns its body. */
const THE_NEWS = {
  id: 'the-news-2024-04-05',
  kind: 'newsReport',
  title: 'Pakistan not in talks with TTP: FO',
  publisher: 'The News',
  author: 'Mariana Baabar',
  url: 'https://www.thenews.com.pk/print/1175393-pakistan-not-in-talks-with-ttp-fo',
  publishedOn: '2024-04-05',
  language: 'en',
  text: null,
};

test('sources: lists by kind, publisher and dates; POST, GET, PATCH, DELETE', async (t) => {
  const api = await makeApp(t);

  // Lists: kind, publisher, inclusive date range, sorts and pages over null dates.
  {
    const rows = [
      { id: 'a', kind: 'newsReport', title: 'A', publisher: 'The News', publishedOn: '2024-04-05' },
      { id: 'b', kind: 'newsReport', title: 'B', publisher: 'Dawn', publishedOn: '2024-04-04' },
      { id: 'c', kind: 'officialTranscript', title: 'C', publisher: 'Ministry of Foreign Affairs', publishedOn: '2024-04-04' },
      { id: 'd', kind: 'pressRelease', title: 'D', publisher: 'Ministry of Foreign Affairs' },
      { id: 'e', kind: 'socialPost', title: 'E', publishedOn: '2024-03-31' },
      { id: 'f', kind: 'letter', title: 'F' },
    ];
    for (const payload of rows) assert.equal((await api.request({ method: 'POST', url: '/v1/sources', payload })).statusCode, 201);
    const ids = async (query: string) => {
      const res = await api.json({ method: 'GET', url: `/v1/sources${query}`, auth: false });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((x: { id: string }) => x.id);
    };

    assert.deepEqual(await ids(''), ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual(await ids('?kind=newsReport'), ['a', 'b']);
    assert.deepEqual(await ids('?kind=pressRelease,letter'), ['d', 'f']);
    assert.deepEqual(await ids('?publisher=Ministry%20of%20Foreign%20Affairs'), ['c', 'd']);
    assert.deepEqual(await ids('?publisher=The%20News'), ['a']);
    assert.deepEqual(await ids('?publisher=The'), []);
    // Both ends of the range are inclusive; sources without a date are outside any range.
    assert.deepEqual(await ids('?from=2024-04-04'), ['a', 'b', 'c']);
    assert.deepEqual(await ids('?to=2024-04-04'), ['b', 'c', 'e']);
    assert.deepEqual(await ids('?from=2024-04-04&to=2024-04-04'), ['b', 'c']);
    assert.deepEqual(await ids('?from=2024-04-06'), []);
    assert.deepEqual(await ids('?sort=publishedOn'), ['d', 'f', 'e', 'b', 'c', 'a']);
    assert.deepEqual(await ids('?sort=-publishedOn'), ['a', 'c', 'b', 'e', 'f', 'd']);

    const counted = await api.json({ method: 'GET', url: '/v1/sources?count=true&kind=newsReport,officialTranscript' });
    assert.equal(counted.body.total, 3);

    // Pages of two by date, nulls included: every source once, in order.
    for (const sort of ['publishedOn', '-publishedOn']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 6; page++) {
        const url: string = `/v1/sources?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await api.json({ method: 'GET', url });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(...res.body.data.map((x: { id: string }) => x.id));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, await ids(`?sort=${sort}`), sort);
    }

    for (const query of ['kind=blog', 'from=2024-02-30', 'to=05-04-2024', 'publisher=', 'foo=bar', 'sort=author', 'limit=abc']) {
      const problem = assertProblem(await api.json({ method: 'GET', url: `/v1/sources?${query}` }), 400, 'VALIDATION_FAILED');
      assert.deepEqual(
        problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
        [['querystring', `/${query.split('=')[0]}`]],
        query,
      );
    }
  }

  // Create, read, patch and delete, with defaults, versions and ETags.
  {
    const full = await api.json({ method: 'POST', url: '/v1/sources', payload: THE_NEWS });
    assert.equal(full.status, 201);
    assert.equal(full.headers.location, '/v1/sources/the-news-2024-04-05');
    assert.equal(full.headers.etag, '"1"');
    assert.deepEqual(withoutTimes(full.body), { ...THE_NEWS, version: 1 });
    assert.match(full.body.createdAt, TIMESTAMP);

    // Only kind and title are required; the rest default to null.
    const bare = await api.json({ method: 'POST', url: '/v1/sources', payload: { kind: 'pressRelease', title: 'Press release No. 123' } });
    assert.equal(bare.status, 201);
    assert.match(bare.body.id, UUID);
    assert.equal(bare.headers.location, `/v1/sources/${bare.body.id}`);
    assert.deepEqual(withoutTimes(bare.body), {
      id: bare.body.id,
      kind: 'pressRelease',
      title: 'Press release No. 123',
      publisher: null,
      author: null,
      url: null,
      publishedOn: null,
      language: null,
      text: null,
      version: 1,
    });

    const got = await api.json({ method: 'GET', url: '/v1/sources/the-news-2024-04-05', auth: false });
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.body, full.body);

    await sleep(5);
    const patched = await api.json({
      method: 'PATCH',
      url: '/v1/sources/the-news-2024-04-05',
      payload: { title: 'Pakistan not in talks with TTP', author: null },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.headers.etag, '"2"');
    assert.deepEqual(withoutTimes(patched.body), { ...THE_NEWS, title: 'Pakistan not in talks with TTP', author: null, version: 2 });
    assert.equal(patched.body.createdAt, full.body.createdAt);
    assert.ok(patched.body.updatedAt > full.body.updatedAt);
    const same = await api.json({ method: 'PATCH', url: '/v1/sources/the-news-2024-04-05', payload: { publisher: 'The News' } });
    assert.deepEqual(same.body, patched.body);

    const stale = assertProblem(
      await api.json({ method: 'DELETE', url: '/v1/sources/the-news-2024-04-05', headers: { 'if-match': '"1"' } }),
      412,
      'PRECONDITION_FAILED',
    );
    assert.equal(stale.currentVersion, 2);
    assert.equal(
      (await api.request({ method: 'GET', url: '/v1/sources/the-news-2024-04-05', headers: { 'if-none-match': '"2"' } })).statusCode,
      304,
    );

    assertProblem(await api.json({ method: 'POST', url: '/v1/sources', payload: { ...THE_NEWS, title: 'Other' } }), 409, 'ID_TAKEN');
    assert.equal((await api.json({ method: 'GET', url: '/v1/sources/the-news-2024-04-05' })).body.title, 'Pakistan not in talks with TTP');

    const deleted = await api.request({ method: 'DELETE', url: '/v1/sources/the-news-2024-04-05', headers: { 'if-match': '"2"' } });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
    assertProblem(await api.json({ method: 'GET', url: '/v1/sources/the-news-2024-04-05' }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'PATCH', url: '/v1/sources/the-news-2024-04-05', payload: { title: 'x' } }), 404, 'NOT_FOUND');
  }
});

test('source rules: dates, URLs, languages, vocabulary, unknown fields; no delete while cited', async (t) => {
  const api = await makeApp(t);
  const post = (payload: Record<string, unknown>) => api.json({ method: 'POST', url: '/v1/sources', payload });
  const ok = { kind: 'newsReport', title: 'A report' };

  let problem = assertProblem(await post({ ...ok, publishedOn: '2024-02-30' }), 400, 'VALIDATION_FAILED');
  assert.deepEqual(problem.errors, [{ in: 'body', path: '/publishedOn', message: 'must be a valid date as YYYY-MM-DD' }]);
  for (const publishedOn of ['2024-4-5', '05/04/2024', '2024-04-05T10:00:00Z', '2023-02-29']) {
    problem = assertProblem(await post({ ...ok, publishedOn }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/publishedOn').in, 'body', publishedOn);
  }
  assert.equal((await post({ ...ok, id: 'leap', publishedOn: '2024-02-29' })).status, 201);

  for (const url of ['ftp://example.com/file', 'www.thenews.com.pk', 'not a url']) {
    problem = assertProblem(await post({ ...ok, url }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/url').in, 'body', url);
  }
  problem = assertProblem(await post({ ...ok, language: 'English!' }), 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/language').in, 'body');
  assert.equal((await post({ ...ok, id: 'urdu', language: 'ur-PK' })).status, 201);

  problem = assertProblem(await post({ kind: 'blog', title: 'x' }), 400, 'VALIDATION_FAILED');
  assert.deepEqual(fieldError(problem, '/kind'), { in: 'body', path: '/kind', message: `must be one of: ${SOURCE_KINDS}` });
  problem = assertProblem(await post({ ...ok, foo: 1 }), 400, 'VALIDATION_FAILED');
  assert.deepEqual(fieldError(problem, '/foo'), { in: 'body', path: '/foo', message: 'is not a known field' });
  problem = assertProblem(await post({ id: 'numeric', kind: 'newsReport', title: 2024 }), 400, 'VALIDATION_FAILED');
  assert.deepEqual(fieldError(problem, '/title'), { in: 'body', path: '/title', message: 'must be string' });
  problem = assertProblem(await post({ kind: 'newsReport', title: ' \t ' }), 400, 'VALIDATION_FAILED');
  assert.deepEqual(fieldError(problem, '/title'), { in: 'body', path: '/title', message: 'must not be empty' });
  problem = assertProblem(await post({ title: 'x', publishedOn: 20240405 }), 400, 'VALIDATION_FAILED');
  assert.equal(fieldError(problem, '/kind').message, 'is required');
  assert.equal(fieldError(problem, '/publishedOn').message, 'must be string or null');
  assertProblem(await api.json({ method: 'GET', url: '/v1/sources/numeric' }), 404, 'NOT_FOUND');

  const unicode = await post({
    id: 'jang',
    kind: 'newsReport',
    title: '  ”ٹی ٹی پی سے مذاکرات نہیں“ — دفتر خارجہ ',
    publisher: 'روزنامہ جنگ',
  });
  assert.equal(unicode.status, 201);
  const read = await api.json({ method: 'GET', url: '/v1/sources/jang' });
  assert.equal(read.body.title, '”ٹی ٹی پی سے مذاکرات نہیں“ — دفتر خارجہ');
  assert.equal(read.body.publisher, 'روزنامہ جنگ');

  problem = assertProblem(
    await api.json({ method: 'PATCH', url: '/v1/sources/jang', payload: { publishedOn: '2024-02-30' } }),
    400,
    'VALIDATION_FAILED',
  );
  assert.equal(fieldError(problem, '/publishedOn').in, 'body');
  assertProblem(await api.json({ method: 'PATCH', url: '/v1/sources/jang', payload: {} }), 400, 'VALIDATION_FAILED');
  assert.equal((await api.json({ method: 'GET', url: '/v1/sources/jang' })).body.version, 1);

  // A source cited by statements cannot be deleted; the problem names the statements.
  await api.request({ method: 'POST', url: '/v1/actors', payload: { id: 'pakistan', name: 'Pakistan', kind: 'state' } });
  await api.request({ method: 'POST', url: '/v1/sources', payload: THE_NEWS });
  await api.request({ method: 'POST', url: '/v1/sources', payload: { id: 'transcript', kind: 'officialTranscript', title: 'Transcript' } });
  for (const id of ['s1', 's2']) {
    const res = await api.json({
      method: 'POST',
      url: '/v1/statements',
      payload: { id, text: `Statement ${id}`, kind: 'quote', speakerId: 'pakistan', sourceIds: ['transcript', THE_NEWS.id] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }

  const cited = assertProblem(await api.json({ method: 'DELETE', url: `/v1/sources/${THE_NEWS.id}` }), 409, 'STILL_REFERENCED');
  assert.deepEqual(cited.referencedBy, [{ collection: 'statements', field: 'sourceIds', ids: ['s1', 's2'] }]);
  assert.match(cited.detail, /s1, s2/);
  const still = await api.json({ method: 'GET', url: `/v1/sources/${THE_NEWS.id}` });
  assert.equal(still.status, 200);
  assert.equal(still.body.title, THE_NEWS.title);

  // A statement citing an unknown source is refused with the index of the bad item.
  const unknown = assertProblem(
    await api.json({
      method: 'POST',
      url: '/v1/statements',
      payload: { id: 's3', text: 'x', kind: 'quote', speakerId: 'pakistan', sourceIds: ['transcript', 'nowhere'] },
    }),
    422,
    'UNKNOWN_REFERENCE',
  );
  assert.deepEqual(
    unknown.errors?.map((e: { path: string }) => e.path),
    ['/sourceIds/1'],
  );
});
