/**
 * The data view model: what a `*.dataview.yaml` file declares, resolved (paths absolute, defaults
 * applied). Read by the checker (names, types), the loader (files, fields) and the engine.
 */

export type DimensionType = 'string' | 'number';

export interface Dimension {
  /** Name used in rules, e.g. `page_name`. */
  name: string;
  type: DimensionType;
  /** Dotted path of the source field in a sample row; defaults to `name`. */
  field: string;
  description?: string;
  /** Adobe id, e.g. `variables/web.webPageDetails.name`; defaults to `variables/<name>`. */
  adobeId: string;
}

export interface Metric {
  name: string;
  /** Dotted path of the numeric source field; missing or non-numeric values count as 0. */
  field: string;
  description?: string;
  /** Adobe id, e.g. `metrics/orders`; defaults to `metrics/<name>`. */
  adobeId: string;
}

/** How one sample file identifies people. */
export interface Identity {
  /** Field holding the person ID. */
  personField: string;
  /** A fixed namespace such as `ECID`, or ... */
  namespace?: string;
  /** ... the field that holds each row's namespace. */
  namespaceField?: string;
}

export interface SampleFile {
  /** Absolute path. */
  path: string;
  format: 'ndjson' | 'json' | 'csv' | 'parquet';
  identity: Identity;
}

export interface DataView {
  id: string;
  title?: string;
  /** Absolute path of the `.dataview.yaml` file. */
  uri: string;
  timestampField: string;
  /** Sessions come from this field when set, else from the inactivity timeout. */
  sessionField?: string;
  sessionTimeoutMinutes: number;
  /**
   * Where relative periods and the lookback end: the day of the newest event of the data
   * (`newest-event`, the default for sample files: they are a snapshot) or today.
   */
  anchor?: 'newest-event' | 'today';
  files: SampleFile[];
  dimensions: Dimension[];
  metrics: Metric[];
}
