/**
 * Newline-delimited JSON, fed in byte chunks: one JSON object per line; blank lines are ignored.
 * Only the unfinished tail of the last chunk is kept between chunks.
 *
 * Each line is first offered to the RowScanner, which reads the data view's fields straight from
 * the bytes; a line it does not take (see rowScanner.ts) is decoded and read with JSON.parse and
 * the ObjectRowReader, which also words the warning for a line that is not valid JSON. A line nested
 * deeper than MAX_ROW_DEPTH is skipped with a warning before anything walks it.
 */
import type { DataView, Identity } from '../dataview/model';
import { type DatasetBuilder, ObjectRowReader } from './build';
import { jsonBytesTooDeep, MAX_ROW_DEPTH, nestingMessage } from '../jsonNesting';
import { RowScanner } from './rowScanner';

/** A line longer than this is reported and skipped instead of growing memory without bound. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export class NdjsonParser {
  /** The unfinished last line of the chunks so far (pieces, and their total length). */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private line = 0;
  /** True while skipping the rest of an over-long line. */
  private skipping = false;
  private readonly scanner: RowScanner;
  private readonly reader: ObjectRowReader;

  constructor(
    private readonly builder: DatasetBuilder,
    dataView: DataView,
    identity: Identity,
    private readonly file: string,
    source: number,
  ) {
    this.scanner = new RowScanner(builder, dataView, identity, file, source);
    this.reader = new ObjectRowReader(builder, dataView, identity, file, source);
  }

  /** Lines seen so far. */
  get rows(): number {
    return this.line;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      pos = nl + 1;
    } else if (this.carryBytes > 0) {
      // Look for the end of the carried line in the new chunk only, so a long line is not rescanned.
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.keepTail(chunk, 0);
        return;
      }
      this.carry.push(chunk.subarray(0, nl));
      const full = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.line++;
      this.parseLine(full, 0, full.length);
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) break;
      this.line++;
      this.parseLine(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.keepTail(chunk, pos);
  }

  private keepTail(chunk: Buffer, from: number): void {
    if (this.carryBytes + chunk.length - from > MAX_LINE_BYTES) {
      this.line++;
      this.builder.warn(this.file, this.line, `line longer than ${MAX_LINE_BYTES} bytes; skipped`);
      this.skipping = true;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    // A copy: the stream may reuse the chunk's memory.
    this.carry.push(Buffer.from(chunk.subarray(from)));
    this.carryBytes += chunk.length - from;
  }

  end(): void {
    if (this.carryBytes > 0 && !this.skipping) {
      const full = Buffer.concat(this.carry);
      this.line++;
      this.parseLine(full, 0, full.length);
    }
    this.carry = [];
    this.carryBytes = 0;
  }

  private parseLine(b: Buffer, start: number, end: number): void {
    if (end > start && b[end - 1] === 13) end--;
    let s = start;
    while (s < end && (b[s] === 32 || b[s] === 9 || b[s] === 13)) s++;
    if (s === end) return;
    if (this.scanner.read(b, s, end, this.line)) return;
    if (jsonBytesTooDeep(b, s, end, MAX_ROW_DEPTH)) {
      this.builder.warn(this.file, this.line, `${nestingMessage(MAX_ROW_DEPTH)}; row skipped`);
      return;
    }
    this.parseText(b.toString('utf8', s, end));
  }

  private parseText(text: string): void {
    // Blanks, including a byte order mark, before the row are not an error.
    let s = 0;
    while (s < text.length) {
      const c = text.charCodeAt(s);
      if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) break;
      s++;
    }
    if (s === text.length) return;
    let value: unknown;
    try {
      value = JSON.parse(s === 0 ? text : text.slice(s));
    } catch (e) {
      this.builder.warn(this.file, this.line, `invalid JSON: ${(e as Error).message}; line skipped`);
      return;
    }
    this.reader.read(value, this.line);
  }
}
