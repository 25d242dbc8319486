/** Shared fixtures of the data loading tests: data views and temporary sample files. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Column, Dataset, NumberColumn, StringColumn } from '../../../core/src/data/dataset';
import type { DataView, Identity, SampleFile } from '../../../core/src/dataview/model';

export function makeDataView(files: SampleFile[], overrides: Partial<DataView> = {}): DataView {
  return {
    id: 'test',
    uri: '/fixtures/test.dataview.yaml',
    timestampField: 'ts',
    sessionTimeoutMinutes: 30,
    files,
    dimensions: [
      { name: 'page', type: 'string', field: 'page', adobeId: 'variables/page' },
      { name: 'web_page', type: 'string', field: 'web.page.name', adobeId: 'variables/web.page.name' },
      { name: 'price', type: 'number', field: 'price', adobeId: 'variables/price' },
    ],
    metrics: [{ name: 'revenue', field: 'revenue', adobeId: 'metrics/revenue' }],
    ...overrides,
  };
}

export const ECID: Identity = { personField: 'id', namespace: 'ECID' };

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-data-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function stringColumn(ds: Dataset, name: string): StringColumn {
  const c: Column | undefined = ds.columns.get(name);
  if (!c || c.kind !== 'string') throw new Error(`no string column ${name}`);
  return c;
}

export function numberColumn(ds: Dataset, name: string): NumberColumn {
  const c: Column | undefined = ds.columns.get(name);
  if (!c || c.kind !== 'number') throw new Error(`no number column ${name}`);
  return c;
}

/** Decoded values of a string column in event order (undefined where missing). */
export function strings(ds: Dataset, name: string): (string | undefined)[] {
  const c = stringColumn(ds, name);
  return Array.from(c.codes, (code) => (code < 0 ? undefined : c.dictionary[code]));
}

export function numbers(ds: Dataset, name: string): number[] {
  return Array.from(numberColumn(ds, name).values);
}

/** Per event: "namespace:id" of its person. */
export function personsOf(ds: Dataset): string[] {
  return Array.from(ds.person, (p) => `${ds.personNamespaces[p]}:${ds.personIds[p]}`);
}

/**
 * The data view of files made by scripts/generate-sample-data.mjs (person `ecid` in ECID, ISO
 * timestamps, session IDs, nested marketing and web fields); the format follows the extension.
 */
export function generatedDataView(file: string): DataView {
  const dim = (name: string, field = name) => ({ name, field, type: 'string' as const, adobeId: `variables/${name}` });
  return {
    id: 'web',
    uri: path.join(path.dirname(file), 'web.dataview.yaml'),
    timestampField: 'timestamp',
    sessionField: 'session_id',
    sessionTimeoutMinutes: 30,
    files: [{ path: file, format: file.endsWith('.parquet') ? 'parquet' : 'ndjson', identity: { personField: 'ecid', namespace: 'ECID' } }],
    dimensions: [dim('event_type'), dim('page_name'), dim('page_url'), dim('channel'), dim('device'), dim('country'), dim('product'), dim('campaign', 'marketing.campaign'), dim('web_page', 'web.webPageDetails.name')],
    metrics: ['revenue', 'orders', 'cart_adds'].map((m) => ({ name: m, field: m, adobeId: `metrics/${m}` })),
  };
}

/** Everything of a dataset but its file names, string columns decoded (dictionary order may differ). */
export function datasetContents(ds: Dataset): unknown {
  const columns = [...ds.columns].map(([name, c]) => [name, c.kind === 'string' ? Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k])) : Array.from(c.values)]);
  return { ...ds, columns, sources: { file: ds.sources?.file, line: ds.sources?.line } };
}
