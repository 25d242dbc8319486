/**
 * Export of a rule to the canonical Adobe segment definition
 * `{"func":"segment","version":[1,0,0],"container":{...}}`. Names map to the data view's Adobe
 * ids. What the definition format cannot say exactly (case-insensitive text operators in CJA,
 * unknown names, references that cannot be resolved) is reported as problems located by the rule's
 * spans; the definition is still produced.
 */
import type { DataView } from '../dataview/model';
import { DEFAULT_ROOT_SCOPE } from '../engine/evaluator';
import type { Condition, Expr, GapConstraint, Literal, Operator, Rule, Scope, SequenceStep } from '../rule/ast';
import { walkExpr } from '../rule/walk';
import { AA_CASE_INSENSITIVE, SCOPE_TO_CONTEXT } from './adobeJson';
import type { AdobeDefinition, AdobeNode } from './adobeJson';

export interface AdobeExportOptions {
  /** Rules of other filters, inlined for `filter <id>` references. */
  resolveFilter?: (id: string) => Rule | undefined;
  /** `aa`: the AA string operators are case-insensitive there, so `ignoring case` exports exactly. Default `cja`. */
  target?: 'cja' | 'aa';
}

export interface AdobeExportProblem {
  /** Rule-text offsets of the node at fault. */
  start: number;
  end: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface AdobeExportResult {
  definition: AdobeDefinition;
  problems: AdobeExportProblem[];
  /** Rule comments that label no node (after the last one, or suppression directives): not in the definition. */
  commentsLeft: number;
}

/** The canonical definition of a rule (problems ignored; see `exportAdobeDefinitionChecked`). */
export function exportAdobeDefinition(rule: Rule, dataView: DataView, options: AdobeExportOptions = {}): AdobeDefinition {
  return exportAdobeDefinitionChecked(rule, dataView, options).definition;
}

export function exportAdobeDefinitionChecked(rule: Rule, dataView: DataView, options: AdobeExportOptions = {}): AdobeExportResult {
  const exporter = new AdobeExporter(dataView, options);
  const root = rule.root;
  const commentsLeft = root ? exporter.labelsFrom(rule, root) : rule.comments.length;
  let container: AdobeNode;
  if (!root) {
    exporter.problems.push({ start: 0, end: 0, severity: 'error', code: 'export-empty-rule', message: 'The rule is empty; there is nothing to export.' });
    container = { func: 'container', context: SCOPE_TO_CONTEXT[DEFAULT_ROOT_SCOPE], pred: { func: 'and', preds: [] } };
  } else if (root.kind === 'container') {
    container = exporter.expr(root, root.scope);
  } else {
    container = { func: 'container', context: SCOPE_TO_CONTEXT[DEFAULT_ROOT_SCOPE], pred: exporter.expr(root, DEFAULT_ROOT_SCOPE) };
  }
  return { definition: { func: 'segment', version: [1, 0, 0], container }, problems: exporter.problems, commentsLeft };
}

const NUMERIC_FUNCS: Partial<Record<Operator, string>> = { eq: 'eq', ne: 'not-eq', lt: 'lt', gt: 'gt', le: 'le', ge: 'ge', in: 'eq-in', notIn: 'not-eq-in' };
const STRING_FUNCS: Record<Exclude<Operator, 'between' | 'exists' | 'notExists'>, string> = {
  eq: 'streq', ne: 'not-streq', in: 'streq-in', notIn: 'not-streq-in', contains: 'contains', notContains: 'not-contains',
  containsAny: 'contains-any-of', containsAll: 'contains-all-of', notContainsAny: 'not-contains-any-of', notContainsAll: 'not-contains-all-of',
  startsWith: 'starts-with', notStartsWith: 'not-starts-with', endsWith: 'ends-with', notEndsWith: 'not-ends-with',
  matches: 'matches', notMatches: 'not-matches', lt: 'strlt', gt: 'strgt', le: 'strle', ge: 'strge',
};
const LIST_OPS: ReadonlySet<Operator> = new Set<Operator>(['in', 'notIn', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll']);
const NEGATED_OPS: ReadonlySet<Operator> = new Set<Operator>(['ne', 'notIn', 'notContains', 'notContainsAny', 'notContainsAll', 'notStartsWith', 'notEndsWith', 'notMatches', 'notExists']);

function literalText(l: Literal): string {
  return l.kind === 'string' ? l.value : String(l.value);
}

function literalNumber(l: Literal): number {
  return l.kind === 'number' ? l.value : Number(l.value);
}

class AdobeExporter {
  readonly problems: AdobeExportProblem[] = [];
  private readonly resolving: string[] = [];

  constructor(
    private readonly dataView: DataView,
    private readonly options: AdobeExportOptions,
  ) {}

  private problem(node: { start: number; end: number }, severity: 'error' | 'warning', code: string, message: string): void {
    this.problems.push({ start: node.start, end: node.end, severity, code, message });
  }

  /** `description` labels: the text of the comments written before a node (as import writes them). */
  private readonly labels = new Map<Expr, string>();

  /**
   * Each rule comment labels the node that follows it (the outermost one starting there), as
   * import turns descriptions into comments. Returns how many comments label nothing.
   */
  labelsFrom(rule: Rule, root: Expr): number {
    const nodes: Expr[] = [];
    walkExpr(root, n => void nodes.push(n));
    const order = nodes.map((n, i) => [n, i] as const).sort((a, b) => a[0].start - b[0].start || a[1] - b[1]);
    let left = 0;
    for (const c of rule.comments) {
      const text = c.text.replace(/^#\s?/, '').trim();
      const target = /^audience-filters-disable/.test(text) ? undefined : order.find(([n]) => n.start >= c.end)?.[0];
      if (!target || !text) {
        left++;
        continue;
      }
      const prev = this.labels.get(target);
      this.labels.set(target, prev ? `${prev} ${text}` : text);
    }
    return left;
  }

  /** The node of an expression inside a container of `scope`, with its label. */
  expr(e: Expr, scope: Scope): AdobeNode {
    const node = this.exprNode(e, scope);
    const label = this.labels.get(e);
    return label === undefined ? node : { ...node, description: label };
  }

  private exprNode(e: Expr, scope: Scope): AdobeNode {
    switch (e.kind) {
      case 'container':
        return { func: 'container', context: SCOPE_TO_CONTEXT[e.scope], pred: this.expr(e.body, e.scope) };
      case 'and':
      case 'or':
        return { func: e.kind, preds: e.items.map(i => this.expr(i, scope)) };
      case 'not':
        return { func: 'without', pred: this.expr(e.operand, scope) };
      case 'sequence':
        return { func: 'sequence', stream: this.stream(e.steps, scope) };
      case 'only': {
        // `per <scope>` is the sequence's own context; without it, the enclosing container's.
        const own = e.scope ?? scope;
        return { func: e.mode === 'after' ? 'sequence-prefix' : 'sequence-suffix', context: SCOPE_TO_CONTEXT[own], stream: this.stream(e.sequence.steps, own) };
      }
      case 'logicGroup':
        return { func: e.mode === 'all' ? 'sequence-and' : 'sequence-or', checkpoints: e.items.map(i => this.expr(i, scope)) };
      case 'condition':
        return this.condition(e, scope);
      case 'filterRef':
        return this.reference(e.id.name, e, scope);
      case 'error':
        this.problem(e, 'error', 'export-rule-error', 'The rule has a syntax error here; fix it before exporting.');
        return { func: 'and', preds: [] };
    }
  }

  private reference(id: string, at: Expr, scope: Scope): AdobeNode {
    if (this.resolving.includes(id)) {
      this.problem(at, 'error', 'export-reference-cycle', `Filter \`${id}\` refers to itself through ${this.resolving.join(' → ')}; the cycle cannot be inlined.`);
      return { func: 'and', preds: [] };
    }
    const root = this.options.resolveFilter?.(id)?.root;
    if (!root) {
      this.problem(at, 'error', 'export-unknown-filter', `Filter \`${id}\` was not found; its rule cannot be inlined into the definition.`);
      return { func: 'and', preds: [] };
    }
    this.resolving.push(id);
    try {
      return this.expr(root, scope);
    } finally {
      this.resolving.pop();
    }
  }

  private stream(steps: SequenceStep[], scope: Scope): AdobeNode[] {
    const out: AdobeNode[] = [];
    steps.forEach((step, k) => {
      if (k > 0) for (const c of step.constraints) out.push(this.restriction(c));
      if (step.exclude) out.push({ func: 'exclude-next-checkpoint' });
      out.push(this.expr(step.checkpoint, scope));
    });
    return out;
  }

  private restriction(c: GapConstraint): AdobeNode {
    switch (c.unit.kind) {
      case 'time':
        // `container: hits` as Adobe's segment builder writes it (time is measured between hits).
        return { func: 'time-restriction', limit: c.limit, count: c.count, unit: c.unit.unit, container: 'hits' };
      case 'event':
        return { func: 'container-restriction', limit: c.limit, count: c.count, container: 'hits' };
      case 'session':
        return { func: 'container-restriction', limit: c.limit, count: c.count, container: 'visits' };
      case 'dimension':
        return { func: 'dimension-restriction', limit: c.limit, count: c.count, attribute: this.attr(c.unit.name.name, c.unit.name) };
    }
  }

  private attr(name: string, at: { start: number; end: number }, cond?: Condition): AdobeNode {
    const dim = this.dataView.dimensions.find(d => d.name === name);
    if (!dim) this.problem(at, 'error', 'export-unknown-name', `\`${name}\` is not a dimension of data view \`${this.dataView.id}\`; exported as \`variables/${name}\`.`);
    const node: AdobeNode = { func: 'attr', name: dim?.adobeId ?? `variables/${name}` };
    if (cond?.attribution === 'instance') node['allocation-model'] = { func: 'allocation-instance' };
    else if (cond?.attribution === 'nonRepeatingInstance') {
      node['allocation-model'] = { func: 'allocation-dedupedInstance', context: cond.attributionScope === 'session' ? 'sessions' : 'visitors' };
    }
    return node;
  }

  private condition(c: Condition, scope: Scope): AdobeNode {
    const metric = c.subject.kind === 'field' ? this.dataView.metrics.find(m => m.name === c.subject.name) : undefined;
    const aggregate = metric !== undefined || c.subject.kind === 'countDistinct';
    if (metric && (c.op === 'exists' || c.op === 'notExists')) {
      return { func: c.op === 'exists' ? 'event-exists' : 'not-event-exists', evt: { func: 'event', name: metric.adobeId } };
    }
    if (c.caseInsensitive && !(this.options.target === 'aa' && AA_CASE_INSENSITIVE.has(c.op))) {
      this.problem(c, 'warning', 'export-case-insensitive', `Adobe ${this.options.target === 'aa' ? 'Analytics' : 'Customer Journey Analytics'} has no case-insensitive form of this comparison; it is exported case-sensitive.`);
    }
    let val: AdobeNode;
    if (metric) val = { func: 'total', evt: { func: 'event', name: metric.adobeId } };
    else if (c.subject.kind === 'countDistinct') val = { func: 'total-distinct', field: this.attr(c.subject.name, c.subject) };
    else val = this.attr(c.subject.name, c.subject, c);
    if (aggregate && c.attribution !== 'repeating') this.problem(c, 'warning', 'export-attribution', 'Attribution applies to dimensions only; it is left out.');

    if (c.op === 'exists' || c.op === 'notExists') {
      if (aggregate) {
        // `count distinct d exists` = at least one distinct value.
        return { func: c.op === 'exists' ? 'gt' : 'le', val, num: 0 };
      }
      return { func: c.op === 'exists' ? 'exists' : 'not-exists', val };
    }
    const numeric = aggregate || (c.values.length > 0 && c.values.every(v => v.kind === 'number') && (c.op in NUMERIC_FUNCS || c.op === 'between'));
    if (aggregate && c.op in STRING_FUNCS && !(c.op in NUMERIC_FUNCS) && c.op !== 'between') {
      this.problem(c, 'error', 'export-type-mismatch', `\`${c.subject.name}\` is a number; a text comparison cannot be exported.`);
    }
    if (aggregate) {
      const text = c.values.find(v => v.kind === 'string' && !/^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v.value));
      if (text) this.problem(text, 'error', 'export-type-mismatch', `\`${c.subject.kind === 'countDistinct' ? `count distinct ${c.subject.name}` : c.subject.name}\` is a number; the text ${JSON.stringify(literalText(text))} cannot be compared with it in a definition.`);
    }
    if (c.op === 'between') {
      const [lo, hi] = c.values;
      const pair: AdobeNode = { func: 'and', preds: [this.leaf(numeric ? 'ge' : 'strge', val, numeric, [lo]), this.leaf(numeric ? 'le' : 'strle', val, numeric, [hi ?? lo])] };
      // Both bounds must hold on one event for a dimension; a total is one value per container.
      return aggregate || scope === 'event' ? pair : { func: 'container', context: 'hits', pred: pair };
    }
    const func = numeric ? NUMERIC_FUNCS[c.op] : STRING_FUNCS[c.op as keyof typeof STRING_FUNCS];
    if (!func) {
      this.problem(c, 'error', 'export-type-mismatch', `\`${c.op}\` cannot be exported on \`${c.subject.name}\`.`);
      return { func: 'and', preds: [] };
    }
    if (LIST_OPS.has(c.op) || c.values.length <= 1) return this.leaf(func, val, numeric, c.values, LIST_OPS.has(c.op));
    // Several values of a one-value operator (e.g. `matches "a*" "b*"`): any of them (all, for negations).
    const leaves = c.values.map(v => this.leaf(func, val, numeric, [v]));
    if (!NEGATED_OPS.has(c.op)) return { func: 'or', preds: leaves };
    const all: AdobeNode = { func: 'and', preds: leaves };
    return aggregate || scope === 'event' ? all : { func: 'container', context: 'hits', pred: all };
  }

  private leaf(func: string, val: AdobeNode, numeric: boolean, values: Literal[], list = false): AdobeNode {
    const node: AdobeNode = { func, val };
    if (list) node.list = values.map(v => (numeric ? literalNumber(v) : literalText(v)));
    else if (numeric) node.num = literalNumber(values[0]);
    else node[func === 'matches' || func === 'not-matches' ? 'glob' : 'str'] = literalText(values[0]);
    return node;
  }
}
