import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetBuilder } from '../../../core/src/data/build';
import { CsvParser } from '../../../core/src/data/csv';
import { JsonArrayParser } from '../../../core/src/data/jsonArray';
import { loadDataView, type LoadProgress } from '../../../core/src/data/load';
import { NdjsonParser } from '../../../core/src/data/ndjson';
import type { SampleFile } from '../../../core/src/dataview/model';
import { ECID, makeDataView, numbers, personsOf, strings, tempDir } from './dataFixtures';

const T = (iso: string): number => Date.parse(iso);

describe('loading sample files', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const write = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const load = (files: SampleFile[], threads = 1) => loadDataView(makeDataView(files, { sessionField: 'sid' }), { threads });

  describe('NDJSON', () => {
    it('loads rows with nested paths, CRLF, blank lines and a last line without newline', async () => {
      const p = write(
        'a.ndjson',
        [
          '{"id":"p1","ts":"2026-10-01T10:00:00Z","page":"Home","web":{"page":{"name":"home"}},"price":3,"revenue":1.5}',
          '',
          '{"id":"p1","ts":1790848800,"page":"Cart","sid":"s"}\r',
          '   ',
          '{"id":"p2","ts":1790848800000,"page":"Home","revenue":"2"}',
        ].join('\n'),
      );
      const ds = await load([{ path: p, format: 'ndjson', identity: ECID }]);
      assert.deepEqual(ds.warnings, []);
      assert.equal(ds.eventCount, 3);
      assert.deepEqual(personsOf(ds), ['ECID:p1', 'ECID:p1', 'ECID:p2']);
      assert.deepEqual(Array.from(ds.timestamps), [T('2026-10-01T10:00:00Z'), 1790848800000, 1790848800000]);
      assert.deepEqual(strings(ds, 'page'), ['Home', 'Cart', 'Home']);
      assert.deepEqual(strings(ds, 'web_page'), ['home', undefined, undefined]);
      assert.deepEqual(numbers(ds, 'revenue'), [1.5, NaN, 2]);
      assert.deepEqual(Array.from(ds.sources!.line), [1, 3, 5]);
    });

    it('reports each bad row with file and 1-based line and loads the rest', async () => {
      const p = write(
        'bad.ndjson',
        [
          '{"id":"p1","ts":"2026-10-01T10:00:00Z"}',
          '{"id":"p1","ts":',
          '{"ts":"2026-10-01T10:00:00Z"}',
          '{"id":"p1","ts":"not a time"}',
          '{"id":"p1"}',
          '[1,2]',
          '{"id":"p1","ts":"2026-10-01T11:00:00Z"}',
        ].join('\n') + '\n',
      );
      const ds = await load([{ path: p, format: 'ndjson', identity: ECID }]);
      assert.equal(ds.eventCount, 2);
      assert.deepEqual(
        ds.warnings.map((w) => [w.file, w.line, w.message.replace(/invalid JSON: .*; line skipped/, 'invalid JSON')]),
        [
          [p, 2, 'invalid JSON'],
          [p, 3, 'missing person ID (field "id"); row skipped'],
          [p, 4, 'unparseable timestamp "not a time"; row skipped'],
          [p, 5, 'missing timestamp; row skipped'],
          [p, 6, 'row is not a JSON object; skipped'],
        ],
      );
    });

    it('gives the same rows whatever the chunk boundaries', () => {
      const text = '{"id":"p1","ts":1,"page":"é✓"}\r\n\n{"id":"p2","ts":2,"price":2}\n{"a":\n{"id":"p1","ts":3,"page":"\\u00e9✓"}';
      const bytes = Buffer.from(text);
      const whole = parseNdjson([bytes]);
      assert.deepEqual(personsOf(whole), ['ECID:p1', 'ECID:p1', 'ECID:p2']);
      assert.deepEqual(strings(whole, 'page'), ['é✓', 'é✓', undefined]);
      assert.deepEqual(Array.from(whole.sources!.line), [1, 5, 3]);
      assert.deepEqual(whole.warnings.map((w) => w.line), [4]);
      // One byte at a time splits every line and every multi-byte character.
      assert.deepEqual(parseNdjson(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))), whole);
    });
    it('skips a line longer than 64 MiB with a warning and reads the lines after it', () => {
      const chunk = Buffer.alloc(1 << 20, 'x');
      const chunks = [Buffer.from('{"id":"p1","ts":1}\n{"id":"p2","ts":2,"page":"')];
      for (let k = 0; k < 65; k++) chunks.push(chunk);
      chunks.push(Buffer.from('"}\n{"id":"p3","ts":3}\n'));
      const ds = parseNdjson(chunks);
      assert.deepEqual(personsOf(ds), ['ECID:p1', 'ECID:p3']);
      assert.deepEqual(Array.from(ds.sources!.line), [1, 3]);
      assert.deepEqual(ds.warnings.map((w) => [w.line, w.message]), [[2, `line longer than ${64 * 1024 * 1024} bytes; skipped`]]);
    });
  });

  describe('JSON array', () => {
    it('streams the elements with their start lines', async () => {
      const p = write(
        'a.json',
        '[\n  {"id":"p1","ts":1790848800000,"page":"A \\" ] } [ {","web":{"page":{"name":"n"}}},\n  {"id":"p2",\n   "ts":"2026-10-01T10:00:00Z","page":"B"}\n]\n',
      );
      const ds = await load([{ path: p, format: 'json', identity: ECID }]);
      assert.deepEqual(ds.warnings, []);
      assert.deepEqual(strings(ds, 'page'), ['A " ] } [ {', 'B']);
      assert.deepEqual(strings(ds, 'web_page'), ['n', undefined]);
      assert.deepEqual(Array.from(ds.sources!.line), [2, 3]);
    });

    it('reports bad elements, a non-array file and truncation', async () => {
      const bad = write('bad.json', '[\n{"id":"p1","ts":1790848800000},\n{"id":"p1","ts":tru},\n42,\n{"ts":1790848800000},\n{"id":"p1","ts":1790848900000}\n]');
      const notArray = write('scalar.json', '"hello"');
      const truncated = write('trunc.json', '[{"id":"p1","ts":1790848800000},\n{"id":"p2",');
      // Concatenated objects with array punctuation between them (this once hung the scanner).
      const stray = write('stray.json', '{"id":"p3","ts":1790848800000},\n{"id":"p3","ts":1790848900000}]');
      const ds = await load([
        { path: bad, format: 'json', identity: ECID },
        { path: notArray, format: 'json', identity: ECID },
        { path: truncated, format: 'json', identity: ECID },
        { path: stray, format: 'json', identity: ECID },
      ]);
      assert.equal(ds.eventCount, 5);
      assert.deepEqual(
        ds.warnings.map((w) => [path.basename(w.file), w.line, w.message.replace(/: Unexpected.*; element/, '; element')]),
        [
          ['bad.json', 3, 'invalid JSON element; element skipped'],
          ['bad.json', 4, 'row is not a JSON object; skipped'],
          ['bad.json', 5, 'missing person ID (field "id"); row skipped'],
          ['scalar.json', 1, 'expected a JSON array of objects; file skipped'],
          ['trunc.json', 2, 'unexpected end of file inside the element starting on this line; element skipped'],
          ['stray.json', 1, 'invalid JSON element; element skipped'],
          ['stray.json', 2, 'invalid JSON element; element skipped'],
        ],
      );
    });

    it('gives the same rows whatever the chunk boundaries, and reads concatenated objects', () => {
      const text = '\ufeff[{"a":"x\\\\"},{"b":[1,{"c":"]\\"}"}]} , "s" ,7,\n{"é":"日本"}]';
      const expected = collectElements([text]);
      assert.deepEqual(expected.rows.map((r) => r[0]), [{ a: 'x\\' }, { b: [1, { c: ']"}' }] }, 's', 7, { é: '日本' }]);
      assert.deepEqual(expected.warnings, []);
      // Every byte a chunk of its own: multi-byte characters, escapes and brackets cut anywhere (the BOM whole).
      const bytes = Buffer.from(text);
      assert.deepEqual(collectElements([bytes.subarray(0, 3), ...Array.from(bytes.subarray(3), (b) => Buffer.from([b]))]), expected);
      // A byte order mark cut by a chunk boundary (found by the fuzz suite), and a file that ends inside one.
      const bom = Buffer.from('\ufeff[{"a":1}]');
      for (const cut of [1, 2]) assert.deepEqual(collectElements([bom.subarray(0, cut), bom.subarray(cut)]), { rows: [[{ a: 1 }, 1]], warnings: [] });
      assert.deepEqual(collectElements([Buffer.from([0xef, 0xbb])]), { rows: [], warnings: [[1, 'expected a JSON array of objects; file skipped']] });
      const objects = collectElements(['{"a":1}\n{"a":2}{"a":3}']);
      assert.deepEqual(objects.rows, [[{ a: 1 }, 1], [{ a: 2 }, 2], [{ a: 3 }, 2]]);
    });
  });

  describe('CSV', () => {
    it('parses RFC 4180 quoting, CRLF, BOM and types values by the data view', async () => {
      const p = write(
        'a.csv',
        '\ufeffid,ts,page,web.page.name,price,revenue,sid\r\n' +
          'p1,2026-10-01T10:00:00Z,"Home, sweet ""home""",n,3.5,1,s1\r\n' +
          '\r\n' +
          'p1,1790848900,"multi\nline",,,,s1\r\n' +
          'p2,1790848800000,Cart,,x,,\r\n',
      );
      const ds = await load([{ path: p, format: 'csv', identity: ECID }]);
      assert.deepEqual(ds.warnings, []);
      assert.deepEqual(strings(ds, 'page'), ['Home, sweet "home"', 'multi\nline', 'Cart']);
      assert.deepEqual(strings(ds, 'web_page'), ['n', undefined, undefined]);
      assert.deepEqual(numbers(ds, 'price'), [3.5, NaN, NaN]);
      assert.deepEqual(numbers(ds, 'revenue'), [1, NaN, NaN]);
      assert.deepEqual(Array.from(ds.timestamps), [T('2026-10-01T10:00:00Z'), 1790848900000, 1790848800000]);
      assert.deepEqual(Array.from(ds.sources!.line), [2, 4, 6]);
    });

    it('reports wrong column counts and other bad rows with their physical line', async () => {
      const p = write('bad.csv', 'id,ts,page\np1,1790848800,A\n"p1",1790848800\n,1790848800,B\np1,"x\ny",C\np1,1790848800,"D\nE"\np1,1790848800,A,extra\np1,');
      const ds = await load([{ path: p, format: 'csv', identity: ECID }]);
      assert.deepEqual(strings(ds, 'page'), ['A', 'D\nE']);
      assert.deepEqual(
        ds.warnings.map((w) => [w.line, w.message]),
        [
          [3, 'expected 3 columns, found 2; row skipped'],
          [4, 'missing person ID (column "id"); row skipped'],
          [5, 'unparseable timestamp "x\\ny"; row skipped'],
          [9, 'expected 3 columns, found 4; row skipped'],
          [10, 'expected 3 columns, found 2; row skipped'],
        ],
      );
    });

    it('skips a file whose header lacks the person or timestamp column, and reports an unterminated quote', async () => {
      const noId = write('noid.csv', 'user,ts\nu,1790848800\n');
      const open = write('open.csv', 'id,ts,page\np1,1790848800,A\np1,1790848800,"never closed\nmore\n');
      const ds = await load([
        { path: noId, format: 'csv', identity: ECID },
        { path: open, format: 'csv', identity: ECID },
      ]);
      assert.equal(ds.eventCount, 1);
      assert.deepEqual(
        ds.warnings.map((w) => [path.basename(w.file), w.line, w.message]),
        [
          ['noid.csv', 1, 'header has no person ID column "id"; file skipped'],
          ['open.csv', 3, 'unterminated quoted field; row skipped'],
        ],
      );
    });

    it('gives the same records whatever the chunk boundaries', () => {
      const text = 'a,b\r\n"x,""y""",2\r\n\r\n"multi\r\nline",3\nlast,4';
      const run = (chunks: string[]) => {
        const records: [string[], number][] = [];
        const parser = new CsvParser({ record: (f, l) => records.push([f, l]), warn: () => assert.fail('no warning expected') });
        for (const c of chunks) parser.push(c);
        parser.end();
        return records;
      };
      const expected = run([text]);
      assert.deepEqual(expected, [
        [['a', 'b'], 1],
        [['x,"y"', '2'], 2],
        [['multi\r\nline', '3'], 4],
        [['last', '4'], 6],
      ]);
      assert.deepEqual(run([...text]), expected);
    });
  });

  it('does not read a missing file or a folder, lists them as unread sources, and loads the others', async () => {
    const ok = write('ok.ndjson', '{"id":"p","ts":1790848800}\n');
    const missing = path.join(dir, 'missing.ndjson');
    const ds = await load([
      { path: missing, format: 'ndjson', identity: ECID },
      { path: ok, format: 'ndjson', identity: ECID },
      { path: dir, format: 'csv', identity: ECID },
    ]);
    assert.equal(ds.eventCount, 1);
    const notFound = `Sample file ${missing} does not exist.`;
    const folder = `Sample file ${dir} is a folder, not a regular file.`;
    assert.deepEqual(ds.warnings, [
      { file: missing, line: 0, message: notFound },
      { file: dir, line: 0, message: folder },
    ]);
    assert.deepEqual(ds.unreadSources, [{ file: missing, message: notFound }, { file: dir, message: folder }]);
    assert.deepEqual(ds.sources!.files, [ok]);
  });

  it('merges files with different identities into one dataset', async () => {
    const web = write('web.ndjson', '{"ecid":"e1","ts":1790848800}\n{"ecid":"e1","ts":1790848900}\n');
    const crm = write('crm.csv', 'pid,ns,ts\nc1,CRM,1790848800\nm@x.org,Email,1790848850\n');
    const ds = await loadDataView(
      makeDataView([
        { path: web, format: 'ndjson', identity: { personField: 'ecid', namespace: 'ECID' } },
        { path: crm, format: 'csv', identity: { personField: 'pid', namespaceField: 'ns' } },
      ]),
      { threads: 1 },
    );
    assert.deepEqual(personsOf(ds), ['CRM:c1', 'ECID:e1', 'ECID:e1', 'Email:m@x.org']);
    assert.deepEqual(ds.sources!.files, [web, crm]);
    assert.deepEqual(Array.from(ds.sources!.file), [1, 0, 0, 1]);
  });

  it('reports progress per chunk, ending at the total size', async () => {
    const line = JSON.stringify({ id: 'p', ts: 1790848800, page: 'x'.repeat(200) }) + '\n';
    const a = write('a.ndjson', line.repeat(12_000));
    const b = write('b.ndjson', line.repeat(10));
    const total = fs.statSync(a).size + fs.statSync(b).size;
    const seen: LoadProgress[] = [];
    await loadDataView(
      makeDataView([
        { path: a, format: 'ndjson', identity: ECID },
        { path: b, format: 'ndjson', identity: ECID },
      ]),
      { threads: 1, onProgress: (p) => seen.push(p) },
    );
    assert.ok(seen.length >= 4, `expected several progress reports, got ${seen.length}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].bytesRead >= seen[i - 1].bytesRead && seen[i].rows >= seen[i - 1].rows);
    assert.ok(seen.every((p) => p.totalBytes === total));
    assert.ok(seen.some((p) => p.file === a && p.bytesRead < fs.statSync(a).size));
    const last = seen[seen.length - 1];
    assert.deepEqual(last, { file: b, fileIndex: 1, bytesRead: total, totalBytes: total, rows: 12_010 });
  });

  it('rejects with the abort reason when cancelled', async () => {
    const p = write('a.ndjson', (JSON.stringify({ id: 'p', ts: 1790848800, page: 'x'.repeat(500) }) + '\n').repeat(10_000));
    const controller = new AbortController();
    const reason = new Error('stop');
    const loading = loadDataView(makeDataView([{ path: p, format: 'ndjson', identity: ECID }]), {
      threads: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(reason),
    });
    await assert.rejects(loading, (e) => e === reason);
  });

  it('loads the committed example datasets without warnings', async () => {
    const data = path.resolve(__dirname, '../../../../examples/data');
    const ds = await loadDataView(
      makeDataView(
        [
          { path: path.join(data, 'web-events.ndjson'), format: 'ndjson', identity: { personField: 'ecid', namespace: 'ECID' } },
          { path: path.join(data, 'app-events.csv'), format: 'csv', identity: { personField: 'email', namespace: 'Email' } },
          { path: path.join(data, 'crm-events.json'), format: 'json', identity: { personField: 'person_id', namespaceField: 'id_namespace' } },
        ],
        {
          timestampField: 'timestamp',
          sessionField: 'session_id',
          dimensions: [{ name: 'page_name', type: 'string', field: 'web.webPageDetails.name', adobeId: 'variables/page_name' }],
          metrics: [{ name: 'revenue', field: 'revenue', adobeId: 'metrics/revenue' }],
        },
      ),
      { threads: 1 },
    );
    assert.deepEqual(ds.warnings, []);
    assert.equal(ds.eventCount, 12_000 + 3_000 + 1_500);
    assert.equal(ds.personCount, 600 + 200 + 100);
    assert.deepEqual([...new Set(ds.personNamespaces)].sort(), ['CRM', 'ECID', 'Email']);
    const first = ds.timestamps.reduce((a, b) => Math.min(a, b));
    const last = ds.timestamps.reduce((a, b) => Math.max(a, b));
    assert.ok(first >= Date.UTC(2026, 8, 1) && last < Date.UTC(2026, 10, 28), 'events lie in 2026-09-01..2026-11-27');
  });
});

/** Runs a parser over `chunks` and records what it reports. */
function parseNdjson(chunks: Buffer[]) {
  const dataView = makeDataView([]);
  const builder = new DatasetBuilder(dataView);
  const parser = new NdjsonParser(builder, dataView, ECID, 'x.ndjson', builder.addSource('x.ndjson'));
  for (const c of chunks) parser.push(c);
  parser.end();
  return builder.finish();
}

/** The elements (parsed) and warnings a JSON array parser finds in `chunks` (strings as UTF-8, or bytes). */
function collectElements(chunks: Array<string | Buffer>) {
  const rows: [unknown, number][] = [];
  const warnings: [number, string][] = [];
  const parser = new JsonArrayParser({
    element: (b, start, end, l) => rows.push([JSON.parse(b.toString('utf8', start, end)), l]),
    warn: (l, m) => warnings.push([l, m]),
  });
  for (const c of chunks) parser.push(typeof c === 'string' ? Buffer.from(c) : c);
  parser.end();
  return { rows, warnings };
}
