/**
 * `explainPerson`: why one person is in or out of a filter's result. Evaluates the rule over that
 * person's events only (same semantics as `evaluateFilter`), then reports the timeline, which
 * checkpoint or clause matched at which events, and for the first one that failed, why.
 */
import type { Dataset } from '../data/dataset';
import type { Expr, Rule, Scope, SequenceStep } from '../rule/ast';
import { describeExclude, describeExpr, describeGap } from './describe';
import type { EvaluationContext } from './evaluate';
import { DEFAULT_ROOT_SCOPE, Evaluator } from './evaluator';
import { Frame } from './frame';
import { nextStartRange, type CheckpointPlan } from './sequence';

export interface TimelineEvent {
  /** Index in the dataset. */
  index: number;
  time: string;
  /** 1-based session number within the person. */
  session: number;
  values: Record<string, string | number | null>;
  /** The filter returns this event. */
  returned: boolean;
}

export interface StepExplanation {
  label: string;
  start: number;
  end: number;
  status: 'matched' | 'failed' | 'not reached';
  /** Dataset indices of the events that matched it (for a sequence: one witness occurrence). */
  events: number[];
  /** Time of the first matching event. */
  time?: string;
  /** Why it failed. */
  reason?: string;
  /**
   * An `exclude` of a sequence: the label states what must not happen ("no … within 30 minutes"),
   * `matched` means it holds (nothing excluded was found), `failed` that an excluded event was.
   */
  exclude?: true;
}

export interface Explanation {
  found: boolean;
  person?: { index: number; namespace: string; id: string };
  verdict: 'member' | 'not member';
  scope: Scope;
  timeline: TimelineEvent[];
  /** Sequence checkpoints (then end excludes), or top-level clauses. */
  steps: StepExplanation[];
  summary: string;
}

export type PersonRef = number | { namespace: string; id: string };

export function explainPerson(rule: Rule, ctx: EvaluationContext, who: PersonRef): Explanation {
  const ds = ctx.dataset;
  const index = typeof who === 'number' ? who : findPerson(ds, who.namespace, who.id);
  const scope: Scope = rule.root?.kind === 'container' ? rule.root.scope : DEFAULT_ROOT_SCOPE;
  if (index < 0 || index >= ds.personCount) {
    const label = typeof who === 'number' ? `#${who}` : `${who.namespace}:${who.id}`;
    return { found: false, verdict: 'not member', scope, timeline: [], steps: [], summary: `Unknown person ${label}: no one with this ID is in the sample data.` };
  }
  const offset = ds.personStart[index];
  const sub = personDataset(ds, index);
  const frame = new Frame(sub, ctx.window);
  const ev = new Evaluator(frame, ctx.dataView, ctx.resolveFilter, ctx.signal);
  const returned = rule.root ? ev.resultEvents(rule.root) : new Uint8Array(frame.n);
  const orig = (i: number) => offset + (frame.origIndex ? frame.origIndex[i] : i);
  const member = returned.some((x) => x === 1);

  const fields = referencedFields(rule.root, ctx);
  const timeline: TimelineEvent[] = [];
  const firstSession = frame.n > 0 ? frame.session[0] : 0;
  for (let i = 0; i < frame.n; i++) {
    const values: Record<string, string | number | null> = {};
    for (const f of fields) {
      const col = frame.column(f);
      if (!col) continue;
      if (col.kind === 'string') values[f] = col.codes[i] >= 0 ? col.dictionary[col.codes[i]] : null;
      else values[f] = Number.isNaN(col.values[i]) ? null : col.values[i];
    }
    timeline.push({ index: orig(i), time: isoTime(frame.timestamps[i]), session: frame.session[i] - firstSession + 1, values, returned: returned[i] === 1 });
  }

  const body = rule.root?.kind === 'container' ? rule.root.body : rule.root;
  const steps = body ? explainBody(ev, body, scope, orig) : [];
  const person = { index, namespace: ds.personNamespaces[index], id: ds.personIds[index] };
  const failed = steps.find((s) => s.status === 'failed');
  const summary = member
    ? `${person.namespace}:${person.id} is a member: the filter returns ${returned.reduce((a, b) => a + b, 0)} of ${frame.n} events.`
    : frame.n === 0
      ? `${person.namespace}:${person.id} is not a member: no events in the evaluation window.`
      : `${person.namespace}:${person.id} is not a member${failed ? `: ${failed.label} ${failed.exclude ? 'does not hold' : 'failed'}${failed.reason ? ` (${failed.reason})` : ''}` : ''}.`;
  return { found: true, person, verdict: member ? 'member' : 'not member', scope, timeline, steps, summary };
}

function findPerson(ds: Dataset, namespace: string, id: string): number {
  for (let p = 0; p < ds.personCount; p++) if (ds.personIds[p] === id && ds.personNamespaces[p] === namespace) return p;
  return -1;
}

