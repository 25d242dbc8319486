/**
 * A JSON array of row objects (`[{...}, {...}]`), streamed: a small scanner finds where each
 * top-level element starts and ends (tracking nesting and strings), and only that element's text
 * is handed to `JSON.parse`. Memory is bounded by the largest element, never the file. A file of
 * concatenated objects (`{...}{...}` or one object per line) is read the same way.
 */
import type { ChunkParser, RowSink } from './parser';

/** An element larger than this stops the file: the scanner has most likely lost the structure. */
export const MAX_ELEMENT_CHARS = 64 * 1024 * 1024;

type Mode = 'start' | 'array' | 'objects' | 'done' | 'stopped';

export class JsonArrayParser implements ChunkParser {
  private buf = '';
  private pos = 0;
  private mode: Mode = 'start';
  /** Line of `pos` (1-based). */
  private line = 1;
  /** Index in `buf` where the current element starts, or -1 between elements. */
  private elemStart = -1;
  private elemLine = 0;
  /** Nesting depth inside the current element; 0 for a bare string/number/literal element. */
  private depth = 0;
  private inString = false;
  private count = 0;

  constructor(private readonly sink: RowSink) {}

  get rows(): number {
    return this.count;
  }

  push(text: string): void {
    if (this.mode === 'stopped') return;
    this.buf = this.buf.length > 0 ? this.buf + text : text;
    this.scan();
    if (this.elemStart < 0) {
      this.buf = '';
      this.pos = 0;
    } else {
      if (this.elemStart > 0) {
        this.buf = this.buf.slice(this.elemStart);
        this.pos -= this.elemStart;
        this.elemStart = 0;
      }
      if (this.buf.length > MAX_ELEMENT_CHARS) {
        this.sink.warn(this.elemLine, `array element longer than ${MAX_ELEMENT_CHARS} characters (malformed JSON?); rest of the file skipped`);
        this.stop();
      }
    }
  }

  end(): void {
    if (this.mode === 'stopped') return;
    if (this.elemStart >= 0) {
      if (this.depth === 0 && !this.inString) this.complete(this.buf.length);
      else this.sink.warn(this.elemLine, 'unexpected end of file inside the element starting on this line; element skipped');
    } else if (this.mode === 'array') {
      this.sink.warn(this.line, 'unexpected end of file: the JSON array is not closed');
    }
    this.stop();
  }

  private stop(): void {
    this.mode = 'stopped';
    this.buf = '';
    this.pos = 0;
    this.elemStart = -1;
  }

  private scan(): void {
    const b = this.buf;
    const n = b.length;
    let i = this.pos;
    while (i < n) {
      if (this.elemStart < 0) {
        const c = b.charCodeAt(i);
        if (c === 10) {
          this.line++;
          i++;
          continue;
        }
        if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
          i++;
          continue;
        }
        if (this.mode === 'start') {
          if (c === 91 /* [ */) {
            this.mode = 'array';
            i++;
            continue;
          }
          if (c !== 123 /* { */) {
            this.sink.warn(this.line, 'expected a JSON array of objects; file skipped');
            this.stop();
            return;
          }
          this.mode = 'objects';
        } else if (this.mode === 'array') {
          if (c === 44 /* , */) {
            i++;
            continue;
          }
          if (c === 93 /* ] */) {
            this.mode = 'done';
            i++;
            continue;
          }
        } else if (this.mode === 'done') {
          this.sink.warn(this.line, 'unexpected content after the end of the JSON array; ignored');
          this.stop();
          return;
        }
        this.elemStart = i;
        this.elemLine = this.line;
        this.inString = false;
        if (c === 123 || c === 91) {
          this.depth = 1;
          i++;
        } else {
          this.depth = 0;
        }
        continue;
      }
      if (this.inString) {
        const q = b.indexOf('"', i);
        if (q < 0) {
          i = n;
          break;
        }
        let backslashes = 0;
        for (let k = q - 1; k > this.elemStart && b.charCodeAt(k) === 92; k--) backslashes++;
        i = q + 1;
        if ((backslashes & 1) === 0) this.inString = false;
        continue;
      }
      const c = b.charCodeAt(i);
      if (this.depth === 0) {
        // A bare value: ends at a separator outside a string.
        if (c === 44 || c === 93 || c === 10 || c === 13 || c === 32 || c === 9) {
          this.complete(i);
          continue;
        }
        if (c === 34) this.inString = true;
        i++;
        continue;
      }
      if (c === 34 /* " */) {
        this.inString = true;
      } else if (c === 123 || c === 91) {
        this.depth++;
      } else if (c === 125 || c === 93) {
        if (--this.depth === 0) {
          i++;
          this.complete(i);
          continue;
        }
      } else if (c === 10) {
        this.line++;
      }
      i++;
    }
    this.pos = i;
  }

  private complete(end: number): void {
    const text = this.buf.slice(this.elemStart, end);
    this.elemStart = -1;
    this.count++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.sink.warn(this.elemLine, `invalid JSON element: ${(e as Error).message}; element skipped`);
      return;
    }
    this.sink.row(value, this.elemLine);
  }
}
