import * as path from 'path';
import type { DataView, Dimension, Metric, SampleFile, WarehouseEngine, WarehouseSource } from '../dataview/model';
import { getPair } from '../yaml/yamlTree';
import type { YNode, YPair } from '../yaml/yamlTree';
import { parseSourceFile, stringAt } from './sourceFile';
import type { Located, SourceFileBase } from './sourceFile';

export interface DataViewFile extends SourceFileBase {
  kind: 'dataview';
  id?: Located<string>;
  /** The resolved model, when the file is valid enough to build one. */
  dataView?: DataView;
  /** Where each dimension and metric is declared (its key), for navigation and rename. */
  declarations: Map<string, { kind: 'dimension' | 'metric'; start: number; end: number }>;
  /** Each sample file's absolute path with its `file:` value, where problems with the file are reported. */
  sourceFiles: Array<{ path: string; value: Located<string> }>;
}

const DEFAULT_TIMEOUT_MINUTES = 30;

export function parseDataViewFile(uri: string, text: string): DataViewFile {
  const base = parseSourceFile(uri, text, 'dataview');
  const root = base.yaml.root;
  const file: DataViewFile = { ...base, kind: 'dataview', declarations: new Map(), sourceFiles: [] };
  file.id = stringAt(root, 'dataview');
  if (!root || root.kind !== 'map') return file;
  const dimensions: Dimension[] = [];
  const metrics: Metric[] = [];
  for (const pair of mapPairs(getPair(root, 'dimensions')?.value)) {
    const name = String(pair.key.value);
    const v = pair.value;
    const obj = v && v.kind === 'map' ? v : undefined;
    const type = obj ? stringAt(obj, 'type')?.value : v && v.kind === 'scalar' ? String(v.value) : undefined;
    dimensions.push({
      name,
      type: type === 'number' ? 'number' : 'string',
      field: (obj && stringAt(obj, 'field')?.value) || name,
      description: obj ? stringAt(obj, 'description')?.value : undefined,
      adobeId: (obj && stringAt(obj, 'adobeId')?.value) || `variables/${name}`,
      column: obj ? stringAt(obj, 'column')?.value : undefined,
    });
    file.declarations.set(name, { kind: 'dimension', start: pair.key.start, end: pair.key.end });
  }
  for (const pair of mapPairs(getPair(root, 'metrics')?.value)) {
    const name = String(pair.key.value);
    const obj = pair.value && pair.value.kind === 'map' ? pair.value : undefined;
    metrics.push({
      name,
      field: (obj && stringAt(obj, 'field')?.value) || name,
      description: obj ? stringAt(obj, 'description')?.value : undefined,
      adobeId: (obj && stringAt(obj, 'adobeId')?.value) || `metrics/${name}`,
      column: obj ? stringAt(obj, 'column')?.value : undefined,
    });
    if (!file.declarations.has(name)) file.declarations.set(name, { kind: 'metric', start: pair.key.start, end: pair.key.end });
    else file.problems.push({ start: pair.key.start, end: pair.key.end, severity: 'error', code: 'dataview-duplicate-name', message: `\`${name}\` is already declared as a dimension; a metric needs another name.` });
  }
  const files: SampleFile[] = [];
  const sources = getPair(root, 'sources')?.value;
  if (sources && sources.kind === 'seq') {
    for (const item of sources.items) {
      const fileName = stringAt(item, 'file');
      const person = stringAt(item, 'person');
      if (!fileName || !person) continue;
      const abs = path.resolve(path.dirname(uri), fileName.value);
      file.sourceFiles.push({ path: abs, value: fileName });
      const fmt = stringAt(item, 'format')?.value;
      files.push({
        path: abs,
        format: fmt === 'csv' || fmt === 'json' || fmt === 'ndjson' || fmt === 'parquet' ? fmt : formatFromExtension(abs),
        identity: { personField: person.value, namespace: stringAt(item, 'namespace')?.value, namespaceField: stringAt(item, 'namespaceField')?.value },
      });
    }
  }
  const session = getPair(root, 'session')?.value;
  const timeout = session ? stringAt(session, 'timeout')?.value : undefined;
  const timestamp = stringAt(root, 'timestamp');
  const warehouse = parseWarehouse(file, getPair(root, 'warehouse'), timestamp?.value, session ? stringAt(session, 'field')?.value : undefined);
  const anchorValue = stringAt(root, 'anchor')?.value;
  if (file.id && timestamp) {
    file.dataView = {
      id: file.id.value,
      title: stringAt(root, 'title')?.value,
      uri,
      timestampField: timestamp.value,
      sessionField: session ? stringAt(session, 'field')?.value : undefined,
      sessionTimeoutMinutes: timeout ? parseTimeout(timeout) : DEFAULT_TIMEOUT_MINUTES,
      // Unset stays undefined: sample files default to the newest event, a warehouse to today.
      ...(anchorValue === 'today' || anchorValue === 'newest-event' ? { anchor: anchorValue } : {}),
      files,
      ...(warehouse ? { warehouse } : {}),
      dimensions,
      metrics,
    };
  }
  return file;
}

