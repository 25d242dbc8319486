/**
 * Parquet sample files. DuckDB (an independent writer) turns a generated NDJSON file into Parquet
 * with several row groups and codecs; loading the Parquet file, on one thread or with its row
 * groups split over workers, must give the dataset the NDJSON file gives: same events, persons,
 * sessions, values (INT64 as numbers, timestamps, nested structs), and row numbers as lines.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Dataset } from '../../../core/src/data/dataset';
import { loadDataView } from '../../../core/src/data/load';
import { DatasetBuilder } from '../../../core/src/data/build';
import { loadParquetInParallel, rowGroupRuns } from '../../../core/src/data/parallel';
import { parquetRowGroups } from '../../../core/src/data/parquet';
import type { SampleFile } from '../../../core/src/dataview/model';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { datasetContents, generatedDataView, tempDir } from './dataFixtures';

const GENERATOR = path.resolve(__dirname, '../../../../scripts/generate-sample-data.mjs');



describe('Parquet sample files', function () {
  this.timeout(120_000);
  let dir: string;
  let cleanup: () => void;
  let ndjson: string;
  let expected: Dataset;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    ndjson = path.join(dir, 'events.ndjson');
    execFileSync(process.execPath, [GENERATOR, '--events', '5000', '--people', '300', '--seed', 'parquet', '--out', ndjson], { stdio: 'inherit' });
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    for (const codec of ['snappy', 'zstd', 'gzip', 'uncompressed']) {
      await conn.run(`COPY (SELECT * FROM read_json('${ndjson}', format = 'newline_delimited')) TO '${path.join(dir, `events-${codec}.parquet`)}' (FORMAT parquet, COMPRESSION '${codec}', ROW_GROUP_SIZE 2048)`);
    }
    conn.closeSync();
    expected = await loadDataView(generatedDataView(ndjson), { threads: 1 });
  });
  after(() => cleanup());

  for (const codec of ['snappy', 'zstd', 'gzip', 'uncompressed']) {
    it(`loads a ${codec} file with several row groups exactly as the same rows in NDJSON`, async () => {
      const ds = await loadDataView(generatedDataView(path.join(dir, `events-${codec}.parquet`)));
      assert.equal(ds.eventCount, 5000);
      assert.deepEqual(ds.warnings, []);
      assert.deepStrictEqual(datasetContents(ds), datasetContents(expected));
      // Row groups split over worker threads give the same dataset.
      const parallel = await loadDataView(generatedDataView(path.join(dir, `events-${codec}.parquet`)), { threads: 3, parallelMinRows: 0 });
      assert.deepStrictEqual(datasetContents(parallel), datasetContents(expected));
    });
  }

  it('a damaged row group is a warning with its rows, in a parallel load as in a sequential one', async () => {
    const damaged = path.join(dir, 'damaged.parquet');
    const bytes = fs.readFileSync(path.join(dir, 'events-snappy.parquet'));
    // Overwrite a stretch in the middle of the column data (the footer, at the end, stays intact).
    bytes.fill(0xff, Math.floor(bytes.length * 0.45), Math.floor(bytes.length * 0.45) + 64);
    fs.writeFileSync(damaged, bytes);
    const sequential = await loadDataView(generatedDataView(damaged), { threads: 1 });
    const parallel = await loadDataView(generatedDataView(damaged), { threads: 2, parallelMinRows: 0 });
    assert.ok(sequential.warnings.length > 0 && sequential.warnings.every((w) => /^row group \d+ \(rows \d+–\d+\) cannot be read \(.*\); its rows skipped$/.test(w.message)), JSON.stringify(sequential.warnings));
    assert.ok(sequential.eventCount < 5000 && sequential.eventCount > 0);
    assert.deepStrictEqual(datasetContents(parallel), datasetContents(sequential));
    // The workers did the reading (the loader falls back to one thread when they fail).
    const dv = generatedDataView(damaged);
    const builder = new DatasetBuilder(dv);
    const groups = await parquetRowGroups(damaged);
    assert.deepEqual(groups, [2048, 2048, 904]);
    const read = await loadParquetInParallel(builder, dv, 0, builder.addSource(damaged), groups!, 2, Infinity, () => undefined, undefined);
    assert.deepEqual(read?.rows, 5000);
    assert.deepStrictEqual(datasetContents(builder.finish()), datasetContents(sequential));
  });

  it('cuts row groups into runs of about equal rows', () => {
    assert.deepEqual(rowGroupRuns([2048, 2048, 904], 3), [{ first: 0, end: 1 }, { first: 1, end: 2 }, { first: 2, end: 3 }]);
    assert.deepEqual(rowGroupRuns([100, 100, 100, 100], 2), [{ first: 0, end: 2 }, { first: 2, end: 4 }]);
    assert.deepEqual(rowGroupRuns([1000, 10, 10, 10], 2), [{ first: 0, end: 1 }, { first: 1, end: 4 }]);
    assert.deepEqual(rowGroupRuns([5, 5], 8), [{ first: 0, end: 1 }, { first: 1, end: 2 }]);
    assert.deepEqual(rowGroupRuns([7], 2), [{ first: 0, end: 1 }]);
  });

  it('stops at the row limit inside a row group', async () => {
    const ds = await loadDataView(generatedDataView(path.join(dir, 'events-snappy.parquet')), { maxRows: 3000 });
    const limited = await loadDataView(generatedDataView(ndjson), { maxRows: 3000 });
    assert.equal(ds.eventCount, 3000);
    assert.equal(ds.truncated, true);
    assert.deepStrictEqual(datasetContents(ds), datasetContents(limited));
  });

  it('reports a file that is not Parquet and loads the other files', async () => {
    const bad = path.join(dir, 'bad.parquet');
    fs.writeFileSync(bad, '{"ecid":"1","timestamp":"2026-01-01T00:00:00Z"}\n');
    const dv = generatedDataView(ndjson);
    const files: SampleFile[] = [{ ...dv.files[0], path: bad, format: 'parquet' }, dv.files[0]];
    const ds = await loadDataView({ ...dv, files });
    assert.equal(ds.eventCount, 5000);
    assert.deepEqual(ds.warnings.map((w) => [w.file, w.line, w.message.replace(/\(.*\)/, '(…)')]), [[bad, 0, 'not a readable Parquet file (…); skipped']]);
  });

  it('takes the format from a .parquet extension in the data view', () => {
    const text = 'dataview: web\ntimestamp: timestamp\nsources:\n  - file: data/events.parquet\n    person: ecid\n    namespace: ECID\n';
    const parsed = parseDataViewFile('/w/web.dataview.yaml', text);
    assert.deepEqual(parsed.dataView?.files.map((f) => [f.path, f.format]), [['/w/data/events.parquet', 'parquet']]);
  });
});
