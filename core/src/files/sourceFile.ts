import * as path from 'path';
import type { Diagnostic, Problem } from '../diagnostics';
import { LineIndex } from '../text';
import { getPair, parseYaml } from '../yaml/yamlTree';
import type { YNode, YScalar, YamlParse } from '../yaml/yamlTree';
import { checkSchema } from './schemaCheck';
import type { SchemaName, SchemaProblem } from './schemaCheck';

export type FileKind = 'filter' | 'dataview' | 'filterTest';

export function fileKindOf(fileName: string): FileKind | undefined {
  const base = path.basename(fileName).toLowerCase();
  if (/\.filter\.test\.ya?ml$/.test(base)) return 'filterTest';
  if (/\.filter\.ya?ml$/.test(base)) return 'filter';
  if (/\.dataview\.ya?ml$/.test(base)) return 'dataview';
  return undefined;
}

/** A named value read from the YAML, with the range of the value (for diagnostics and navigation). */
export interface Located<T> {
  value: T;
  start: number;
  end: number;
}

/** What every parsed file has: its text, line index, YAML tree and the problems found so far. */
export interface SourceFileBase {
  uri: string;
  text: string;
  lines: LineIndex;
  yaml: YamlParse;
  problems: Problem[];
}

/** Parses the YAML of a file and validates it against its JSON Schema. */
export function parseSourceFile(uri: string, text: string, schema: SchemaName | undefined): SourceFileBase {
  const lines = new LineIndex(text);
  const yaml = parseYaml(text);
  const problems: Problem[] = yaml.problems.map(p => ({
    start: p.start,
    end: p.end,
    severity: p.code === 'yaml-unsupported' ? 'warning' : 'error',
    code: p.code,
    message: p.message,
    ...(p.related ? { related: p.related } : {}),
  }));
  const fatal = yaml.problems.some(p => p.code === 'yaml-syntax' || p.code === 'yaml-binary');
  if (!fatal && schema) {
    if (!yaml.root || yaml.root.kind !== 'map') {
      const at = yaml.root ? yaml.root.start : 0;
      problems.push({ start: at, end: yaml.root ? yaml.root.end : 0, severity: 'error', code: 'schema-type', message: `A ${schema} file is a YAML mapping of keys (\`${schema}: <id>\`, …).` });
    } else {
      problems.push(...checkSchema(schema, yaml.root).map(schemaProblem));
    }
  }
  return { uri, text, lines, yaml, problems };
}

function schemaProblem(p: SchemaProblem): Problem {
  const data: Problem['data'] = {};
  if (p.replacements?.length) data.replacements = p.replacements;
  return { start: p.start, end: p.end, severity: 'error', code: p.code, message: p.message, data: Object.keys(data).length ? data : undefined };
}

export function scalarAt(root: YNode | null, key: string): YScalar | undefined {
  const v = getPair(root, key)?.value;
  return v && v.kind === 'scalar' ? v : undefined;
}

export function stringAt(root: YNode | null, key: string): Located<string> | undefined {
  const s = scalarAt(root, key);
  return s && s.value !== null ? { value: String(s.value), start: s.start, end: s.end } : undefined;
}

const SUPPRESS = /#\s*audience-filters-disable-next-line\b([^\n]*)/g;

/**
 * Applies `# audience-filters-disable-next-line <code> [<code>…]` comments: each hides the
 * diagnostics with those codes (all codes when none is named) that start on the next line.
 */
export function applySuppressions(text: string, lines: LineIndex, diagnostics: Diagnostic[]): Diagnostic[] {
  const suppressed = new Map<number, Set<string> | 'all'>();
  SUPPRESS.lastIndex = 0;
  for (let m = SUPPRESS.exec(text); m; m = SUPPRESS.exec(text)) {
    const line = lines.positionAt(m.index).line + 1;
    const codes = m[1].split(/[\s,]+/).filter(Boolean);
    suppressed.set(line, codes.length ? new Set(codes) : 'all');
  }
  if (!suppressed.size) return diagnostics;
  return diagnostics.filter(d => {
    const s = suppressed.get(d.range.start.line);
    return !s || (s !== 'all' && !s.has(d.code));
  });
}

export function toDiagnostic(lines: LineIndex, p: Problem): Diagnostic {
  const d: Diagnostic = { range: lines.range(p.start, p.end), severity: p.severity, code: p.code, message: p.message };
  if (p.data) d.data = p.data;
  if (p.related) d.related = p.related.map(r => ({ range: lines.range(r.start, r.end), message: r.message }));
  return d;
}