const ENGINES: WarehouseEngine[] = ['duckdb', 'postgres', 'clickhouse'];

/**
 * The `warehouse:` block: its shape is the schema's; here what the schema cannot say — which keys
 * each engine needs, and that no credential is written in a workspace file.
 */
function parseWarehouse(file: DataViewFile, pair: YPair | undefined, timestampField: string | undefined, sessionField: string | undefined): WarehouseSource | undefined {
  const node = pair?.value;
  if (!pair || !node || node.kind !== 'map') return undefined;
  const engineText = stringAt(node, 'engine');
  const engine = ENGINES.find(e => e === engineText?.value);
  const person = stringAt(node, 'person');
  if (!engine || !person) return undefined; // the schema reports it
  const problem = (at: { start: number; end: number }, code: string, message: string) => file.problems.push({ start: at.start, end: at.end, severity: 'error', code, message });
  const database = stringAt(node, 'database');
  const table = stringAt(node, 'table');
  const url = stringAt(node, 'url');
  const filesNode = getPair(node, 'files');
  const files = !filesNode?.value ? [] : filesNode.value.kind === 'seq' ? filesNode.value.items.flatMap(i => (i.kind === 'scalar' && i.value !== null ? [String(i.value)] : [])) : filesNode.value.kind === 'scalar' && filesNode.value.value !== null ? [String(filesNode.value.value)] : [];
  const dir = path.dirname(file.uri);
  let ok = true;
  const refuse = (at: { start: number; end: number }, message: string) => {
    problem(at, 'dataview-warehouse', message);
    ok = false;
  };
  if (engine === 'duckdb') {
    if (url) refuse(url, 'A DuckDB warehouse is a `database:` file or `files:`; `url:` is for postgres and clickhouse.');
    if (database && filesNode) refuse(filesNode.key, 'Give a DuckDB warehouse either `database:` (with `table:`) or `files:`, not both.');
    else if (!database && !filesNode) refuse(pair.key, 'A DuckDB warehouse needs `database:` (a DuckDB file, with `table:`) or `files:` (Parquet, CSV or NDJSON files or globs).');
    else if (database && !table) refuse(database, 'A DuckDB `database:` needs `table:`, the table of events in it.');
    else if (filesNode && table) refuse(table, '`files:` are read as the events table; `table:` is for a `database:`.');
  } else {
    if (!url) refuse(pair.key, `A ${engine === 'postgres' ? 'PostgreSQL' : 'ClickHouse'} warehouse needs \`url:\`, the server (${engine === 'postgres' ? 'postgres://host:5432/database' : 'http://host:8123/database'}).`);
    if (!table) refuse(pair.key, `A ${engine === 'postgres' ? 'PostgreSQL' : 'ClickHouse'} warehouse needs \`table:\`, the table of events.`);
    if (database) refuse(database, '`database:` is a DuckDB file; for this engine the database is part of `url:`.');
    if (filesNode) refuse(filesNode.key, '`files:` are read by DuckDB; use `engine: duckdb` for files.');
  }
  if (url) {
    const secret = urlSecret(url.value);
    if (secret) {
      problem(url, 'dataview-warehouse-secret', `Remove the ${secret} from the URL: workspace files are shared, so credentials never go in them. The CLI reads ${engine === 'clickhouse' ? 'CLICKHOUSE_USER and CLICKHOUSE_PASSWORD' : 'PGUSER and PGPASSWORD'} from the environment; the editor asks once and keeps them in its secret storage.`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  return {
    engine,
    ...(database ? { database: path.resolve(dir, database.value) } : {}),
    ...(files.length ? { files: files.map(f => path.resolve(dir, f)) } : {}),
    ...(url ? { url: url.value } : {}),
    ...(table ? { table: table.value } : {}),
    personColumn: person.value,
    namespace: stringAt(node, 'namespace')?.value,
    namespaceColumn: stringAt(node, 'namespaceColumn')?.value,
    timestampColumn: stringAt(node, 'timestamp')?.value ?? timestampField ?? 'timestamp',
    sessionColumn: stringAt(node, 'session')?.value ?? sessionField,
    orderColumn: stringAt(node, 'order')?.value,
  };
}

/** What in a server URL is a credential (`user:password@`, `?password=`), or undefined. */
export function urlSecret(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  if (u.password) return 'password (`user:password@`)';
  if (u.username) return 'user name (`user@`)';
  for (const key of u.searchParams.keys()) if (/pass|secret|token|key/i.test(key)) return `\`${key}=\` parameter`;
  return undefined;
}

function mapPairs(node: YNode | null | undefined): YPair[] {
  return node && node.kind === 'map' ? node.pairs : [];
}

function formatFromExtension(file: string): SampleFile['format'] {
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : ext === '.parquet' ? 'parquet' : 'ndjson';
}

function parseTimeout(text: string): number {
  const m = /^(\d+) (minute|minutes|hour|hours)$/.exec(text);
  if (!m) return DEFAULT_TIMEOUT_MINUTES;
  return Number(m[1]) * (m[2].startsWith('hour') ? 60 : 1);
}
