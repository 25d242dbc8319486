/**
 * Semantic tokens of the rule language: keywords, containers, operators, dimensions (`variable`)
 * and metrics (`property`), strings, numbers, units, filter references, attribution, comments.
 * The YAML around the rule keeps the TextMate grammar's colours.
 */
import type { Workspace, WorkspaceFile } from '../workspace';
import { fieldUses, filterRefs, ruleLex } from './locate';

/** The legend: indexes of these arrays are what the tokens carry. */
export const TOKEN_TYPES = ['keyword', 'type', 'operator', 'variable', 'property', 'string', 'number', 'enumMember', 'function', 'modifier', 'comment'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];

export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: TokenType;
}

const KEYWORDS = new Set(['where', 'and', 'or', 'not', 'exclude', 'then', 'within', 'after', 'filter', 'count', 'distinct', 'all', 'any', 'of', 'only', 'before']);
const OPERATOR_WORDS = new Set(['in', 'contains', 'starts', 'ends', 'with', 'matches', 'exists', 'between']);
const UNITS = new Set(['minute', 'minutes', 'hour', 'hours', 'day', 'days', 'week', 'weeks', 'month', 'months', 'quarter', 'quarters', 'year', 'years', 'events', 'sessions', 'instance', 'instances']);
const SCOPES = new Set(['person', 'session', 'event']);
const MODIFIERS = new Set(['ignoring', 'case', 'repeating', 'non-repeating', 'per']);

export function semanticTokens(workspace: Workspace, file: WorkspaceFile): SemanticToken[] {
  if (file.kind !== 'filter' || !file.ruleSource || !file.ruleSource.exact) return [];
  const source = file.ruleSource;
  const { tokens, comments } = ruleLex(file);
  const kinds = new Map<number, TokenType>();
  const dv = workspace.dataViewFor(file)?.dataView;
  for (const use of fieldUses(file.rule)) kinds.set(use.id.start, dv?.metrics.some(m => m.name === use.id.name) ? 'property' : 'variable');
  for (const ref of filterRefs(file.rule)) kinds.set(ref.id.start, 'function');
  const opSpans: Array<[number, number]> = [];
  const attributions: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].kind === 'punct' && tokens[i].text === '[') {
      const close = tokens.findIndex((t, j) => j > i && t.kind === 'punct' && t.text === ']');
      if (close > i) attributions.push([tokens[i].start, tokens[close].end]);
    }
  }
  if (file.rule?.root) {
    for (const use of fieldUses(file.rule)) if (use.condition) opSpans.push([use.condition.opSpan.start, use.condition.opSpan.end]);
  }
  const out: Array<SemanticToken & { offset: number }> = [];
  const push = (start: number, end: number, type: TokenType) => {
    const at = source.toFile(start);
    const pos = file.lines.positionAt(at);
    out.push({ offset: at, line: pos.line, character: pos.character, length: end - start, type });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'eof' || t.kind === 'invalid') continue;
    const known = kinds.get(t.start);
    if (known && t.kind === 'word') push(t.start, t.end, known);
    else if (t.kind === 'string') push(t.start, t.end, 'string');
    else if (t.kind === 'number') push(t.start, t.end, 'number');
    else if (attributions.some(([s, e]) => t.start >= s && t.end <= e)) push(t.start, t.end, 'modifier');
    else if (opSpans.some(([s, e]) => t.start >= s && t.end <= e)) push(t.start, t.end, 'operator');
    else if (t.kind === 'punct') {
      if (!'(),'.includes(t.text)) push(t.start, t.end, 'operator');
    } else if (SCOPES.has(t.text) && tokens[i + 1]?.text === 'where') push(t.start, t.end, 'type');
    else if (KEYWORDS.has(t.text)) push(t.start, t.end, 'keyword');
    else if (OPERATOR_WORDS.has(t.text)) push(t.start, t.end, 'operator');
    else if (MODIFIERS.has(t.text)) push(t.start, t.end, 'modifier');
    else if (UNITS.has(t.text) || ((t.text === 'event' || t.text === 'session') && tokens[i - 1]?.kind === 'number')) push(t.start, t.end, 'enumMember');
  }
  for (const c of comments) push(c.start, c.end, 'comment');
  return out.sort((a, b) => a.offset - b.offset).map(({ line, character, length, type }) => ({ line, character, length, type }));
}

/** LSP's relative encoding: five integers per token. */
export function encodeSemanticTokens(tokens: SemanticToken[]): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const t of tokens) {
    const dl = t.line - line;
    data.push(dl, dl === 0 ? t.character - character : t.character, t.length, TOKEN_TYPES.indexOf(t.type), 0);
    line = t.line;
    character = t.character;
  }
  return data;
}

