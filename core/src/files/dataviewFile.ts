import * as path from 'path';
import type { DataView, Dimension, Metric, SampleFile } from '../dataview/model';
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
  if (file.id && timestamp) {
    file.dataView = {
      id: file.id.value,
      title: stringAt(root, 'title')?.value,
      uri,
      timestampField: timestamp.value,
      sessionField: session ? stringAt(session, 'field')?.value : undefined,
      sessionTimeoutMinutes: timeout ? parseTimeout(timeout) : DEFAULT_TIMEOUT_MINUTES,
      anchor: stringAt(root, 'anchor')?.value === 'today' ? 'today' : 'newest-event',
      files,
      dimensions,
      metrics,
    };
  }
  return file;
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
