/**
 * Go to definition, find references and rename for filter ids (the `filter:` value ↔ `filter <id>`
 * in rules) and data view fields (the declaration key ↔ names in rules). A field belongs to one
 * data view file: uses are those of filters that resolve to that file (`Workspace.dataViewFor`), so
 * two roots with a data view of the same id stay apart.
 */
import type { DataViewFile } from '../files/dataviewFile';
import type { FilterFile } from '../files/filterFile';
import { RESERVED_WORDS } from '../rule/parser';
import type { Workspace, WorkspaceFile } from '../workspace';
import { getPair } from '../yaml/yamlTree';
import type { YScalar } from '../yaml/yamlTree';
import { fieldUses, filterRefs, ruleOffsetOf, ruleTargetAt } from './locate';

/** A range in a workspace file (offsets), identified by its workspace key. */
export interface FileRange {
  uri: string;
  start: number;
  end: number;
}

export interface FileEdit extends FileRange {
  newText: string;
}

export type NavSymbol =
  | { kind: 'filter'; id: string }
  | { kind: 'field'; name: string; dataView: DataViewFile }
  | { kind: 'dataview'; id: string; dataView?: DataViewFile };

export interface SymbolAt {
  symbol: NavSymbol;
  /** The name under the cursor. */
  start: number;
  end: number;
}

export const FILTER_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
/** Words a field cannot be named: the rule reads them as keywords. */
const KEYWORD_NAMES = new Set([...RESERVED_WORDS, 'person', 'session', 'event', 'filter', 'count', 'all', 'any', 'only']);

export function symbolAt(workspace: Workspace, file: WorkspaceFile, offset: number): SymbolAt | undefined {
  const inside = (s: { start: number; end: number }) => offset >= s.start && offset <= s.end;
  if (file.kind === 'filter') {
    if (file.id && inside(file.id)) return { symbol: { kind: 'filter', id: file.id.value }, ...valueRange(file, 'filter') };
    if (file.dataview && inside(file.dataview)) return { symbol: { kind: 'dataview', id: file.dataview.value, dataView: workspace.dataViewFor(file) }, ...valueRange(file, 'dataview') };
    const target = ruleTargetAt(file, ruleOffsetOf(file, offset));
    const source = file.ruleSource;
    if (!target || !source) return undefined;
    const at = (s: { start: number; end: number }) => ({ start: source.toFile(s.start), end: source.toFile(s.end) });
    if (target.kind === 'filterRef') return { symbol: { kind: 'filter', id: target.ref.id.name }, ...at(target.ref.id) };
    if (target.kind === 'field') {
      const dv = workspace.dataViewFor(file);
      if (!dv) return undefined;
      return { symbol: { kind: 'field', name: target.use.id.name, dataView: dv }, ...at(target.use.id) };
    }
    return undefined;
  }
  if (file.kind === 'dataview') {
    for (const [name, decl] of file.declarations) if (inside(decl)) return { symbol: { kind: 'field', name, dataView: file }, start: decl.start, end: decl.end };
    if (file.id && inside(file.id)) return { symbol: { kind: 'dataview', id: file.id.value, dataView: file }, ...valueRange(file, 'dataview') };
  }
  return undefined;
}

/** The range of a top-level scalar value without its quotes. */
function valueRange(file: WorkspaceFile, key: string): { start: number; end: number } {
  const v = getPair(file.yaml.root, key)?.value as YScalar;
  const quoted = v.style === 'single' || v.style === 'double';
  return { start: v.start + (quoted ? 1 : 0), end: v.end - (quoted ? 1 : 0) };
}

function declarations(workspace: Workspace, symbol: NavSymbol): FileRange[] {
  switch (symbol.kind) {
    case 'filter':
      return workspace.filters().filter(f => f.id?.value === symbol.id).sort((a, b) => a.uri.localeCompare(b.uri)).map(f => ({ uri: f.uri, ...valueRange(f, 'filter') }));
    case 'field': {
      const decl = symbol.dataView.declarations.get(symbol.name);
      return decl ? [{ uri: symbol.dataView.uri, start: decl.start, end: decl.end }] : [];
    }
    case 'dataview':
      return symbol.dataView?.id ? [{ uri: symbol.dataView.uri, ...valueRange(symbol.dataView, 'dataview') }] : [];
  }
}

function uses(workspace: Workspace, symbol: NavSymbol): Array<FileRange & { file: FilterFile }> {
  const out: Array<FileRange & { file: FilterFile }> = [];
  for (const f of workspace.filters().sort((a, b) => a.uri.localeCompare(b.uri))) {
    const source = f.ruleSource;
    if (symbol.kind === 'dataview') {
      if (f.dataview?.value === symbol.id && workspace.dataViewFor(f) === symbol.dataView) out.push({ file: f, uri: f.uri, ...valueRange(f, 'dataview') });
      continue;
    }
    if (!source) continue;
    const spans =
      symbol.kind === 'filter'
        ? filterRefs(f.rule).filter(r => r.id.name === symbol.id).map(r => r.id)
        : workspace.dataViewFor(f) === symbol.dataView
          ? fieldUses(f.rule).filter(u => u.id.name === symbol.name).map(u => u.id)
          : [];
    for (const s of spans) out.push({ file: f, uri: f.uri, start: source.toFile(s.start), end: source.toFile(s.end) });
  }
  return out;
}

