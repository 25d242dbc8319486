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
  /** A sample file of the data view was not read (missing, unreadable, outside the folder): no partial answer. */
  | { code: 'data-incomplete'; message: string; files: Array<{ file: string; message: string }> }
  /** More rows were skipped than `EvaluateOptions.maxBadRows` allows. */
  | { code: 'too-many-bad-rows'; message: string; skippedRows: number; maxBadRows: number }
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
  /** For a relative window (`last 30 days`, the lookback): the day it ends on and why (SPEC: the data view's `anchor`). */
  anchor?: WindowAnchor;
  /** The engine's result without the per-event mask (large, and not needed past this point). */
  result: Omit<EvaluationResult, 'eventMask'>;
  /** Problems met while loading the sample data (bad rows etc.), with file and line. */
  loadWarnings: LoadWarning[];
  /** Set when the sample data has more events than the row limit: only the first `rowLimit` were loaded. */
  truncated?: { rowLimit: number };
  /** What the audience was evaluated on: the events loaded from each sample file and the rows skipped. */
  data: DataSummary;
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
  /** Refuse to evaluate when more rows than this were skipped while loading (default: no limit). */
  maxBadRows?: number;
}

export interface WindowAnchor {
  kind: 'newest-event' | 'today';
  /** The last day of the window, YYYY-MM-DD (UTC). */
  date: string;
}

/** "to the newest event, 2026-11-27" / "to today, 2026-12-04". */
export function anchorText(anchor: WindowAnchor): string {
  return `to ${anchor.kind === 'today' ? 'today' : 'the newest event'}, ${anchor.date}`;
}

export interface DataSummary {
  files: Array<{ file: string; events: number }>;
  /** Rows skipped while loading (bad JSON, missing person ID or timestamp, …). */
  skippedRows: number;
}

/** What `audienceBatches` tells besides the identities it streamed. */
export interface AudienceStream {
  members: number;
  source: EvaluationSource;
  window?: { from: string; to: string };
  windowSource?: 'range' | 'period' | 'lookback';
  anchor?: WindowAnchor;
  /** Sample files only: what was loaded, and the loader's warnings. */
  data?: DataSummary;
  loadWarnings?: LoadWarning[];
}

