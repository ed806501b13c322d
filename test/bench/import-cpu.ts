// `npm run bench:import-cpu -- [--size 100000] [--onto <db>] [--skip <bundles>]`: the CPU an HTTP import takes a
// statement, as the bench's import sends it (test/bench/archive.ts's bundles, one NDJSON request to POST /v1/imports),
// through app.inject in this process. `--onto`: into a copy of that database file instead of a new one, with
// `--skip`: the archive's first bundles are left out, those already in the file. The archive is that of skip × 1,000
// + size statements (its dates depend on its size): fill the file with the CLI's bulk load (`npm run import -- --db`)
// from the first `skip` lines of that archive's NDJSON. Prints one JSON line: wall time, the process's CPU, and the main thread's apart from the
// other threads' (the checkpointer's, V8's helpers). For A/B comparisons on a shared machine, where wall time says
// little: run the two versions in turn, several times (docs/performance.md, Imports).
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/app.js';
import { createKey } from '../../src/modules/keys/keys.service.js';
import { archiveBundles, STATEMENTS_PER_BUNDLE } from './archive.js';
import { numberOption } from './report.js';

const { values } = parseArgs({
  options: { size: { type: 'string', default: '100000' }, onto: { type: 'string' }, skip: { type: 'string', default: '0' } },
});
const size = numberOption('size', values.size);
const skip = numberOption('skip', values.skip, { min: 0 });

const lines: string[] = [];
let statements = 0;
for (const [i, bundle] of [...archiveBundles(size + skip * STATEMENTS_PER_BUNDLE)].entries()) {
  if (i < skip) continue;
  lines.push(JSON.stringify(bundle));
  statements += bundle.statements?.length ?? 0;
}
const body = `${lines.join('\n')}\n`;

const dir = mkdtempSync(join(tmpdir(), 'import-cpu-'));
const path = join(dir, 'db.db');
if (values.onto) copyFileSync(values.onto, path);
const app = await buildApp({ databasePath: path, logLevel: 'warn', authDisabled: false, seed: false });
try {
  const key = await createKey(app.storage, 'bench');
  const threadsBefore = threadCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: '/v1/imports',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    payload: body,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const threads = [...threadCpuMs()].map(([tid, ms]) => [tid, ms - (threadsBefore.get(tid) ?? 0)] as const);
  const summary = JSON.parse(res.body.trim().split('\n').at(-1) ?? '{}');
  if (res.statusCode !== 200 || summary.status !== 'done' || summary.failed !== 0) throw new Error(`the import: ${res.body.slice(-1000)}`);
  const main = threads.find(([tid]) => tid === String(process.pid))?.[1] ?? 0;
  const perStatement = (ms: number) => Math.round((ms * 1000) / statements);
  console.log(
    JSON.stringify({
      statements,
      seconds: Number(seconds.toFixed(2)),
      perSecond: Math.round(statements / seconds),
      cpuUsPerStatement: perStatement((cpu.user + cpu.system) / 1000),
      sysUsPerStatement: perStatement(cpu.system / 1000),
      mainThreadUsPerStatement: perStatement(main),
      otherThreadsMs: threads
        .filter(([tid, ms]) => tid !== String(process.pid) && ms > 0)
        .map(([, ms]) => ms)
        .sort((a, b) => b - a),
    }),
  );
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Each thread's CPU time so far (user and system), in ms, from /proc (Linux); empty elsewhere. */
function threadCpuMs(): Map<string, number> {
  const times = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return times;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The fields after the command name (which may hold spaces), from the state on: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // In clock ticks, a hundredth of a second on Linux.
      times.set(tid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return times;
}
