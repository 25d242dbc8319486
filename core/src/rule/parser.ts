/**
 * Recursive-descent parser of the rule language (grammar in docs/language.md, "Rule language").
 *
 * Errors are values: `parseRule` never throws, returns a tree for any input (with `ErrorExpr`
 * where it recovered) and one diagnostic per fault. Recovery resynchronises on `and`, `or`,
 * `then`, the closing token of the enclosing group, and keywords that start a line.
 */
import type { Severity } from '../diagnostics';
import { closestMatches, editDistance } from '../names';
import type {
  And,
  Container,
  ErrorExpr,
  Expr,
  GapConstraint,
  GapUnit,
  Identifier,
  Literal,
  LogicGroup,
  Not,
  OnlySequence,
  Operator,
  Or,
  Rule,
  Scope,
  Sequence,
  SequenceStep,
  Subject,
  TimeUnit,
} from './ast';
import { SCOPE_RANK } from './ast';
import { lexRule } from './lexer';
import type { Token } from './lexer';

/** An edit inside the rule text, in rule-text offsets (the caller maps them to file positions). */
export interface RuleEdit {
  start: number;
  end: number;
  newText: string;
}

export interface RuleDiagnosticData {
  /** Replacement texts for the diagnostic's range ("did you mean"). */
  replacements?: string[];
  /** One whole fix, as edits of the rule text. */
  ruleEdits?: RuleEdit[];
}

export interface RuleDiagnostic {
  start: number;
  end: number;
  severity: Severity;
  code: string;
  message: string;
  data?: RuleDiagnosticData;
}

export interface ParseResult {
  rule: Rule;
  diagnostics: RuleDiagnostic[];
}

/** Deeper nesting than this (parentheses, `not`, containers) is reported as `rule-too-deep`. */
export const MAX_RULE_DEPTH = 200;

/** Words that can never be a field name. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'then', 'exclude', 'where', 'within', 'after']);

/** Words that start an operator after a field name. */
const OPERATOR_WORDS = new Set(['in', 'not', 'contains', 'starts', 'ends', 'matches', 'exists', 'between']);
const COMPARISON_PUNCT = new Set(['=', '==', '!=', '<', '>', '<=', '>=']);
/** Operator spellings offered as "did you mean" for a mistyped operator word. */
const OPERATOR_SUGGESTIONS = ['in', 'not', 'contains', 'starts with', 'ends with', 'matches', 'exists', 'between'];

const SCOPES: readonly Scope[] = ['person', 'session', 'event'];

const TIME_UNITS: Record<string, TimeUnit> = {
  minute: 'minute', minutes: 'minute',
  hour: 'hour', hours: 'hour',
  day: 'day', days: 'day',
  week: 'week', weeks: 'week',
  month: 'month', months: 'month',
  quarter: 'quarter', quarters: 'quarter',
  year: 'year', years: 'year',
};
const UNIT_WORDS = [...Object.keys(TIME_UNITS), 'event', 'events', 'session', 'sessions', 'instance', 'instances'];
/** Common abbreviations and unsupported units, mapped to the unit to suggest. */
const UNIT_ALIASES: Record<string, string> = {
  s: 'minute', sec: 'minute', secs: 'minute', second: 'minute', seconds: 'minute',
  m: 'minute', min: 'minute', mins: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour',
  d: 'day', w: 'week', wk: 'week', wks: 'week',
  mo: 'month', mon: 'month', mos: 'month', q: 'quarter', qtr: 'quarter', qtrs: 'quarter',
  y: 'year', yr: 'year', yrs: 'year',
  hit: 'event', hits: 'event', visit: 'session', visits: 'session',
};

const FILTER_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

type ChainKind = 'and' | 'or' | 'then';

/** An operand of a chain with its outer span (including its own parentheses). */
interface Operand {
  expr: Expr;
  start: number;
  end: number;
}

interface ChainOp {
  kind: ChainKind;
  token: Token;
  /** For `then`: the gap constraints and the exclude flag of the following step. */
  constraints: GapConstraint[];
  exclude: boolean;
}

export function parseRule(text: string): ParseResult {
  return new Parser(text).parse();
}

class Parser {
  private readonly tokens: Token[];
  private readonly comments: Rule['comments'];
  private readonly diagnostics: RuleDiagnostic[];
  private pos = 0;
  private depth = 0;
  private tooDeepReported = false;
  private unclosedAtEnd = false;
  /** Token index right after the last error recovery: a missing operator there is not reported again. */
  private recoveredAt = -1;
  /** Closing tokens of the enclosing groups, innermost last. */
  private readonly closers: string[][] = [[]];
  private readonly parenthesised = new WeakSet<Expr>();

  constructor(text: string) {
    const lexed = lexRule(text);
    this.tokens = lexed.tokens;
    this.comments = lexed.comments;
    this.diagnostics = lexed.diagnostics;
  }

  parse(): ParseResult {
    const rule: Rule = { root: null, comments: this.comments };
    if (this.peek().kind === 'eof') {
      this.report(0, 0, 'rule-empty', 'the rule is empty: write a container, e.g. `person where page_name = "home"`');
      return { rule, diagnostics: this.diagnostics };
    }
    const root = this.parseChain(0).expr;
    rule.root = root;
    const clean = !this.diagnostics.some(d => d.severity === 'error');
    if (root.kind !== 'container' && root.kind !== 'error' && clean) {
      this.report(root.start, root.end, 'rule-missing-container', 'a rule starts with the container it returns: `person where`, `session where` or `event where`', {
        ruleEdits:
          root.kind === 'and' || root.kind === 'or' || root.kind === 'sequence'
            ? [
                { start: root.start, end: root.start, newText: 'person where (' },
                { start: root.end, end: root.end, newText: ')' },
              ]
            : [{ start: root.start, end: root.start, newText: 'person where ' }],
      });
    }
    return { rule, diagnostics: this.diagnostics };
  }

