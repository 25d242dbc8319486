/**
 * The data view's `warehouse:` block: parsed into the model (paths resolved next to the file,
 * columns defaulted from the data view), and the mistakes the schema cannot see — keys an engine
 * needs or does not use, credentials in a URL — reported on the exact key or value.
 */
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { Workspace } from '../../../core/src/workspace';

const BASE = 'dataview: web\ntimestamp: ts\nsession:\n  field: sid\ndimensions:\n  page:\n    type: string\n    column: page_name\nmetrics:\n  orders:\n';
const FILE = path.join(path.sep, 'ws', 'web.dataview.yaml');

function problems(warehouse: string) {
  const text = `${BASE}warehouse:\n${warehouse}`;
  const ws = new Workspace();
  ws.set(FILE, text);
  return ws.diagnostics(FILE).map(d => ({ code: d.code, text: text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.line === d.range.start.line ? d.range.end.character : undefined), message: d.message }));
}

describe('data view warehouse: block', () => {
  it('parses a DuckDB database into the model, paths next to the file, columns defaulted', () => {
    const dv = parseDataViewFile(FILE, `${BASE}warehouse:\n  engine: duckdb\n  database: wh/events.duckdb\n  table: events\n  person: person_id\n  namespace: ECID\n`).dataView!;
    assert.deepEqual(dv.warehouse, { engine: 'duckdb', database: path.join(path.sep, 'ws', 'wh', 'events.duckdb'), table: 'events', personColumn: 'person_id', namespace: 'ECID', namespaceColumn: undefined, timestampColumn: 'ts', sessionColumn: 'sid', orderColumn: undefined });
    assert.equal(dv.dimensions[0].column, 'page_name');
    assert.equal(dv.files.length, 0, 'a data view may have a warehouse and no sample files');
  });

  it('parses files (one or a list) and server URLs', () => {
    const one = parseDataViewFile(FILE, `${BASE}warehouse:\n  engine: duckdb\n  files: exports/*.parquet\n  person: id\n  namespaceColumn: ns\n  timestamp: event_time\n  order: seq\n`).dataView!.warehouse!;
    assert.deepEqual([one.files, one.timestampColumn, one.orderColumn, one.namespaceColumn], [[path.join(path.sep, 'ws', 'exports', '*.parquet')], 'event_time', 'seq', 'ns']);
    const pg = parseDataViewFile(FILE, `${BASE}warehouse:\n  engine: postgres\n  url: postgres://db.internal:5432/analytics\n  table: public.events\n  person: id\n  namespace: ECID\n`).dataView!.warehouse!;
    assert.deepEqual([pg.url, pg.table], ['postgres://db.internal:5432/analytics', 'public.events']);
  });

  it('no error for a complete block', () => {
    assert.deepEqual(problems('  engine: clickhouse\n  url: http://127.0.0.1:8123/default\n  table: events\n  person: id\n  namespaceColumn: ns\n'), []);
  });

  it('credentials in a URL are an error on the URL', () => {
    for (const [url, what] of [
      ['postgres://analyst:hunter2@db:5432/analytics', 'password (`user:password@`)'],
      ['postgres://analyst@db:5432/analytics', 'user name (`user@`)'],
      ['http://ch:8123/default?password=hunter2', '`password=` parameter'],
    ]) {
      const engine = url.startsWith('http') ? 'clickhouse' : 'postgres';
      const got = problems(`  engine: ${engine}\n  url: ${url}\n  table: events\n  person: id\n  namespace: ECID\n`);
      assert.deepEqual(got.map(p => [p.code, p.text]), [['dataview-warehouse-secret', url]]);
      assert.match(got[0].message, new RegExp(`^Remove the ${what.replace(/[()`]/g, '.')} from the URL: workspace files are shared`));
      assert.match(got[0].message, engine === 'clickhouse' ? /CLICKHOUSE_USER and CLICKHOUSE_PASSWORD/ : /PGUSER and PGPASSWORD/);
    }
  });

  it("keys an engine needs, or does not use, are errors on the key", () => {
    const cases: Array<[string, string, string]> = [
      ['  engine: duckdb\n  person: id\n  namespace: ECID\n', 'warehouse', 'A DuckDB warehouse needs `database:` (a DuckDB file, with `table:`) or `files:` (Parquet, CSV or NDJSON files or globs).'],
      ['  engine: duckdb\n  database: x.duckdb\n  person: id\n  namespace: ECID\n', 'x.duckdb', 'A DuckDB `database:` needs `table:`, the table of events in it.'],
      ['  engine: duckdb\n  database: x.duckdb\n  files: a.parquet\n  table: t\n  person: id\n  namespace: ECID\n', 'files', 'Give a DuckDB warehouse either `database:` (with `table:`) or `files:`, not both.'],
      ['  engine: postgres\n  table: events\n  person: id\n  namespace: ECID\n', 'warehouse', 'A PostgreSQL warehouse needs `url:`, the server (postgres://host:5432/database).'],
      ['  engine: clickhouse\n  url: http://ch:8123/db\n  person: id\n  namespace: ECID\n', 'warehouse', 'A ClickHouse warehouse needs `table:`, the table of events.'],
      ['  engine: postgres\n  url: postgres://db/x\n  table: e\n  database: x.duckdb\n  person: id\n  namespace: ECID\n', 'x.duckdb', '`database:` is a DuckDB file; for this engine the database is part of `url:`.'],
    ];
    for (const [block, text, message] of cases) assert.deepEqual(problems(block).map(p => [p.code, p.text, p.message]), [['dataview-warehouse', text, message]], block);
  });

  it('the schema still requires engine and person, and one namespace form', () => {
    const got = problems('  engine: duckdb\n  database: x.duckdb\n  table: t\n  namespace: ECID\n');
    assert.deepEqual(got.map(p => p.code), ['schema-missing-key']);
    assert.match(got[0].message, /`person`/);
  });
});
