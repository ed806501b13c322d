// Exports: every row of a list as CSV or NDJSON, streamed page by page in constant memory.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from './errors.js';
import type { ListQuery, PageResult } from './pagination.js';

export const EXPORT_FORMATS = ['json', 'csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FormatParameter = Type.Unsafe<ExportFormat>({
  type: 'string',
  enum: [...EXPORT_FORMATS],
  description:
    'json (default): one page. csv or ndjson: every matching row, streamed (limit and cursor do not apply). ' +
    'Accept: text/csv or application/x-ndjson does the same.',
});

const EXPORT_PAGE = 500;
const MEDIA_TYPES: Record<Exclude<ExportFormat, 'json'>, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The format asked for, by `format=` first, else by the Accept header. */
export function requestedFormat(request: FastifyRequest): ExportFormat {
  const { format } = request.query as { format?: ExportFormat };
  if (format) return format;
  const accept = request.headers.accept ?? '';
  if (/^\s*text\/csv/i.test(accept)) return 'csv';
  if (/^\s*application\/x-ndjson/i.test(accept)) return 'ndjson';
  return 'json';
}

// A cell a spreadsheet would read as a formula is prefixed with a quote (OWASP's advice on CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;
const guard = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value) ? value.join(';') : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
};

/**
 * Streams every row the list query selects: pages of 500 read one after another with keyset cursors, so
 * memory stays flat however many rows match, and rows written meanwhile are neither skipped nor repeated.
 */
export function sendExport<R>(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    name: string;
    format: Exclude<ExportFormat, 'json'>;
    list: (query: ListQuery & Record<string, unknown>) => Promise<PageResult<R>>;
    columns: readonly string[];
    /** The record as a CSV row; NDJSON sends the record as it is. */
    csvRow: (record: R) => Record<string, unknown>;
  },
) {
  const query = request.query as ListQuery & Record<string, unknown>;
  if (query.cursor) {
    throw new AppError('VALIDATION_FAILED', 'An export sends every matching row: drop the cursor.', {
      errors: [{ in: 'query', path: '/cursor', message: `does not apply with format=${options.format}` }],
    });
  }
  const { columns } = options;
  async function* records() {
    let cursor: string | undefined;
    do {
      const page = await options.list({ ...query, format: undefined, count: false, limit: EXPORT_PAGE, ...(cursor ? { cursor } : {}) });
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  async function* lines() {
    for await (const r of records()) yield `${JSON.stringify(r)}\n`;
  }
  async function* cells() {
    for await (const record of records()) {
      const r = options.csvRow(record);
      yield columns.map((c) => guard(r[c]));
    }
  }
  const body =
    options.format === 'csv' ? Readable.from(cells()).pipe(stringify({ header: true, columns: [...columns] })) : Readable.from(lines());
  return reply
    .type(MEDIA_TYPES[options.format])
    .header('content-disposition', `attachment; filename="${options.name}.${options.format}"`)
    .send(body);
}
