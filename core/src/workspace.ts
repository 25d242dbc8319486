import type { Diagnostic, Problem } from './diagnostics';
import { checkFilter } from './check/checker';
import { parseDataViewFile } from './files/dataviewFile';
import type { DataViewFile } from './files/dataviewFile';
import { parseFilterFile } from './files/filterFile';
import type { FilterFile } from './files/filterFile';
import { parseFilterTestFile } from './files/filterTestFile';
import type { FilterTestFile } from './files/filterTestFile';
import { applySuppressions, fileKindOf, toDiagnostic } from './files/sourceFile';
import { filterTestProblems } from './filterTests';

export type WorkspaceFile = FilterFile | DataViewFile | FilterTestFile;

/**
 * All filter, data view and filter test files of a set of folders, parsed once per text version.
 * Cross-file checks (data views, references, duplicate ids) are computed on demand from this model.
 * Used by the language server (documents + files on disk) and the CLI (files on disk).
 */
export class Workspace {
  private readonly files = new Map<string, { text: string; parsed: WorkspaceFile }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Adds or replaces a file; parses only when the text changed. Returns the parsed file. */
  set(uri: string, text: string): WorkspaceFile | undefined {
    const prior = this.files.get(uri);
    if (prior && prior.text === text) return prior.parsed;
    const kind = fileKindOf(uri);
    if (!kind) return undefined;
    const parsed: WorkspaceFile =
      kind === 'filter' ? parseFilterFile(uri, text, this.now()) : kind === 'dataview' ? parseDataViewFile(uri, text) : parseFilterTestFile(uri, text);
    this.files.set(uri, { text, parsed });
    return parsed;
  }

  delete(uri: string): void {
    this.files.delete(uri);
  }

  get(uri: string): WorkspaceFile | undefined {
    return this.files.get(uri)?.parsed;
  }

  has(uri: string): boolean {
    return this.files.has(uri);
  }

  uris(): string[] {
    return [...this.files.keys()];
  }

  filterTests(): FilterTestFile[] {
    return [...this.files.values()].flatMap(f => (f.parsed.kind === 'filterTest' ? [f.parsed] : []));
  }

  filters(): FilterFile[] {
    return [...this.files.values()].flatMap(f => (f.parsed.kind === 'filter' ? [f.parsed] : []));
  }

  dataViews(): DataViewFile[] {
    return [...this.files.values()].flatMap(f => (f.parsed.kind === 'dataview' ? [f.parsed] : []));
  }

  /** The filter with this id; the first one by URI order when the id is (wrongly) duplicated. */
  filterById(id: string): FilterFile | undefined {
    return this.filters()
      .filter(f => f.id?.value === id)
      .sort((a, b) => a.uri.localeCompare(b.uri))[0];
  }

  /** The data view a filter is written against: by id, preferring the one nearest the filter. */
  dataViewFor(filter: FilterFile): DataViewFile | undefined {
    const id = filter.dataview?.value;
    if (!id) return undefined;
    const candidates = this.dataViews().filter(d => d.id?.value === id);
    if (candidates.length <= 1) return candidates[0];
    return candidates.sort((a, b) => commonPrefix(b.uri, filter.uri) - commonPrefix(a.uri, filter.uri) || a.uri.localeCompare(b.uri))[0];
  }

  /** Every diagnostic of one file: its own parse and schema problems plus cross-file checks. */
  diagnostics(uri: string): Diagnostic[] {
    const file = this.get(uri);
    if (!file) return [];
    const problems: Problem[] = [...file.problems];
    if (file.kind === 'filter') problems.push(...checkFilter(file, this));
    if (file.kind === 'dataview') problems.push(...this.duplicateIdProblems(file, this.dataViews(), 'data view'));
    if (file.kind === 'filterTest' && !file.problems.some(p => p.severity === 'error')) problems.push(...filterTestProblems(file, this));
    const diagnostics = problems.map(p => toDiagnostic(file.lines, p));
    diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return applySuppressions(file.text, file.lines, diagnostics);
  }

  /** `filter-duplicate-id` / duplicate data view ids: reported on every file but the first. */
  duplicateIdProblems(file: FilterFile | DataViewFile, all: Array<FilterFile | DataViewFile>, what: string): Problem[] {
    const id = file.id;
    if (!id) return [];
    const same = all.filter(f => f.id?.value === id.value).sort((a, b) => a.uri.localeCompare(b.uri));
    if (same.length < 2 || same[0] === file) return [];
    const code = what === 'filter' ? 'filter-duplicate-id' : 'dataview-duplicate-id';
    return [{ start: id.start, end: id.end, severity: 'error', code, message: `Another ${what} already has the id \`${id.value}\` (${same[0].uri}); ids must be unique in the workspace.` }];
  }
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
