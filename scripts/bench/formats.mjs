// Sample-file formats: the same generated 1,000,000-event / 50,000-person data as NDJSON, CSV and a
// JSON array (written by our generator from one seed) and as Parquet (written by DuckDB from the
// NDJSON file: snappy, DuckDB's row groups). For each format, three cold loads of ours (default
// threads: fresh worker threads each time) alternate with three of DuckDB's reader of that format
// (read_json / read_csv / read_parquet into a new table), DuckDB first; medians, plus one load of
// ours on a single thread. The engine section holds the NDJSON target (within 2x of DuckDB).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { benchDataView, generateEvents, median, round } from './_fixtures.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);
const LOADS = 3;


export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const { parseDataViewFile } = require(path.join(root, 'out/core/src/files/dataviewFile.js'));
  const { loadDataView } = require(path.join(root, 'out/core/src/data/load.js'));
  const { DuckDBInstance } = require('@duckdb/node-api');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-formats-'));
  const generate = (format, file) => generateEvents(root, path.join(dir, file), { events: EVENTS, people: PEOPLE, seed: 'bench', format });
  generate('ndjson', 'events.ndjson');
  generate('csv', 'events.csv');
  generate('json', 'events.json');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (SELECT * FROM read_json('${path.join(dir, 'events.ndjson')}', format = 'newline_delimited')) TO '${path.join(dir, 'events.parquet')}' (FORMAT parquet, COMPRESSION snappy)`);

  const formats = [
    ['ndjson', 'events.ndjson', (f) => `read_json('${f}', format = 'newline_delimited')`],
    ['csv', 'events.csv', (f) => `read_csv('${f}')`],
    ['json array', 'events.json', (f) => `read_json('${f}', format = 'array')`],
    ['parquet', 'events.parquet', (f) => `read_parquet('${f}')`],
  ];
  const results = {};
  for (const [name, file, reader] of formats) {
    const full = path.join(dir, file);
    const dataView = parseDataViewFile(path.join(dir, 'bench.dataview.yaml'), benchDataView({ files: [file] })).dataView;
    const ours = [];
    const duck = [];
    let dataset;
    for (let i = 0; i < LOADS; i++) {
      let t = performance.now();
      await conn.run(`CREATE OR REPLACE TABLE raw AS SELECT * FROM ${reader(full)}`);
      duck.push(performance.now() - t);
      dataset = undefined;
      t = performance.now();
      dataset = await loadDataView(dataView);
      ours.push(performance.now() - t);
    }
    const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM raw')).getRows()[0][0]);
    const t = performance.now();
    await loadDataView(dataView, { threads: 1 });
    const single = performance.now() - t;
    results[name] = {
      fileMB: round(fs.statSync(full).size / 1048576, 1),
      events: dataset.eventCount,
      duckdbRows: rows,
      warnings: dataset.warnings.length,
      oursMs: round(median(ours)),
      duckdbMs: round(median(duck)),
      ratio: round(median(ours) / median(duck)),
      oursSingleThreadMs: round(single),
      oursMsEach: ours.map(round),
      duckdbMsEach: duck.map(round),
    };
  }
  conn.closeSync?.();
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...results, note: `cold loads, ms: medians of ${LOADS} alternating with DuckDB (DuckDB first), ours with default threads (fresh workers each load); oursSingleThreadMs: one load on the calling thread` };
}
