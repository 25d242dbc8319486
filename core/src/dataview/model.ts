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
  /** Column of the warehouse table holding it; defaults to `field`. */
  column?: string;
}

export interface Metric {
  name: string;
  /** Dotted path of the numeric source field; missing or non-numeric values count as 0. */
  field: string;
  description?: string;
  /** Adobe id, e.g. `metrics/orders`; defaults to `metrics/<name>`. */
  adobeId: string;
  /** Column of the warehouse table holding it; defaults to `field`. */
  column?: string;
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
   * Where relative periods and the lookback end: the day of the newest event of the data or
   * today. Unset: `newest-event` on sample files (they are a snapshot), `today` on the warehouse
   * (it is live).
   */
  anchor?: 'newest-event' | 'today';
  files: SampleFile[];
  /** Where the whole event history lives, evaluated there with `--source warehouse` (docs/warehouse.md). */
  warehouse?: WarehouseSource;
  dimensions: Dimension[];
  metrics: Metric[];
}

export type WarehouseEngine = 'duckdb' | 'postgres' | 'clickhouse';

/**
 * A data view's warehouse: the engine, where the events are, and the column of each key field
 * (dimensions and metrics say their own `column`). Never holds a secret: credentials come from the
 * environment (CLI) or SecretStorage (editor).
 */
export interface WarehouseSource {
  engine: WarehouseEngine;
  /** DuckDB: absolute path of the database file (`table` is a table in it). */
  database?: string;
  /** DuckDB: absolute paths or globs of Parquet / CSV / NDJSON files read as the events table. */
  files?: string[];
  /** PostgreSQL / ClickHouse: the server, without user or password. */
  url?: string;
  /** The events table (may be schema-qualified); not used with `files`. */
  table?: string;
  personColumn: string;
  /** A fixed namespace such as `ECID`, or ... */
  namespace?: string;
  /** ... the column holding each row's namespace. */
  namespaceColumn?: string;
  /** Column of the event time (default: the data view's `timestamp`). */
  timestampColumn: string;
  /** Column of the session ID (default: the data view's session field); none means sessions by inactivity. */
  sessionColumn?: string;
  /** A column that orders events with the same timestamp. */
  orderColumn?: string;
}
