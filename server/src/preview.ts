/**
 * The preview and explain requests: evaluate a filter on its data view's sample data in the server
 * process and answer with plain data for the client's panel, CodeLens and language status.
 *
 * One evaluation runs per filter at a time. Requests for the same text join it (the panel and the
 * CodeLens ask for the same version); a request for newer text aborts it; it is aborted too when
 * every request waiting on it was cancelled. The last result is kept per filter and reused while
 * the filter, its data view, the other filters and the dataset are unchanged.
 */
import type { CancellationToken, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { breakdownByDimension } from '../../core/src/breakdown';
import type { Dataset } from '../../core/src/data/dataset';
import type { LoadProgress } from '../../core/src/data/load';
import type { DataView } from '../../core/src/dataview/model';
import { stepConversion, type EvaluationResult, type MetricTotal } from '../../core/src/engine';
import type { Diagnostic } from '../../core/src/diagnostics';
import { sizeGauge } from '../../core/src/publish/plan';
import type { EvaluationError, EvaluationService, FilterEvaluation, Outcome } from '../../core/src/evaluation';
import type { FilterFile } from '../../core/src/files/filterFile';
import { uriToKey } from './documents';
import { ExplainRequest, LoadProgressNotification, PreviewRequest } from './protocol';
import type { ExplainParams, ExplainResult, LoadProgressParams, PreviewEvaluation, PreviewMetric, PreviewParams, PreviewResult, PreviewStale, PreviewUnavailable } from './protocol';

const DEFAULT_SAMPLE = 200;
const MAX_SAMPLE = 1000;
const BREAKDOWN_VALUES = 20;
const PROGRESS_EVERY_MS = 100;

interface Evaluated {
  outcome: Outcome<FilterEvaluation>;
  full?: { result: EvaluationResult; dataset: Dataset; dataView: DataView };
  /** The parse that was evaluated: maps the rule offsets of steps to file offsets. */
  filter?: FilterFile;
  evaluatedAt: string;
}

interface Run {
  text: string;
  controller: AbortController;
  waiters: number;
  promise: Promise<Evaluated>;
}

/** What a kept result depends on, compared by identity (the workspace replaces a file's parse when its text changes). */
type Signature = readonly unknown[];

/**
 * Registers the preview and explain requests. `flushCheck(uri)` runs the document's pending
 * (debounced) check at once, so a request sees the text the client sent before it;
 * `sampleRowLimit(uri)` is the most events to load for the filter's data view (its setting).
 */
export function registerPreviewHandlers(connection: Connection, documents: TextDocuments<TextDocument>, service: EvaluationService, flushCheck: (uri: string) => void, sampleRowLimit: (uri: string) => Promise<number>): void {
  const workspace = service.workspace;
  const runs = new Map<string, Run>();
  const kept = new Map<string, { signature: Signature; evaluated: Evaluated }>();

  function sync(uri: string): { key: string; version?: number } {
    flushCheck(uri);
    return { key: uriToKey(uri), version: documents.get(uri)?.version };
  }

  function progressReporter(uri: string, dataView: () => string): { onProgress(p: LoadProgress): void; finish(): void } {
    let last = 0;
    let sent = false;
    let latest: LoadProgress | undefined;
    const send = (p: LoadProgress, done: boolean) => {
      const params: LoadProgressParams = { uri, dataView: dataView(), bytesRead: p.bytesRead, totalBytes: p.totalBytes, rows: p.rows, done };
      void connection.sendNotification(LoadProgressNotification, params);
    };
    return {
      onProgress(p) {
        latest = p;
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        sent = true;
        send(p, false);
      },
      finish() {
        if (sent && latest) send(latest, true);
      },
    };
  }

  async function evaluate(uri: string, key: string, signal: AbortSignal): Promise<Evaluated> {
    const file = workspace.get(key);
    const progress = progressReporter(uri, () => (file?.kind === 'filter' ? workspace.dataViewIdOf(file) ?? '' : ''));
    const maxRows = await sampleRowLimit(uri);
    // The dataset load is not cancelled with the request: the next keystroke's request needs it too.
    const prepared = await service.prepare(key, { onProgress: progress.onProgress, maxRows });
    progress.finish();
    if (!prepared.ok) return { outcome: prepared, evaluatedAt: now() };
    const { filter, dataset } = prepared.value;
    const signature: Signature = [filter, workspace.dataViewFor(filter), dataset, ...workspace.filters()];
    const prior = kept.get(key);
    if (prior && sameSignature(prior.signature, signature)) return prior.evaluated;
    // The engine runs synchronously: give newer requests and cancellations a turn first.
    await new Promise(resolve => setImmediate(resolve));
    if (signal.aborted) return CANCELLED();
    let full: Evaluated['full'];
    const outcome = await service.evaluate(key, { signal, maxRows, onResult: f => (full = f) });
    const evaluated: Evaluated = { outcome, full, filter, evaluatedAt: now() };
    if (outcome.ok) kept.set(key, { signature, evaluated });
    return evaluated;
  }

  /**
   * Joins the running evaluation of this text, or starts one, aborting a run of older text (its
   * requests answer `cancelled` at once). Resolves `cancelled` as soon as `token` is cancelled;
   * the run itself is aborted when no request waits on it any more.
   */
  function join(uri: string, key: string, text: string, token: CancellationToken): Promise<Evaluated> {
    // Cancelled while it waited in the queue: its cancellation event has already fired.
    if (token.isCancellationRequested) return Promise.resolve(CANCELLED());
    let run = runs.get(key);
    if (run && run.text !== text) {
      run.controller.abort(new Error('superseded by a newer version'));
      run = undefined;
    }
    if (!run) {
      const controller = new AbortController();
      const started: Run = { text, controller, waiters: 0, promise: undefined as unknown as Promise<Evaluated> };
      started.promise = evaluate(uri, key, controller.signal).finally(() => {
        if (runs.get(key) === started) runs.delete(key);
      });
      runs.set(key, started);
      run = started;
    }
    const joined = run;
    joined.waiters++;
    return new Promise<Evaluated>((resolve, reject) => {
      const leave = () => {
        subscription.dispose();
        joined.controller.signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        resolve(CANCELLED());
      };
      const subscription = token.onCancellationRequested(() => {
        if (--joined.waiters === 0) joined.controller.abort(new Error('cancelled'));
        onAbort();
      });
      joined.controller.signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        e => {
          leave();
          resolve(e);
        },
        (e: unknown) => {
          leave();
          reject(e);
        },
      );
    });
  }

  connection.onRequest(PreviewRequest, async (params: PreviewParams, token: CancellationToken): Promise<PreviewResult> => {
    const { key, version } = sync(params.uri);
    const file = workspace.get(key);
    if (!file || file.kind !== 'filter') return unavailable(params.uri, version, { code: 'not-a-filter', message: `${key} is not a filter file (*.filter.yaml).` });
    const evaluated = await join(params.uri, key, file.text, token);
    const { outcome, full } = evaluated;
    if (!outcome.ok) return failure(params.uri, version, outcome.error, workspace.diagnostics(key));
    const e = outcome.value;
    const r = e.result;
    const sampleSize = Math.max(0, Math.min(MAX_SAMPLE, Math.floor(params.sampleSize ?? DEFAULT_SAMPLE)));
    const dimensions = full ? full.dataView.dimensions.map(d => d.name) : [];
    const dimension = params.breakdown === null ? undefined : params.breakdown && dimensions.includes(params.breakdown) ? params.breakdown : dimensions[0];
    const breakdown = full && dimension ? breakdownByDimension(full.dataset, full.result.eventMask, dimension, BREAKDOWN_VALUES) ?? null : null;
    const result: PreviewEvaluation = {
      status: 'ok',
      stale: false,
      uri: params.uri,
      version,
      filterId: e.filterId,
      title: e.title,
      dataView: { id: e.dataView.id, title: e.dataView.title },
      dimensions,
      window: e.window,
      ...(e.windowSource ? { windowSource: e.windowSource } : {}),
      ...(e.anchor ? { anchor: e.anchor } : {}),
      matched: r.matched,
      total: r.total,
      namespaces: r.namespaces,
      metrics: previewMetrics(r.metrics ?? [], params.pinnedMetrics ?? []),
      gauge: sizeGauge(r.matched.people),
      returns: r.returns ?? [],
      steps: r.steps.map((s, k) => ({
        label: s.label,
        ...(s.join ? { join: s.join } : {}),
        ...(s.gap ? { gap: s.gap } : {}),
        people: s.people,
        conversion: stepConversion(r.steps, k, r.total.people),
        ...fileRange(evaluated.filter, s),
      })),
      perDay: r.perDay,
      breakdown,
      sample: r.audience.slice(0, sampleSize),
      referenceCycles: r.referenceCycles,
      elapsedMs: Math.round(r.elapsedMs * 100) / 100,
      warm: e.warm,
      loadWarnings: full?.dataset.warningCount ?? e.loadWarnings.length,
      ...(e.truncated ? { truncated: e.truncated } : {}),
      evaluatedAt: evaluated.evaluatedAt,
    };
    return result;
  });

  connection.onRequest(ExplainRequest, async (params: ExplainParams, token: CancellationToken): Promise<ExplainResult> => {
    const { key, version } = sync(params.uri);
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
    if (token.isCancellationRequested) controller.abort(new Error('cancelled'));
    try {
      const file = workspace.get(key);
      const progress = progressReporter(params.uri, () => (file?.kind === 'filter' ? workspace.dataViewIdOf(file) ?? '' : ''));
      const maxRows = await sampleRowLimit(params.uri);
      const outcome = await service.explain(key, params.person, { signal: controller.signal, onProgress: progress.onProgress, maxRows });
      progress.finish();
      if (!outcome.ok) return failure(params.uri, version, outcome.error, workspace.diagnostics(key));
      const parsed = workspace.get(key);
      const filter = parsed?.kind === 'filter' ? parsed : undefined;
      return { status: 'ok', uri: params.uri, ...outcome.value, steps: outcome.value.steps.map(s => ({ ...s, ...fileRange(filter, s) })) };
    } finally {
      subscription.dispose();
    }
  });
}

