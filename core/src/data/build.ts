/**
 * Turns rows into a columnar Dataset: appends events into growable typed arrays, then sorts by
 * person and time, numbers persons and sessions, and permutes every column once.
 *
 * Ordering rules (normative for the rest of the core):
 * - persons are numbered in order of (namespace, person ID), compared by code points (`compareCodePoints`, as SQL's binary order), so the
 *   numbering does not depend on file order;
 * - a person's events are ordered by timestamp; ties keep input order (files in data view order,
 *   rows in file order);
 * - a person is (namespace, person ID): the same ID in two namespaces is two persons.
 *
 * Sessions: when the data view names a session field, consecutive events of a person with the same
 * session ID form one session and a change of ID starts a new one (so an ID that recurs after
 * another session's events is a new session, keeping sessions contiguous in time). Events without
 * a session ID (or all events, when there is no session field) are grouped by inactivity: a new
 * session starts at a person's first event and after a gap strictly greater than
 * `sessionTimeoutMinutes`.
 */
import type { DataView, Identity } from '../dataview/model';
import { type EventColumns, mergeRuns, orderByPerson, permuteColumns, type Run } from './assemble';
import type { Column, Dataset, LoadWarning } from './dataset';
import { compileFieldPath, type FieldGetter } from './fieldPath';
import { toDimensionString, toEpochMs, toId, toNumber } from './values';
import { WarningCollector } from './warnings';
import { compareCodePoints } from '../text';

/** One event handed to `buildDataset`. */
export interface RawEvent {
  personId: string;
  namespace: string;
  /** Epoch milliseconds. */
  timestamp: number;
  sessionId?: string;
  /** The row's fields: a plain (possibly nested) object, or a getter by dotted field path. */
  fields: Record<string, unknown> | ((path: string) => unknown);
}

/** A column the builder fills: every dimension, then every metric, of the data view. */
export interface ColumnSpec {
  name: string;
  /** Dotted source field path. */
  field: string;
  kind: 'string' | 'number';
  metric: boolean;
}

export function columnSpecs(dataView: DataView): ColumnSpec[] {
  const specs: ColumnSpec[] = [];
  for (const d of dataView.dimensions) specs.push({ name: d.name, field: d.field || d.name, kind: d.type === 'number' ? 'number' : 'string', metric: false });
  for (const m of dataView.metrics) specs.push({ name: m.name, field: m.field || m.name, kind: 'number', metric: true });
  return specs;
}

const INITIAL_CAPACITY = 1 << 14;

/**
 * The contents of a builder as posted by a load worker: events ordered by the partial's own
 * person numbering (`personStart`), then time; typed arrays are transferred. Codes index the
 * partial's own dictionaries and session IDs.
 */
export interface PartialDataset {
  count: number;
  /** Per partial person (+1 at the end): the index of its first event. */
  personStart: Int32Array;
  timestamps: Float64Array;
  sessionCodes: Int32Array;
  lines: Int32Array;
  codes: (Int32Array | null)[];
  numbers: (Float64Array | null)[];
  dictionaries: (string[] | null)[];
  personIds: string[];
  personNamespaces: string[];
  sessionIds: string[];
  /** Stored warnings (lines relative to the partial's first line) and how many there were. */
  warnings: LoadWarning[];
  warningTotal: number;
}

/** A run of events in input order: own events (persons as builder persons, unordered) or a merged partial. */
interface Segment {
  columns: EventColumns;
  persons: Int32Array | null;
  partial: {
    personStart: Int32Array;
    /** Partial person → builder person; partial code → builder code per column. */
    personMap: Int32Array;
    codeMaps: (Int32Array | null)[];
    source: number;
    lineOffset: number;
    sessionBase: number;
  } | null;
}

/**
 * Accumulates events in input order. Loaders call `addEvent` with values already extracted in
 * `specs` order (the array may be reused between calls), and `warn` for skipped rows.
 */
