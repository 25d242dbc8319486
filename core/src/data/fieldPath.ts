/**
 * Dotted field paths (`web.webPageDetails.name`) compiled once per load into getters, so reading
 * a row never splits a string or runs a regular expression.
 */

export type FieldGetter = (row: Record<string, unknown>) => unknown;

/**
 * A getter for `path` in a parsed JSON row. A key that literally contains the dots (a flattened
 * row such as `{"web.page.name": "Home"}`) wins over the nested walk, so both shapes work.
 */
export function compileFieldPath(path: string): FieldGetter {
  const parts = path.split('.');
  if (parts.length === 1) return (row) => row[path];
  if (parts.length === 2) {
    const [a, b] = parts;
    return (row) => {
      const direct = row[path];
      if (direct !== undefined) return direct;
      const x = row[a];
      return x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[b] : undefined;
    };
  }
  return (row) => {
    const direct = row[path];
    if (direct !== undefined) return direct;
    let value: unknown = row;
    for (let i = 0; i < parts.length; i++) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[parts[i]];
    }
    return value;
  };
}
