/**
 * Parallel loading of one large NDJSON file: the file is cut into byte ranges at line starts,
 * each range is parsed by a worker thread (JSON.parse dominates the load time and is
 * single-threaded), and the partials are appended to the main builder in file order, so the
 * result is identical to a sequential load (same input order, lines, warnings).
 *
 * The worker script is `loadWorker.js` next to this module. A bundler that inlines this module
 * must also emit that entry point next to the bundle; when it is missing, or a worker fails, the
 * caller loads the file sequentially instead.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { DataView } from '../dataview/model';
import type { DatasetBuilder, PartialDataset } from './build';
import type { RangeJob, WorkerMessage } from './loadWorker';

export const WORKER_SCRIPT = path.join(__dirname, 'loadWorker.js');

/** Worker threads to use by default: one per available core, at most 8. */
export function defaultThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(8, cores));
}

export function workersAvailable(): boolean {
  return fs.existsSync(WORKER_SCRIPT);
}

/** Byte offsets that cut the file into `parts` ranges, each starting at a line start. */
export async function lineAlignedCuts(file: string, size: number, parts: number): Promise<number[]> {
  const cuts = [0];
  const handle = await fs.promises.open(file, 'r');
  try {
    const probe = Buffer.alloc(64 * 1024);
    for (let k = 1; k < parts; k++) {
      let pos = Math.max(cuts[cuts.length - 1], Math.floor((size * k) / parts));
      // Find the first '\n' at or after pos - 1: the cut is just after it.
      let at = Math.max(0, pos - 1);
      let cut = size;
      while (at < size) {
        const { bytesRead } = await handle.read(probe, 0, probe.length, at);
        if (bytesRead === 0) break;
        const nl = probe.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) {
          cut = at + nl + 1;
          break;
        }
        at += bytesRead;
      }
      pos = cut;
      if (pos > cuts[cuts.length - 1] && pos < size) cuts.push(pos);
    }
  } finally {
    await handle.close();
  }
  cuts.push(size);
  return cuts;
}

export interface ParallelProgress {
  bytes: number;
  rows: number;
}

/**
 * Parses `dataView.files[fileIndex]` with worker threads and appends the result to `builder`.
 * Resolves with the bytes and lines read, or undefined when a worker failed or the file holds more
 * than `maxEvents` events (the builder is then untouched, so the caller can load the file
 * sequentially instead). Rejects only on abort.
 */
export async function loadNdjsonInParallel(
  builder: DatasetBuilder,
  dataView: DataView,
  fileIndex: number,
  source: number,
  size: number,
  threads: number,
  chunkBytes: number,
  maxEvents: number,
  onProgress: (p: ParallelProgress) => void,
  signal: AbortSignal | undefined,
): Promise<ParallelProgress | undefined> {
  const file = dataView.files[fileIndex].path;
  const cuts = await lineAlignedCuts(file, size, threads);
  const ranges = cuts.length - 1;
  const bytes = new Array<number>(ranges).fill(0);
  const rows = new Array<number>(ranges).fill(0);
  const workers: Worker[] = [];
  const report = (): void => onProgress({ bytes: sum(bytes), rows: sum(rows) });
  const results = new Array<{ partial: PartialDataset; lines: number } | undefined>(ranges);
  const stopAll = (): void => {
    for (const w of workers) void w.terminate();
  };
  const onAbort = (): void => stopAll();
  signal?.addEventListener('abort', onAbort);
  try {
    const runs = Array.from({ length: ranges }, (_, r) => {
      const job: RangeJob = { dataView, fileIndex, start: cuts[r], end: cuts[r + 1], chunkBytes };
      return new Promise<boolean>((resolve) => {
        const worker = new Worker(WORKER_SCRIPT, { workerData: job });
        workers.push(worker);
        let settled = false;
        const settle = (ok: boolean): void => {
          if (settled) return;
          settled = true;
          resolve(ok);
        };
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'progress') {
            bytes[r] = m.bytes;
            rows[r] = m.rows;
            report();
          } else if (m.type === 'done') {
            bytes[r] = m.bytes;
            rows[r] = m.lines;
            results[r] = { partial: m.partial, lines: m.lines };
            settle(true);
            void worker.terminate();
          } else {
            settle(false);
          }
        });
        worker.on('error', () => settle(false));
        worker.on('exit', () => settle(results[r] !== undefined));
      });
    });
    const ok = (await Promise.all(runs)).every(Boolean);
    signal?.throwIfAborted();
    if (!ok) {
      stopAll();
      return undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (sum(results.map((r) => r!.partial.count)) > maxEvents) return undefined;
  let lineOffset = 0;
  for (const result of results) {
    builder.appendPartial(result!.partial, source, lineOffset);
    lineOffset += result!.lines;
  }
  report();
  return { bytes: sum(bytes), rows: lineOffset };
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