export class DatasetBuilder {
  readonly specs: ColumnSpec[];
  readonly warnings: WarningCollector;
  private count = 0;
  private capacity = INITIAL_CAPACITY;
  private timestamps = new Float64Array(INITIAL_CAPACITY);
  private persons = new Int32Array(INITIAL_CAPACITY);
  private sessionCodes = new Int32Array(INITIAL_CAPACITY);
  private fileIndex = new Uint16Array(INITIAL_CAPACITY);
  private lines = new Int32Array(INITIAL_CAPACITY);
  private readonly codes: (Int32Array | null)[];
  private readonly numbers: (Float64Array | null)[];
  private readonly dictionaries: (Map<string, number> | null)[];
  private readonly dictionaryValues: (string[] | null)[];
  /** Person index by namespace, then person ID (nested maps: no key concatenation per row). */
  private readonly personByKey = new Map<string, Map<string, number>>();
  private readonly personIds: string[] = [];
  private readonly personNamespaces: string[] = [];
  /**
   * Session ID per session code. Codes only need to tell consecutive events apart, so a merged
   * partial's codes are appended as they are (an ID may then have several codes) and `finish`
   * compares the IDs where codes differ; `sessionByKey` interns the IDs of rows added here.
   */
  private readonly sessionIds: string[] = [];
  private readonly sessionByKey = new Map<string, number>();
  private readonly files: string[] = [];
  private lastNamespace = '';
  private lastPersonId = '';
  private lastPerson = -1;
  private readonly timeoutMs: number;
  private readonly lastValue: (string | undefined)[];
  private readonly lastCode: Int32Array;
  private isTruncated = false;
  /** Runs of events closed so far, in input order, and how many events they hold. */
  private readonly segments: Segment[] = [];
  private sealedEvents = 0;

  /**
   * `maxEvents`: events past this many are dropped (and so are warnings after the first dropped
   * event, which are about rows the dataset does not hold); the dataset is then marked truncated.
   */
  constructor(dataView: DataView, warnings = new WarningCollector(), private readonly maxEvents = Infinity) {
    this.specs = columnSpecs(dataView);
    this.warnings = warnings;
    this.timeoutMs = (Number.isFinite(dataView.sessionTimeoutMinutes) ? dataView.sessionTimeoutMinutes : 30) * 60000;
    this.codes = this.specs.map((s) => (s.kind === 'string' ? new Int32Array(INITIAL_CAPACITY) : null));
    this.numbers = this.specs.map((s) => (s.kind === 'number' ? new Float64Array(INITIAL_CAPACITY) : null));
    this.dictionaries = this.specs.map((s) => (s.kind === 'string' ? new Map<string, number>() : null));
    this.dictionaryValues = this.specs.map((s) => (s.kind === 'string' ? [] : null));
    this.lastValue = this.specs.map(() => undefined);
    this.lastCode = new Int32Array(this.specs.length);
  }

  get eventCount(): number {
    return this.sealedEvents + this.count;
  }

  /** True once an event past `maxEvents` was offered: loaders stop reading. */
  get truncated(): boolean {
    return this.isTruncated;
  }

  /** Registers a source (file path or label) and returns its index for `addEvent`. */
  addSource(path: string): number {
    this.files.push(path);
    return this.files.length - 1;
  }

  warn(file: string, line: number, message: string): void {
    if (this.isTruncated) return;
    this.warnings.add(file, line, message);
  }

  addEvent(namespace: string, personId: string, timestamp: number, sessionId: string | undefined, values: ArrayLike<unknown>, source = 0, line = 0): void {
    const i = this.beginEvent(timestamp, source, line);
    if (i < 0) return;
    this.persons[i] = this.internPerson(namespace, personId);
    this.sessionCodes[i] = sessionId === undefined ? -1 : this.internSession(sessionId);
    const specs = this.specs;
    for (let c = 0; c < specs.length; c++) {
      const raw = values[c];
      if (specs[c].kind === 'string') {
        const s = typeof raw === 'string' && raw.length > 0 ? raw : toDimensionString(raw);
        if (s === undefined) {
          this.codes[c]![i] = -1;
        } else if (s === this.lastValue[c]) {
          // Consecutive rows often repeat a value (same person, device, session): skip the hash.
          this.codes[c]![i] = this.lastCode[c];
        } else {
          const code = this.internString(c, s);
          this.codes[c]![i] = code;
          this.lastValue[c] = s;
          this.lastCode[c] = code;
        }
      } else {
        this.numbers[c]![i] = toNumber(raw);
      }
    }
  }

