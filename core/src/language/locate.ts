/**
 * What is at an offset of a parsed file: a YAML key or value (with its key path), or a node and
 * token of the rule. Every editor feature starts here. Reads only the parsed file (and a lexed copy
 * of its rule, cached per parse), never the text again.
 */
import type { FilterFile } from '../files/filterFile';
import type { Condition, Expr, FilterRef, Identifier, Literal, Rule, Span } from '../rule/ast';
import { lexRule } from '../rule/lexer';
import type { LexResult, Token } from '../rule/lexer';
import { walkExpr } from '../rule/walk';
import type { YNode, YPair } from '../yaml/yamlTree';

export interface YamlLocation {
  /** Keys (and sequence indexes) from the root to the innermost pair or item at the offset. */
  path: Array<string | number>;
  /** The innermost pair whose key or value holds the offset. */
  pair?: YPair;
  /** True when the offset is on the pair's key. */
  inKey: boolean;
  /** The innermost node holding the offset. */
  node?: YNode;
}

/** The YAML key path at an offset (end offsets are inclusive, so a cursor just after a word counts). */
export function yamlAt(root: YNode | null, offset: number): YamlLocation {
  const loc: YamlLocation = { path: [], inKey: false };
  let node: YNode | null = root;
  while (node) {
    if (offset < node.start || offset > node.end) break;
    loc.node = node;
    if (node.kind === 'map') {
      const pair: YPair | undefined = node.pairs.find(p => offset >= p.key.start && offset <= p.key.end) ?? node.pairs.find(p => p.value && offset >= p.value.start && offset <= p.value.end);
      if (!pair) break;
      loc.path.push(String(pair.key.value));
      loc.pair = pair;
      if (offset >= pair.key.start && offset <= pair.key.end) {
        loc.inKey = true;
        loc.node = pair.key;
        break;
      }
      loc.inKey = false;
      node = pair.value;
    } else if (node.kind === 'seq') {
      const index: number = node.items.findIndex(i => offset >= i.start && offset <= i.end);
      if (index < 0) break;
      loc.path.push(index);
      node = node.items[index];
    } else {
      break;
    }
  }
  return loc;
}

/** Every pair of a YAML tree, outermost first, with its key path. */
export function allPairs(root: YNode | null): Array<{ pair: YPair; path: Array<string | number> }> {
  const out: Array<{ pair: YPair; path: Array<string | number> }> = [];
  const visit = (node: YNode | null, path: Array<string | number>): void => {
    if (!node) return;
    if (node.kind === 'map') {
      for (const pair of node.pairs) {
        const p = [...path, String(pair.key.value)];
        out.push({ pair, path: p });
        visit(pair.value, p);
      }
    } else if (node.kind === 'seq') {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    }
  };
  visit(root, []);
  return out;
}

const lexed = new WeakMap<FilterFile, LexResult>();

/** The tokens and comments of a filter's rule, lexed once per parsed file. */
export function ruleLex(file: FilterFile): LexResult {
  let result = lexed.get(file);
  if (!result) {
    result = file.ruleSource ? lexRule(file.ruleSource.text) : { tokens: [], comments: [], diagnostics: [] };
    lexed.set(file, result);
  }
  return result;
}

export function ruleTokens(file: FilterFile): Token[] {
  return ruleLex(file).tokens;
}

/** How a field name is used in a rule. */
export type FieldRole = 'subject' | 'countDistinct' | 'gapUnit';

export interface FieldUse {
  id: Identifier;
  role: FieldRole;
  condition?: Condition;
}

/** Every use of a dimension or metric name in a rule, in source order. */
export function fieldUses(rule: Rule | undefined): FieldUse[] {
  const out: FieldUse[] = [];
  if (!rule?.root) return out;
  walkExpr(rule.root, node => {
    if (node.kind === 'condition') out.push({ id: node.subject, role: node.subject.kind === 'countDistinct' ? 'countDistinct' : 'subject', condition: node });
    else if (node.kind === 'sequence') {
      for (const step of node.steps) for (const c of step.constraints) if (c.unit.kind === 'dimension') out.push({ id: c.unit.name, role: 'gapUnit' });
    }
  });
  return out.sort((a, b) => a.id.start - b.id.start);
}

/** Every `filter <id>` reference of a rule. */
export function filterRefs(rule: Rule | undefined): FilterRef[] {
  const out: FilterRef[] = [];
  if (rule?.root) walkExpr(rule.root, node => void (node.kind === 'filterRef' && out.push(node)));
  return out;
}

/** What the cursor is on inside a rule. */
export type RuleTarget =
  | { kind: 'field'; use: FieldUse }
  | { kind: 'filterRef'; ref: FilterRef }
  | { kind: 'operator'; condition: Condition }
  | { kind: 'value'; condition: Condition; literal: Literal }
  /** A keyword or punctuation token (`where`, `then`, `within`, `minutes`, `ignoring` ...). */
  | { kind: 'keyword'; token: Token; node?: Expr };

function within(span: Span, offset: number): boolean {
  return offset >= span.start && offset <= span.end;
}

/** The rule offset of a file offset, or -1 outside the rule. */
export function ruleOffsetOf(file: FilterFile, offset: number): number {
  const source = file.ruleSource;
  if (!source) return -1;
  // A block scalar's span ends at its last non-blank character; the rest of that line is still rule.
  const text = file.text;
  const lineEnd = text.indexOf('\n', source.scalar.end);
  const end = source.scalar.block ? (lineEnd < 0 ? text.length : lineEnd) : source.scalar.end;
  if (offset < source.scalar.start || offset > end) return -1;
  return source.fromFile(offset);
}

/** The rule construct at a rule-text offset; undefined on blanks and comments. */
export function ruleTargetAt(file: FilterFile, ruleOffset: number): RuleTarget | undefined {
  if (ruleOffset < 0 || !file.rule) return undefined;
  const field = fieldUses(file.rule).find(u => within(u.id, ruleOffset));
  if (field) return { kind: 'field', use: field };
  const ref = filterRefs(file.rule).find(r => within(r.id, ruleOffset));
  if (ref) return { kind: 'filterRef', ref };
  const token = tokenAt(ruleTokens(file), ruleOffset);
  if (!token) return undefined;
  let innermost: Expr | undefined;
  if (file.rule.root) {
    walkExpr(file.rule.root, node => {
      if (!within(node, token.start)) return false;
      innermost = node;
      return true;
    });
  }
  if (innermost?.kind === 'condition') {
    const c = innermost;
    if (token.start >= c.opSpan.start && token.end <= c.opSpan.end) return { kind: 'operator', condition: c };
    const literal = c.values.find(v => v.start === token.start);
    if (literal) return { kind: 'value', condition: c, literal };
  }
  if (token.kind === 'word' || token.kind === 'punct') return { kind: 'keyword', token, node: innermost };
  return undefined;
}

/** The token touching a rule offset (a cursor just after a token counts), preferring words. */
export function tokenAt(tokens: Token[], offset: number): Token | undefined {
  let best: Token | undefined;
  for (const t of tokens) {
    if (t.kind === 'eof' || t.start > offset) break;
    if (offset <= t.end && (!best || t.kind === 'word' || best.end < offset)) best = t;
  }
  return best;
}
