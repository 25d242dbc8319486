/**
 * A first data view from sample files: reads the first rows of each file with the loaders' own
 * parsers (NDJSON lines, the JSON array scanner, the CSV parser) and the loaders' value rules
 * (`toEpochMs`, `toNumber`, `toId`), then proposes the timestamp, the person ID and its namespace,
 * the session field, dimensions (strings) and metrics (numbers), each with its most frequent
 * values. Used by "New Data View…" in the editor and `audience-filters init` in the terminal; the
 * text it writes is an ordinary `*.dataview.yaml` that the user then edits.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CsvParser } from '../data/csv';
import { JsonArrayParser } from '../data/jsonArray';
import { toEpochMs, toNumber } from '../data/values';
import { RESERVED_WORDS } from '../rule/parser';

/** Rows read from the start of each file. */
export const INFER_ROWS = 1000;
const READ_BYTES = 4 * 1024 * 1024;
const TOP_VALUES = 5;

export interface InferredField {
  /** Dotted path in a row, e.g. `marketing.campaign`. */
  path: string;
  /** Name in rules: the path's last part, or the path with `_` where that is taken. */
  name: string;
  type: 'string' | 'number';
  /** Rows (of those read) with a value. */
  present: number;
  distinct: number;
  /** The most frequent values, most first. */
  top: Array<{ value: string; count: number }>;
}

export interface InferredSource {
  /** Path as given (relative to the data view file when written). */
  file: string;
  format: 'ndjson' | 'json' | 'csv';
  rows: number;
  person: string;
  /** A fixed namespace, or ... */
  namespace?: string;
  /** ... the field holding each row's namespace. */
  namespaceField?: string;
}

export interface InferredDataView {
  timestamp: string;
  session?: string;
  sources: InferredSource[];
  dimensions: InferredField[];
  metrics: InferredField[];
}

export type Inference = { ok: true; value: InferredDataView } | { ok: false; error: string };

type Row = Record<string, unknown>;

/** Reads up to `INFER_ROWS` rows of each file and infers a data view; an error names the file and why. */
export function inferDataView(files: readonly string[]): Inference {
  if (files.length === 0) return { ok: false, error: 'Pick at least one sample file (.ndjson, .json or .csv).' };
  const perFile: Array<{ file: string; format: InferredSource['format']; rows: Row[] }> = [];
  for (const file of files) {
    const read = readRows(file);
    if ('error' in read) return { ok: false, error: read.error };
    if (read.rows.length === 0) return { ok: false, error: `${file}: no rows in the first ${READ_BYTES / 1024 / 1024} MB.` };
    perFile.push({ file, format: read.format, rows: read.rows });
  }

  const stats = new Map<string, FieldStats>();
  for (const f of perFile) for (const row of f.rows) visit(row, '', stats);

  const timestamp = pickTimestamp(stats, perFile.reduce((n, f) => n + f.rows.length, 0));
  if (!timestamp) return { ok: false, error: `No timestamp field found in the first rows of ${files.join(', ')}: a field whose every value is an ISO time or epoch seconds/milliseconds.` };

  const sources: InferredSource[] = [];
  const identityFields = new Set<string>();
  for (const f of perFile) {
    const fileStats = new Map<string, FieldStats>();
    for (const row of f.rows) visit(row, '', fileStats);
    const person = pickPerson(fileStats, f.rows.length, timestamp);
    if (!person) return { ok: false, error: `${f.file}: no person ID field found (a field named like ecid, email, person_id, user_id or customer_id with a value in every row).` };
    identityFields.add(person);
    const namespaceField = [...fileStats.keys()].find(k => /(^|[._])(id_)?namespace$/i.test(k) && fileStats.get(k)!.present === f.rows.length);
    if (namespaceField) identityFields.add(namespaceField);
    sources.push({ file: f.file, format: f.format, rows: f.rows.length, person, ...(namespaceField ? { namespaceField } : { namespace: namespaceOf(person) }) });
  }

  const session = [...stats.keys()].find(k => /^session(_?id)?$/i.test(k));
  const taken = new Set<string>();
  const dimensions: InferredField[] = [];
  const metrics: InferredField[] = [];
  const skipped = new Set([timestamp, ...(session ? [session] : []), ...identityFields]);
  const paths = [...stats.keys()].filter(p => !skipped.has(p)).sort((a, b) => stats.get(a)!.order - stats.get(b)!.order);
  for (const p of paths) {
    const s = stats.get(p)!;
    const name = fieldName(p, taken);
    taken.add(name);
    const field: InferredField = { path: p, name, type: s.numbers === s.present && s.present > 0 ? 'number' : 'string', present: s.present, distinct: s.values.size, top: topValues(s.values) };
    (field.type === 'number' ? metrics : dimensions).push(field);
  }
  return { ok: true, value: { timestamp, session, sources, dimensions, metrics } };
}

