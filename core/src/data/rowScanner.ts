/**
 * Reads one NDJSON row straight from the file's bytes into a DatasetBuilder, without building a
 * JavaScript object or decoding the line: JSON.parse and the UTF-8 decoder were most of the load
 * time, and a row has many more bytes than the handful of fields a data view uses.
 *
 * The scanner validates the whole line as JSON while it looks for the data view's field paths,
 * and only then touches the builder. Whenever a row is outside what it reads exactly — a key with
 * escapes, a duplicated wanted key, an array on a wanted path, nesting deeper than
 * MAX_DEPTH, anything that is not valid JSON — `read` returns false and changes nothing, and the
 * caller reads the line the general way (decode, JSON.parse, ObjectRowReader). Values are
 * converted with the same functions as that way (values.ts), and codes come from the builder's
 * own maps (ByteInterner is only a cache in front of them), so both ways give the same dataset;
 * a differential test checks it.
 */
import type { DataView as DataViewModel, Identity } from '../dataview/model';
import type { DatasetBuilder } from './build';
import { ByteInterner, hashBytes, hashSpan, withTag } from './byteInterner';
import { parseIsoTimestampBytes, toDimensionString, toEpochMs, toId, toNumber } from './values';

/** Deeper rows are left to JSON.parse (the scanner recurses). */
const MAX_DEPTH = 64;

/** What was found at a field path in the current row. */
const enum Kind {
  None = 0,
  /** A string without escapes: its bytes are its UTF-8 text. */
  Plain = 1,
  /** A string with escapes. */
  Escaped = 2,
  Number = 3,
  /** true, false, null, an object or an array. */
  Other = 4,
}

/** Distinct unwanted keys remembered per object level (for predicting the next key). */
const MAX_KNOWN_KEYS = 256;
/** `previous` for `KeyLevel.find` at the start of an object, and after a key that was not remembered. */
const OBJECT_START = -1;
const NO_KEY = -2;

/**
 * One object level of the wanted field paths: its wanted keys (ids 0 … wanted-1), each with a value
 * slot and/or a deeper level, then the unwanted keys met in rows. Rows of one file mostly repeat
 * their key order, so `find` first compares the key with the one that followed the previous key
 * last time, and hashes only when that guess is wrong.
 */
class KeyLevel {
  readonly keys: Buffer[] = [];
  /** Per wanted key: the value slot it fills (-1: none), the level below it (null: none). */
  readonly slot: number[] = [];
  readonly child: (KeyLevel | null)[] = [];
  /** Number of wanted keys; set by `seal`. */
  wanted = 0;
  /** Per wanted key: the row in which it was last seen, to detect a duplicated key. */
  stamp = new Float64Array(0);
  /** Per known key + 1 (0: object start): the key id that followed it last time, or -1. */
  private readonly follow = new Int32Array(MAX_KNOWN_KEYS + 1).fill(-1);
  private readonly table = new Int32Array(MAX_KNOWN_KEYS * 4).fill(-1);
  private readonly mask = MAX_KNOWN_KEYS * 4 - 1;

  entry(key: string): number {
    const bytes = Buffer.from(key, 'utf8');
    let k = this.keys.findIndex((b) => b.equals(bytes));
    if (k < 0) {
      k = this.keys.length;
      this.keys.push(bytes);
      this.slot.push(-1);
      this.child.push(null);
    }
    return k;
  }

  /** Builds the lookup table; called once all wanted keys are in. */
  seal(): void {
    this.wanted = this.keys.length;
    this.stamp = new Float64Array(this.wanted).fill(-1);
    this.keys.forEach((key, k) => this.place(key, k));
    for (const c of this.child) c?.seal();
  }

  private place(key: Uint8Array, k: number): void {
    let at = hashBytes(key, 0, key.length) & this.mask;
    while (this.table[at] >= 0) at = (at + 1) & this.mask;
    this.table[at] = k;
  }

