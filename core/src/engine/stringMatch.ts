/**
 * String predicates of dimension conditions. Each compiles once per condition into a plain
 * function of one value; the engine applies it once per dictionary entry (not per event).
 *
 * Globs (`matches`): `*` matches any run of characters, `\` makes the next character literal
 * (`\*` is a star, `\\` a backslash; a trailing `\` is itself). They compile to literal segments
 * matched greedily left to right with KMP, so a match takes time linear in the value plus the
 * pattern whatever the input; no RegExp is ever built from rule text.
 */

import { compareCodePoints } from '../text';

export type StringTest = (value: string) => boolean;

/** Positive string operators; the engine negates them for the `not...` forms. */
export type PositiveStringOp =
  | 'eq'
  | 'in'
  | 'contains'
  | 'containsAny'
  | 'containsAll'
  | 'startsWith'
  | 'endsWith'
  | 'matches'
  | 'lt'
  | 'gt'
  | 'le'
  | 'ge'
  | 'between';

export function compileStringTest(op: PositiveStringOp, literals: string[], caseInsensitive: boolean): StringTest {
  const fold = caseInsensitive ? (s: string) => s.toLowerCase() : (s: string) => s;
  const lits = literals.map(fold);
  const wrap = (test: StringTest): StringTest => (caseInsensitive ? (v) => test(v.toLowerCase()) : test);
  const first = lits[0] ?? '';
  switch (op) {
    case 'eq':
      return wrap((v) => v === first);
    case 'in': {
      const set = new Set(lits);
      return wrap((v) => set.has(v));
    }
    case 'contains':
      return wrap((v) => v.includes(first));
    case 'containsAny':
      return wrap((v) => lits.some((l) => v.includes(l)));
    case 'containsAll':
      return wrap((v) => lits.every((l) => v.includes(l)));
    case 'startsWith':
      return wrap((v) => v.startsWith(first));
    case 'endsWith':
      return wrap((v) => v.endsWith(first));
    case 'matches': {
      const globs = literals.map((l) => compileGlob(fold(l)));
      return wrap((v) => globs.some((g) => g(v)));
    }
    // Text order is by code points (compareCodePoints), as in the SQL the compiler writes.
    case 'lt':
      return wrap((v) => compareCodePoints(v, first) < 0);
    case 'gt':
      return wrap((v) => compareCodePoints(v, first) > 0);
    case 'le':
      return wrap((v) => compareCodePoints(v, first) <= 0);
    case 'ge':
      return wrap((v) => compareCodePoints(v, first) >= 0);
    case 'between': {
      const hi = lits[1] ?? first;
      return wrap((v) => compareCodePoints(v, first) >= 0 && compareCodePoints(v, hi) <= 0);
    }
  }
}

/** Splits a glob into its literal segments: `a*b\*c` → ['a', 'b*c']. */
export function globSegments(pattern: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      current += pattern[++i];
    } else if (c === '*') {
      segments.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  segments.push(current);
  return segments;
}

/** A linear-time matcher for a whole-value glob. */
export function compileGlob(pattern: string): StringTest {
  const segments = globSegments(pattern);
  if (segments.length === 1) {
    const only = segments[0];
    return (v) => v === only;
  }
  const head = segments[0];
  const tail = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((s) => s.length > 0).map((s) => ({ text: s, fail: kmpTable(s) }));
  const fixed = head.length + tail.length;
  return (v) => {
    if (v.length < fixed || !v.startsWith(head) || !v.endsWith(tail)) return false;
    let pos = head.length;
    const limit = v.length - tail.length;
    for (const seg of middle) {
      const at = kmpFind(v, seg.text, seg.fail, pos, limit);
      if (at < 0) return false;
      pos = at + seg.text.length;
    }
    return true;
  };
}

function kmpTable(p: string): Int32Array {
  const fail = new Int32Array(p.length + 1);
  fail[0] = -1;
  let k = -1;
  for (let i = 0; i < p.length; i++) {
    while (k >= 0 && p.charCodeAt(k) !== p.charCodeAt(i)) k = fail[k];
    k++;
    fail[i + 1] = k;
  }
  return fail;
}

/** Leftmost occurrence of `p` in `s` starting at or after `from` and ending at or before `limit`. */
function kmpFind(s: string, p: string, fail: Int32Array, from: number, limit: number): number {
  let k = 0;
  for (let i = from; i < limit; i++) {
    const c = s.charCodeAt(i);
    while (k >= 0 && p.charCodeAt(k) !== c) k = fail[k];
    k++;
    if (k === p.length) return i - p.length + 1;
  }
  return -1;
}