  // ---- tokens -------------------------------------------------------------------------------

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }

  private at(index: number): Token {
    return this.tokens[Math.min(index, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private previous(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  private static isWord(t: Token, word?: string): boolean {
    return t.kind === 'word' && (word === undefined || t.text === word);
  }

  private static isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  private static chainKind(t: Token): ChainKind | null {
    if (t.kind !== 'word') return null;
    return t.text === 'and' || t.text === 'or' || t.text === 'then' ? t.text : null;
  }

  private isCloser(t: Token): boolean {
    return t.kind === 'punct' && this.closers[this.closers.length - 1].includes(t.text);
  }

  private static canStartOperand(t: Token): boolean {
    if (Parser.isPunct(t, '(')) return true;
    return t.kind === 'word' && (!RESERVED_WORDS.has(t.text) || t.text === 'not' || t.text === 'exclude');
  }

  /**
   * The rank of the container that the tokens from `index` start, looking through gap
   * constraints and `exclude`/`not`; 0 when they start something else. A container's body ends
   * before an operator followed by a container of the same or a wider scope, so that
   * `event where a = 1 then event where b = 2` is a sequence of two event containers.
   */
  private containerRankAt(index: number): number {
    let i = index;
    for (;;) {
      const t = this.at(i);
      if (Parser.isWord(t, 'within') || Parser.isWord(t, 'after')) {
        i++;
        if (this.at(i).kind === 'number') i++;
        const unit = this.at(i);
        if (unit.kind === 'word' && !RESERVED_WORDS.has(unit.text) && !Parser.isWord(this.at(i + 1), 'where')) {
          i++;
          if ((unit.text === 'instance' || unit.text === 'instances') && Parser.isWord(this.at(i), 'of')) i += 2;
        }
        continue;
      }
      if (Parser.isWord(t, 'exclude') || Parser.isWord(t, 'not')) {
        i++;
        continue;
      }
      if (t.kind === 'word' && Parser.isWord(this.at(i + 1), 'where')) {
        return (SCOPES as readonly string[]).includes(t.text) ? SCOPE_RANK[t.text as Scope] : 0;
      }
      return 0;
    }
  }

  // ---- diagnostics and recovery ---------------------------------------------------------------

  private report(start: number, end: number, code: string, message: string, data?: RuleDiagnosticData, severity: Severity = 'error'): void {
    const last = this.diagnostics[this.diagnostics.length - 1];
    if (last && last.start === start && last.end === end && last.code === code) return;
    const d: RuleDiagnostic = { start, end, severity, code, message };
    if (data) d.data = data;
    this.diagnostics.push(d);
  }

  /** Reports that `t` is not what was expected; at the end of the rule, underlines the last token. */
  private expected(what: string, t: Token, data?: RuleDiagnosticData, code = 'rule-syntax'): void {
    const prev = this.previous();
    const after = prev ? ` after \`${clip(prev.text)}\`` : '';
    if (t.kind === 'eof') {
      const s = prev ?? t;
      this.report(s.start, s.end, code, `expected ${what}${after}, found the end of the rule`, data);
    } else {
      this.report(t.start, t.end, code, `expected ${what}${after}, found ${describe(t)}`, data);
    }
  }

  /**
   * Skips the tokens of a broken construct: up to the next `and`/`or`/`then`, the closing token of
   * the enclosing group, or a keyword starting a line, keeping parentheses balanced.
   */
  private recover(): number {
    let balance = 0;
    let end = this.previous()?.end ?? 0;
    let first = true;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (balance === 0 && (Parser.chainKind(t) || this.isCloser(t))) break;
      if (balance === 0 && !first && ((t.lineStart && Parser.canStartOperand(t)) || (t.kind === 'word' && Parser.isWord(this.peek(1), 'where')))) break;
      if (Parser.isPunct(t, '(')) balance++;
      else if (Parser.isPunct(t, ')') && balance > 0) balance--;
      else if (Parser.isPunct(t, ')') && this.closers.some(c => c.includes(')'))) break;
      end = t.end;
      first = false;
      this.next();
    }
    this.recoveredAt = this.pos;
    return end;
  }

  private startsOperator(t: Token): boolean {
    return (t.kind === 'punct' && COMPARISON_PUNCT.has(t.text)) || (t.kind === 'word' && OPERATOR_WORDS.has(t.text));
  }

  /** Reports an unclosed `(`, unless an unterminated string after it took the `)` (already reported). */
  private unclosed(open: Token): void {
    // Several groups left open at the end of the rule are one fault: report the innermost.
    if (this.peek().kind === 'eof' && this.unclosedAtEnd) return;
    const swallowed = this.tokens.some(t => t.problem === 'unterminated' && t.start > open.start);
    if (this.peek().kind === 'eof') this.unclosedAtEnd = true;
    if (!swallowed) this.report(open.start, open.end, 'rule-syntax', 'this `(` is never closed: expected `)`');
  }

  private errorExpr(start: number, end: number): ErrorExpr {
    return { kind: 'error', start, end: Math.max(start, end) };
  }

  // ---- chains: and / or / then ------------------------------------------------------------------

  /**
   * Operands joined by `and`, `or`, `then`. There is no precedence between them: mixing them at one
   * level is reported (`rule-mixed-operators`) and grouped as `then` over `and` over `or`, which is
   * what the offered parentheses spell out.
   */
  private parseChain(stopRank: number): Operand {
    const items: Operand[] = [this.parseUnary()];
    const ops: ChainOp[] = [];
    let guessedOperator = false;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || this.isCloser(t)) break;
      const kind = Parser.chainKind(t);
      if (kind) {
        if (stopRank > 0 && this.containerRankAt(this.pos + 1) >= stopRank) break;
        this.next();
        const op: ChainOp = { kind, token: t, constraints: [], exclude: false };
        if (kind === 'then') {
          op.constraints = this.parseConstraints();
          if (Parser.isWord(this.peek(), 'exclude')) {
            this.next();
            op.exclude = true;
          }
        }
        ops.push(op);
        items.push(this.parseUnary());
        continue;
      }
      if (stopRank > 0 && this.containerRankAt(this.pos) >= stopRank) break;
      const mistyped = this.mistypedOperator(t);
      if (mistyped) {
        this.report(t.start, t.end, 'rule-syntax', `unknown keyword \`${clip(t.text)}\`: did you mean \`${mistyped}\`?`, { replacements: [mistyped] });
        // Read the token as the operator it was meant to be, and go on.
        this.tokens[this.pos] = { ...t, text: mistyped };
        guessedOperator = true;
        continue;
      }
      if (Parser.canStartOperand(t)) {
        if (this.pos !== this.recoveredAt) this.expected('`and`, `or` or `then`', t);
        const guess: ChainKind = ops.length ? ops[ops.length - 1].kind : this.containerRankAt(this.pos) > 0 ? 'then' : 'and';
        ops.push({ kind: guess, token: t, constraints: [], exclude: false });
        guessedOperator = true;
        items.push(this.parseUnary());
        continue;
      }
      if (this.pos !== this.recoveredAt) {
        this.report(t.start, t.end, 'rule-syntax', `expected \`and\`, \`or\`${this.closers.length > 1 ? ', `then` or `)`' : ' or `then`'}, found ${describe(t)}`);
      }
      this.skipStray();
      guessedOperator = true;
    }
    return this.buildChain(items, ops, guessedOperator);
  }

  /**
   * `aand`, `thn`, `nd` where an operator belongs: a word close to `and`/`or`/`then` that cannot be
   * a field (no operator follows it) and is followed by what an operator is followed by.
   */
  private mistypedOperator(t: Token): ChainKind | null {
    if (t.kind !== 'word' || t.text.length < 2 || RESERVED_WORDS.has(t.text)) return null;
    const t1 = this.peek(1);
    if ((t1.kind === 'punct' && COMPARISON_PUNCT.has(t1.text)) || (t1.kind === 'word' && (OPERATOR_WORDS.has(t1.text) || t1.text === 'where'))) return null;
    const followsOperator = Parser.canStartOperand(t1) || Parser.isWord(t1, 'within') || Parser.isWord(t1, 'after');
    if (!followsOperator) return null;
    const near = closestMatches(t.text, ['and', 'or', 'then'], 1);
    return near.length && editDistanceAtMost(t.text, near[0], t.text.length > 3 ? 2 : 1) ? (near[0] as ChainKind) : null;
  }

  /** True for a token that surely starts an operand: after skipping bad text, parsing resumes there. */
  private resumesOperand(t: Token): boolean {
    if (!Parser.canStartOperand(t)) return false;
    return t.lineStart || t.text === 'not' || t.text === 'exclude' || this.startsCompound(t, this.peek(1));
  }

  /** A container, a logic group, an only-sequence or a filter reference starts with `t t1`. */
  private startsCompound(t: Token, t1: Token): boolean {
    if (t.kind !== 'word') return false;
    if (Parser.isWord(t1, 'where')) return true;
    if ((t.text === 'all' || t.text === 'any') && Parser.isWord(t1, 'of')) return true;
    if (t.text === 'only' && (Parser.isWord(t1, 'before') || Parser.isWord(t1, 'after'))) return true;
    return t.text === 'filter' && t1.kind === 'word' && !OPERATOR_WORDS.has(t1.text);
  }

  /** Skips tokens that cannot continue a chain (at least one), up to something that can. */
  private skipStray(): void {
    let balance = 0;
    let first = true;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (!first && balance === 0 && (Parser.chainKind(t) || this.isCloser(t) || this.resumesOperand(t))) break;
      if (Parser.isPunct(t, '(')) balance++;
      else if (Parser.isPunct(t, ')') && balance > 0) balance--;
      first = false;
      this.next();
    }
    this.recoveredAt = this.pos;
  }

  private buildChain(items: Operand[], ops: ChainOp[], guessedOperator: boolean): Operand {
    if (ops.length === 0) return items[0];
    const first = ops[0].kind;
    const other = ops.find(o => o.kind !== first);
    const edits: Array<{ at: number; text: string }> | null = other && !guessedOperator ? [] : null;

    const buildSequence = (lo: number, hi: number): Operand => {
      if (lo === hi) return items[lo];
      const steps: SequenceStep[] = [];
      const head = items[lo];
      if (head.expr.kind === 'not' && head.expr.keyword === 'exclude' && !this.parenthesised.has(head.expr)) {
        steps.push({ start: head.start, end: head.end, exclude: true, constraints: [], checkpoint: head.expr.operand });
      } else {
        steps.push({ start: head.start, end: head.end, exclude: false, constraints: [], checkpoint: head.expr });
      }
      for (let k = lo + 1; k <= hi; k++) {
        const op = ops[k - 1];
        const item = items[k];
        steps.push({ start: Math.min(op.token.start, item.start), end: item.end, exclude: op.exclude, constraints: op.constraints, checkpoint: item.expr });
      }
      const seq: Sequence = { kind: 'sequence', start: head.start, end: items[hi].end, steps };
      return { expr: seq, start: seq.start, end: seq.end };
    };
    const split = (lo: number, hi: number, kind: ChainKind, inner: (lo: number, hi: number) => Operand): Operand[] => {
      const parts: Operand[] = [];
      let from = lo;
      for (let k = lo; k < hi; k++) {
        if (ops[k].kind === kind) {
          parts.push(inner(from, k));
          from = k + 1;
        }
      }
      parts.push(inner(from, hi));
      if (edits && parts.length > 1) {
        // Every multi-operand part of a mixed level gets the parentheses that spell out the grouping.
        let f = lo;
        for (let k = lo; k <= hi; k++) {
          if (k === hi || ops[k].kind === kind) {
            if (k > f) edits.push({ at: items[f].start, text: '(' }, { at: items[k].end, text: ')' });
            f = k + 1;
          }
        }
      }
      return parts;
    };
    const buildAnd = (lo: number, hi: number): Operand => {
      const parts = split(lo, hi, 'and', buildSequence);
      if (parts.length === 1) return parts[0];
      const node: And = { kind: 'and', start: parts[0].start, end: parts[parts.length - 1].end, items: parts.map(p => p.expr) };
      return { expr: node, start: node.start, end: node.end };
    };
    const parts = split(0, items.length - 1, 'or', buildAnd);
    let result: Operand;
    if (parts.length === 1) result = parts[0];
    else {
      const node: Or = { kind: 'or', start: parts[0].start, end: parts[parts.length - 1].end, items: parts.map(p => p.expr) };
      result = { expr: node, start: node.start, end: node.end };
    }
    if (edits && other) {
      const merged = new Map<number, string>();
      for (const e of edits) merged.set(e.at, (merged.get(e.at) ?? '') + e.text);
      const ruleEdits = [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([at, newText]) => ({ start: at, end: at, newText }));
      this.report(
        other.token.start,
        other.token.end,
        'rule-mixed-operators',
        `\`${first}\` and \`${other.kind}\` are mixed without parentheses: add parentheses to say which applies first`,
        { ruleEdits },
      );
    }
    return result;
  }

  // ---- unary and primary ------------------------------------------------------------------------

  private parseUnary(): Operand {
    if (this.depth >= MAX_RULE_DEPTH) return this.tooDeep();
    this.depth++;
    try {
      const t = this.peek();
      if (Parser.isWord(t, 'not') || Parser.isWord(t, 'exclude')) {
        this.next();
        const operand = this.parseUnary();
        const node: Not = { kind: 'not', keyword: t.text as 'not' | 'exclude', start: t.start, end: operand.end, operand: operand.expr };
        return { expr: node, start: node.start, end: node.end };
      }
      return this.parsePrimary();
    } finally {
      this.depth--;
    }
  }

  private tooDeep(): Operand {
    const t = this.peek();
    if (!this.tooDeepReported) {
      this.tooDeepReported = true;
      this.report(t.start, t.end, 'rule-too-deep', `the rule nests deeper than ${MAX_RULE_DEPTH} levels: split it into filters and reference them with \`filter <id>\``);
    }
    let balance = 0;
    let end = t.start;
    for (;;) {
      const u = this.peek();
      if (u.kind === 'eof') break;
      if (balance === 0 && (Parser.isPunct(u, ')') || Parser.isPunct(u, ',') || Parser.chainKind(u))) break;
      if (Parser.isPunct(u, '(')) balance++;
      else if (Parser.isPunct(u, ')')) balance--;
      end = u.end;
      this.next();
    }
    this.recoveredAt = this.pos;
    const e = this.errorExpr(t.start, end);
    return { expr: e, start: e.start, end: e.end };
  }

  private parsePrimary(): Operand {
    const t = this.peek();
    if (Parser.isPunct(t, '(')) return this.parseParenthesised();
    if (t.kind === 'invalid' && this.startsOperator(this.peek(1))) return this.parseCondition();
    if (t.kind === 'invalid' && Parser.isWord(this.peek(1), 'where')) return this.parseContainer();
    if (t.kind === 'word' && !RESERVED_WORDS.has(t.text)) {
      const t1 = this.peek(1);
      if (Parser.isWord(t1, 'where')) return this.parseContainer();
      if ((SCOPES as readonly string[]).includes(t.text) && t1.kind === 'word' && t1.text !== 'where' && closestMatches(t1.text, ['where'], 1).length && !OPERATOR_WORDS.has(t1.text)) {
        this.report(t1.start, t1.end, 'rule-syntax', `expected \`where\` after \`${t.text}\`, found \`${clip(t1.text)}\``, { replacements: ['where'] });
        return this.parseContainer();
      }
      if ((t.text === 'all' || t.text === 'any') && Parser.isWord(t1, 'of')) return this.parseLogicGroup();
      if (t.text === 'only' && (Parser.isWord(t1, 'before') || Parser.isWord(t1, 'after'))) return this.parseOnly();
      if (t.text === 'filter' && ((t1.kind === 'word' && !OPERATOR_WORDS.has(t1.text)) || t1.kind === 'number')) return this.parseFilterRef();
      return this.parseCondition();
    }
    this.expected('a condition, a container or `(`', t);
    if (t.kind !== 'eof' && !Parser.chainKind(t) && !this.isCloser(t) && !(t.kind === 'word' && RESERVED_WORDS.has(t.text))) {
      // Stray characters or values before an operand: skip them and parse the operand after them.
      let balance = 0;
      for (let first = true; ; first = false) {
        const u = this.peek();
        if (u.kind === 'eof') break;
        if (balance === 0 && (Parser.chainKind(u) || this.isCloser(u) || Parser.isPunct(u, ')') || (!first && this.resumesOperand(u)))) break;
        if (Parser.isPunct(u, '(')) balance++;
        else if (Parser.isPunct(u, ')')) balance--;
        this.next();
      }
      if (Parser.canStartOperand(this.peek())) {
        const operand = this.parseUnary();
        return { expr: operand.expr, start: t.start, end: operand.end };
      }
    }
    const start = t.kind === 'eof' ? (this.previous()?.end ?? 0) : t.start;
    const end = Parser.chainKind(t) || this.isCloser(t) || t.kind === 'eof' ? start : this.recover();
    if (end === start) this.recoveredAt = this.pos;
    const e = this.errorExpr(start, end);
    return { expr: e, start: e.start, end: e.end };
  }

  private parseParenthesised(): Operand {
    const open = this.next();
    // Inside a list of items, a `,` also ends a group whose `)` is missing.
    this.closers.push(this.closers[this.closers.length - 1].includes(',') ? [')', ','] : [')']);
    const inner = this.parseChain(0);
    this.closers.pop();
    let end = inner.end;
    if (Parser.isPunct(this.peek(), ')')) end = this.next().end;
    else this.unclosed(open);
    this.parenthesised.add(inner.expr);
    return { expr: inner.expr, start: open.start, end };
  }

  private parseContainer(): Operand {
    const scopeTok = this.next();
    this.next(); // where
    let scope: Scope;
    if ((SCOPES as readonly string[]).includes(scopeTok.text)) scope = scopeTok.text as Scope;
    else {
      const suggestions = closestMatches(scopeTok.text, SCOPES);
      scope = suggestions.length ? (suggestions[0] as Scope) : 'person';
      this.report(scopeTok.start, scopeTok.end, 'rule-syntax', `unknown container \`${clip(scopeTok.text)}\`: expected \`person\`, \`session\` or \`event\``, {
        replacements: suggestions.length ? suggestions : [...SCOPES],
      });
    }
    const body = this.parseChain(SCOPE_RANK[scope]);
    const node: Container = {
      kind: 'container',
      scope,
      scopeSpan: { start: scopeTok.start, end: scopeTok.end },
      start: scopeTok.start,
      end: body.end,
      body: body.expr,
    };
    return { expr: node, start: node.start, end: node.end };
  }

  /** Items of `all of (...)`, `any of (...)`: comma-separated chains. */
  private parseLogicGroup(): Operand {
    const modeTok = this.next();
    const ofTok = this.next();
    const open = this.peek();
    if (!Parser.isPunct(open, '(')) {
      this.expected('`(`', open);
      const end = this.recover();
      const e = this.errorExpr(modeTok.start, Math.max(end, ofTok.end));
      return { expr: e, start: e.start, end: e.end };
    }
    this.next();
    const items: Expr[] = [];
    let end = open.end;
    if (Parser.isPunct(this.peek(), ')')) {
      const close = this.next();
      end = close.end;
      this.report(open.start, close.end, 'rule-empty-list', `\`${modeTok.text} of\` needs at least one checkpoint`);
    } else {
      this.closers.push([',', ')']);
      for (;;) {
        const item = this.parseChain(0);
        items.push(item.expr);
        end = item.end;
        const t = this.peek();
        if (Parser.isPunct(t, ',')) {
          this.next();
          continue;
        }
        if (Parser.isPunct(t, ')')) end = this.next().end;
        else this.unclosed(open);
        break;
      }
      this.closers.pop();
    }
    const node: LogicGroup = { kind: 'logicGroup', mode: modeTok.text as 'all' | 'any', start: modeTok.start, end, items };
    return { expr: node, start: node.start, end: node.end };
  }

  private parseOnly(): Operand {
    const onlyTok = this.next();
    const modeTok = this.next();
    const open = this.peek();
    if (!Parser.isPunct(open, '(')) {
      this.expected('`(` and a sequence', open);
      const end = this.recover();
      const e = this.errorExpr(onlyTok.start, Math.max(end, modeTok.end));
      return { expr: e, start: e.start, end: e.end };
    }
    this.next();
    this.closers.push([')']);
    const inner = this.parseChain(0);
    this.closers.pop();
    let end = inner.end;
    if (Parser.isPunct(this.peek(), ')')) end = this.next().end;
    else this.unclosed(open);
    let sequence: Sequence;
    if (inner.expr.kind === 'sequence' && !this.parenthesised.has(inner.expr)) sequence = inner.expr;
    else {
      // One checkpoint (or a sequence in its own parentheses, kept as one checkpoint).
      const e = inner.expr;
      sequence = { kind: 'sequence', start: inner.start, end: inner.end, steps: [{ start: inner.start, end: inner.end, exclude: false, constraints: [], checkpoint: e }] };
    }
    const node: OnlySequence = { kind: 'only', mode: modeTok.text as 'before' | 'after', start: onlyTok.start, end, sequence };
    // `per person|session|event`: the unit the sequence is searched in (Adobe's sequence context).
    const per = this.peek();
    if (Parser.isWord(per, 'per')) {
      this.next();
      const scopeTok = this.peek();
      if (Parser.isWord(scopeTok, 'person') || Parser.isWord(scopeTok, 'session') || Parser.isWord(scopeTok, 'event')) {
        this.next();
        node.scope = scopeTok.text as Scope;
        node.scopeSpan = { start: scopeTok.start, end: scopeTok.end };
        node.end = scopeTok.end;
      } else {
        this.expected('`person`, `session` or `event`', scopeTok);
        node.end = per.end;
      }
    }
    return { expr: node, start: node.start, end: node.end };
  }

  private parseFilterRef(): Operand {
    const kw = this.next();
    const idTok = this.next();
    const id: Identifier = { name: idTok.text, start: idTok.start, end: idTok.end };
    if (!FILTER_ID.test(idTok.text)) {
      const suggestion = idTok.text
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');
      this.report(idTok.start, idTok.end, 'rule-bad-filter-id', `\`${clip(idTok.text)}\` is not a filter id: ids are kebab-case (lower-case letters, digits and single dashes)`, suggestion && FILTER_ID.test(suggestion) ? { replacements: [suggestion] } : undefined);
    }
    const node = { kind: 'filterRef' as const, start: kw.start, end: idTok.end, id };
    return { expr: node, start: node.start, end: node.end };
  }

  // ---- conditions -------------------------------------------------------------------------------

  private parseCondition(): Operand {
    const first = this.peek();
    let subject: Subject;
    if (first.text === 'count' && Parser.isWord(this.peek(1), 'distinct')) {
      this.next();
      this.next();
      const nameTok = this.peek();
      if (nameTok.kind !== 'word' || RESERVED_WORDS.has(nameTok.text)) return this.failCondition(first, 'a dimension name', nameTok);
      this.next();
      subject = { kind: 'countDistinct', name: nameTok.text, start: nameTok.start, end: nameTok.end };
    } else {
      const nameTok = this.next();
      subject = { kind: 'field', name: nameTok.text, start: nameTok.start, end: nameTok.end };
      if (!FIELD_NAME.test(nameTok.text)) {
        this.report(nameTok.start, nameTok.end, 'rule-syntax', `\`${clip(nameTok.text)}\` is not a field name: names are letters, digits and \`_\`, with \`.\` between parts`, {
          replacements: [nameTok.text.replace(/-/g, '_')],
        });
      }
    }

    const opTok = this.peek();
    let op: Operator | null = null;
    let arity: 'one' | 'list' | 'none' | 'two' = 'one';
    const opStart = opTok.start;
    const word = (w: string, k = 0): boolean => Parser.isWord(this.peek(k), w);
    if (opTok.kind === 'punct' && COMPARISON_PUNCT.has(opTok.text)) {
      this.next();
      op = ({ '=': 'eq', '==': 'eq', '!=': 'ne', '<': 'lt', '>': 'gt', '<=': 'le', '>=': 'ge' } as const)[opTok.text as '='];
      if (opTok.text === '==') this.report(opTok.start, opTok.end, 'rule-syntax', 'equality is written `=`', { replacements: ['='] });
    } else if (opTok.kind === 'word') {
      const negated = opTok.text === 'not';
      const k = negated ? 1 : 0;
      let consumed = 0;
      if (word('in', k)) {
        op = negated ? 'notIn' : 'in';
        arity = 'list';
        consumed = k + 1;
      } else if (word('contains', k)) {
        if ((word('any', k + 1) || word('all', k + 1)) && word('of', k + 2)) {
          const all = word('all', k + 1);
          op = negated ? (all ? 'notContainsAll' : 'notContainsAny') : all ? 'containsAll' : 'containsAny';
          arity = 'list';
          consumed = k + 3;
        } else {
          op = negated ? 'notContains' : 'contains';
          consumed = k + 1;
        }
      } else if ((word('starts', k) || word('ends', k)) && word('with', k + 1)) {
        const starts = word('starts', k);
        op = negated ? (starts ? 'notStartsWith' : 'notEndsWith') : starts ? 'startsWith' : 'endsWith';
        consumed = k + 2;
      } else if (word('matches', k)) {
        op = negated ? 'notMatches' : 'matches';
        consumed = k + 1;
      } else if (word('exists', k)) {
        op = negated ? 'notExists' : 'exists';
        arity = 'none';
        consumed = k + 1;
      } else if (word('between') && !negated) {
        op = 'between';
        arity = 'two';
        consumed = 1;
      }
      for (let c = 0; c < consumed; c++) this.next();
    }
    if (!op) {
      if (first.kind === 'word' && (SCOPES as readonly string[]).includes(first.text) && subject.kind === 'field') {
        return this.failCondition(first, '`where`', opTok, { replacements: ['where'] });
      }
      let data: RuleDiagnosticData | undefined;
      if (opTok.kind === 'word') {
        const near = closestMatches(opTok.text, OPERATOR_SUGGESTIONS, 2);
        if (near.length) data = { replacements: near };
      }
      return this.failCondition(first, `an operator after \`${clip(subject.name)}\``, opTok, data, true);
    }
    const opSpan = { start: opStart, end: this.previous()!.end };

    const values: Literal[] = [];
    if (arity === 'one') {
      const v = this.parseValue();
      if (!v) return this.failCondition(first, 'a string or a number', this.peek());
      values.push(v);
    } else if (arity === 'two') {
      const low = this.parseValue();
      if (!low) return this.failCondition(first, 'a string or a number', this.peek());
      values.push(low);
      if (!Parser.isWord(this.peek(), 'and')) return this.failCondition(first, '`and`', this.peek());
      this.next();
      const high = this.parseValue();
      if (!high) return this.failCondition(first, 'a string or a number', this.peek());
      values.push(high);
    } else if (arity === 'list') {
      const list = this.parseList();
      if (!list) return this.failCondition(first, '`(` and a list of values', this.peek());
      for (const v of list) values.push(v);
    }

    let caseInsensitive = false;
    let attribution: 'repeating' | 'instance' | 'nonRepeatingInstance' = 'repeating';
    let attributionScope: 'session' | 'person' | undefined;
    for (;;) {
      const t = this.peek();
      if (Parser.isWord(t, 'ignoring') && Parser.isWord(this.peek(1), 'case')) {
        this.next();
        this.next();
        caseInsensitive = true;
        continue;
      }
      const mistyped = this.mistypedIgnoringCase();
      if (mistyped) {
        const first = this.peek();
        for (let k = 0; k < mistyped; k++) this.next();
        const last = this.previous()!;
        this.report(first.start, last.end, 'rule-syntax', 'the case-insensitive form is written `ignoring case`', { replacements: ['ignoring case'] });
        caseInsensitive = true;
        continue;
      }
      if (Parser.isPunct(t, '[')) {
        // A bad attribution is reported and left out; the condition itself stands.
        const parsed = this.parseAttribution();
        if (parsed) {
          attribution = parsed.attribution;
          attributionScope = parsed.scope;
        }
        continue;
      }
      break;
    }
    const node: Expr = {
      kind: 'condition',
      start: first.start,
      end: this.previous()!.end,
      subject,
      op,
      opSpan,
      values,
      caseInsensitive,
      attribution,
    };
    if (attributionScope) node.attributionScope = attributionScope;
    return { expr: node, start: node.start, end: node.end };
  }

  /** Reports what a condition lacks, skips the rest of it, returns an error node. */
  private failCondition(first: Token, what: string, found: Token, data?: RuleDiagnosticData, operatorMissing = false): Operand {
    if (operatorMissing && found.kind !== 'eof') {
      this.report(found.start, found.end, 'rule-syntax', `expected ${what}, found ${describe(found)}`, data);
    } else if (operatorMissing) {
      const prev = this.previous()!;
      this.report(prev.start, prev.end, 'rule-syntax', `expected ${what}, found the end of the rule`, data);
    } else this.expected(what, found, data);
    const end = found.kind === 'eof' || Parser.chainKind(found) || this.isCloser(found) ? (this.previous()?.end ?? first.start) : this.recover();
    this.recoveredAt = this.pos;
    const e = this.errorExpr(first.start, end);
    return { expr: e, start: e.start, end: e.end };
  }

  /** The number of tokens of a misspelt `ignoring case` at the current position (`ignorng case`, `ignoringcase`), or 0. */
  private mistypedIgnoringCase(): number {
    const t = this.peek();
    const t1 = this.peek(1);
    if (t.kind !== 'word' || RESERVED_WORDS.has(t.text) || this.startsOperator(t1)) return 0;
    if ((t1.kind === 'word' || t1.kind === 'invalid') && t1.text !== 'where' && closestMatches(`${t.text} ${t1.text}`, ['ignoring case'], 1).length && editDistance(`${t.text} ${t1.text}`, 'ignoring case') <= 2) return 2;
    if (t.text.length > 6 && editDistance(t.text, 'ignoringcase') <= 2) return 1;
    return 0;
  }

  private parseValue(): Literal | null {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', start: t.start, end: t.end, value: t.value as string };
    }
    if (t.kind === 'number') {
      this.next();
      if (t.problem === 'bad-number') {
        this.report(t.start, t.end, 'rule-bad-number', `\`${clip(t.text)}\` is not a number: write digits with an optional \`-\` and fraction, e.g. \`-12.5\``);
      }
      return { kind: 'number', start: t.start, end: t.end, value: t.value as number };
    }
    return null;
  }

  /** `("a", "b")`; null (nothing consumed) when there is no `(`. */
  private parseList(): Literal[] | null {
    const open = this.peek();
    if (!Parser.isPunct(open, '(')) return null;
    this.next();
    const values: Literal[] = [];
    if (Parser.isPunct(this.peek(), ')')) {
      const close = this.next();
      this.report(open.start, close.end, 'rule-empty-list', 'the list is empty: write at least one value, e.g. `("a", "b")`');
      return values;
    }
    for (;;) {
      const v = this.parseValue();
      if (!v) {
        this.expected('a string or a number', this.peek());
        this.skipToListEnd();
        return values;
      }
      values.push(v);
      const t = this.peek();
      if (Parser.isPunct(t, ',')) {
        this.next();
        continue;
      }
      if (Parser.isPunct(t, ')')) {
        this.next();
        return values;
      }
      this.expected('`,` or `)`', t);
      this.skipToListEnd();
      return values;
    }
  }

  private skipToListEnd(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || Parser.chainKind(t)) break;
      this.next();
      if (Parser.isPunct(t, ')')) break;
    }
    this.recoveredAt = this.pos;
  }

  /** `[instance]`, `[non-repeating instance]`, `[non-repeating instance per person]`, `[repeating]`. */
  private parseAttribution(): { attribution: 'repeating' | 'instance' | 'nonRepeatingInstance'; scope?: 'session' | 'person' } | null {
    const open = this.next();
    const words: Token[] = [];
    while (this.peek().kind === 'word' && !Parser.chainKind(this.peek())) words.push(this.next());
    const close = this.peek();
    const text = words.map(w => w.text).join(' ');
    let result: { attribution: 'repeating' | 'instance' | 'nonRepeatingInstance'; scope?: 'session' | 'person' } | null = null;
    if (text === 'instance') result = { attribution: 'instance' };
    else if (text === 'repeating') result = { attribution: 'repeating' };
    else if (text === 'non-repeating instance' || text === 'non-repeating instance per session') result = { attribution: 'nonRepeatingInstance', scope: 'session' };
    else if (text === 'non-repeating instance per person') result = { attribution: 'nonRepeatingInstance', scope: 'person' };
    if (result && Parser.isPunct(close, ']')) {
      this.next();
      return result;
    }
    const end = Parser.isPunct(close, ']') ? close.end : words.length ? words[words.length - 1].end : open.end;
    const near = closestMatches(text, ['instance', 'non-repeating instance', 'non-repeating instance per person', 'repeating'], 1);
    this.report(open.start, end, 'rule-syntax', 'expected an attribution: `[instance]`, `[non-repeating instance]` or `[non-repeating instance per person]`', near.length ? { replacements: [`[${near[0]}]`] } : undefined);
    if (Parser.isPunct(close, ']')) this.next();
    return null;
  }

  // ---- gap constraints --------------------------------------------------------------------------

  private parseConstraints(): GapConstraint[] {
    const constraints: GapConstraint[] = [];
    for (;;) {
      const t = this.peek();
      let limit: 'within' | 'after' | null = null;
      if (Parser.isWord(t, 'within') || Parser.isWord(t, 'after')) limit = t.text as 'within' | 'after';
      else if (t.kind === 'word' && this.peek(1).kind === 'number' && t.text.length >= 3 && !(SCOPES as readonly string[]).includes(t.text)) {
        const near = closestMatches(t.text, ['within', 'after'], 1);
        if (near.length && !COMPARISON_PUNCT.has(this.peek(1).text)) {
          limit = near[0] as 'within' | 'after';
          this.report(t.start, t.end, 'rule-syntax', `unknown keyword \`${clip(t.text)}\`: did you mean \`${near[0]}\`?`, { replacements: near });
        }
      }
      if (!limit) break;
      this.next();
      const c = this.parseConstraint(t, limit);
      if (c) constraints.push(c);
    }
    this.checkWithinAfter(constraints);
    return constraints;
  }

  private parseConstraint(kw: Token, limit: 'within' | 'after'): GapConstraint | null {
    const countTok = this.peek();
    if (countTok.kind !== 'number') {
      this.expected('a number', countTok);
      // Skip what stands for the count (`thirty`, `3O`) and the unit after it.
      if (countTok.kind === 'invalid' || (countTok.kind === 'word' && !RESERVED_WORDS.has(countTok.text) && !this.looksLikeCheckpoint(countTok))) {
        this.next();
        if (this.isUnitLike(this.peek())) this.next();
      }
      this.recoveredAt = this.pos;
      return null;
    }
    this.next();
    let countOk = true;
    if (countTok.problem === 'bad-number') {
      this.report(countTok.start, countTok.end, 'rule-bad-number', `\`${clip(countTok.text)}\` is not a number: a gap is a whole number, e.g. \`within 30 minutes\``);
      countOk = false;
    } else if (!Number.isInteger(countTok.value) || (countTok.value as number) < 0) {
      this.report(countTok.start, countTok.end, 'rule-bad-number', `a gap is a whole number of units, 0 or more; found \`${clip(countTok.text)}\``);
      countOk = false;
    }
    const count = countTok.value as number;
    const unitTok = this.peek();
    const unitList = 'minutes, hours, days, weeks, months, quarters, years, events, sessions or `instances of <dimension>`';
    if (countTok.problem === 'bad-number' && !this.isUnitLike(unitTok)) {
      // A malformed count such as `30minutes` already took the unit in.
      this.recoveredAt = this.pos;
      return null;
    }
    if (unitTok.kind !== 'word' || RESERVED_WORDS.has(unitTok.text) || this.looksLikeCheckpoint(unitTok)) {
      this.expected(`a unit (${unitList})`, unitTok);
      if (unitTok.kind === 'invalid') {
        this.next();
        if (this.isUnitLike(this.peek())) this.next();
      }
      this.recoveredAt = this.pos;
      return null;
    }
    this.next();
    let unit: GapUnit | null = null;
    let end = unitTok.end;
    const plural = count !== 1;
    if (TIME_UNITS[unitTok.text]) unit = { kind: 'time', unit: TIME_UNITS[unitTok.text] };
    else if (unitTok.text === 'event' || unitTok.text === 'events') unit = { kind: 'event' };
    else if (unitTok.text === 'session' || unitTok.text === 'sessions') unit = { kind: 'session' };
    else if (unitTok.text === 'instance' || unitTok.text === 'instances') {
      const ofTok = this.peek();
      const nameTok = this.peek(1);
      if (!Parser.isWord(ofTok, 'of') || nameTok.kind !== 'word' || RESERVED_WORDS.has(nameTok.text)) {
        this.expected(Parser.isWord(ofTok, 'of') ? 'a dimension name' : '`of` and a dimension name', Parser.isWord(ofTok, 'of') ? nameTok : ofTok);
        if (Parser.isWord(ofTok, 'of')) this.next();
        this.recoveredAt = this.pos;
        return null;
      }
      this.next();
      this.next();
      unit = { kind: 'dimension', name: { name: nameTok.text, start: nameTok.start, end: nameTok.end } };
      end = nameTok.end;
    } else {
      const alias = UNIT_ALIASES[unitTok.text.toLowerCase()];
      const candidates = alias ? [alias] : closestMatches(unitTok.text, [...new Set(UNIT_WORDS.map(u => u.replace(/s$/, '')))], 3);
      const replacements = candidates.map(u => (u === 'instance' ? (plural ? 'instances of' : 'instance of') : plural ? `${u}s` : u));
      const extra = /^s(ec(ond)?s?)?$/.test(unitTok.text) ? ' (the smallest time unit is the minute)' : '';
      this.report(unitTok.start, unitTok.end, 'rule-unknown-unit', `unknown unit \`${clip(unitTok.text)}\`${extra}: expected ${unitList}`, replacements.length ? { replacements } : undefined);
      return null;
    }
    if (!countOk) return null;
    return { start: kw.start, end, limit, count, unit };
  }

  private isUnitLike(t: Token): boolean {
    return t.kind === 'invalid' || (t.kind === 'word' && (UNIT_WORDS.includes(t.text) || UNIT_ALIASES[t.text.toLowerCase()] !== undefined));
  }

  /** True when a word after a gap count starts a checkpoint (`within 30 page = "x"`): the unit is missing. */
  private looksLikeCheckpoint(t: Token): boolean {
    if (UNIT_WORDS.includes(t.text) || UNIT_ALIASES[t.text.toLowerCase()]) return false;
    const t1 = this.peek(1);
    if (this.startsCompound(t, t1)) return true;
    return (t1.kind === 'punct' && COMPARISON_PUNCT.has(t1.text)) || (t1.kind === 'word' && OPERATOR_WORDS.has(t1.text));
  }

  /** `after 1 hour within 30 minutes` can never hold: the gap must exceed `after` and be at most `within`. */
  private checkWithinAfter(constraints: GapConstraint[]): void {
    for (const w of constraints) {
      if (w.limit !== 'within') continue;
      for (const a of constraints) {
        if (a.limit !== 'after') continue;
        const wm = unitMeasure(w.unit);
        const am = unitMeasure(a.unit);
        if (!wm || !am || wm.family !== am.family) continue;
        if (w.count * wm.factor <= a.count * am.factor) {
          this.report(
            w.start,
            w.end,
            'rule-within-shorter-than-after',
            `no gap can be at most ${w.count} ${unitName(w.unit, w.count)} and more than ${a.count} ${unitName(a.unit, a.count)}: make \`within\` longer than \`after\``,
            undefined,
            'warning',
          );
          return;
        }
      }
    }
  }
}

