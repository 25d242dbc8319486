/** Short human-readable text of rule nodes, for waterfall labels and explanations. */
import type { Expr, GapConstraint, Literal, Operator, SequenceStep } from '../rule/ast';

const OPERATOR_TEXT: Record<Operator, string> = {
  eq: '=',
  ne: '!=',
  in: 'in',
  notIn: 'not in',
  contains: 'contains',
  notContains: 'does not contain',
  containsAny: 'contains any of',
  containsAll: 'contains all of',
  notContainsAny: 'does not contain any of',
  notContainsAll: 'does not contain all of',
  startsWith: 'starts with',
  notStartsWith: 'does not start with',
  endsWith: 'ends with',
  notEndsWith: 'does not end with',
  matches: 'matches',
  notMatches: 'does not match',
  exists: 'exists',
  notExists: 'does not exist',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  between: 'between',
};

function literal(l: Literal): string {
  return l.kind === 'string' ? JSON.stringify(l.value) : String(l.value);
}

export function describeGap(g: GapConstraint): string {
  const u = g.unit;
  const name = u.kind === 'time' ? u.unit : u.kind === 'dimension' ? `${u.name.name} instance` : u.kind;
  return `${g.limit} ${g.count} ${name}${g.count === 1 ? '' : 's'}`;
}

/**
 * What an `exclude` step of a sequence means, as a statement that holds or not: at the end,
 * "no event where x = 1 within 30 minutes" ("… afterwards" without a gap); between two
 * checkpoints, "no event where x = 1 in between".
 */
export function describeExclude(step: SequenceStep, position: 'after' | 'between'): string {
  const gaps = step.constraints.map(describeGap).join(' and ');
  const where = position === 'between' ? ' in between' : gaps ? '' : ' afterwards';
  return `no ${wrap(step.checkpoint)}${gaps ? ` ${gaps}` : ''}${where}`;
}

export function describeExpr(e: Expr): string {
  switch (e.kind) {
    case 'condition': {
      const subject = e.subject.kind === 'countDistinct' ? `count distinct ${e.subject.name}` : e.subject.name;
      const op = OPERATOR_TEXT[e.op] + (e.caseInsensitive ? ' (case-insensitive)' : '');
      if (e.values.length === 0) return `${subject} ${op}`;
      if (e.op === 'between') return `${subject} between ${literal(e.values[0])} and ${e.values[1] ? literal(e.values[1]) : '?'}`;
      const list = e.values.length > 1 || e.op === 'in' || e.op === 'notIn' || e.op.endsWith('Any') || e.op.endsWith('All');
      return `${subject} ${op} ${list ? `(${e.values.map(literal).join(', ')})` : literal(e.values[0])}`;
    }
    case 'and':
    case 'or':
      return e.items.map((i) => wrap(i)).join(` ${e.kind} `);
    case 'not':
      return `${e.keyword} ${wrap(e.operand)}`;
    case 'container':
      return `${e.scope} where ${describeExpr(e.body)}`;
    case 'sequence':
      return e.steps
        .map((s, k) => `${k > 0 ? 'then ' : ''}${s.constraints.map((c) => describeGap(c) + ' ').join('')}${s.exclude ? 'exclude ' : ''}${wrap(s.checkpoint)}`)
        .join(' ');
    case 'logicGroup':
      return `${e.mode} of (${e.items.map(describeExpr).join(', ')})`;
    case 'only':
      return `only ${e.mode} (${describeExpr(e.sequence)})${e.scope ? ` per ${e.scope}` : ''}`;
    case 'filterRef':
      return `filter ${e.id.name}`;
    case 'error':
      return '<error>';
  }
}

function wrap(e: Expr): string {
  const text = describeExpr(e);
  return e.kind === 'and' || e.kind === 'or' || e.kind === 'sequence' ? `(${text})` : text;
}
