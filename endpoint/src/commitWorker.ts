import * as fs from 'fs';
import * as path from 'path';
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import { openDatabase } from './database';
import { commitIfReady } from './runs';

/**
 * The commit's thread. The request thread stays free while SQLite runs the commit's set
 * operations (sort the staged identities, intern them, diff against the membership, write it) in
 * one IMMEDIATE transaction on this thread's own connection: WAL readers go on seeing the
 * previous membership until it commits, a kill -9 leaves one or the other, and the request
 * thread's own writes meanwhile wait at most its busy timeout and answer 503 + Retry-After.
 */
interface CommitJob {
  dbPath: string;
  runSeq: number;
  batchCount: number;
  now: string;
}

/** Next to this file in `out/` and in `dist/` (scripts/build.mjs bundles it as dist/commitWorker.js). */
const WORKER_SCRIPT = path.join(__dirname, 'commitWorker.js');

/**
 * Commits run `runSeq` on a worker thread and resolves when its transaction ended (committed, or
 * nothing to do because the run is not ready). Resolves without committing when there is no worker
 * file or the worker failed; the caller's own transaction then decides.
 */
export function commitOnWorker(dbPath: string, runSeq: number, batchCount: number, now: Date): Promise<{ ok: boolean; message?: string }> {
  if (!fs.existsSync(WORKER_SCRIPT)) return Promise.resolve({ ok: false, message: 'no worker script' });
  const job: CommitJob = { dbPath, runSeq, batchCount, now: now.toISOString() };
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: job });
    let answer: { ok: boolean; message?: string } = { ok: false, message: 'worker ended without an answer' };
    worker.on('message', (m: { ok: boolean; message?: string }) => { answer = m; });
    worker.on('error', (e) => { answer = { ok: false, message: e.message }; });
    worker.on('exit', () => resolve(answer));
  });
}

if (!isMainThread && parentPort && typeof (workerData as CommitJob | undefined)?.runSeq === 'number') {
  const job = workerData as CommitJob;
  // Waits for the request thread's short writes rather than failing.
  const db = openDatabase(job.dbPath, { busyTimeoutMs: 600_000 });
  // Every row the commit writes comes from a join with its parent, so the per-row foreign-key
  // look-ups (a quarter of the commit) are skipped on this connection only.
  db.pragma('foreign_keys = OFF');
  try {
    commitIfReady(db, job.runSeq, job.batchCount, new Date(job.now));
    parentPort.postMessage({ ok: true });
  } catch (e) {
    parentPort.postMessage({ ok: false, message: (e as Error).message });
  } finally {
    db.close();
  }
}
