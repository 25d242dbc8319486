import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetCache } from '../../../core/src/data/cache';
import type { Dataset } from '../../../core/src/data/dataset';
import { loadDataView, type LoadOptions, type LoadProgress } from '../../../core/src/data/load';
import type { DataView } from '../../../core/src/dataview/model';
import { ECID, makeDataView, tempDir } from './dataFixtures';

describe('DatasetCache', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  let dataView: DataView;
  let loads: number;
  const countingLoader = (dv: DataView, options: LoadOptions): Promise<Dataset> => {
    loads++;
    return loadDataView(dv, { ...options, threads: 1 });
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, '{"id":"p","ts":1790848800}\n');
    dataView = makeDataView([{ path: file, format: 'ndjson', identity: ECID }]);
    loads = 0;
  });
  afterEach(() => cleanup());

  it('reuses a loaded dataset while nothing changes', async () => {
    const cache = new DatasetCache({ loader: countingLoader });
    const a = await cache.get(dataView);
    const b = await cache.get(dataView);
    assert.equal(a, b);
    assert.equal(loads, 1);
    assert.equal(await cache.peek(dataView.uri), a);
  });

  it('reloads when a sample file changes mtime (same size)', async () => {
    const cache = new DatasetCache({ loader: countingLoader });
    const a = await cache.get(dataView);
    fs.writeFileSync(file, '{"id":"q","ts":1790848800}\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    const b = await cache.get(dataView);
    assert.notEqual(a, b);
    assert.equal(loads, 2);
    assert.deepEqual(b.personIds, ['q']);
  });

  it('reloads when a sample file changes size, appears, or the data view changes', async () => {
    const cache = new DatasetCache({ loader: countingLoader });
    await cache.get(dataView);
    fs.appendFileSync(file, '{"id":"p","ts":1790848900}\n');
    assert.equal((await cache.get(dataView)).eventCount, 2);
    const changed = { ...dataView, sessionTimeoutMinutes: 5 };
    await cache.get(changed);
    const extra = path.join(dir, 'extra.ndjson');
    const withMissing = makeDataView([...dataView.files, { path: extra, format: 'ndjson', identity: ECID }], { sessionTimeoutMinutes: 5 });
    assert.equal((await cache.get(withMissing)).warnings.length, 1);
    fs.writeFileSync(extra, '{"id":"z","ts":1790848800}\n');
    assert.equal((await cache.get(withMissing)).eventCount, 3);
    assert.equal(loads, 5);
  });

  it('shares one load between concurrent requests', async () => {
    const cache = new DatasetCache({ loader: countingLoader });
    const [a, b, c] = await Promise.all([cache.get(dataView), cache.get(dataView), cache.get(dataView, { onProgress: () => undefined })]);
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(loads, 1);
  });

  it('aborts the shared load only when every waiter gave up, and does not cache it', async () => {
    // The loader announces each call (`entered`) and waits for `release`. A request joins the
    // shared load after its own file check, so the test knows the second request is waiting when
    // the load's progress reaches it: the loader reports progress until that listener hears it.
    // Every wait is on an event, never on time.
    let release!: () => void;
    let entered!: (progress: (p: LoadProgress) => void) => void;
    let loaderEntered = new Promise<(p: LoadProgress) => void>((resolve) => (entered = resolve));
    let loaderSignal: AbortSignal | undefined;
    const slowLoader = async (dv: DataView, options: LoadOptions): Promise<Dataset> => {
      loads++;
      loaderSignal = options.signal;
      const released = new Promise<void>((resolve) => (release = resolve));
      entered(options.onProgress!);
      await released;
      options.signal?.throwIfAborted();
      return loadDataView(dv, { threads: 1 });
    };
    const cache = new DatasetCache({ loader: slowLoader });
    const c1 = new AbortController();
    const c2 = new AbortController();
    let secondHeard = false;
    const first = cache.get(dataView, { signal: c1.signal });
    const second = cache.get(dataView, { signal: c2.signal, onProgress: () => (secondHeard = true) });
    const progress = await loaderEntered;
    while (!secondHeard) {
      progress({ file, fileIndex: 0, bytesRead: 0, totalBytes: 1, rows: 0 });
      await new Promise((resolve) => setImmediate(resolve));
    }
    loaderEntered = new Promise((resolve) => (entered = resolve));
    c1.abort(new Error('one'));
    await assert.rejects(first, /one/);
    assert.equal(loaderSignal!.aborted, false);
    c2.abort(new Error('two'));
    await assert.rejects(second, /two/);
    assert.equal(loaderSignal!.aborted, true);
    release();
    const third = cache.get(dataView);
    await loaderEntered;
    release();
    assert.equal((await third).eventCount, 1);
    assert.equal(loads, 2);
  });

  it('forgets entries on invalidate', async () => {
    const cache = new DatasetCache({ loader: countingLoader });
    await cache.get(dataView);
    cache.invalidate(dataView.uri);
    assert.equal(cache.peek(dataView.uri), undefined);
    await cache.get(dataView);
    assert.equal(loads, 2);
  });
});
