/**
 * An independent oracle for non-sequential rules: compiles the AST to DuckDB SQL over a table
 * `ev(idx, person, session, ts, <dimensions>, <metrics>)` with NULL for missing values, following
 * SPEC §3.3 rules 1–5 with set operations (a unit set per sub-expression).
 */
import type { DataView } from '../../../core/src/dataview/model';
import type { Condition, Expr, Literal, Rule, Scope } from '../../../core/src/rule/ast';

const RANK: Record<Scope, number> = { person: 3, session: 2, event: 1 };
const COLUMN: Record<Scope, string> = { person: 'person', session: 'session', event: 'idx' };

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Glob to LIKE: `*` → `%`, `\x` → literal x; LIKE's own `%`, `_` and `\` escaped. */
export function globToLike(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    let c = glob[i];
    if (c === '*') {
      out += '%';
      continue;
    }
    if (c === '\\' && i + 1 < glob.length) c = glob[++i];
    out += c === '%' || c === '_' || c === '\\' ? `\\${c}` : c;
  }
  return out;
}

export class OracleSql {
  constructor(private readonly dataView: DataView) {}

  /** `WITH a AS (...)` holding the windowed events and the attribution flags per dimension. */
  prelude(window: { from: number; to: number } | undefined, attributed: Set<string>): string {
    const where = window ? `WHERE ts >= ${window.from} AND ts < ${window.to}` : '';
    const flags = this.dataView.dimensions.filter((d) => attributed.has(d.name)).flatMap((d) => {
      const c = d.name;
      return [
        `(${c} IS NOT NULL AND ${c} IS DISTINCT FROM last_value(${c} IGNORE NULLS) OVER (PARTITION BY person ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS ${c}__inst`,
        `(${c} IS NOT NULL AND row_number() OVER (PARTITION BY session, ${c} ORDER BY idx) = 1) AS ${c}__nrs`,
        `(${c} IS NOT NULL AND row_number() OVER (PARTITION BY person, ${c} ORDER BY idx) = 1) AS ${c}__nrp`,
      ];
    });
    return `WITH w AS (SELECT * FROM ev ${where}), a AS (SELECT *${flags.map((f) => `, ${f}`).join('')} FROM w)`;
  }

  /** The query returning the idx of every event the rule returns. */
  returnedEvents(rule: Rule, window?: { from: number; to: number }): string {
    const root = rule.root as Expr;
    const scope: Scope = root.kind === 'container' ? root.scope : 'person';
    const body = root.kind === 'container' ? root.body : root;
    const attributed = new Set<string>();
    const visit = (x: Expr): void => {
      if (x.kind === 'condition' && x.attribution !== 'repeating') attributed.add(x.subject.name);
      if (x.kind === 'and' || x.kind === 'or' || x.kind === 'logicGroup') x.items.forEach(visit);
      if (x.kind === 'not') visit(x.operand);
      if (x.kind === 'container') visit(x.body);
    };
    visit(root);
    return `${this.prelude(window, attributed)} SELECT idx FROM a WHERE ${COLUMN[scope]} IN (${this.units(body, scope)}) ORDER BY idx`;
  }

  private universe(scope: Scope): string {
    return `SELECT DISTINCT ${COLUMN[scope]} AS u FROM a`;
  }

  /** A query with one column `u`: the units of `scope` where `x` holds. */
  units(x: Expr, scope: Scope): string {
    const col = COLUMN[scope];
    switch (x.kind) {
      case 'condition':
        return this.condition(x, scope);
      case 'and':
      case 'or':
      case 'logicGroup': {
        const all = x.kind === 'and' || (x.kind === 'logicGroup' && x.mode === 'all');
        return x.items.map((i) => `SELECT u FROM (${this.units(i, scope)})`).join(all ? ' INTERSECT ' : ' UNION ');
      }
      case 'not':
        return `SELECT u FROM (${this.universe(scope)}) EXCEPT SELECT u FROM (${this.units(x.operand, scope)})`;
      case 'container':
        if (RANK[x.scope] >= RANK[scope]) return this.units(x.body, scope);
        return `SELECT DISTINCT ${col} AS u FROM a WHERE ${COLUMN[x.scope]} IN (${this.units(x.body, x.scope)})`;
      default:
        throw new Error(`oracle: ${x.kind} is not in the non-sequential subset`);
    }
  }

