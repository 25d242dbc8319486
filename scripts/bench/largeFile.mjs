// Large sample file (issue: evaluation engine, "a 1 GB file ... memory stays bounded"): a
// generated NDJSON file of about 1 GB with a few bad lines, loaded in a child process each time so
// its peak RSS is the load's own — once with the language server's default row limit (1,000,000
// events, the preview's `sampleRowLimit`) and once whole — beside DuckDB's read_json of the same
// file, also in a child process of its own.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchDataView, generateEvents, round } from './_fixtures.mjs';

const EVENTS = Number(process.env.BENCH_LARGE_EVENTS ?? 3_100_000);
const PEOPLE = 150_000;
const BAD_LINES = ['{"broken json', '{"timestamp":"not a time","ecid":"1"}', '{"timestamp":"2026-10-01T00:00:00Z"}'];

const DATAVIEW = benchDataView({ id: 'large', files: ['bad.ndjson', 'events.ndjson'], dimensions: ['page_name', 'event_type', 'channel', 'campaign'], metrics: ['revenue'] });

/**
 * Runs `code` (an async function body that sets `result`) in a fresh Node process; returns its JSON
 * answer with the process's peak RSS. That is VmHWM, not getrusage's maxrss, which a process keeps
 * from its parent across exec.
 */
function child(root, code) {
  const peak = `Math.round(Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024)`;
  const script = `const root = ${JSON.stringify(root)};\n(async () => {\n${code}\nprocess.stdout.write(JSON.stringify({ ...result, peakRssMb: ${peak} }));\n})().catch((e) => { console.error(e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

export async function run({ root }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-large-'));
  try {
    const file = path.join(dir, 'events.ndjson');
    generateEvents(root, file, { events: EVENTS, people: PEOPLE, seed: 'large' });
    // Bad lines in a small first file (inside the row limit) and at the end of the large one.
    fs.writeFileSync(path.join(dir, 'bad.ndjson'), BAD_LINES.join('\n') + '\n');
    fs.appendFileSync(file, BAD_LINES.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'large.dataview.yaml'), DATAVIEW);
    const bytes = fs.statSync(file).size;

    const load = (options) => child(root, `
      const { parseDataViewFile } = require(root + '/out/core/src/files/dataviewFile.js');
      const { loadDataView } = require(root + '/out/core/src/data/load.js');
      const uri = ${JSON.stringify(path.join(dir, 'large.dataview.yaml'))};
      const dataView = parseDataViewFile(uri, require('fs').readFileSync(uri, 'utf8')).dataView;
      let bytesRead = 0;
      const t = performance.now();
      const ds = await loadDataView(dataView, { ...${JSON.stringify(options)}, onProgress: (p) => { bytesRead = p.bytesRead; } });
      const result = { ms: Math.round(performance.now() - t), events: ds.eventCount, people: ds.personCount, truncated: ds.truncated ?? false, bytesRead, warnings: ds.warnings.map((w) => require('path').basename(w.file) + ':' + w.line + ': ' + w.message.replace(/invalid JSON: .*; line skipped/, 'invalid JSON; line skipped')) };`);
    const limited = load({ maxRows: 1_000_000 });
    const whole = load({});
    const files = [path.join(dir, 'bad.ndjson'), file].map((f) => `'${f}'`).join(', ');
    const duckdb = child(root, `
      const { DuckDBInstance } = require('@duckdb/node-api');
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const t = performance.now();
      await conn.run("CREATE TABLE raw AS SELECT * FROM read_json([${files}], format = 'newline_delimited', ignore_errors = true)");
      const result = { ms: Math.round(performance.now() - t), rows: Number((await conn.runAndReadAll('SELECT count(*) FROM raw')).getRows()[0][0]) };`);
    return {
      file: { mb: round(bytes / 1048576, 1), events: EVENTS, badLines: 2 * BAD_LINES.length },
      withServerRowLimit: limited,
      whole,
      duckdbReadJson: duckdb,
      note: 'each load in its own process; peakRssMb is that process\'s peak RSS (VmHWM). withServerRowLimit stops reading after 1,000,000 events, as the language server does by default. DuckDB skips the bad lines with ignore_errors.',
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
