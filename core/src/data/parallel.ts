/**
 * Parallel loading of one large NDJSON or CSV file: the file is cut into byte ranges at line
 * starts, each range is parsed by a worker thread, and the partials are appended to the main
 * builder in file order, so the result is identical to a sequential load (same input order,
 * lines, warnings). A JSON array is cut at line starts too, and each stretch but the last reports
 * whether it ended between two elements (elements may span lines); as for CSV, one that did not
 * sends the file to the sequential reader. A Parquet file is cut between row groups instead.
 *
 * A CSV line start need not be a row start: a quoted field may hold line breaks. The first range
 * starts at the file's start, and a worker reports whether its range ended where a row ends; if
 * every range but the last did, every cut was at a row start (by induction from the first), and
 * otherwise the caller reads the file sequentially. The header row is read here and given to the
 * workers of the later ranges.
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
import type { BetweenElements } from './jsonArray';
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
 * Parses `dataView.files[fileIndex]` (NDJSON, CSV or a JSON array) with worker threads and appends
 * the result to `builder`. Resolves with the bytes and lines read, or undefined when a worker
 * failed, a CSV or JSON cut fell inside a row or element, or the file holds (or, estimated from
 * the length of its first lines, would hold) more than `maxEvents` events (the builder is then
 * untouched, so the caller can load the file sequentially instead).
 * Rejects only on abort.
 */
export async function loadInParallel(
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
  const format = dataView.files[fileIndex].format;
  // The head, read once, tells whether the file fits under a row limit, and its layout.
  const head = await readHead(file, size);
  if (maxEvents !== Infinity && estimateLines(head, size) > maxEvents) return undefined;
  let csvHeader: string[] | undefined;
  if (format === 'csv') {
    csvHeader = plainHeader(head);
    if (!csvHeader) return undefined;
  }
  let between: BetweenElements | undefined;
  if (format === 'json') {
    between = jsonLayout(head);
    if (!between) return undefined;
  }
  const cuts = await lineAlignedCuts(file, size, threads);
  const last = cuts.length - 2;
  const jobs = cuts.slice(0, -1).map((start, r): RangeJob => ({
    dataView, fileIndex, start, end: cuts[r + 1], chunkBytes,
    ...(r > 0 && csvHeader ? { csvHeader } : {}),
    ...(between ? { json: { ...(r > 0 ? { startsIn: between } : {}), ...(r < last ? { endsIn: between } : {}) } } : {}),
  }));
  const results = await runJobs(jobs, onProgress, signal);
  if (!results || results.slice(0, -1).some((r) => !r.complete)) return undefined;
  if (sum(results.map((r) => r.partial.count)) > maxEvents) return undefined;
  let lineOffset = 0;
  for (const result of results) {
    builder.appendPartial(result.partial, source, lineOffset);
    lineOffset += result.lines;
  }
  const read = { bytes: sum(results.map((r) => r.bytes)), rows: lineOffset };
  onProgress(read);
  return read;
}

/**
 * Reads a Parquet file's row groups with worker threads, each a contiguous run of groups of about
 * the same number of rows, and appends the result to `builder` in file order. `groupRows` is the
 * rows of each row group (from the footer). Resolves like `loadInParallel`.
 */
export async function loadParquetInParallel(
  builder: DatasetBuilder,
  dataView: DataView,
  fileIndex: number,
  source: number,
  groupRows: number[],
  threads: number,
  maxEvents: number,
  onProgress: (p: ParallelProgress) => void,
  signal: AbortSignal | undefined,
): Promise<ParallelProgress | undefined> {
  const jobs = rowGroupRuns(groupRows, threads).map((rowGroups): RangeJob => ({ dataView, fileIndex, start: 0, end: 0, chunkBytes: 0, rowGroups }));
  const results = await runJobs(jobs, onProgress, signal);
  if (!results || sum(results.map((r) => r.partial.count)) > maxEvents) return undefined;
  // A Parquet row's line is already its row number in the file.
  for (const result of results) builder.appendPartial(result.partial, source, 0);
  const read = { bytes: sum(results.map((r) => r.bytes)), rows: sum(results.map((r) => r.lines)) };
  onProgress(read);
  return read;
}

