import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dataset } from '../../../core/src/data/dataset';
import { loadDataView } from '../../../core/src/data/load';
import { generatedDataView, tempDir } from './dataFixtures';

const GENERATOR = path.resolve(__dirname, '../../../../scripts/generate-sample-data.mjs');

function generate(out: string, events: number, people: number): void {
  execFileSync(process.execPath, [GENERATOR, '--events', String(events), '--people', String(people), '--seed', 'large', '--out', out], { stdio: 'inherit' });
}


describe('large sample files', function () {
  this.timeout(300_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('streams a 200 MB+ NDJSON file with bounded heap', async () => {
    const file = path.join(dir, 'big.ndjson');
    generate(file, 620_000, 30_000);
    const size = fs.statSync(file).size;
    assert.ok(size > 200 * 1024 * 1024, `generated ${size} bytes`);

    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sample = (): void => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    };
    // One thread, so the whole parse happens in this isolate's heap (workers have their own).
    const ds = await loadDataView(generatedDataView(file), { threads: 1, onProgress: sample });
    sample();
    assert.equal(ds.eventCount, 620_000);
    assert.equal(ds.personCount, 30_000);
    assert.deepEqual(ds.warnings, []);
    // The columns live in ArrayBuffers outside the JS heap. What stays on the heap is the
    // dictionaries, the person and session-ID maps (~100k sessions, ~50 bytes each) and the
    // garbage of the current 1 MiB chunk's rows that the GC has not collected yet. Holding the
    // file's text would take at least its size (200+ MB), so a bound of a third of the file
    // shows that nothing proportional to the raw text is kept.
    const grown = peak - baseline;
    assert.ok(grown < size / 3, `heap grew by ${(grown / 1e6).toFixed(0)} MB while loading ${(size / 1e6).toFixed(0)} MB`);
  });

  it('parallel loading gives exactly the sequential result, bad lines included', async () => {
    const file = path.join(dir, 'mid.ndjson');
    generate(file, 30_000, 1_500);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (const at of [7_000, 15_001, 22_500]) lines.splice(at, 0, '{"broken json');
    fs.writeFileSync(file, lines.join('\n'));
    const dv = generatedDataView(file);
    const sequential = await loadDataView(dv, { threads: 1 });
    const parallel = await loadDataView(dv, { threads: 3, parallelMinBytes: 0 });
    assert.deepEqual(
      sequential.warnings.map((w) => w.line),
      [7_001, 15_002, 22_501],
    );
    assertSameDataset(parallel, sequential);
  });
});

function assertSameDataset(actual: Dataset, expected: Dataset): void {
  assert.equal(actual.eventCount, expected.eventCount);
  assert.deepEqual(actual.timestamps, expected.timestamps);
  assert.deepEqual(actual.person, expected.person);
  assert.deepEqual(actual.session, expected.session);
  assert.deepEqual(actual.personStart, expected.personStart);
  assert.deepEqual(actual.sessionStart, expected.sessionStart);
  assert.deepEqual(actual.personIds, expected.personIds);
  assert.deepEqual(actual.personNamespaces, expected.personNamespaces);
  assert.deepEqual(actual.warnings, expected.warnings);
  assert.deepEqual(actual.sources, expected.sources);
  for (const [name, column] of expected.columns) {
    const other = actual.columns.get(name)!;
    assert.equal(other.kind, column.kind);
    if (column.kind === 'number' && other.kind === 'number') assert.deepEqual(other.values, column.values, name);
    if (column.kind === 'string' && other.kind === 'string') {
      const decode = (c: typeof column) => Array.from(c.codes, (k) => (k < 0 ? undefined : c.dictionary[k]));
      assert.deepEqual(decode(other), decode(column), name);
    }
  }
}
