/**
 * `evaluateFilter`: runs a rule over a dataset (restricted to the evaluation window) and returns
 * the counts, the audience and the breakdowns the preview shows.
 */
import type { Dataset } from '../data/dataset';
import type { DataView } from '../dataview/model';
import type { Expr, GapConstraint, Rule, Scope } from '../rule/ast';
import { describeExpr, describeGap } from './describe';
import { DEFAULT_ROOT_SCOPE, Evaluator } from './evaluator';
import { Frame, type EvaluationWindow } from './frame';
import { compareCodePoints } from '../text';

export interface EvaluationContext {
  dataView: DataView;
  dataset: Dataset;
  /** Rules of other filters, for `filter <id>` references. */
  resolveFilter?: (id: string) => Rule | undefined;
  /** Only events with from <= timestamp < to (epoch ms) count. */
  window?: EvaluationWindow;
  signal?: AbortSignal;
  /** Metrics to total for the audience and the whole window (names of the data view); default: all of the data view's. */
  metrics?: readonly string[];
  /** Compute the estimated return (`returns`); default true. */
  returnEstimate?: boolean;
}

/** A metric's total over the events the filter returns, and over every event of the window. */
export interface MetricTotal {
  name: string;
  audience: number;
  total: number;
  /** audience / total, or null when the total is 0. */
  share: number | null;
}

/** One horizon of the estimated return (see `estimateReturn`). */
export interface ReturnHorizon {
  days: number;
  /** Matched people whose qualification lies at least `days` before the newest event (their follow-up is in the sample). */
  eligible: number;
  /** Of those, people with an event of a later session within `days` after the qualification. */
  returned: number;
  /** returned / eligible, or null when no one is eligible. */
  share: number | null;
  /** share × matched people, rounded: the members expected back within `days`. */
  expected: number | null;
}

export const RETURN_HORIZONS = [7, 14, 30] as const;

export interface Counts {
  people: number;
  sessions: number;
  events: number;
}

export interface Identity {
  namespace: string;
  id: string;
}

/** One bar of the waterfall: units reaching clause / checkpoint 1..k. */
export interface EvaluationStep {
  label: string;
  /** How the step joins the one before: `then` (sequence), `and` / `or` (cumulative clauses); none on the first. */
  join?: 'then' | 'and' | 'or';
  /** The gap written before a sequence checkpoint (`within 30 minutes`, `after 1 day within 1 week`), when it has one. */
  gap?: string;
  start: number;
  end: number;
  people: number;
}

export interface EvaluationResult {
  matched: Counts;
  /** Totals within the window. */
  total: Counts;
  /** Matched people per identity namespace. */
  namespaces: Record<string, number>;
  /** One identity per matched person, sorted by namespace then id. */
  audience: Identity[];
  /** 1 for every dataset event the filter returns (dataset indexing, length eventCount). */
  eventMask: Uint8Array;
  /** Per top-level clause (cumulative for `and`/`or`) or per sequence checkpoint. */
  steps: EvaluationStep[];
  /** Matched people with at least one returned event on each UTC day, ascending. */
  perDay: Array<{ day: string; people: number }>;
  /** Referenced filter ids that form a cycle (they evaluated as false). */
  referenceCycles: string[];
  /**
   * Per requested metric (data view order): totals for the audience and the window. Optional in
   * the shape so that other evaluators of the same result may leave it out; this engine always sets it.
   */
  metrics?: MetricTotal[];
  /** Estimated return within 7 / 14 / 30 days, from the sample's history (an estimate, see docs/language.md); always set by this engine. */
  returns?: ReturnHorizon[];
  elapsedMs: number;
}

