// WAL checkpoints on a connection of their own in a worker thread, so that the event loop never waits for one.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker: its own connection to the file, a PASSIVE checkpoint whenever the writer has committed since the
 * last one (never more often than every MIN_GAP_MS). PASSIVE neither waits for nor blocks the writer or the
 * readers: it copies what no reader still needs, and the writer restarts the log once all of it is copied.
 * Plain JavaScript evaluated as CommonJS, so that it runs alike under tsx and from the build; the driver's path
 * comes from the parent.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
let wanted = false, running = false, closing = false, last = 0;
function run() {
  if (running || !wanted || closing) return;
  const wait = last + workerData.minGapMs - Date.now();
  if (wait > 0) { running = true; setTimeout(() => { running = false; run(); }, wait); return; }
  wanted = false;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ failed: String(error && error.message || error) }); }
  last = Date.now();
  setImmediate(run);
}
parentPort.on('message', (message) => {
  if (message === 'commit') { wanted = true; run(); }
  else if (message === 'close') { closing = true; db.close(); parentPort.close(); }
});
`;

/** The least time between two checkpoints: a stream of small writes does not make one each. */
const MIN_GAP_MS = 50;

/**
 * Checkpoints a SQLite file in WAL mode off the event loop. SQLite's own automatic checkpoint runs inside the
 * COMMIT that crosses `wal_autocheckpoint` pages, on the committing connection: copying a large import's pages
 * into the file and syncing it held the event loop for tens of milliseconds a bundle. The writer turns that off
 * (`wal_autocheckpoint = 0`) and tells this one of each commit instead. Should the worker fail, the writer's
 * automatic checkpoint is turned back on, so the log never grows without bound.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private closed?: Promise<void>;

  constructor(path: string, onFailure: (error: unknown) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, minGapMs: MIN_GAP_MS } });
    // The worker must not keep a process alive that has nothing else to do (a CLI, a test).
    this.worker.unref();
    this.worker.on('message', (message: { failed?: string }) => {
      if (message.failed) onFailure(new Error(`WAL checkpoint failed: ${message.failed}`));
    });
    this.worker.on('error', onFailure);
    this.exited = new Promise((done) => this.worker.once('exit', () => done()));
  }

  /** After a commit of the writer: a checkpoint is due. */
  committed(): void {
    if (!this.closed) this.worker.postMessage('commit');
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