  /**
   * The key that followed `previous` last time, if the string at `b[i]` (a '"') is that key: its id;
   * else -1. A known key holds no quote, backslash or control character, so matching its bytes and
   * then the closing quote is the same as scanning the string.
   */
  guessAt(b: Uint8Array, i: number, end: number, previous: number): number {
    if (previous === NO_KEY) return -1;
    const guess = this.follow[previous + 1];
    if (guess < 0) return -1;
    const close = i + 1 + this.keys[guess].length;
    return close < end && b[close] === 0x22 && this.matches(guess, b, i + 1, close) ? guess : -1;
  }

  /**
   * The id of the key `b[start, end)` (wanted when below `wanted`), or NO_KEY when it is neither
   * wanted nor remembered; remembers it as following `previous` (the id of the key before it in
   * the object, OBJECT_START or NO_KEY).
   */
  find(b: Uint8Array, start: number, end: number, previous: number): number {
    let k = this.lookup(b, start, end);
    if (k === NO_KEY && this.keys.length < MAX_KNOWN_KEYS) {
      k = this.keys.length;
      const key = Buffer.from(b.subarray(start, end));
      this.keys.push(key);
      this.place(key, k);
    }
    if (previous !== NO_KEY && k !== NO_KEY) this.follow[previous + 1] = k;
    return k;
  }

  private matches(k: number, b: Uint8Array, start: number, end: number): boolean {
    const key = this.keys[k];
    const length = end - start;
    if (key.length !== length) return false;
    let i = 0;
    while (i < length && key[i] === b[start + i]) i++;
    return i === length;
  }

  private lookup(b: Uint8Array, start: number, end: number): number {
    for (let at = hashBytes(b, start, end) & this.mask; ; at = (at + 1) & this.mask) {
      const k = this.table[at];
      if (k < 0) return NO_KEY;
      if (this.matches(k, b, start, end)) return k;
    }
  }
}

