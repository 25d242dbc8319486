/**
 * CSV (RFC 4180), streamed: comma-separated, a header row naming the fields, optional double
 * quotes around a field (`""` is a literal quote; quoted fields may contain commas and line
 * breaks), CRLF or LF line ends. Blank lines are ignored. Lines without quotes take a fast path
 * (`split`). A field path such as `web.page.name` is matched against a header of that exact text.
 * Cells are strings; they are typed by the dimension/metric type when added (an empty cell is a
 * missing value).
 */
import type { DataView, Identity } from '../dataview/model';
import type { DatasetBuilder } from './build';
import type { ChunkParser } from './parser';
import { toEpochMs, toId } from './values';

/** A quoted field running past this many characters stops the file (an unterminated quote). */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

export interface CsvSink {
  /** A record's fields and the 1-based line it starts on. */
  record(fields: string[], line: number): void;
  warn(line: number, message: string): void;
}

export class CsvParser implements ChunkParser {
  private carry = '';
  /** Physical lines consumed so far. */
  private line = 0;
  private count = 0;
  private stopped = false;

  constructor(private readonly sink: CsvSink) {}

  get rows(): number {
    return this.count;
  }

  /** Physical lines consumed so far (records can span lines). */
  get lines(): number {
    return this.line;
  }

  /** True while the text so far ends inside a record (or reading stopped): more text is needed. */
  get pending(): boolean {
    return this.stopped || this.carry.length > 0;
  }

  push(text: string): void {
    if (this.stopped) return;
    const buf = this.carry.length > 0 ? this.carry + text : text;
    const pos = this.parse(buf, false);
    this.carry = pos === 0 ? buf : buf.slice(pos);
    if (this.carry.length > MAX_RECORD_CHARS) {
      this.sink.warn(this.line + 1, `record longer than ${MAX_RECORD_CHARS} characters (unterminated quote?); rest of the file skipped`);
      this.stopped = true;
      this.carry = '';
    }
  }

  end(): void {
    if (!this.stopped && this.carry.length > 0) this.parse(this.carry, true);
    this.carry = '';
    this.stopped = true;
  }

