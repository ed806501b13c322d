// POST /v1/imports with NDJSON: one bundle a line, each in its own transaction, answered line by line as it streams.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NDJSON_LINE_LIMIT } from '../src/modules/imports/imports.schema.js';
import { briefingBundle } from './bench/bundles.js';
import { makeApp, sharedApp, type TestApp } from './helpers.js';

type Counts = { created: number; updated: number; unchanged: number };
type LineResult = Record<string, any>;
const ENTITIES = ['sources', 'actors', 'topics', 'events', 'statements', 'positions'] as const;

const counts = (each: Partial<Record<(typeof ENTITIES)[number], Partial<Counts>>>) =>
  Object.fromEntries(ENTITIES.map((e) => [e, { created: 0, updated: 0, unchanged: 0, ...each[e] }]));

/** A small briefing: its own source, event and statements; with `shared`, the actors and topics it refers to. */
const briefing = (key: string, statements = 3, shared = true) => briefingBundle(key, statements, { shared });

async function importNdjson(t: TestApp, body: string | Buffer, query = '') {
  const res = await t.request({
    method: 'POST',
    url: `/v1/imports${query}`,
    headers: { 'content-type': 'application/x-ndjson' },
    payload: body,
  });
  const lines = res.headers['content-type']?.toString().startsWith('application/x-ndjson')
    ? res.body
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as LineResult)
    : [];
  return { status: res.statusCode, headers: res.headers, lines, body: res.body };
}

