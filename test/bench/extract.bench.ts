// `npm run bench:extract`: extraction on every briefing in ../shared/briefings/texts, scored by its score.mjs against
// the gold annotations; writes each bundle and the score table, and measures the speed on one core.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Archive, extract } from '../../src/modules/extract/extract.engine.js';

const root = resolve(import.meta.dirname, '../..');
const briefings = resolve(root, process.env.BRIEFINGS_DIR ?? '../shared/briefings');
const textsDir = join(briefings, 'texts');
const goldDir = join(briefings, 'gold');
// The bundles go to a git-ignored folder: they quote the briefings.
const outDir = join(root, 'test/bench/results/extract');
mkdirSync(outDir, { recursive: true });

// The product's own seed is the archive a fresh server holds: its actors and topics are there to be reused.
const seed = JSON.parse(readFileSync(join(root, 'seeds/fo-briefing-2024-04-04.json'), 'utf8'));
const archive: Archive = { actors: seed.actors ?? [], topics: seed.topics ?? [] };

const files = readdirSync(textsDir)
  .filter((f) => f.endsWith('.txt'))
  .sort();
const texts = files.map((f) => ({ file: f, text: readFileSync(join(textsDir, f), 'utf8') }));
for (const { file, text } of texts) {
  const result = extract({ text }, archive);
  writeFileSync(join(outDir, `${basename(file, '.txt')}.json`), `${JSON.stringify(result.bundle, null, 2)}\n`);
  const counts = `${result.bundle.statements.length} statements, ${result.warnings.length} warnings`;
  process.stdout.write(`${file}: ${result.format}, ${counts}\n`);
}

// Speed: the whole set again and again for at least two seconds, on this one thread. Measured in CPU time (user +
// system) as well as wall time: on a shared machine the wall clock also counts the time other processes had the core.
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
for (const { text } of texts) extract({ text }, archive);
let rounds = 0;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
let elapsed = 0;
while (elapsed < 2 || rounds < 3) {
  for (const { text } of texts) extract({ text }, archive);
  rounds++;
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
}
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const mbPerSecond = (bytes * rounds) / 1e6 / cpuSeconds;
const mbPerWallSecond = (bytes * rounds) / 1e6 / elapsed;

const scorer = await import(pathToFileURL(join(briefings, 'score.mjs')).href);
const { measures, perFile } = scorer.scoreAll(goldDir, outDir) as {
  measures: Record<string, number | null>;
  perFile: { file: string; kind: string; missed: string[]; spurious: string[]; speakerBad: string[] }[];
};
const targets = scorer.TARGETS as Record<string, number>;
const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const rows = Object.entries(targets).map(([name, target]) => {
  const v = measures[name] ?? null;
  return `| ${name} | ${pct(v)} | ${(target * 100).toFixed(0)} % | ${v !== null && v >= target ? 'met' : 'missed'} |`;
});
const table = [
  '| measure | score | target | |',
  '|---|---:|---:|---|',
  ...rows,
  `| speed (one core, CPU time) | ${mbPerSecond.toFixed(1)} MB/s | 1 MB/s | ${mbPerSecond >= 1 ? 'met' : 'missed'} |`,
  `| speed (wall clock, shared machine) | ${mbPerWallSecond.toFixed(1)} MB/s | | |`,
].join('\n');
const md = `# bench:extract\n\n${texts.length} texts, ${(bytes / 1024).toFixed(0)} KiB, from ../shared/briefings; Node ${process.version}.\n\n${table}\n`;
writeFileSync(join(root, 'test/bench/results/extract.md'), md);
// The README shows the latest table too (the extraction issue asks for it there): the bench rewrites the block
// between its markers, so the README never carries a table the bench did not write.
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const block = /(<!-- bench:extract -->\n)[\s\S]*?(<!-- \/bench:extract -->)/;
if (block.test(readme)) writeFileSync(readmePath, readme.replace(block, `$1${table}\n$2`));
// Counts only: the missed and spurious excerpts quote others' texts, which stay in ../shared (printed with --verbose).
const counts = perFile.map(({ missed, spurious, speakerBad, ...rest }) => rest);
writeFileSync(
  join(root, 'test/bench/results/extract.json'),
  `${JSON.stringify({ measures, mbPerSecond, mbPerWallSecond, bytes, perFile: counts }, null, 2)}\n`,
);
if (process.argv.includes('--verbose')) {
  for (const f of perFile) {
    for (const m of f.missed) process.stdout.write(`${f.file} missed: ${m}\n`);
    for (const m of f.spurious) process.stdout.write(`${f.file} spurious: ${m}\n`);
    for (const m of f.speakerBad) process.stdout.write(`${f.file} speaker: ${m}\n`);
  }
}
process.stdout.write(`\n${table}\n`);
