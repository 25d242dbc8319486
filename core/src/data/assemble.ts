/**
 * Puts events in Dataset order — by person, then time, ties in input order — and numbers the
 * sessions. A builder's events come in runs ("segments"): its own rows, and the partials that
 * load workers parsed from stretches of one file, in input order. Each run is ordered by person
 * on its own (a worker orders its partial in parallel with the other workers, which is where the
 * random memory access of reordering happens), and `mergeRuns` then lays the runs' per-person
 * blocks side by side, copying each block sequentially. A person whose blocks from two runs are
 * out of time order (a file that is not sorted by time, cut between the person's events) is
 * sorted again on its own.
 */

/** Event columns, one entry per event, all in the same order. */
export interface EventColumns {
  timestamps: Float64Array;
  /** Session code per event (-1: no session ID). */
  sessionCodes: Int32Array;
  /** 1-based line per event. */
  lines: Int32Array;
  /** Source file index per event; null when every event has the same source (see `Run.source`). */
  sources: Uint16Array | null;
  /** Per data view column: dictionary codes (string columns, -1: missing) or values (number columns). */
  codes: (Int32Array | null)[];
  numbers: (Float64Array | null)[];
}

/** The order of `count` events by (key of their person, time, index) and where each key's events start. */
export interface PersonOrder {
  perm: Int32Array;
  keyStart: Int32Array;
}

/**
 * Orders events by person key, then time, ties by index (a stable counting sort by key, then a
 * sort by time inside each key that is not already in time order). `keyOf` maps a person to its
 * key (null: the person index is the key).
 */
export function orderByPerson(count: number, persons: Int32Array, keyOf: Int32Array | null, keyCount: number, timestamps: Float64Array): PersonOrder {
  const keyStart = new Int32Array(keyCount + 1);
  if (keyOf) for (let i = 0; i < count; i++) keyStart[keyOf[persons[i]] + 1]++;
  else for (let i = 0; i < count; i++) keyStart[persons[i] + 1]++;
  for (let k = 0; k < keyCount; k++) keyStart[k + 1] += keyStart[k];
  const cursor = keyStart.slice(0, keyCount);
  const perm = new Int32Array(count);
  if (keyOf) for (let i = 0; i < count; i++) perm[cursor[keyOf[persons[i]]]++] = i;
  else for (let i = 0; i < count; i++) perm[cursor[persons[i]]++] = i;
  const byTime = (a: number, b: number): number => timestamps[a] - timestamps[b] || a - b;
  for (let k = 0; k < keyCount; k++) {
    const s = keyStart[k];
    const e = keyStart[k + 1];
    for (let j = s + 1; j < e; j++) {
      if (timestamps[perm[j]] < timestamps[perm[j - 1]]) {
        perm.subarray(s, e).sort(byTime);
        break;
      }
    }
  }
  return { perm, keyStart };
}

/** The first `perm.length` events of `columns` in the order `perm` (new arrays). */
export function permuteColumns(columns: EventColumns, perm: Int32Array): EventColumns {
  return {
    timestamps: gatherFloat(columns.timestamps, perm),
    sessionCodes: gatherInt(columns.sessionCodes, perm),
    lines: gatherInt(columns.lines, perm),
    sources: columns.sources && gatherUint16(columns.sources, perm),
    codes: columns.codes.map((c) => c && gatherInt(c, perm)),
    numbers: columns.numbers.map((c) => c && gatherFloat(c, perm)),
  };
}

// One function per array type: element access in a loop that sees several typed array types is
// several times slower.
function gatherFloat(from: Float64Array, perm: Int32Array): Float64Array<ArrayBuffer> {
  const to = new Float64Array(perm.length);
  for (let k = 0; k < perm.length; k++) to[k] = from[perm[k]];
  return to;
}

function gatherInt(from: Int32Array, perm: Int32Array): Int32Array<ArrayBuffer> {
  const to = new Int32Array(perm.length);
  for (let k = 0; k < perm.length; k++) to[k] = from[perm[k]];
  return to;
}

function gatherUint16(from: Uint16Array, perm: Int32Array): Uint16Array<ArrayBuffer> {
  const to = new Uint16Array(perm.length);
  for (let k = 0; k < perm.length; k++) to[k] = from[perm[k]];
  return to;
}

/** A run of events ordered by person key (`keyStart`), in the builder's input order among runs. */
export interface Run {
  columns: EventColumns;
  keyStart: Int32Array;
  /** Final person rank per key. */
  keyRank: Int32Array;
  /** Source file index of every event, when `columns.sources` is null. */
  source: number;
  /** Added to lines, session codes, and (through the maps) to codes when copying. */
  lineOffset: number;
  sessionBase: number;
  /** Per column: the run's code → final code (null: codes are final already). */
  codeMaps: (Int32Array | null)[];
}

/**
 * Lays the runs out in final order: each person's blocks in run order, then persons whose blocks
 * are out of time order sorted again. Returns the columns and each person's first event.
 */
