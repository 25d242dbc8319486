/**
 * Loads every sample file of a data view into one Dataset. Files are streamed in 1 MiB chunks and
 * parsed incrementally, so memory holds the columns being built plus one chunk, never a file's
 * text. Data problems become warnings; only cancellation rejects. A file that is missing,
 * unreadable, not a regular file or outside the policy's folders is not read at all and is listed
 * in the dataset's `unreadSources` (the evaluation refuses such a dataset). With `maxRows`, reading stops at the first event past the limit: the rest of that file
 * and the later files are not read.
 */
import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';
import type { DataView, SampleFile } from '../dataview/model';
import { DatasetBuilder } from './build';
import { CsvParser, CsvRowReader } from './csv';
import type { Dataset } from './dataset';
import { jsonArrayLoader } from './jsonArray';
import { NdjsonParser } from './ndjson';
import { defaultThreads, loadInParallel, loadParquetInParallel, workersAvailable } from './parallel';
import { loadParquetFile, parquetRowGroups } from './parquet';
import type { ByteChunkParser, ChunkParser } from './parser';
import { sourceProblem } from './sourceAccess';
import type { SourcePolicy } from './sourceAccess';

export interface LoadProgress {
  /** The file being read (absolute path). */
  file: string;
  /** Index of that file in `dataView.files`. */
  fileIndex: number;
  /** Bytes read so far over all files of the load. */
  bytesRead: number;
  /** Size of all (existing) files of the load. */
  totalBytes: number;
  /** Rows (lines, records, elements) read so far over all files, including skipped ones. */
  rows: number;
}

export interface LoadOptions {
  /** Called after every chunk (about 1 MiB) and once at the end of each file. */
  onProgress?(progress: LoadProgress): void;
  /** Aborting rejects the load with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Worker threads for large NDJSON and CSV files (default: one per core, at most 8); 1 loads
   * everything on the calling thread. The result is the same either way.
   */
  threads?: number;
  /** NDJSON and CSV files at least this large are parsed by workers (default 32 MiB). */
  parallelMinBytes?: number;
  /** Parquet files with at least this many rows, in several row groups, are read by workers (default 200,000). */
  parallelMinRows?: number;
  /**
   * Keep at most this many events: the first ones in data view file order, rows in file order.
   * Reading stops when the limit is passed and the dataset is marked `truncated`. Workers parse a
   * large NDJSON or CSV file under a limit only when its estimated row count (from the length of its first
   * lines) fits in what the limit leaves; should it hold more events after all, the workers'
   * result is dropped and the file is read sequentially up to the limit.
   */
  maxRows?: number;
  /** Confines the sample files (see `SourcePolicy`); without one any readable regular file is read. */
  policy?: SourcePolicy;
}

const CHUNK_BYTES = 1 << 20;
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** Parquet files with fewer rows are read on the calling thread (they compress too well for a byte threshold). */
const PARALLEL_MIN_ROWS = 200_000;

