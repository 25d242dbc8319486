/**
 * Loaded datasets by data view uri, one per data view. An entry is reused while the data view (its
 * files, fields and settings), every sample file's size and mtime, and the requested row limit stay
 * the same; otherwise it is reloaded (a request with another row limit replaces the entry). A
 * complete (not truncated) dataset also serves requests with any limit it does not exceed, so the
 * preview's limit and an unlimited load share small sample data.
 * Concurrent requests for the same state share one load. A request's own AbortSignal only stops
 * its wait; the shared load is aborted when every request waiting on it has given up.
 */
import * as fs from 'fs';
import type { DataView } from '../dataview/model';
import type { Dataset } from './dataset';
import { loadDataView, type LoadOptions, type LoadProgress } from './load';

interface Entry {
  fingerprint: string;
  /** The fingerprint without the row limit. */
  state: string;
  /** Set once the load succeeded. */
  dataset?: Dataset;
  promise: Promise<Dataset>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
  listeners: Set<(p: LoadProgress) => void>;
}

export interface DatasetCacheOptions {
  /** Passed to every load (threads etc.); `signal`, `onProgress` and `maxRows` are per request. */
  load?: Omit<LoadOptions, 'signal' | 'onProgress' | 'maxRows'>;
  /** The loader; replaceable in tests. */
  loader?: (dataView: DataView, options: LoadOptions) => Promise<Dataset>;
}

export class DatasetCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loader: (dataView: DataView, options: LoadOptions) => Promise<Dataset>;

  constructor(private readonly options: DatasetCacheOptions = {}) {
    this.loader = options.loader ?? loadDataView;
  }

  /**
   * The dataset of `dataView`, loading it when it is not cached or out of date. Rejects only when
   * `signal` aborts (data problems are warnings in the dataset).
   */
  async get(dataView: DataView, request: Pick<LoadOptions, 'signal' | 'onProgress' | 'maxRows'> = {}): Promise<Dataset> {
    const { signal, onProgress, maxRows } = request;
    signal?.throwIfAborted();
    const state = await dataViewState(dataView);
    const fingerprint = withRowLimit(state, maxRows);
    signal?.throwIfAborted();
    let entry = this.entries.get(dataView.uri);
    // A superseded load is left to finish for the requests already waiting on it.
    if (!entry || !(entry.fingerprint === fingerprint || covers(entry, state, maxRows))) entry = this.startLoad(dataView, state, maxRows);
    return this.wait(dataView.uri, entry, signal, onProgress);
  }

  /** The cached dataset if it is loaded and was current at its last check, without any I/O. */
  peek(uri: string): Promise<Dataset> | undefined {
    const entry = this.entries.get(uri);
    return entry?.settled ? entry.promise : undefined;
  }

  /** Forgets the entry (e.g. when the data view file is deleted); a running load is aborted. */
  invalidate(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    this.entries.delete(uri);
    if (!entry.settled) entry.controller.abort(new Error('data view invalidated'));
  }

  clear(): void {
    for (const uri of [...this.entries.keys()]) this.invalidate(uri);
  }

  private startLoad(dataView: DataView, state: string, maxRows: number | undefined): Entry {
    const controller = new AbortController();
    const listeners = new Set<(p: LoadProgress) => void>();
    const entry: Entry = { fingerprint: withRowLimit(state, maxRows), state, controller, waiters: 0, settled: false, listeners, promise: undefined as unknown as Promise<Dataset> };
    entry.promise = this.loader(dataView, {
      ...this.options.load,
      ...(maxRows === undefined ? {} : { maxRows }),
      signal: controller.signal,
      onProgress: (p) => {
        for (const listener of listeners) listener(p);
      },
    });
    entry.promise.then(
      (dataset) => {
        entry.settled = true;
        entry.dataset = dataset;
      },
      () => {
        entry.settled = true;
        // A failed or aborted load must not be served to later requests.
        if (this.entries.get(dataView.uri) === entry) this.entries.delete(dataView.uri);
      },
    );
    this.entries.set(dataView.uri, entry);
    return entry;
  }

  private wait(uri: string, entry: Entry, signal: AbortSignal | undefined, onProgress: ((p: LoadProgress) => void) | undefined): Promise<Dataset> {
    if (entry.settled) return entry.promise;
    entry.waiters++;
    if (onProgress) entry.listeners.add(onProgress);
    return new Promise<Dataset>((resolve, reject) => {
      const done = (): void => {
        entry.waiters--;
        if (onProgress) entry.listeners.delete(onProgress);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        reject(signal!.reason);
        if (entry.waiters === 0 && !entry.settled && this.entries.get(uri) === entry) {
          this.entries.delete(uri);
          entry.controller.abort(signal!.reason);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (dataset) => {
          done();
          resolve(dataset);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }
}

/** A complete dataset of the same state is what a load with a limit it does not exceed would give. */
function covers(entry: Entry, state: string, maxRows: number | undefined): boolean {
  const d = entry.dataset;
  return d !== undefined && entry.state === state && !d.truncated && (maxRows === undefined || maxRows >= d.eventCount);
}

/** The fingerprint of a load: the data view's state and the row limit. */
function withRowLimit(state: string, maxRows: number | undefined): string {
  return `${state}|${maxRows ?? 'all'}`;
}

/** Identifies the data view's content and the state of its files (size and mtime). */
async function dataViewState(dataView: DataView): Promise<string> {
  const stats = await Promise.all(
    dataView.files.map(async (f) => {
      try {
        const s = await fs.promises.stat(f.path);
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return 'missing';
      }
    }),
  );
  const view = {
    timestampField: dataView.timestampField,
    sessionField: dataView.sessionField,
    sessionTimeoutMinutes: dataView.sessionTimeoutMinutes,
    files: dataView.files.map((f, i) => [f.path, f.format, f.identity.personField, f.identity.namespace, f.identity.namespaceField, stats[i]]),
    dimensions: dataView.dimensions.map((d) => [d.name, d.type, d.field]),
    metrics: dataView.metrics.map((m) => [m.name, m.field]),
  };
  return JSON.stringify(view);
}