export class RowScanner {
  /** False when the data view's paths cannot be read exactly by scanning (see constructor). */
  readonly enabled: boolean;
  private readonly root = new KeyLevel();
  /**
   * Value slots: per field path a "direct" slot (the whole dotted path as one top-level key, which
   * wins when present, as in fieldPath.ts) and, for dotted paths, a "nested" slot.
   */
  private readonly direct: number[] = [];
  private readonly nested: number[] = [];
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Per slot: the row that last filled it (a slot is empty in other rows). */
  private readonly filledIn: Float64Array;
  private readonly personPath: number;
  private readonly namespacePath: number;
  private readonly timestampPath: number;
  private readonly sessionPath: number;
  private readonly columnPaths: number[];
  private readonly columnIsString: boolean[];
  private readonly fixedNamespace: string | undefined;
  private readonly namespaces: string[] = [];
  /** Tags of the namespaces met (the fixed namespace, if any, is tag 0). */
  private readonly namespaceTags = new Map<string, number>();
  private readonly persons = new ByteInterner();
  private readonly sessions = new ByteInterner();
  private readonly values: ByteInterner[];
  private row = 0;
  /** Set by scanString: the string had escapes. */
  private escaped = false;
  /** A DataView over the buffer of the row being read, for ByteInterner.get. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | null = null;

  constructor(
    private readonly builder: DatasetBuilder,
    dataView: DataViewModel,
    private readonly identity: Identity,
    private readonly file: string,
    private readonly source: number,
  ) {
    const paths: string[] = [];
    const pathIndex = (p: string): number => {
      let k = paths.indexOf(p);
      if (k < 0) k = paths.push(p) - 1;
      return k;
    };
    this.personPath = pathIndex(identity.personField);
    this.namespacePath = identity.namespaceField ? pathIndex(identity.namespaceField) : -1;
    this.fixedNamespace = identity.namespace;
    if (identity.namespace !== undefined) this.namespaceTags.set(identity.namespace, this.namespaces.push(identity.namespace) - 1);
    this.timestampPath = pathIndex(dataView.timestampField);
    this.sessionPath = dataView.sessionField ? pathIndex(dataView.sessionField) : -1;
    this.columnPaths = builder.specs.map((s) => pathIndex(s.field));
    this.columnIsString = builder.specs.map((s) => s.kind === 'string');
    this.values = builder.specs.map(() => new ByteInterner());
    // A path through a name that every object inherits (`constructor`, `toString`) reads that
    // inherited value when the row lacks it; leave such data views to the general reader.
    this.enabled = paths.every((p) => p.split('.').every((part) => !(part in Object.prototype)));
    let slots = 0;
    for (const p of paths) {
      const parts = p.split('.');
      const k = this.root.entry(p);
      if (this.root.slot[k] < 0) this.root.slot[k] = slots++;
      this.direct.push(this.root.slot[k]);
      if (parts.length === 1) {
        this.nested.push(-1);
        continue;
      }
      let level = this.root;
      for (let d = 0; d < parts.length - 1; d++) {
        const e = level.entry(parts[d]);
        level = level.child[e] ??= new KeyLevel();
      }
      const e = level.entry(parts[parts.length - 1]);
      if (level.slot[e] < 0) level.slot[e] = slots++;
      this.nested.push(level.slot[e]);
    }
    this.root.seal();
    this.kinds = new Uint8Array(slots);
    this.starts = new Int32Array(slots);
    this.ends = new Int32Array(slots);
    this.filledIn = new Float64Array(slots).fill(-1);
  }

  /**
   * Reads the row `b[start, end)` (no line break inside; leading blanks already skipped) at `line`:
   * adds its event, or records the warning the general reader would. False when the row must be
   * read the general way; the builder is then untouched.
   */
  read(b: Buffer, start: number, end: number, line: number): boolean {
    if (!this.enabled || b[start] !== 0x7b) return false;
    if (b !== this.viewOf) {
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
      this.viewOf = b;
    }
    this.row++;
    let i = this.scanObject(b, this.root, start, end, 0);
    if (i < 0) return false;
    while (i < end && isBlank(b[i])) i++;
    if (i !== end) return false;
    this.commit(b, line);
    return true;
  }

  /** The slot holding path `p`'s value in this row, or -1 when the row lacks it. */
  private slotOf(p: number): number {
    const d = this.direct[p];
    if (this.filledIn[d] === this.row) return d;
    const n = this.nested[p];
    return n >= 0 && this.filledIn[n] === this.row ? n : -1;
  }

  /** The JavaScript value in slot `s`, as JSON.parse gives it. */
  private valueOf(b: Buffer, s: number): unknown {
    if (s < 0) return undefined;
    const text = b.toString('utf8', this.starts[s], this.ends[s]);
    return JSON.parse(text);
  }

  /** Text of a Plain slot (the bytes between the quotes). */
  private plainText(b: Buffer, s: number): string {
    return b.toString('utf8', this.starts[s] + 1, this.ends[s] - 1);
  }

  /** The ID in path `p` as `toId` reads it: a Plain slot without surrounding spaces stays as bytes (returns ''), else a string or undefined. */
  private idOf(b: Buffer, p: number): string | undefined {
    const s = this.slotOf(p);
    if (s < 0) return undefined;
    if (this.kinds[s] === Kind.Plain) {
      const from = this.starts[s] + 1;
      const to = this.ends[s] - 1;
      if (to === from) return undefined;
      if (b[from] !== 0x20 && b[to - 1] !== 0x20) return '';
      return toId(this.plainText(b, s));
    }
    return toId(this.valueOf(b, s));
  }

