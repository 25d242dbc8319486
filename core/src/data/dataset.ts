/**
 * A loaded sample dataset in columnar form: events sorted by person, then time (ties keep input
 * order); strings dictionary-encoded. Built by the loader, read by the engine.
 */

/** A string dimension: one dictionary code per event, -1 where the value is missing. */
export interface StringColumn {
  kind: 'string';
  codes: Int32Array;
  dictionary: string[];
}

/** A number dimension or metric: NaN where the value is missing. */
export interface NumberColumn {
  kind: 'number';
  values: Float64Array;
}

export type Column = StringColumn | NumberColumn;

export interface Dataset {
  /** Number of events. */
  eventCount: number;
  /** Epoch milliseconds per event. */
  timestamps: Float64Array;
  /** Person index per event (0..personCount-1), non-decreasing. */
  person: Int32Array;
  /** Session index per event (global numbering, 0..sessionCount-1), non-decreasing. */
  session: Int32Array;
  personCount: number;
  sessionCount: number;
  /** First event index of each person; length personCount + 1 (last = eventCount). */
  personStart: Int32Array;
  /** First event index of each session; length sessionCount + 1. */
  sessionStart: Int32Array;
  /** Person ID and identity namespace of each person. */
  personIds: string[];
  personNamespaces: string[];
  /** Columns by dimension or metric name (as named in the data view). */
  columns: Map<string, Column>;
  /** Problems met while loading (bad rows etc.); the rest of the data still loads. */
  warnings: LoadWarning[];
  /** Total number of warnings met, including those left out of `warnings` (which is capped). */
  warningCount?: number;
  /** Sample files that were not read at all (missing, unreadable, not regular, outside the allowed folders). */
  unreadSources?: Array<{ file: string; message: string }>;
  /** Where each event came from, e.g. to show the source line of an event in explain views. */
  sources?: EventSources;
  /** The most events the load was allowed to keep (`LoadOptions.maxRows`), when it had a limit. */
  rowLimit?: number;
  /** True when the sample data has more events than `rowLimit`: the dataset holds the first `rowLimit` only. */
  truncated?: boolean;
}

/** Source location per event (same event order as the other columns). */
export interface EventSources {
  /** Paths of the sample files (or a label such as `<records>`), indexed by `file`. */
  files: string[];
  /** Index into `files` per event. */
  file: Uint16Array;
  /** 1-based line (NDJSON/CSV row, start line of a JSON array element) per event. */
  line: Int32Array;
}

export interface LoadWarning {
  file: string;
  /** 1-based line (NDJSON/CSV row) or 0 when not line-specific. */
  line: number;
  message: string;
}
