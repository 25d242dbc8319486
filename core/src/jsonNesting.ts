/**
 * Bounded nesting for JSON from outside: sample rows, Adobe definitions, endpoint request bodies.
 * JSON.parse itself copes with deep input, but what walks its result (JSON.stringify of a nested
 * value, schema validation, the importers) recurses, so input deeper than a documented limit is
 * refused before it is walked. The checks here are loops: their own depth is constant.
 */

/** Data rows (NDJSON lines, JSON array elements, Parquet schemas) nest at most this deep. */
export const MAX_ROW_DEPTH = 256;

/** The words every reader uses for input past its limit. */
export function nestingMessage(limit: number): string {
  return `nesting deeper than ${limit} levels`;
}

/**
 * Whether the JSON text `b[start, end)` (UTF-8 bytes) opens more than `limit` brackets or braces
 * at once, outside strings. Invalid JSON is scanned as well as it goes; JSON.parse words that.
 */
export function jsonBytesTooDeep(b: Uint8Array, start: number, end: number, limit: number): boolean {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 0x22) {
      // Skip the string, escapes included; a multi-byte UTF-8 character never holds a quote or backslash byte.
      for (i++; i < end && b[i] !== 0x22; i++) if (b[i] === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** `jsonBytesTooDeep` for JSON text already decoded to a string. */
export function jsonTextTooDeep(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The JSON path (`$.a[0].b`) of the first object or array of a parsed value that lies more than
 * `limit` levels deep (the root is level 1), or undefined when the value is within the limit.
 * Walks with an explicit stack (a value that refers to itself is reported where it passes the limit).
 */
export function deepValuePath(value: unknown, limit: number): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '$', depth: 1 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return path;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      const keys = Object.keys(v);
      for (let k = keys.length - 1; k >= 0; k--) {
        const key = keys[k];
        const step = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
        stack.push({ value: (v as Record<string, unknown>)[key], path: path + step, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
