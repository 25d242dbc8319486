/**
 * The canonical layout of a rule (the formatter's output). Printing is a function of the tree and
 * its comments only, so it is idempotent, and the printed text parses back to the same tree.
 *
 * Layout: the top-level container on the first line, its body one level in; each `then` step on its
 * own line; `and`/`or` chains on one line when they fit in 80 columns, else one item per line with
 * the operator first; parentheses only where the grammar needs them. Each comment goes on its own
 * line before the line of the node that follows it.
 */
import type { Condition, Container, Expr, Literal, LogicGroup, Not, OnlySequence, Operator, Rule, Sequence } from './ast';
import { SCOPE_RANK } from './ast';
import { quoteString } from './lexer';
import { unitName } from './parser';

export interface PrintOptions {
  /** One level of indentation; two spaces by default. */
  indentUnit?: string;
}

const MAX_WIDTH = 80;

export const OPERATOR_TEXT: Record<Operator, string> = {
  eq: '=',
  ne: '!=',
  in: 'in',
  notIn: 'not in',
  contains: 'contains',
  notContains: 'not contains',
  containsAny: 'contains any of',
  containsAll: 'contains all of',
  notContainsAny: 'not contains any of',
  notContainsAll: 'not contains all of',
  startsWith: 'starts with',
  notStartsWith: 'not starts with',
  endsWith: 'ends with',
  notEndsWith: 'not ends with',
  matches: 'matches',
  notMatches: 'not matches',
  exists: 'exists',
  notExists: 'not exists',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  between: 'between',
};

