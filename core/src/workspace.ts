import type { Diagnostic, Problem } from './diagnostics';
import { checkFilter } from './check/checker';
import { dataViewSourceProblems } from './check/dataviewSources';
import type { SourcePolicy } from './data/sourceAccess';
import { parseDataViewFile } from './files/dataviewFile';
import type { DataViewFile } from './files/dataviewFile';
import { parseFilterFile } from './files/filterFile';
import type { FilterFile } from './files/filterFile';
import { parseFilterTestFile } from './files/filterTestFile';
import type { FilterTestFile } from './files/filterTestFile';
import { applySuppressions, fileKindOf, toDiagnostic } from './files/sourceFile';
import { filterTestProblems } from './filterTests';

export type WorkspaceFile = FilterFile | DataViewFile | FilterTestFile;

export interface WorkspaceOptions {
  /**
   * The default data view id for a filter file without `dataview:` (the editor's
   * `audienceFilters.defaultDataView` setting for that file's folder, the CLI's `--dataview`);
   * undefined or empty when there is none.
   */
  defaultDataView?(filterUri: string): string | undefined;
  /** Where sample files may come from (the workspace folder, allowed extra folders); unconfined without one. */
  sourcePolicy?: SourcePolicy;
}

/**
 * Which data view a filter is written against and why: its `dataview:` key, the default data view
 * setting, or the only data view of the workspace. `file` is undefined when no data view file has
 * the id. `none`: the filter names none and there is no default to fall back on (`known` lists
 * the data view ids of the workspace).
 */
export type DataViewChoice =
  | { source: 'key' | 'default'; id: string; file: DataViewFile | undefined }
  | { source: 'only'; id: string; file: DataViewFile }
  | { source: 'none'; known: string[] };

/**
 * All filter, data view and filter test files of a set of folders, parsed once per text version.
 * Cross-file checks (data views, references, duplicate ids) are computed on demand from this model.
 * Used by the language server (documents + files on disk) and the CLI (files on disk).
 */
export class Workspace {
  private readonly files = new Map<string, { text: string; parsed: WorkspaceFile }>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    readonly options: WorkspaceOptions = {},
  ) {}

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

  /** The data view a filter is written against (see `dataViewChoice`), if its file exists. */
  dataViewFor(filter: FilterFile): DataViewFile | undefined {
    const choice = this.dataViewChoice(filter);
    return choice.source === 'none' ? undefined : choice.file;
  }

  /** The id of the data view a filter is written against, whether or not a file has it. */
  dataViewIdOf(filter: FilterFile): string | undefined {
    const choice = this.dataViewChoice(filter);
    return choice.source === 'none' ? undefined : choice.id;
  }

  /**
   * The filter's data view: the one its `dataview:` key names; without the key, the default data
   * view of its folder (`WorkspaceOptions.defaultDataView`), else the only data view id of the
   * workspace. An id is looked up preferring the data view file nearest the filter.
   */
  dataViewChoice(filter: FilterFile): DataViewChoice {
    if (filter.dataview) return { source: 'key', id: filter.dataview.value, file: this.dataViewById(filter.dataview.value, filter.uri) };
    const fallback = this.options.defaultDataView?.(filter.uri)?.trim();
    if (fallback) return { source: 'default', id: fallback, file: this.dataViewById(fallback, filter.uri) };
    const known = [...new Set(this.dataViews().flatMap(d => (d.id ? [d.id.value] : [])))].sort();
    if (known.length === 1) return { source: 'only', id: known[0], file: this.dataViewById(known[0], filter.uri)! };
    return { source: 'none', known };
  }

  private dataViewById(id: string, nearUri: string): DataViewFile | undefined {
    const candidates = this.dataViews().filter(d => d.id?.value === id);
    if (candidates.length <= 1) return candidates[0];
    return candidates.sort((a, b) => commonPrefix(b.uri, nearUri) - commonPrefix(a.uri, nearUri) || a.uri.localeCompare(b.uri))[0];
  }

  /** Every diagnostic of one file: its own parse and schema problems plus cross-file checks. */
  diagnostics(uri: string): Diagnostic[] {
    const file = this.get(uri);
    if (!file) return [];
    const problems: Problem[] = [...file.problems];
    if (file.kind === 'filter') problems.push(...checkFilter(file, this));
    if (file.kind === 'dataview') problems.push(...this.duplicateIdProblems(file, this.dataViews(), 'data view'), ...dataViewSourceProblems(file, this.options.sourcePolicy));
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
