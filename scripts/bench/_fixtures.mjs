// Generated inputs for the language benchmarks: big filter files and workspaces, deterministic.
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

/** The data view of the engine and formats benchmarks over one generated sample file. */
export function benchDataView(file) {
  return `dataview: bench
timestamp: timestamp
session:
  field: session_id
sources:
  - file: ${file}
    person: ecid
    namespace: ECID
dimensions:
  page_name: string
  page_url: string
  event_type: string
  channel: string
  country: string
  product: string
  campaign:
    field: marketing.campaign
metrics:
  revenue:
  orders:
  cart_adds:
`;
}
