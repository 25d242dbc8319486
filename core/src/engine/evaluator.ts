/**
 * Expression evaluation over a frame. `units(expr, scope)` is the truth of an expression for every
 * unit of a scope (SPEC §3.3 rules 1–5); `resultEvents` is what a top-level container returns.
 * Results are cached per (node, scope), so a sub-expression is evaluated once per run.
 */
import type { DataView } from '../dataview/model';
import { SCOPE_RANK, type Container, type Expr, type OnlySequence, type Rule, type Scope, type Sequence } from '../rule/ast';
import { flattenSteps } from '../rule/walk';
import { aggregateUnitMask, dimensionEventMask, stringConditionTable, subjectKind } from './conditions';
import type { Frame } from './frame';
import { GapKeys } from './gaps';
import { buildPlan, runSequence, type SequenceOutcome, type SequencePlan } from './sequence';
import { allOfSpans, spansFromMask, spansFromUnits, unionSpans, type Spans } from './spans';

export class EvaluationAborted extends Error {
  constructor() {
    super('Evaluation was cancelled.');
    this.name = 'AbortError';
  }
}

/**
 * A rule without a top-level container is read as `person where <rule>`: audiences are people,
 * and a bare `A then B` then means what it says.
 */
export const DEFAULT_ROOT_SCOPE: Scope = 'person';

export class Evaluator {
  readonly keys: GapKeys;
  private readonly cache = new Map<Expr, Map<Scope, Uint8Array>>();
  private readonly eventCache = new Map<Expr, Uint8Array>();
  private readonly resolving: string[] = [];
  private readonly resolved = new Map<string, Expr | null>();
  /** Filter ids whose reference chain loops back on itself (each evaluates as false). */
  readonly cycles = new Set<string>();

  constructor(
    readonly frame: Frame,
    readonly dataView: DataView,
    private readonly resolveFilter?: (id: string) => Rule | undefined,
    private readonly signal?: AbortSignal,
  ) {
    this.keys = new GapKeys(frame);
  }

  checkAborted(): void {
    if (this.signal?.aborted) throw new EvaluationAborted();
  }

  /** The root of a referenced filter, or null when unknown or part of a reference cycle. */
  private referenced(id: string): Expr | null {
    if (this.resolving.includes(id)) {
      this.cycles.add(id);
      return null;
    }
    if (!this.resolved.has(id)) this.resolved.set(id, this.resolveFilter?.(id)?.root ?? null);
    return this.resolved.get(id) ?? null;
  }

  private withReference<T>(id: string, fallback: T, body: (root: Expr) => T): T {
    const root = this.referenced(id);
    if (!root) return fallback;
    this.resolving.push(id);
    try {
      return body(root);
    } finally {
      this.resolving.pop();
    }
  }

  /** Per-unit truth of `expr` for every unit of `scope`. */
  units(expr: Expr, scope: Scope): Uint8Array {
    // Reference results depend on the resolution stack (cycles), so they are not cached.
    const cacheable = expr.kind !== 'filterRef';
    let byScope = this.cache.get(expr);
    const hit = byScope?.get(scope);
    if (hit) return hit;
    this.checkAborted();
    const result = this.computeUnits(expr, scope);
    if (cacheable) {
      if (!byScope) this.cache.set(expr, (byScope = new Map()));
      byScope.set(scope, result);
    }
    return result;
  }

