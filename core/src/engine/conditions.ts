/**
 * Conditions over frame events and units.
 *
 * Interpretation choices (documented in docs/language.md):
 * - Negated operators (`!=`, `not in`, `does not contain`, …, `does not match`, `not exists`) are
 *   the event-level negation of the positive operator, so an event without a value satisfies them.
 *   Positive operators, comparisons and `between` never hold on a missing value.
 * - A string literal compared with a number dimension is read as a number; a number literal
 *   compared with a string dimension as its decimal text; string operators on a number dimension
 *   apply to the value's decimal text. `<`, `>`, `<=`, `>=` and `between` on strings compare code
 *   points, like SQL's binary collations (case-folded with the case-insensitive form).
 * - Attribution: repeating (default) tests every event; instance tests only events where the value
 *   was set or changed (present and different from the person's previous present value, so
 *   consecutive repeats count once); non-repeating instance tests only the first occurrence of
 *   each value per session (default, as `[non-repeating instance]` parses) or per person.
 * - A metric condition compares the unit's total (missing = 0). `exists` on a metric holds when some
 *   event of the unit has a present, non-zero value (Adobe's event-exists); `not exists` negates it.
 * - `count distinct d` counts the distinct present values of d over the unit.
 */
import type { DataView } from '../dataview/model';
import type { Condition, Literal, Operator, Scope } from '../rule/ast';
import { instanceMask } from './gaps';
import type { Frame } from './frame';
import { compileStringTest, type PositiveStringOp } from './stringMatch';

const NEGATION: Partial<Record<Operator, Operator>> = {
  ne: 'eq',
  notIn: 'in',
  notContains: 'contains',
  notContainsAny: 'containsAny',
  notContainsAll: 'containsAll',
  notStartsWith: 'startsWith',
  notEndsWith: 'endsWith',
  notMatches: 'matches',
  notExists: 'exists',
};

/** The positive form of an operator and whether the condition negates it. */
export function splitNegation(op: Operator): { positive: Operator; negated: boolean } {
  const positive = NEGATION[op];
  return positive ? { positive, negated: true } : { positive: op, negated: false };
}

export type SubjectKind = 'dimension' | 'metric' | 'countDistinct' | 'unknown';

export function subjectKind(cond: Condition, dataView: DataView, frame: Frame): SubjectKind {
  if (cond.subject.kind === 'countDistinct') return 'countDistinct';
  if (dataView.metrics.some((m) => m.name === cond.subject.name)) return 'metric';
  if (dataView.dimensions.some((d) => d.name === cond.subject.name)) return 'dimension';
  return frame.column(cond.subject.name) ? 'dimension' : 'unknown';
}

function literalNumber(l: Literal): number {
  if (l.kind === 'number') return l.value;
  const t = l.value.trim();
  return t.length === 0 ? NaN : Number(t);
}

function literalString(l: Literal): string {
  return l.kind === 'string' ? l.value : String(l.value);
}

/** A test of one number against the positive operator, or undefined for string-only operators. */
export function numberTest(op: Operator, literals: Literal[]): ((v: number) => boolean) | undefined {
  const nums = literals.map(literalNumber);
  const x = nums[0] ?? NaN;
  switch (op) {
    case 'eq':
      return (v) => v === x;
    case 'in': {
      const set = new Set(nums);
      return (v) => set.has(v);
    }
    case 'lt':
      return (v) => v < x;
    case 'gt':
      return (v) => v > x;
    case 'le':
      return (v) => v <= x;
    case 'ge':
      return (v) => v >= x;
    case 'between': {
      const hi = nums[1] ?? NaN;
      return (v) => v >= x && v <= hi;
    }
    default:
      return undefined;
  }
}

/**
 * For a repeating condition on a string dimension: the per-dictionary-entry truth table (index =
 * code + 1, index 0 = missing) and the codes, so units can be tested with an early exit. Else null.
 */
export function stringConditionTable(cond: Condition, frame: Frame): { codes: Int32Array; table: Uint8Array } | null {
  if (cond.attribution !== 'repeating') return null;
  const col = frame.column(cond.subject.name);
  if (!col || col.kind !== 'string') return null;
  const { positive, negated } = splitNegation(cond.op);
  const yes = negated ? 0 : 1;
  const dict = col.dictionary;
  const table = new Uint8Array(dict.length + 1);
  table[0] = 1 - yes;
  const test = positive === 'exists' ? () => true : compileStringTest(positive as PositiveStringOp, cond.values.map(literalString), cond.caseInsensitive);
  for (let c = 0; c < dict.length; c++) table[c + 1] = test(dict[c]) ? yes : 1 - yes;
  return { codes: col.codes, table };
}