/**
 * The most frequent values of some fields in the first rows of sample files (for filter
 * templates on an existing data view); files that cannot be read add nothing.
 */
export function topFieldValues(files: readonly string[], paths: readonly string[]): Map<string, string[]> {
  const stats = new Map<string, FieldStats>();
  for (const file of files) {
    const read = readRows(file);
    if ('rows' in read) for (const row of read.rows) visit(row, '', stats);
  }
  return new Map(paths.map(p => [p, topValues(stats.get(p)?.values ?? new Map()).map(t => t.value)]));
}

/** The data view file: the inferred fields, each with its most frequent values as a comment. */
export function dataViewYaml(id: string, inferred: InferredDataView, relativeTo: string, title?: string): string {
  const lines: string[] = [];
  lines.push(`dataview: ${id}`);
  if (title) lines.push(`title: ${yamlString(title)}`);
  const rows = inferred.sources.reduce((n, s) => n + s.rows, 0);
  lines.push(`# Inferred from the first ${rows} rows of ${inferred.sources.length === 1 ? 'the sample file' : `${inferred.sources.length} sample files`}: check the types and names, add descriptions.`);
  lines.push(`timestamp: ${inferred.timestamp}`);
  if (inferred.session) {
    lines.push('session:');
    lines.push(`  field: ${inferred.session}          # rows without one are sessionised by inactivity`);
    lines.push('  timeout: 30 minutes');
  }
  lines.push('sources:');
  for (const s of inferred.sources) {
    const rel = path.relative(relativeTo, s.file).split(path.sep).join('/');
    lines.push(`  - file: ${yamlString(rel)}`);
    lines.push(`    person: ${s.person}`);
    if (s.namespaceField) lines.push(`    namespaceField: ${s.namespaceField}`);
    else lines.push(`    namespace: ${s.namespace}`);
  }
  const fieldLines = (f: InferredField): string[] => {
    if (f.path === f.name) return [`  ${f.name}: ${f.type}`.padEnd(28) + ` ${valuesComment(f)}`];
    return [`  ${f.name}:`.padEnd(28) + ` ${valuesComment(f)}`, `    type: ${f.type}`, `    field: ${f.path}`];
  };
  if (inferred.dimensions.length) {
    lines.push('dimensions:');
    for (const f of inferred.dimensions) lines.push(...fieldLines(f));
  }
  if (inferred.metrics.length) {
    lines.push('metrics:');
    for (const f of inferred.metrics) {
      lines.push(`  ${f.name}:`.padEnd(28) + ` ${valuesComment(f)}`);
      if (f.path !== f.name) lines.push(`    field: ${f.path}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `# 12 values, e.g. Home, Product Detail, …` (in the rows read). */
function valuesComment(f: InferredField): string {
  const shown = f.top.map(t => (t.value.length > 40 ? `${t.value.slice(0, 37)}…` : t.value).replace(/\s+/g, ' '));
  return `# ${f.distinct}${f.distinct >= INFER_ROWS ? '+' : ''} value${f.distinct === 1 ? '' : 's'}${shown.length ? `, e.g. ${shown.join(', ')}` : ''}`;
}

interface FieldStats {
  present: number;
  numbers: number;
  /** Values whose time parses (ISO or epoch). */
  times: number;
  values: Map<string, number>;
  /** First seen, for a stable field order. */
  order: number;
}

function visit(row: Row, prefix: string, stats: Map<string, FieldStats>): void {
  for (const [key, value] of Object.entries(row)) {
    const p = prefix ? `${prefix}.${key}` : key;
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'object' && !Array.isArray(value)) {
      visit(value as Row, p, stats);
      continue;
    }
    if (Array.isArray(value)) continue;
    let s = stats.get(p);
    if (!s) stats.set(p, (s = { present: 0, numbers: 0, times: 0, values: new Map(), order: stats.size }));
    s.present++;
    if (!Number.isNaN(toNumber(value))) s.numbers++;
    if (!Number.isNaN(toEpochMs(value))) s.times++;
    const text = String(value);
    s.values.set(text, (s.values.get(text) ?? 0) + 1);
  }
}

function pickTimestamp(stats: Map<string, FieldStats>, rows: number): string | undefined {
  const candidates = [...stats.entries()].filter(([, s]) => s.present === rows && s.times === rows);
  const named = candidates.find(([k]) => /^(timestamp|time|ts|event_?time|date)$/i.test(k));
  // Otherwise a field of ISO times; a field of plain numbers might be anything (an amount, a count).
  return (named ?? candidates.find(([k]) => /time|date/i.test(k)) ?? candidates.find(([, s]) => s.numbers === 0))?.[0];
}

const PERSON_NAMES = [/^ecid$/i, /^e-?mail$/i, /^(person|user|customer|visitor|profile|client)_?id$/i, /^(person|user|customer|visitor)$/i, /^id$/i];

function pickPerson(stats: Map<string, FieldStats>, rows: number, timestamp: string): string | undefined {
  const complete = [...stats.entries()].filter(([k, s]) => k !== timestamp && s.present === rows);
  for (const re of PERSON_NAMES) {
    const hit = complete.find(([k]) => re.test(k.split('.').pop()!));
    if (hit) return hit[0];
  }
  return undefined;
}

function namespaceOf(personField: string): string {
  const last = personField.split('.').pop()!.toLowerCase();
  if (last === 'ecid') return 'ECID';
  if (last === 'email' || last === 'e-mail') return 'Email';
  return 'CRM';
}

function fieldName(p: string, taken: Set<string>): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
  const last = clean(p.split('.').pop()!);
  const ok = (n: string) => !taken.has(n) && !RESERVED_WORDS.has(n);
  if (ok(last)) return last;
  const full = clean(p.replace(/\./g, '_'));
  if (ok(full)) return full;
  let i = 2;
  while (!ok(`${full}_${i}`)) i++;
  return `${full}_${i}`;
}

function topValues(values: Map<string, number>): InferredField['top'] {
  return [...values.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, TOP_VALUES)
    .map(([value, count]) => ({ value, count }));
}

function yamlString(s: string): string {
  return /^[\w./() -]+$/.test(s) && !/^[-\s]|\s$/.test(s) ? s : JSON.stringify(s);
}

/** The first rows of one file, parsed as the loaders parse it. */
function readRows(file: string): { format: InferredSource['format']; rows: Row[] } | { error: string } {
  const ext = path.extname(file).toLowerCase();
  const format: InferredSource['format'] | 'parquet' = ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : ext === '.parquet' ? 'parquet' : 'ndjson';
  if (format === 'parquet') return { error: `${file}: Parquet files are not read for a first data view yet; pick an NDJSON, JSON or CSV sample, or write the data view by hand.` };
  let bytes: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(READ_BYTES);
      const n = fs.readSync(fd, buf, 0, READ_BYTES, 0);
      bytes = buf.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { error: `${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).` };
  }
  const rows: Row[] = [];
  const keep = (value: unknown) => {
    if (rows.length < INFER_ROWS && value && typeof value === 'object' && !Array.isArray(value)) rows.push(value as Row);
  };
  if (format === 'csv') {
    let header: string[] | undefined;
    const parser = new CsvParser({
      record(fields) {
        if (!header) header = fields;
        else keep(Object.fromEntries(header.map((h, i) => [h, fields[i]])));
      },
      warn() {},
    });
    // The last record of a cut file may be partial: only whole lines are parsed.
    const text = bytes.toString('utf8');
    parser.push(bytes.length === READ_BYTES ? text.slice(0, text.lastIndexOf('\n') + 1) : text);
    parser.end();
    return { format, rows: rows.map(nestDotted) };
  }
  if (format === 'json') {
    const parser = new JsonArrayParser({
      element(buf, start, end) {
        if (rows.length >= INFER_ROWS) return;
        try {
          keep(JSON.parse(buf.toString('utf8', start, end)));
        } catch {
          // A malformed element is the loader's warning to give; inference reads the others.
        }
      },
      warn() {},
    });
    parser.push(bytes);
    if (bytes.length < READ_BYTES) parser.end();
    return { format, rows };
  }
  const text = bytes.toString('utf8');
  const lines = (bytes.length === READ_BYTES ? text.slice(0, text.lastIndexOf('\n')) : text).split('\n');
  for (const line of lines) {
    if (rows.length >= INFER_ROWS) break;
    if (!line.trim()) continue;
    try {
      keep(JSON.parse(line));
    } catch {
      // As above: a bad line is skipped.
    }
  }
  return { format, rows };
}

/** CSV headers such as `marketing.campaign` name nested fields, as the loader reads them. */
function nestDotted(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (!k.includes('.')) {
      out[k] = v;
      continue;
    }
    const parts = k.split('.');
    let at = out;
    for (const part of parts.slice(0, -1)) at = (at[part] && typeof at[part] === 'object' ? at[part] : (at[part] = {})) as Row;
    at[parts[parts.length - 1]] = v;
  }
  return out;
}