export function mergeRuns(runs: Run[], personCount: number, count: number): { columns: EventColumns; personStart: Int32Array } {
  const personStart = new Int32Array(personCount + 1);
  for (const run of runs) {
    for (let k = 0; k < run.keyRank.length; k++) personStart[run.keyRank[k] + 1] += run.keyStart[k + 1] - run.keyStart[k];
  }
  for (let r = 0; r < personCount; r++) personStart[r + 1] += personStart[r];
  const cursor = personStart.slice(0, personCount);
  /** Persons with blocks from more than one run: their time order must be checked. */
  const mixed: number[] = [];
  const destinations = runs.map((run) => {
    const dest = new Int32Array(run.keyRank.length);
    for (let k = 0; k < dest.length; k++) {
      const r = run.keyRank[k];
      const length = run.keyStart[k + 1] - run.keyStart[k];
      if (length === 0) continue;
      if (cursor[r] !== personStart[r]) mixed.push(r);
      dest[k] = cursor[r];
      cursor[r] += length;
    }
    return dest;
  });

  const columns: EventColumns = {
    timestamps: new Float64Array(count),
    sessionCodes: new Int32Array(count),
    lines: new Int32Array(count),
    sources: new Uint16Array(count),
    codes: runs[0].columns.codes.map((c) => c && new Int32Array(count)),
    numbers: runs[0].columns.numbers.map((c) => c && new Float64Array(count)),
  };
  runs.forEach((run, i) => {
    const dest = destinations[i];
    const from = run.columns;
    copyFloatBlocks(from.timestamps, columns.timestamps, run.keyStart, dest);
    copyIntBlocks(from.sessionCodes, columns.sessionCodes, run.keyStart, dest, run.sessionBase, null);
    copyIntBlocks(from.lines, columns.lines, run.keyStart, dest, run.lineOffset, null);
    if (from.sources) copyUint16Blocks(from.sources, columns.sources!, run.keyStart, dest);
    else fillBlocks(columns.sources!, run.keyStart, dest, run.source);
    for (let c = 0; c < from.codes.length; c++) {
      const codes = from.codes[c];
      if (codes) copyIntBlocks(codes, columns.codes[c]!, run.keyStart, dest, 0, run.codeMaps[c]);
      else copyFloatBlocks(from.numbers[c]!, columns.numbers[c]!, run.keyStart, dest);
    }
  });
  for (const r of new Set(mixed)) reorderByTime(columns, personStart[r], personStart[r + 1]);
  return { columns, personStart };
}

/**
 * Copies each key's block of `from` to `to` at `dest[key]`, adding `offset` to values that are not
 * negative (session codes, lines) or mapping them through `map` (codes); -1 stays -1.
 */
function copyIntBlocks(from: Int32Array, to: Int32Array, keyStart: Int32Array, dest: Int32Array, offset: number, map: Int32Array | null): void {
  for (let k = 0; k < dest.length; k++) {
    const s = keyStart[k];
    const e = keyStart[k + 1];
    const shift = dest[k] - s;
    if (map) {
      for (let j = s; j < e; j++) {
        const v = from[j];
        to[j + shift] = v < 0 ? -1 : map[v];
      }
    } else {
      for (let j = s; j < e; j++) {
        const v = from[j];
        to[j + shift] = v < 0 ? v : v + offset;
      }
    }
  }
}

function copyFloatBlocks(from: Float64Array, to: Float64Array, keyStart: Int32Array, dest: Int32Array): void {
  for (let k = 0; k < dest.length; k++) {
    const shift = dest[k] - keyStart[k];
    for (let j = keyStart[k]; j < keyStart[k + 1]; j++) to[j + shift] = from[j];
  }
}

function copyUint16Blocks(from: Uint16Array, to: Uint16Array, keyStart: Int32Array, dest: Int32Array): void {
  for (let k = 0; k < dest.length; k++) {
    const shift = dest[k] - keyStart[k];
    for (let j = keyStart[k]; j < keyStart[k + 1]; j++) to[j + shift] = from[j];
  }
}

function fillBlocks(to: Uint16Array, keyStart: Int32Array, dest: Int32Array, value: number): void {
  for (let k = 0; k < dest.length; k++) to.fill(value, dest[k], dest[k] + keyStart[k + 1] - keyStart[k]);
}

/** Sorts events [s, e) of every column by time, ties keeping their order, when they are not in time order. */
function reorderByTime(columns: EventColumns, s: number, e: number): void {
  const ts = columns.timestamps;
  let sorted = true;
  for (let j = s + 1; j < e && sorted; j++) sorted = ts[j] >= ts[j - 1];
  if (sorted) return;
  const perm = Int32Array.from({ length: e - s }, (_, j) => s + j).sort((a, b) => ts[a] - ts[b] || a - b);
  const apply = <T extends Float64Array | Int32Array | Uint16Array>(a: T): void => {
    const copy = a.slice(s, e);
    for (let j = 0; j < perm.length; j++) a[s + j] = copy[perm[j] - s];
  };
  apply(columns.timestamps);
  apply(columns.sessionCodes);
  apply(columns.lines);
  if (columns.sources) apply(columns.sources);
  for (const c of columns.codes) if (c) apply(c);
  for (const c of columns.numbers) if (c) apply(c);
}
