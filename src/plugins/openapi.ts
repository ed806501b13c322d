// The OpenAPI 3.1 document, generated from the route schemas, at /openapi.json; interactive docs at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifySchema, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { seedBundles } from '../db/seed.js';
import { ERROR_CODES, ERRORS } from '../lib/errors.js';
import { type ProblemNotes, problemExample, problemResponses } from '../lib/problems.js';

/** An OpenAPI Example Object. */
export interface Example {
  summary: string;
  description?: string;
  value: unknown;
}
export type Examples = Record<string, Example>;
export interface OperationExamples {
  /** Examples of the JSON request body, by name. */
  body?: Examples;
  /** Examples of the JSON responses, by status and name. */
  responses?: Partial<Record<number, Examples>>;
}

declare module 'fastify' {
  interface FastifySchema {
    /**
     * Problem codes the operation answers with, each with what it means there ('' keeps the catalogue's title),
     * beyond those every operation of its kind can answer with (see `commonProblems`).
     */
    problems?: ProblemNotes;
    /** Examples drawn from the FO briefing seed, placed on the media types of the request body and responses. */
    examples?: OperationExamples;
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const mebibytes = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`);

/** The problems any operation of its kind can answer with, whatever its handler does (the plugins' share). */
function commonProblems(method: string, url: string, schema: FastifySchema, bodyLimit: number): ProblemNotes {
  const writes = Boolean(schema.security?.length);
  const notes: ProblemNotes = {
    RATE_LIMITED: 'More requests in a minute than the limit of the key (of the address, without a key); `Retry-After` says when to retry.',
    INTERNAL: 'An unexpected failure, logged with the requestId.',
    UNAVAILABLE: url.startsWith('/v1/')
      ? 'The server is overloaded, or the database is busy with a long write; retry after `Retry-After` or shortly.'
      : 'The server is overloaded; retry after `Retry-After`.',
  };
  if (schema.querystring || schema.body || BODY_METHODS.has(method)) {
    notes.VALIDATION_FAILED = BODY_METHODS.has(method)
      ? 'A parameter or field is not valid, or is not one this operation takes, or the body is not JSON; `errors` names each.'
      : 'A parameter is not valid, or is not one this operation takes; `errors` names each.';
  }
  if (writes) {
    notes.UNAUTHORIZED = 'No key, or a key that is malformed, unknown, revoked or expired.';
    notes.FORBIDDEN = 'The key does not have the `write` scope.';
    notes.STORAGE_FULL = 'The database has no space left; nothing was stored.';
  }
  if (BODY_METHODS.has(method)) {
    notes.PAYLOAD_TOO_LARGE = `The body is over ${mebibytes(bodyLimit)}.`;
    notes.UNSUPPORTED_MEDIA_TYPE = `A body sent as anything but ${(schema.consumes ?? ['application/json']).join(' or ')}.`;
  }
  if (method === 'POST') {
    notes.IDEMPOTENCY_IN_PROGRESS = 'The first request with this Idempotency-Key is still being answered; retry shortly.';
    notes.IDEMPOTENCY_KEY_REUSED = 'The Idempotency-Key was first used for another request (method, path, query or body).';
  }
  return notes;
}

/** Every POST takes an Idempotency-Key (src/plugins/idempotency.ts): document the header and the replay marker. */
const IdempotencyKeyHeader = {
  type: 'string',
  description:
    'Makes a retry safe: a retry with the same key and body gets the first answer again (with `Idempotent-Replayed: true`) and writes nothing. ' +
    '1 to 255 visible ASCII characters; kept 24 hours, per API key.',
};
const ReplayedHeader = {
  'Idempotent-Replayed': {
    type: 'string',
    enum: ['true'],
    description: 'Present when this is the stored answer to an earlier request with the same Idempotency-Key.',
  },
};

/**
 * What a route file does not say itself yet: the import route is another piece of work in progress.
 * A route's own `problems` and `examples` take precedence.
 */
function operationDefaults(operationId: string | undefined): Pick<FastifySchema, 'problems' | 'examples'> {
  if (operationId !== 'importBundle') return {};
  const bundle = talksWithTtpBundle();
  return {
    problems: {
      IMPORT_FAILED: 'Records break references or rules; `errors` lists every one with a JSON Pointer into the bundle.',
      INVALID_RECORD: 'The database refused the write (a backstop: the import checks first).',
    },
    examples: {
      body: { talksWithTtp: { summary: 'Talks with the TTP, from the FO briefing', value: bundle } },
      responses: {
        200: {
          talksWithTtp: {
            summary: 'Everything created',
            description: 'Answer to `POST /v1/imports` with the example bundle, on an empty database.',
            value: { dryRun: false, counts: countsOf(bundle) },
          },
        },
      },
    },
  };
}

/** The part of the FO briefing about talks with the TTP: both sides' statements and positions, and all they refer to. */
function talksWithTtpBundle() {
  return seedSlice({
    sources: ['the-news-2024-04-05-pakistan-not-in-talks-with-ttp'],
    events: ['fo-weekly-press-briefing-2024-04-04'],
    actors: [
      'pakistan',
      'pakistan-mofa',
      'mumtaz-zahra-baloch',
      'ttp',
      'afghanistan',
      'afghanistan-interim-government',
      'afghan-deputy-interior-minister',
    ],
    topics: ['counter-terrorism', 'ttp', 'talks-with-ttp'],
    statements: ['afghan-deputy-interior-minister-advice-pakistan-ttp-dialogue', 'fo-2024-04-04-no-talks-with-ttp'],
    positions: [
      'pakistan-opposes-talks-with-ttp-from-2024-04-04',
      'afghanistan-interim-government-supports-talks-with-ttp-from-2024-04-04',
    ],
  });
}

function countsOf(bundle: Record<string, unknown[]>) {
  const entities = ['sources', 'events', 'actors', 'topics', 'statements', 'positions'];
  return Object.fromEntries(entities.map((e) => [e, { created: bundle[e]?.length ?? 0, updated: 0, unchanged: 0 }]));
}

let seeds: ReturnType<typeof seedBundles> | undefined;

/** A record of the FO briefing seed, as the bundle has it (a complete create body, with its id). */
export function seedRecord(collection: string, id: string): Record<string, unknown> {
  seeds ??= seedBundles();
  for (const { bundle } of seeds) {
    const record = (bundle as Record<string, { id: string }[] | undefined>)[collection]?.find((r) => r.id === id);
    if (record) return structuredClone(record) as Record<string, unknown>;
  }
  throw new Error(`The seed has no ${collection} record '${id}' for the OpenAPI examples.`);
}

function seedSlice(ids: Record<string, string[]>): Record<string, Record<string, unknown>[]> {
  return Object.fromEntries(Object.entries(ids).map(([collection, list]) => [collection, list.map((id) => seedRecord(collection, id))]));
}

const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const isProblemRef = (response: unknown) => (response as { $ref?: string } | undefined)?.$ref === 'Problem';

/**
 * Completes a documented route's schema: public operations say so (`security: []`); every problem it can
 * answer with is declared per status, with its codes and an example of each; examples ride along to the document.
 */
function describeOperation(route: RouteOptions, bodyLimit: number): FastifySchema {
  const schema = route.schema as FastifySchema;
  const method = String(route.method);
  const defaults = operationDefaults(schema.operationId);
  const declared = schema.problems ?? defaults.problems ?? {};
  const { problems: _problems, examples: _examples, ...rest } = schema;
  const responses = { ...(schema.response as Record<string, unknown> | undefined) };
  if (method === 'POST') {
    const headers = (schema.headers ?? { type: 'object', properties: {} }) as { properties?: Record<string, unknown> };
    rest.headers = { ...headers, properties: { ...headers.properties, 'idempotency-key': IdempotencyKeyHeader } };
    for (const [status, response] of Object.entries(responses)) {
      if (!status.startsWith('2')) continue;
      const entry = response as { headers?: Record<string, unknown> };
      responses[status] = { ...entry, headers: { ...entry.headers, ...ReplayedHeader } };
    }
  }

  const notes: ProblemNotes = { ...commonProblems(method, route.url, schema, route.bodyLimit ?? bodyLimit), ...declared };
  // A bare Problem reference keeps its description as the status summary; with no code declared for its
  // status, it stands for every code of that status in the catalogue.
  const summaries: Record<number, string> = {};
  for (const [status, response] of Object.entries(responses)) {
    if (!isProblemRef(response)) continue;
    const code = Number(status);
    summaries[code] = (response as { description?: string }).description ?? '';
    if (!ERROR_CODES.some((c) => ERRORS[c].status === code && c in notes)) {
      for (const c of ERROR_CODES.filter((c) => ERRORS[c].status === code)) notes[c] = '';
    }
    delete responses[status];
  }
  for (const status of Object.keys(responses)) {
    if (Number(status) >= 400) throw new Error(`${method} ${route.url}: declare problem ${status} with \`problems\`, not a schema`);
  }
  const problems = problemResponses(notes, summaries);

  const examples = schema.examples ?? defaults.examples ?? {};
  const path = openapiPath(route.url);
  const problemExamples = Object.fromEntries(
    Object.keys(problems).map((status) => [
      status,
      Object.fromEntries(
        ERROR_CODES.filter((code) => code in notes)
          .filter((code) => String(ERRORS[code].status) === status)
          .map((code) => [code, { summary: ERRORS[code].title, value: problemExample(code, method, path) }]),
      ),
    ]),
  );
  return {
    ...rest,
    security: schema.security ?? [],
    response: { ...responses, ...problems },
    'x-examples': { body: examples.body, responses: { ...examples.responses, ...problemExamples } },
  } as FastifySchema;
}