export function evaluateFilter(rule: Rule, ctx: EvaluationContext): EvaluationResult {
  const started = performance.now();
  const frame = new Frame(ctx.dataset, ctx.window);
  const ev = new Evaluator(frame, ctx.dataView, ctx.resolveFilter, ctx.signal);
  const mask = rule.root ? ev.resultEvents(rule.root) : new Uint8Array(frame.n);
  ev.checkAborted();

  const n = frame.n;
  // Whole persons returned (the common case): count from persons instead of scanning events.
  const persons = rule.root ? ev.wholePersons(rule.root) : null;
  let personHit: Uint8Array;
  let matched: Counts;
  if (persons) {
    personHit = persons;
    let people = 0;
    let sessions = 0;
    let events = 0;
    for (let p = 0; p < persons.length; p++) {
      const a = frame.personStart[p];
      const b = frame.personStart[p + 1];
      if (!persons[p] || b === a) continue;
      people++;
      events += b - a;
      sessions += frame.session[b - 1] - frame.session[a] + 1;
    }
    matched = { people, sessions, events };
  } else {
    personHit = new Uint8Array(frame.personCount);
    const sessionHit = new Uint8Array(frame.sessionCount);
    let events = 0;
    const person = frame.person;
    const session = frame.session;
    for (let i = 0; i < n; i++) {
      if (mask[i]) {
        events++;
        personHit[person[i]] = 1;
        sessionHit[session[i]] = 1;
      }
    }
    matched = { people: count(personHit), sessions: count(sessionHit), events };
  }
  let totalPeople = 0;
  for (let p = 0; p < frame.personCount; p++) if (frame.personStart[p + 1] > frame.personStart[p]) totalPeople++;
  const total: Counts = { people: totalPeople, sessions: frame.sessionCount, events: n };

  const ds = ctx.dataset;
  const namespaces: Record<string, number> = {};
  const audience: Identity[] = [];
  for (let p = 0; p < personHit.length; p++) {
    if (!personHit[p] || frame.personStart[p + 1] === frame.personStart[p]) continue;
    const ns = ds.personNamespaces[p];
    namespaces[ns] = (namespaces[ns] ?? 0) + 1;
    audience.push({ namespace: ns, id: ds.personIds[p] });
  }
  // The loader numbers persons by (namespace, id) already; sort only when a dataset did not.
  const order = (a: Identity, b: Identity) => compareCodePoints(a.namespace, b.namespace) || compareCodePoints(a.id, b.id);
  let sorted = true;
  for (let k = 1; k < audience.length && sorted; k++) sorted = order(audience[k - 1], audience[k]) < 0;
  if (!sorted) audience.sort(order);

  let eventMask = mask;
  if (frame.origIndex) {
    eventMask = new Uint8Array(ds.eventCount);
    for (let i = 0; i < n; i++) if (mask[i]) eventMask[frame.origIndex[i]] = 1;
  }

  const metricNames = ctx.metrics ?? ctx.dataView.metrics.map(m => m.name);
  return {
    matched,
    total,
    namespaces,
    audience,
    eventMask,
    steps: rule.root ? waterfall(ev, rule.root) : [],
    perDay: persons ? personDays(frame, persons) : peoplePerDay(frame, mask),
    referenceCycles: [...ev.cycles].sort(),
    metrics: metricNames.map(name => metricTotal(frame, mask, persons, personHit, name)),
    returns: ctx.returnEstimate === false ? [] : estimateReturn(frame, mask, personHit, matched.people),
    elapsedMs: performance.now() - started,
  };
}

/** Running sums of a number column in dataset order (missing values count 0), cached per column: a person's sum is one subtraction. */
const prefixCache = new WeakMap<Float64Array, Float64Array>();

function prefixSums(values: Float64Array): Float64Array {
  let prefix = prefixCache.get(values);
  if (!prefix) {
    prefix = new Float64Array(values.length + 1);
    let acc = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === v) acc += v;
      prefix[i + 1] = acc;
    }
    prefixCache.set(values, prefix);
  }
  return prefix;
}

/**
 * Sum of a metric over the returned events and over all frame events; missing values count 0.
 * A person's in-window events are one run of the dataset (events are sorted by person, then
 * time), so both sums go person by person through the column's running sums; only a filter that
 * returns part of a person's events sums its returned events one by one.
 */