  /**
   * Starts the next event (for loaders that fill its person, session and columns with the
   * setters below) and returns its index; -1 when the builder is full, which marks it truncated.
   * The caller sets the event's person and every column; its session defaults to none.
   */
  beginEvent(timestamp: number, source: number, line: number): number {
    if (this.sealedEvents + this.count >= this.maxEvents) {
      this.isTruncated = true;
      return -1;
    }
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.timestamps[i] = timestamp;
    this.sessionCodes[i] = -1;
    this.fileIndex[i] = source;
    this.lines[i] = line;
    return i;
  }

  setPerson(i: number, person: number): void {
    this.persons[i] = person;
  }

  setSession(i: number, session: number): void {
    this.sessionCodes[i] = session;
  }

  /** Sets string column `c` of event `i` to a code from `internString` (-1: missing). */
  setCode(c: number, i: number, code: number): void {
    this.codes[c]![i] = code;
  }

  setNumber(c: number, i: number, value: number): void {
    this.numbers[c]![i] = value;
  }

  /** The dictionary code of `value` in string column `c`, added when new. */
  internString(c: number, value: string): number {
    const dict = this.dictionaries[c]!;
    let code = dict.get(value);
    if (code === undefined) {
      code = dict.size;
      dict.set(value, code);
      this.dictionaryValues[c]!.push(value);
    }
    return code;
  }

  /**
   * A new code for a session ID, for callers that already know it is new to them (two codes for
   * one ID are allowed; see `sessionIds`).
   */
  addSessionId(sessionId: string): number {
    return this.sessionIds.push(sessionId) - 1;
  }

  /** The code of a session ID, added when new. */
  internSession(sessionId: string): number {
    let code = this.sessionByKey.get(sessionId);
    if (code === undefined) {
      code = this.sessionIds.push(sessionId) - 1;
      this.sessionByKey.set(sessionId, code);
    }
    return code;
  }

  /** The index of the person (namespace, ID), added when new. */
  internPerson(namespace: string, personId: string): number {
    // Sample files usually list a person's events together: skip the map for repeats.
    if (personId === this.lastPersonId && namespace === this.lastNamespace && this.lastPerson >= 0) return this.lastPerson;
    let byId = this.personByKey.get(namespace);
    if (byId === undefined) {
      byId = new Map<string, number>();
      this.personByKey.set(namespace, byId);
    }
    let p = byId.get(personId);
    if (p === undefined) {
      p = this.personIds.length;
      byId.set(personId, p);
      this.personIds.push(personId);
      this.personNamespaces.push(namespace);
    }
    this.lastNamespace = namespace;
    this.lastPersonId = personId;
    this.lastPerson = p;
    return p;
  }

  /** Doubles the capacity. */
  private grow(): void {
    const cap = this.capacity * 2;
    this.timestamps = growFloat(this.timestamps, cap);
    this.persons = growInt(this.persons, cap);
    this.sessionCodes = growInt(this.sessionCodes, cap);
    const files = new Uint16Array(cap);
    files.set(this.fileIndex);
    this.fileIndex = files;
    this.lines = growInt(this.lines, cap);
    for (let c = 0; c < this.specs.length; c++) {
      const codes = this.codes[c];
      if (codes) this.codes[c] = growInt(codes, cap);
      const numbers = this.numbers[c];
      if (numbers) this.numbers[c] = growFloat(numbers, cap);
    }
    this.capacity = cap;
  }

  /** The own events added so far (views of the first `count` entries). */
  private ownColumns(): EventColumns {
    const n = this.count;
    return {
      timestamps: this.timestamps.subarray(0, n),
      sessionCodes: this.sessionCodes.subarray(0, n),
      lines: this.lines.subarray(0, n),
      sources: this.fileIndex.subarray(0, n),
      codes: this.codes.map((c) => c && c.subarray(0, n)),
      numbers: this.numbers.map((c) => c && c.subarray(0, n)),
    };
  }