  /** Parses whole records from `buf`; returns where the unfinished tail starts. */
  private parse(buf: string, final: boolean): number {
    const n = buf.length;
    let pos = 0;
    // Position of the next quote at or after `pos` (n when none), found once per buffer stretch
    // rather than once per line, which would rescan quote-free buffers quadratically.
    let nextQuote = -1;
    while (pos < n) {
      let nl = buf.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = n;
      }
      if (nextQuote < pos) {
        nextQuote = buf.indexOf('"', pos);
        if (nextQuote < 0) nextQuote = n;
      }
      if (nextQuote > nl) {
        let end = nl;
        if (end > pos && buf.charCodeAt(end - 1) === 13) end--;
        this.line++;
        if (end > pos) {
          this.count++;
          this.sink.record(buf.slice(pos, end).split(','), this.line);
        }
        pos = nl + 1;
        continue;
      }
      const next = this.parseQuotedRecord(buf, pos, final);
      if (next < 0) break;
      pos = next;
    }
    return Math.min(pos, n);
  }

  /**
   * Parses one record that contains quotes, starting at `start`. Returns the index after the
   * record, or -1 when the buffer ends inside it and more text may follow.
   */
  private parseQuotedRecord(buf: string, start: number, final: boolean): number {
    const n = buf.length;
    const fields: string[] = [];
    let i = start;
    let newlines = 0;
    for (;;) {
      let field = '';
      if (i < n && buf.charCodeAt(i) === 34) {
        i++;
        for (;;) {
          const q = buf.indexOf('"', i);
          if (q < 0 || (q + 1 >= n && !final)) {
            if (!final) return -1;
            this.line++;
            this.sink.warn(this.line, 'unterminated quoted field; row skipped');
            this.line += newlines + countNewlines(buf, i, n);
            return n;
          }
          newlines += countNewlines(buf, i, q);
          field += buf.slice(i, q);
          if (buf.charCodeAt(q + 1) === 34) {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // Text between a closing quote and the next separator is kept as is (lenient).
        while (i < n) {
          const c = buf.charCodeAt(i);
          if (c === 44 || c === 10) break;
          if (c === 13 && (i + 1 >= n || buf.charCodeAt(i + 1) === 10)) {
            i++;
            continue;
          }
          field += buf[i];
          i++;
        }
      } else {
        const s = i;
        while (i < n) {
          const c = buf.charCodeAt(i);
          if (c === 44 || c === 10) break;
          i++;
        }
        let e = i;
        if (e > s && buf.charCodeAt(e - 1) === 13 && (i >= n || buf.charCodeAt(i) === 10)) e--;
        field = buf.slice(s, e);
      }
      fields.push(field);
      if (i < n && buf.charCodeAt(i) === 44) {
        i++;
        continue;
      }
      if (i >= n && !final) return -1;
      break;
    }
    const line = this.line + 1;
    this.line += 1 + newlines;
    this.count++;
    this.sink.record(fields, line);
    return i + 1;
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) count++;
  return count;
}

/** Maps CSV records onto a builder using the header row. */
export class CsvRowReader implements CsvSink {
  private header: string[] | undefined;
  private personIndex = -1;
  private namespaceIndex = -1;
  private timestampIndex = -1;
  private sessionIndex = -1;
  private columnIndex: number[] = [];
  private readonly values: unknown[];
  private skipFile = false;

  constructor(
    private readonly builder: DatasetBuilder,
    private readonly dataView: DataView,
    private readonly identity: Identity,
    private readonly file: string,
    private readonly source: number,
  ) {
    this.values = new Array(builder.specs.length);
  }

  warn(line: number, message: string): void {
    this.builder.warn(this.file, line, message);
  }

  record(fields: string[], line: number): void {
    if (this.skipFile) return;
    if (!this.header) {
      const problem = this.useHeader(fields);
      if (problem) this.warn(line, problem);
      return;
    }
    const header = this.header;
    if (fields.length !== header.length) {
      this.warn(line, `expected ${header.length} columns, found ${fields.length}; row skipped`);
      return;
    }
    const personId = toId(fields[this.personIndex]);
    if (personId === undefined) {
      this.warn(line, `missing person ID (column "${this.identity.personField}"); row skipped`);
      return;
    }
    let namespace = this.identity.namespace;
    if (this.namespaceIndex >= 0) {
      const fromField = toId(fields[this.namespaceIndex]);
      if (fromField !== undefined) namespace = fromField;
    }
    if (namespace === undefined) {
      this.warn(line, `missing identity namespace (column "${this.identity.namespaceField}"); row skipped`);
      return;
    }
    const rawTime = fields[this.timestampIndex];
    const timestamp = toEpochMs(rawTime);
    if (Number.isNaN(timestamp)) {
      this.warn(line, rawTime.length === 0 ? 'missing timestamp; row skipped' : `unparseable timestamp ${JSON.stringify(rawTime)}; row skipped`);
      return;
    }
    const sessionId = this.sessionIndex >= 0 ? toId(fields[this.sessionIndex]) : undefined;
    const values = this.values;
    const index = this.columnIndex;
    for (let c = 0; c < index.length; c++) values[c] = index[c] >= 0 ? fields[index[c]] : undefined;
    this.builder.addEvent(namespace, personId, timestamp, sessionId, values, this.source, line);
  }

  /**
   * Takes `fields` as the header row (a load worker reading a later stretch of the file gets it
   * this way). Returns the problem when the header lacks a needed column: the file is then skipped.
   */
  useHeader(fields: string[]): string | undefined {
    const header = fields.map((f, i) => (i === 0 && f.charCodeAt(0) === 0xfeff ? f.slice(1) : f).trim());
    this.header = header;
    const at = (name: string | undefined): number => (name === undefined ? -1 : header.indexOf(name));
    this.personIndex = at(this.identity.personField);
    this.namespaceIndex = at(this.identity.namespaceField);
    this.timestampIndex = at(this.dataView.timestampField);
    this.sessionIndex = at(this.dataView.sessionField);
    this.columnIndex = this.builder.specs.map((s) => at(s.field));
    const missing: string[] = [];
    if (this.personIndex < 0) missing.push(`person ID column "${this.identity.personField}"`);
    if (this.timestampIndex < 0) missing.push(`timestamp column "${this.dataView.timestampField}"`);
    if (this.identity.namespace === undefined && this.namespaceIndex < 0) missing.push(`namespace column "${this.identity.namespaceField}"`);
    if (missing.length === 0) return undefined;
    this.skipFile = true;
    return `header has no ${missing.join(', no ')}; file skipped`;
  }
}
