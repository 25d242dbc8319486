/**
 * Spans: where a sequence checkpoint is matched. An event checkpoint is matched by single events
 * (start = end); a container checkpoint by a whole unit (its first to its last event); a logic
 * group by the events chosen for its items (first to last). Spans are sorted by start, then end,
 * and never cross the boundary of the sequence's unit.
 */
import type { Frame } from './frame';
import type { Scope } from '../rule/ast';

export interface Spans {
  start: Int32Array;
  end: Int32Array;
  length: number;
}

export function spansFromMask(mask: Uint8Array): Spans {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  const start = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) start[k++] = i;
  return { start, end: start, length: count };
}

/** Spans of the units of `scope` whose flag is set. */
export function spansFromUnits(frame: Frame, scope: Scope, units: Uint8Array): Spans {
  const starts = frame.unitStarts(scope);
  if (!starts) return spansFromMask(units);
  let count = 0;
  for (let u = 0; u < units.length; u++) if (units[u] && starts[u + 1] > starts[u]) count++;
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  let k = 0;
  for (let u = 0; u < units.length; u++) {
    if (units[u] && starts[u + 1] > starts[u]) {
      start[k] = starts[u];
      end[k++] = starts[u + 1] - 1;
    }
  }
  return { start, end, length: count };
}

function sortedSpans(pairs: Array<[number, number]>): Spans {
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const start = new Int32Array(pairs.length);
  const end = new Int32Array(pairs.length);
  let k = 0;
  for (const [s, e] of pairs) {
    if (k > 0 && start[k - 1] === s && end[k - 1] === e) continue;
    start[k] = s;
    end[k++] = e;
  }
  return { start: start.subarray(0, k), end: end.subarray(0, k), length: k };
}

/** `any of (...)` as a checkpoint: a span of any item. */
export function unionSpans(items: Spans[]): Spans {
  const pairs: Array<[number, number]> = [];
  for (const s of items) for (let j = 0; j < s.length; j++) pairs.push([s.start[j], s.end[j]]);
  return sortedSpans(pairs);
}

/**
 * `all of (...)` as a checkpoint: every item matched by one span of its own, in any order (two
 * items may share an event); the group's span runs from the earliest chosen start to the latest
 * chosen end. Every achievable (start, end) pair is produced, because a later end can be what a
 * following `within` needs. A pair (s, e) is achievable when every item has a span inside [s, e],
 * and either one item has exactly (s, e), or two different items have one span starting at s and
 * one ending at e. Cost per unit: O(u² · items) for a unit of u events.
 */
export function allOfSpans(frame: Frame, scope: Scope, items: Spans[]): Spans {
  const m = items.length;
  if (m === 0) return { start: new Int32Array(0), end: new Int32Array(0), length: 0 };
  if (m === 1) return items[0];
  const pairs: Array<[number, number]> = [];
  const starts = frame.unitStarts(scope);
  const unitCount = frame.unitCount(scope);
  const ptr = new Int32Array(m);
  const INF = 0x7fffffff;
  for (let unit = 0; unit < unitCount; unit++) {
    const us = starts ? starts[unit] : unit;
    const ue = starts ? starts[unit + 1] : unit + 1;
    const u = ue - us;
    if (u === 0) continue;
    // Item spans inside this unit: indices [ptr[i], limit[i]).
    const limits = new Int32Array(m);
    let missing = false;
    for (let i = 0; i < m; i++) {
      const sp = items[i];
      while (ptr[i] < sp.length && sp.start[ptr[i]] < us) ptr[i]++;
      let j = ptr[i];
      while (j < sp.length && sp.start[j] < ue) j++;
      limits[i] = j;
      if (j === ptr[i]) missing = true;
    }
    if (missing) continue;
    const minEndAt = new Int32Array(m * u).fill(INF);
    const maxStartAt = new Int32Array(m * u).fill(-1);
    const minEndFrom = new Int32Array(m * (u + 1)).fill(INF);
    const exact = new Set<number>();
    for (let i = 0; i < m; i++) {
      const sp = items[i];
      for (let j = ptr[i]; j < limits[i]; j++) {
        const s = sp.start[j] - us;
        const e = sp.end[j] - us;
        if (e < minEndAt[i * u + s]) minEndAt[i * u + s] = e;
        if (s > maxStartAt[i * u + e]) maxStartAt[i * u + e] = s;
        exact.add(s * u + e);
      }
      for (let p = u - 1; p >= 0; p--) minEndFrom[i * (u + 1) + p] = Math.min(minEndFrom[i * (u + 1) + p + 1], minEndAt[i * u + p]);
    }
    for (let s = 0; s < u; s++) {
      let anyStart = false;
      for (let i = 0; i < m && !anyStart; i++) anyStart = minEndAt[i * u + s] !== INF;
      if (!anyStart) continue;
      for (let e = s; e < u; e++) {
        let inside = true;
        for (let i = 0; i < m && inside; i++) inside = minEndFrom[i * (u + 1) + s] <= e;
        if (!inside) continue;
        let ok = exact.has(s * u + e);
        if (!ok) {
          // Two different items: one starting at s (ending by e), one ending at e (starting from s).
          for (let a = 0; a < m && !ok; a++) {
            if (minEndAt[a * u + s] > e) continue;
            for (let b = 0; b < m && !ok; b++) ok = b !== a && maxStartAt[b * u + e] >= s;
          }
        }
        if (ok) pairs.push([us + s, us + e]);
      }
    }
  }
  return sortedSpans(pairs);
}
