// The real API process (`node --import tsx src/server.ts`) for tests that need more than one, or a restart:
// started on a port of its choosing, on the database the environment given names, ready once /ready says 200.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const ROOT = new URL('../', import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  /** The log lines so far, for failure messages. */
  log: string[];
  /** Ends the process (SIGKILL when it has not exited after SIGTERM within a few seconds). */
  stop(): Promise<void>;
}

/** `env` names the database (DATABASE_URL, or DATABASE_PATH with DATABASE_URL: ''), and anything else to set. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SEED: 'false', RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exit;
    clearTimeout(timer);
  };
  const port = await new Promise<number>((resolve, reject) => {
    // Every line is read, always: a server whose stdout pipe is full blocks on its next log line.
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => {
        log.push(line);
        const found = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1];
        if (found) resolve(Number(found));
      });
    }
    exit.then(() => reject(new Error(`the server exited with ${child.exitCode}:\n${log.join('\n')}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  // The load shedder judges the event loop over the last second, which may hold the start-up work: wait for a 200.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${base}/ready`).catch(() => undefined))?.status === 200) return { child, base, log, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`/ready did not answer 200 within 30 s:\n${log.slice(-20).join('\n')}`);
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A JSON request with the key given (if any); the parsed answer. */
export async function send(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}
