/**
 * Where a YAML syntax error really is when a flow collection or a quoted string is never closed:
 * the parser gives up further down (often on the next key, as "deficient indentation"), but the
 * mistake is the `[`, `{` or quote that opened it. A light scan of the text (comments, quoted
 * strings, block scalars and flow brackets; no recursion) finds the outermost opener that is still
 * open at the end of the file.
 */

export interface UnclosedOpener {
  /** Offset of the `[`, `{`, `"` or `'`. */
  at: number;
  char: '[' | '{' | '"' | "'";
}

/** The outermost opener before `before` that no later text closes, if any. */
export function unclosedOpener(text: string, before: number): UnclosedOpener | undefined {
  const stack: UnclosedOpener[] = [];
  let quote: UnclosedOpener | undefined;
  /** Indentation of the line that started a block scalar (`|`, `>`), while inside one. */
  let blockParent = -1;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const indent = line.length - line.trimStart().length;
    if (blockParent >= 0 && !quote && stack.length === 0) {
      if (line.trim() === '' || indent > blockParent) {
        lineStart = lineEnd + 1;
        continue;
      }
      blockParent = -1;
    }
    let tokenStart = true;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      const at = lineStart + i;
      if (quote) {
        if (quote.char === '"' && c === '\\') i++;
        else if (quote.char === "'" && c === "'" && line[i + 1] === "'") i++;
        else if (c === quote.char) {
          quote = undefined;
          tokenStart = false;
        }
        continue;
      }
      if (c === ' ' || c === '\t') {
        tokenStart = true;
        continue;
      }
      if (c === '#' && tokenStart) break;
      const flow = stack.length > 0;
      if ((c === '"' || c === "'") && tokenStart) quote = { at, char: c };
      else if ((c === '[' || c === '{') && (tokenStart || flow)) stack.push({ at, char: c });
      else if ((c === ']' || c === '}') && flow && stack[stack.length - 1].char === (c === ']' ? '[' : '{')) stack.pop();
      else if (!flow && (c === '|' || c === '>') && tokenStart && /^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(i))) {
        blockParent = indent;
        break;
      }
      // After `:`/`-`/`,`/`?` and a space, or an opening bracket, a new token starts.
      tokenStart = flow && (c === ',' || c === '[' || c === '{');
    }
    lineStart = lineEnd + 1;
    // Flow content and quoted strings in block context continue only on lines indented more than
    // the line they started on: a next line at that indentation or less means the opener is open.
    const open = stack[0] ?? quote;
    if (open && openerIndent(text, open.at) >= nextIndent(text, lineStart)) return open.at < before ? open : undefined;
  }
  const open = stack[0] ?? quote;
  return open && open.at < before ? open : undefined;
}

/** Indentation of the line holding `offset`. */
function openerIndent(text: string, offset: number): number {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let i = start;
  while (text[i] === ' ') i++;
  return i - start;
}

/** Indentation of the next non-blank line from `from`; Infinity when there is none. */
function nextIndent(text: string, from: number): number {
  let start = from;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    if (line.trim() !== '') return line.length - line.trimStart().length;
    start = end + 1;
  }
  return Infinity;
}
