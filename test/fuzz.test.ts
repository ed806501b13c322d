// Property-based fuzzing: generated bodies and query strings never cause a 5xx, always get a problem body
// when refused, and a refused write leaves the data as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { makeApp } from './helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** Values of every JSON type, with the edge cases that break naive services. */
const nasty = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\u200b',
    '😀',
    'پاکستان',
    '"',
    "'; DROP TABLE statements; --",
    'NEAR(',
    '*',
    '-',
    '__proto__',
    'constructor',
    '1e309',
    '9'.repeat(400),
    'a'.repeat(30_000),
  ),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
);

const FIELDS: Record<string, string[]> = {
  actors: ['id', 'name', 'kind', 'countryCode', 'parentId', 'aliases', 'description'],
  topics: ['id', 'name', 'parentId', 'aliases', 'description'],
  sources: ['id', 'kind', 'title', 'publisher', 'author', 'url', 'publishedOn', 'language', 'text'],
  events: ['id', 'kind', 'title', 'startDate', 'endDate', 'location', 'hostId', 'participantIds'],
  statements: [
    'id',
    'text',
    'kind',
    'speakerId',
    'onBehalfOfId',
    'statedOn',
    'eventId',
    'sourceIds',
    'topicIds',
    'acts',
    'respondsToIds',
    'addresseeIds',
    'speakerRole',
    'language',
    'context',
  ],
  positions: ['id', 'actorId', 'topicId', 'stance', 'summary', 'validFrom', 'validTo', 'evidence'],
};
const QUERY_KEYS = [
  'limit',
  'cursor',
  'sort',
  'count',
  'q',
  'topic',
  'speaker',
  'from',
  'to',
  'asOf',
  'kind',
  'expand',
  'format',
  'groupBy',
  '__proto__',
  'constructor',
];

const body = (fields: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...fields, '__proto__', 'constructor', 'extra'), fc.string({ maxLength: 6 })), nasty, {
    maxKeys: 8,
  });

function assertProblem(status: number, headers: Record<string, unknown>, text: string, what: string) {
  assert.ok(status < 500, `${what} → ${status} ${text.slice(0, 300)}`);
  if (status >= 400) {
    assert.match(String(headers['content-type']), /^application\/problem\+json/, what);
    const problem = JSON.parse(text);
    assert.equal(problem.status, status, what);
    assert.equal(typeof problem.code, 'string', what);
  }
}

/** The position of the last change in the feed, read from `from` on: any write moves it. */
async function feedEnd(api: Awaited<ReturnType<typeof makeApp>>, from?: string): Promise<string | undefined> {
  let end = from;
  for (let since = from; ; ) {
    const page = await api.json({ method: 'GET', url: `/v1/changes?limit=1000${since ? `&since=${since}` : ''}` });
    assert.equal(page.status, 200);
    end = page.body.data.at(-1)?.position ?? end;
    if (!page.body.next || page.body.data.length === 0) return end;
    since = page.body.next;
  }
}

