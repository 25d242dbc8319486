/** The contract between the file streamer and the per-format parsers. */

/** A format parser fed decoded text chunks in order, then `end()` once (CSV). */
export interface ChunkParser {
  push(text: string): void;
  end(): void;
  /** Rows (records/lines/elements) seen so far, for progress. */
  readonly rows: number;
}

/** A format parser fed the file's bytes in order, then `end()` once (NDJSON, JSON array; text parsers behind a decoder). */
export interface ByteChunkParser {
  push(chunk: Buffer): void;
  end(): void;
  /** Rows (records/lines/elements) seen so far, for progress. */
  readonly rows: number;
}