const ndjson = (...lines: unknown[]) => `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;

async function statementIds(t: TestApp): Promise<string[]> {
  const res = await t.json({ method: 'GET', url: '/v1/statements?limit=100&sort=id' });
  return res.body.data.map((s: { id: string }) => s.id);
}

/** Three bundles, with an empty and a blank line between the second and the third. */
const threeBundles = () => ndjson(briefing('alpha'), briefing('beta', 2, false), '', '   ', briefing('gamma', 1, false));

describe('NDJSON: every line is imported on its own', () => {
  // After the one import, these tests only read.
  let first: Awaited<ReturnType<typeof importNdjson>>;
  const app = sharedApp(async (api) => {
    first = await importNdjson(api, threeBundles());
  });

  test('each line is answered in order with its counts, then a summary', async () => {
    assert.equal(first.status, 200, first.body);
    assert.equal(first.headers['content-type'], 'application/x-ndjson; charset=utf-8');
    assert.deepEqual(first.lines, [
      {
        line: 1,
        status: 'ok',
        dryRun: false,
        counts: counts({
          sources: { created: 1 },
          events: { created: 1 },
          actors: { created: 20 },
          topics: { created: 30 },
          statements: { created: 3 },
        }),
      },
      {
        line: 2,
        status: 'ok',
        dryRun: false,
        counts: counts({ sources: { created: 1 }, events: { created: 1 }, statements: { created: 2 } }),
      },
      // Empty and blank lines are skipped, but counted: line numbers are those of the body.
      {
        line: 5,
        status: 'ok',
        dryRun: false,
        counts: counts({ sources: { created: 1 }, events: { created: 1 }, statements: { created: 1 } }),
      },
      {
        status: 'done',
        lines: 3,
        ok: 3,
        failed: 0,
        dryRun: false,
        counts: counts({
          sources: { created: 3 },
          events: { created: 3 },
          actors: { created: 20 },
          topics: { created: 30 },
          statements: { created: 6 },
        }),
      },
    ]);
  });

  test('what a line holds is stored as sent', async () => {
    const stored = await app().json({ method: 'GET', url: '/v1/statements/beta-s1' });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.speakerId, 'spokesperson-3');
    assert.deepEqual(stored.body.topicIds, ['topic-7', 'topic-9']);
    assert.deepEqual(stored.body.acts, ['demand', 'appeal']);
    assert.equal(stored.body.version, 1);
  });

  test('full-text search finds what an NDJSON import stored, topic names included', async () => {
    const found = await app().json({ method: 'GET', url: '/v1/search?q=%22briefing%20gamma%22' });
    assert.deepEqual(
      found.body.data.map((s: { id: string }) => s.id),
      ['gamma-s0'],
    );
  });
});

test('NDJSON: the same body again changes nothing', async (t) => {
  const app = await makeApp(t);
  await importNdjson(app, threeBundles());
  const again = await importNdjson(app, threeBundles());
  assert.equal(again.status, 200);
  assert.deepEqual(again.lines.at(-1), {
    status: 'done',
    lines: 3,
    ok: 3,
    failed: 0,
    dryRun: false,
    counts: counts({
      sources: { unchanged: 3 },
      events: { unchanged: 3 },
      actors: { unchanged: 20 },
      topics: { unchanged: 30 },
      statements: { unchanged: 6 },
    }),
  });
  assert.equal((await app.json({ method: 'GET', url: '/v1/statements/beta-s1' })).body.version, 1);
});

test('NDJSON: a changed line updates what changed (version + 1) and leaves the rest', async (t) => {
  const app = await makeApp(t);
  await importNdjson(app, threeBundles());
  const changed = briefing('beta', 2, false);
  (changed.statements as { text: string }[])[1] = { ...(changed.statements as { text: string }[])[1], text: 'Reworded.' } as never;
  const third = await importNdjson(app, ndjson(changed));
  assert.deepEqual(
    third.lines[0]?.counts,
    counts({ sources: { unchanged: 1 }, events: { unchanged: 1 }, statements: { updated: 1, unchanged: 1 } }),
  );
  const updated = await app.json({ method: 'GET', url: '/v1/statements/beta-s1' });
  assert.equal(updated.body.text, 'Reworded.');
  assert.equal(updated.body.version, 2);
  assert.equal((await app.json({ method: 'GET', url: '/v1/statements/beta-s0' })).body.version, 1);
});

test('NDJSON partial failures: a bad line fails alone, with every error and a JSON Pointer into its bundle; the other lines are stored', async (t) => {
  const app = await makeApp(t);
  const bad = briefing('bad', 3, false);
  const statements = bad.statements as Record<string, unknown>[];
  statements[1] = { ...statements[1], speakerId: 'nobody' };
  statements[2] = { ...statements[2], topicIds: ['topic-1', 'no-such-topic'] };
  const body = ndjson(
    briefing('good'),
    bad,
    '{"topics": [{"id": "t"',
    { topics: [{ id: 'unknown-field', name: 'X', colour: 'red' }], speeches: [] },
    [1, 2, 3],
    { topics: [{ id: 'plain', name: 'Plain' }] },
    '{"__proto__": {"topics": []}, "sources": []}',
    briefing('late', 1, false),
  );
  const res = await importNdjson(app, body);
  assert.equal(res.status, 200, res.body);
  const [good, badLine, notJson, notBundle, notObject, plain, proto, late, summary] = res.lines;
  assert.equal(good?.status, 'ok');

  assert.equal(badLine?.line, 2);
  assert.equal(badLine?.status, 'failed');
  assert.equal(badLine?.code, 'IMPORT_FAILED');
  assert.deepEqual(
    badLine?.errors.map((e: { path: string }) => e.path),
    ['/statements/1/speakerId', '/statements/2/topicIds/1'],
  );
  assert.match(badLine?.errors[0].message, /'nobody'.*does not exist in \/v1\/actors/);
  assert.match(badLine?.detail, /2 error/);

  assert.equal(notJson?.line, 3);
  assert.equal(notJson?.code, 'VALIDATION_FAILED');
  assert.deepEqual(
    notJson?.errors.map((e: { path: string }) => e.path),
    [''],
  );
  assert.match(notJson?.errors[0].message, /not valid JSON/);

  // Checked exactly as a JSON body is: unknown fields are named, every one.
  assert.equal(notBundle?.line, 4);
  assert.equal(notBundle?.code, 'VALIDATION_FAILED');
  assert.deepEqual(notBundle?.errors.map((e: { path: string }) => e.path).sort(), ['/speeches', '/topics/0/colour']);
  assert.equal(notObject?.code, 'VALIDATION_FAILED');
  assert.deepEqual(notObject?.errors, [{ in: 'body', path: '', message: 'must be object' }]);
  assert.equal(plain?.status, 'ok', JSON.stringify(plain));
  // A key that would reach an object's prototype is refused, as Fastify's JSON parser refuses it.
  assert.equal(proto?.line, 7);
  assert.equal(proto?.code, 'VALIDATION_FAILED');
  assert.equal(late?.line, 8);
  assert.equal(late?.status, 'ok');
  const { counts: totals, ...rest } = summary ?? {};
  assert.deepEqual(rest, { status: 'done', lines: 8, ok: 3, failed: 5, dryRun: false });
  assert.deepEqual(totals.statements, { created: 4, updated: 0, unchanged: 0 });

  // Nothing of the bad line exists; the good lines around it do.
  assert.equal((await app.json({ method: 'GET', url: '/v1/sources/bad-report' })).status, 404);
  assert.equal((await app.json({ method: 'GET', url: '/v1/statements/bad-s0' })).status, 404);
  assert.deepEqual(await statementIds(app), ['good-s0', 'good-s1', 'good-s2', 'late-s0']);
  assert.equal((await app.json({ method: 'GET', url: '/v1/topics/plain' })).status, 200);
});

test('NDJSON with ?dryRun=true validates and counts every line against the stored data, and stores nothing', async (t) => {
  const app = await makeApp(t);
  await importNdjson(app, ndjson(briefing('stored', 2)));
  const before = await statementIds(app);
  const changed = briefing('stored', 2);
  (changed.statements as { text: string }[])[0] = { ...(changed.statements as { text: string }[])[0], text: 'Changed.' } as never;
  const broken = { ...briefing('broken', 1, false), events: [] };
  const res = await importNdjson(app, ndjson(changed, briefing('fresh', 1, false), broken), '?dryRun=true');
  assert.equal(res.status, 200);
  assert.deepEqual(res.lines[0], {
    line: 1,
    status: 'ok',
    dryRun: true,
    counts: counts({
      sources: { unchanged: 1 },
      events: { unchanged: 1 },
      actors: { unchanged: 20 },
      topics: { unchanged: 30 },
      statements: { updated: 1, unchanged: 1 },
    }),
  });
  assert.deepEqual(res.lines[1]?.counts.statements, { created: 1, updated: 0, unchanged: 0 });
  // The same errors as a real import would have.
  assert.equal(res.lines[2]?.code, 'IMPORT_FAILED');
  assert.deepEqual(
    res.lines[2]?.errors.map((e: { path: string }) => e.path),
    ['/statements/0/eventId'],
  );
  assert.equal(res.lines[3]?.dryRun, true);
  assert.deepEqual(await statementIds(app), before);
  assert.equal((await app.json({ method: 'GET', url: '/v1/statements/stored-s0' })).body.version, 1);
  assert.equal((await app.json({ method: 'GET', url: '/v1/sources/fresh-report' })).status, 404);
});

test(`NDJSON line limit (${NDJSON_LINE_LIMIT} bytes): an oversized first bundle is a 413 and nothing is read; a later one fails alone`, async (t) => {
  const app = await makeApp(t);
  // Exactly at the limit is accepted; one byte more is not.
  const sized = (id: string, bytes: number) => {
    const empty = JSON.stringify({ topics: [{ id, name: '' }] });
    return JSON.stringify({ topics: [{ id, name: 'x'.repeat(bytes - empty.length) }] });
  };
  const atLimit = sized('at-limit', NDJSON_LINE_LIMIT);
  const overLimit = sized('over-limit', NDJSON_LINE_LIMIT + 1);
  assert.equal(Buffer.byteLength(atLimit), NDJSON_LINE_LIMIT);

  const first = await importNdjson(app, ndjson(overLimit, briefing('after')));
  assert.equal(first.status, 413, first.body);
  const problem = JSON.parse(first.body);
  assert.equal(problem.code, 'PAYLOAD_TOO_LARGE');
  assert.match(problem.detail, /line 1.*8 MiB \(8388608 bytes\)/);
  assert.equal(first.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(first.headers.connection, 'close');
  assert.deepEqual(await statementIds(app), []);

  // Later in the body, the oversized line fails on its own (its bytes are skipped, not kept) and the import goes on.
  const later = await importNdjson(app, ndjson(briefing('before', 1), overLimit, '', atLimit, briefing('after', 1, false)));
  assert.equal(later.status, 200, later.body.slice(0, 500));
  assert.deepEqual(
    later.lines.map((l) => [l.line, l.status, l.code]),
    [
      [1, 'ok', undefined],
      [2, 'failed', 'PAYLOAD_TOO_LARGE'],
      // The limit is a string's worth of validation: a name that long is a 400-style failure, not a 413.
      [4, 'failed', 'VALIDATION_FAILED'],
      [5, 'ok', undefined],
      [undefined, 'done', undefined],
    ],
  );
  assert.match(later.lines[1]?.detail, /Line 2 has 8388609 bytes, over the limit of 8 MiB/);
  assert.deepEqual(await statementIds(app), ['after-s0', 'before-s0']);
});

test('NDJSON bytes: CRLF line endings, a last line without a newline, text trimmed as in JSON bodies, invalid UTF-8 refused per line', async (t) => {
  const app = await makeApp(t);
  const topic = (id: string, name: string) => JSON.stringify({ topics: [{ id, name }] });
  const body = Buffer.concat([
    Buffer.from(`${topic('crlf', '  Spaces around  ')}\r\n`),
    Buffer.from('{"topics": [{"id": "latin1", "name": "caf'),
    Buffer.from([0xe9]),
    Buffer.from('"}]}\n'),
    Buffer.from(topic('unterminated', 'Last — “quoted”')),
  ]);
  const res = await importNdjson(app, body);
  assert.equal(res.status, 200);
  assert.deepEqual(
    res.lines.map((l) => [l.line, l.status, l.code]),
    [
      [1, 'ok', undefined],
      [2, 'failed', 'VALIDATION_FAILED'],
      [3, 'ok', undefined],
      [undefined, 'done', undefined],
    ],
  );
  assert.match(res.lines[1]?.errors[0].message, /UTF-8/);
  assert.equal((await app.json({ method: 'GET', url: '/v1/topics/crlf' })).body.name, 'Spaces around');
  assert.equal((await app.json({ method: 'GET', url: '/v1/topics/unterminated' })).body.name, 'Last — “quoted”');
  assert.equal((await app.json({ method: 'GET', url: '/v1/topics/latin1' })).status, 404);

  const empty = await importNdjson(app, '');
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.lines, [{ status: 'done', lines: 0, ok: 0, failed: 0, dryRun: false, counts: counts({}) }]);

  const anonymous = await app.request({
    method: 'POST',
    url: '/v1/imports',
    headers: { 'content-type': 'application/x-ndjson' },
    payload: '{}\n',
    auth: false,
  });
  assert.equal(anonymous.statusCode, 401);
  // A JSON body still works exactly as before, next to NDJSON.
  const json = await app.json({ method: 'POST', url: '/v1/imports', payload: { topics: [{ id: 'json', name: 'JSON' }] } });
  assert.deepEqual(json.body, { dryRun: false, counts: counts({ topics: { created: 1 } }) });
});

test('NDJSON streams: each line is answered before the next one is sent, so a body of any length is never held whole', async (t) => {
  const app = await makeApp(t);
  const address = await app.app.listen({ port: 0, host: '127.0.0.1' });
  const encoder = new TextEncoder();
  let sent = 0;
  let answered = 0;
  let release: () => void = () => {};
  const lines = [briefing('one', 2), briefing('two', 2, false), briefing('three', 2, false)];
  // The client sends a line only once the answer to the previous one has arrived: a server that read the
  // whole body before answering would wait for ever.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === lines.length) return controller.close();
      if (sent > answered) {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      controller.enqueue(encoder.encode(`${JSON.stringify(lines[sent])}\n`));
      sent += 1;
    },
  });
  const res = await fetch(`${address}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/x-ndjson' },
    body,
    duplex: 'half',
    signal: AbortSignal.timeout(20_000),
  } as RequestInit);
  assert.equal(res.status, 200);
  const results: LineResult[] = [];
  let pending = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    pending += Buffer.from(chunk).toString('utf8');
    while (pending.includes('\n')) {
      const line = pending.slice(0, pending.indexOf('\n'));
      pending = pending.slice(pending.indexOf('\n') + 1);
      results.push(JSON.parse(line));
      answered += 1;
      release();
    }
  }
  assert.deepEqual(
    results.map((r) => [r.line, r.status]),
    [
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
      [undefined, 'done'],
    ],
  );
  assert.deepEqual(await statementIds(app), ['one-s0', 'one-s1', 'three-s0', 'three-s1', 'two-s0', 'two-s1']);
});
