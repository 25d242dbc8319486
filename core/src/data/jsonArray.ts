/**
 * A JSON array of row objects (`[{...}, {...}]`), streamed as bytes: a small scanner finds where
 * each top-level element starts and ends (tracking nesting and strings; a multi-byte UTF-8
 * character never holds a quote, backslash or bracket byte, so bytes suffice) and hands that
 * element's bytes to the sink, which reads it like an NDJSON line. Memory is bounded by the
 * largest element, never the file. A file of concatenated objects (`{...}{...}` or one object per
 * line) is read the same way.
 */
import type { DataView, SampleFile } from '../dataview/model';
import { type DatasetBuilder, ObjectRowReader } from './build';
import type { ByteChunkParser } from './parser';
import { jsonBytesTooDeep, MAX_ROW_DEPTH, nestingMessage } from '../jsonNesting';
import { RowScanner } from './rowScanner';

/** An element larger than this stops the file: the scanner has most likely lost the structure. */
export const MAX_ELEMENT_BYTES = 64 * 1024 * 1024;

/** Receives what the parser finds in one file. */
export interface ElementSink {
  /** One top-level element, `bytes[start, end)`, and the 1-based line it starts on. */
  element(bytes: Buffer, start: number, end: number, line: number): void;
  /** A problem at a 1-based line; the element (or the rest of the file) is skipped. */
  warn(line: number, message: string): void;
}

type Mode = 'start' | 'array' | 'objects' | 'done' | 'stopped';

/** 1 for the bytes a string scan passes over: all but '"', '\\' and a line break. */
const PLAIN_IN_STRING = new Uint8Array(256).map((_, c) => (c === 0x22 || c === 0x5c || c === 0x0a ? 0 : 1));
/** 1 for the bytes the scan passes over inside an element, outside strings: all but quotes, brackets and line breaks. */
const PLAIN_IN_ELEMENT = new Uint8Array(256).map((_, c) => (c === 0x22 || c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x0a ? 0 : 1));

/** Where a stretch of a file that starts between two elements is: inside the array, or between bare objects. */
export type BetweenElements = 'array' | 'objects';

export class JsonArrayParser implements ByteChunkParser {
  private buf: Buffer = Buffer.alloc(0);
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
  /** Inside a string, the byte after a backslash is escaped (and may be a quote). */
  private escaped = false;
  private count = 0;
  /** The first bytes of what may be a byte order mark, cut off by the end of the last chunk. */
  private held: Buffer | undefined;
  /** Set by `end()`: no more bytes come, so a cut-off mark is read as what it is. */
  private ending = false;

  /** `between`: the parser starts inside a file, at a line start between two elements (a worker's stretch). */
  constructor(private readonly sink: ElementSink, between?: BetweenElements) {
    if (between) this.mode = between;
  }

  get rows(): number {
    return this.count;
  }

  /** Line breaks read so far. */
  get lineBreaks(): number {
    return this.line - 1;
  }

  /** Whether the bytes so far ended between two elements of `mode` (where the next stretch starts). */
  endsBetween(mode: BetweenElements): boolean {
    return this.elemStart < 0 && this.mode === mode;
  }