/** A zero-copy view of one person's events as a dataset of one person. */
function personDataset(ds: Dataset, p: number): Dataset {
  const a = ds.personStart[p];
  const b = ds.personStart[p + 1];
  const firstSession = b > a ? ds.session[a] : 0;
  const sessionCount = b > a ? ds.session[b - 1] - firstSession + 1 : 0;
  const session = new Int32Array(b - a);
  for (let i = a; i < b; i++) session[i - a] = ds.session[i] - firstSession;
  const sessionStart = new Int32Array(sessionCount + 1);
  for (let s = 0; s <= sessionCount; s++) sessionStart[s] = ds.sessionStart[firstSession + s] - a;
  const columns = new Map<string, (typeof ds.columns extends Map<string, infer C> ? C : never)>();
  for (const [name, col] of ds.columns) {
    columns.set(name, col.kind === 'string' ? { kind: 'string', codes: col.codes.subarray(a, b), dictionary: col.dictionary } : { kind: 'number', values: col.values.subarray(a, b) });
  }
  return {
    eventCount: b - a,
    timestamps: ds.timestamps.subarray(a, b),
    person: new Int32Array(b - a),
    session,
    personCount: 1,
    sessionCount,
    personStart: Int32Array.of(0, b - a),
    sessionStart,
    personIds: [ds.personIds[p]],
    personNamespaces: [ds.personNamespaces[p]],
    columns,
    warnings: [],
  };
}

function referencedFields(root: Expr | null, ctx: EvaluationContext): string[] {
  const names = new Set<string>();
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'condition':
        names.add(e.subject.name);
        return;
      case 'and':
      case 'or':
      case 'logicGroup':
        e.items.forEach(visit);
        return;
      case 'not':
        visit(e.operand);
        return;
      case 'container':
        visit(e.body);
        return;
      case 'only':
        visit(e.sequence);
        return;
      case 'sequence':
        for (const s of e.steps) {
          visit(s.checkpoint);
          for (const c of s.constraints) if (c.unit.kind === 'dimension') names.add(c.unit.name.name);
        }
        return;
      case 'filterRef': {
        const ref = ctx.resolveFilter?.(e.id.name);
        if (ref?.root && names.size < 50) visit(ref.root);
        return;
      }
      case 'error':
        return;
    }
  };
  if (root) visit(root);
  if (names.size === 0) for (const d of ctx.dataView.dimensions.slice(0, 6)) names.add(d.name);
  return [...names];
}

export function isoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(':00.000Z') ? iso.slice(0, 16) : iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

function explainBody(ev: Evaluator, body: Expr, scope: Scope, orig: (i: number) => number): StepExplanation[] {
  const seq = body.kind === 'sequence' ? body : body.kind === 'only' ? body.sequence : null;
  if (seq) return explainSequence(ev, seq, body.kind === 'only' && body.scope ? body.scope : scope, orig);
  const items = body.kind === 'and' || body.kind === 'or' ? body.items : [body];
  return items.map((item) => {
    const holds = ev.units(item, scope).some((x) => x === 1);
    const events = matchingEvents(ev, item, scope);
    const step: StepExplanation = { label: describeExpr(item), start: item.start, end: item.end, status: holds ? 'matched' : 'failed', events: events.map(orig) };
    if (events.length > 0) step.time = isoTime(ev.frame.timestamps[events[0]]);
    if (!holds) step.reason = events.length === 0 ? `no event has ${describeExpr(item)}` : `not met over the ${scope}`;
    return step;
  });
}

/** Events where an item visibly matches: the condition's events, or the units it holds for. */
function matchingEvents(ev: Evaluator, item: Expr, scope: Scope): number[] {
  const out: number[] = [];
  let mask: Uint8Array;
  if (item.kind === 'condition' && item.subject.kind === 'field' && !ev.dataView.metrics.some((m) => m.name === item.subject.name)) mask = ev.conditionEvents(item);
  else if (item.kind === 'container' && item.scope !== scope) mask = ev.expand(ev.units(item.body, item.scope), item.scope);
  else if (item.kind === 'not') return out;
  else mask = ev.expand(ev.units(item, scope), scope);
  for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return out;
}

