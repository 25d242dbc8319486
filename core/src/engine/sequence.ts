/**
 * Sequence matching (`A then B then C`, gaps, exclude checkpoints, only before / only after) as a
 * dynamic programme over all units at once, linear in the events per checkpoint plus a binary
 * search per feasible position:
 *
 * - F_k[e] = 1 when some assignment of checkpoints 1..k is valid and checkpoint k ends at event e.
 * - For every e with F_k[e], the starts s that checkpoint k+1 may have form one interval
 *   [lo, hi] inside e's unit: s > e; `after` gaps raise lo, `within` gaps and the first
 *   excluded span between lower hi. The union of those intervals (a difference array) gives
 *   G_{k+1}[s], and F_{k+1}[end] = 1 for every span of checkpoint k+1 whose start is in G_{k+1}.
 * - For *only before*, the same recurrence carries the latest first-checkpoint start instead of
 *   a bit (a max-heap sweep over the intervals), so the last occurrence's first event is known.
 *
 * Exclude checkpoints (rule 6):
 * - between two checkpoints: no span of it lies strictly between them (start after the previous
 *   checkpoint's end, end before the next one's start); gap constraints written on the exclude
 *   step limit where it counts, measured from the previous checkpoint
 *   (`A then within 30 minutes exclude B` = no B in the 30 minutes after A);
 * - at the start: no span of it ends before the first checkpoint's start; the gap constraints of the
 *   first positive checkpoint then limit that look-back (`exclude X then within 1 day A` = no X
 *   in the day before A);
 * - at the end: no span of it starts after the last checkpoint's end, up to the end of the unit.
 * A sequence made of exclude checkpoints only holds when none of them occurs in the unit.
 */
import type { Expr, Scope, SequenceStep } from '../rule/ast';
import type { Frame } from './frame';
import { firstAbove, firstTrue, lastAtMost, type CompiledGap, type GapKeys } from './gaps';
import type { Spans } from './spans';

export interface ExcludePlan {
  step: SequenceStep;
  spans: Spans;
  gaps: CompiledGap[];
  /** Number of span starts / ends before each position (length n + 1). */
  startsBefore: Int32Array;
  endsBefore: Int32Array;
}

export interface CheckpointPlan {
  step: SequenceStep;
  spans: Spans;
  gaps: CompiledGap[];
  /** Exclude checkpoints between the previous checkpoint and this one (or before it, for the first). */
  excludesBefore: ExcludePlan[];
}

export interface SequencePlan {
  checkpoints: CheckpointPlan[];
  excludesAfter: ExcludePlan[];
}

export interface SequenceOutcome {
  /** Per unit of the scope: the sequence occurs. */
  holds: Uint8Array;
  /** Per unit: the last event of the first (earliest-ending) occurrence, or -1. */
  firstOccurrenceEnd: Int32Array;
  /** Per unit: the first event of the last (latest-starting) occurrence, or -1 (with `latestStart`). */
  lastOccurrenceStart: Int32Array | null;
  /** Per checkpoint k: units where checkpoints 1..k occur (the waterfall), then the end excludes. */
  reached: Uint8Array[];
  /** With `keepSteps`: per checkpoint, feasible starts (G) and ends (F) over frame events. */
  trace?: Array<{ starts: Uint8Array; ends: Uint8Array }>;
  /** With `keepSteps`: valid final ends (after end excludes). */
  validEnds?: Uint8Array;
}

export function buildPlan(
  frame: Frame,
  keys: GapKeys,
  steps: SequenceStep[],
  spansOf: (checkpoint: Expr) => Spans,
): SequencePlan {
  const checkpoints: CheckpointPlan[] = [];
  let pending: ExcludePlan[] = [];
  for (const step of steps) {
    const spans = spansOf(step.checkpoint);
    const gaps = step.constraints.map((c) => keys.compile(c));
    if (step.exclude) {
      pending.push({ step, spans, gaps, startsBefore: countBefore(frame.n, spans.start, spans.length), endsBefore: countBefore(frame.n, spans.end, spans.length) });
    } else {
      checkpoints.push({ step, spans, gaps, excludesBefore: pending });
      pending = [];
    }
  }
  return { checkpoints, excludesAfter: pending };
}

function countBefore(n: number, positions: Int32Array, length: number): Int32Array {
  const out = new Int32Array(n + 1);
  for (let j = 0; j < length; j++) out[positions[j] + 1]++;
  for (let i = 0; i < n; i++) out[i + 1] += out[i];
  return out;
}

const INF = 0x7fffffff;

