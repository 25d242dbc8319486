/**
 * Tokens of the rule language. The lexer never fails: malformed text becomes tokens marked with a
 * `problem` (or `invalid` tokens), and the parser decides how to report them, so one typo gives one
 * diagnostic. Only an unterminated string is reported here, because it is unambiguous.
 */
import type { Span } from './ast';
import type { RuleDiagnostic } from './parser';

export type TokenKind = 'word' | 'number' | 'string' | 'punct' | 'invalid' | 'eof';

export interface Token extends Span {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Decoded value: the string's content, or the number (NaN when `problem` is `bad-number`). */
  value?: string | number;
  problem?: 'unterminated' | 'bad-number';
  /** True when the token is the first one on its line (used to resynchronise after errors). */
  lineStart: boolean;
}

export interface RuleComment extends Span {
  text: string;
}

export interface LexResult {
  /** Always ends with one `eof` token. */
  tokens: Token[];
  comments: RuleComment[];
  diagnostics: RuleDiagnostic[];
}

const PUNCT2 = new Set(['!=', '<=', '>=', '==']);
const PUNCT1 = new Set(['(', ')', ',', '[', ']', '=', '<', '>']);

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || isDigit(c);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff;
}

/** True for the characters a malformed number swallows, so `30minutes` or `1.2.3` is one bad token. */
function isNumberTail(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (isWordChar(c) || c === 46) return true;
  return c === 45 && isWordChar(text.charCodeAt(i + 1));
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

export function lexRule(text: string): LexResult {
  const tokens: Token[] = [];
  const comments: RuleComment[] = [];
  const diagnostics: RuleDiagnostic[] = [];
  const n = text.length;
  let i = 0;
  let lineStart = true;

  const push = (kind: TokenKind, start: number, end: number, extra?: Pick<Token, 'value' | 'problem'>): void => {
    // Every token has the same fields in the same order: one object shape for the parser's hot paths.
    tokens.push({ kind, start, end, text: text.slice(start, end), value: extra?.value, problem: extra?.problem, lineStart });
    lineStart = false;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 10 || c === 13) lineStart = true;
      i++;
      continue;
    }
    const start = i;
    if (c === 35 /* # */) {
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      comments.push({ start, end: i, text: text.slice(start, i) });
      continue;
    }
    if (c === 34 /* " */) {
      i = lexString(text, i, push, diagnostics);
      continue;
    }
    if (isWordStart(c)) {
      i++;
      for (;;) {
        const d = text.charCodeAt(i);
        if (isWordChar(d)) i++;
        else if ((d === 46 || d === 45) && isWordChar(text.charCodeAt(i + 1))) i += 2;
        else break;
      }
      push('word', start, i);
      continue;
    }
    const startsNumber = isDigit(c) || ((c === 45 || c === 46) && isDigit(text.charCodeAt(i + 1)));
    if (startsNumber) {
      let bad = c === 46;
      i++;
      while (isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
        i += 2;
        while (isDigit(text.charCodeAt(i))) i++;
      }
      if (i < n && isNumberTail(text, i)) {
        bad = true;
        while (i < n && isNumberTail(text, i)) i++;
      }
      const value = bad ? NaN : Number(text.slice(start, i));
      if (Number.isFinite(value)) push('number', start, i, { value });
      else push('number', start, i, { value: NaN, problem: 'bad-number' });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.has(two)) {
      i += 2;
      push('punct', start, i);
      continue;
    }
    if (PUNCT1.has(text[i])) {
      i++;
      push('punct', start, i);
      continue;
    }
    // A run of characters the language has no use for becomes one token, reported once; with the
    // letters it touches, so `pa@ge` is one bad token rather than three.
    let from = start;
    const last = tokens[tokens.length - 1];
    if (last && last.kind === 'word' && last.end === start) {
      tokens.pop();
      from = last.start;
      lineStart = last.lineStart;
    }
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || d === 34 || d === 35 || PUNCT1.has(text[i]) || text.startsWith('!=', i)) break;
      i++;
    }
    push('invalid', from, i);
  }
  tokens.push({ kind: 'eof', start: n, end: n, text: '', lineStart: true });
  return { tokens, comments, diagnostics };
}

function lexString(
  text: string,
  start: number,
  push: (kind: TokenKind, start: number, end: number, extra?: Pick<Token, 'value' | 'problem'>) => void,
  diagnostics: RuleDiagnostic[],
): number {
  const n = text.length;
  let i = start + 1;
  let value = '';
  let chunk = i;
  for (;;) {
    if (i >= n || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13) {
      value += text.slice(chunk, i);
      diagnostics.push({
        start,
        end: i,
        severity: 'error',
        code: 'rule-unterminated-string',
        message: 'this string is not closed: add `"` before the end of the line (write `\\"` for a quote inside it)',
      });
      push('string', start, i, { value, problem: 'unterminated' });
      return i;
    }
    const c = text.charCodeAt(i);
    if (c === 34) {
      value += text.slice(chunk, i);
      i++;
      push('string', start, i, { value });
      return i;
    }
    if (c === 92 /* \ */ && i + 1 < n) {
      const escaped = ESCAPES[text[i + 1]];
      if (escaped !== undefined) {
        value += text.slice(chunk, i) + escaped;
        i += 2;
        chunk = i;
        continue;
      }
      // Any other escape stays as written (two characters): the glob matcher reads `\*` itself.
      if (text.charCodeAt(i + 1) !== 10 && text.charCodeAt(i + 1) !== 13) {
        i += 2;
        continue;
      }
    }
    i++;
  }
}

/** The source form of a string value: double-quoted, escaping only what the lexer would decode. */
export function quoteString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\\') {
      const next = value[i + 1];
      // A lone backslash is kept as is (so globs read `\*`), unless the lexer would take it as an escape.
      out += next === undefined || next === '\\' || next === '"' || next === 'n' || next === 't' || next === 'r' || next === '\n' || next === '\t' || next === '\r' ? '\\\\' : '\\';
    } else out += ch;
  }
  return out + '"';
}
