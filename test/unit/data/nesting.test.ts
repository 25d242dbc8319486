import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileMetaData } from 'hyparquet';
import { loadDataView } from '../../../core/src/data/load';
import { schemaDepth } from '../../../core/src/data/parquet';
import { deepValuePath, jsonBytesTooDeep, jsonTextTooDeep, MAX_ROW_DEPTH } from '../../../core/src/jsonNesting';
import { parseYaml } from '../../../core/src/yaml/yamlTree';
import { ECID, makeDataView, personsOf, tempDir } from './dataFixtures';

const row = (i: number): string => JSON.stringify({ id: `p${i}`, ts: '2026-10-01T10:00:00Z', page: `page ${i}` });
const brackets = (n: number, inner = '1'): string => '['.repeat(n) + inner + ']'.repeat(n);
const objects = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('bounded nesting', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  /** 64 rows, row 2 holding `bomb` as its page (a wanted field) and row 3 as an unwanted one. */
  const bombRows = (bomb: string): string[] => Array.from({ length: 64 }, (_, i) =>
    i === 1 ? `{"id":"p1","ts":"2026-10-01T10:00:00Z","page":${bomb}}` : i === 2 ? `{"id":"p2","ts":"2026-10-01T10:00:00Z","x":${bomb}}` : row(i));

  for (const [name, bomb] of [['100,000 nested brackets', brackets(100_000)], ['100,000 nested objects', objects(100_000)]] as const) {
    it(`NDJSON: a row of ${name} is one warning with its line; every later row loads`, async () => {
      const file = path.join(dir, 'bomb.ndjson');
      fs.writeFileSync(file, bombRows(bomb).join('\n') + '\n');
      const ds = await loadDataView(makeDataView([{ path: file, format: 'ndjson', identity: ECID }]), { threads: 1 });
      assert.deepEqual(ds.warnings.map((w) => [w.file, w.line, w.message]), [
        [file, 2, 'nesting deeper than 256 levels; row skipped'],
        [file, 3, 'nesting deeper than 256 levels; row skipped'],
      ]);
      assert.equal(ds.eventCount, 62);
      assert.deepEqual([...personsOf(ds)].sort(), Array.from({ length: 64 }, (_, i) => `ECID:p${i}`).filter((_, i) => i !== 1 && i !== 2).sort());
    });

    it(`JSON array: an element of ${name} is one warning with its line; every later element loads`, async () => {
      const file = path.join(dir, 'bomb.json');
      fs.writeFileSync(file, '[\n' + bombRows(bomb).join(',\n') + '\n]\n');
      const ds = await loadDataView(makeDataView([{ path: file, format: 'json', identity: ECID }]), { threads: 1 });
      assert.deepEqual(ds.warnings.map((w) => [w.file, w.line, w.message]), [
        [file, 3, 'nesting deeper than 256 levels; element skipped'],
        [file, 4, 'nesting deeper than 256 levels; element skipped'],
      ]);
      assert.equal(ds.eventCount, 62);
    });
  }

  it('NDJSON: a row nested exactly 256 levels deep loads, its nested page kept as JSON text', async () => {
    const file = path.join(dir, 'deep.ndjson');
    // The row object is level 1, so the page may open 255 more.
    fs.writeFileSync(file, `{"id":"p1","ts":"2026-10-01T10:00:00Z","page":${brackets(255)}}\n{"id":"p1","ts":"2026-10-01T10:00:00Z","page":${brackets(256)}}\n`);
    const ds = await loadDataView(makeDataView([{ path: file, format: 'ndjson', identity: ECID }]), { threads: 1 });
    assert.deepEqual(ds.warnings.map((w) => [w.line, w.message]), [[2, 'nesting deeper than 256 levels; row skipped']]);
    assert.equal(ds.eventCount, 1);
  });

  it('NDJSON on several threads: the bomb row is skipped the same way', async () => {
    const file = path.join(dir, 'bomb.ndjson');
    const rows = Array.from({ length: 4000 }, (_, i) => (i === 2500 ? `{"id":"p1","ts":"2026-10-01T10:00:00Z","page":${brackets(100_000)}}` : row(i)));
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const ds = await loadDataView(makeDataView([{ path: file, format: 'ndjson', identity: ECID }]), { threads: 2 });
    assert.deepEqual(ds.warnings.map((w) => [w.line, w.message]), [[2501, 'nesting deeper than 256 levels; row skipped']]);
    assert.equal(ds.eventCount, 3999);
  });

  it('the byte and text checks count brackets outside strings only', () => {
    const cases: Array<[string, number, boolean]> = [
      [brackets(3), 3, false],
      [brackets(4), 3, true],
      [`{"a":"${'['.repeat(50)}"}`, 1, false],
      [`{"a":"\\"${'{'.repeat(50)}"}`, 1, false],
      [`["\\\\",[[]]]`, 2, true],
      ['[][][][]', 1, false],
    ];
    for (const [text, limit, deep] of cases) {
      assert.equal(jsonTextTooDeep(text, limit), deep, text);
      const b = Buffer.from(`  ${text}  `);
      assert.equal(jsonBytesTooDeep(b, 2, b.length - 2, limit), deep, text);
    }
  });

  it('a parsed value: the path of the first level past the limit, without recursion', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = { a: [v] };
    assert.equal(deepValuePath({ ok: [1, 2], deep: v }, 4), '$.deep.a[0].a');
    assert.equal(deepValuePath({ 'odd key': [[1]] }, 2), '$["odd key"][0]');
    assert.equal(deepValuePath({ a: [[1]] }, 3), undefined);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.equal(deepValuePath(cycle, MAX_ROW_DEPTH), '$' + '.self'.repeat(MAX_ROW_DEPTH));
  });

  it('Parquet: the schema depth is read from the flattened schema list', () => {
    const meta = (schema: Array<{ name: string; num_children?: number }>) => ({ schema }) as unknown as FileMetaData;
    assert.equal(schemaDepth(meta([{ name: 'root', num_children: 2 }, { name: 'a' }, { name: 'b' }])), 1);
    assert.equal(schemaDepth(meta([{ name: 'root', num_children: 2 }, { name: 's', num_children: 1 }, { name: 'x' }, { name: 'b' }])), 2);
    const deep = [{ name: 'root', num_children: 1 }, ...Array.from({ length: 100_000 }, (_, i) => ({ name: `g${i}`, num_children: 1 })), { name: 'leaf' }];
    assert.equal(schemaDepth(meta(deep)), 100_001);
    // A sibling after a closed group is back at level 2.
    assert.equal(schemaDepth(meta([{ name: 'root', num_children: 2 }, { name: 's', num_children: 1 }, { name: 't', num_children: 1 }, { name: 'x' }, { name: 'b' }])), 3);
  });

  it('YAML: flow and block nesting past 64 levels is one syntax problem at its place', () => {
    const flow = parseYaml('a: ' + '['.repeat(100_000) + ']'.repeat(100_000));
    assert.deepEqual(flow.problems.map((p) => [p.code, p.start, p.message]), [['yaml-syntax', 66, 'YAML syntax error: nesting exceeded maxDepth (64).']]);
    const block = parseYaml('a:\n' + Array.from({ length: 200 }, (_, i) => ' '.repeat(i + 1) + '- ').join('\n') + 'x');
    assert.deepEqual(block.problems.map((p) => p.code), ['yaml-syntax']);
    assert.equal(block.root, null);
  });
});
