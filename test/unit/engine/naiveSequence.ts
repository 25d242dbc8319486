/**
 * A deliberately naive reference evaluator of rules, written straight from SPEC §3.3 without any of
 * the engine's machinery: units are plain arrays of events, conditions are tested event by event,
 * and sequences enumerate every assignment of spans to checkpoints (exponential; only for tiny
 * datasets). The differential test compares the engine against it.
 */
import type { Dataset } from '../../../core/src/data/dataset';
import type { DataView } from '../../../core/src/dataview/model';
import type { Condition, Expr, GapConstraint, Rule, Scope, SequenceStep } from '../../../core/src/rule/ast';

const RANK: Record<Scope, number> = { person: 3, session: 2, event: 1 };

export interface NaiveEvent {
  index: number;
  person: number;
  session: number;
  ts: number;
  values: Record<string, string | number | undefined>;
  /** Per dimension: value set or changed (instance), first in session, first in person. */
  instance: Record<string, boolean>;
  firstInSession: Record<string, boolean>;
  firstInPerson: Record<string, boolean>;
}

export function naiveEvents(ds: Dataset, dataView: DataView, window?: { from: number; to: number }): NaiveEvent[] {
  const out: NaiveEvent[] = [];
  for (let i = 0; i < ds.eventCount; i++) {
    const ts = ds.timestamps[i];
    if (window && !(ts >= window.from && ts < window.to)) continue;
    const values: NaiveEvent['values'] = {};
    for (const [name, col] of ds.columns) {
      if (col.kind === 'string') values[name] = col.codes[i] >= 0 ? col.dictionary[col.codes[i]] : undefined;
      else values[name] = Number.isNaN(col.values[i]) ? undefined : col.values[i];
    }
    out.push({ index: i, person: ds.person[i], session: ds.session[i], ts, values, instance: {}, firstInSession: {}, firstInPerson: {} });
  }
  for (const d of dataView.dimensions) {
    for (let k = 0; k < out.length; k++) {
      const e = out[k];
      const v = e.values[d.name];
      const earlier = out.slice(0, k).filter((x) => x.person === e.person && x.values[d.name] !== undefined);
      e.instance[d.name] = v !== undefined && (earlier.length === 0 || earlier[earlier.length - 1].values[d.name] !== v);
      e.firstInPerson[d.name] = v !== undefined && !earlier.some((x) => x.values[d.name] === v);
      e.firstInSession[d.name] = v !== undefined && !earlier.some((x) => x.session === e.session && x.values[d.name] === v);
    }
  }
  return out;
}

function globMatch(pattern: string, value: string): boolean {
  // Tokens: a literal character or a star.
  const toks: Array<string | null> = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\' && i + 1 < pattern.length) toks.push(pattern[++i]);
    else toks.push(pattern[i] === '*' ? null : pattern[i]);
  }
  const go = (t: number, v: number): boolean => {
    if (t === toks.length) return v === value.length;
    if (toks[t] === null) {
      for (let k = v; k <= value.length; k++) if (go(t + 1, k)) return true;
      return false;
    }
    return v < value.length && value[v] === toks[t] && go(t + 1, v + 1);
  };
  return go(0, 0);
}

function positiveTest(op: string, raw: string | number, lits: Array<string | number>, ci: boolean): boolean {
  if (typeof raw === 'number') {
    const nums = lits.map(Number);
    switch (op) {
      case 'eq': return raw === nums[0];
      case 'in': return nums.includes(raw);
      case 'lt': return raw < nums[0];
      case 'gt': return raw > nums[0];
      case 'le': return raw <= nums[0];
      case 'ge': return raw >= nums[0];
      case 'between': return raw >= nums[0] && raw <= nums[1];
      case 'exists': return true;
    }
    return positiveTest(op, String(raw), lits, ci);
  }
  const f = (s: string) => (ci ? s.toLowerCase() : s);
  const v = f(raw);
  const ls = lits.map((l) => f(String(l)));
  switch (op) {
    case 'eq': return v === ls[0];
    case 'in': return ls.includes(v);
    case 'contains': return v.includes(ls[0]);
    case 'containsAny': return ls.some((l) => v.includes(l));
    case 'containsAll': return ls.every((l) => v.includes(l));
    case 'startsWith': return v.startsWith(ls[0]);
    case 'endsWith': return v.endsWith(ls[0]);
    case 'matches': return ls.some((l) => globMatch(l, v));
    case 'lt': return v < ls[0];
    case 'gt': return v > ls[0];
    case 'le': return v <= ls[0];
    case 'ge': return v >= ls[0];
    case 'between': return v >= ls[0] && v <= ls[1];
    case 'exists': return true;
  }
  throw new Error(`naive: unknown operator ${op}`);
}