  /** Closes the run of own events added so far (before a partial is appended after them). */
  private sealOwnEvents(): void {
    if (this.count === 0) return;
    this.segments.push({ columns: this.ownColumns(), persons: this.persons.subarray(0, this.count), partial: null });
    this.sealedEvents += this.count;
    this.count = 0;
    this.capacity = INITIAL_CAPACITY;
    this.timestamps = new Float64Array(INITIAL_CAPACITY);
    this.persons = new Int32Array(INITIAL_CAPACITY);
    this.sessionCodes = new Int32Array(INITIAL_CAPACITY);
    this.fileIndex = new Uint16Array(INITIAL_CAPACITY);
    this.lines = new Int32Array(INITIAL_CAPACITY);
    for (let c = 0; c < this.specs.length; c++) {
      if (this.codes[c]) this.codes[c] = new Int32Array(INITIAL_CAPACITY);
      if (this.numbers[c]) this.numbers[c] = new Float64Array(INITIAL_CAPACITY);
    }
  }

  /**
   * The builder's events ordered by its own person numbering, for posting from a worker (typed
   * arrays may be transferred). The builder is spent after. Its only events must be its own.
   */
  exportPartial(): PartialDataset {
    const order = orderByPerson(this.count, this.persons, null, this.personIds.length, this.timestamps);
    const columns = permuteColumns({ ...this.ownColumns(), sources: null }, order.perm);
    return {
      count: this.count,
      personStart: order.keyStart,
      timestamps: columns.timestamps,
      sessionCodes: columns.sessionCodes,
      lines: columns.lines,
      codes: columns.codes,
      numbers: columns.numbers,
      dictionaries: this.dictionaryValues,
      personIds: this.personIds,
      personNamespaces: this.personNamespaces,
      sessionIds: this.sessionIds,
      warnings: this.warnings.warnings,
      warningTotal: this.warnings.total,
    };
  }

  /**
   * Appends a partial built from the same data view (by a worker reading one stretch of a file),
   * as if its events had been added here; `lineOffset` is added to its lines.
   */
  appendPartial(part: PartialDataset, source: number, lineOffset: number): void {
    for (const w of part.warnings) this.warnings.add(w.file, w.line + lineOffset, w.message);
    this.warnings.total += part.warningTotal - part.warnings.length;
    this.sealOwnEvents();
    const personMap = new Int32Array(part.personIds.length);
    for (let p = 0; p < personMap.length; p++) personMap[p] = this.internPerson(part.personNamespaces[p], part.personIds[p]);
    const sessionBase = this.sessionIds.length;
    for (const id of part.sessionIds) this.sessionIds.push(id);
    const codeMaps = part.dictionaries.map((dict, c) => {
      if (!dict) return null;
      const map = new Int32Array(dict.length);
      for (let k = 0; k < dict.length; k++) map[k] = this.internString(c, dict[k]);
      return map;
    });
    const columns: EventColumns = { timestamps: part.timestamps, sessionCodes: part.sessionCodes, lines: part.lines, sources: null, codes: part.codes, numbers: part.numbers };
    this.segments.push({ columns, persons: null, partial: { personStart: part.personStart, personMap, codeMaps, source, lineOffset, sessionBase } });
    this.sealedEvents += part.count;
  }