type MediaTypes = Record<string, { examples?: Examples }>;
interface Operation {
  'x-examples'?: OperationExamples;
  parameters?: { required?: boolean; schema?: { default?: unknown } }[];
  requestBody?: { content: MediaTypes };
  responses: Record<string, { content?: MediaTypes }>;
}

/**
 * Puts each operation's examples on the JSON media type of its request body and responses (where @fastify/swagger
 * drops them), and marks parameters with a default as optional.
 */
function finishDocument(document: { paths: Record<string, Record<string, Operation>> }) {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      // The validator fills in a parameter's default (useDefaults), so a client never has to send it.
      for (const parameter of operation.parameters ?? []) {
        if (parameter.schema?.default !== undefined) parameter.required = false;
      }
      const examples = operation['x-examples'];
      delete operation['x-examples'];
      if (!examples) continue;
      const jsonMedia = (content: MediaTypes | undefined, where: string) => {
        const type = Object.keys(content ?? {}).find((t) => t === 'application/json' || t.endsWith('+json'));
        if (!content || !type) throw new Error(`${method.toUpperCase()} ${path}: examples for ${where}, which has no JSON content`);
        return content[type] as { examples?: Examples };
      };
      if (examples.body) jsonMedia(operation.requestBody?.content, 'the request body').examples = examples.body;
      for (const [status, named] of Object.entries(examples.responses ?? {})) {
        if (named && Object.keys(named).length > 0) {
          jsonMedia(operation.responses[status]?.content, `response ${status}`).examples = named;
        }
      }
    }
  }
  return document;
}

