// `npm run extract -- FILE…`: a briefing's text → a draft bundle per file, written next to it (or imported with --import).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SOURCE_KINDS } from '../lib/vocabularies.js';
import { type Archive, type ExtractFormat, extract, type SourceKind } from '../modules/extract/extract.engine.js';
import { EXTRACT_TEXT_MAX } from '../modules/extract/extract.schema.js';
import { openStorage } from '../storage/index.js';
import { fileSize, main as importMain, runAsScript, UsageError } from './import.js';

const USAGE = `Usage: npm run extract -- [options] <file…>

Reads each text file (an official Q&A transcript or a news report about a briefing) and writes a draft bundle,
as POST /v1/imports takes it, to <file>.bundle.json (or into --out). Review it, then import it; or import at once.

Options:
  --format <f>          auto (default), transcript or report
  --published-on <date> the publication date (YYYY-MM-DD): relative days in a report are resolved against it
  --url <url>           where the text was published (the source's URL)
  --title <title>       the source's title (default: the first line of the text)
  --publisher <name>    the source's publisher
  --kind <kind>         the source's kind: ${SOURCE_KINDS.join(', ')}
  --stated-on <date>    the day the statements were made, when the text does not say
  --spokesperson <name> who answers, when the text does not name them
  --out <dir>           where to write the bundles (default: next to each file)
  --import              import each bundle too, as \`npm run import\` does; with:
    --server <base>     a running server, e.g. http://localhost:3000, with --key <key> (or API_KEY)
    --db <file>         a database file (its actors, topics and sources are reused by the extraction)
  --dry-run             with --import: validate and count only, store nothing
  -h, --help            this text

Exit code: 0 when every file was extracted (and imported), 1 when any failed, 2 for a usage error.`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseOptions(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'auto' },
      'published-on': { type: 'string' },
      url: { type: 'string' },
      title: { type: 'string' },
      publisher: { type: 'string' },
      kind: { type: 'string' },
      'stated-on': { type: 'string' },
      spokesperson: { type: 'string' },
      out: { type: 'string' },
      import: { type: 'boolean', default: false },
      server: { type: 'string' },
      key: { type: 'string' },
      db: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true as const };
  if (positionals.length === 0) throw new UsageError('Name at least one text file to extract from.');
  if (!['auto', 'transcript', 'report'].includes(values.format))
    throw new UsageError(`--format must be auto, transcript or report, not '${values.format}'.`);
  for (const name of ['published-on', 'stated-on'] as const) {
    const v = values[name];
    if (v !== undefined && (!DATE.test(v) || Number.isNaN(Date.parse(v))))
      throw new UsageError(`--${name} must be a date such as 2024-04-04, not '${v}'.`);
  }
  if (values.url !== undefined && !/^https?:\/\/\S+$/.test(values.url))
    throw new UsageError(`--url must be an http(s) URL, not '${values.url}'.`);
  if (values.kind !== undefined && !(SOURCE_KINDS as readonly string[]).includes(values.kind))
    throw new UsageError(`--kind must be one of ${SOURCE_KINDS.join(', ')}, not '${values.kind}'.`);
  if (values.import && values.server === undefined && values.db === undefined)
    throw new UsageError('--import needs a target: --server <base> (a running server) or --db <file>.');
  if (!values.import && (values.server !== undefined || values['dry-run']))
    throw new UsageError('--server and --dry-run go with --import.');
  if (values.server !== undefined && values.db !== undefined) throw new UsageError('Use --server or --db, not both.');
  for (const file of positionals) {
    const size = fileSize(file);
    if (size > EXTRACT_TEXT_MAX * 4)
      throw new UsageError(`${file}: ${size} bytes is too long for a briefing (at most ${EXTRACT_TEXT_MAX} characters).`);
  }
  return { ...values, help: false as const, files: positionals };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(`${(error as Error).message}\n(npm run extract -- --help for the options)`);
    throw error;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  // With a database, extraction reuses its actors, topics and sources, as the server's does.
  let archive: Archive | undefined;
  if (options.db) {
    const storage = await openStorage({ path: options.db });
    await storage.migrate();
    archive = await storage.extract.archive();
    // The archive is read whole up front; the import opens the file again for its own writes.
    const { actors, topics } = archive;
    const sources = new Map<string, ReturnType<NonNullable<Archive['sourceByUrl']>>>();
    if (options.url) sources.set(options.url, archive.sourceByUrl?.(options.url));
    await storage.close();
    archive = { actors, topics, sourceByUrl: (url) => sources.get(url) };
  }

  const written: string[] = [];
  let failed = 0;
  options.files.forEach((file, i) => {
    process.stderr.write(`[${i + 1}/${options.files.length}] ${file}: extracting…\n`);
    let text: string;
    try {
      text = strictUtf8.decode(readFileSync(file));
    } catch {
      console.log(`${file}: not UTF-8 text; skipped.`);
      failed++;
      return;
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mark binary data.
    if (/[\u0000-\u0008\u000E-\u001F]/.test(text)) {
      console.log(`${file}: holds control characters, so it is not a text; skipped.`);
      failed++;
      return;
    }
    const started = performance.now();
    const result = extract(
      {
        text: text.trim(),
        format: options.format as ExtractFormat,
        source: {
          title: options.title,
          publisher: options.publisher,
          url: options.url,
          publishedOn: options['published-on'],
          kind: options.kind as SourceKind | undefined,
        },
        statedOn: options['stated-on'],
        spokesperson: options.spokesperson,
      },
      archive,
    );
    const ms = performance.now() - started;
    const out = join(options.out ?? dirname(file), `${basename(file, extname(file))}.bundle.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result.bundle, null, 2)}\n`);
    written.push(out);
    const { statements, actors } = result.bundle;
    const quotes = statements.filter((s) => s.kind === 'quote').length;
    console.log(
      `${file} → ${out}: ${result.format}, ${statements.length} statement(s) (${quotes} quote(s), ${statements.length - quotes} paraphrase(s)), ` +
        `${actors.length} speaker(s), ${result.warnings.length} warning(s), in ${ms.toFixed(0)} ms`,
    );
    for (const w of result.warnings) console.log(`  ${w.code}${w.at === null ? '' : ` at ${w.at}`}: ${w.message}`);
  });

  if (!options.import || written.length === 0) return failed ? 1 : 0;
  const target = options.db ? ['--db', options.db] : ['--url', options.server as string, ...(options.key ? ['--key', options.key] : [])];
  const code = await importMain([...target, ...(options['dry-run'] ? ['--dry-run'] : []), ...written]);
  return failed ? 1 : code;
}

runAsScript(main);