  /** Orders the events, numbers persons and sessions, and returns the Dataset. The builder is spent after. */
  finish(): Dataset {
    this.sealOwnEvents();
    const n = this.sealedEvents;
    const personCount = this.personIds.length;

    // Person numbering by (namespace, ID).
    const order = Array.from({ length: personCount }, (_, i) => i);
    const ids = this.personIds;
    const nss = this.personNamespaces;
    order.sort((a, b) => compareCodePoints(nss[a], nss[b]) || compareCodePoints(ids[a], ids[b]));
    const rank = new Int32Array(personCount);
    for (let r = 0; r < personCount; r++) rank[order[r]] = r;

    const identityRank = Int32Array.from({ length: personCount }, (_, r) => r);
    const noMaps = this.specs.map(() => null);
    const runs: Run[] = this.segments.map((segment) => {
      const partial = segment.partial;
      if (partial === null) {
        // Own events: ordered here, by final person rank.
        const byRank = orderByPerson(segment.columns.timestamps.length, segment.persons!, rank, personCount, segment.columns.timestamps);
        return { columns: permuteColumns(segment.columns, byRank.perm), keyStart: byRank.keyStart, keyRank: identityRank, source: 0, lineOffset: 0, sessionBase: 0, codeMaps: noMaps };
      }
      const keyRank = new Int32Array(partial.personMap.length);
      for (let k = 0; k < keyRank.length; k++) keyRank[k] = rank[partial.personMap[k]];
      return { columns: segment.columns, keyStart: partial.personStart, keyRank, source: partial.source, lineOffset: partial.lineOffset, sessionBase: partial.sessionBase, codeMaps: partial.codeMaps };
    });
    this.segments.length = 0;
    let columns: EventColumns;
    let personStart: Int32Array;
    if (runs.length === 1 && runs[0].keyRank === identityRank && runs[0].columns.sources) {
      // One run of own events is in final order already.
      ({ columns, keyStart: personStart } = runs[0]);
    } else if (runs.length === 0) {
      columns = this.ownColumns(); // no events: empty views
      personStart = new Int32Array(personCount + 1);
    } else {
      ({ columns, personStart } = mergeRuns(runs, personCount, n));
    }
    const { timestamps, sessionCodes } = columns;

    const person = new Int32Array(n);
    for (let r = 0; r < personCount; r++) person.fill(r, personStart[r], personStart[r + 1]);

    // Sessions.
    const session = new Int32Array(n);
    const starts: number[] = [];
    const timeout = this.timeoutMs;
    const sessionIds = this.sessionIds;
    let current = -1;
    for (let k = 0; k < n; k++) {
      const code = sessionCodes[k];
      const previous = k === 0 ? -1 : sessionCodes[k - 1];
      let isNew: boolean;
      if (k === 0 || person[k] !== person[k - 1]) isNew = true;
      else if (code !== previous) isNew = code === -1 || previous === -1 || sessionIds[code] !== sessionIds[previous];
      else isNew = code === -1 && timestamps[k] - timestamps[k - 1] > timeout;
      if (isNew) {
        current++;
        starts.push(k);
      }
      session[k] = current;
    }
    const sessionCount = current + 1;
    const sessionStart = new Int32Array(sessionCount + 1);
    for (let s = 0; s < sessionCount; s++) sessionStart[s] = starts[s];
    sessionStart[sessionCount] = n;

    const dataColumns = new Map<string, Column>();
    this.specs.forEach((spec, c) => {
      if (spec.kind === 'string') dataColumns.set(spec.name, { kind: 'string', codes: columns.codes[c]!, dictionary: this.dictionaryValues[c]! });
      else dataColumns.set(spec.name, { kind: 'number', values: columns.numbers[c]! });
    });

    return {
      eventCount: n,
      timestamps,
      person,
      session,
      personCount,
      sessionCount,
      personStart,
      sessionStart,
      personIds: order.map((p) => ids[p]),
      personNamespaces: order.map((p) => nss[p]),
      columns: dataColumns,
      warnings: this.warnings.result(),
      warningCount: this.warnings.total,
      sources: { files: this.files.slice(), file: columns.sources!, line: columns.lines },
      ...(Number.isFinite(this.maxEvents) ? { rowLimit: this.maxEvents, truncated: this.isTruncated } : {}),
    };
  }
}

