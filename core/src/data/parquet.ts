/**
 * Parquet sample files, read with hyparquet (pure JavaScript, no native code) one row group at a
 * time, so memory holds one row group's rows, never the file. Only the top-level columns that the
 * data view's field paths start with are decoded. Rows become plain objects (struct columns nest,
 * INT64 values are BigInts, timestamps and dates are Dates) and are read by the ObjectRowReader,
 * like JSON rows; a row's "line" is its 1-based row number in the file.
 */
import * as fs from 'fs';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { DataView, SampleFile } from '../dataview/model';
import { type DatasetBuilder, ObjectRowReader } from './build';

export interface ParquetRead {
  /** Bytes of the row groups read (compressed, as stored). */
  bytes: number;
  rows: number;
}

/**
 * Adds the rows of one Parquet file to `builder`. A file that is not readable Parquet, or a row
 * group that cannot be decoded, becomes a warning; the rest still loads. Stops at the builder's
 * row limit; aborting rejects with the signal's reason.
 */
export async function loadParquetFile(
  builder: DatasetBuilder,
  dataView: DataView,
  file: SampleFile,
  source: number,
  onProgress: (read: ParquetRead) => void,
  signal: AbortSignal | undefined,
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
    await readRowGroups(builder, dataView, file, source, buffer, metadata, read, onProgress, signal);
    return read;
  } finally {
    await handle.close();
  }
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
  read: ParquetRead,
  onProgress: (read: ParquetRead) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  const columns = [...new Set(wantedFields(dataView, file).flatMap((f) => [f, f.split('.')[0]]))].filter((name) => present.has(name));
  const reader = new ObjectRowReader(builder, dataView, file.identity, file.path, source);
  let rowStart = 0;
  for (let g = 0; g < metadata.row_groups.length && !builder.truncated; g++) {
    signal?.throwIfAborted();
    const group = metadata.row_groups[g];
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[] | undefined;
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, columns, rowStart, rowEnd, compressors });
    } catch (e) {
      builder.warn(file.path, rowStart + 1, `row group ${g + 1} (rows ${rowStart + 1}–${rowEnd}) cannot be read (${(e as Error).message}); its rows skipped`);
    }
    for (let i = 0; rows && i < rows.length && !builder.truncated; i++) reader.read(rows[i], rowStart + i + 1);
    read.rows = rowEnd;
    read.bytes += Number(group.total_compressed_size ?? group.total_byte_size);
    onProgress(read);
    rowStart = rowEnd;
  }
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