/** Event-level truth of a dimension condition, attribution applied. */
export function dimensionEventMask(cond: Condition, frame: Frame): Uint8Array {
  const n = frame.n;
  const mask = new Uint8Array(n);
  const col = frame.column(cond.subject.name);
  const { positive, negated } = splitNegation(cond.op);
  const yes = negated ? 0 : 1;
  const no = 1 - yes;
  if (!col) {
    if (negated) mask.fill(1);
    return applyAttribution(cond, frame, mask);
  }
  if (col.kind === 'string') {
    // One test per dictionary entry, then a lookup per event.
    const dict = col.dictionary;
    const table = new Uint8Array(dict.length + 1);
    table[0] = no; // code -1 (missing) maps to index 0
    if (positive === 'exists') {
      for (let c = 0; c < dict.length; c++) table[c + 1] = yes;
    } else {
      const test = compileStringTest(positive as PositiveStringOp, cond.values.map(literalString), cond.caseInsensitive);
      for (let c = 0; c < dict.length; c++) table[c + 1] = test(dict[c]) ? yes : no;
    }
    const codes = col.codes;
    for (let i = 0; i < n; i++) mask[i] = table[codes[i] + 1];
  } else {
    const values = col.values;
    let test: (v: number) => boolean;
    if (positive === 'exists') test = () => true;
    else {
      const numeric = numberTest(positive, cond.values);
      if (numeric) test = numeric;
      else {
        const s = compileStringTest(positive as PositiveStringOp, cond.values.map(literalString), cond.caseInsensitive);
        const memo = new Map<number, boolean>();
        test = (v) => {
          let r = memo.get(v);
          if (r === undefined) memo.set(v, (r = s(String(v))));
          return r;
        };
      }
    }
    for (let i = 0; i < n; i++) {
      const v = values[i];
      mask[i] = Number.isNaN(v) ? no : test(v) ? yes : no;
    }
  }
  return applyAttribution(cond, frame, mask);
}

function applyAttribution(cond: Condition, frame: Frame, mask: Uint8Array): Uint8Array {
  if (cond.attribution === 'repeating') return mask;
  const allowed = cond.attribution === 'instance' ? instanceMask(frame, cond.subject.name) : firstOccurrenceMask(frame, cond.subject.name, cond.attributionScope ?? 'session');
  for (let i = 0; i < mask.length; i++) mask[i] &= allowed[i];
  return mask;
}

/** Events holding the first occurrence of their (present) value within their session or person. */
export function firstOccurrenceMask(frame: Frame, name: string, scope: 'session' | 'person'): Uint8Array {
  const mask = new Uint8Array(frame.n);
  const col = frame.column(name);
  if (!col) return mask;
  const unit = scope === 'session' ? frame.session : frame.person;
  if (col.kind === 'string') {
    const seenIn = new Int32Array(col.dictionary.length).fill(-1);
    for (let i = 0; i < frame.n; i++) {
      const c = col.codes[i];
      if (c >= 0 && seenIn[c] !== unit[i]) {
        seenIn[c] = unit[i];
        mask[i] = 1;
      }
    }
  } else {
    let seen = new Set<number>();
    let last = -1;
    for (let i = 0; i < frame.n; i++) {
      if (unit[i] !== last) {
        last = unit[i];
        seen = new Set<number>();
      }
      const v = col.values[i];
      if (!Number.isNaN(v) && !seen.has(v)) {
        seen.add(v);
        mask[i] = 1;
      }
    }
  }
  return mask;
}

/** Per-unit truth of a metric or `count distinct` condition. */
export function aggregateUnitMask(cond: Condition, kind: 'metric' | 'countDistinct', frame: Frame, scope: Scope): Uint8Array {
  const units = frame.unitCount(scope);
  const starts = frame.unitStarts(scope);
  const col = frame.column(cond.subject.name);
  const out = new Uint8Array(units);
  const { positive, negated } = splitNegation(cond.op);
  // `exists` on a metric: some event with a present non-zero value; on a distinct count: count > 0.
  const existence = positive === 'exists';
  const totals = new Float64Array(units);
  if (kind === 'metric') {
    if (col && col.kind === 'number') {
      const values = col.values;
      if (starts) {
        for (let u = 0; u < units; u++) {
          let sum = 0;
          let any = 0;
          for (let i = starts[u]; i < starts[u + 1]; i++) {
            const v = values[i];
            if (v === v) {
              sum += v;
              if (v !== 0) any = 1;
            }
          }
          totals[u] = existence ? any : sum;
        }
      } else {
        for (let i = 0; i < units; i++) {
          const v = values[i];
          totals[i] = v === v ? (existence ? (v !== 0 ? 1 : 0) : v) : 0;
        }
      }
    }
  } else if (col) {
    distinctCounts(frame, col, scope, totals);
  }
  let test: (v: number) => boolean;
  if (existence) test = (v) => v > 0;
  else {
    const numeric = numberTest(positive, cond.values);
    if (numeric) test = numeric;
    else {
      const s = compileStringTest(positive as PositiveStringOp, cond.values.map(literalString), cond.caseInsensitive);
      test = (v) => s(String(v));
    }
  }
  for (let u = 0; u < units; u++) out[u] = test(totals[u]) !== negated ? 1 : 0;
  return out;
}

function distinctCounts(frame: Frame, col: NonNullable<ReturnType<Frame['column']>>, scope: Scope, out: Float64Array): void {
  const unitOf = frame.unitOf(scope);
  if (col.kind === 'string') {
    const seenIn = new Int32Array(col.dictionary.length).fill(-1);
    for (let i = 0; i < frame.n; i++) {
      const c = col.codes[i];
      const u = unitOf ? unitOf[i] : i;
      if (c >= 0 && seenIn[c] !== u) {
        seenIn[c] = u;
        out[u]++;
      }
    }
    return;
  }
  let seen = new Set<number>();
  let last = -1;
  for (let i = 0; i < frame.n; i++) {
    const u = unitOf ? unitOf[i] : i;
    if (u !== last) {
      last = u;
      seen = new Set<number>();
    }
    const v = col.values[i];
    if (!Number.isNaN(v) && !seen.has(v)) {
      seen.add(v);
      out[u]++;
    }
  }
}