/** Cuts row groups into at most `parts` contiguous runs of about equal rows (none empty). */
export function rowGroupRuns(groupRows: number[], parts: number): Array<{ first: number; end: number }> {
  const total = sum(groupRows);
  const runs: Array<{ first: number; end: number }> = [];
  let first = 0;
  let rows = 0;
  for (let g = 0; g < groupRows.length; g++) {
    rows += groupRows[g];
    // Close the run once it reaches its share of the rows (the last run takes the rest).
    if (runs.length < parts - 1 && rows >= (total * (runs.length + 1)) / parts) {
      runs.push({ first, end: g + 1 });
      first = g + 1;
    }
  }
  if (first < groupRows.length) runs.push({ first, end: groupRows.length });
  return runs;
}

interface RangeResult {
  partial: PartialDataset;
  bytes: number;
  lines: number;
  complete: boolean;
}

/**
 * Runs one worker per job, reporting the summed progress; resolves with each job's result in job
 * order, or undefined when a worker failed. Rejects only on abort (every worker is stopped).
 */
async function runJobs(jobs: RangeJob[], onProgress: (p: ParallelProgress) => void, signal: AbortSignal | undefined): Promise<RangeResult[] | undefined> {
  const bytes = new Array<number>(jobs.length).fill(0);
  const rows = new Array<number>(jobs.length).fill(0);
  const workers: Worker[] = [];
  const report = (): void => onProgress({ bytes: sum(bytes), rows: sum(rows) });
  const results = new Array<RangeResult | undefined>(jobs.length);
  const stopAll = (): void => {
    for (const w of workers) void w.terminate();
  };
  const onAbort = (): void => stopAll();
  signal?.addEventListener('abort', onAbort);
  try {
    const runs = jobs.map((job, r) => new Promise<boolean>((resolve) => {
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
          results[r] = { partial: m.partial, bytes: m.bytes, lines: m.lines, complete: m.complete };
          settle(true);
          void worker.terminate();
        } else {
          settle(false);
        }
      });
      worker.on('error', () => settle(false));
      worker.on('exit', () => settle(results[r] !== undefined));
    }));
    const ok = (await Promise.all(runs)).every(Boolean);
    signal?.throwIfAborted();
    if (!ok) {
      stopAll();
      return undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return results as RangeResult[];
}

/** The first bytes of a file (256 KiB at most): what the checks before a parallel load look at. */
async function readHead(file: string, size: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const probe = Buffer.alloc(Math.min(size, 256 * 1024));
    const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
    return probe.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** About how many lines a file of `size` bytes has, from the length of the lines in its head. */
function estimateLines(head: Buffer, size: number): number {
  let lines = 0;
  for (let at = head.indexOf(10); at >= 0; at = head.indexOf(10, at + 1)) lines++;
  return lines === 0 ? 1 : Math.ceil((size * lines) / head.length);
}

/**
 * How a JSON file's elements sit: in an array (`[` first) or as concatenated objects (`{` first),
 * from its first non-blank byte (after a byte order mark) in the first 64 KiB; undefined for
 * anything else.
 */
function jsonLayout(head: Buffer): BetweenElements | undefined {
  const probe = head.subarray(0, 64 * 1024);
  let i = probe[0] === 0xef && probe[1] === 0xbb && probe[2] === 0xbf ? 3 : 0;
  while (i < probe.length && (probe[i] === 32 || probe[i] === 9 || probe[i] === 10 || probe[i] === 13)) i++;
  return probe[i] === 0x5b ? 'array' : probe[i] === 0x7b ? 'objects' : undefined;
}

/**
 * The header row of a CSV file when it is a plain first line (not blank, no quotes) within the first 64 KiB, split
 * as the CSV parser splits such a line; undefined otherwise.
 */
function plainHeader(head: Buffer): string[] | undefined {
  const nl = head.subarray(0, 64 * 1024).indexOf(10);
  if (nl < 0) return undefined;
  let text = head.toString('utf8', 0, nl);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  // A blank first line is skipped by the parser, so the header is on a later line: not plain.
  return text.length === 0 || text.includes('"') ? undefined : text.split(',');
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