function explainSequence(ev: Evaluator, seq: Expr & { kind: 'sequence' }, scope: Scope, orig: (i: number) => number): StepExplanation[] {
  const frame = ev.frame;
  const plan = ev.plan(seq, scope);
  const outcome = ev.sequence(seq, scope, false, true);
  const trace = outcome.trace ?? [];
  const unitOf = frame.unitOf(scope);
  const starts = frame.unitStarts(scope);
  const unitEnd = (i: number) => (unitOf && starts ? starts[unitOf[i] + 1] : i + 1);
  const steps: StepExplanation[] = plan.checkpoints.map((cp) => ({ label: stepLabel(cp), start: cp.step.start, end: cp.step.end, status: 'not reached' as const, events: [] }));

  // A witness occurrence: the earliest valid final end, traced back checkpoint by checkpoint.
  const validEnds = outcome.validEnds ?? new Uint8Array(0);
  let end = validEnds.indexOf(1);
  if (end >= 0) {
    const range: [number, number] = [0, 0];
    for (let k = plan.checkpoints.length - 1; k >= 0 && end >= 0; k--) {
      const cp = plan.checkpoints[k];
      let chosen = -1;
      for (let j = 0; j < cp.spans.length && chosen < 0; j++) if (cp.spans.end[j] === end && trace[k].starts[cp.spans.start[j]]) chosen = j;
      if (chosen < 0) break;
      const s = cp.spans.start[chosen];
      steps[k].status = 'matched';
      for (let i = s; i <= end; i++) steps[k].events.push(orig(i));
      steps[k].time = isoTime(frame.timestamps[s]);
      if (k === 0) break;
      let prev = -1;
      for (let e = s - 1; e >= 0 && prev < 0; e--) {
        if (!trace[k - 1].ends[e]) continue;
        nextStartRange(cp, e, unitEnd(e), range);
        if (range[0] <= s && s <= range[1]) prev = e;
      }
      end = prev;
    }
    return withEndExcludes(steps, plan, true);
  }

  // No occurrence: the first checkpoint no assignment reaches, and why.
  const k = outcome.reached.findIndex((r) => !r.some((x) => x === 1));
  if (k < 0 || k >= plan.checkpoints.length) {
    for (let j = 0; j < plan.checkpoints.length; j++) steps[j].status = 'matched';
    markFirstMatches(steps, plan.checkpoints, trace, frame.timestamps, orig);
    return withEndExcludes(steps, plan, false);
  }
  for (let j = 0; j < k; j++) steps[j].status = 'matched';
  markFirstMatches(steps.slice(0, k), plan.checkpoints, trace, frame.timestamps, orig);
  const cp = plan.checkpoints[k];
  steps[k].status = 'failed';
  const what = describeExpr(cp.step.checkpoint);
  const excl = cp.excludesBefore.map((x) => describeExpr(x.step.checkpoint));
  if (k === 0) {
    steps[k].reason = cp.spans.length === 0 ? `no event has ${what}` : `every match of ${what} is preceded by ${excl.join(' or ')}`;
  } else {
    const prevEnd = trace[k - 1].ends.indexOf(1);
    const gaps = cp.step.constraints.map(describeGap).join(' and ');
    const matchesLater = Array.from(cp.spans.start.subarray(0, cp.spans.length)).some((s) => s > prevEnd);
    steps[k].reason =
      `no event after ${isoTime(frame.timestamps[prevEnd])}${scope === 'session' ? ' in the same session' : ''}${gaps ? ` ${gaps}` : ''} has ${what}` +
      (excl.length > 0 && matchesLater ? ` without ${excl.join(' or ')} in between` : '');
  }
  return steps;
}

function stepLabel(cp: CheckpointPlan): string {
  const gaps = cp.step.constraints.map(describeGap).join(' ');
  const excl = cp.excludesBefore.map((x) => describeExclude(x.step, 'between')).join(', ');
  return `${gaps ? gaps + ' ' : ''}${describeExpr(cp.step.checkpoint)}${excl ? ` (${excl})` : ''}`;
}

function markFirstMatches(steps: StepExplanation[], cps: CheckpointPlan[], trace: Array<{ ends: Uint8Array }>, ts: Float64Array, orig: (i: number) => number): void {
  steps.forEach((step, k) => {
    const e = trace[k]?.ends.indexOf(1) ?? -1;
    if (e < 0) return;
    let s = e;
    for (let j = 0; j < cps[k].spans.length; j++) if (cps[k].spans.end[j] === e) s = Math.min(s, cps[k].spans.start[j]);
    for (let i = s; i <= e; i++) step.events.push(orig(i));
    step.time = isoTime(ts[s]);
  });
}

function withEndExcludes(steps: StepExplanation[], plan: { excludesAfter: Array<{ step: SequenceStep }> }, ok: boolean): StepExplanation[] {
  if (plan.excludesAfter.length === 0) return steps;
  const first = plan.excludesAfter[0].step;
  const last = plan.excludesAfter[plan.excludesAfter.length - 1].step;
  const label = plan.excludesAfter.map((x) => describeExclude(x.step, 'after')).join(', ');
  const found = plan.excludesAfter.map((x) => `${describeExpr(x.step.checkpoint)}${x.step.constraints.length ? ` ${x.step.constraints.map(describeGap).join(' and ')}` : ''}`).join(' or ');
  steps.push(
    ok
      ? { label, start: first.start, end: last.end, status: 'matched', events: [], exclude: true }
      : { label, start: first.start, end: last.end, status: 'failed', events: [], exclude: true, reason: `every occurrence is followed by ${found}` },
  );
  return steps;
}
