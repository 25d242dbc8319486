/**
 * The text of a new filter file (`*.filter.yaml`) for an imported rule: metadata keys in the
 * documented order, the rule as a literal block printed by the formatter.
 */
import type { Rule } from '../rule/ast';
import { printRule } from '../rule/printer';

export interface NewFilterFile {
  id: string;
  title?: string;
  description?: string;
  dataview: string;
  tags?: string[];
  /** `period:` as a plain value (`last 30 days`, `{from, to}`). */
  period?: unknown;
  rule: Rule;
  /** The `audience:` block as a plain object. */
  audience?: Record<string, unknown>;
}

/** A YAML scalar: plain when unambiguous, else double-quoted (JSON escapes are valid YAML). */
export function yamlScalar(value: string): string {
  const plain = /^[A-Za-z0-9][A-Za-z0-9 _.,()/'-]*$/.test(value) && !/\s$/.test(value) && !/^(true|false|yes|no|on|off|null|~|[-+]?[0-9.]+([eE][-+]?[0-9]+)?)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

/** `filter-id` from a display name or file name: lower case, words joined by single dashes. */
export function kebabCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function filterFileText(f: NewFilterFile): string {
  const lines = [`filter: ${f.id}`];
  if (f.title) lines.push(`title: ${yamlScalar(f.title)}`);
  if (f.description) lines.push(`description: ${yamlScalar(f.description)}`);
  lines.push(`dataview: ${f.dataview}`);
  if (f.tags?.length) yamlEntry('tags', f.tags, 0, lines);
  if (f.period !== undefined && f.period !== null) yamlEntry('period', f.period, 0, lines);
  lines.push('rule: |');
  for (const line of printRule(f.rule).split('\n')) lines.push(line ? `  ${line}` : '');
  if (f.audience) yamlEntry('audience', f.audience, 0, lines);
  return lines.join('\n') + '\n';
}

/** A scalar of a flow list (`[a, b]`): plain when nothing in it has a meaning in flow context. */
function flowItem(v: unknown): string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return undefined;
  const text = yamlScalar(v);
  return /[,[\]{}#]/.test(v) && text === v ? JSON.stringify(v) : text;
}

/** `key: value` in block style, lists of scalars in flow style, nested maps indented by two spaces. */
function yamlEntry(key: string, value: unknown, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const k = yamlScalar(key);
  if (Array.isArray(value)) {
    const items = value.map(flowItem);
    if (items.every((i): i is string => i !== undefined)) {
      lines.push(`${pad}${k}: [${items.join(', ')}]`);
      return;
    }
    lines.push(`${pad}${k}:`);
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const inner: string[] = [];
        for (const [ik, iv] of Object.entries(item)) yamlEntry(ik, iv, depth + 2, inner);
        if (inner.length) inner[0] = `${pad}  - ${inner[0].trimStart()}`;
        lines.push(...inner);
      } else lines.push(`${pad}  - ${flowItem(item) ?? JSON.stringify(item)}`);
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    lines.push(`${pad}${k}:`);
    for (const [ik, iv] of Object.entries(value)) yamlEntry(ik, iv, depth + 1, lines);
    return;
  }
  if (typeof value === 'string') lines.push(`${pad}${k}: ${yamlScalar(value)}`);
  else if (value === null) lines.push(`${pad}${k}: null`);
  else lines.push(`${pad}${k}: ${String(value)}`);
}