type DocumentResponse = { content?: Record<string, { schema?: { allOf?: { properties?: { code?: { enum?: string[] } } }[] } }> };

/**
 * A problem response that many operations declare word for word (429 RATE_LIMITED, 500 INTERNAL, 401, 403…)
 * is written once under components/responses, named after its code, and referenced.
 */
function shareProblemResponses(document: {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components?: { responses?: Record<string, unknown> };
}) {
  const codeOf = (response: DocumentResponse) => {
    const codes = response.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.enum;
    return codes?.length === 1 ? codes[0] : undefined;
  };
  const uses = new Map<string, { code: string; count: number; response: unknown }>();
  const responses = Object.values(document.paths).flatMap((item) =>
    Object.values(item).flatMap((operation) => Object.values(operation.responses)),
  );
  for (const response of responses) {
    const code = codeOf(response as DocumentResponse);
    if (!code) continue;
    const key = JSON.stringify(response);
    const use = uses.get(key) ?? { code, count: 0, response };
    use.count += 1;
    uses.set(key, use);
  }
  // Per code, the wording most operations share; other wordings stay where they are.
  const shared = new Map<string, string>();
  for (const [key, use] of [...uses].sort(([, a], [, b]) => b.count - a.count)) {
    if (use.count < 2 || [...shared.values()].includes(use.code)) continue;
    shared.set(key, use.code);
  }
  if (shared.size === 0) return;
  document.components ??= {};
  const components = document.components;
  components.responses ??= {};
  const nameOf = (code: string) => code.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const [key, code] of shared) components.responses[nameOf(code)] = uses.get(key)?.response;
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const code = shared.get(JSON.stringify(response));
        if (code) operation.responses[status] = { $ref: `#/components/responses/${nameOf(code)}` };
      }
    }
  }
}