  private commit(b: Buffer, line: number): void {
    const builder = this.builder;
    const personId = this.idOf(b, this.personPath);
    if (personId === undefined) {
      builder.warn(this.file, line, `missing person ID (field "${this.identity.personField}"); row skipped`);
      return;
    }
    let namespace = this.fixedNamespace;
    if (this.namespacePath >= 0) {
      const s = this.slotOf(this.namespacePath);
      const fromField = s < 0 ? undefined : toId(this.kinds[s] === Kind.Plain ? this.plainText(b, s) : this.valueOf(b, s));
      if (fromField !== undefined) namespace = fromField;
    }
    if (namespace === undefined) {
      builder.warn(this.file, line, `missing identity namespace (field "${this.identity.namespaceField}"); row skipped`);
      return;
    }
    const ts = this.slotOf(this.timestampPath);
    let timestamp = NaN;
    if (ts >= 0) {
      const kind = this.kinds[ts];
      if (kind === Kind.Plain) {
        const fast = parseIsoTimestampBytes(b, this.starts[ts] + 1, this.ends[ts] - 1);
        timestamp = fast ?? toEpochMs(this.plainText(b, ts));
      } else if (kind === Kind.Number) {
        timestamp = toEpochMs(numberAt(b, this.starts[ts], this.ends[ts]));
      } else {
        timestamp = toEpochMs(this.valueOf(b, ts));
      }
    }
    if (Number.isNaN(timestamp)) {
      const raw = this.valueOf(b, ts);
      builder.warn(this.file, line, raw === undefined || raw === null ? 'missing timestamp; row skipped' : `unparseable timestamp ${JSON.stringify(raw)}; row skipped`);
      return;
    }
    const i = builder.beginEvent(timestamp, this.source, line);
    if (i < 0) return;

    let tag = namespace === this.fixedNamespace ? 0 : this.namespaceTags.get(namespace);
    if (tag === undefined) {
      tag = this.namespaces.push(namespace) - 1;
      this.namespaceTags.set(namespace, tag);
    }
    if (personId === '') {
      const s = this.slotOf(this.personPath);
      const from = this.starts[s] + 1;
      const to = this.ends[s] - 1;
      const hash = withTag(hashSpan(this.view, from, to), tag);
      let p = this.persons.get(b, this.view, from, to, tag, hash);
      if (p < 0) {
        p = builder.internPerson(namespace, b.toString('utf8', from, to));
        this.persons.add(b, from, to, tag, hash, p);
      }
      builder.setPerson(i, p);
    } else {
      builder.setPerson(i, builder.internPerson(namespace, personId));
    }
    if (this.sessionPath >= 0) {
      const sessionId = this.idOf(b, this.sessionPath);
      if (sessionId === '') {
        const s = this.slotOf(this.sessionPath);
        const from = this.starts[s] + 1;
        const to = this.ends[s] - 1;
        const hash = hashSpan(this.view, from, to);
        let code = this.sessions.get(b, this.view, from, to, 0, hash);
        if (code < 0) {
          code = builder.addSessionId(b.toString('utf8', from, to));
          this.sessions.add(b, from, to, 0, hash, code);
        }
        builder.setSession(i, code);
      } else if (sessionId !== undefined) {
        builder.setSession(i, builder.internSession(sessionId));
      }
    }

    const paths = this.columnPaths;
    for (let c = 0; c < paths.length; c++) {
      const s = this.slotOf(paths[c]);
      const kind = s < 0 ? Kind.None : this.kinds[s];
      if (this.columnIsString[c]) {
        let code = -1;
        if (kind === Kind.Plain) {
          const from = this.starts[s] + 1;
          const to = this.ends[s] - 1;
          if (to > from) {
            const table = this.values[c];
            const hash = hashSpan(this.view, from, to);
            code = table.get(b, this.view, from, to, 0, hash);
            if (code < 0) {
              code = builder.internString(c, b.toString('utf8', from, to));
              table.add(b, from, to, 0, hash, code);
            }
          }
        } else if (kind !== Kind.None) {
          const text = toDimensionString(this.valueOf(b, s));
          if (text !== undefined) code = builder.internString(c, text);
        }
        builder.setCode(c, i, code);
      } else {
        let value = NaN;
        if (kind === Kind.Number) value = numberAt(b, this.starts[s], this.ends[s]);
        else if (kind === Kind.Plain) value = toNumber(this.plainText(b, s));
        else if (kind === Kind.Escaped) value = toNumber(this.valueOf(b, s));
        builder.setNumber(c, i, value);
      }
    }
  }

