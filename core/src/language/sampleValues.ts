/**
 * Sample values of dimensions and metrics, for completion and hover. Features depend on the
 * `SampleValues` interface only, so they work without data (nothing is offered) and tests inject
 * an in-memory provider; `DatasetSampleValues` computes the statistics from a loaded dataset.
 */
import type { Dataset } from '../data/dataset';
import type { DataView } from '../dataview/model';

export interface ValueCount {
  value: string | number;
  count: number;
}

export interface FieldSample {
  /** Most frequent values first (ties by value), at most `TOP_VALUES`. */
  top: ValueCount[];
  /** Number of distinct present values. */
  distinct: number;
  /** Events with a value, and events in the sample. */
  present: number;
  events: number;
  /** For numbers: the sum, smallest and largest value. */
  sum?: number;
  min?: number;
  max?: number;
}

export interface SampleValues {
  /** Statistics of a dimension or metric of a data view; undefined when no data is loaded. */
  sample(dataView: DataView, field: string): FieldSample | undefined;
}

export const TOP_VALUES = 20;

export const NO_SAMPLE_VALUES: SampleValues = { sample: () => undefined };

/** Statistics of one column of a dataset (computed once per dataset and field). */
export function fieldSample(dataset: Dataset, field: string): FieldSample | undefined {
  const column = dataset.columns.get(field);
  if (!column) return undefined;
  const counts = new Map<string | number, number>();
  let present = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  if (column.kind === 'string') {
    const byCode = new Int32Array(column.dictionary.length);
    for (let i = 0; i < column.codes.length; i++) {
      const c = column.codes[i];
      if (c >= 0) byCode[c]++;
    }
    for (let c = 0; c < byCode.length; c++) {
      if (!byCode[c]) continue;
      present += byCode[c];
      counts.set(column.dictionary[c], (counts.get(column.dictionary[c]) ?? 0) + byCode[c]);
    }
  } else {
    for (let i = 0; i < column.values.length; i++) {
      const v = column.values[i];
      if (Number.isNaN(v)) continue;
      present++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
    .slice(0, TOP_VALUES)
    .map(([value, count]) => ({ value, count }));
  const out: FieldSample = { top, distinct: counts.size, present, events: dataset.eventCount };
  if (column.kind === 'number' && present) Object.assign(out, { sum, min, max });
  return out;
}

/**
 * Sample values from datasets loaded on demand. `load` is the data layer's loader; loading starts
 * on the first request for a data view and `sample` answers from what is loaded. `loadKey` names
 * whatever else the loader depends on (e.g. a row limit): a change loads again.
 */
export class DatasetSampleValues implements SampleValues {
  private readonly loaded = new Map<string, { key: string; dataset?: Dataset; promise: Promise<Dataset | undefined>; stats: Map<string, FieldSample | undefined> }>();

  constructor(
    private readonly load: (dataView: DataView) => Promise<Dataset>,
    private readonly loadKey: (dataView: DataView) => unknown = () => undefined,
  ) {}

  sample(dataView: DataView, field: string): FieldSample | undefined {
    const entry = this.entry(dataView);
    if (!entry.dataset) return undefined;
    if (!entry.stats.has(field)) entry.stats.set(field, fieldSample(entry.dataset, field));
    return entry.stats.get(field);
  }

  /** Starts loading (if needed) and resolves when the data view's sample is loaded or failed. */
  ready(dataView: DataView): Promise<Dataset | undefined> {
    return this.entry(dataView).promise;
  }

  private entry(dataView: DataView) {
    const key = JSON.stringify([dataView.files, dataView.dimensions, dataView.metrics, dataView.timestampField, dataView.sessionField, dataView.sessionTimeoutMinutes, this.loadKey(dataView) ?? null]);
    let entry = this.loaded.get(dataView.uri);
    if (!entry || entry.key !== key) {
      const fresh = { key, dataset: undefined as Dataset | undefined, promise: Promise.resolve<Dataset | undefined>(undefined), stats: new Map<string, FieldSample | undefined>() };
      fresh.promise = this.load(dataView).then(
        d => (fresh.dataset = d),
        () => undefined,
      );
      this.loaded.set(dataView.uri, fresh);
      entry = fresh;
    }
    return entry;
  }
}
