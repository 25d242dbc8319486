import { DatasetCache } from './data/cache';
import type { Dataset, LoadWarning } from './data/dataset';
import type { LoadProgress } from './data/load';
import type { DataView, WarehouseEngine } from './dataview/model';
import { evaluateFilter, explainPerson } from './engine';
import type { EvaluationResult, Explanation, Identity, PersonRef } from './engine';
import type { FilterFile } from './files/filterFile';
import { DEFAULT_LOOKBACK_DAYS, periodWindow } from './files/filterFile';
import type { Rule } from './rule/ast';
import type { Workspace } from './workspace';
import { describeWarehouse, openWarehouse, WarehouseError } from './warehouse/connection';
import type { Credentials, WarehouseConnection } from './warehouse/connection';
import { audienceOnWarehouse, newestWarehouseEvent, summarizeOnWarehouse, WarehouseUnsupported } from './warehouse/evaluate';

/**
 * Evaluates filters of a workspace on their data view's sample data: resolves the data view,
 * loads the dataset once (cached until a file changes), applies the period window, resolves
 * filter references. Used by the language server's preview requests and by the CLI.
 */

export type EvaluationError =
  | { code: 'not-a-filter'; message: string }
  | { code: 'filter-has-errors'; message: string; errors: number }
  | { code: 'no-dataview'; message: string }
  | { code: 'cancelled'; message: string }
  | { code: 'no-warehouse'; message: string }
  /** The warehouse could not be reached or refused the query; `at` is set for a construct its SQL cannot express (rule-text offsets). */
  | { code: 'warehouse'; message: string; at?: { start: number; end: number } };

/** Where an evaluation's figures come from. */
export type EvaluationSource =
  | { kind: 'sample'; files: string[] }
  | { kind: 'warehouse'; engine: WarehouseEngine; where: string; queryMs: number; partial: boolean };

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
  source: EvaluationSource;
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
  /** Evaluate on the sample files (default) or where the data view's `warehouse:` says. */
  source?: 'sample' | 'warehouse';
  /** Warehouse only: how many identities of the audience to fetch (default all; `members` streams instead). */
  audienceLimit?: number;
  /** Warehouse credentials (from the environment or the editor's secret storage). */
  credentials?: Credentials;
  /** Metrics to total (`EvaluationResult.metrics`); default: every metric of the data view. */
  metrics?: readonly string[];
}

export class EvaluationService {
  constructor(readonly workspace: Workspace, readonly cache: DatasetCache = new DatasetCache()) {}

  filter(key: string): FilterFile | undefined {
    const file = this.workspace.get(key);
    return file?.kind === 'filter' ? file : undefined;
  }

  /** The filter, its rule and its data view, or why they can't be had. */
  resolve(key: string): Outcome<{ filter: FilterFile; rule: Rule; dataView: DataView }> {
    const file = this.workspace.get(key);
    if (!file || file.kind !== 'filter') return fail('not-a-filter', `${key} is not a filter file (*.filter.yaml).`);
    const errors = this.workspace.diagnostics(key).filter(d => d.severity === 'error').length;
    if (errors > 0 || !file.rule?.root) return { ok: false, error: { code: 'filter-has-errors', message: `The filter has ${errors || 1} error${errors === 1 ? '' : 's'}; fix ${errors === 1 ? 'it' : 'them'} to evaluate.`, errors: errors || 1 } };
    const choice = this.workspace.dataViewChoice(file);
    const dataView = choice.source === 'none' ? undefined : choice.file?.dataView;
    if (!dataView) return fail('no-dataview', choice.source === 'none' ? 'The filter names no data view (`dataview:`) and there is no default to use.' : `Data view \`${choice.id}\` was not found.`);
    return { ok: true, value: { filter: file, rule: file.rule!, dataView } };
  }