  private record(slot: number, kind: Kind, start: number, end: number): void {
    this.filledIn[slot] = this.row;
    this.kinds[slot] = kind;
    this.starts[slot] = start;
    this.ends[slot] = end;
  }

  /** Scans the object at `b[i]` ('{'), recording wanted values; the index after it, or -1. */
  private scanObject(b: Uint8Array, level: KeyLevel, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    i = skipBlanks(b, i + 1, end);
    if (b[i] === 0x7d) return i + 1;
    let previous = OBJECT_START;
    for (;;) {
      if (i >= end || b[i] !== 0x22) return -1;
      let k = level.guessAt(b, i, end, previous);
      if (k >= 0) {
        i += level.keys[k].length + 2;
      } else {
        const keyStart = i + 1;
        i = this.scanString(b, i, end);
        if (i < 0) return -1;
        // An escaped key may spell a wanted one ("p\u0061ge"): let JSON.parse decide.
        if (this.escaped) return -1;
        k = level.find(b, keyStart, i - 1, previous);
      }
      previous = k;
      i = skipBlanks(b, i, end);
      if (b[i] !== 0x3a) return -1;
      i = skipBlanks(b, i + 1, end);
      if (i >= end) return -1;
      if (k < 0 || k >= level.wanted) {
        i = this.skipValue(b, i, end, depth);
      } else {
        // JSON.parse keeps the last of duplicated keys; not worth reproducing here.
        if (level.stamp[k] === this.row) return -1;
        level.stamp[k] = this.row;
        const valueStart = i;
        const c = b[i];
        const child = level.child[k];
        const slot = level.slot[k];
        if (child !== null && c === 0x7b) i = this.scanObject(b, child, i, end, depth + 1);
        else if (child !== null && c === 0x5b) return -1;
        else i = this.skipValue(b, i, end, depth);
        if (i < 0) return -1;
        if (slot >= 0) this.record(slot, c === 0x22 ? (this.escaped ? Kind.Escaped : Kind.Plain) : c === 0x2d || (c >= 0x30 && c <= 0x39) ? Kind.Number : Kind.Other, valueStart, i);
      }
      if (i < 0) return -1;
      i = skipBlanks(b, i, end);
      if (b[i] === 0x2c) {
        i = skipBlanks(b, i + 1, end);
        continue;
      }
      return b[i] === 0x7d && i < end ? i + 1 : -1;
    }
  }

  /** Skips (and validates) any JSON value at `b[i]`; the index after it, or -1. */
  private skipValue(b: Uint8Array, i: number, end: number, depth: number): number {
    const c = b[i];
    if (c === 0x22) return this.scanString(b, i, end);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return skipNumber(b, i, end);
    if (c === 0x7b) return this.skipObject(b, i, end, depth + 1);
    if (c === 0x5b) return this.skipArray(b, i, end, depth + 1);
    if (c === 0x74) return literal(b, i, end, TRUE);
    if (c === 0x66) return literal(b, i, end, FALSE);
    if (c === 0x6e) return literal(b, i, end, NULL);
    return -1;
  }

