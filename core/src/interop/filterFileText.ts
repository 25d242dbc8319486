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
  rule: Rule;
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
  lines.push('rule: |');
  for (const line of printRule(f.rule).split('\n')) lines.push(line ? `  ${line}` : '');
  return lines.join('\n') + '\n';
}
