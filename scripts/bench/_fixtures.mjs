// Generated inputs for the language benchmarks: big filter files and workspaces, deterministic.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const DATAVIEW = `dataview: web
timestamp: timestamp
sources:
  - file: events.ndjson
    person: ecid
    namespace: ECID
dimensions:
  page_name: string
  event_type: string
  channel: string
  country: string
  product: string
metrics:
  revenue:
  orders:
`;

const PAGES = ['Home', 'Cart', 'Checkout', 'Product Detail', 'Men', 'Women', 'Search Results'];

/** A filter file of about `lines` lines: a rule of `or`-ed event containers, one condition per line. */
export function bigFilter(id, lines) {
  const ruleLines = [];
  const count = Math.max(1, lines - 8);
  for (let i = 0; i < count; i++) {
    const page = PAGES[i % PAGES.length];
    const head = i === 0 ? '    ' : '    or ';
    ruleLines.push(`${head}(event where page_name = "${page} ${i}" and revenue > ${i % 50})`);
  }
  return `filter: ${id}\ntitle: Generated filter ${id}\ndescription: A large generated filter for benchmarks.\ndataview: web\ntags: [bench]\nrule: |\n  person where\n${ruleLines.join('\n')}\n`;
}

/** A folder with a data view and `files` filters of `linesEach` lines (about files × linesEach lines). */
export function bigWorkspace(files, linesEach) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-ws-'));
  fs.writeFileSync(path.join(dir, 'web.dataview.yaml'), DATAVIEW);
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(dir, `f${i}.filter.yaml`), bigFilter(`f${i}`, linesEach));
  return dir;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
}

export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const BENCH_DIMENSIONS = ['page_name', 'page_url', 'event_type', 'channel', 'country', 'product', 'campaign'];
const BENCH_METRICS = ['revenue', 'orders', 'cart_adds'];

/**
 * A data view over generated sample files (person `ecid` in ECID, sessions from `session_id`), with
 * the given dimensions (strings; `campaign` is `marketing.campaign`) and metrics.
 */
export function benchDataView({ id = 'bench', files, dimensions = BENCH_DIMENSIONS, metrics = BENCH_METRICS }) {
  const sources = files.map((f) => `  - file: ${f}\n    person: ecid\n    namespace: ECID\n`).join('');
  const dims = dimensions.map((d) => (d === 'campaign' ? '  campaign:\n    field: marketing.campaign\n' : `  ${d}: string\n`)).join('');
  return `dataview: ${id}\ntimestamp: timestamp\nsession:\n  field: session_id\nsources:\n${sources}dimensions:\n${dims}metrics:\n${metrics.map((m) => `  ${m}:\n`).join('')}`;
}

/** Writes `events` generated events of `people` persons to `out` (scripts/generate-sample-data.mjs). */
export function generateEvents(root, out, { events, people, seed, format = 'ndjson' }) {
  const gen = spawnSync(process.execPath, [path.join(root, 'scripts/generate-sample-data.mjs'), '--events', String(events), '--people', String(people), '--format', format, '--seed', seed, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (gen.status !== 0) throw new Error(`data generation failed (${format})`);
}
