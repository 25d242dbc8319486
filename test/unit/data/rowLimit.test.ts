import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetCache } from '../../../core/src/data/cache';
import type { Dataset } from '../../../core/src/data/dataset';
import { loadDataView, type LoadOptions, type LoadProgress } from '../../../core/src/data/load';
import type { DataView } from '../../../core/src/dataview/model';
import { ECID, makeDataView, strings, tempDir } from './dataFixtures';

const row = (id: string, page: string, ts = 1790848800): string => JSON.stringify({ id, ts, page });

describe('loading with a row limit (maxRows)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  function ndjson(name: string, lines: string[]): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    return file;
  }

  it('keeps exactly the first N events in file order and marks the dataset truncated', async () => {
    const file = ndjson('e.ndjson', [row('a', 'P1'), 'not json', row('b', 'P2'), row('a', 'P3'), '{"ts":1}', row('c', 'P4'), 'bad again', row('d', 'P5')]);
    const ds = await loadDataView(makeDataView([{ path: file, format: 'ndjson', identity: ECID }]), { maxRows: 3, threads: 1 });
    assert.equal(ds.eventCount, 3);
    assert.deepEqual([...strings(ds, 'page')].sort(), ['P1', 'P2', 'P3']);
    assert.equal(ds.truncated, true);
    assert.equal(ds.rowLimit, 3);
    // Bad rows up to the first event past the limit (line 6) are reported; the one after it is in data not read.
    assert.deepEqual(ds.warnings.map((w) => w.line), [2, 5]);
  });

  it('is not truncated when the data has exactly N events or fewer, and unmarked without a limit', async () => {
    const file = ndjson('e.ndjson', [row('a', 'P1'), row('b', 'P2'), row('c', 'P3')]);
    const dv = makeDataView([{ path: file, format: 'ndjson', identity: ECID }]);
    const exact = await loadDataView(dv, { maxRows: 3, threads: 1 });
    assert.deepEqual([exact.eventCount, exact.truncated, exact.rowLimit], [3, false, 3]);
    const more = await loadDataView(dv, { maxRows: 10, threads: 1 });
    assert.deepEqual([more.eventCount, more.truncated, more.rowLimit], [3, false, 10]);
    const all = await loadDataView(dv, { threads: 1 });
    assert.deepEqual([all.eventCount, 'truncated' in all, 'rowLimit' in all], [3, false, false]);
  });

  it('counts over the files in data view order and does not open the files after the cut', async () => {
    const first = ndjson('1.ndjson', [row('a', 'F1'), row('b', 'F1')]);
    const second = ndjson('2.ndjson', [row('c', 'F2'), row('d', 'F2'), row('e', 'F2')]);
    const missing = path.join(dir, 'missing.ndjson');
    const dv = makeDataView([first, second, missing].map((p) => ({ path: p, format: 'ndjson' as const, identity: ECID })));
    const ds = await loadDataView(dv, { maxRows: 4, threads: 1 });
    assert.equal(ds.eventCount, 4);
    assert.deepEqual(strings(ds, 'page').filter((p) => p === 'F2').length, 2);
    assert.equal(ds.truncated, true);
    assert.deepEqual(ds.warnings, [], 'the missing third file is never reached');
  });

  it('applies to CSV and JSON array files', async () => {
    const csv = path.join(dir, 'e.csv');
    fs.writeFileSync(csv, 'id,ts,page\na,1790848800,C1\nb,1790848800,C2\nc,1790848800,C3\n');
    const json = path.join(dir, 'e.json');
    fs.writeFileSync(json, `[${[row('a', 'J1'), row('b', 'J2'), row('c', 'J3')].join(',\n')}]`);
    for (const [file, format] of [[csv, 'csv'], [json, 'json']] as const) {
      const ds = await loadDataView(makeDataView([{ path: file, format, identity: ECID }]), { maxRows: 2, threads: 1 });
      assert.deepEqual([ds.eventCount, ds.truncated, ds.rowLimit], [2, true, 2], format);
    }
  });

  it('stops reading a large file early: bytes read stay near one chunk, not the file size', async () => {
    const file = path.join(dir, 'big.ndjson');
    const fd = fs.openSync(file, 'w');
    const block = Array.from({ length: 10_000 }, (_, i) => row(`p${i % 977}`, `page-${i % 31}`, 1790848800 + i)).join('\n') + '\n';
    for (let k = 0; k < 60; k++) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const size = fs.statSync(file).size;
    assert.ok(size > 20 * 1024 * 1024, `generated ${size} bytes`);
    let last: LoadProgress | undefined;
    // Workers would read the whole file: a file estimated to exceed the limit stays sequential even when they are allowed.
    const ds = await loadDataView(makeDataView([{ path: file, format: 'ndjson', identity: ECID }]), { maxRows: 1000, threads: 4, parallelMinBytes: 0, onProgress: (p) => (last = p) });
    assert.equal(ds.eventCount, 1000);
    assert.equal(ds.truncated, true);
    assert.ok(last, 'progress was reported');
    assert.equal(last.totalBytes, size);
    assert.ok(last.bytesRead <= 2 * 1024 * 1024, `read ${last.bytesRead} of ${size} bytes`);
  });

  it('with workers allowed, a limit the file fits in gives the sequential result, untruncated', async () => {
    const file = ndjson('fits.ndjson', Array.from({ length: 3000 }, (_, i) => row(`p${i % 97}`, `page-${i % 13}`, 1790848800 + ((i * 7919) % 5000))));
    const dv = makeDataView([{ path: file, format: 'ndjson', identity: ECID }]);
    const parallel = await loadDataView(dv, { maxRows: 3000, threads: 3, parallelMinBytes: 0 });
    const sequential = await loadDataView(dv, { maxRows: 3000, threads: 1 });
    assert.deepStrictEqual(parallel, sequential);
    assert.deepEqual([parallel.eventCount, parallel.truncated], [3000, false]);
  });

  it('reads sequentially up to the limit when a file holds more events than its first lines suggest', async () => {
    // Long lines first: the estimate from the first 256 KiB says about a dozen lines; there are 2,010.
    const long = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: `p${i}`, ts: 1790848800 + i, page: 'long', pad: 'x'.repeat(30_000) }));
    const short = Array.from({ length: 2000 }, (_, i) => row(`p${i % 50}`, `page-${i % 7}`, 1790848900 + i));
    const file = ndjson('skewed.ndjson', [...long, ...short]);
    const dv = makeDataView([{ path: file, format: 'ndjson', identity: ECID }]);
    const parallel = await loadDataView(dv, { maxRows: 100, threads: 3, parallelMinBytes: 0 });
    const sequential = await loadDataView(dv, { maxRows: 100, threads: 1 });
    assert.deepEqual([parallel.eventCount, parallel.truncated], [100, true]);
    assert.deepStrictEqual(parallel, sequential);
  });
});