  private skipObject(b: Uint8Array, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    i = skipBlanks(b, i + 1, end);
    if (b[i] === 0x7d) return i + 1;
    for (;;) {
      if (i >= end || b[i] !== 0x22) return -1;
      i = this.scanString(b, i, end);
      if (i < 0) return -1;
      i = skipBlanks(b, i, end);
      if (b[i] !== 0x3a) return -1;
      i = skipBlanks(b, i + 1, end);
      if (i >= end) return -1;
      i = this.skipValue(b, i, end, depth);
      if (i < 0) return -1;
      i = skipBlanks(b, i, end);
      if (b[i] === 0x2c) {
        i = skipBlanks(b, i + 1, end);
        continue;
      }
      return b[i] === 0x7d && i < end ? i + 1 : -1;
    }
  }

  private skipArray(b: Uint8Array, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    i = skipBlanks(b, i + 1, end);
    if (b[i] === 0x5d) return i + 1;
    for (;;) {
      if (i >= end) return -1;
      i = this.skipValue(b, i, end, depth);
      if (i < 0) return -1;
      i = skipBlanks(b, i, end);
      if (b[i] === 0x2c) {
        i = skipBlanks(b, i + 1, end);
        continue;
      }
      return b[i] === 0x5d && i < end ? i + 1 : -1;
    }
  }

  /**
   * Skips the string at `b[i]` ('"'), validating escapes and rejecting raw control characters as
   * JSON.parse does; the index after the closing quote, or -1. Sets `escaped`.
   */
  private scanString(b: Uint8Array, i: number, end: number): number {
    let escaped = false;
    let j = i + 1;
    for (;;) {
      // The common bytes in one tight loop; the bytes that end it are rare. The byte at `end` (a line
      // break, or past the buffer) is never ordinary, so the loop cannot run past the line.
      let c = b[j];
      while (ORDINARY[c] === 1) c = b[++j];
      if (j >= end) return -1;
      if (c === 0x22) {
        this.escaped = escaped;
        return j + 1;
      }
      if (c !== 0x5c) return -1; // a raw control character
      escaped = true;
      const e = b[j + 1];
      if (e === 0x75) {
        if (j + 6 > end || !isHex(b[j + 2]) || !isHex(b[j + 3]) || !isHex(b[j + 4]) || !isHex(b[j + 5])) return -1;
        j += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        j += 2;
      } else {
        return -1;
      }
    }
  }
}

/** 1 for the bytes a JSON string may hold as they are: not '"', not '\\', not a control character. */
const ORDINARY = new Uint8Array(256).map((_, c) => (c >= 0x20 && c !== 0x22 && c !== 0x5c ? 1 : 0));

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function literal(b: Uint8Array, i: number, end: number, word: Buffer): number {
  if (i + word.length > end) return -1;
  for (let k = 1; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function skipBlanks(b: Uint8Array, i: number, end: number): number {
  // Most rows have no blanks between tokens.
  if (i < end && b[i] > 0x20) return i;
  while (i < end && isBlank(b[i])) i++;
  return i;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Skips a JSON number (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?) at `b[i]`; the index after it, or -1. */
function skipNumber(b: Uint8Array, i: number, end: number): number {
  if (b[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (b[i] === 0x30) i++;
  else if (b[i] >= 0x31 && b[i] <= 0x39) while (i < end && isDigit(b[i])) i++;
  else return -1;
  if (i < end && b[i] === 0x2e) {
    i++;
    if (i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    if (i >= end || !isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  return i;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The value of the valid JSON number `b[start, end)`, as `toNumber(JSON.parse(text))` gives it.
 * Up to 15 significant digits and no exponent, the digits as an integer divided by an exact power
 * of ten is one correctly rounded operation, so it equals the parsed value; anything else is
 * converted from its text.
 */
function numberAt(b: Buffer, start: number, end: number): number {
  let i = start;
  const negative = b[i] === 0x2d;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = b[i];
    if (c === 0x2e) {
      fraction = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return toNumber(Number(b.toString('latin1', start, end)));
    mantissa = mantissa * 10 + (c - 0x30);
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits > 15) return toNumber(Number(b.toString('latin1', start, end)));
  const value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction] : mantissa;
  return negative ? -value : value;
}
