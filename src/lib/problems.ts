// Problems in the OpenAPI document (each status with the codes it carries, and an example of each), and GET /problems/:type.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ERROR_CODES, ERRORS, type ErrorCode, notFound, problemType } from './errors.js';
import { SAMPLE_IDS } from './examples.js';

/** Codes an operation can answer with, each with what it means there ('' keeps the catalogue's title). */
export type ProblemNotes = Partial<Record<ErrorCode, string>>;

/** What the document says of a status before listing its codes. */
const STATUS_SUMMARIES: Record<number, string> = {
  400: 'The request is not valid; `errors` names each bad parameter or field.',
  401: 'The request needs a valid API key (`Authorization: Bearer <key>`), or sent one that names no live key. Sent with `WWW-Authenticate: Bearer`, and `error="invalid_token"` (a key that is unknown, revoked or expired) or `error="invalid_request"` (a header that is not `Bearer <key>`).',
  403: 'The API key may not do this.',
  404: 'Not found.',
  405: 'Method not allowed.',
  406: 'No acceptable representation.',
  408: 'The request did not arrive whole in time; the connection is closed.',
  409: 'The request conflicts with stored data; nothing was changed.',
  412: 'The record changed since it was read; nothing was changed.',
  413: 'The body is too large.',
  415: 'The body is sent in a media type this operation does not take.',
  422: 'The request is well formed but breaks a rule of the data model; nothing was stored.',
  429: 'Too many requests. Sent with `Retry-After`.',
  431: 'The request line (its URL) or headers are larger than the server takes (16 KiB in all); the connection is closed.',
  500: 'An unexpected failure; the problem quotes the `requestId` to report.',
  503: 'The service cannot answer right now; retry shortly.',
  507: 'The database has no space left.',
};

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * The responses of an operation's problems, one per status: the Problem schema with `code` narrowed to the
 * codes that status carries there, and a description listing each code with what it means for this operation.
 */
export function problemResponses(notes: ProblemNotes) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERROR_CODES.filter((c) => c in notes)) {
    const { status } = ERRORS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, { description: string; content: Record<string, { schema: unknown }> }> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const lines = codes.map((code) => `- \`${code}\`: ${notes[code] || `${ERRORS[code].title}.`}`);
    responses[status] = {
      description: `${STATUS_SUMMARIES[status] ?? 'A problem.'}\n\n\`code\` is one of:\n\n${lines.join('\n')}`,
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: {
            allOf: [{ $ref: 'Problem' }, { type: 'object', properties: { code: { type: 'string', enum: codes } } }],
          },
        },
      },
    };
  }
  return responses;
}

const ANY_OPERATION = new Set<ErrorCode>([
  'UNAUTHORIZED',
  'FORBIDDEN',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'IDEMPOTENCY_IN_PROGRESS',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL',
  'UNAVAILABLE',
  'STORAGE_FULL',
]);
const SAMPLE_REQUEST_ID = '6f1c2b9e-4f0a-4c7e-9a57-2d6b8e3f1a20';
const field = (path: string, message: string, part: 'body' | 'query' = 'body') => ({ in: part, path, message });

/** Per collection: its sample record, a misspelt reference, a record that refers to it, a rule a write can break. */
const SAMPLES: Record<
  string,
  {
    id: string;
    reference: [path: string, collection: string, id: string];
    referrer: [collection: string, field: string, id: string];
    rule: string;
  }