function growInt(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

function growFloat(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** Builds a Dataset from events already carrying their identity and epoch-ms timestamp. */
export function buildDataset(rows: Iterable<RawEvent>, dataView: DataView): Dataset {
  const builder = new DatasetBuilder(dataView);
  const source = builder.addSource('<events>');
  const specs = builder.specs;
  const getters = specs.map((s) => compileFieldPath(s.field));
  const values: unknown[] = new Array(specs.length);
  let line = 0;
  for (const row of rows) {
    line++;
    const fields = row.fields;
    if (typeof fields === 'function') {
      for (let c = 0; c < specs.length; c++) values[c] = fields(specs[c].field);
    } else {
      for (let c = 0; c < specs.length; c++) values[c] = getters[c](fields);
    }
    builder.addEvent(row.namespace, row.personId, row.timestamp, row.sessionId, values, source, line);
  }
  return builder.finish();
}

/**
 * Reads the identity, timestamp, session and column values of parsed JSON rows into a builder;
 * used by the JSON loaders and by `datasetFromRecords`.
 */
export class ObjectRowReader {
  private readonly person: FieldGetter;
  private readonly namespace: FieldGetter | undefined;
  private readonly fixedNamespace: string | undefined;
  private readonly timestamp: FieldGetter;
  private readonly session: FieldGetter | undefined;
  private readonly getters: FieldGetter[];
  private readonly values: unknown[];

  constructor(
    private readonly builder: DatasetBuilder,
    dataView: DataView,
    private readonly identity: Identity,
    private readonly file: string,
    private readonly source: number,
  ) {
    this.person = compileFieldPath(identity.personField);
    this.namespace = identity.namespaceField ? compileFieldPath(identity.namespaceField) : undefined;
    this.fixedNamespace = identity.namespace;
    this.timestamp = compileFieldPath(dataView.timestampField);
    this.session = dataView.sessionField ? compileFieldPath(dataView.sessionField) : undefined;
    this.getters = builder.specs.map((s) => compileFieldPath(s.field));
    this.values = new Array(builder.specs.length);
  }

  /** Adds one parsed row, or records a warning and skips it. */
  read(row: unknown, line: number): void {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      this.builder.warn(this.file, line, 'row is not a JSON object; skipped');
      return;
    }
    const obj = row as Record<string, unknown>;
    const personId = toId(this.person(obj));
    if (personId === undefined) {
      this.builder.warn(this.file, line, `missing person ID (field "${this.identity.personField}"); row skipped`);
      return;
    }
    let namespace = this.fixedNamespace;
    if (this.namespace) {
      const fromField = toId(this.namespace(obj));
      if (fromField !== undefined) namespace = fromField;
    }
    if (namespace === undefined) {
      this.builder.warn(this.file, line, `missing identity namespace (field "${this.identity.namespaceField}"); row skipped`);
      return;
    }
    const rawTime = this.timestamp(obj);
    const timestamp = toEpochMs(rawTime);
    if (Number.isNaN(timestamp)) {
      this.builder.warn(this.file, line, rawTime === undefined || rawTime === null ? 'missing timestamp; row skipped' : `unparseable timestamp ${JSON.stringify(rawTime)}; row skipped`);
      return;
    }
    const sessionId = this.session ? toId(this.session(obj)) : undefined;
    const getters = this.getters;
    const values = this.values;
    for (let c = 0; c < getters.length; c++) values[c] = getters[c](obj);
    this.builder.addEvent(namespace, personId, timestamp, sessionId, values, this.source, line);
  }
}

/** Default identity for `datasetFromRecords` when the data view lists no files. */
const DEFAULT_IDENTITY: Identity = { personField: 'person_id', namespace: 'ECID' };

/**
 * Builds a Dataset from plain JSON rows as they appear in a sample file (mainly for tests of other
 * modules). Identity comes from `identity`, else the data view's first file, else
 * `person_id` in the `ECID` namespace. Bad rows become warnings with file `<records>` and the
 * 1-based row index as line.
 */
export function datasetFromRecords(records: readonly object[], dataView: DataView, identity?: Identity): Dataset {
  const builder = new DatasetBuilder(dataView);
  const label = '<records>';
  const source = builder.addSource(label);
  const reader = new ObjectRowReader(builder, dataView, identity ?? dataView.files[0]?.identity ?? DEFAULT_IDENTITY, label, source);
  for (let i = 0; i < records.length; i++) reader.read(records[i], i + 1);
  return builder.finish();
}
