import { DatasetCache } from './data/cache';
import type { Dataset, LoadWarning } from './data/dataset';
import type { LoadProgress } from './data/load';
import type { DataView } from './dataview/model';
import { evaluateFilter, explainPerson } from './engine';
import type { EvaluationResult, Explanation, PersonRef } from './engine';
import type { FilterFile } from './files/filterFile';
import { DEFAULT_LOOKBACK_DAYS, periodWindow } from './files/filterFile';
import type { Rule } from './rule/ast';
import type { Workspace } from './workspace';

/**
 * Evaluates filters of a workspace on their data view's sample data: resolves the data view,
 * loads the dataset once (cached until a file changes), applies the period window, resolves
 * filter references. Used by the language server's preview requests and by the CLI.
 */

export type EvaluationError =
  | { code: 'not-a-filter'; message: string }
  | { code: 'filter-has-errors'; message: string; errors: number }
  | { code: 'no-dataview'; message: string }
  | { code: 'cancelled'; message: string };

export interface FilterEvaluation {
  filterId: string;
  title?: string;
  dataView: { id: string; title?: string; uri: string; files: string[] };
  window?: { from: string; to: string };
  /** Where the window comes from: the audience's one-time `range` (used by preview, members and publish alike), the period, or the lookback. */
  windowSource?: 'range' | 'period' | 'lookback';
  /** The engine's result without the per-event mask (large, and not needed past this point). */
  result: Omit<EvaluationResult, 'eventMask'>;
  /** Problems met while loading the sample data (bad rows etc.), with file and line. */
  loadWarnings: LoadWarning[];
  /** Set when the sample data has more events than the row limit: only the first `rowLimit` were loaded. */
  truncated?: { rowLimit: number };
  /** True when the dataset was already loaded. */
  warm: boolean;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: EvaluationError };

export interface EvaluateOptions {
  signal?: AbortSignal;
  onProgress?(p: LoadProgress): void;
  /** Receives the engine's full result (with the per-event mask) and what it ran on, e.g. for breakdowns. */
  onResult?(full: { result: EvaluationResult; dataset: Dataset; dataView: DataView }): void;
  /**
   * The window: the filter's `period` (preview, default) or the audience's lookback (publishing,
   * SPEC §3.3 rule 8), both ending at the newest event of the sample data.
   */
  window?: 'period' | 'lookback';
  /** Load at most this many events of the data view (`LoadOptions.maxRows`); default: all. */
  maxRows?: number;
  /** Metrics to total (`EvaluationResult.metrics`); default: every metric of the data view. */
  metrics?: readonly string[];
}

export class EvaluationService {
  constructor(readonly workspace: Workspace, readonly cache: DatasetCache = new DatasetCache()) {}

  filter(key: string): FilterFile | undefined {
    const file = this.workspace.get(key);
    return file?.kind === 'filter' ? file : undefined;
  }

  /** The filter, its data view and its dataset, or why they can't be had. */
  async prepare(key: string, options: EvaluateOptions = {}): Promise<Outcome<{ filter: FilterFile; rule: Rule; dataView: DataView; dataset: Dataset; warm: boolean }>> {
    const file = this.workspace.get(key);
    if (!file || file.kind !== 'filter') return fail('not-a-filter', `${key} is not a filter file (*.filter.yaml).`);
    const errors = this.workspace.diagnostics(key).filter(d => d.severity === 'error').length;
    if (errors > 0 || !file.rule?.root) return { ok: false, error: { code: 'filter-has-errors', message: `The filter has ${errors || 1} error${errors === 1 ? '' : 's'}; fix ${errors === 1 ? 'it' : 'them'} to evaluate.`, errors: errors || 1 } };
    const choice = this.workspace.dataViewChoice(file);
    const dataView = choice.source === 'none' ? undefined : choice.file?.dataView;
    if (!dataView) return fail('no-dataview', choice.source === 'none' ? 'The filter names no data view (`dataview:`) and there is no default to use.' : `Data view \`${choice.id}\` was not found.`);
    const warm = this.cache.peek(dataView.uri) !== undefined;
    try {
      const dataset = await this.cache.get(dataView, { signal: options.signal, onProgress: options.onProgress, maxRows: options.maxRows });
      return { ok: true, value: { filter: file, rule: file.rule, dataView, dataset, warm } };
    } catch (e) {
      if (options.signal?.aborted) return fail('cancelled', 'The evaluation was cancelled.');
      throw e;
    }
  }

  async evaluate(key: string, options: EvaluateOptions = {}): Promise<Outcome<FilterEvaluation>> {
    const prepared = await this.prepare(key, options);
    if (!prepared.ok) return prepared;
    const { filter, rule, dataView, dataset, warm } = prepared.value;
    const window = this.windowOf(filter, dataset, options.window);
    let result: EvaluationResult;
    try {
      result = evaluateFilter(rule, { dataView, dataset, window, signal: options.signal, metrics: options.metrics, resolveFilter: id => this.workspace.filterById(id)?.rule });
    } catch (e) {
      if (options.signal?.aborted) return fail('cancelled', 'The evaluation was cancelled.');
      throw e;
    }
    options.onResult?.({ result, dataset, dataView });
    const { eventMask: _mask, ...rest } = result;
    return {
      ok: true,
      value: {
        filterId: filter.id?.value ?? '',
        title: filter.title,
        dataView: { id: dataView.id, title: dataView.title, uri: dataView.uri, files: dataView.files.map(f => f.path) },
        window: window ? { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() } : undefined,
        ...(window ? { windowSource: filter.audience?.range ? 'range' as const : options.window ?? 'period' } : {}),
        result: rest,
        loadWarnings: dataset.warnings,
        ...(dataset.truncated && dataset.rowLimit !== undefined ? { truncated: { rowLimit: dataset.rowLimit } } : {}),
        warm,
      },
    };
  }

  async explain(key: string, person: PersonRef, options: EvaluateOptions = {}): Promise<Outcome<Explanation>> {
    const prepared = await this.prepare(key, options);
    if (!prepared.ok) return prepared;
    const { filter, rule, dataView, dataset } = prepared.value;
    const window = this.windowOf(filter, dataset);
    return { ok: true, value: explainPerson(rule, { dataView, dataset, window, resolveFilter: id => this.workspace.filterById(id)?.rule }, person) };
  }

  private windowOf(filter: FilterFile, dataset: Dataset, which: EvaluateOptions['window'] = 'period'): { from: number; to: number } | undefined {
    // A one-time audience is its range, whatever asks (preview, members, publish).
    if (filter.audience?.range && filter.audience.refresh === 'once') return { ...filter.audience.range };
    const newest = newestEventTime(dataset);
    const end = Number.isFinite(newest) ? newest : Date.now();
    if (which === 'lookback') return periodWindow({ kind: 'last', count: filter.audience?.lookbackDays ?? DEFAULT_LOOKBACK_DAYS, unit: 'day' }, end);
    return periodWindow(filter.period, end);
  }
}

const newestByDataset = new WeakMap<Dataset, number>();

/** The time of the dataset's newest event (windows end there); one scan per loaded dataset. */
function newestEventTime(dataset: Dataset): number {
  let newest = newestByDataset.get(dataset);
  if (newest === undefined) {
    newest = -Infinity;
    const ts = dataset.timestamps;
    for (let i = 0; i < ts.length; i++) if (ts[i] > newest) newest = ts[i];
    newestByDataset.set(dataset, newest);
  }
  return newest;
}

function fail<T>(code: 'not-a-filter' | 'no-dataview' | 'cancelled', message: string): Outcome<T> {
  return { ok: false, error: { code, message } };
}