type Schema = { allOf?: Schema[]; required?: string[]; [keyword: string]: unknown };

/**
 * `{ allOf: [{ $ref }, { type: 'object', required: [...] }] }` (a record with some fields made required) reads
 * to code generators as "and an object with no properties", which openapi-typescript types as
 * Record<string, never>. The same constraint with `required` next to `allOf` accepts the same values and
 * generates WithRequired<Record, 'id'>.
 */
function hoistRequired(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) hoistRequired(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Schema;
  if (Array.isArray(schema.allOf)) {
    const onlyRequired = (member: Schema) =>
      Array.isArray(member.required) && Object.keys(member).every((k) => k === 'required' || (k === 'type' && member.type === 'object'));
    const hoisted = schema.allOf.filter(onlyRequired).flatMap((member) => member.required ?? []);
    if (hoisted.length > 0 && schema.allOf.some((member) => !onlyRequired(member))) {
      schema.allOf = schema.allOf.filter((member) => !onlyRequired(member));
      schema.required = [...new Set([...(schema.required ?? []), ...hoisted])];
    }
  }
  for (const value of Object.values(schema)) hoistRequired(value);
}

export const openapiPlugin = fp(
  async (app) => {
    // Before @fastify/swagger's own onRoute hook: it keeps the route options, and reads the schema later.
    app.addHook('onRoute', (route) => {
      const schema = route.schema as FastifySchema | undefined;
      if (!schema?.operationId || schema.hide || route.method === 'HEAD') return;
      route.schema = describeOperation(route, app.initialConfig.bodyLimit ?? 1024 * 1024);
    });

    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Diplomatic Statements API',
          version: '1.0.0',
          description: [
            'What governments and officials say (statements), where they stand (positions), and where each word comes from (sources, events).',
            'The first data it serves is the report of Pakistan’s Foreign Office weekly press briefing of 4 April 2024 (The News, 5 April 2024).',
            '',
            'Reads are public. Writes need `Authorization: Bearer <key>`; keys are made with `npm run keys -- create <name>`.',
            'Every response carries `X-Request-Id`. Single records carry an `ETag`: `If-None-Match` on reads (304), `If-Match` on writes (412).',
            '',
            'This document is served at `/openapi.json`; generate a typed client from it (openapi-typescript + openapi-fetch).',
            '',
            'Errors are RFC 9457 problems (`application/problem+json`) with a stable `code`; each response lists the codes it can carry:',
            '',
            ...Object.entries(ERRORS).map(([code, { status, title }]) => `- \`${code}\` (${status}): ${title}`),
            '',
            'A path that matches no operation answers 404 `ROUTE_NOT_FOUND`.',
          ].join('\n'),
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: [
          { name: 'Statements', description: 'What was said, by whom, when, where, to whom.' },
          { name: 'Positions', description: "An actor's stance on a topic over a period, with its evidence." },
          { name: 'Actors', description: 'States, bodies, organizations, groups and people.' },
          { name: 'Topics', description: 'The issues, as a tree.' },
          { name: 'Sources', description: 'Documents that report what was said.' },
          { name: 'Events', description: 'Occasions where things were said.' },
          { name: 'Stats', description: 'Counts and stance matrices for dashboards.' },
          { name: 'Vocabularies', description: 'The controlled lists, with the CAMEO code of each act.' },
          { name: 'Changes', description: 'The change feed: every write in commit order, to mirror the data.' },
          { name: 'Imports', description: 'Bulk upsert of whole briefings.' },
          {
            name: 'Extraction',
            description: "Draft bundles from a briefing's text: transcripts and news reports, with spans and warnings.",
          },
          { name: 'Service', description: 'Health, readiness and problem types.' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run keys -- create <name>`.' },
          },
        },
      },
      refResolver: {
        // Components are named after the schemas' $id (Statement, Problem), not def-0, def-1.
        buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
      },
      transformObject: (documentObject) => {
        const document = (documentObject as { openapiObject: Parameters<typeof finishDocument>[0] & { components?: unknown } })
          .openapiObject;
        hoistRequired(document.components);
        finishDocument(document);
        shareProblemResponses(document as Parameters<typeof shareProblemResponses>[0]);
        return document as object;
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { deepLinking: true, displayOperationId: true, defaultModelsExpandDepth: 0, persistAuthorization: true },
    });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
