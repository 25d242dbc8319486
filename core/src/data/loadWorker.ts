/**
 * Worker-thread entry: parses one byte range of an NDJSON or CSV sample file (starting at a line
 * start), or a run of row groups of a Parquet file, into a partial builder and posts it back (typed
 * arrays transferred, not copied). Lines in an NDJSON or CSV partial are relative to the range (the
 * main thread adds the offset when merging); a Parquet row's line is its row number in the file.
 */
import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';
import { parentPort, workerData } from 'worker_threads';
import type { DataView } from '../dataview/model';
import { DatasetBuilder } from './build';
import { CsvParser, CsvRowReader } from './csv';
import { NdjsonParser } from './ndjson';
import { type BetweenElements, jsonArrayLoader } from './jsonArray';
import type { RowGroupRange } from './parquet';
import type { ByteChunkParser } from './parser';

/** What the main thread passes as `workerData`. */
export interface RangeJob {
  dataView: DataView;
  fileIndex: number;
  /** Byte range [start, end) of the file. */
  start: number;
  end: number;
  chunkBytes: number;
  /** CSV ranges after the first: the file's header row (the first range reads it itself). */
  csvHeader?: string[];
  /** Parquet: the row groups to read (`start` and `end` are then unused). */
  rowGroups?: RowGroupRange;
  /**
   * JSON arrays: where the stretch starts (absent for the first, which starts at the file's start)
   * and where it must end for the next stretch to start right (absent for the last).
   */
  json?: { startsIn?: BetweenElements; endsIn?: BetweenElements };
}

/** Messages posted to the main thread. */
export type WorkerMessage =
  | { type: 'progress'; bytes: number; rows: number }
  /**
   * `lines`: physical lines read. `complete`: the range ended where a row ends; a CSV range that
   * ends inside a quoted field was cut in the wrong place, and so was the next one's start.
   */
  | { type: 'done'; bytes: number; lines: number; complete: boolean; partial: ReturnType<DatasetBuilder['exportPartial']> }
  | { type: 'error'; message: string };

async function run(job: RangeJob): Promise<void> {
  const builder = new DatasetBuilder(job.dataView);
  const { bytes, lines, complete } = job.rowGroups ? await parquetRange(builder, job, job.rowGroups) : await byteRange(builder, job);
  const partial = builder.exportPartial();
  const transfer: ArrayBuffer[] = [partial.personStart.buffer, partial.timestamps.buffer, partial.sessionCodes.buffer, partial.lines.buffer] as ArrayBuffer[];
  for (const c of partial.codes) if (c) transfer.push(c.buffer as ArrayBuffer);
  for (const c of partial.numbers) if (c) transfer.push(c.buffer as ArrayBuffer);
  parentPort!.postMessage({ type: 'done', bytes, lines, complete, partial } satisfies WorkerMessage, transfer);
}

async function byteRange(builder: DatasetBuilder, job: RangeJob): Promise<{ bytes: number; lines: number; complete: boolean }> {
  const file = job.dataView.files[job.fileIndex];
  const range = file.format === 'csv' ? csvRange(builder, job) : file.format === 'json' ? jsonRange(builder, job) : ndjsonRange(builder, job);
  let bytes = 0;
  if (job.end > job.start) {
    const stream = fs.createReadStream(file.path, { start: job.start, end: job.end - 1, highWaterMark: job.chunkBytes });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      range.parser.push(chunk);
      post({ type: 'progress', bytes, rows: range.parser.rows });
    }
  }
  return { bytes, ...range.finish() };
}

async function parquetRange(builder: DatasetBuilder, job: RangeJob, groups: RowGroupRange): Promise<{ bytes: number; lines: number; complete: boolean }> {
  const file = job.dataView.files[job.fileIndex];
  // Loaded here, not at the top: the Parquet reader takes 50–75 ms to load, which the far more
  // common NDJSON, CSV and JSON workers should not pay at start-up.
  const { loadParquetFile } = await import('./parquet');
  const read = await loadParquetFile(builder, job.dataView, file, 0, (r) => post({ type: 'progress', bytes: r.bytes, rows: r.rows }), undefined, groups);
  return { bytes: read.bytes, lines: read.rows, complete: true };
}

/** A format parser over one range of a file, and how the range ends. */
interface RangeParser {
  parser: Pick<ByteChunkParser, 'push' | 'rows'>;
  /** Ends the range: the physical lines read, and whether the range ended where a row ends. */
  finish(): { lines: number; complete: boolean };
}

function ndjsonRange(builder: DatasetBuilder, job: RangeJob): RangeParser {
  const file = job.dataView.files[job.fileIndex];
  const parser = new NdjsonParser(builder, job.dataView, file.identity, file.path, 0);
  return {
    parser,
    finish: () => {
      parser.end();
      return { lines: parser.rows, complete: true };
    },
  };
}

function jsonRange(builder: DatasetBuilder, job: RangeJob): RangeParser {
  const file = job.dataView.files[job.fileIndex];
  const parser = jsonArrayLoader(builder, job.dataView, file, 0, job.json?.startsIn);
  return {
    parser,
    finish: () => {
      const endsIn = job.json?.endsIn;
      // A stretch before another must end between two elements, as the next one assumed it starts;
      // only the last one ends the file (and words what is unfinished).
      if (endsIn) return { lines: parser.lineBreaks, complete: parser.endsBetween(endsIn) };
      parser.end();
      return { lines: parser.lineBreaks, complete: true };
    },
  };
}

function csvRange(builder: DatasetBuilder, job: RangeJob): RangeParser {
  const file = job.dataView.files[job.fileIndex];
  const reader = new CsvRowReader(builder, job.dataView, file.identity, file.path, 0);
  if (job.csvHeader) reader.useHeader(job.csvHeader);
  const csv = new CsvParser(reader);
  const decoder = new StringDecoder('utf8');
  return {
    parser: {
      push: (chunk) => csv.push(decoder.write(chunk)),
      get rows() {
        return csv.rows;
      },
    },
    finish: () => {
      csv.push(decoder.end());
      const complete = !csv.pending;
      csv.end();
      return { lines: csv.lines, complete };
    },
  };
}

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

if (parentPort) {
  run(workerData as RangeJob).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
}
