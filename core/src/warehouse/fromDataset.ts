/**
 * A loaded sample dataset as a warehouse table: one row per event with the person's namespace and
 * ID, the timestamp, the input order (`event_order`, for timestamp ties), the session (`session_id`,
 * the dataset's own session numbering, so the warehouse's sessions are exactly the engine's) and
 * every dimension and metric field. `load-warehouse` and the demo write it to DuckDB; the SQL tests
 * write it to every engine, so both sides see exactly the values the engine sees.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Dataset } from '../data/dataset';
import type { DataView } from '../dataview/model';

export interface EventsTable {
  columns: Array<{ name: string; type: 'text' | 'number' | 'timestamp' | 'integer' }>;
  rows: Array<Array<string | number | null>>;
}

/** The columns: namespace, person_id, the timestamp field, event_order, the session field (when `withSession`), then each field. */
export function eventsTable(ds: Dataset, dataView: DataView, withSession: boolean): EventsTable {
  const fields = tableFields(dataView);
  const columns: EventsTable['columns'] = [
    { name: 'namespace', type: 'text' },
    { name: 'person_id', type: 'text' },
    { name: dataView.timestampField, type: 'timestamp' },
    { name: 'event_order', type: 'integer' },
  ];
  if (withSession) columns.push({ name: sessionColumnOf(dataView), type: 'text' });
  for (const f of fields) columns.push({ name: f.column, type: f.kind });
  const rows: EventsTable['rows'] = [];
  for (let i = 0; i < ds.eventCount; i++) {
    const p = ds.person[i];
    const row: Array<string | number | null> = [ds.personNamespaces[p], ds.personIds[p], ds.timestamps[i], i];
    if (withSession) row.push(`s${ds.session[i]}`);
    for (const f of fields) {
      const col = ds.columns.get(f.name)!;
      if (col.kind === 'string') row.push(col.codes[i] < 0 ? null : col.dictionary[col.codes[i]]);
      else row.push(Number.isNaN(col.values[i]) ? null : col.values[i]);
    }
    rows.push(row);
  }
  return { columns, rows };
}

function sessionColumnOf(dataView: DataView): string {
  return dataView.sessionField ?? 'session_id';
}

/** One column per distinct source field of the data view's dimensions and metrics. */
function tableFields(dataView: DataView): Array<{ name: string; column: string; kind: 'text' | 'number' }> {
  const fields = new Map<string, { name: string; column: string; kind: 'text' | 'number' }>();
  for (const d of dataView.dimensions) if (!fields.has(d.field)) fields.set(d.field, { name: d.name, column: d.column ?? d.field, kind: d.type === 'number' ? 'number' : 'text' });
  for (const m of dataView.metrics) if (!fields.has(m.field)) fields.set(m.field, { name: m.name, column: m.column ?? m.field, kind: 'number' });
  return [...fields.values()];
}

/**
 * Writes the dataset as table `table` of a new DuckDB database file (replacing the file), with
 * DuckDB's appender. Returns the number of rows written.
 */
export async function writeDuckDbTable(ds: Dataset, dataView: DataView, file: string, table: string): Promise<number> {
  const { DuckDBInstance, DuckDBTimestampValue } = await import('@duckdb/node-api');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
  const t = eventsTable(ds, dataView, true);
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    const types = { text: 'VARCHAR', number: 'DOUBLE', timestamp: 'TIMESTAMP', integer: 'BIGINT' };
    const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
    await conn.run(`CREATE TABLE ${q(table)} (${t.columns.map(c => `${q(c.name)} ${types[c.type]}`).join(', ')})`);
    const appender = await conn.createAppender(table);
    for (const row of t.rows) {
      row.forEach((v, j) => {
        if (v === null) return appender.appendNull();
        switch (t.columns[j].type) {
          case 'text':
            return appender.appendVarchar(String(v));
          case 'number':
            return appender.appendDouble(Number(v));
          case 'integer':
            return appender.appendBigInt(BigInt(v));
          case 'timestamp':
            return appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(Number(v) * 1000))));
        }
      });
      appender.endRow();
    }
    appender.closeSync();
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return t.rows.length;
}