const NEGATED: Record<string, string> = {
  ne: 'eq', notIn: 'in', notContains: 'contains', notContainsAny: 'containsAny', notContainsAll: 'containsAll',
  notStartsWith: 'startsWith', notEndsWith: 'endsWith', notMatches: 'matches', notExists: 'exists',
};

function eventSatisfies(c: Condition, e: NaiveEvent): boolean {
  const name = c.subject.name;
  if (c.attribution === 'instance' && !e.instance[name]) return false;
  if (c.attribution === 'nonRepeatingInstance' && !(c.attributionScope === 'person' ? e.firstInPerson[name] : e.firstInSession[name])) return false;
  const v = e.values[name];
  const negated = NEGATED[c.op] !== undefined;
  const op = NEGATED[c.op] ?? c.op;
  const lits = c.values.map((l) => l.value);
  const positive = v !== undefined && positiveTest(op, v, lits, c.caseInsensitive);
  return negated ? !positive : positive;
}

function compareTotal(c: Condition, total: number, existsFlag: boolean): boolean {
  const negated = NEGATED[c.op] !== undefined;
  const op = NEGATED[c.op] ?? c.op;
  const r = op === 'exists' ? existsFlag : positiveTest(op, total, c.values.map((l) => l.value), c.caseInsensitive);
  return negated ? !r : r;
}

function groupBy(events: NaiveEvent[], scope: Scope): NaiveEvent[][] {
  const groups = new Map<number, NaiveEvent[]>();
  for (const e of events) {
    const key = scope === 'person' ? e.person : scope === 'session' ? e.session : e.index;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(e);
  }
  return [...groups.values()];
}

interface Span { s: number; e: number }

export class NaiveEvaluator {
  constructor(private readonly dataView: DataView, private readonly resolve: (id: string) => Rule | undefined = () => undefined, private readonly stack: string[] = []) {}

  /** The events the rule returns. */
  returned(rule: Rule, events: NaiveEvent[]): Set<number> {
    const out = new Set<number>();
    if (!rule.root) return out;
    const root = rule.root;
    const scope: Scope = root.kind === 'container' ? root.scope : 'person';
    const body = root.kind === 'container' ? root.body : root;
    for (const unit of groupBy(events, scope)) for (const i of this.unitReturned(body, unit, scope)) out.add(unit[i].index);
    return out;
  }

  private unitReturned(body: Expr, unit: NaiveEvent[], scope: Scope): number[] {
    const all = unit.map((_, i) => i);
    if (body.kind === 'only') {
      const occ = this.occurrences(body.sequence.steps, unit, scope);
      if (occ.length === 0) return [];
      if (body.mode === 'before') {
        const s = Math.max(...occ.map((a) => a[0].s));
        return all.filter((i) => i <= s);
      }
      const e = Math.min(...occ.map((a) => a[a.length - 1].e));
      return all.filter((i) => i >= e);
    }
    if ((body.kind === 'and' || body.kind === 'or') && body.items.some((x) => x.kind === 'only')) {
      const sets = body.items.map((x) => new Set(this.unitReturned(x, unit, scope)));
      return all.filter((i) => (body.kind === 'and' ? sets.every((s) => s.has(i)) : sets.some((s) => s.has(i))));
    }
    return this.holds(body, unit, scope) ? all : [];
  }

  holds(x: Expr, unit: NaiveEvent[], scope: Scope): boolean {
    switch (x.kind) {
      case 'condition': {
        const isMetric = this.dataView.metrics.some((m) => m.name === x.subject.name);
        if (x.subject.kind === 'countDistinct') {
          const distinct = new Set(unit.map((e) => e.values[x.subject.name]).filter((v) => v !== undefined));
          return compareTotal(x, distinct.size, distinct.size > 0);
        }
        if (isMetric) {
          const vals = unit.map((e) => e.values[x.subject.name]).filter((v): v is number => typeof v === 'number');
          return compareTotal(x, vals.reduce((a, b) => a + b, 0), vals.some((v) => v !== 0));
        }
        return unit.some((e) => eventSatisfies(x, e));
      }
      case 'and':
        return x.items.every((i) => this.holds(i, unit, scope));
      case 'or':
        return x.items.some((i) => this.holds(i, unit, scope));
      case 'logicGroup':
        return x.mode === 'all' ? x.items.every((i) => this.holds(i, unit, scope)) : x.items.some((i) => this.holds(i, unit, scope));
      case 'not':
        return !this.holds(x.operand, unit, scope);
      case 'container':
        if (RANK[x.scope] >= RANK[scope]) return this.holds(x.body, unit, scope);
        return groupBy(unit, x.scope).some((g) => this.holds(x.body, g, x.scope));
      case 'sequence':
        return this.occurrences(x.steps, unit, scope).length > 0;
      case 'only':
        return this.occurrences(x.sequence.steps, unit, scope).length > 0;
      case 'filterRef': {
        if (this.stack.includes(x.id.name)) return false;
        const r = this.resolve(x.id.name);
        if (!r?.root) return false;
        return new NaiveEvaluator(this.dataView, this.resolve, [...this.stack, x.id.name]).holds(r.root, unit, scope);
      }
      case 'error':
        return false;
    }
  }