> = {
  actors: {
    id: SAMPLE_IDS.actors,
    reference: ['/parentId', 'actors', 'pakistan-mofaa'],
    referrer: ['positions', 'actorId', 'pakistan-opposes-talks-with-ttp-from-2024-04-04'],
    rule: "parentId 'ttp' would make 'ttp' its own ancestor in /v1/actors",
  },
  topics: {
    id: SAMPLE_IDS.topics,
    reference: ['/parentId', 'topics', 'tpp'],
    referrer: ['statements', 'topicIds', 'fo-2024-04-04-no-talks-with-ttp'],
    rule: "parentId 'talks-with-ttp' would make 'ttp' its own ancestor in /v1/topics",
  },
  sources: {
    id: SAMPLE_IDS.sources,
    reference: ['/speakerId', 'actors', 'mumtaz-zahra-balouch'],
    referrer: ['statements', 'sourceIds', 'fo-2024-04-04-no-talks-with-ttp'],
    rule: 'the database refused the write',
  },
  events: {
    id: SAMPLE_IDS.events,
    reference: ['/hostId', 'actors', 'pakistan-mofaa'],
    referrer: ['statements', 'eventId', 'fo-2024-04-04-no-talks-with-ttp'],
    rule: 'endDate 2024-04-03 is before startDate 2024-04-04',
  },
  statements: {
    id: SAMPLE_IDS.statements,
    reference: ['/speakerId', 'actors', 'mumtaz-zahra-balouch'],
    referrer: ['positions', 'evidence', 'pakistan-opposes-talks-with-ttp-from-2024-04-04'],
    rule: 'A statement cannot respond to itself',
  },
  positions: {
    id: SAMPLE_IDS.positions,
    reference: ['/topicId', 'topics', 'talks-with-tpp'],
    referrer: ['positions', 'evidence', 'pakistan-opposes-talks-with-ttp-from-2024-04-04'],
    rule: 'validTo 2024-04-01 must be after validFrom 2024-04-04',
  },
};

/** An example of `code` as a problem document, answered by the operation `method url` (url as `/v1/statements/{id}`). */
export function problemExample(code: ErrorCode, method: string, url: string): Record<string, unknown> {
  const collection = /^\/v1\/([a-z]+)/.exec(url)?.[1] ?? '';
  const sample = SAMPLES[collection] ?? SAMPLES.statements!;
  const id = !collection ? 'no-such-problem' : code === 'NOT_FOUND' ? `${sample.id}-2` : sample.id;
  const instance = url.replace(/\{[^}]+\}/g, id);
  const { status, title } = ERRORS[code];
  // The examples of codes any operation can answer with leave out the path, so that one serves them all.
  const problem = (detail: string, extra: Record<string, unknown> = {}) => ({
    type: problemType(code),
    title,
    status,
    detail,
    ...(ANY_OPERATION.has(code) ? {} : { instance }),
    code,
    requestId: SAMPLE_REQUEST_ID,
    ...extra,
  });
  const [refPath, refCollection, refId] = sample.reference;
  const unknownReference = `${refPath.slice(1)} refers to '${refId}', which does not exist in /v1/${refCollection}.`;
  const unknownSpeaker = "speakerId refers to 'mumtaz-zahra-balouch', which does not exist in /v1/actors.";
  switch (code) {
    case 'VALIDATION_FAILED': {
      const bad = ['POST', 'PATCH', 'PUT'].includes(method)
        ? field('/kind', 'must be one of: quote, paraphrase')
        : field('/speakr', 'is not a known query parameter for this route', 'query');
      return problem(`${bad.in} ${bad.path} ${bad.message}.`, { errors: [bad] });
    }
    case 'INVALID_CURSOR': {
      const why =
        'was issued for other filters or another sort: keep them as they were when the cursor was issued, or drop the cursor to start again';
      return problem(`The cursor ${why}.`, { errors: [field('/cursor', `cursor ${why}`, 'query')] });
    }
    case 'UNAUTHORIZED':
      return problem('Writes need an API key: send Authorization: Bearer <key>.');
    case 'NOT_FOUND':
      return problem(notFound(collection, id).detail);
    case 'ROUTE_NOT_FOUND':
      return problem(`There is no route ${method} ${instance}. See /docs for the API.`);
    case 'ID_TAKEN':
      return problem(`/v1/${collection}/${id} already exists; choose another id, or PATCH that record.`, {
        errors: [field('/id', `'${id}' is already taken`)],
      });
    case 'STILL_REFERENCED': {
      const [by, byField, byId] = sample.referrer;
      return problem(
        `'${id}' in /v1/${collection} cannot be deleted while other records refer to it: ${by} (${byField}: ${byId}). Change or delete those first.`,
        { referencedBy: [{ collection: by, field: byField, ids: [byId] }] },
      );
    }
    case 'POSITION_OVERLAP':
      return problem(
        "pakistan's position on talks-with-ttp from 2024-01-01 to 2024-05-01 overlaps position 'pakistan-opposes-talks-with-ttp-from-2024-04-04' (2024-04-04 to now). Periods of one actor on one topic must not overlap.",
        { conflictingPositionId: 'pakistan-opposes-talks-with-ttp-from-2024-04-04' },
      );
    case 'PRECONDITION_FAILED':
      return problem('If-Match "1" does not match the current ETag "2" (version 2); read the record again and retry.', {
        currentVersion: 2,
      });
    case 'PAYLOAD_TOO_LARGE':
      return problem('The body is larger than the limit of this route.');
    case 'UNSUPPORTED_MEDIA_TYPE':
      return problem('Send the body as application/json.');
    case 'UNKNOWN_REFERENCE':
      return problem(unknownReference, { errors: [field(refPath, unknownReference)] });
    case 'INVALID_RECORD':
      return problem(`${sample.rule}.`);
    case 'IMPORT_FAILED':
      return problem(`1 error(s); nothing was stored. /statements/0/speakerId: ${unknownSpeaker}`, {
        errors: [field('/statements/0/speakerId', unknownSpeaker)],
      });
    case 'FORBIDDEN':
      return problem("The API key 'reader' has the scopes read; this needs write.");
    case 'RATE_LIMITED':
      return problem('More than 600 requests in a minute; retry in 42 s.');
    case 'IDEMPOTENCY_KEY_REUSED':
      return problem("Idempotency-Key 'fo-briefing-2024-04-04' was first used for another request; use a new key for a new request.");
    case 'IDEMPOTENCY_IN_PROGRESS':
      return problem("The first request with Idempotency-Key 'fo-briefing-2024-04-04' is still being answered; retry shortly.");
    case 'STORAGE_FULL':
      return problem('The database has no space left; nothing of this request was stored. Reads still work.');
    case 'INTERNAL':
      return problem('Something went wrong on our side. Quote the requestId when you report it.');
    case 'UNAVAILABLE':
      return problem(url === '/ready' ? 'The database does not answer.' : 'The database is busy; retry shortly.');
    default:
      return problem(`${title}.`);
  }
}