function unitMeasure(u: GapUnit): { family: string; factor: number } | null {
  switch (u.kind) {
    case 'event':
      return { family: 'event', factor: 1 };
    case 'session':
      return { family: 'session', factor: 1 };
    case 'dimension':
      return { family: `dimension:${u.name.name}`, factor: 1 };
    case 'time': {
      const clock: Partial<Record<TimeUnit, number>> = { minute: 1, hour: 60, day: 1440, week: 10080 };
      const calendar: Partial<Record<TimeUnit, number>> = { month: 1, quarter: 3, year: 12 };
      if (clock[u.unit] !== undefined) return { family: 'clock', factor: clock[u.unit]! };
      return { family: 'calendar', factor: calendar[u.unit]! };
    }
  }
}

/** The unit as written in the canonical form: `minutes`, `event`, `instances of page_name`. */
export function unitName(u: GapUnit, count: number): string {
  const s = count === 1 ? '' : 's';
  switch (u.kind) {
    case 'time':
      return u.unit + s;
    case 'event':
      return 'event' + s;
    case 'session':
      return 'session' + s;
    case 'dimension':
      return `instance${s} of ${u.name.name}`;
  }
}

function editDistanceAtMost(a: string, b: string, max: number): boolean {
  return editDistance(a, b) <= max;
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + '…' : text;
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the rule';
  if (t.kind === 'invalid') return `the character${t.text.length > 1 ? 's' : ''} \`${clip(t.text)}\``;
  return `\`${clip(t.text)}\``;
}
