/**
 * Conversions of raw sample values (JSON values or CSV cells) into the typed forms a Dataset
 * stores. Shared by every loader so that a value means the same thing in every format.
 */

/**
 * Epoch numbers below this are seconds, at or above it milliseconds. 1e11 seconds is the year
 * 5138 and 1e11 milliseconds is 1973-03-03, so any realistic behavioural timestamp is classified
 * correctly either way.
 */
export const EPOCH_SECONDS_LIMIT = 1e11;

/** A number from a number, a BigInt (Parquet INT64) or a numeric string; NaN for anything else (and for ""/blank). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    if (value.length === 0) return NaN;
    const c = value.charCodeAt(0);
    // Number('') and Number('  ') are 0, so blank strings must be rejected before converting.
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      if (value.trim().length === 0) return NaN;
    }
    const n = Number(value);
    return Number.isFinite(n) ? n : NaN;
  }
  return NaN;
}

/** A string dimension value; undefined when missing (null, undefined, empty string). */
export function toDimensionString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length === 0 ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return undefined;
  return JSON.stringify(value);
}

/** A person or session ID; undefined when missing or empty. */
export function toId(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.length === 0) return undefined;
    // Cheap check before trimming: most IDs have no surrounding blanks.
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(value.length - 1);
    if (first <= 32 || last <= 32) {
      const trimmed = value.trim();
      return trimmed.length === 0 ? undefined : trimmed;
    }
    return value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * Epoch milliseconds from an epoch number or BigInt (seconds or milliseconds, by magnitude, see
 * EPOCH_SECONDS_LIMIT), a numeric string, an ISO-8601 string or a Date. NaN when unparseable.
 */
export function toEpochMs(value: unknown): number {
  if (typeof value === 'number') return epochNumberToMs(value);
  if (typeof value === 'bigint') return epochNumberToMs(Number(value));
  if (typeof value === 'string') {
    const c = value.charCodeAt(0);
    // ISO-8601 starts with a 4-digit year followed by '-'; anything else numeric is an epoch.
    if (value.length >= 5 && value.charCodeAt(4) === 45 /* - */ && c >= 48 && c <= 57) return parseIsoTimestamp(value);
    return epochNumberToMs(toNumber(value));
  }
  if (value instanceof Date) return value.getTime();
  return NaN;
}

function epochNumberToMs(n: number): number {
  if (!Number.isFinite(n)) return NaN;
  return Math.abs(n) < EPOCH_SECONDS_LIMIT ? n * 1000 : n;
}

function digits(s: string, start: number, count: number): number {
  let v = 0;
  for (let i = start; i < start + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Strict ISO-8601 / RFC 3339 parser: `YYYY-MM-DD`, optionally followed by `T` (or a space)
 * `HH:MM[:SS[.fraction]]` and `Z` or an offset `±HH:MM` / `±HHMM` / `±HH`. A timestamp without an
 * offset is UTC (never the machine's local time, so results do not depend on where they run).
 * Hand-written rather than `Date.parse`, which accepts many non-ISO forms and reads offset-less
 * date-times as local time.
 */
export function parseIsoTimestamp(s: string): number {
  const len = s.length;
  if (len < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offsetMinutes = 0;
  let i = 10;
  if (i < len) {
    const sep = s.charCodeAt(i);
    if (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32) return NaN;
    i++;
    if (i + 5 > len || s.charCodeAt(i + 2) !== 58) return NaN;
    hour = digits(s, i, 2);
    minute = digits(s, i + 3, 2);
    i += 5;
    if (i < len && s.charCodeAt(i) === 58) {
      second = digits(s, i + 1, 2);
      if (i + 3 > len) return NaN;
      i += 3;
      if (i < len && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
        i++;
        let scale = 100;
        const start = i;
        while (i < len) {
          const d = s.charCodeAt(i) - 48;
          if (d < 0 || d > 9) break;
          ms += d * scale;
          scale /= 10;
          i++;
        }
        if (i === start) return NaN;
      }
    }
    if (i < len) {
      const z = s.charCodeAt(i);
      if (z === 90 /* Z */ || z === 122 /* z */) {
        i++;
      } else if (z === 43 /* + */ || z === 45 /* - */) {
        const oh = digits(s, i + 1, 2);
        if (oh < 0 || oh > 23) return NaN;
        let om = 0;
        i += 3;
        if (i < len && s.charCodeAt(i) === 58) i++;
        if (i < len) {
          om = digits(s, i, 2);
          if (om < 0 || om > 59) return NaN;
          i += 2;
        }
        offsetMinutes = (z === 43 ? 1 : -1) * (oh * 60 + om);
      } else {
        return NaN;
      }
    }
    if (i !== len) return NaN;
  }
  return isoFieldsToEpochMs(year, month, day, hour, minute, second, ms, offsetMinutes);
}

function byteDigits(b: Uint8Array, start: number, count: number): number {
  let v = 0;
  for (let i = start; i < start + count; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * `parseIsoTimestamp` for the form almost every sample file uses, `YYYY-MM-DDTHH:MM:SS[.f…]Z`,
 * read from the bytes of `b[start, end)` without making a string. Undefined when the bytes have
 * another form: the caller then decodes them and calls `parseIsoTimestamp`, so the result is the
 * same either way.
 */
export function parseIsoTimestampBytes(b: Uint8Array, start: number, end: number): number | undefined {
  const len = end - start;
  if (len < 20 || b[start + 4] !== 45 || b[start + 7] !== 45 || b[start + 10] !== 84 || b[start + 13] !== 58 || b[start + 16] !== 58 || b[end - 1] !== 90) return undefined;
  let ms = 0;
  if (len > 20) {
    if (b[start + 19] !== 46) return undefined;
    let scale = 100;
    for (let i = start + 20; i < end - 1; i++) {
      const d = b[i] - 48;
      if (d < 0 || d > 9) return undefined;
      ms += d * scale;
      scale /= 10;
    }
    if (len === 21) return undefined;
  }
  return isoFieldsToEpochMs(
    byteDigits(b, start, 4),
    byteDigits(b, start + 5, 2),
    byteDigits(b, start + 8, 2),
    byteDigits(b, start + 11, 2),
    byteDigits(b, start + 14, 2),
    byteDigits(b, start + 17, 2),
    ms,
    0,
  );
}

/** The last date seen: timestamps in a file mostly repeat the previous row's day. */
let lastDayKey = -1;
let lastDayMs = 0;

/** Epoch milliseconds of ISO date-time fields (a field is -1 where it was not digits); NaN when one is out of range. */
function isoFieldsToEpochMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offsetMinutes: number): number {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return NaN;
  if (hour < 0 || hour > 24 || minute < 0 || minute > 59 || second < 0 || second > 60) return NaN;
  // Date.UTC rolls 2026-02-31 over into March; reject such dates instead.
  if (day > daysInMonth(year, month)) return NaN;
  const dayKey = (year * 16 + month) * 32 + day;
  if (dayKey !== lastDayKey) {
    lastDayKey = dayKey;
    lastDayMs = Date.UTC(year, month - 1, day);
  }
  return lastDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + Math.round(ms) - offsetMinutes * 60000;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29;
  return DAYS_IN_MONTH[month - 1];
}