  private condition(c: Condition, scope: Scope): string {
    const col = COLUMN[scope];
    const name = c.subject.name;
    const isMetric = this.dataView.metrics.some((m) => m.name === name);
    const negated = c.op.startsWith('not') || c.op === 'ne';
    if (c.subject.kind === 'countDistinct' || isMetric) {
      const agg = c.subject.kind === 'countDistinct' ? `COUNT(DISTINCT ${name})` : `COALESCE(SUM(${name}), 0)`;
      const exists = c.subject.kind === 'countDistinct' ? `COUNT(${name}) > 0` : `COALESCE(bool_or(COALESCE(${name}, 0) <> 0), FALSE)`;
      const positive = c.op === 'exists' || c.op === 'notExists' ? exists : this.compare(c, agg, true);
      return `SELECT ${col} AS u FROM a GROUP BY ${col} HAVING ${negated ? `NOT (${positive})` : positive}`;
    }
    const dim = this.dataView.dimensions.find((d) => d.name === name);
    const numeric = dim?.type === 'number';
    const positive = c.op === 'exists' || c.op === 'notExists' ? `${name} IS NOT NULL` : this.compare(c, name, numeric);
    const guarded = `COALESCE(${positive}, FALSE)`;
    let pred = negated ? `NOT ${guarded}` : guarded;
    if (c.attribution === 'instance') pred = `(${pred}) AND ${name}__inst`;
    if (c.attribution === 'nonRepeatingInstance') pred = `(${pred}) AND ${name}__${c.attributionScope === 'person' ? 'nrp' : 'nrs'}`;
    return `SELECT DISTINCT ${col} AS u FROM a WHERE ${pred}`;
  }

  /** The positive comparison of `value` (a column or aggregate). */
  private compare(c: Condition, value: string, numeric: boolean): string {
    const lit = (l: Literal) => (numeric ? String(Number(l.value)) : sqlString(c.caseInsensitive ? String(l.value).toLowerCase() : String(l.value)));
    const v = !numeric && c.caseInsensitive ? `lower(${value})` : value;
    const ls = c.values.map(lit);
    const op = c.op.replace(/^not(?=[A-Z])/, '').replace(/^ne$/, 'eq');
    const positive = op.charAt(0).toLowerCase() + op.slice(1);
    switch (positive) {
      case 'eq': return `${v} = ${ls[0]}`;
      case 'in': return `${v} IN (${ls.join(', ')})`;
      case 'lt': return `${v} < ${ls[0]}`;
      case 'gt': return `${v} > ${ls[0]}`;
      case 'le': return `${v} <= ${ls[0]}`;
      case 'ge': return `${v} >= ${ls[0]}`;
      case 'between': return `${v} BETWEEN ${ls[0]} AND ${ls[1]}`;
      case 'contains': return `contains(${v}, ${ls[0]})`;
      case 'containsAny': return `(${ls.map((l) => `contains(${v}, ${l})`).join(' OR ')})`;
      case 'containsAll': return `(${ls.map((l) => `contains(${v}, ${l})`).join(' AND ')})`;
      case 'startsWith': return `starts_with(${v}, ${ls[0]})`;
      case 'endsWith': return `suffix(${v}, ${ls[0]})`;
      case 'matches': {
        const pats = c.values.map((l) => sqlString(globToLike(c.caseInsensitive ? String(l.value).toLowerCase() : String(l.value))));
        return `(${pats.map((p) => `${v} LIKE ${p} ESCAPE '\\'`).join(' OR ')})`;
      }
    }
    throw new Error(`oracle: operator ${c.op}`);
  }
}