export function runSequence(
  frame: Frame,
  scope: Scope,
  plan: SequencePlan,
  options: { latestStart?: boolean; keepSteps?: boolean } = {},
): SequenceOutcome {
  const n = frame.n;
  const units = frame.unitCount(scope);
  const unitOf = frame.unitOf(scope);
  const unitStarts = frame.unitStarts(scope);
  const uStart = (i: number) => (unitOf && unitStarts ? unitStarts[unitOf[i]] : i);
  const uEnd = unitOf && unitStarts ? (i: number) => unitStarts[unitOf[i] + 1] : (i: number) => i + 1;
  const unitIndex = (i: number) => (unitOf ? unitOf[i] : i);
  const holds = new Uint8Array(units);
  const firstOccurrenceEnd = new Int32Array(units).fill(-1);
  const lastOccurrenceStart = options.latestStart ? new Int32Array(units).fill(-1) : null;
  const reached: Uint8Array[] = [];
  const trace: Array<{ starts: Uint8Array; ends: Uint8Array }> = [];
  const cps = plan.checkpoints;

  if (cps.length === 0) {
    // Only exclude checkpoints: the unit holds when none of them occurs in it.
    const hit = new Uint8Array(units);
    for (const x of plan.excludesAfter) for (let j = 0; j < x.spans.length; j++) hit[unitIndex(x.spans.start[j])] = 1;
    for (let u = 0; u < units; u++) holds[u] = hit[u] ^ 1;
    reached.push(holds);
    return { holds, firstOccurrenceEnd, lastOccurrenceStart, reached };
  }

  const values = options.latestStart === true;
  // Two event-sized buffers, reused by every checkpoint: G (feasible starts) and F (feasible ends).
  const G = new Uint8Array(n);
  const F = new Uint8Array(n);
  const Gv = values ? new Int32Array(n) : null;
  const Fv = values ? new Int32Array(n) : null;

  // First checkpoint: every start, minus those preceded by a start exclude.
  G.fill(1);
  const first = cps[0];
  for (const x of first.excludesBefore) {
    for (let s = 0; s < n; s++) {
      if (!G[s]) continue;
      const us = uStart(s);
      let a = us;
      let b = s - 1;
      for (const g of first.gaps) {
        const target = g.key[s];
        const cut = firstTrue(us, s, (p) => g.reach(p) >= target);
        if (g.limit === 'within') a = Math.max(a, cut);
        else b = Math.min(b, cut - 1);
      }
      if (a <= b && x.endsBefore[b + 1] - x.endsBefore[a] > 0) G[s] = 0;
    }
  }
  if (Gv) for (let s = 0; s < n; s++) Gv[s] = G[s] ? s : -1;
  applySpans(first.spans, G, F, Gv, Fv);
  keep();

  const lo = values ? new Int32Array(n) : null;
  const hi = values ? new Int32Array(n) : null;
  const val = values ? new Int32Array(n) : null;
  const range: [number, number] = [0, 0];
  for (let k = 1; k < cps.length; k++) {
    const cp = cps[k];
    G.fill(0);
    let count = 0;
    // Intervals arrive with non-decreasing lo (`after` bounds move with e), so G fills left to right.
    let filled = -1;
    const prev = cps[k - 1].spans;
    const byEnds = endsIncreasing(prev);
    const last = byEnds ? prev.length : n;
    for (let j = 0; j < last; j++) {
      const e = byEnds ? prev.end[j] : j;
      if (!F[e]) continue;
      const l = nextStartRange(cp, e, uEnd(e), range);
      const h = range[1];
      if (l > h) continue;
      if (lo && hi && val && Fv) {
        lo[count] = l;
        hi[count] = h;
        val[count] = Fv[e];
        count++;
      } else if (h > filled) {
        G.fill(1, l > filled ? l : filled + 1, h + 1);
        filled = h;
      }
    }
    if (lo && hi && val && Gv) maxSweep(lo, hi, val, count, Gv, G);
    F.fill(0);
    applySpans(cp.spans, G, F, Gv, Fv);
    keep();
  }

  // End excludes, then the outcome per unit.
  const valid = options.keepSteps ? new Uint8Array(n) : null;
  const lastSpans = cps[cps.length - 1].spans;
  const lastByEnds = endsIncreasing(lastSpans);
  const lastCount = lastByEnds ? lastSpans.length : n;
  for (let j = 0; j < lastCount; j++) {
    const e = lastByEnds ? lastSpans.end[j] : j;
    if (!F[e]) continue;
    const end = uEnd(e);
    let ok = true;
    for (const x of plan.excludesAfter) {
      let a = e + 1;
      let b = end - 1;
      for (const g of x.gaps) {
        if (g.limit === 'within') b = Math.min(b, lastAtMost(g.key, e + 1, end, g.reach(e)));
        else a = Math.max(a, firstAbove(g.key, e + 1, end, g.reach(e)));
      }
      if (a <= b && x.startsBefore[b + 1] - x.startsBefore[a] > 0) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (valid) valid[e] = 1;
    const u = unitIndex(e);
    holds[u] = 1;
    if (firstOccurrenceEnd[u] < 0) firstOccurrenceEnd[u] = e;
    if (lastOccurrenceStart && Fv && Fv[e] > lastOccurrenceStart[u]) lastOccurrenceStart[u] = Fv[e];
  }
  if (plan.excludesAfter.length > 0) reached.push(holds);
  return { holds, firstOccurrenceEnd, lastOccurrenceStart, reached, ...(valid ? { trace, validEnds: valid } : {}) };

  function keep(): void {
    const r = new Uint8Array(units);
    const spans = cps[reached.length].spans;
    for (let j = 0; j < spans.length; j++) {
      const e = spans.end[j];
      if (F[e]) r[unitOf ? unitOf[e] : e] = 1;
    }
    reached.push(r);
    if (options.keepSteps) trace.push({ starts: G.slice(), ends: F.slice() });
  }
}

/**
 * The starts checkpoint `cp` may have after the previous checkpoint ended at `e` (a unit ending
 * before `unitEnd`): written into `out` as [lo, hi] (empty when lo > hi); returns lo.
 */
export function nextStartRange(cp: CheckpointPlan, e: number, unitEnd: number, out: [number, number]): number {
  let l = e + 1;
  let h = unitEnd - 1;
  for (const g of cp.gaps) {
    if (g.limit === 'within') h = Math.min(h, lastAtMost(g.key, e + 1, unitEnd, g.reach(e)));
    else l = Math.max(l, firstAbove(g.key, e + 1, unitEnd, g.reach(e)));
  }
  for (const x of cp.excludesBefore) {
    if (l > h) break;
    h = Math.min(h, firstExcludedEnd(x, e, unitEnd));
  }
  out[0] = l;
  out[1] = h;
  return l;
}

/** Whether span ends strictly increase, so iterating spans visits feasible ends in order, once. */
function endsIncreasing(spans: Spans): boolean {
  for (let j = 1; j < spans.length; j++) if (spans.end[j] <= spans.end[j - 1]) return false;
  return true;
}

/** F[end] for every span whose start is feasible; carries the latest first start in value mode. */
function applySpans(spans: Spans, G: Uint8Array, F: Uint8Array, Gv: Int32Array | null, Fv: Int32Array | null): void {
  if (Fv && Gv) {
    Fv.fill(-1);
    for (let j = 0; j < spans.length; j++) {
      const v = Gv[spans.start[j]];
      if (v >= 0 && v > Fv[spans.end[j]]) {
        Fv[spans.end[j]] = v;
        F[spans.end[j]] = 1;
      }
    }
    return;
  }
  for (let j = 0; j < spans.length; j++) if (G[spans.start[j]]) F[spans.end[j]] = 1;
}

/**
 * The smallest end of an exclude span that starts after `e` (inside the exclude's own gap window,
 * measured from e) — the next checkpoint must start at or before it — or INF.
 */
function firstExcludedEnd(x: ExcludePlan, e: number, unitEnd: number): number {
  let a = e + 1;
  let b = unitEnd - 1;
  for (const g of x.gaps) {
    if (g.limit === 'within') b = Math.min(b, lastAtMost(g.key, e + 1, unitEnd, g.reach(e)));
    else a = Math.max(a, firstAbove(g.key, e + 1, unitEnd, g.reach(e)));
  }
  if (a > b) return INF;
  const sp = x.spans;
  let j = firstAbove(sp.start, 0, sp.length, a - 1);
  let best = INF;
  while (j < sp.length && sp.start[j] <= b && sp.start[j] < best) {
    if (sp.end[j] < best) best = sp.end[j];
    j++;
  }
  return best;
}

/**
 * Gv[s] = max val over intervals containing s (or -1). Intervals arrive sorted by lo: `after`
 * gaps move lo monotonically with the earlier checkpoint's position.
 */
function maxSweep(lo: Int32Array, hi: Int32Array, val: Int32Array, count: number, Gv: Int32Array, G: Uint8Array): void {
  Gv.fill(-1);
  G.fill(0);
  const heap: number[] = []; // interval indices, max-heap by val
  const less = (a: number, b: number) => val[a] < val[b];
  const push = (x: number) => {
    heap.push(x);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[p], heap[i])) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const last = heap.pop() as number;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[m], heap[l])) m = l;
      if (r < heap.length && less(heap[m], heap[r])) m = r;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  };
  let j = 0;
  const n = Gv.length;
  for (let s = 0; s < n; s++) {
    if (heap.length === 0 && j < count && lo[j] > s) s = lo[j];
    if (s >= n) break;
    while (j < count && lo[j] <= s) push(j++);
    while (heap.length > 0 && hi[heap[0]] < s) pop();
    if (heap.length > 0) {
      Gv[s] = val[heap[0]];
      G[s] = 1;
    } else if (j >= count) break;
  }
}
