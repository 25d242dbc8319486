/**
 * Parquet sample files, read with hyparquet (pure JavaScript, no native code) one row group at a
 * time, so memory holds one row group's columns, never the file. Only the top-level columns that
 * the data view's field paths start with are decoded, column by column; each row is then handed to
 * the ObjectRowReader like a JSON row (struct columns nest, INT64 values are BigInts, timestamps
 * and dates are Dates). A row's "line" is its 1-based row number in the file.
 */
import * as fs from 'fs';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type ColumnData, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { DataView, SampleFile } from '../dataview/model';
import { MAX_ROW_DEPTH, nestingMessage } from '../jsonNesting';
import { type DatasetBuilder, ObjectRowReader } from './build';

export interface ParquetRead {
  /** Bytes of the row groups read (compressed, as stored). */
  bytes: number;
  rows: number;
}

/** Row groups [first, end) of a file, for a worker that reads part of it. */
export interface RowGroupRange {
  first: number;
  end: number;
}

/**
 * The rows of each row group of a Parquet file, from its footer; undefined when the file cannot be
 * read as Parquet (the sequential reader then words the warning).
 */
export async function parquetRowGroups(path: string): Promise<number[] | undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const metadata = await parquetMetadataAsync(await fileSlices(handle));
    return metadata.row_groups.map((g) => Number(g.num_rows));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Adds the rows of one Parquet file (or of its row groups `groups`) to `builder`. A file that is
 * not readable Parquet, or a row group that cannot be decoded, becomes a warning; the rest still
 * loads. A row's line is its row number in the whole file. Stops at the builder's row limit;
 * aborting rejects with the signal's reason.
 */
export async function loadParquetFile(
  builder: DatasetBuilder,
  dataView: DataView,
  file: SampleFile,
  source: number,
  onProgress: (read: ParquetRead) => void,
  signal: AbortSignal | undefined,
  groups?: RowGroupRange,
): Promise<ParquetRead> {
  const read: ParquetRead = { bytes: 0, rows: 0 };
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file.path, 'r');
  } catch (e) {
    builder.warn(file.path, 0, `sample file cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); skipped`);
    return read;
  }
  try {
    const buffer = await fileSlices(handle);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (e) {
      builder.warn(file.path, 0, `not a readable Parquet file (${(e as Error).message}); skipped`);
      return read;
    }
    if (schemaDepth(metadata) > MAX_ROW_DEPTH) {
      builder.warn(file.path, 0, `schema ${nestingMessage(MAX_ROW_DEPTH)}; file skipped`);
      return read;
    }
    await readRowGroups(builder, dataView, file, source, buffer, metadata, groups ?? { first: 0, end: metadata.row_groups.length }, read, onProgress, signal);
    return read;
  } finally {
    await handle.close();
  }
}

/**
 * How deep the file's columns nest (1: flat), from the flattened schema list without recursion:
 * hyparquet builds its schema tree and nested values recursively, so a deeper file is refused first.
 */
export function schemaDepth(metadata: FileMetaData): number {
  // Open groups: how many children each still expects; the root is schema[0].
  const open: number[] = [];
  let deepest = 0;
  for (const element of metadata.schema) {
    while (open.length && open[open.length - 1] === 0) open.pop();
    if (open.length) open[open.length - 1]--;
    const children = element.num_children ?? 0;
    if (children > 0) {
      open.push(children);
      deepest = Math.max(deepest, open.length);
    }
  }
  return deepest;
}

/** Reads the file's bytes on demand, through one open handle. */
async function fileSlices(handle: fs.promises.FileHandle): Promise<AsyncBuffer> {
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(Math.max(0, end - start));
      let at = 0;
      while (at < bytes.length) {
        const { bytesRead } = await handle.read(bytes, at, bytes.length - at, start + at);
        if (bytesRead === 0) throw new Error(`file ended at byte ${start + at}`);
        at += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

async function readRowGroups(
  builder: DatasetBuilder,
  dataView: DataView,
  file: SampleFile,
  source: number,
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  groups: RowGroupRange,
  read: ParquetRead,
  onProgress: (read: ParquetRead) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  const columns = [...new Set(wantedFields(dataView, file).flatMap((f) => [f, f.split('.')[0]]))].filter((name) => present.has(name));
  const reader = new ObjectRowReader(builder, dataView, file.identity, file.path, source);
  let rowStart = 0;
  for (let g = 0; g < groups.first; g++) rowStart += Number(metadata.row_groups[g].num_rows);
  const firstRow = rowStart;
  for (let g = groups.first; g < Math.min(groups.end, metadata.row_groups.length) && !builder.truncated; g++) {
    signal?.throwIfAborted();
    const group = metadata.row_groups[g];
    const rowEnd = rowStart + Number(group.num_rows);
    let groupColumns: Map<string, ArrayLike<unknown>> | undefined;
    try {
      groupColumns = await readColumns(buffer, metadata, columns, rowStart, rowEnd);
    } catch (e) {
      builder.warn(file.path, rowStart + 1, `row group ${g + 1} (rows ${rowStart + 1}–${rowEnd}) cannot be read (${(e as Error).message}); its rows skipped`);
    }
    if (groupColumns) {
      // One object reused for every row: the reader copies what it keeps, and no row object is made.
      const names = [...groupColumns.keys()];
      const values = names.map((n) => groupColumns.get(n)!);
      const row: Record<string, unknown> = {};
      for (let i = 0; i < rowEnd - rowStart && !builder.truncated; i++) {
        for (let c = 0; c < names.length; c++) row[names[c]] = values[c][i];
        reader.read(row, rowStart + i + 1);
      }
    }
    read.rows = rowEnd - firstRow;
    read.bytes += Number(group.total_compressed_size ?? group.total_byte_size);
    onProgress(read);
    rowStart = rowEnd;
  }
}

/**
 * The decoded values of `columns` (top-level names; structs as objects) for rows [rowStart, rowEnd),
 * each as one array indexed from rowStart.
 */
async function readColumns(file: AsyncBuffer, metadata: FileMetaData, columns: string[], rowStart: number, rowEnd: number): Promise<Map<string, ArrayLike<unknown>>> {
  const chunks = new Map<string, ColumnData[]>(columns.map((c) => [c, []]));
  // parquetRead settles after every chunk has been handed to onChunk.
  await parquetRead({ file, metadata, columns, rowStart, rowEnd, compressors, onChunk: (chunk) => chunks.get(chunk.columnName)?.push(chunk) });
  const out = new Map<string, ArrayLike<unknown>>();
  for (const [name, parts] of chunks) {
    parts.sort((a, b) => a.rowStart - b.rowStart);
    if (parts.length === 1 && parts[0].rowStart === rowStart && parts[0].rowEnd === rowEnd) {
      out.set(name, parts[0].columnData);
    } else {
      const values = new Array<unknown>(rowEnd - rowStart);
      for (const part of parts) for (let i = 0; i < part.columnData.length; i++) values[part.rowStart - rowStart + i] = part.columnData[i];
      out.set(name, values);
    }
  }
  return out;
}

/** Every field path the loader reads for `file`. */
function wantedFields(dataView: DataView, file: SampleFile): string[] {
  const fields = [file.identity.personField, dataView.timestampField];
  if (file.identity.namespaceField) fields.push(file.identity.namespaceField);
  if (dataView.sessionField) fields.push(dataView.sessionField);
  for (const d of dataView.dimensions) fields.push(d.field || d.name);
  for (const m of dataView.metrics) fields.push(m.field || m.name);
  return fields;
}
