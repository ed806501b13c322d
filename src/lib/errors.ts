// The error catalogue: every problem the API can answer with, its stable code, status and title.

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  INVALID_CURSOR: { status: 400, title: 'The cursor is not valid for this request' },
  UNAUTHORIZED: { status: 401, title: 'A valid API key is required' },
  FORBIDDEN: { status: 403, title: 'The API key may not do this' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this route' },
  NOT_ACCEPTABLE: { status: 406, title: 'No acceptable representation' },
  ID_TAKEN: { status: 409, title: 'A record with this id already exists' },
  STILL_REFERENCED: { status: 409, title: 'The record is still referenced' },
  POSITION_OVERLAP: { status: 409, title: 'The position overlaps another period of the same actor and topic' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request did not arrive in time' },
  PRECONDITION_FAILED: { status: 412, title: 'The record has changed since it was read' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request line or headers are too large' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'The first request with this Idempotency-Key is still running' },
  UNKNOWN_REFERENCE: { status: 422, title: 'A referenced record does not exist' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used for another request' },
  INVALID_RECORD: { status: 422, title: 'The record breaks a rule of the data model' },
  IMPORT_FAILED: { status: 422, title: 'The bundle was rejected; nothing of it was stored' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  UNAVAILABLE: { status: 503, title: 'The service is not available right now' },
  STORAGE_FULL: { status: 507, title: 'The database has no space left' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export interface FieldError {
  /** Where the bad value is, in the words of OpenAPI's parameter `in` (and body). */
  in: 'body' | 'query' | 'path' | 'header';
  /** A JSON Pointer to the value inside that part (`/speakerId`, `/topicIds/2`, `/limit`). */
  path: string;
  message: string;
}

/** An expected failure, answered as an RFC 9457 problem by the error handler. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[] } & Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }

  /** The status under the name Fastify's plugins read. */
  get statusCode(): number {
    return this.status;
  }
}

export const notFound = (collection: string, id: string) =>
  new AppError('NOT_FOUND', `There is no ${singular(collection)} with id '${id}' in /v1/${collection}.`);

/** The problem `type` URI of a code: `/problems/not-found`, served as JSON by the problems route. */
export const problemType = (code: ErrorCode) => `/problems/${code.toLowerCase().replaceAll('_', '-')}`;

export function singular(collection: string): string {
  return collection.endsWith('ies') ? `${collection.slice(0, -3)}y` : collection.replace(/s$/, '');
}
