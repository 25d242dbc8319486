/** The contract between the file streamer and the per-format parsers. */

/** Receives what a parser reads from one file. */
export interface RowSink {
  /** A parsed JSON row (NDJSON, JSON array) and the 1-based line it starts on. */
  row(value: unknown, line: number): void;
  /** A problem at a 1-based line (0 when not line-specific); the row is skipped. */
  warn(line: number, message: string): void;
}

/** A format parser fed decoded text chunks in order, then `end()` once (CSV, JSON array). */
export interface ChunkParser {
  push(text: string): void;
  end(): void;
  /** Rows (records/lines/elements) seen so far, for progress. */
  readonly rows: number;
}

/** A format parser fed the file's bytes in order, then `end()` once (NDJSON; text parsers behind a decoder). */
export interface ByteChunkParser {
  push(chunk: Buffer): void;
  end(): void;
  /** Rows (records/lines/elements) seen so far, for progress. */
  readonly rows: number;
}
