/**
 * Folding ranges: YAML blocks (a key with a nested block or a multi-line value, sequence items
 * spanning lines), runs of comment lines, and in rules multi-line containers and parentheses.
 */
import { LineMap, findComments } from '../format/yamlComments';
import { walkExpr } from '../rule/walk';
import type { WorkspaceFile } from '../workspace';
import type { YNode } from '../yaml/yamlTree';
import { ruleLex } from './locate';

export interface FoldRange {
  startLine: number;
  endLine: number;
  kind?: 'comment';
}

export function foldingRanges(file: WorkspaceFile): FoldRange[] {
  const out: FoldRange[] = [];
  const line = (offset: number) => file.lines.positionAt(offset).line;
  const add = (start: number, end: number, kind?: 'comment') => {
    if (end > start) out.push(kind ? { startLine: start, endLine: end, kind } : { startLine: start, endLine: end });
  };
  const visit = (node: YNode | null): void => {
    if (!node || node.kind === 'scalar') return;
    if (node.kind === 'map') {
      for (const p of node.pairs) {
        if (p.value) add(line(p.key.start), line(Math.max(p.value.start, p.value.end - 1)));
        visit(p.value);
      }
    } else {
      for (const item of node.items) {
        if (item.kind !== 'scalar') add(line(item.start), line(item.end - 1));
        visit(item);
      }
    }
  };
  visit(file.yaml.root);

  const comments = findComments(file.text, file.yaml.root, new LineMap(file.text)).filter(c => c.ownLine);
  for (let i = 0; i < comments.length; ) {
    let j = i;
    while (j + 1 < comments.length && comments[j + 1].line === comments[j].line + 1) j++;
    add(comments[i].line, comments[j].line, 'comment');
    i = j + 1;
  }

  if (file.kind === 'filter' && file.ruleSource && file.rule?.root) {
    const source = file.ruleSource;
    const ruleLine = (offset: number) => line(source.toFile(offset));
    walkExpr(file.rule.root, e => {
      if (e.kind === 'container') add(ruleLine(e.start), ruleLine(Math.max(e.start, e.end - 1)));
    });
    const open: number[] = [];
    for (const t of ruleLex(file).tokens) {
      if (t.kind !== 'punct') continue;
      if (t.text === '(') open.push(t.start);
      else if (t.text === ')' && open.length) add(ruleLine(open.pop()!), ruleLine(t.start));
    }
  }
  const seen = new Set<string>();
  return out
    .sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine)
    .filter(r => {
      const key = `${r.startLine}:${r.endLine}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