  /** Where a checkpoint matches inside a unit, as positions in the unit's event array. */
  spans(cp: Expr, unit: NaiveEvent[], scope: Scope): Span[] {
    if (cp.kind === 'container' && cp.scope !== 'event') {
      if (RANK[cp.scope] >= RANK[scope]) return this.holds(cp.body, unit, scope) ? [{ s: 0, e: unit.length - 1 }] : [];
      const out: Span[] = [];
      for (const g of groupBy(unit, cp.scope)) {
        if (this.holds(cp.body, g, cp.scope)) out.push({ s: unit.indexOf(g[0]), e: unit.indexOf(g[g.length - 1]) });
      }
      return out;
    }
    if (cp.kind === 'logicGroup') {
      const lists = cp.items.map((i) => this.spans(i, unit, scope));
      if (cp.mode === 'any') return lists.flat();
      let combos: Span[] = [{ s: Infinity, e: -Infinity }];
      for (const list of lists) combos = combos.flatMap((c) => list.map((sp) => ({ s: Math.min(c.s, sp.s), e: Math.max(c.e, sp.e) })));
      return combos;
    }
    const body = cp.kind === 'container' ? cp.body : cp;
    return unit.flatMap((ev, i) => (this.holds(body, [ev], 'event') ? [{ s: i, e: i }] : []));
  }

  /** Every valid assignment of spans to the positive checkpoints. */
  occurrences(steps: SequenceStep[], unit: NaiveEvent[], scope: Scope): Span[][] {
    const positives: Array<{ step: SequenceStep; spans: Span[]; before: Array<{ step: SequenceStep; spans: Span[] }> }> = [];
    let pending: Array<{ step: SequenceStep; spans: Span[] }> = [];
    for (const step of steps) {
      const spans = this.spans(step.checkpoint, unit, scope);
      if (step.exclude) pending.push({ step, spans });
      else {
        positives.push({ step, spans, before: pending });
        pending = [];
      }
    }
    const after = pending;
    if (positives.length === 0) return after.some((x) => x.spans.length > 0) ? [] : [[]];
    const gapOk = (cs: GapConstraint[], from: number, to: number) => cs.every((c) => gapHolds(c, unit, from, to));
    const results: Span[][] = [];
    const extend = (k: number, chosen: Span[]): void => {
      if (k === positives.length) {
        const last = chosen[chosen.length - 1].e;
        const violated = after.some((x) => x.spans.some((sp) => sp.s > last && gapOk(x.step.constraints, last, sp.s)));
        if (!violated) results.push(chosen);
        return;
      }
      const p = positives[k];
      for (const sp of p.spans) {
        if (k === 0) {
          const violated = p.before.some((x) => x.spans.some((xs) => xs.e < sp.s && gapOk(p.step.constraints, xs.e, sp.s)));
          if (violated) continue;
        } else {
          const prev = chosen[k - 1].e;
          if (sp.s <= prev) continue;
          if (!gapOk(p.step.constraints, prev, sp.s)) continue;
          const violated = p.before.some((x) => x.spans.some((xs) => xs.s > prev && xs.e < sp.s && gapOk(x.step.constraints, prev, xs.s)));
          if (violated) continue;
        }
        extend(k + 1, [...chosen, sp]);
      }
    };
    extend(0, []);
    return results;
  }
}

/** Naive calendar arithmetic: walk month by month, clamping the day. */
function addMonthsNaive(ms: number, months: number): number {
  const d = new Date(ms);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  for (let k = 0; k < months; k++) {
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
  const lastDay = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m];
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function gapHolds(c: GapConstraint, unit: NaiveEvent[], from: number, to: number): boolean {
  const u = c.unit;
  let ok: boolean;
  if (u.kind === 'time') {
    const ms: Record<string, number> = { minute: 60e3, hour: 3600e3, day: 86400e3, week: 7 * 86400e3 };
    const months: Record<string, number> = { month: 1, quarter: 3, year: 12 };
    const limit = ms[u.unit] !== undefined ? unit[from].ts + c.count * ms[u.unit] : addMonthsNaive(unit[from].ts, c.count * months[u.unit]);
    ok = unit[to].ts <= limit;
  } else {
    let dist: number;
    if (u.kind === 'event') dist = to - from;
    else if (u.kind === 'session') dist = new Set(unit.slice(from, to + 1).map((e) => e.session)).size - 1;
    else dist = unit.slice(from + 1, to + 1).filter((e) => e.instance[u.name.name]).length;
    ok = dist <= c.count;
  }
  return c.limit === 'within' ? ok : !ok;
}
