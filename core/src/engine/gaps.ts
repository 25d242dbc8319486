/**
 * Gap constraints of sequences (`within N unit`, `after N unit`) over frame events.
 *
 * Every unit is a non-decreasing key over a unit's events plus a "reach" from a position:
 * - minutes, hours, days, weeks: key = timestamp, reach = t + N·length (fixed lengths, UTC);
 * - months, quarters, years: key = timestamp, reach = the same UTC wall time N calendar months
 *   later, the day clamped to the month's length (Jan 31 + 1 month = Feb 28 or 29);
 * - events: key = event position (`within 1 event` = the very next event);
 * - sessions: key = session ordinal (`within 0 sessions` = the same session, 1 = same or next);
 * - dimension instances: key = number of instances of the dimension so far, an instance being an
 *   event where the value is present and differs from the previous present value of the person
 *   (so the distance is the number of instances after the earlier event, up to the later one).
 * From an earlier position `e` to a later position `s`: `within` holds when key[s] <= reach(e)
 * (inclusive), `after` when key[s] > reach(e) (exclusive).
 */
import type { GapConstraint, TimeUnit } from '../rule/ast';
import type { Frame } from './frame';

const FIXED_MS: Partial<Record<TimeUnit, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};
const CALENDAR_MONTHS: Partial<Record<TimeUnit, number>> = { month: 1, quarter: 3, year: 12 };

export interface CompiledGap {
  limit: 'within' | 'after';
  key: ArrayLike<number>;
  reach: (position: number) => number;
}

/** Adds calendar months in UTC, clamping the day to the target month's length. */
export function addCalendarMonths(epochMs: number, months: number): number {
  const d = new Date(epochMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const targetYear = y + Math.floor(m / 12);
  const targetMonth = ((m % 12) + 12) % 12;
  const daysInTarget = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), daysInTarget);
  return Date.UTC(targetYear, targetMonth, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** Per-frame key arrays, built on first use. */
export class GapKeys {
  private eventKey: Int32Array | undefined;
  private readonly instanceKeys = new Map<string, Float64Array>();

  constructor(private readonly frame: Frame) {}

  compile(c: GapConstraint): CompiledGap {
    const frame = this.frame;
    const n = c.count;
    const u = c.unit;
    if (u.kind === 'time') {
      const ts = frame.timestamps;
      const fixed = FIXED_MS[u.unit];
      if (fixed !== undefined) {
        const delta = n * fixed;
        return { limit: c.limit, key: ts, reach: (i) => ts[i] + delta };
      }
      const months = Math.floor(n * (CALENDAR_MONTHS[u.unit] ?? 1));
      return { limit: c.limit, key: ts, reach: (i) => addCalendarMonths(ts[i], months) };
    }
    if (u.kind === 'event') {
      const key = this.events();
      return { limit: c.limit, key, reach: (i) => i + n };
    }
    if (u.kind === 'session') {
      const key = frame.session;
      return { limit: c.limit, key, reach: (i) => key[i] + n };
    }
    const key = this.instances(u.name.name);
    return { limit: c.limit, key, reach: (i) => key[i] + n };
  }

  private events(): Int32Array {
    if (!this.eventKey) {
      this.eventKey = new Int32Array(this.frame.n);
      for (let i = 0; i < this.frame.n; i++) this.eventKey[i] = i;
    }
    return this.eventKey;
  }

  private instances(name: string): Float64Array {
    let key = this.instanceKeys.get(name);
    if (!key) {
      const mask = instanceMask(this.frame, name);
      key = new Float64Array(this.frame.n);
      let count = 0;
      for (let i = 0; i < this.frame.n; i++) {
        if (mask[i]) count++;
        key[i] = count;
      }
      this.instanceKeys.set(name, key);
    }
    return key;
  }
}

/**
 * Instance events of a dimension: the value is present and differs from the previous present
 * value of the same person (consecutive repeats count once). Unknown dimensions have none.
 */
export function instanceMask(frame: Frame, name: string): Uint8Array {
  const mask = new Uint8Array(frame.n);
  const col = frame.column(name);
  if (!col) return mask;
  const person = frame.person;
  let lastPerson = -1;
  if (col.kind === 'string') {
    const codes = col.codes;
    let last = -1;
    for (let i = 0; i < frame.n; i++) {
      if (person[i] !== lastPerson) {
        lastPerson = person[i];
        last = -1;
      }
      const c = codes[i];
      if (c >= 0 && c !== last) {
        mask[i] = 1;
        last = c;
      }
    }
  } else {
    const values = col.values;
    let last = NaN;
    for (let i = 0; i < frame.n; i++) {
      if (person[i] !== lastPerson) {
        lastPerson = person[i];
        last = NaN;
      }
      const v = values[i];
      if (!Number.isNaN(v) && v !== last) {
        mask[i] = 1;
        last = v;
      }
    }
  }
  return mask;
}

/** Largest i in [lo, hi) with key[i] <= v, or lo - 1. */
export function lastAtMost(key: ArrayLike<number>, lo: number, hi: number, v: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (key[mid] <= v) a = mid + 1;
    else b = mid;
  }
  return a - 1;
}

/** Smallest i in [lo, hi) with key[i] > v, or hi. */
export function firstAbove(key: ArrayLike<number>, lo: number, hi: number, v: number): number {
  return lastAtMost(key, lo, hi, v) + 1;
}

/** Smallest i in [lo, hi) for which `pred` holds, `pred` being monotone (false… then true…), or hi. */
export function firstTrue(lo: number, hi: number, pred: (i: number) => boolean): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (pred(mid)) b = mid;
    else a = mid + 1;
  }
  return a;
}