const LIST_OPERATORS: ReadonlySet<Operator> = new Set(['in', 'notIn', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll']);

/**
 * One output line. `anchor` is the rule-text offset of the node the line starts with (-1 for lines
 * such as a closing `)`): a comment is printed before the first line whose anchor follows it.
 */
interface Line {
  depth: number;
  text: string;
  anchor: number;
}

interface Doc {
  lines: Line[];
}

export function printRule(rule: Rule, options: PrintOptions = {}): string {
  return new Printer(rule, options.indentUnit ?? '  ').print();
}

/** A number in the form the lexer reads back to the same value (no exponent notation). */
export function formatNumber(n: number): string {
  if (Object.is(n, -0)) return '-0';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + out;
}

export function formatLiteral(l: Literal): string {
  return l.kind === 'string' ? quoteString(l.value) : formatNumber(l.value);
}

/** The one-line source form of a condition, e.g. `page contains "x" ignoring case [instance]`. */
export function formatCondition(c: Condition): string {
  return conditionHead(c) + conditionValues(c) + conditionSuffix(c);
}

function conditionHead(c: Condition): string {
  const subject = c.subject.kind === 'countDistinct' ? `count distinct ${c.subject.name}` : c.subject.name;
  return `${subject} ${OPERATOR_TEXT[c.op]}`;
}

function conditionValues(c: Condition): string {
  if (c.op === 'exists' || c.op === 'notExists') return '';
  if (c.op === 'between') return ` ${c.values.map(formatLiteral).join(' and ')}`;
  if (LIST_OPERATORS.has(c.op)) return ` (${c.values.map(formatLiteral).join(', ')})`;
  return ` ${c.values.map(formatLiteral).join(' ')}`;
}

function conditionSuffix(c: Condition): string {
  let s = c.caseInsensitive ? ' ignoring case' : '';
  if (c.attribution === 'instance') s += ' [instance]';
  else if (c.attribution === 'nonRepeatingInstance') s += c.attributionScope === 'person' ? ' [non-repeating instance per person]' : ' [non-repeating instance]';
  return s;
}

/** `target.push(...source)` without the argument-count limit of spreading a huge array. */
function append<T>(target: T[], source: readonly T[]): void {
  for (const item of source) target.push(item);
}

function isChain(e: Expr): boolean {
  return e.kind === 'and' || e.kind === 'or' || e.kind === 'sequence';
}

function single(depth: number, text: string, anchor: number): Doc {
  return { lines: [{ depth, text, anchor }] };
}

function prefixed(prefix: string, doc: Doc, anchor?: number): Doc {
  const [first, ...rest] = doc.lines;
  return { lines: [{ depth: first.depth, text: prefix + first.text, anchor: anchor ?? first.anchor }, ...rest] };
}

/*
 * Where parentheses are needed. The parser ends a container's body before an operator followed by
 * a container of the same or a wider scope (so `event where a then event where b` is a sequence of
 * two containers). `leadOf` is the rank of the container an operand's text starts with (looking
 * through `not`/`exclude`), `tailOf` the widest rank among the containers whose bodies are still
 * open at its end (0 for none). An operand gets parentheses when the next operand would not end its
 * open bodies, or when it would end the body the chain sits in (`stopRank`). Computed from the
 * tree alone, so every node is rendered once.
 */

/** A checkpoint spelled `exclude X` would read as an exclude step, so it keeps its parentheses. */
function stepNeedsParens(e: Expr): boolean {
  return isChain(e) || (e.kind === 'not' && e.keyword === 'exclude');
}

function leadOf(e: Expr): number {
  if (e.kind === 'container') return SCOPE_RANK[e.scope];
  if (e.kind === 'not') return isChain(e.operand) ? 0 : leadOf(e.operand);
  return 0;
}

function tailOf(e: Expr): number {
  if (e.kind === 'container') return Math.max(SCOPE_RANK[e.scope], topTail(e.body, SCOPE_RANK[e.scope]));
  if (e.kind === 'not') return isChain(e.operand) ? 0 : tailOf(e.operand);
  return 0;
}

/** `tailOf` of an expression printed where a chain needs no parentheses (a body). */
function topTail(e: Expr, stopRank: number): number {
  const items = e.kind === 'and' || e.kind === 'or' ? e.items : e.kind === 'sequence' ? e.steps.map(s => s.checkpoint) : null;
  if (!items) return tailOf(e);
  const last = items[items.length - 1];
  if (!last || (e.kind === 'sequence' ? stepNeedsParens(last) : isChain(last))) return 0;
  if (items.length > 1 && stopRank > 0 && leadOf(last) >= stopRank) return 0;
  return tailOf(last);
}

/** Which operands of a chain (or checkpoints of a sequence) get parentheses; decided right to left. */
function wrapDecisions(items: Expr[], stopRank: number, mustWrap: (e: Expr) => boolean): boolean[] {
  const wrap = new Array<boolean>(items.length);
  let nextLead = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const e = items[i];
    let w = mustWrap(e);
    if (!w) {
      const tail = tailOf(e);
      const swallowsNext = i < items.length - 1 && tail > 0 && nextLead < tail;
      const endsBody = i > 0 && stopRank > 0 && leadOf(e) >= stopRank;
      w = swallowsNext || endsBody;
    }
    wrap[i] = w;
    nextLead = w ? 0 : leadOf(e);
  }
  return wrap;
}

class Printer {
  private readonly commentStarts: number[];

  constructor(
    private readonly rule: Rule,
    private readonly indentUnit: string,
  ) {
    this.commentStarts = rule.comments.map(c => c.start).sort((a, b) => a - b);
  }

  print(): string {
    const root = this.rule.root;
    let lines: Line[] = [];
    if (root && root.kind === 'container') {
      lines = [{ depth: 0, text: `${root.scope} where`, anchor: root.start }, ...this.top(root.body, 1, 0, SCOPE_RANK[root.scope]).lines];
    } else if (root) lines = this.top(root, 0, 0, 0).lines;
    return this.withComments(lines).join('\n');
  }

  private withComments(lines: Line[]): string[] {
    const comments = [...this.rule.comments].sort((a, b) => a.start - b.start);
    const out: string[] = [];
    let next = 0;
    for (const line of lines) {
      if (line.anchor >= 0) {
        while (next < comments.length && comments[next].start < line.anchor) out.push(this.indent(line.depth) + comments[next++].text.trimEnd());
      }
      out.push(this.indent(line.depth) + line.text);
    }
    const depth = lines.length ? lines[lines.length - 1].depth : 0;
    while (next < comments.length) out.push(this.indent(depth) + comments[next++].text.trimEnd());
    return out;
  }

  private indent(depth: number): string {
    return this.indentUnit.repeat(depth);
  }

  private fits(depth: number, length: number): boolean {
    return depth * this.indentUnit.length + length <= MAX_WIDTH;
  }

  /** True when a comment starts strictly between the two offsets: the layout must break there. */
  private commentBetween(from: number, to: number): boolean {
    const starts = this.commentStarts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length && starts[lo] < to;
  }

  /** An expression where a chain needs no parentheses: a container body, a group's item. */
  private top(e: Expr, depth: number, prefixLen: number, stopRank: number): Doc {
    if (e.kind === 'and' || e.kind === 'or') return this.chain(e.kind, e.items, e.start, depth, prefixLen, stopRank);
    if (e.kind === 'sequence') return this.sequence(e, depth, prefixLen, stopRank);
    return this.operand(e, depth, prefixLen);
  }

  /** An expression as an operand: chains get parentheses. */
  private operand(e: Expr, depth: number, prefixLen: number): Doc {
    switch (e.kind) {
      case 'and':
      case 'or':
      case 'sequence':
        return this.parenthesised(e, depth, prefixLen);
      case 'container':
        return this.container(e, depth, prefixLen);
      case 'not':
        return this.not(e, depth, prefixLen);
      case 'condition':
        return this.condition(e, depth, prefixLen);
      case 'logicGroup':
        return this.logicGroup(e, depth, prefixLen);
      case 'only':
        return this.only(e, depth, prefixLen);
      case 'filterRef':
        return single(depth, `filter ${e.id.name}`, e.start);
      case 'error':
        return single(depth, '<error>', e.start);
    }
  }

  private parenthesised(e: Expr, depth: number, prefixLen: number): Doc {
    const inner = this.top(e, depth + 1, 0, 0);
    if (inner.lines.length === 1 && this.fits(depth, prefixLen + inner.lines[0].text.length + 2)) {
      return single(depth, `(${inner.lines[0].text})`, inner.lines[0].anchor);
    }
    return { lines: [{ depth, text: '(', anchor: inner.lines[0].anchor }, ...inner.lines, { depth, text: ')', anchor: -1 }]};
  }

  private operands(items: Expr[], depth: number, prefixLens: number[], stopRank: number, mustWrap: (e: Expr) => boolean): Doc[] {
    const wrap = wrapDecisions(items, stopRank, mustWrap);
    return items.map((e, i) => (wrap[i] ? this.parenthesised(e, depth, prefixLens[i]) : this.operand(e, depth, prefixLens[i])));
  }

  private chain(op: 'and' | 'or', items: Expr[], start: number, depth: number, prefixLen: number, stopRank: number): Doc {
    const prefixLens = items.map((_, i) => (i === 0 ? prefixLen : op.length + 1));
    const docs = this.operands(items, depth, prefixLens, stopRank, isChain);
    const forced = items.length > 0 && this.commentBetween(start, items[items.length - 1].start);
    if (!forced && docs.every(d => d.lines.length === 1)) {
      const text = docs.map(d => d.lines[0].text).join(` ${op} `);
      if (this.fits(depth, prefixLen + text.length)) return single(depth, text, docs[0].lines[0].anchor);
    }
    const lines: Line[] = [];
    docs.forEach((d, i) => append(lines, (i === 0 ? d : prefixed(`${op} `, d)).lines));
    return { lines };
  }

  private sequence(s: Sequence, depth: number, prefixLen: number, stopRank: number): Doc {
    const steps = s.steps;
    const prefixes = steps.map((step, k) => (k === 0 || step.constraints.length ? '' : 'then ') + (step.exclude ? 'exclude ' : ''));
    const prefixLens = steps.map((_, k) => (k === 0 ? prefixLen : 0) + prefixes[k].length);
    const docs = this.operands(
      steps.map(step => step.checkpoint),
      depth,
      prefixLens,
      stopRank,
      stepNeedsParens,
    );
    const lines: Line[] = [];
    steps.forEach((step, k) => {
      if (k > 0 && step.constraints.length) {
        const gaps = step.constraints.map(c => `${c.limit} ${c.count} ${unitName(c.unit, c.count)}`).join(' ');
        lines.push({ depth, text: `then ${gaps}`, anchor: step.start });
      }
      const anchor = k > 0 && step.constraints.length ? undefined : Math.min(step.start, docs[k].lines[0].anchor < 0 ? step.start : docs[k].lines[0].anchor);
      append(lines, (prefixes[k] ? prefixed(prefixes[k], docs[k], anchor) : docs[k]).lines);
    });
    return { lines };
  }

  private container(c: Container, depth: number, prefixLen: number): Doc {
    const head = `${c.scope} where`;
    const body = this.top(c.body, depth + 1, 0, SCOPE_RANK[c.scope]);
    if (body.lines.length === 1 && !this.commentBetween(c.start, c.body.start) && this.fits(depth, prefixLen + head.length + 1 + body.lines[0].text.length)) {
      return single(depth, `${head} ${body.lines[0].text}`, c.start);
    }
    return { lines: [{ depth, text: head, anchor: c.start }, ...body.lines] };
  }

  private not(n: Not, depth: number, prefixLen: number): Doc {
    const keyword = `${n.keyword} `;
    const operand = isChain(n.operand) ? this.parenthesised(n.operand, depth, prefixLen + keyword.length) : this.operand(n.operand, depth, prefixLen + keyword.length);
    return prefixed(keyword, operand, n.start);
  }

  private condition(c: Condition, depth: number, prefixLen: number): Doc {
    const text = formatCondition(c);
    const isList = LIST_OPERATORS.has(c.op) && c.values.length > 0;
    if (!isList || (this.fits(depth, prefixLen + text.length) && !this.commentBetween(c.start, c.values[c.values.length - 1].start))) {
      return single(depth, text, c.start);
    }
    const last = c.values.length - 1;
    return {
      lines: [
        { depth, text: `${conditionHead(c)} (`, anchor: c.start },
        ...c.values.map((v, i) => ({ depth: depth + 1, text: formatLiteral(v) + (i < last ? ',' : ''), anchor: v.start })),
        { depth, text: `)${conditionSuffix(c)}`, anchor: -1 },
      ],
    };
  }

  private logicGroup(g: LogicGroup, depth: number, prefixLen: number): Doc {
    const head = `${g.mode} of (`;
    const items = g.items.map(item => this.top(item, depth + 1, 0, 0));
    const forced = g.items.length > 0 && this.commentBetween(g.start, g.items[g.items.length - 1].start);
    if (!forced && items.every(d => d.lines.length === 1)) {
      const text = `${head}${items.map(d => d.lines[0].text).join(', ')})`;
      if (this.fits(depth, prefixLen + text.length)) return single(depth, text, g.start);
    }
    const lines: Line[] = [{ depth, text: head, anchor: g.start }];
    items.forEach((d, i) => {
      const itemLines = d.lines.map(l => ({ ...l }));
      if (i < items.length - 1) itemLines[itemLines.length - 1].text += ',';
      append(lines, itemLines);
    });
    lines.push({ depth, text: ')', anchor: -1 });
    return { lines};
  }

  private only(o: OnlySequence, depth: number, prefixLen: number): Doc {
    const head = `only ${o.mode} (`;
    const steps = o.sequence.steps;
    let inner: Doc;
    if (steps.length === 1 && !steps[0].exclude) {
      const cp = steps[0].checkpoint;
      inner = cp.kind === 'sequence' ? this.parenthesised(cp, depth + 1, 0) : this.top(cp, depth + 1, 0, 0);
    } else inner = this.sequence(o.sequence, depth + 1, 0, 0);
    const tail = o.scope ? `) per ${o.scope}` : ')';
    if (inner.lines.length === 1 && this.fits(depth, prefixLen + head.length + inner.lines[0].text.length + tail.length)) {
      return single(depth, `${head}${inner.lines[0].text}${tail}`, o.start);
    }
    return { lines: [{ depth, text: head, anchor: o.start }, ...inner.lines, { depth, text: tail, anchor: -1 }]};
  }
}
