/**
 * DuckDB, the embedded warehouse: a database file opened read-only, or Parquet / CSV / NDJSON
 * files read in place. Rows stream in DuckDB's chunks (2,048 rows); abort interrupts the query.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DataView, WarehouseSource } from '../dataview/model';
import type { Row, WarehouseConnection } from './connection';
import { describeWarehouse, WarehouseError } from './connection';

/** The embedded DuckDB's buffer pool unless AUDIENCE_FILTERS_DUCKDB_MEMORY says otherwise. */
export const DEFAULT_MEMORY = '256MB';

export async function openDuckDb(dataView: DataView, source: WarehouseSource): Promise<WarehouseConnection> {
  const where = describeWarehouse(source);
  if (source.database && !fs.existsSync(source.database)) throw new WarehouseError(`Data view \`${dataView.id}\`: the DuckDB database ${source.database} does not exist.`, 'connect');
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(source.database ?? ':memory:', source.database ? { access_mode: 'READ_ONLY' } : {});
  } catch (e) {
    throw new WarehouseError(`Data view \`${dataView.id}\`: ${where} could not be opened: ${firstLine(e)}`, 'connect');
  }
  const conn = await instance.connect();
  // Embedded in the CLI's process: a bounded buffer pool that spills to a temporary folder, not
  // DuckDB's default of 80% of the machine's memory (AUDIENCE_FILTERS_DUCKDB_MEMORY raises it).
  const memory = process.env.AUDIENCE_FILTERS_DUCKDB_MEMORY ?? DEFAULT_MEMORY;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memory)) throw new WarehouseError(`AUDIENCE_FILTERS_DUCKDB_MEMORY must be a size such as 512MB or 2GB, not "${memory}".`, 'config');
  await conn.run(`SET memory_limit = '${memory}'`);
  await conn.run(`SET temp_directory = '${path.join(os.tmpdir(), 'audience-filters-duckdb').replace(/'/g, "''")}'`);
  return {
    engine: 'duckdb',
    dialect: 'duckdb',
    async *query(sql: string, options: { signal?: AbortSignal } = {}): AsyncIterable<Row[]> {
      const signal = options.signal;
      if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
      const onAbort = () => conn.interrupt();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const result = await conn.stream(sql);
        for await (const rows of result.yieldRowsJson()) {
          if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
          yield rows as Row[];
        }
      } catch (e) {
        if (e instanceof WarehouseError) throw e;
        if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
        throw new WarehouseError(`Data view \`${dataView.id}\`, ${where}: ${firstLine(e)}`);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** DuckDB's message without its multi-line context (LINE 3: ... and the caret). */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].trim();
}
