// `npm run import -- <files…>`: import JSON bundles and NDJSON files into a running server or straight into a database file.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { AppError } from '../lib/errors.js';
import { bundleValidator, parseBundle } from '../modules/imports/imports.parse.js';
import { ENTITIES, type ImportCounts, type ImportLineResult, NDJSON_LINE_LIMIT } from '../modules/imports/imports.schema.js';
import { emptyCounts, runImport } from '../modules/imports/imports.service.js';
import { addCounts, importLines } from '../modules/imports/imports.stream.js';
import { BULK_LOAD_CACHE_KIB, openStorage, type Storage } from '../storage/index.js';

const USAGE = `Usage: npm run import -- [options] <file…>

Imports bundles { sources, events, actors, topics, statements, positions }: each .json file is one bundle,
each line of an .ndjson (or .jsonl) file is one. Every bundle is imported on its own, all or nothing;
importing the same files again changes nothing.

Where to (one of):
  --url <base>    a running server, e.g. http://localhost:3000 (NDJSON files are streamed)
  --key <key>     its API key (npm run keys -- create <name>); default: the API_KEY environment variable
  --db <file>     a database file (or a postgres:// URL), imported straight through the service (created and migrated if needed);
                  into one without statements, topic ancestry, counts, the search index and secondary
                  indexes are built at the end (on PostgreSQL the rows are written with COPY, the whole load
                  in one transaction: a load cut short stores nothing)

Options:
  --dry-run       validate and count only; store nothing
  --json          machine-readable output on stdout: one JSON line per failed bundle, then the summary
  -h, --help      this text

Exit code: 0 when every bundle was imported, 1 when any failed, 2 for a usage error.`;

const SHORT_USAGE = 'Usage: npm run import -- (--url <base> [--key <key>] | --db <file>) [--dry-run] [--json] <file…>   (--help for more)';

type Result = ImportLineResult & { status: 'ok' | 'failed' };

interface Target {
  /** Imports one file, yielding a result per bundle; `progress` is told how many bytes of the file are done. */
  importFile(file: string, kind: 'json' | 'ndjson', progress: (doneInFile: number) => void): AsyncGenerator<Result>;
  close(): void | Promise<void>;
  /** Whether the database was empty, so ancestry, counts, the search index and secondary indexes were built once, at the end. */
  readonly bulkLoad: boolean;
}

