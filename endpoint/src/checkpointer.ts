import * as fs from 'fs';
import * as path from 'path';
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import BetterSqlite3 from 'better-sqlite3';

/**
 * WAL checkpoints off the request thread. A checkpoint copies the WAL's pages into the database
 * file and fsyncs it; done by SQLite's auto-checkpoint it runs inside whichever request committed
 * last and, with batch after batch, held that request (and every one queued behind it) for
 * hundreds of milliseconds. This thread runs `wal_checkpoint(PASSIVE)` every `everyMs` on its own
 * connection: it never waits for a reader or the writer and skips what they still need.
 */
interface CheckpointJob {
  dbPath: string;
  everyMs: number;
}

const WORKER_SCRIPT = path.join(__dirname, 'checkpointer.js');

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts the thread, or returns undefined when its script is not there (SQLite's auto-checkpoint then stays on). */
export function startCheckpointer(dbPath: string, everyMs = 200): Checkpointer | undefined {
  if (!fs.existsSync(WORKER_SCRIPT)) return undefined;
  // Not unref'd: like the HTTP server it keeps the process alive until the endpoint closes, and
  // close() waits for it to end, so nothing runs after the database is closed.
  const worker = new Worker(WORKER_SCRIPT, { workerData: { dbPath, everyMs } satisfies CheckpointJob });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  return {
    stop: async () => {
      worker.postMessage('stop');
      await exited;
    },
  };
}

if (!isMainThread && parentPort && (workerData as CheckpointJob | undefined)?.everyMs) {
  const job = workerData as CheckpointJob;
  const db = new BetterSqlite3(job.dbPath);
  db.pragma('busy_timeout = 0');
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or closing: the next turn tries again.
    }
  }, job.everyMs);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    db.close();
    parentPort?.close();
  });
}