  /** The filter, its data view and its dataset, or why they can't be had. */
  async prepare(key: string, options: EvaluateOptions = {}): Promise<Outcome<{ filter: FilterFile; rule: Rule; dataView: DataView; dataset: Dataset; warm: boolean }>> {
    const resolved = this.resolve(key);
    if (!resolved.ok) return resolved;
    const { filter: file, dataView } = resolved.value;
    const warm = this.cache.peek(dataView.uri) !== undefined;
    try {
      const dataset = await this.cache.get(dataView, { signal: options.signal, onProgress: options.onProgress, maxRows: options.maxRows });
      return { ok: true, value: { filter: file, rule: resolved.value.rule, dataView, dataset, warm } };
    } catch (e) {
      if (options.signal?.aborted) return fail('cancelled', 'The evaluation was cancelled.');
      throw e;
    }
  }

  async evaluate(key: string, options: EvaluateOptions = {}): Promise<Outcome<FilterEvaluation>> {
    if (options.source === 'warehouse') return this.evaluateOnWarehouse(key, options);
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
        ...(window ? { windowSource: windowSourceOf(filter, options.window) } : {}),
        result: rest,
        loadWarnings: dataset.warnings,
        ...(dataset.truncated && dataset.rowLimit !== undefined ? { truncated: { rowLimit: dataset.rowLimit } } : {}),
        warm,
        source: { kind: 'sample', files: dataView.files.map(f => f.path) },
      },
    };
  }

  /** The same evaluation where the data view's `warehouse:` holds the events (core/src/warehouse). */
  private async evaluateOnWarehouse(key: string, options: EvaluateOptions): Promise<Outcome<FilterEvaluation>> {
    const resolved = this.resolve(key);
    if (!resolved.ok) return resolved;
    const { filter, rule, dataView } = resolved.value;
    if (!dataView.warehouse) return { ok: false, error: { code: 'no-warehouse', message: `Data view \`${dataView.id}\` has no \`warehouse:\` block; add one (docs/warehouse.md) or evaluate on the sample files (--source sample).` } };
    const resolveFilter = (id: string) => this.workspace.filterById(id)?.rule;
    return this.withWarehouse(dataView, options, async conn => {
      const window = await this.warehouseWindow(filter, dataView, conn, options);
      const summary = await summarizeOnWarehouse(rule, dataView, conn, window, options.audienceLimit ?? Number.MAX_SAFE_INTEGER, { resolveFilter, signal: options.signal });
      return {
        filterId: filter.id?.value ?? '',
        title: filter.title,
        dataView: { id: dataView.id, title: dataView.title, uri: dataView.uri, files: [] },
        window: window ? { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() } : undefined,
        ...(window ? { windowSource: windowSourceOf(filter, options.window) } : {}),
        result: summary.result,
        loadWarnings: [],
        warm: false,
        source: { kind: 'warehouse', engine: dataView.warehouse!.engine, where: describeWarehouse(dataView.warehouse!), queryMs: summary.queryMs, partial: summary.partial },
      };
    });
  }

  /**
   * The filter's audience in batches, ordered by namespace then ID: streamed from the warehouse
   * (bounded memory), or from the sample evaluation. `onWindow` receives the window used.
   */
  async audienceBatches(key: string, options: EvaluateOptions = {}, sink: (batch: Identity[]) => void | Promise<void>): Promise<Outcome<{ members: number; source: EvaluationSource; window?: { from: string; to: string }; windowSource?: 'range' | 'period' | 'lookback' }>> {
    if (options.source !== 'warehouse') {
      const outcome = await this.evaluate(key, options);
      if (!outcome.ok) return outcome;
      const audience = outcome.value.result.audience;
      for (let i = 0; i < audience.length; i += 10_000) await sink(audience.slice(i, i + 10_000));
      return { ok: true, value: { members: audience.length, source: outcome.value.source, window: outcome.value.window, windowSource: outcome.value.windowSource } };
    }
    const resolved = this.resolve(key);
    if (!resolved.ok) return resolved;
    const { filter, rule, dataView } = resolved.value;
    if (!dataView.warehouse) return { ok: false, error: { code: 'no-warehouse', message: `Data view \`${dataView.id}\` has no \`warehouse:\` block; add one (docs/warehouse.md) or evaluate on the sample files (--source sample).` } };
    return this.withWarehouse(dataView, options, async conn => {
      const started = performance.now();
      const window = await this.warehouseWindow(filter, dataView, conn, options);
      let members = 0;
      for await (const batch of audienceOnWarehouse(rule, dataView, conn, window, { resolveFilter: id => this.workspace.filterById(id)?.rule, signal: options.signal })) {
        members += batch.length;
        await sink(batch);
      }
      return {
        members,
        source: { kind: 'warehouse' as const, engine: dataView.warehouse!.engine, where: describeWarehouse(dataView.warehouse!), queryMs: performance.now() - started, partial: false },
        window: window ? { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() } : undefined,
        ...(window ? { windowSource: windowSourceOf(filter, options.window) } : {}),
      };
    });
  }

  private async withWarehouse<T>(dataView: DataView, options: EvaluateOptions, body: (conn: WarehouseConnection) => Promise<T>): Promise<Outcome<T>> {
    let conn: WarehouseConnection | undefined;
    try {
      conn = await openWarehouse(dataView, options.credentials);
      return { ok: true, value: await body(conn) };
    } catch (e) {
      if (options.signal?.aborted || (e instanceof WarehouseError && e.code === 'cancelled')) return fail('cancelled', 'The evaluation was cancelled.');
      if (e instanceof WarehouseUnsupported) return { ok: false, error: { code: 'warehouse', message: `${describeWarehouse(dataView.warehouse!)} cannot evaluate this filter: ${e.message}`, at: { start: e.problem.start, end: e.problem.end } } };
      if (e instanceof WarehouseError) return { ok: false, error: { code: 'warehouse', message: e.message } };
      throw e;
    } finally {
      await conn?.close();
    }
  }

  /** The window on the warehouse: the same rule as on samples, ending at the warehouse's newest event. */
  private async warehouseWindow(filter: FilterFile, dataView: DataView, conn: WarehouseConnection, options: EvaluateOptions): Promise<{ from: number; to: number } | undefined> {
    const newest = await newestWarehouseEvent(dataView, conn, options.signal);
    return windowFor(filter, newest ?? Date.now(), options.window);
  }

  async explain(key: string, person: PersonRef, options: EvaluateOptions = {}): Promise<Outcome<Explanation>> {
    const prepared = await this.prepare(key, options);
    if (!prepared.ok) return prepared;
    const { filter, rule, dataView, dataset } = prepared.value;
    const window = this.windowOf(filter, dataset);
    return { ok: true, value: explainPerson(rule, { dataView, dataset, window, resolveFilter: id => this.workspace.filterById(id)?.rule }, person) };
  }

  private windowOf(filter: FilterFile, dataset: Dataset, which: EvaluateOptions['window'] = 'period'): { from: number; to: number } | undefined {
    const newest = newestEventTime(dataset);
    return windowFor(filter, Number.isFinite(newest) ? newest : Date.now(), which);
  }
}

/** Where the window comes from: a one-time audience's range, else the period or the lookback asked for. */
function windowSourceOf(filter: FilterFile, which: EvaluateOptions['window'] = 'period'): 'range' | 'period' | 'lookback' {
  return filter.audience?.range && filter.audience.refresh === 'once' ? 'range' : which;
}

/** The filter's period (or the audience's lookback), ending at `end`; a one-time audience's range whatever asks (preview, members, publish). */
function windowFor(filter: FilterFile, end: number, which: EvaluateOptions['window'] = 'period'): { from: number; to: number } | undefined {
  if (filter.audience?.range && filter.audience.refresh === 'once') return { ...filter.audience.range };
  if (which === 'lookback') return periodWindow({ kind: 'last', count: filter.audience?.lookbackDays ?? DEFAULT_LOOKBACK_DAYS, unit: 'day' }, end);
  return periodWindow(filter.period, end);
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