/** The whole command: parses `argv`, imports, prints; resolves to the exit code. Also run by `npm run extract -- --import`. */
export async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) throw error;
    console.error(`${(error as Error).message}\n${SHORT_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { files, dryRun, json } = options;
  const target = options.db ? await databaseTarget(options.db, dryRun) : serverTarget(options.url as string, options.key as string, dryRun);

  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  if (options.db) bundleValidator();
  const started = performance.now();
  const totals = emptyCounts();
  let bundles = 0;
  let failedBundles = 0;
  let failedFiles = 0;

  // A bar only for a person watching: never in a pipe, a log file or --json output.
  const bars = process.stdout.isTTY && !json ? new cliProgress.MultiBar(BAR_OPTIONS, cliProgress.Presets.shades_classic) : undefined;
  const bar = bars?.create(totalBytes, 0, { bundles: 0, failed: 0, done: '0 B', size: formatBytes(totalBytes) });
  let previousFiles = 0;
  let readBytes = 0;
  const progress = (doneInFile: number) => {
    readBytes = previousFiles + doneInFile;
    bar?.update(readBytes, { bundles, failed: failedBundles, done: formatBytes(readBytes) });
  };
  const say = (text: string) => (bars ? bars.log(`${text}\n`) : console.log(text));

  try {
    for (const { path, kind, size } of files) {
      try {
        for await (const result of target.importFile(path, kind, progress)) {
          bundles += 1;
          if (result.status === 'ok') addCounts(totals, result.counts);
          else {
            failedBundles += 1;
            if (json) console.log(JSON.stringify({ file: path, ...result }));
            else say(describeFailure(path, kind, result));
          }
          bar?.update(readBytes, { bundles, failed: failedBundles });
        }
      } catch (error) {
        // The file as a whole could not be imported (unreadable, the server unreachable or refusing).
        failedFiles += 1;
        const message = error instanceof FileError ? error.message : `${path}: ${error instanceof Error ? error.message : String(error)}`;
        if (json)
          console.log(
            JSON.stringify({ file: path, status: 'failed', code: error instanceof FileError ? error.code : 'ERROR', detail: message }),
          );
        else say(message);
      }
      previousFiles += size;
      progress(0);
    }
  } finally {
    bar?.update(readBytes, { bundles, failed: failedBundles });
    bars?.stop();
    await target.close();
  }

  const seconds = (performance.now() - started) / 1000;
  const summary = {
    status: 'done',
    files: files.length,
    bundles,
    ok: bundles - failedBundles,
    failed: failedBundles,
    failedFiles,
    dryRun,
    bulkLoad: target.bulkLoad,
    counts: totals,
    seconds: Number(seconds.toFixed(3)),
  };
  if (json) console.log(JSON.stringify(summary));
  else console.log(describeSummary(summary, totals, seconds));
  return failedBundles > 0 || failedFiles > 0 ? 1 : 0;
}

function parseOptions(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      db: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true, files: [], dryRun: false, json: false } as const;
  if (positionals.length === 0) throw new UsageError('Name at least one file to import.');
  if (values.db === undefined && values.url === undefined)
    throw new UsageError('Say where to import: --url <base> (a running server) or --db <file>.');
  if (values.db !== undefined && values.url !== undefined) throw new UsageError('Use --url or --db, not both.');
  if (values.db !== undefined && values.key !== undefined) throw new UsageError('--key goes with --url; --db needs no key.');
  const key = values.key ?? process.env.API_KEY;
  if (values.url !== undefined) {
    if (!/^https?:\/\/[^/]/.test(values.url))
      throw new UsageError(`--url must be an http(s) URL such as http://localhost:3000, not '${values.url}'.`);
    if (!key) throw new UsageError('--url needs an API key: --key <key>, or the API_KEY environment variable.');
  }
  const files = positionals.map((path) => {
    const extension = extname(path).toLowerCase();
    const kind = extension === '.json' ? 'json' : extension === '.ndjson' || extension === '.jsonl' ? 'ndjson' : undefined;
    if (!kind) throw new UsageError(`${path}: not a .json (one bundle) or .ndjson/.jsonl (one bundle a line) file.`);
    return { path, kind, size: fileSize(path) } as const;
  });
  return { help: false, files, dryRun: values['dry-run'], json: values.json, url: values.url, key, db: values.db } as const;
}

class FileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Straight into a database file, through the import service the server uses. */
async function databaseTarget(path: string, dryRun: boolean): Promise<Target> {
  let storage: Storage;
  let deferred: boolean;
  try {
    // --db takes a SQLite file or a postgres:// URL.
    storage = await openStorage({ path, cacheKib: BULK_LOAD_CACHE_KIB, ...(/^postgres(ql)?:\/\//.test(path) ? { url: path } : {}) });
    await storage.migrate();
    // Into an empty database, topic ancestry, counts, the search index and secondary indexes are built once, at the end.
    deferred = !dryRun && (await storage.imports.deferDerivedWork());
  } catch (error) {
    throw new UsageError(`--db ${path}: cannot be opened (${error instanceof Error ? error.message : String(error)}).`);
  }
  return {
    async *importFile(file, kind, progress) {
      if (kind === 'json') {
        const bytes = readFileSync(file);
        try {
          const { counts } = await runImport(storage, parseBundle(decodeUtf8(bytes)), { dryRun });
          progress(bytes.length);
          yield { line: 1, status: 'ok', dryRun, counts };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          yield { line: 1, status: 'failed', code: error.code, detail: error.detail, errors: error.extra.errors ?? [] };
        }
        return;
      }
      // The file is read only as fast as its lines are imported: bytes read are bytes done.
      let read = 0;
      const source = chunks(file, (chunk) => {
        read += chunk.length;
        progress(read);
      });
      // Here the operator is the one who can act on a failure of ours: show its cause.
      const onInternalError = (error: unknown, line: number) =>
        console.error(`${file}:${line}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      for await (const result of importLines(storage, source, { dryRun, lineLimit: NDJSON_LINE_LIMIT, onInternalError })) {
        if (result.status !== 'done') yield result;
      }
    },
    bulkLoad: deferred,
    close: async () => {
      try {
        if (deferred) {
          if (process.stderr.isTTY) process.stderr.write('Building the topic ancestry, the counts and the indexes of the load…\n');
          await storage.imports.finishDeferredWork();
        }
      } finally {
        await storage.close();
      }
    },
  };
}

/** A running server: JSON files are posted whole, NDJSON files streamed while the answer streams back. */
function serverTarget(base: string, key: string, dryRun: boolean): Target {
  const url = new URL('v1/imports', base.endsWith('/') ? base : `${base}/`);
  if (dryRun) url.searchParams.set('dryRun', 'true');
  const headers = { authorization: `Bearer ${key}`, accept: 'application/json, application/x-ndjson, application/problem+json' };
  return {
    async *importFile(file, kind, progress) {
      // Bytes sent are not bytes done (the network buffers them): a line is done when its result is back.
      const sent = new LineOffsets();
      let response: Response;
      try {
        response =
          kind === 'json'
            ? await fetch(url, {
                method: 'POST',
                headers: { ...headers, 'content-type': 'application/json' },
                body: readFileSync(file),
              })
            : await fetch(url, {
                method: 'POST',
                headers: { ...headers, 'content-type': 'application/x-ndjson' },
                body: chunks(file, (chunk) => sent.push(chunk)),
                duplex: 'half',
              } as RequestInit);
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new FileError('UNREACHABLE', `${file}: ${url.origin} did not answer (${cause?.code ?? cause?.message ?? String(error)}).`);
      }
      if (kind === 'json') {
        const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
        if (response.ok) {
          progress(statSync(file).size);
          yield { line: 1, status: 'ok', dryRun, counts: body?.counts as ImportCounts };
        } else if (response.status === 400 || response.status === 422) {
          yield { line: 1, status: 'failed', code: String(body?.code), detail: String(body?.detail), errors: (body?.errors ?? []) as [] };
        } else throw problem(file, response, body);
        return;
      }
      if (!response.ok || !response.headers.get('content-type')?.startsWith('application/x-ndjson')) {
        throw problem(file, response, (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined);
      }
      let finished = false;
      let lastLine = 0;
      let broken: unknown;
      try {
        for await (const result of ndjsonOf(response)) {
          if (result.status === 'done') finished = true;
          else {
            lastLine = result.line as number;
            progress(sent.doneThrough(lastLine));
            yield result as Result;
          }
        }
      } catch (error) {
        broken = error;
      }
      if (!finished) {
        // Each line is its own transaction: those reported are settled, the one in flight may or may not be stored.
        const cause = broken instanceof Error ? ` (${broken.message})` : '';
        throw new FileError(
          'CUT_OFF',
          `${file}: the server's answer stopped after line ${lastLine}${cause}; lines after it may or may not be stored: import the file again.`,
        );
      }
    },
    close: () => {},
    bulkLoad: false,
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The file's text; invalid UTF-8 is refused as the server refuses it, not mangled into U+FFFD. */
function decodeUtf8(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The file is not valid UTF-8.', {
      errors: [{ in: 'body', path: '', message: 'is not valid UTF-8' }],
    });
  }
}

function problem(file: string, response: Response, body: Record<string, unknown> | undefined): FileError {
  const detail = typeof body?.detail === 'string' ? body.detail : response.statusText;
  return new FileError(typeof body?.code === 'string' ? body.code : `HTTP_${response.status}`, `${file}: ${response.status} ${detail}`);
}

/** The file's bytes, each chunk shown to `seen` as it is read (by the import, or by the upload). */
async function* chunks(file: string, seen: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  // 1 MiB a read: the next line is usually read while this one is imported.
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    seen(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/**
 * Where each line sent ends in the file, kept only until its result comes back: a queue as long as the
 * lines in flight, however long the file.
 */
class LineOffsets {
  private readonly ends: [line: number, end: number][] = [];
  private line = 1;
  private offset = 0;
  private done = 0;

  push(chunk: Buffer): void {
    let newline = chunk.indexOf(0x0a);
    let from = 0;
    while (newline !== -1) {
      this.ends.push([this.line, this.offset + newline + 1]);
      this.line += 1;
      from = newline + 1;
      newline = chunk.indexOf(0x0a, from);
    }
    this.offset += chunk.length;
  }

  /** The bytes done once the result of `line` is in: every line up to it, and its newline. */
  doneThrough(line: number): number {
    while (this.ends.length > 0 && (this.ends[0] as [number, number])[0] <= line) this.done = (this.ends.shift() as [number, number])[1];
    return this.done;
  }
}

async function* ndjsonOf(response: Response): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== '') yield JSON.parse(line);
      newline = pending.indexOf('\n');
    }
  }
  if (pending.trim() !== '') yield JSON.parse(pending);
}

