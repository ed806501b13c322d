// Sources over HTTP: CRUD, the kind / publisher / date filters, and the checks on dates, URLs and languages.
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { assertProblem, create, fieldError, sleep, TIMESTAMP, UUID, withoutTimes } from './assertions.js';
import { makeApp, sharedApp } from './helpers.js';

const SOURCE_KINDS = 'officialTranscript, pressRelease, newsReport, socialPost, letter, other';

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

describe('sources: lists', () => {
  // Lists only read: one world of six sources, two of them undated, serves every test of the block.
  const api = sharedApp(async (app) => {
    const rows = [
      { id: 'a', kind: 'newsReport', title: 'A', publisher: 'The News', publishedOn: '2024-04-05' },
      { id: 'b', kind: 'newsReport', title: 'B', publisher: 'Dawn', publishedOn: '2024-04-04' },
      { id: 'c', kind: 'officialTranscript', title: 'C', publisher: 'Ministry of Foreign Affairs', publishedOn: '2024-04-04' },
      { id: 'd', kind: 'pressRelease', title: 'D', publisher: 'Ministry of Foreign Affairs' },
      { id: 'e', kind: 'socialPost', title: 'E', publishedOn: '2024-03-31' },
      { id: 'f', kind: 'letter', title: 'F' },
    ];
    for (const payload of rows) await create(app, '/v1/sources', payload);
  });
  const ids = async (query: string) => {
    const res = await api().json({ method: 'GET', url: `/v1/sources${query}`, auth: false });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data.map((x: { id: string }) => x.id);
  };

  test('without parameters, every source by id', async () => {
    assert.deepEqual(await ids(''), ['a', 'b', 'c', 'd', 'e', 'f']);
  });

  test('kind filters by kind; a comma means any of; count=true counts the matches', async () => {
    assert.deepEqual(await ids('?kind=newsReport'), ['a', 'b']);
    assert.deepEqual(await ids('?kind=pressRelease,letter'), ['d', 'f']);
    const counted = await api().json({ method: 'GET', url: '/v1/sources?count=true&kind=newsReport,officialTranscript' });
    assert.equal(counted.body.total, 3);
  });

  test('publisher matches the whole name, not a part of it', async () => {
    assert.deepEqual(await ids('?publisher=Ministry%20of%20Foreign%20Affairs'), ['c', 'd']);
    assert.deepEqual(await ids('?publisher=The%20News'), ['a']);
    assert.deepEqual(await ids('?publisher=The'), []);
  });

  test('from and to are both inclusive; sources without a date are outside any range', async () => {
    assert.deepEqual(await ids('?from=2024-04-04'), ['a', 'b', 'c']);
    assert.deepEqual(await ids('?to=2024-04-04'), ['b', 'c', 'e']);
    assert.deepEqual(await ids('?from=2024-04-04&to=2024-04-04'), ['b', 'c']);
    assert.deepEqual(await ids('?from=2024-04-06'), []);
  });

  test('sort by publishedOn either way lists undated sources too', async () => {
    assert.deepEqual(await ids('?sort=publishedOn'), ['d', 'f', 'e', 'b', 'c', 'a']);
    assert.deepEqual(await ids('?sort=-publishedOn'), ['a', 'c', 'b', 'e', 'f', 'd']);
  });

  test('pages of two by date, undated included, list every source once, in order', async () => {
    for (const sort of ['publishedOn', '-publishedOn']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 6; page++) {
        const url: string = `/v1/sources?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await api().json({ method: 'GET', url });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(...res.body.data.map((x: { id: string }) => x.id));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, await ids(`?sort=${sort}`), sort);
    }
  });

  for (const query of ['kind=blog', 'from=2024-02-30', 'to=05-04-2024', 'publisher=', 'foo=bar', 'sort=author', 'limit=abc']) {
    test(`?${query} is a 400 naming the parameter`, async () => {
      const problem = assertProblem(await api().json({ method: 'GET', url: `/v1/sources?${query}` }), 400, 'VALIDATION_FAILED');
      assert.deepEqual(
        problem.errors?.map((e: { in: string; path: string }) => [e.in, e.path]),
        [['query', `/${query.split('=')[0]}`]],
        query,
      );
    });
  }
});

describe('sources: a record from POST to DELETE', () => {
  async function withTheNews(t: TestContext) {
    const api = await makeApp(t);
    const full = await api.json({ method: 'POST', url: '/v1/sources', payload: THE_NEWS });
    assert.equal(full.status, 201);
    return { api, full };
  }

  test('POST creates a source with every field, an ETag and a Location; GET reads it back', async (t) => {
    const { api, full } = await withTheNews(t);
    assert.equal(full.headers.location, '/v1/sources/the-news-2024-04-05');
    assert.equal(full.headers.etag, '"1"');
    assert.deepEqual(withoutTimes(full.body), { ...THE_NEWS, version: 1 });
    assert.match(full.body.createdAt, TIMESTAMP);
    const got = await api.json({ method: 'GET', url: '/v1/sources/the-news-2024-04-05', auth: false });
    assert.equal(got.headers.etag, '"1"');
    assert.deepEqual(got.body, full.body);
  });

  test('POST with only kind and title: the server makes the id, the rest defaults to null', async (t) => {
    const api = await makeApp(t);
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
  });

  test('PATCH changes what it sends (null clears); the same values again change nothing', async (t) => {
    const { api, full } = await withTheNews(t);
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
  });

  test('ETags: a stale If-Match is a 412 with the current version; a matching If-None-Match a 304; a matching If-Match deletes', async (t) => {
    const { api } = await withTheNews(t);
    await api.json({ method: 'PATCH', url: '/v1/sources/the-news-2024-04-05', payload: { author: null } });
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
    const deleted = await api.request({ method: 'DELETE', url: '/v1/sources/the-news-2024-04-05', headers: { 'if-match': '"2"' } });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, '');
  });

  test('POST with a taken id is a 409 that leaves the first record as it was', async (t) => {
    const { api } = await withTheNews(t);
    assertProblem(await api.json({ method: 'POST', url: '/v1/sources', payload: { ...THE_NEWS, title: 'Other' } }), 409, 'ID_TAKEN');
    assert.equal((await api.json({ method: 'GET', url: '/v1/sources/the-news-2024-04-05' })).body.title, THE_NEWS.title);
  });

  test('after DELETE, GET and PATCH are 404s', async (t) => {
    const { api } = await withTheNews(t);
    assert.equal((await api.request({ method: 'DELETE', url: '/v1/sources/the-news-2024-04-05' })).statusCode, 204);
    assertProblem(await api.json({ method: 'GET', url: '/v1/sources/the-news-2024-04-05' }), 404, 'NOT_FOUND');
    assertProblem(await api.json({ method: 'PATCH', url: '/v1/sources/the-news-2024-04-05', payload: { title: 'x' } }), 404, 'NOT_FOUND');
  });
});

describe('sources: bodies refused', () => {
  // Every write here is refused, so the world stays as set up: one source, `jang`, at version 1.
  const api = sharedApp(async (app) => {
    await create(app, '/v1/sources', { id: 'jang', kind: 'newsReport', title: 'Jang' });
  });
  const post = (payload: Record<string, unknown>) => api().json({ method: 'POST', url: '/v1/sources', payload });
  const ok = { kind: 'newsReport', title: 'A report' };

  test('publishedOn must be a real date as YYYY-MM-DD', async () => {
    let problem = assertProblem(await post({ ...ok, publishedOn: '2024-02-30' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(problem.errors, [{ in: 'body', path: '/publishedOn', message: 'must be a valid date as YYYY-MM-DD' }]);
    for (const publishedOn of ['2024-4-5', '05/04/2024', '2024-04-05T10:00:00Z', '2023-02-29']) {
      problem = assertProblem(await post({ ...ok, publishedOn }), 400, 'VALIDATION_FAILED');
      assert.equal(fieldError(problem, '/publishedOn').in, 'body', publishedOn);
    }
  });

  test('url must be an http(s) URL', async () => {
    for (const url of ['ftp://example.com/file', 'www.thenews.com.pk', 'not a url']) {
      const problem = assertProblem(await post({ ...ok, url }), 400, 'VALIDATION_FAILED');
      assert.equal(fieldError(problem, '/url').in, 'body', url);
    }
  });

  test('language must be a BCP 47 tag', async () => {
    const problem = assertProblem(await post({ ...ok, language: 'English!' }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/language').in, 'body');
  });

  test('kind must be one of the source kinds, and the message lists them', async () => {
    const problem = assertProblem(await post({ kind: 'blog', title: 'x' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/kind'), { in: 'body', path: '/kind', message: `must be one of: ${SOURCE_KINDS}` });
  });

  test('an unknown field is a 400 naming it', async () => {
    const problem = assertProblem(await post({ ...ok, foo: 1 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/foo'), { in: 'body', path: '/foo', message: 'is not a known field' });
  });

  test('values are not coerced, and nothing of a refused body is stored', async () => {
    const problem = assertProblem(await post({ id: 'numeric', kind: 'newsReport', title: 2024 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/title'), { in: 'body', path: '/title', message: 'must be string' });
    assertProblem(await api().json({ method: 'GET', url: '/v1/sources/numeric' }), 404, 'NOT_FOUND');
  });

  test('a title of only whitespace is empty, and refused', async () => {
    const problem = assertProblem(await post({ kind: 'newsReport', title: ' \t ' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(fieldError(problem, '/title'), { in: 'body', path: '/title', message: 'must not be empty' });
  });

  test('every bad field is named at once, the missing ones included', async () => {
    const problem = assertProblem(await post({ title: 'x', publishedOn: 20240405 }), 400, 'VALIDATION_FAILED');
    assert.equal(fieldError(problem, '/kind').message, 'is required');
    assert.equal(fieldError(problem, '/publishedOn').message, 'must be string or null');
  });

  test('a PATCH follows the same rules, must not be empty, and a refused one changes nothing', async () => {
    const problem = assertProblem(
      await api().json({ method: 'PATCH', url: '/v1/sources/jang', payload: { publishedOn: '2024-02-30' } }),
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(fieldError(problem, '/publishedOn').in, 'body');
    assertProblem(await api().json({ method: 'PATCH', url: '/v1/sources/jang', payload: {} }), 400, 'VALIDATION_FAILED');
    assert.equal((await api().json({ method: 'GET', url: '/v1/sources/jang' })).body.version, 1);
  });
});

describe('sources: accepted values', () => {
  test('29 February of a leap year is a date, and ur-PK a language', async (t) => {
    const api = await makeApp(t);
    const ok = { kind: 'newsReport', title: 'A report' };
    await create(api, '/v1/sources', { ...ok, id: 'leap', publishedOn: '2024-02-29' });
    await create(api, '/v1/sources', { ...ok, id: 'urdu', language: 'ur-PK' });
  });

  test('Unicode text comes back as sent, trimmed at the ends', async (t) => {
    const api = await makeApp(t);
    await create(api, '/v1/sources', {
      id: 'jang',
      kind: 'newsReport',
      title: '  ”ٹی ٹی پی سے مذاکرات نہیں“ — دفتر خارجہ ',
      publisher: 'روزنامہ جنگ',
    });
    const read = await api.json({ method: 'GET', url: '/v1/sources/jang' });
    assert.equal(read.body.title, '”ٹی ٹی پی سے مذاکرات نہیں“ — دفتر خارجہ');
    assert.equal(read.body.publisher, 'روزنامہ جنگ');
  });
});

describe('sources: cited by statements', () => {
  // Both requests here are refused, so the world stays as set up: two sources, both cited by s1 and s2.
  const api = sharedApp(async (app) => {
    await create(app, '/v1/actors', { id: 'pakistan', name: 'Pakistan', kind: 'state' });
    await create(app, '/v1/sources', THE_NEWS);
    await create(app, '/v1/sources', { id: 'transcript', kind: 'officialTranscript', title: 'Transcript' });
    for (const id of ['s1', 's2']) {
      await create(app, '/v1/statements', {
        id,
        text: `Statement ${id}`,
        kind: 'quote',
        speakerId: 'pakistan',
        sourceIds: ['transcript', THE_NEWS.id],
      });
    }
  });

  test('a cited source cannot be deleted: 409 naming the statements, and the source stays', async () => {
    const cited = assertProblem(await api().json({ method: 'DELETE', url: `/v1/sources/${THE_NEWS.id}` }), 409, 'STILL_REFERENCED');
    assert.deepEqual(cited.referencedBy, [{ collection: 'statements', field: 'sourceIds', ids: ['s1', 's2'] }]);
    assert.match(cited.detail, /s1, s2/);
    const still = await api().json({ method: 'GET', url: `/v1/sources/${THE_NEWS.id}` });
    assert.equal(still.status, 200);
    assert.equal(still.body.title, THE_NEWS.title);
  });

  test('a statement citing an unknown source is a 422 with the index of the bad item', async () => {
    const unknown = assertProblem(
      await api().json({
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
});