function metricTotal(frame: Frame, mask: Uint8Array, persons: Uint8Array | null, personHit: Uint8Array, name: string): MetricTotal {
  const column = frame.dataset.columns.get(name);
  let audience = 0;
  let total = 0;
  if (column && column.kind === 'number') {
    const prefix = prefixSums(column.values);
    const orig = frame.origIndex;
    const starts = frame.personStart;
    for (let p = 0; p < frame.personCount; p++) {
      const a = starts[p];
      const b = starts[p + 1];
      if (a === b) continue;
      const from = orig ? orig[a] : a;
      const to = orig ? orig[b - 1] + 1 : b;
      const sum = prefix[to] - prefix[from];
      total += sum;
      if (persons && persons[p]) audience += sum;
    }
    if (!persons) {
      // Only the matched people's events can be returned ones.
      const values = column.values;
      for (let p = 0; p < personHit.length; p++) {
        if (!personHit[p]) continue;
        for (let i = starts[p]; i < starts[p + 1]; i++) {
          if (!mask[i]) continue;
          const v = values[orig ? orig[i] : i];
          if (v === v) audience += v;
        }
      }
    }
  }
  return { name, audience: round6(audience), total: round6(total), share: total !== 0 ? audience / total : null };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const DAY_MS = 86_400_000;

/**
 * Estimated return (docs/language.md, "Estimated return"): a matched person's qualification is the
 * first event the filter returns for them; they *returned within N days* when an event of a later
 * session falls at most N days after it. Only people whose qualification lies at least N days
 * before the newest event of the window are counted (the rest have not been watched for N days
 * yet). The share of those who returned, times today's audience, is the expected return.
 */
export function estimateReturn(frame: Frame, mask: Uint8Array, personHit: Uint8Array, audienceSize: number, horizons: readonly number[] = RETURN_HORIZONS): ReturnHorizon[] {
  // Each person's events are in time order: the newest event is one of their last ones.
  let newest = -Infinity;
  const ts = frame.timestamps;
  for (let p = 0; p < frame.personCount; p++) {
    const b = frame.personStart[p + 1];
    if (b > frame.personStart[p] && ts[b - 1] > newest) newest = ts[b - 1];
  }
  const eligible = new Array<number>(horizons.length).fill(0);
  const returned = new Array<number>(horizons.length).fill(0);
  for (let p = 0; p < personHit.length; p++) {
    if (!personHit[p]) continue;
    const a = frame.personStart[p];
    const b = frame.personStart[p + 1];
    let q = a;
    while (q < b && !mask[q]) q++;
    if (q === b) continue;
    const qualified = ts[q];
    // Sessions are numbered in time order within a person: the next session starts right after this one.
    const next = frame.sessionStart[frame.session[q] + 1];
    const gap = next < b ? ts[next] - qualified : Infinity;
    for (let h = 0; h < horizons.length; h++) {
      const span = horizons[h] * DAY_MS;
      if (qualified + span > newest) continue;
      eligible[h]++;
      if (gap <= span) returned[h]++;
    }
  }
  return horizons.map((days, h) => {
    const share = eligible[h] > 0 ? returned[h] / eligible[h] : null;
    return { days, eligible: eligible[h], returned: returned[h], share, expected: share === null ? null : Math.round(share * audienceSize) };
  });
}

/** People of step k as a share of the step before (the first step: of all people in the window); null when that is 0. */
export function stepConversion(steps: ReadonlyArray<{ people: number }>, k: number, totalPeople: number): number | null {
  const base = k === 0 ? totalPeople : steps[k - 1].people;
  return base > 0 ? steps[k].people / base : null;
}

function count(flags: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < flags.length; i++) c += flags[i];
  return c;
}

function peopleFrom(ev: Evaluator, units: Uint8Array, scope: Scope): number {
  if (scope === 'person') return count(units);
  const people = new Uint8Array(ev.frame.personCount);
  const starts = ev.frame.unitStarts(scope);
  for (let u = 0; u < units.length; u++) {
    if (!units[u]) continue;
    const first = starts ? starts[u] : u;
    if (starts && starts[u + 1] === first) continue;
    people[ev.frame.person[first]] = 1;
  }
  return count(people);
}