function describeFailure(file: string, kind: 'json' | 'ndjson', result: Result): string {
  if (result.status !== 'failed') return '';
  const where = kind === 'ndjson' ? `${file}:${result.line}` : file;
  const lines = [`${where}: ${result.code} ${result.detail}`];
  for (const e of result.errors) lines.push(`  ${e.path || '(the bundle)'}  ${e.message}`);
  return lines.join('\n');
}

function describeSummary(
  summary: { files: number; bundles: number; ok: number; failed: number; failedFiles: number; dryRun: boolean; bulkLoad: boolean },
  totals: ImportCounts,
  seconds: number,
): string {
  const statements = totals.statements.created + totals.statements.updated + totals.statements.unchanged;
  const lines = [
    `${summary.dryRun ? 'Dry run (nothing stored): ' : ''}${summary.bundles} bundle(s) from ${summary.files} file(s): ${summary.ok} ok, ${summary.failed} failed` +
      `${summary.failedFiles > 0 ? `; ${summary.failedFiles} file(s) could not be imported` : ''}, in ${seconds.toFixed(2)} s` +
      `${statements > 0 ? ` (${Math.round(statements / seconds)} statements/s)` : ''}.`,
  ];
  if (summary.bulkLoad)
    lines.push('  The database was empty: topic ancestry, counts, the search index and secondary indexes were built once, at the end.');
  for (const entity of ENTITIES) {
    const c = totals[entity];
    if (c.created + c.updated + c.unchanged === 0) continue;
    lines.push(`  ${entity.padEnd(10)} ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`);
  }
  return lines.join('\n');
}

const BAR_OPTIONS: cliProgress.Options = {
  format: ' {bar} {percentage}% | {done} of {size} | {bundles} bundles, {failed} failed | ETA {eta_formatted}',
  hideCursor: true,
  clearOnComplete: false,
  stopOnComplete: false,
  etaBuffer: 50,
};

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export class UsageError extends Error {}

/** The size of a file named on the command line, or a usage error that says why it cannot be read. */
export function fileSize(path: string): number {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new UsageError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  if (!stat.isFile()) throw new UsageError(`${path}: not a file.`);
  return stat.size;
}

// Run as a script, not when another command imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAsScript(main);

/** Runs a command's main and sets the exit code: 2 for a usage error, 1 for any other failure. */
export function runAsScript(run: (argv: string[]) => Promise<number>): void {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      if (error instanceof UsageError) {
        console.error(error.message);
        process.exitCode = 2;
        return;
      }
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    },
  );
}