describe('DatasetCache and row limits', () => {
  let dir: string;
  let cleanup: () => void;
  let dataView: DataView;
  let loads: LoadOptions[];
  const loader = (dv: DataView, options: LoadOptions): Promise<Dataset> => {
    loads.push(options);
    return loadDataView(dv, { ...options, threads: 1 });
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    const file = path.join(dir, 'e.ndjson');
    fs.writeFileSync(file, [row('a', 'P1'), row('b', 'P2'), row('c', 'P3')].join('\n'));
    dataView = makeDataView([{ path: file, format: 'ndjson', identity: ECID }]);
    loads = [];
  });
  afterEach(() => cleanup());

  it('passes the row limit to the load and reloads when it changes', async () => {
    const cache = new DatasetCache({ loader });
    const two = await cache.get(dataView, { maxRows: 2 });
    assert.deepEqual([two.eventCount, two.truncated], [2, true]);
    assert.equal(await cache.get(dataView, { maxRows: 2 }), two);
    const one = await cache.get(dataView, { maxRows: 1 });
    assert.deepEqual([one.eventCount, one.truncated], [1, true]);
    const all = await cache.get(dataView);
    assert.equal(all.eventCount, 3);
    assert.deepEqual(loads.map((o) => o.maxRows), [2, 1, undefined]);
  });

  it('serves a limit the complete dataset does not exceed without loading again', async () => {
    const cache = new DatasetCache({ loader });
    const all = await cache.get(dataView);
    assert.equal(await cache.get(dataView, { maxRows: 3 }), all);
    assert.equal(await cache.get(dataView, { maxRows: 1_000_000 }), all);
    assert.equal(loads.length, 1);
    const two = await cache.get(dataView, { maxRows: 2 });
    assert.deepEqual([two.eventCount, loads.length], [2, 2]);
  });
});
