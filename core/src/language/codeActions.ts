/**
 * Quick fixes, built from what a diagnostic carries (`data.replacements`, `data.edits`) and the
 * cached parse — never by validating again: "did you mean" replacements, the parentheses of mixed
 * operators, adding a required key, removing a duplicate key, and suppressing any diagnostic with
 * `# audience-filters-disable-next-line <code>` above its line.
 */
import * as path from 'path';
import type { DiagnosticData, Range, TextEdit } from '../diagnostics';
import type { Workspace, WorkspaceFile } from '../workspace';
import type { YMap, YNode } from '../yaml/yamlTree';
import { propertiesAt } from './schemaInfo';

/** A diagnostic as the client sends it back in a code action request. */
export interface ActionDiagnostic {
  range: Range;
  code?: string | number;
  message: string;
  data?: unknown;
}

export interface QuickFix {
  title: string;
  diagnostic: ActionDiagnostic;
  edits: TextEdit[];
  preferred?: boolean;
}

export const SUPPRESS_COMMENT = '# audience-filters-disable-next-line';

const FIX_TITLES: Record<string, string> = {
  'rule-mixed-operators': 'Add parentheses',
  'rule-missing-container': 'Start the rule with `person where`',
};

export function quickFixes(workspace: Workspace, file: WorkspaceFile, diagnostics: ActionDiagnostic[], tabSize: number): QuickFix[] {
  const out: QuickFix[] = [];
  for (const d of diagnostics) {
    const code = d.code === undefined ? '' : String(d.code);
    const data = (d.data ?? {}) as DiagnosticData & { missingKey?: { key: string } };
    const replacements = Array.isArray(data.replacements) ? data.replacements.filter(r => typeof r === 'string') : [];
    replacements.forEach((r, i) => out.push({ title: `Change to \`${r}\``, diagnostic: d, edits: [{ range: d.range, newText: r }], preferred: i === 0 || undefined }));
    if (Array.isArray(data.edits) && data.edits.length) out.push({ title: FIX_TITLES[code] ?? 'Fix this problem', diagnostic: d, edits: data.edits, preferred: true });
    if (code === 'schema-missing-key') out.push(...missingKeys(workspace, file, d, tabSize));
    if (code === 'yaml-duplicate-key') {
      const fix = removeDuplicate(file, d);
      if (fix) out.push(fix);
    }
    const suppress = suppression(file, d, code);
    if (suppress) out.push(suppress);
  }
  return out;
}

/** The mapping a `schema-missing-key` diagnostic is about: the value of the key it underlines, or the root. */
function mapOf(file: WorkspaceFile, d: ActionDiagnostic): { map: YMap; path: string[] } | undefined {
  const root = file.yaml.root;
  if (!root || root.kind !== 'map') return undefined;
  const at = file.lines.offsetAt(d.range.start);
  const search = (node: YNode | null, keys: string[]): { map: YMap; path: string[] } | undefined => {
    if (!node || node.kind !== 'map') return undefined;
    for (const p of node.pairs) {
      if (p.key.start === at && p.value?.kind === 'map' && d.range.end.character > d.range.start.character && !/^Missing required key/.test(d.message)) return { map: p.value, path: [...keys, String(p.key.value)] };
      const inner = search(p.value, [...keys, String(p.key.value)]);
      if (inner) return inner;
    }
    return undefined;
  };
  return search(root, []) ?? { map: root, path: [] };
}

