/**
 * A connection to a data view's warehouse: runs a query and yields its rows in batches, so an
 * audience of millions streams with bounded memory. One implementation per engine (duckdb.ts,
 * postgres.ts, clickhouse.ts); `openWarehouse` picks it. Errors are `WarehouseError`s: one line
 * naming the data view and the server, table or column at fault.
 */
import * as path from 'path';
import type { DataView, WarehouseEngine, WarehouseSource } from '../dataview/model';
import type { SqlDialectName } from '../sql/dialects';
import { DIALECTS } from '../sql/dialects';

export type Row = unknown[];

export interface WarehouseConnection {
  readonly engine: WarehouseEngine;
  readonly dialect: SqlDialectName;
  /** Runs a query and yields its rows in batches; stops the query when `signal` aborts. */
  query(sql: string, options?: { signal?: AbortSignal }): AsyncIterable<Row[]>;
  close(): Promise<void>;
}

/** A warehouse failure, said in one line (the data view, then what and where). */
export class WarehouseError extends Error {
  constructor(message: string, readonly code: 'connect' | 'query' | 'cancelled' | 'config' = 'query') {
    super(message);
  }
}

/** Where the warehouse is, as the messages name it: the DuckDB file or files, or the server. */
export function describeWarehouse(source: WarehouseSource, relativeTo?: string): string {
  const rel = (p: string) => (relativeTo ? path.relative(relativeTo, p) || p : p);
  if (source.engine === 'duckdb') return source.database ? `DuckDB ${rel(source.database)}` : `DuckDB files ${source.files?.map(rel).join(', ')}`;
  return `${source.engine === 'postgres' ? 'PostgreSQL' : 'ClickHouse'} ${source.url ?? ''}`;
}

/** The events table as the compiled SQL reads it: a (qualified) table, or DuckDB's file readers. */
export function tableExpression(source: WarehouseSource): string {
  const d = DIALECTS[source.engine];
  if (source.files?.length) {
    const list = `[${source.files.map(f => d.string(f)).join(', ')}]`;
    const ext = path.extname(source.files[0].replace(/\*+$/, '')).toLowerCase();
    if (ext === '.parquet') return `read_parquet(${list}, union_by_name = true)`;
    if (ext === '.csv' || ext === '.tsv') return `read_csv(${list}, union_by_name = true)`;
    return `read_json(${list}, format = 'newline_delimited', union_by_name = true)`;
  }
  return (source.table ?? 'events').split('.').map(part => d.ident(part)).join('.');
}

export interface Credentials {
  user?: string;
  password?: string;
}

/** Opens the data view's warehouse. `credentials` come from the environment or the editor's secret storage, never a file. */
export async function openWarehouse(dataView: DataView, credentials: Credentials = {}): Promise<WarehouseConnection> {
  const source = dataView.warehouse;
  if (!source) throw new WarehouseError(`Data view \`${dataView.id}\` has no \`warehouse:\` block; add one (docs/warehouse.md) or use --source sample.`, 'config');
  switch (source.engine) {
    case 'duckdb': {
      const { openDuckDb } = await import('./duckdb');
      return openDuckDb(dataView, source);
    }
    case 'postgres': {
      const { openPostgres } = await import('./postgres');
      return openPostgres(dataView, source, credentials);
    }
    case 'clickhouse': {
      const { openClickHouse } = await import('./clickhouse');
      return openClickHouse(dataView, source, credentials);
    }
  }
}
