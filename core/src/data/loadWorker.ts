/**
 * Worker-thread entry: parses one byte range of an NDJSON sample file (starting at a line start)
 * into a partial builder and posts it back (typed arrays transferred, not copied). Lines in the
 * partial are relative to the range; the main thread adds the offset when merging.
 */
import * as fs from 'fs';
import { parentPort, workerData } from 'worker_threads';
import type { DataView } from '../dataview/model';
import { DatasetBuilder } from './build';
import { NdjsonParser } from './ndjson';

/** What the main thread passes as `workerData`. */
export interface RangeJob {
  dataView: DataView;
  fileIndex: number;
  /** Byte range [start, end) of the file. */
  start: number;
  end: number;
  chunkBytes: number;
}

/** Messages posted to the main thread. */
export type WorkerMessage =
  | { type: 'progress'; bytes: number; rows: number }
  | { type: 'done'; bytes: number; lines: number; partial: ReturnType<DatasetBuilder['exportPartial']> }
  | { type: 'error'; message: string };

async function run(job: RangeJob): Promise<void> {
  const file = job.dataView.files[job.fileIndex];
  const builder = new DatasetBuilder(job.dataView);
  const parser = new NdjsonParser(builder, job.dataView, file.identity, file.path, 0);
  let bytes = 0;
  if (job.end > job.start) {
    const stream = fs.createReadStream(file.path, { start: job.start, end: job.end - 1, highWaterMark: job.chunkBytes });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      parser.push(chunk);
      post({ type: 'progress', bytes, rows: parser.rows });
    }
  }
  parser.end();
  const partial = builder.exportPartial();
  const transfer: ArrayBuffer[] = [partial.personStart.buffer, partial.timestamps.buffer, partial.sessionCodes.buffer, partial.lines.buffer] as ArrayBuffer[];
  for (const c of partial.codes) if (c) transfer.push(c.buffer as ArrayBuffer);
  for (const c of partial.numbers) if (c) transfer.push(c.buffer as ArrayBuffer);
  parentPort!.postMessage({ type: 'done', bytes, lines: parser.rows, partial } satisfies WorkerMessage, transfer);
}

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

if (parentPort) {
  run(workerData as RangeJob).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
}
