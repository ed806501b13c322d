// Every failure leaves as an RFC 9457 problem with a stable code and the request id.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, ERRORS, type ErrorCode, type FieldError, problemType } from '../lib/errors.js';
import { describeFieldErrors, toFieldErrors } from '../lib/validation.js';
import { storageFailure } from '../storage/index.js';

export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const appError = toAppError(error);
      if (appError.status >= 500) {
        request.log.error({ err: error }, 'request failed');
      }
      return sendProblem(request, reply, appError);
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        request,
        reply,
        new AppError('ROUTE_NOT_FOUND', `There is no route ${request.method} ${request.url.split('?')[0]}. See /docs for the API.`),
      ),
    );
  },
  { name: 'errors' },
);

/**
 * Answers what Node's HTTP parser refused before Fastify saw a request, as a problem with a request id, and
 * closes the connection (the rest of what the client sends cannot be read as a request).
 */
export function answerClientError(log: FastifyBaseLogger, error: Error & { code?: string }, socket: Duplex): void {
  // The client went away: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  const [code, detail]: [ErrorCode, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['REQUEST_TIMEOUT', 'The request did not arrive whole in time; send it at once.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? ['HEADERS_TOO_LARGE', 'The request line and headers are over 16 KiB; a long id or filter list in the URL is the usual cause.']
        : ['VALIDATION_FAILED', `The request is not valid HTTP/1.1 (${error.code ?? error.message}).`];
  log.info({ err: error, reqId: requestId }, `refused before routing: ${code}`);
  // A response already under way on this connection (a streamed import) cannot be followed by another.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy(error);
    return;
  }
  const { status, title } = ERRORS[code];
  const body = JSON.stringify({ type: problemType(code), title, status, detail, code, requestId });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Content-Type: application/problem+json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const { status, code, detail, extra } = error;
  // RFC 9110 §15.5.2: a 401 carries a challenge; the auth check sets a more precise one (RFC 6750 §3.1).
  if (code === 'UNAUTHORIZED' && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer');
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: problemType(code),
      title: ERRORS[code].title,
      status,
      detail,
      instance: request.url.split('?')[0],
      code,
      requestId: String(request.id),
      ...extra,
    });
}

function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const errors = toFieldErrors(error.validation, error.validationContext ?? 'body');
    return new AppError('VALIDATION_FAILED', describeFieldErrors(errors), { errors });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', `The body is larger than the limit of this route.`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return bodyError('The body is empty but Content-Type is application/json: send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return bodyError(`The body is not valid JSON: ${error.message}.`);
  }
  switch (storageFailure(error)) {
    case 'busy':
      return new AppError('UNAVAILABLE', 'The database is busy; retry shortly.');
    case 'full':
      return new AppError('STORAGE_FULL', 'The database has no space left; nothing of this request was stored. Reads still work.');
    case 'unwritable':
      return new AppError('UNAVAILABLE', 'The database could not be written; nothing of this request was stored. Retry later.');
    case 'constraint':
      // The service checks references and rules before writing; this is the database's backstop.
      return new AppError('INVALID_RECORD', `The database refused the write: ${error.message}.`);
  }
  if (error instanceof SyntaxError) return bodyError(`The body is not valid JSON: ${error.message}.`);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 404
        ? 'NOT_FOUND'
        : status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : status === 405
              ? 'METHOD_NOT_ALLOWED'
              : status === 406
                ? 'NOT_ACCEPTABLE'
                : 'VALIDATION_FAILED';
    return new AppError(code, error.message);
  }
  return new AppError('INTERNAL', 'Something went wrong on our side. Quote the requestId when you report it.');
}

function bodyError(detail: string): AppError {
  const errors: FieldError[] = [{ in: 'body', path: '', message: detail }];
  return new AppError('VALIDATION_FAILED', detail, { errors });
}