export class EvaluationService {
  constructor(readonly workspace: Workspace, readonly cache: DatasetCache = new DatasetCache(), private readonly now: () => Date = () => new Date()) {}

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
      const refused = refusal(dataView, dataset, options.maxBadRows);
      if (refused) return { ok: false, error: refused };
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
    const window = this.windowOf(filter, dataView, dataset, options.window);
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
        ...(window && (options.window === 'lookback' || filter.period?.kind === 'last') ? { anchor: this.anchorOf(dataView, dataset) } : {}),
        result: rest,
        loadWarnings: dataset.warnings,
        ...(dataset.truncated && dataset.rowLimit !== undefined ? { truncated: { rowLimit: dataset.rowLimit } } : {}),
        data: dataSummary(dataView, dataset),
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
      const { window, anchor } = await this.warehouseWindow(filter, dataView, conn, options);
      const summary = await summarizeOnWarehouse(rule, dataView, conn, window, options.audienceLimit ?? Number.MAX_SAFE_INTEGER, { resolveFilter, signal: options.signal });
      return {
        filterId: filter.id?.value ?? '',
        title: filter.title,
        dataView: { id: dataView.id, title: dataView.title, uri: dataView.uri, files: [] },
        window: window ? { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() } : undefined,
        ...(window ? { windowSource: windowSourceOf(filter, options.window) } : {}),
        ...(window && (options.window === 'lookback' || filter.period?.kind === 'last') ? { anchor } : {}),
        result: summary.result,
        loadWarnings: [],
        data: { files: [], skippedRows: 0 },
        warm: false,
        source: { kind: 'warehouse', engine: dataView.warehouse!.engine, where: describeWarehouse(dataView.warehouse!), queryMs: summary.queryMs, partial: summary.partial },
      };
    });
  }

  /**
   * The filter's audience in batches, ordered by namespace then ID: streamed from the warehouse
   * (bounded memory), or from the sample evaluation. `onWindow` receives the window used.
   */
  async audienceBatches(key: string, options: EvaluateOptions = {}, sink: (batch: Identity[]) => void | Promise<void>): Promise<Outcome<AudienceStream>> {
    if (options.source !== 'warehouse') {
      const outcome = await this.evaluate(key, options);
      if (!outcome.ok) return outcome;
      const audience = outcome.value.result.audience;
      for (let i = 0; i < audience.length; i += 10_000) await sink(audience.slice(i, i + 10_000));
      const v = outcome.value;
      return { ok: true, value: { members: audience.length, source: v.source, window: v.window, windowSource: v.windowSource, anchor: v.anchor, data: v.data, loadWarnings: v.loadWarnings } };
    }
    const resolved = this.resolve(key);
    if (!resolved.ok) return resolved;
    const { filter, rule, dataView } = resolved.value;
    if (!dataView.warehouse) return { ok: false, error: { code: 'no-warehouse', message: `Data view \`${dataView.id}\` has no \`warehouse:\` block; add one (docs/warehouse.md) or evaluate on the sample files (--source sample).` } };
    return this.withWarehouse(dataView, options, async conn => {
      const started = performance.now();
      const { window, anchor } = await this.warehouseWindow(filter, dataView, conn, options);
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
        ...(window && (options.window === 'lookback' || filter.period?.kind === 'last') ? { anchor } : {}),
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
  /**
   * The window on the warehouse: the same rule as on samples, ending today (a warehouse is live)
   * unless the data view says `anchor: newest-event` — then at the warehouse's newest event.
   */
  private async warehouseWindow(filter: FilterFile, dataView: DataView, conn: WarehouseConnection, options: EvaluateOptions): Promise<{ window: { from: number; to: number } | undefined; anchor: WindowAnchor }> {
    let end = this.workspaceNow();
    let kind: WindowAnchor['kind'] = 'today';
    if (dataView.anchor === 'newest-event') {
      const newest = await newestWarehouseEvent(dataView, conn, options.signal);
      if (newest !== undefined) {
        end = newest;
        kind = 'newest-event';
      }
    }
    return { window: windowFor(filter, end, options.window), anchor: { kind, date: new Date(end).toISOString().slice(0, 10) } };
  }

  async explain(key: string, person: PersonRef, options: EvaluateOptions = {}): Promise<Outcome<Explanation>> {
    const prepared = await this.prepare(key, options);
    if (!prepared.ok) return prepared;
    const { filter, rule, dataView, dataset } = prepared.value;
    const window = this.windowOf(filter, dataView, dataset);
    return { ok: true, value: explainPerson(rule, { dataView, dataset, window, resolveFilter: id => this.workspace.filterById(id)?.rule }, person) };
  }

  private windowOf(filter: FilterFile, dataView: DataView, dataset: Dataset, which: EvaluateOptions['window'] = 'period'): { from: number; to: number } | undefined {
    return windowFor(filter, this.anchorTime(dataView, dataset), which);
  }

  /** The instant relative windows end on the day of: today, or the newest event (today when there is none). */
  private anchorTime(dataView: DataView, dataset: Dataset): number {
    if (dataView.anchor === 'today') return this.workspaceNow();
    const newest = newestEventTime(dataset);
    return Number.isFinite(newest) ? newest : this.workspaceNow();
  }

  private anchorOf(dataView: DataView, dataset: Dataset): WindowAnchor {
    const kind = dataView.anchor === 'today' || !Number.isFinite(newestEventTime(dataset)) ? 'today' : 'newest-event';
    return { kind, date: new Date(this.anchorTime(dataView, dataset)).toISOString().slice(0, 10) };
  }

  private workspaceNow(): number {
    return this.now().getTime();
  }
}

/** Rows skipped while loading: every warning but those of files not read at all. */
export function skippedRows(dataset: Dataset): number {
  return (dataset.warningCount ?? dataset.warnings.length) - (dataset.unreadSources?.length ?? 0);
}

/** Why a loaded dataset must not be evaluated: a source not read, or too many rows skipped. */
function refusal(dataView: DataView, dataset: Dataset, maxBadRows: number | undefined): EvaluationError | undefined {
  const unread = dataset.unreadSources ?? [];
  if (unread.length) {
    return {
      code: 'data-incomplete',
      message: `Data view \`${dataView.id}\` has ${unread.length === 1 ? 'a sample file' : `${unread.length} sample files`} that could not be read, so nothing was evaluated: ${unread.map(u => u.message).join(' ')}`,
      files: unread,
    };
  }
  const skipped = skippedRows(dataset);
  if (maxBadRows !== undefined && skipped > maxBadRows) {
    return { code: 'too-many-bad-rows', message: `${skipped} row${skipped === 1 ? ' was' : 's were'} skipped while loading data view \`${dataView.id}\` (at most ${maxBadRows} allowed), so nothing was evaluated; fix the rows or raise --max-bad-rows.`, skippedRows: skipped, maxBadRows };
  }
  return undefined;
}

function dataSummary(dataView: DataView, dataset: Dataset): DataSummary {
  const counts = new Map<string, number>(dataView.files.map(f => [f.path, 0]));
  const src = dataset.sources;
  if (src) {
    const perIndex = new Array<number>(src.files.length).fill(0);
    for (let i = 0; i < src.file.length; i++) perIndex[src.file[i]]++;
    src.files.forEach((f, i) => counts.set(f, (counts.get(f) ?? 0) + perIndex[i]));
  }
  return { files: [...counts].map(([file, events]) => ({ file, events })), skippedRows: skippedRows(dataset) };
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
