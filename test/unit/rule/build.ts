/** Builders of span-free rule trees, to compare with `stripSpans(parseRule(text).rule.root)`. */
import type { Attribution, GapUnit, Operator, Scope } from '../../../core/src/rule/ast';

export type Plain = Record<string, unknown>;

export function str(value: string): Plain {
  return { kind: 'string', value };
}

export function num(value: number): Plain {
  return { kind: 'number', value };
}

function lit(v: string | number): Plain {
  return typeof v === 'number' ? num(v) : str(v);
}

export function cond(
  name: string,
  op: Operator,
  values: Array<string | number> = [],
  extra: { ci?: boolean; attribution?: Attribution; scope?: 'session' | 'person'; distinct?: boolean } = {},
): Plain {
  const c: Plain = {
    kind: 'condition',
    subject: { kind: extra.distinct ? 'countDistinct' : 'field', name },
    op,
    values: values.map(lit),
    caseInsensitive: extra.ci ?? false,
    attribution: extra.attribution ?? 'repeating',
  };
  if (extra.scope) c.attributionScope = extra.scope;
  return c;
}

export const eq = (name: string, v: string | number): Plain => cond(name, 'eq', [v]);

export function container(scope: Scope, body: Plain): Plain {
  return { kind: 'container', scope, body };
}

export const and = (...items: Plain[]): Plain => ({ kind: 'and', items });
export const or = (...items: Plain[]): Plain => ({ kind: 'or', items });
export const not = (operand: Plain, keyword: 'not' | 'exclude' = 'not'): Plain => ({ kind: 'not', keyword, operand });

export interface StepSpec {
  checkpoint: Plain;
  exclude?: boolean;
  gaps?: Array<['within' | 'after', number, GapUnit | string]>;
}

function unit(u: GapUnit | string): Plain {
  if (typeof u !== 'string') return u.kind === 'dimension' ? { kind: 'dimension', name: { name: u.name.name } } : { ...u };
  if (u === 'event' || u === 'session') return { kind: u };
  if (u.startsWith('dim:')) return { kind: 'dimension', name: { name: u.slice(4) } };
  return { kind: 'time', unit: u };
}

export function step(checkpoint: Plain, opts: Omit<StepSpec, 'checkpoint'> = {}): StepSpec {
  return { checkpoint, ...opts };
}

export function seq(...steps: Array<StepSpec | Plain>): Plain {
  return {
    kind: 'sequence',
    steps: steps.map(s => {
      const spec: StepSpec = 'checkpoint' in s && !('kind' in s) ? (s as StepSpec) : { checkpoint: s as Plain };
      return {
        exclude: spec.exclude ?? false,
        constraints: (spec.gaps ?? []).map(([limit, count, u]) => ({ limit, count, unit: unit(u) })),
        checkpoint: spec.checkpoint,
      };
    }),
  };
}

export const group = (mode: 'all' | 'any', ...items: Plain[]): Plain => ({ kind: 'logicGroup', mode, items });
export const only = (mode: 'before' | 'after', sequence: Plain): Plain => ({ kind: 'only', mode, sequence });
export const ref = (id: string): Plain => ({ kind: 'filterRef', id: { name: id } });
export const error = (): Plain => ({ kind: 'error' });