const ProblemTypeSchema = Type.Object({
  type: Type.String({ description: 'The problem type URI, as problems carry it.' }),
  code: Type.String({ description: 'The stable code of the problem type.' }),
  status: Type.Integer({ description: 'The HTTP status it comes with.' }),
  title: Type.String({ description: 'A short summary of the problem type.' }),
});

export async function problemRoutes(app: FastifyInstance) {
  const byType = new Map(ERROR_CODES.map((code) => [problemType(code).split('/').pop() as string, code]));
  app.get(
    '/problems/:type',
    {
      schema: {
        operationId: 'getProblemType',
        tags: ['Service'],
        summary: 'Describe a problem type',
        description: 'What a problem `type` URI means: its code, HTTP status and title.',
        params: Type.Object(
          { type: Type.String({ description: 'The last segment of a problem `type`, e.g. not-found.' }) },
          { additionalProperties: false },
        ),
        response: {
          200: { ...ProblemTypeSchema, description: 'The problem type.' },
        },
        problems: { ROUTE_NOT_FOUND: 'No problem type has this name.' },
        examples: {
          responses: {
            200: {
              notFound: {
                summary: 'The not-found problem type',
                description: 'Answer to `GET /problems/not-found` on any server.',
                value: { type: problemType('NOT_FOUND'), code: 'NOT_FOUND', status: 404, title: ERRORS.NOT_FOUND.title },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const code = byType.get((request.params as { type: string }).type);
      if (!code) return reply.callNotFound();
      return { type: problemType(code), code, status: ERRORS[code].status, title: ERRORS[code].title };
    },
  );
}