/** The waterfall: sequence checkpoints 1..k, or cumulative top-level clauses, else the whole rule. */
function waterfall(ev: Evaluator, root: Expr): EvaluationStep[] {
  let scope: Scope = DEFAULT_ROOT_SCOPE;
  let body = root;
  if (root.kind === 'container') {
    scope = root.scope;
    body = root.body;
  }
  const seq = body.kind === 'sequence' ? body : body.kind === 'only' ? body.sequence : null;
  if (body.kind === 'only' && body.scope) scope = body.scope;
  if (seq) {
    const outcome = ev.sequence(seq, scope);
    const plan = ev.plan(seq, scope);
    const gapOf = (step: { constraints: GapConstraint[] }) => (step.constraints.length ? { gap: step.constraints.map(describeGap).join(' ') } : {});
    const steps: EvaluationStep[] = plan.checkpoints.map((cp, k) => ({
      label: describeExpr(cp.step.checkpoint),
      ...(k > 0 ? { join: 'then' as const } : {}),
      ...gapOf(cp.step),
      start: cp.step.start,
      end: cp.step.end,
      people: peopleFrom(ev, outcome.reached[k], scope),
    }));
    if (plan.excludesAfter.length > 0 && plan.checkpoints.length > 0) {
      const last = plan.excludesAfter[plan.excludesAfter.length - 1].step;
      steps.push({ label: plan.excludesAfter.map((x) => `exclude ${describeExpr(x.step.checkpoint)}`).join(', '), join: 'then', ...gapOf(plan.excludesAfter[0].step), start: plan.excludesAfter[0].step.start, end: last.end, people: peopleFrom(ev, outcome.holds, scope) });
    }
    return steps;
  }
  if (body.kind === 'and' || body.kind === 'or') {
    const all = body.kind === 'and';
    const acc = new Uint8Array(ev.frame.unitCount(scope)).fill(all ? 1 : 0);
    return body.items.map((item, k) => {
      const m = ev.units(item, scope);
      for (let u = 0; u < acc.length; u++) acc[u] = all ? acc[u] & m[u] : acc[u] | m[u];
      return { label: describeExpr(item), ...(k > 0 ? { join: body.kind } : {}), start: item.start, end: item.end, people: peopleFrom(ev, acc, scope) };
    });
  }
  return [{ label: describeExpr(body), start: body.start, end: body.end, people: peopleFrom(ev, ev.units(body, scope), scope) }];
}

/** UTC day number of every event, cached per timestamps array (a dataset is evaluated many times). */
const dayIndexCache = new WeakMap<Float64Array, Int32Array>();

function dayIndex(ts: Float64Array): Int32Array {
  let days = dayIndexCache.get(ts);
  if (!days) {
    days = new Int32Array(ts.length);
    for (let i = 0; i < ts.length; i++) days[i] = Math.floor(ts[i] / 86_400_000);
    dayIndexCache.set(ts, days);
  }
  return days;
}

function peoplePerDay(frame: Frame, mask: Uint8Array): Array<{ day: string; people: number }> {
  const days = dayIndex(frame.timestamps);
  const person = frame.person;
  const counts = new Map<number, number>();
  let lastPerson = -1;
  let lastDay = NaN;
  let run = 0;
  for (let i = 0; i < frame.n; i++) {
    if (!mask[i]) continue;
    const day = days[i];
    // Events are sorted by person then time, so one person's days arrive in order.
    if (person[i] === lastPerson && day === lastDay) continue;
    if (day !== lastDay) {
      if (run > 0) counts.set(lastDay, (counts.get(lastDay) ?? 0) + run);
      run = 0;
    }
    run++;
    lastPerson = person[i];
    lastDay = day;
  }
  if (run > 0) counts.set(lastDay, (counts.get(lastDay) ?? 0) + run);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([d, people]) => ({ day: new Date(d * 86_400_000).toISOString().slice(0, 10), people }));
}

/** Distinct UTC days of each person's events (CSR), cached per timestamps array. */
const personDayCache = new WeakMap<Float64Array, { start: Int32Array; day: Int32Array }>();

function personDays(frame: Frame, persons: Uint8Array): Array<{ day: string; people: number }> {
  let runs = personDayCache.get(frame.timestamps);
  if (!runs) {
    const days = dayIndex(frame.timestamps);
    const start = new Int32Array(frame.personCount + 1);
    const list: number[] = [];
    for (let p = 0; p < frame.personCount; p++) {
      start[p] = list.length;
      let last = NaN;
      for (let i = frame.personStart[p]; i < frame.personStart[p + 1]; i++) {
        if (days[i] !== last) list.push((last = days[i]));
      }
    }
    start[frame.personCount] = list.length;
    runs = { start, day: Int32Array.from(list) };
    personDayCache.set(frame.timestamps, runs);
  }
  const counts = new Map<number, number>();
  for (let p = 0; p < persons.length; p++) {
    if (!persons[p]) continue;
    for (let k = runs.start[p]; k < runs.start[p + 1]; k++) counts.set(runs.day[k], (counts.get(runs.day[k]) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([d, people]) => ({ day: new Date(d * 86_400_000).toISOString().slice(0, 10), people }));
}