export function definition(workspace: Workspace, file: WorkspaceFile, offset: number): FileRange[] {
  const at = symbolAt(workspace, file, offset);
  if (!at) return [];
  const decls = declarations(workspace, at.symbol);
  return at.symbol.kind === 'filter' ? decls.slice(0, 1) : decls;
}

export function references(workspace: Workspace, file: WorkspaceFile, offset: number, includeDeclaration: boolean): FileRange[] {
  const at = symbolAt(workspace, file, offset);
  if (!at) return [];
  const found = uses(workspace, at.symbol).map(({ uri, start, end }) => ({ uri, start, end }));
  return includeDeclaration ? [...declarations(workspace, at.symbol), ...found] : found;
}

export type PrepareRenameResult = { start: number; end: number; placeholder: string } | { error: string };

export function prepareRename(workspace: Workspace, file: WorkspaceFile, offset: number): PrepareRenameResult {
  const at = symbolAt(workspace, file, offset);
  if (!at || at.symbol.kind === 'dataview') return { error: 'Only filter ids and data view dimensions and metrics can be renamed.' };
  if (at.symbol.kind === 'field' && !at.symbol.dataView.declarations.has(at.symbol.name)) {
    return { error: `\`${at.symbol.name}\` is not declared in data view \`${at.symbol.dataView.id?.value}\`: declare it (or fix the name) before renaming.` };
  }
  if (at.symbol.kind === 'filter' && !declarations(workspace, at.symbol).length) return { error: `No filter has the id \`${at.symbol.id}\`.` };
  return { start: at.start, end: at.end, placeholder: file.text.slice(at.start, at.end) };
}

export type RenameResult = { edits: FileEdit[] } | { error: string };

export function rename(workspace: Workspace, file: WorkspaceFile, offset: number, newName: string): RenameResult {
  const prepared = prepareRename(workspace, file, offset);
  if ('error' in prepared) return prepared;
  const symbol = symbolAt(workspace, file, offset)!.symbol;
  const old = symbol.kind === 'filter' ? symbol.id : symbol.kind === 'field' ? symbol.name : '';
  if (newName === old) return { edits: [] };
  if (symbol.kind === 'filter') {
    if (!FILTER_ID.test(newName)) return { error: `\`${newName}\` is not a valid filter id: ids are kebab-case (lower-case letters, digits and single dashes).` };
    const clash = workspace.filterById(newName);
    if (clash) return { error: `A filter with the id \`${newName}\` already exists (${clash.uri}).` };
  } else if (symbol.kind === 'field') {
    if (!FIELD_NAME.test(newName)) return { error: `\`${newName}\` is not a valid field name: letters, digits and \`_\`, with \`.\` between parts.` };
    if (KEYWORD_NAMES.has(newName)) return { error: `\`${newName}\` is a keyword of the rule language and cannot name a field.` };
    if (symbol.dataView.declarations.has(newName)) return { error: `Data view \`${symbol.dataView.id?.value}\` already declares \`${newName}\`.` };
  }
  const found = uses(workspace, symbol);
  const inexact = found.find(u => u.file.ruleSource && !u.file.ruleSource.exact);
  if (inexact) return { error: `The rule of ${inexact.uri} is a folded or multi-line scalar: rewrite it as \`rule: |\` (or format the file) before renaming.` };
  const edits: FileEdit[] = [...declarations(workspace, symbol), ...found.map(({ uri, start, end }) => ({ uri, start, end }))].map(r => ({ ...r, newText: newName }));
  if (symbol.kind === 'field') edits.push(...keepSourceField(symbol.dataView, old));
  return { edits };
}

/**
 * A field without `field:` reads the source field of its own name; after a rename it must keep
 * reading the old one, so the old name is written out.
 */
function keepSourceField(dv: DataViewFile, name: string): FileEdit[] {
  const group = dv.declarations.get(name)?.kind === 'metric' ? 'metrics' : 'dimensions';
  const pair = getPair(getPair(dv.yaml.root, group)?.value, name);
  if (!pair) return [];
  const value = pair.value;
  const text = dv.text;
  if (!value) {
    const colon = text.indexOf(':', pair.key.end);
    return [{ uri: dv.uri, start: colon + 1, end: colon + 1, newText: ` { field: ${name} }` }];
  }
  if (value.kind === 'scalar') return [{ uri: dv.uri, start: value.start, end: value.end, newText: `{ type: ${text.slice(value.start, value.end)}, field: ${name} }` }];
  if (value.kind !== 'map' || getPair(value, 'field')) return [];
  if (value.flow) return [{ uri: dv.uri, start: value.start + 1, end: value.start + 1, newText: ` field: ${name},` }];
  const first = value.pairs[0];
  if (!first) return [];
  const lineStart = text.lastIndexOf('\n', first.key.start - 1) + 1;
  return [{ uri: dv.uri, start: lineStart, end: lineStart, newText: `${' '.repeat(first.key.start - lineStart)}field: ${name}\n` }];
}