test('generated write bodies: never a 5xx, always a problem, and a refused write changes nothing', async (t) => {
  const api = await makeApp(t, { seed: true });
  for (const [collection, fields] of Object.entries(FIELDS)) {
    // PATCHes aim at a record that exists in this collection, so they reach its write code.
    const first = await api.json({ method: 'GET', url: `/v1/${collection}?limit=1` });
    const id: string | undefined = first.body.data[0]?.id;
    assert.ok(id, `the seed has ${collection}`);
    // The whole state a write could touch: the change feed's position (every write of every record moves it)
    // and the target record as served (its version and body).
    let feed = await feedEnd(api);
    const snapshot = async () => {
      feed = await feedEnd(api, feed);
      return { feed, target: (await api.json({ method: 'GET', url: `/v1/${collection}/${id}` })).body };
    };
    await fc.assert(
      fc.asyncProperty(body(fields), fc.constantFrom('POST', 'PATCH'), async (payload, method) => {
        const before = await snapshot();
        const url = method === 'POST' ? `/v1/${collection}` : `/v1/${collection}/${id}`;
        const res = await api.request({ method, url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
        assertProblem(res.statusCode, res.headers, res.body, `${method} ${url} ${JSON.stringify(payload).slice(0, 200)}`);
        if (res.statusCode >= 400)
          assert.deepEqual(await snapshot(), before, `a refused write changed the data: ${res.body.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
  }
  const imports = await api.request({ method: 'POST', url: '/v1/imports', payload: { statements: [{ id: 'x', text: '\u0000' }] } });
  assertProblem(imports.statusCode, imports.headers, imports.body, 'import');
});

test('generated query strings on every list: never a 5xx', async (t) => {
  const api = await makeApp(t, { seed: true });
  const lists = [
    '/v1/statements',
    '/v1/positions',
    '/v1/actors',
    '/v1/topics',
    '/v1/sources',
    '/v1/events',
    '/v1/search',
    '/v1/stats/statements',
    '/v1/stats/stances',
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...lists),
      fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 5 })),
          fc.oneof(fc.string(), fc.constantFrom('-1', '0', '1e9', '%', '"', 'NEAR(', 'a,b', ',', '2024-02-30')),
        ),
        {
          maxLength: 4,
        },
      ),
      async (path, pairs) => {
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await api.request({ method: 'GET', url: `${path}?${query}` });
        assertProblem(res.statusCode, res.headers, res.body, `GET ${path}?${query}`);
      },
    ),
    { numRuns: RUNS * 3 },
  );
});

interface DocumentParameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema?: { type?: string | string[]; enum?: string[]; examples?: unknown[] };
}
type Document = { paths: Record<string, Record<string, { parameters?: DocumentParameter[] }>> };

/** Every operation of the served document, with its parameters: routes added later are covered without a change here. */
async function operationsOf(api: Awaited<ReturnType<typeof makeApp>>) {
  await api.app.ready();
  const document = api.app.swagger() as unknown as Document;
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method: method.toUpperCase(), parameters: operation.parameters ?? [] })),
  );
}

/** A valid value of a required query parameter (`q` of a search). */
const validValue = (parameter: DocumentParameter) => String(parameter.schema?.enum?.[0] ?? parameter.schema?.examples?.[0] ?? 'ttp');

/** A request of the operation with `value` in `parameter`, and valid, harmless values elsewhere. */
function requestWith(
  operation: { path: string; method: string; parameters: DocumentParameter[] },
  parameter: DocumentParameter | undefined,
  value: string,
) {
  const filler: Record<string, string> = { collection: 'actors', type: 'not-found', id: 'no-such-record' };
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    parameter?.in === 'path' && parameter.name === name ? encodeURIComponent(value) : (filler[name] ?? 'x'),
  );
  const pairs = operation.parameters
    .filter((p) => p.in === 'query' && p.required && p !== parameter)
    .map((p): [string, string] => [p.name, validValue(p)])
    .concat(parameter?.in === 'query' ? [[parameter.name, value]] : []);
  const query = pairs.length > 0 ? `?${new URLSearchParams(pairs).toString().replaceAll('+', '%20')}` : '';
  const headers: Record<string, string> = parameter?.in === 'header' ? { [parameter.name]: value } : {};
  const payload = ['POST', 'PATCH', 'PUT'].includes(operation.method)
    ? { headers: { ...headers, 'content-type': 'application/json' }, payload: '{}' }
    : { headers };
  return { method: operation.method as 'GET', url: `${path}${query}`, ...payload };
}

/** Numbers as text that naive parsing turns into something else: non-finite, hex, Arabic-Indic digits, padded. */
const NUMERIC_EDGES = [
  'Infinity',
  '-Infinity',
  'NaN',
  '1e400',
  '-1e400',
  '-0',
  '0x10',
  '1_000',
  '5.5',
  '٥',
  ' 5',
  '5 ',
  '+5',
  '1e1',
  '9'.repeat(400),
  '',
];

test('numeric edge strings in every parameter of every operation: never a 5xx, always a declared problem', async (t) => {
  const api = await makeApp(t, { seed: true });
  const operations = await operationsOf(api);
  assert.ok(operations.length >= 30, `${operations.length} operations`);
  let sent = 0;
  for (const operation of operations) {
    for (const parameter of operation.parameters) {
      for (const edge of NUMERIC_EDGES) {
        // A header value cannot carry characters outside Latin-1, nor edges spaces (they are trimmed).
        if (parameter.in === 'header' && !/^[\x21-\x7e]*$/.test(edge)) continue;
        const options = requestWith(operation, parameter, edge);
        const res = await api.request(options);
        sent += 1;
        assertProblem(
          res.statusCode,
          res.headers,
          res.body,
          `${options.method} ${options.url} ${parameter.in} ${parameter.name}=${JSON.stringify(edge)}`,
        );
      }
    }
  }
  assert.ok(sent > 500, `${sent} requests`);
});

test('a number parameter that is not a finite decimal number in range is a 400 naming the parameter, on every operation', async (t) => {
  const api = await makeApp(t, { seed: true });
  const numeric = (await operationsOf(api)).flatMap((operation) =>
    operation.parameters
      .filter((p) => [p.schema?.type].flat().some((type) => type === 'integer' || type === 'number'))
      .map((parameter) => ({ operation, parameter })),
  );
  // limit on the six lists, search, the change feed and a record's revisions at least.
  assert.ok(numeric.length >= 9, numeric.map((n) => `${n.operation.path} ${n.parameter.name}`).join(', '));
  for (const { operation, parameter } of numeric) {
    for (const edge of ['Infinity', '-Infinity', '1e400', '9'.repeat(400), 'NaN', '0x10', '1e1', ' 5', '5 ', '5.5', '٥', '1_000']) {
      const options = requestWith(operation, parameter, edge);
      const res = await api.request(options);
      const what = `${options.method} ${options.url}`;
      assert.equal(res.statusCode, 400, `${what} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      const problem = res.json();
      assert.equal(problem.code, 'VALIDATION_FAILED', what);
      assert.deepEqual(
        problem.errors.map((e: { in: string; path: string }) => [e.in, e.path]),
        [[parameter.in, `/${parameter.name}`]],
        what,
      );
    }
  }
});
