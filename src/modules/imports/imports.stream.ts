// Streaming imports: NDJSON read line by line in bounded memory, each line a bundle imported in its own transaction.
import { setImmediate as nextTick } from 'node:timers/promises';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import { type Author, type Storage, storageFailure } from '../../storage/index.js';
import { parseBundleInSlices } from './imports.parse.js';
import { ENTITIES, type ImportCounts, type ImportLineResult } from './imports.schema.js';
import { emptyCounts, runImport } from './imports.service.js';

/** One line of the body: its text; or only its size when it is over the limit (its bytes were dropped); or that it is not UTF-8. */
export type RawLine = { line: number; text: string } | { line: number; tooLong: number } | { line: number; notUtf8: true };

const NEWLINE = 0x0a;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a byte stream into lines without ever holding more than one line (up to `limit` bytes) plus one
 * chunk: a longer line is counted and skipped, not kept. Reading only as fast as lines are consumed keeps
 * the sender waiting (TCP backpressure) instead of buffering the body.
 */
export async function* splitLines(source: AsyncIterable<Buffer | Uint8Array | string>, limit: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let line = 1;
  const finish = (): RawLine => {
    const text = size > limit ? undefined : decode(parts, size);
    const result: RawLine = size > limit ? { line, tooLong: size } : text === undefined ? { line, notUtf8: true } : { line, text };
    parts = [];
    size = 0;
    line += 1;
    return result;
  };
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    let start = 0;
    while (start < buffer.length) {
      const newline = buffer.indexOf(NEWLINE, start);
      const end = newline === -1 ? buffer.length : newline;
      if (end > start) {
        if (size + (end - start) <= limit) parts.push(buffer.subarray(start, end));
        else parts = [];
        size += end - start;
      }
      if (newline === -1) break;
      yield finish();
      start = newline + 1;
    }
  }
  if (size > 0) yield finish();
}

/** The text of a line; undefined when it is not valid UTF-8 (which a lenient decoder would mangle into U+FFFD). */
function decode(parts: Buffer[], size: number): string | undefined {
  const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export interface StreamOptions {
  dryRun: boolean;
  lineLimit: number;
  /** Who imports: named in the revisions each line records. */
  author?: Author;
  /** Told of failures that are ours, not the caller's (a 500 would have been logged). */
  onInternalError?(error: unknown, line: number): void;
}

/**
 * Imports NDJSON: yields one result per line holding a bundle, in order, then the summary. Each line is
 * parsed, validated and imported in its own transaction; between lines the event loop turns, so the
 * server keeps answering other requests. Empty lines are skipped.
 */
export async function* importLines(
  storage: Storage,
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: StreamOptions,
): AsyncGenerator<ImportLineResult> {
  const totals = emptyCounts();
  let lines = 0;
  let ok = 0;
  let failed = 0;
  for await (const raw of splitLines(source, options.lineLimit)) {
    if ('text' in raw && raw.text.trim() === '') continue;
    lines += 1;
    const result = await importLine(storage, raw, options);
    if (result.status === 'ok') {
      ok += 1;
      addCounts(totals, result.counts);
    } else failed += 1;
    yield result;
    await nextTick();
  }
  yield { status: 'done', lines, ok, failed, dryRun: options.dryRun, counts: totals };
}

async function importLine(storage: Storage, raw: RawLine, options: StreamOptions): Promise<ImportLineResult> {
  if ('notUtf8' in raw) {
    return failure(
      raw.line,
      new AppError('VALIDATION_FAILED', `Line ${raw.line} is not valid UTF-8.`, {
        errors: [{ in: 'body', path: '', message: 'is not valid UTF-8' }],
      }),
    );
  }
  if ('tooLong' in raw) {
    return failure(
      raw.line,
      new AppError(
        'PAYLOAD_TOO_LARGE',
        `Line ${raw.line} has ${raw.tooLong} bytes, over the limit of ${describeBytes(options.lineLimit)} a line; nothing of it was stored.`,
      ),
    );
  }
  try {
    const bundle = await parseBundleInSlices(raw.text);
    const { counts } = await runImport(storage, bundle, { dryRun: options.dryRun, author: options.author });
    return { line: raw.line, status: 'ok', dryRun: options.dryRun, counts };
  } catch (error) {
    if (error instanceof AppError) return failure(raw.line, error);
    options.onInternalError?.(error, raw.line);
    const busy = storageFailure(error) === 'busy';
    return failure(
      raw.line,
      busy
        ? new AppError('UNAVAILABLE', 'The database is busy; nothing of this line was stored. Retry it.')
        : new AppError('INTERNAL', 'Something went wrong on our side; nothing of this line was stored.'),
    );
  }
}

function failure(line: number, error: AppError): ImportLineResult {
  return { line, status: 'failed', code: error.code as ErrorCode, detail: error.detail, errors: error.extra.errors ?? [] };
}

export function addCounts(into: ImportCounts, from: ImportCounts): void {
  for (const entity of ENTITIES) {
    into[entity].created += from[entity].created;
    into[entity].updated += from[entity].updated;
    into[entity].unchanged += from[entity].unchanged;
  }
}

export const describeBytes = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB (${bytes} bytes)` : `${bytes} bytes`;