  private computeUnits(expr: Expr, scope: Scope): Uint8Array {
    const count = this.frame.unitCount(scope);
    switch (expr.kind) {
      case 'condition': {
        const kind = subjectKind(expr, this.dataView, this.frame);
        if (kind === 'metric' || kind === 'countDistinct') return aggregateUnitMask(expr, kind, this.frame, scope);
        const starts = this.frame.unitStarts(scope);
        const lookup = starts && !this.eventCache.has(expr) ? stringConditionTable(expr, this.frame) : null;
        if (starts && lookup) {
          // Test units straight from the dictionary table, stopping at a unit's first match.
          const { codes, table } = lookup;
          const out = new Uint8Array(count);
          for (let u = 0; u < count; u++) {
            for (let i = starts[u], end = starts[u + 1]; i < end; i++) {
              if (table[codes[i] + 1]) {
                out[u] = 1;
                break;
              }
            }
          }
          return out;
        }
        return this.anyPerUnit(this.conditionEvents(expr), scope);
      }
      case 'and':
      case 'or':
      case 'logicGroup': {
        // Outside a sequence, `all of` / `any of` are `and` / `or`.
        const all = expr.kind === 'and' || (expr.kind === 'logicGroup' && expr.mode === 'all');
        const out = new Uint8Array(count).fill(all ? 1 : 0);
        for (const item of expr.items) {
          const m = this.units(item, scope);
          if (all) for (let u = 0; u < count; u++) out[u] &= m[u];
          else for (let u = 0; u < count; u++) out[u] |= m[u];
        }
        return out;
      }
      case 'not': {
        const m = this.units(expr.operand, scope);
        const out = new Uint8Array(count);
        for (let u = 0; u < count; u++) out[u] = m[u] ^ 1;
        return out;
      }
      case 'container':
        return this.containerUnits(expr, scope);
      case 'sequence':
        return this.sequence(expr, scope).holds;
      case 'only':
        // `per <scope>`: a unit holds when it has events in the only-part of their own unit of that scope.
        if (expr.scope && expr.scope !== scope) return this.anyPerUnit(this.onlyEvents(expr, scope), scope);
        return this.sequence(expr.sequence, scope).holds;
      case 'filterRef':
        return this.withReference(expr.id.name, new Uint8Array(count), (root) => this.units(root, scope));
      case 'error':
        return new Uint8Array(count);
    }
  }

  /** Rule 4: a nested container holds for a unit when it returns at least one event inside it. */
  private containerUnits(c: Container, scope: Scope): Uint8Array {
    // A container at least as wide as its context only sees the context's events (rule 1).
    if (SCOPE_RANK[c.scope] >= SCOPE_RANK[scope]) return this.units(c.body, scope);
    const inner = this.units(c.body, c.scope);
    if (c.scope === 'event') return this.anyPerUnit(inner, scope);
    // Sessions inside persons: a person holds when one of its sessions does.
    const out = new Uint8Array(this.frame.unitCount(scope));
    const starts = this.frame.sessionStart;
    for (let s = 0; s < inner.length; s++) if (inner[s] && starts[s + 1] > starts[s]) out[this.frame.person[starts[s]]] = 1;
    return out;
  }

  conditionEvents(expr: Expr & { kind: 'condition' }): Uint8Array {
    let m = this.eventCache.get(expr);
    if (!m) {
      m = dimensionEventMask(expr, this.frame);
      this.eventCache.set(expr, m);
    }
    return m;
  }

  anyPerUnit(eventMask: Uint8Array, scope: Scope): Uint8Array {
    const unitOf = this.frame.unitOf(scope);
    if (!unitOf) return eventMask;
    const out = new Uint8Array(this.frame.unitCount(scope));
    for (let i = 0; i < eventMask.length; i++) if (eventMask[i]) out[unitOf[i]] = 1;
    return out;
  }

  expand(units: Uint8Array, scope: Scope): Uint8Array {
    const unitOf = this.frame.unitOf(scope);
    if (!unitOf) return units;
    const out = new Uint8Array(this.frame.n);
    const starts = this.frame.unitStarts(scope) as Int32Array;
    for (let u = 0; u < units.length; u++) if (units[u]) out.fill(1, starts[u], starts[u + 1]);
    return out;
  }

  /** The events a rule returns (rule 1, and rule 7 for only before / only after). */
  resultEvents(root: Expr): Uint8Array {
    if (root.kind === 'container') return this.containerEvents(root.scope, root.body);
    if (root.kind === 'filterRef') return this.withReference(root.id.name, new Uint8Array(this.frame.n), (r) => this.resultEvents(r));
    return this.containerEvents(DEFAULT_ROOT_SCOPE, root);
  }

  /** Per-person flags when the rule returns whole persons (a person container without only-sequences), else null. */
  wholePersons(root: Expr): Uint8Array | null {
    const scope = root.kind === 'container' ? root.scope : root.kind === 'filterRef' ? null : DEFAULT_ROOT_SCOPE;
    const body = root.kind === 'container' ? root.body : root;
    if (scope !== 'person' || containsOnly(body)) return null;
    return this.units(body, 'person');
  }