function missingKeys(workspace: Workspace, file: WorkspaceFile, d: ActionDiagnostic, tabSize: number): QuickFix[] {
  if (file.kind !== 'filter' && file.kind !== 'dataview') return [];
  const target = mapOf(file, d);
  if (!target) return [];
  const { map, path: keys } = target;
  const present = new Set(map.pairs.map(p => String(p.key.value)));
  const missing = propertiesAt(file.kind, keys).filter(p => p.required && !present.has(p.key));
  const named = /required key `([^`]+)`/.exec(d.message)?.[1];
  const unit = ' '.repeat(Math.max(1, tabSize || 2));
  const indent = map.pairs.length ? file.lines.positionAt(map.pairs[0].key.start).character : 0;
  const pad = ' '.repeat(indent);
  return missing
    .filter(p => !named || p.key === named)
    .map(p => {
      let value = '';
      if (file.kind === 'filter' && keys.length === 0) {
        if (p.key === 'filter') value = ' ' + (path.basename(file.uri).replace(/\.filter\.ya?ml$/i, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'my-filter');
        if (p.key === 'dataview') {
          const ids = [...new Set(workspace.dataViews().flatMap(v => (v.id ? [v.id.value] : [])))];
          value = ids.length === 1 ? ' ' + ids[0] : '';
        }
        if (p.key === 'rule') value = ` |\n${pad}${unit}person where`;
      }
      // `filter` goes first (it names the file); other keys after the mapping's last line.
      const first = p.key === 'filter' && keys.length === 0 && map.pairs.length > 0;
      const lastLine = file.lines.positionAt(Math.max(map.start, map.end - 1)).line;
      const at = first ? file.lines.positionAt(map.pairs[0].key.start) : { line: lastLine + 1, character: 0 };
      const atEnd = !first && lastLine + 1 >= file.lines.lineCount;
      const lead = atEnd && !file.text.endsWith('\n') ? '\n' : '';
      return { title: `Add the required key \`${p.key}\``, diagnostic: d, edits: [{ range: { start: at, end: at }, newText: `${lead}${first ? '' : pad}${p.key}:${value}\n${first ? pad : ''}` }], preferred: true };
    });
}

function removeDuplicate(file: WorkspaceFile, d: ActionDiagnostic): QuickFix | undefined {
  const at = file.lines.offsetAt(d.range.start);
  const visit = (node: YNode | null): QuickFix | undefined => {
    if (!node || node.kind === 'scalar') return undefined;
    if (node.kind === 'seq') {
      for (const i of node.items) {
        const f = visit(i);
        if (f) return f;
      }
      return undefined;
    }
    for (const p of node.pairs) {
      if (p.key.start === at) {
        if (node.flow) return undefined;
        const startLine = file.lines.positionAt(p.key.start).line;
        const endLine = file.lines.positionAt(p.end).line;
        return { title: `Remove the duplicate key \`${String(p.key.value)}\``, diagnostic: d, edits: [{ range: { start: { line: startLine, character: 0 }, end: { line: endLine + 1, character: 0 } }, newText: '' }], preferred: true };
      }
      const f = visit(p.value);
      if (f) return f;
    }
    return undefined;
  };
  return visit(file.yaml.root);
}

function suppression(file: WorkspaceFile, d: ActionDiagnostic, code: string): QuickFix | undefined {
  if (!code) return undefined;
  const line = d.range.start.line;
  const lineStart = file.lines.lineStart(line);
  if (insideFlowScalar(file.yaml.root, lineStart)) return undefined;
  const lineText = file.text.slice(lineStart, file.lines.lineEnd(line));
  const indent = /^[ \t]*/.exec(lineText)![0];
  const title = `Suppress \`${code}\` on this line`;
  if (line > 0) {
    const prevStart = file.lines.lineStart(line - 1);
    const prev = file.text.slice(prevStart, file.lines.lineEnd(line - 1));
    const m = /#\s*audience-filters-disable-next-line\b(.*)$/.exec(prev);
    if (m && m[1].trim()) {
      const end = { line: line - 1, character: prev.trimEnd().length };
      return { title, diagnostic: d, edits: [{ range: { start: end, end }, newText: ` ${code}` }] };
    }
  }
  return { title, diagnostic: d, edits: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${SUPPRESS_COMMENT} ${code}\n` }] };
}

/** True when a line starts inside a scalar where a comment line would change the value. */
function insideFlowScalar(root: YNode | null, offset: number): boolean {
  const visit = (node: YNode | null): boolean => {
    if (!node) return false;
    if (node.kind === 'scalar') return offset > node.start && offset < node.end && node.style !== 'literal';
    if (node.kind === 'map') return node.pairs.some(p => visit(p.value));
    return node.items.some(visit);
  };
  return visit(root);
}