export async function loadDataView(dataView: DataView, options: LoadOptions = {}): Promise<Dataset> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const maxRows = options.maxRows === undefined ? undefined : Math.max(0, Math.floor(options.maxRows));
  const builder = new DatasetBuilder(dataView, undefined, maxRows);
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
  const minParallel = options.parallelMinBytes ?? PARALLEL_MIN_BYTES;
  const minParallelRows = options.parallelMinRows ?? PARALLEL_MIN_ROWS;
  const roots = options.policy?.rootsFor(dataView.uri);
  const sizes = await Promise.all(dataView.files.map((f) => statFile(f.path, roots, options.policy?.howToAllow)));
  const unread: Array<{ file: string; message: string }> = [];
  const totalBytes = sizes.reduce<number>((sum, s) => sum + (typeof s === 'number' ? s : 0), 0);
  let bytesBefore = 0;
  let rowsBefore = 0;
  for (let index = 0; index < dataView.files.length && !builder.truncated; index++) {
    const file = dataView.files[index];
    const size = sizes[index];
    if (typeof size === 'string') {
      builder.warn(file.path, 0, size);
      unread.push({ file: file.path, message: size });
      continue;
    }
    const source = builder.addSource(file.path);
    const room = maxRows === undefined ? Infinity : maxRows - builder.eventCount;
    if (file.format === 'parquet') {
      const progress = (p: { bytes: number; rows: number }): void =>
        onProgress?.({ file: file.path, fileIndex: index, bytesRead: bytesBefore + p.bytes, totalBytes, rows: rowsBefore + p.rows });
      // Row groups go to workers when there are several, enough rows, and all fit under the limit.
      const groups = threads > 1 && workersAvailable() ? await parquetRowGroups(file.path) : undefined;
      const rows = groups ? groups.reduce((a, b) => a + b, 0) : 0;
      const done = (groups && groups.length > 1 && rows >= minParallelRows && rows <= room
        ? await loadParquetInParallel(builder, dataView, index, source, groups, threads, room, progress, signal)
        : undefined) ?? await loadParquetFile(builder, dataView, file, source, progress, signal);
      bytesBefore += size;
      rowsBefore += done.rows;
      continue;
    }
    const splittable = file.format === 'ndjson' || file.format === 'csv' || file.format === 'json';
    if (splittable && threads > 1 && size >= minParallel && workersAvailable()) {
      const done = await loadInParallel(builder, dataView, index, source, size, threads, CHUNK_BYTES, room, (p) =>
        onProgress?.({ file: file.path, fileIndex: index, bytesRead: bytesBefore + p.bytes, totalBytes, rows: rowsBefore + p.rows }),
      signal);
      if (done) {
        bytesBefore += done.bytes;
        rowsBefore += done.rows;
        continue;
      }
    }
    const parser = createParser(builder, dataView, file, source);
    const report = (bytesRead: number): void =>
      onProgress?.({ file: file.path, fileIndex: index, bytesRead: bytesBefore + bytesRead, totalBytes, rows: rowsBefore + parser.rows });
    const read = await streamFile(file.path, parser, report, () => builder.truncated, signal);
    if (read.error) builder.warn(file.path, 0, `read error after ${read.bytes} bytes: ${read.error}; rest of the file skipped`);
    bytesBefore += read.bytes;
    report(0);
    rowsBefore += parser.rows;
  }
  signal?.throwIfAborted();
  const dataset = builder.finish();
  if (unread.length) dataset.unreadSources = unread;
  return dataset;
}

/** The file's size, or why it is not read. */
async function statFile(path: string, roots: string[] | undefined, howToAllow: string | undefined): Promise<number | string> {
  const problem = sourceProblem(path, roots, howToAllow);
  if (problem) return problem.message;
  try {
    return (await fs.promises.stat(path)).size;
  } catch (e) {
    return `Sample file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`;
  }
}

function createParser(builder: DatasetBuilder, dataView: DataView, file: SampleFile, source: number): ByteChunkParser {
  if (file.format === 'ndjson') return new NdjsonParser(builder, dataView, file.identity, file.path, source);
  if (file.format === 'csv') return decoding(new CsvParser(new CsvRowReader(builder, dataView, file.identity, file.path, source)));
  return jsonArrayLoader(builder, dataView, file, source);
}

/** A text parser fed through a UTF-8 decoder (which keeps a character split across chunks whole). */
function decoding(parser: ChunkParser): ByteChunkParser {
  const decoder = new StringDecoder('utf8');
  return {
    push: (chunk) => parser.push(decoder.write(chunk)),
    end: () => {
      parser.push(decoder.end());
      parser.end();
    },
    get rows() {
      return parser.rows;
    },
  };
}

interface StreamResult {
  bytes: number;
  error?: string;
}

/**
 * Feeds the file's bytes to `parser`; resolves with the bytes read (and any read error).
 * Stops reading, without ending the parser, as soon as `stop()` is true after a chunk.
 */
async function streamFile(path: string, parser: ByteChunkParser, report: (bytesRead: number) => void, stop: () => boolean, signal: AbortSignal | undefined): Promise<StreamResult> {
  const stream = fs.createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) {
        stream.destroy();
        signal.throwIfAborted();
      }
      bytes += chunk.length;
      parser.push(chunk);
      report(bytes);
      // Leaving the loop destroys the stream: the rest of the file is never read.
      if (stop()) return { bytes };
    }
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    parser.end();
    return { bytes, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
  parser.end();
  return { bytes };
}
