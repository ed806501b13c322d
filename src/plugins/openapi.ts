// The OpenAPI 3.1 document, generated from the route schemas, at /openapi.json; interactive docs at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifySchema, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ERROR_CODES, ERRORS } from '../lib/errors.js';
import type { Examples, OperationExamples } from '../lib/examples.js';
import { type ProblemNotes, problemExample, problemResponses } from '../lib/problems.js';
import { NoQuery } from '../lib/schemas.js';

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
    UNAUTHORIZED: writes
      ? 'No key, or a key that is malformed, unknown, revoked or expired.'
      : 'A key was sent that is malformed, unknown, revoked or expired (this operation needs none; send none rather than a bad one).',
    REQUEST_TIMEOUT: BODY_METHODS.has(method)
      ? 'The request did not arrive whole within its time budget (the README states each); the connection is closed.'
      : 'The request headers did not arrive in time; the connection is closed.',
    HEADERS_TOO_LARGE: 'The URL and headers are over 16 KiB in all; refused before routing, the connection is closed.',
    RATE_LIMITED: 'More requests in a minute than the limit of the key (of the address, without a key); `Retry-After` says when to retry.',
    INTERNAL: 'An unexpected failure, logged with the requestId.',
    UNAVAILABLE: url.startsWith('/v1/')
      ? 'The server is overloaded, or the database is busy with a long write; retry after `Retry-After` or shortly.'
      : 'The server is overloaded; retry after `Retry-After`.',
  };
  // Any request can be malformed before routing (a URL that is not percent-encoding, a path parameter too long).
  notes.VALIDATION_FAILED = BODY_METHODS.has(method)
    ? 'A parameter or field is not valid, or is not one this operation takes, or the body is not JSON; `errors` names each.'
    : 'A parameter is not valid, or is not one this operation takes, or the request is malformed; `errors` names each.';
  if (writes) {
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

const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * Completes a documented route's schema: public operations say so (`security: []`); every problem it can
 * answer with is declared per status, with its codes and an example of each; examples ride along to the document.
 */
function describeOperation(route: RouteOptions, bodyLimit: number): FastifySchema {
  const schema = route.schema as FastifySchema;
  const method = String(route.method);
  const { problems: declared = {}, examples = {}, ...rest } = schema;
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
  for (const status of Object.keys(responses)) {
    if (Number(status) >= 400) throw new Error(`${method} ${route.url}: declare problem ${status} with \`problems\`, not a schema`);
  }
  const problems = problemResponses(notes);

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
      if (!schema?.operationId || schema.hide) return;
      // An operation that takes no query parameters refuses any sent, as the others refuse unknown ones.
      schema.querystring ??= NoQuery;
      if (route.method === 'HEAD') return;
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
            'Every response carries `X-Request-Id`. Single records carry an `ETag` (the version, with a suffix for fields derived from other records): `If-None-Match` on reads (304), `If-Match` on writes (412; the version alone also matches).',
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
