/**
 * Newline-delimited JSON, fed in text chunks: one JSON object per line; blank lines are ignored.
 * Only the unfinished tail of the last chunk is kept between chunks.
 */
import type { ChunkParser, RowSink } from './parser';

/** A line longer than this is reported and skipped instead of growing memory without bound. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export class NdjsonParser implements ChunkParser {
  private carry = '';
  private line = 0;
  /** True while skipping the rest of an over-long line. */
  private skipping = false;

  constructor(private readonly sink: RowSink) {}

  get rows(): number {
    return this.line;
  }

  push(text: string): void {
    let pos = 0;
    if (this.skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      this.skipping = false;
      pos = nl + 1;
    } else if (this.carry.length > 0) {
      // Look for the end of the carried line in the new text only, so a long line is not rescanned.
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.keepTail(this.carry + text);
        return;
      }
      const full = this.carry + text.slice(0, nl);
      this.carry = '';
      this.line++;
      this.parseLine(full, 0, full.length);
      pos = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      this.line++;
      this.parseLine(text, pos, nl);
      pos = nl + 1;
    }
    this.keepTail(pos === 0 ? text : text.slice(pos));
  }

  private keepTail(tail: string): void {
    if (tail.length > MAX_LINE_CHARS) {
      this.line++;
      this.sink.warn(this.line, `line longer than ${MAX_LINE_CHARS} characters; skipped`);
      this.skipping = true;
      this.carry = '';
    } else {
      this.carry = tail;
    }
  }

  end(): void {
    if (this.carry.length > 0 && !this.skipping) {
      this.line++;
      this.parseLine(this.carry, 0, this.carry.length);
    }
    this.carry = '';
  }

  private parseLine(buf: string, start: number, end: number): void {
    if (end > start && buf.charCodeAt(end - 1) === 13) end--;
    // Skip leading blanks cheaply; a blank line is not an error.
    let s = start;
    while (s < end) {
      const c = buf.charCodeAt(s);
      if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) break;
      s++;
    }
    if (s === end) return;
    let value: unknown;
    try {
      value = JSON.parse(buf.slice(s, end));
    } catch (e) {
      this.sink.warn(this.line, `invalid JSON: ${(e as Error).message}; line skipped`);
      return;
    }
    this.sink.row(value, this.line);
  }
}