/** The data view's metrics with the pinned ones first (in the order of the data view within each group). */
function previewMetrics(metrics: MetricTotal[], pinned: readonly string[]): PreviewMetric[] {
  const marked = metrics.map(m => ({ ...m, pinned: pinned.includes(m.name) }));
  return [...marked.filter(m => m.pinned), ...marked.filter(m => !m.pinned)];
}


/** Rule offsets (what the engine reports) as offsets in the filter file. */
function fileRange(filter: FilterFile | undefined, range: { start: number; end: number }): { start: number; end: number } {
  const source = filter?.ruleSource;
  if (!source) return { start: 0, end: 0 };
  const start = source.toFile(range.start);
  return { start, end: Math.max(start, source.toFile(range.end)) };
}

const now = () => new Date().toISOString();
const CANCELLED = (): Evaluated => ({ outcome: { ok: false, error: { code: 'cancelled', message: 'The evaluation was cancelled.' } }, evaluatedAt: now() });

function sameSignature(a: Signature, b: Signature): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const MAX_LISTED_ERRORS = 50;

function failure(uri: string, version: number | undefined, error: EvaluationError, diagnostics: Diagnostic[]): PreviewStale | PreviewUnavailable {
  if (error.code === 'filter-has-errors') {
    const listed = diagnostics.filter(d => d.severity === 'error').slice(0, MAX_LISTED_ERRORS).map(d => ({ code: d.code, message: d.message, range: d.range }));
    return { status: 'stale', stale: true, uri, version, errors: error.errors, message: error.message, diagnostics: listed };
  }
  return unavailable(uri, version, error);
}

function unavailable(uri: string, version: number | undefined, error: { code: PreviewUnavailable['code']; message: string }): PreviewUnavailable {
  return { status: error.code === 'cancelled' ? 'cancelled' : 'unavailable', stale: false, uri, version, code: error.code, message: error.message };
}
