// WAL checkpoints on a connection of their own in a worker thread, so that the event loop never waits for one.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker: its own connection to the file, and a PASSIVE checkpoint for the commits it is told of. PASSIVE
 * neither waits for nor blocks the writer or the readers: it copies what no reader still needs. Requests that
 * arrive while one runs are answered by the next; an urgent one runs at once, the others at most every
 * `minGapMs`. Each run answers `{ done, log }`: the last request it covers, and the log's length in pages.
 * Plain JavaScript evaluated as CommonJS, so that it runs alike under tsx and from the build; the driver's path
 * comes from the parent.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
let asked = 0, done = 0, urgent = false, timer = null, closing = false, last = 0;
function run() {
  timer = null;
  if (closing || asked === done) return;
  const wait = urgent ? 0 : last + workerData.minGapMs - Date.now();
  if (wait > 0) { timer = setTimeout(run, wait); return; }
  const covers = asked;
  urgent = false;
  let log = 0, failed;
  try { log = db.pragma('wal_checkpoint(PASSIVE)')[0].log; } catch (error) { failed = String((error && error.message) || error); }
  last = Date.now();
  done = covers;
  parentPort.postMessage({ done, log, failed });
  schedule();
}
function schedule() { if (!timer) timer = setTimeout(run, 0); }
parentPort.on('message', (message) => {
  if (message === 'close') { closing = true; if (timer) clearTimeout(timer); db.close(); parentPort.close(); return; }
  asked = message.seq;
  if (message.urgent) { urgent = true; if (timer) clearTimeout(timer); timer = null; }
  schedule();
});
`;

/** The least time between two checkpoints nobody waits for: a stream of small writes does not make one each. */
const MIN_GAP_MS = 50;

/**
 * Checkpoints a SQLite file in WAL mode off the event loop. SQLite's own automatic checkpoint runs inside the
 * COMMIT that crosses `wal_autocheckpoint` pages, on the committing connection: copying a large import's pages
 * into the file and syncing it held the event loop for tens of milliseconds a bundle. The writer turns that off
 * (`wal_autocheckpoint = 0`) and tells this one of each commit instead.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private closed?: Promise<void>;
  private asked = 0;
  /** Who waits for the checkpoint covering request `seq`. */
  private readonly waiting: { seq: number; done: () => void }[] = [];
  /** The log's length in pages, as the last checkpoint found it. */
  logPages = 0;

  constructor(path: string, onFailure: (error: unknown) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, minGapMs: MIN_GAP_MS } });
    // Idle, the worker must not keep a process alive that has nothing else to do (a CLI, a test).
    this.worker.unref();
    this.worker.on('message', (message: { done: number; log: number; failed?: string }) => {
      this.logPages = message.log;
      this.release(message.done);
      if (message.failed) onFailure(new Error(`WAL checkpoint failed: ${message.failed}`));
    });
    this.worker.on('error', onFailure);
    this.exited = new Promise((done) =>
      this.worker.once('exit', () => {
        // Nobody may wait for a checkpoint that will never come.
        this.release(Number.POSITIVE_INFINITY);
        done();
      }),
    );
  }

  /**
   * After a commit of the writer: a checkpoint is due. `urgent`: run it now, not after the gap. The promise
   * settles once a checkpoint begun after this call has run (or the worker is gone); it never rejects.
   */
  committed(urgent = false): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.asked += 1;
    const seq = this.asked;
    this.worker.postMessage({ seq, urgent });
    // Referenced while a checkpoint is due: a process awaiting it (a CLI's next bundle) must not end first.
    this.worker.ref();
    return new Promise((done) => this.waiting.push({ seq, done }));
  }

  private release(upTo: number): void {
    while (this.waiting.length > 0 && (this.waiting[0] as { seq: number }).seq <= upTo) this.waiting.shift()?.done();
    if (this.waiting.length === 0 && !this.closed) this.worker.unref();
  }

  /** Closes the worker's connection (after the checkpoint in progress, if any) and ends the worker. */
  close(): Promise<void> {
    if (!this.closed) {
      // Held until it has exited: a process that awaits the close must not end first.
      this.worker.ref();
      this.worker.postMessage('close');
      this.closed = this.exited;
    }
    return this.closed;
  }
}