  push(chunk: Buffer): void {
    if (this.mode === 'stopped') return;
    if (this.held) {
      chunk = Buffer.concat([this.held, chunk]);
      this.held = undefined;
    }
    // Only an unfinished element is carried over (copied: the stream may reuse the chunk's memory).
    this.buf = this.elemStart >= 0 ? Buffer.concat([this.buf, chunk]) : chunk;
    this.scan();
    if (this.elemStart < 0) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
      return;
    }
    this.buf = Buffer.from(this.buf.subarray(this.elemStart));
    this.pos -= this.elemStart;
    this.elemStart = 0;
    if (this.buf.length > MAX_ELEMENT_BYTES) {
      this.sink.warn(this.elemLine, `array element longer than ${MAX_ELEMENT_BYTES} bytes (malformed JSON?); rest of the file skipped`);
      this.stop();
    }
  }

  end(): void {
    if (this.mode === 'stopped') return;
    if (this.held) {
      this.ending = true;
      this.buf = this.held;
      this.held = undefined;
      this.pos = 0;
      this.scan();
      // scan() may have stopped the parser (TypeScript keeps the narrowing from above).
      if ((this.mode as Mode) === 'stopped') return;
    }
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
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.elemStart = -1;
  }

  private scan(): void {
    const b = this.buf;
    const n = b.length;
    let i = this.pos;
    while (i < n && this.mode !== 'stopped') {
      if (this.elemStart < 0) {
        const c = b[i];
        if (c === 10) {
          this.line++;
          i++;
          continue;
        }
        if (c === 32 || c === 9 || c === 13) {
          i++;
          continue;
        }
        if (c === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) {
          i += 3; // a byte order mark
          continue;
        }
        if (c === 0xef && n - i < 3 && (i + 1 === n || b[i + 1] === 0xbb) && !this.ending) {
          // A mark cut by the chunk's end: decide when the next chunk comes.
          this.held = Buffer.from(b.subarray(i));
          i = n;
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
        this.escaped = false;
        if (c === 123 || c === 91) {
          this.depth = 1;
          i++;
        } else {
          this.depth = 0;
        }
        continue;
      }
      if (this.inString) {
        // To the next quote or backslash (a raw line break ends no string, but counts as a line).
        while (i < n) {
          if (this.escaped) {
            this.escaped = false;
            if (b[i] === 10) this.line++;
            i++;
            continue;
          }
          while (i < n && PLAIN_IN_STRING[b[i]] === 1) i++;
          if (i === n) break;
          const c = b[i++];
          if (c === 34) {
            this.inString = false;
            break;
          }
          if (c === 92) this.escaped = true;
          else this.line++; // a raw line break
        }
        continue;
      }
      if (this.depth > 0) {
        // Between the tokens of an element: skip to the next byte that matters.
        while (i < n && PLAIN_IN_ELEMENT[b[i]] === 1) i++;
        if (i === n) break;
      }
      const c = b[i];
      if (this.depth === 0) {
        // A bare value: ends at a separator outside a string.
        if (c === 44 || c === 93 || c === 10 || c === 13 || c === 32 || c === 9) {
          // A ',' or ']' where a value should start (between concatenated objects) is an element of
          // its own, invalid: the scan moves past it.
          this.complete(i === this.elemStart ? ++i : i);
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
    const start = this.elemStart;
    this.elemStart = -1;
    this.count++;
    this.sink.element(this.buf, start, end, this.elemLine);
  }
}

/**
 * The parser of a JSON array sample file: each element is read like an NDJSON line, from its bytes
 * by the row scanner when it can, else through JSON.parse and the ObjectRowReader (which words the
 * warnings).
 */
export function jsonArrayLoader(builder: DatasetBuilder, dataView: DataView, file: SampleFile, source: number, between?: BetweenElements): JsonArrayParser {
  const scanner = new RowScanner(builder, dataView, file.identity, file.path, source);
  const reader = new ObjectRowReader(builder, dataView, file.identity, file.path, source);
  return new JsonArrayParser({
    element: (bytes, start, end, line) => {
      if (scanner.read(bytes, start, end, line)) return;
      if (jsonBytesTooDeep(bytes, start, end, MAX_ROW_DEPTH)) {
        builder.warn(file.path, line, `${nestingMessage(MAX_ROW_DEPTH)}; element skipped`);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString('utf8', start, end));
      } catch (e) {
        builder.warn(file.path, line, `invalid JSON element: ${(e as Error).message}; element skipped`);
        return;
      }
      reader.read(value, line);
    },
    warn: (line, message) => builder.warn(file.path, line, message),
  }, between);
}
