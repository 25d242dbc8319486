/**
 * Worker threads order each stretch of a file on their own and the builder merges the runs
 * (assemble.ts). Whatever the files, the cuts and the order of the rows, the dataset must be the
 * one a single-threaded load gives: random data views of several files — some small enough to be
 * read on the calling thread, others parsed by workers — with few persons whose events straddle
 * the cuts out of time order, equal timestamps across cuts, session IDs that recur across cuts,
 * and bad lines; CSV files with quoted line breaks; JSON arrays whose elements span lines.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { DatasetBuilder } from '../../../core/src/data/build';
import { loadDataView } from '../../../core/src/data/load';
import { loadInParallel } from '../../../core/src/data/parallel';
import type { SampleFile } from '../../../core/src/dataview/model';
import { datasetContents, makeDataView, tempDir } from './dataFixtures';


const row = fc.record({
  id: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
  ts: fc.integer({ min: 1_790_000_000, max: 1_790_000_000 + 3 * 3600 }),
  sid: fc.option(fc.constantFrom('s1', 's2', 's3'), { nil: undefined }),
  page: fc.constantFrom('Home', 'Cart', 'Checkout', 'é'),
  revenue: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
});
const lineArb = fc.oneof({ weight: 12, arbitrary: row.map((r) => JSON.stringify(r)) }, { weight: 1, arbitrary: fc.constantFrom('{"broken', '', '{"ts":1}') });
// Small files are read on the calling thread, larger ones by workers.
const fileArb = fc.oneof(fc.array(lineArb, { maxLength: 5 }), fc.array(lineArb, { minLength: 20, maxLength: 150, size: 'max' }));

/** A CSV cell: plain, or quoted with commas, quotes and line breaks that a cut may fall inside. */
const cellArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('Home', 'Cart', 'Checkout', 'é', '') },
  { weight: 1, arbitrary: fc.constantFrom('"a, b"', '"say ""hi"""', '"two\nlines"', '"three\r\nlines\nhere"') },
);
const csvRowArb = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom('p1', 'p2', 'p3'), fc.integer({ min: 1_790_000_000, max: 1_790_000_000 + 3 * 3600 }), fc.constantFrom('s1', 's2', ''), cellArb, fc.constantFrom('', '5', '12.5')).map((cells) => cells.join(',')) },
  { weight: 1, arbitrary: fc.constantFrom('p1,1790000000', '', ',1790000000,s1,x,1', 'p2,not a time,s1,x,1') },
);
const csvFileArb = fc.tuple(fc.array(csvRowArb, { minLength: 20, maxLength: 120, size: 'max' }), fc.boolean()).map(([rows, crlf]) => ['id,ts,sid,page,revenue', ...rows].join(crlf ? '\r\n' : '\n'));

/**
 * A JSON file: an array (one element per line, or pretty-printed so that cuts fall inside
 * elements) or concatenated objects, with bad elements now and then, and sometimes unfinished.
 */
const jsonElementArb = fc.oneof({ weight: 12, arbitrary: row }, { weight: 1, arbitrary: fc.constantFrom<unknown>('x', 7, [1], { ts: 1 }) });
const jsonFileArb = fc
  .tuple(fc.array(jsonElementArb, { minLength: 20, maxLength: 120, size: 'max' }), fc.constantFrom('lines', 'pretty', 'objects'), fc.constantFrom('', '{"broken', ']', '\n]\n'), fc.boolean())
  .map(([elements, layout, tail, crlf]) => {
    const texts = elements.map((e) => JSON.stringify(e, null, layout === 'pretty' ? 2 : undefined));
    const body = layout === 'objects' ? texts.join('\n') : `[\n${texts.join(',\n')}\n]`;
    const text = `${body}${tail}`;
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  });

/**
 * Writes `text` to `file`, loads it as the one file of a data view on one thread and with `threads`
 * workers, and asserts the datasets are the same.
 */
async function loadedBothWays(file: string, format: 'csv' | 'json', text: string, threads: number) {
  fs.writeFileSync(file, text);
  const dv = makeDataView([{ path: file, format, identity: { personField: 'id', namespace: 'ECID' } }], { sessionField: 'sid', sessionTimeoutMinutes: 20 });
  const sequential = await loadDataView(dv, { threads: 1 });
  const parallel = await loadDataView(dv, { threads, parallelMinBytes: 0 });
  assert.deepStrictEqual(datasetContents(parallel), datasetContents(sequential));
  return { dv, sequential };
}

describe('parallel loading merges worker runs into the sequential result', function () {
  this.timeout(120_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('on random multi-file data views', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fileArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 2, max: 4 }), async (files, threads) => {
        round++;
        const sampleFiles: SampleFile[] = files.map((lines, i) => {
          const file = path.join(dir, `r${round}-f${i}.ndjson`);
          fs.writeFileSync(file, lines.join('\n'));
          return { path: file, format: 'ndjson', identity: { personField: 'id', namespace: 'ECID' } };
        });
        const dv = makeDataView(sampleFiles, { sessionField: 'sid', sessionTimeoutMinutes: 20 });
        const sequential = await loadDataView(dv, { threads: 1 });
        // Files of 1 KiB or more go to the workers.
        const parallel = await loadDataView(dv, { threads, parallelMinBytes: 1024 });
        assert.deepStrictEqual(datasetContents(parallel), datasetContents(sequential));
      }),
      { numRuns: 60, seed: 5 },
    );
  });
  it('on random CSV files, including quoted line breaks where a cut may fall', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(csvFileArb, fc.integer({ min: 2, max: 4 }), async (text, threads) => {
        round++;
        await loadedBothWays(path.join(dir, `c${round}.csv`), 'csv', text, threads);
      }),
      { numRuns: 60, seed: 6 },
    );
  });

  it('on random JSON files: arrays one element per line or pretty-printed, concatenated objects, damaged tails', async function () {
    this.timeout(240_000);
    let round = 0;
    let parallelRuns = 0;
    await fc.assert(
      fc.asyncProperty(jsonFileArb, fc.integer({ min: 2, max: 4 }), async (text, threads) => {
        round++;
        const file = path.join(dir, `j${round}.json`);
        const { dv, sequential } = await loadedBothWays(file, 'json', text, threads);
        // Whether the workers' stretches fitted together (otherwise the loader read the file on one thread).
        const builder = new DatasetBuilder(dv);
        const read = await loadInParallel(builder, dv, 0, builder.addSource(file), fs.statSync(file).size, threads, 1 << 20, Infinity, () => undefined, undefined);
        if (read) {
          parallelRuns++;
          assert.deepStrictEqual(datasetContents(builder.finish()), datasetContents(sequential));
        }
      }),
      { numRuns: 40, seed: 7 },
    );
    // One element per line always cuts between elements: many runs are read by the workers.
    assert.ok(parallelRuns >= 10, `only ${parallelRuns} of 40 files were read in parallel`);
  });
});
