/**
 * Formatting as edits: the document as one minimal edit, and range formatting — the whole rule
 * when the range touches it (a rule is printed as a whole), otherwise the document's edit only if
 * it lies inside the range.
 */
import type { FilterFile } from '../files/filterFile';
import { getPair, parseYaml } from '../yaml/yamlTree';
import type { YNode } from '../yaml/yamlTree';
import { formatParsedFilter } from './formatFilterFile';
import type { FormatOptions } from './formatFilterFile';

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** The one edit that turns `before` into `after`: the differing middle, whole lines. */
export function minimalEdit(before: string, after: string): OffsetEdit | undefined {
  if (before === after) return undefined;
  let s = 0;
  while (s < before.length && s < after.length && before[s] === after[s]) s++;
  s = before.lastIndexOf('\n', s - 1) + 1;
  let e = 0;
  while (e < before.length - s && e < after.length - s && before[before.length - 1 - e] === after[after.length - 1 - e]) e++;
  // Widen to whole lines at the end too, so an edit never splits a line break pair.
  let endBefore = before.length - e;
  const nl = before.indexOf('\n', endBefore);
  const grow = (nl < 0 ? before.length : nl) - endBefore;
  endBefore += grow;
  const endAfter = after.length - e + grow;
  return { start: s, end: endBefore, newText: after.slice(s, endAfter) };
}

export function formatDocumentEdits(file: FilterFile, options: FormatOptions): OffsetEdit[] {
  const out = formatParsedFilter(file, options);
  const edit = out === undefined ? undefined : minimalEdit(file.text, out);
  return edit ? [edit] : [];
}

/** The lines of the `rule` pair: from its key's line to the end of its value's last line. */
function ruleLines(text: string, root: YNode | null): { start: number; end: number } | undefined {
  const pair = getPair(root, 'rule');
  if (!pair) return undefined;
  const start = text.lastIndexOf('\n', pair.key.start - 1) + 1;
  const nl = text.indexOf('\n', Math.max(pair.end - 1, pair.key.end));
  return { start, end: nl < 0 ? text.length : nl };
}

export function formatRangeEdits(file: FilterFile, options: FormatOptions, start: number, end: number): OffsetEdit[] {
  const out = formatParsedFilter(file, options);
  if (out === undefined || out === file.text) return [];
  const rule = ruleLines(file.text, file.yaml.root);
  if (rule && start <= rule.end && end >= rule.start) {
    const formatted = ruleLines(out, parseYaml(out).root);
    if (!formatted) return [];
    const newText = out.slice(formatted.start, formatted.end).replace(/\r?\n/g, file.text.includes('\r\n') ? '\r\n' : '\n');
    return file.text.slice(rule.start, rule.end) === newText ? [] : [{ start: rule.start, end: rule.end, newText }];
  }
  const edit = minimalEdit(file.text, out);
  const from = file.text.lastIndexOf('\n', start - 1) + 1;
  const nl = file.text.indexOf('\n', end);
  const to = nl < 0 ? file.text.length : nl;
  return edit && edit.start >= from && edit.end <= to ? [edit] : [];
}