  /** Events a container of `scope` returns: whole units, or the only-before/after part of them. */
  containerEvents(scope: Scope, body: Expr): Uint8Array {
    if (!containsOnly(body)) return this.expand(this.units(body, scope), scope);
    switch (body.kind) {
      case 'only':
        return this.onlyEvents(body, scope);
      case 'and':
      case 'or': {
        const all = body.kind === 'and';
        const out = new Uint8Array(this.frame.n).fill(all ? 1 : 0);
        for (const item of body.items) {
          const m = this.containerEvents(scope, item);
          if (all) for (let i = 0; i < out.length; i++) out[i] &= m[i];
          else for (let i = 0; i < out.length; i++) out[i] |= m[i];
        }
        return out;
      }
      default:
        return this.expand(this.units(body, scope), scope);
    }
  }

  /**
   * Rule 7: only before = up to the first event of the last occurrence; only after = from the last
   * event of the first, in each unit of the only-sequence's own scope (`per session`) or else of the container's.
   */
  onlyEvents(only: OnlySequence, containerScope: Scope): Uint8Array {
    const scope = only.scope ?? containerScope;
    const out = new Uint8Array(this.frame.n);
    const before = only.mode === 'before';
    const outcome = this.sequence(only.sequence, scope, before);
    const starts = this.frame.unitStarts(scope);
    for (let u = 0; u < outcome.holds.length; u++) {
      if (!outcome.holds[u]) continue;
      const us = starts ? starts[u] : u;
      const ue = starts ? starts[u + 1] : u + 1;
      if (before) out.fill(1, us, (outcome.lastOccurrenceStart as Int32Array)[u] + 1);
      else out.fill(1, outcome.firstOccurrenceEnd[u], ue);
    }
    return out;
  }

  private readonly sequenceCache = new Map<Sequence, Map<string, SequenceOutcome>>();

  sequence(seq: Sequence, scope: Scope, latestStart = false, keepSteps = false): SequenceOutcome {
    const key = `${scope}:${latestStart}:${keepSteps}`;
    let byKey = this.sequenceCache.get(seq);
    const hit = byKey?.get(key);
    if (hit) return hit;
    this.checkAborted();
    const outcome = runSequence(this.frame, scope, this.plan(seq, scope), { latestStart, keepSteps });
    if (!byKey) this.sequenceCache.set(seq, (byKey = new Map()));
    byKey.set(key, outcome);
    return outcome;
  }

  private readonly planCache = new Map<Sequence, Map<Scope, SequencePlan>>();

  plan(seq: Sequence, scope: Scope): SequencePlan {
    let byScope = this.planCache.get(seq);
    let plan = byScope?.get(scope);
    if (!plan) {
      plan = buildPlan(this.frame, this.keys, flattenSteps(seq), (cp) => this.spans(cp, scope));
      if (!byScope) this.planCache.set(seq, (byScope = new Map()));
      byScope.set(scope, plan);
    }
    return plan;
  }

  /** Where a checkpoint is matched inside units of `scope` (see spans.ts). */
  spans(cp: Expr, scope: Scope): Spans {
    switch (cp.kind) {
      case 'container': {
        if (SCOPE_RANK[cp.scope] >= SCOPE_RANK[scope]) return spansFromUnits(this.frame, scope, this.units(cp.body, scope));
        return spansFromUnits(this.frame, cp.scope, this.units(cp.body, cp.scope));
      }
      case 'logicGroup': {
        const items = cp.items.map((item) => this.spans(item, scope));
        return cp.mode === 'any' ? unionSpans(items) : allOfSpans(this.frame, scope, items);
      }
      case 'filterRef':
        return this.withReference(cp.id.name, spansFromMask(new Uint8Array(this.frame.n)), (root) => this.spans(root, scope));
      default:
        // Any other checkpoint is matched by single events (an event container).
        return spansFromMask(this.units(cp, 'event'));
    }
  }
}

function containsOnly(e: Expr): boolean {
  if (e.kind === 'only') return true;
  if (e.kind === 'and' || e.kind === 'or') return e.items.some(containsOnly);
  return false;
}
