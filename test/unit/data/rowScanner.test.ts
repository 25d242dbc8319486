/**
 * The NDJSON loader reads rows straight from bytes (RowScanner) and falls back to JSON.parse for
 * rows it does not take. These tests hold it to an independent oracle: every line decoded and
 * parsed with JSON.parse and read by ObjectRowReader, the general path for JSON rows. The datasets
 * must be identical: events, persons, sessions, dictionaries (in code order), numbers, lines and
 * warnings word for word.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { DatasetBuilder, ObjectRowReader } from '../../../core/src/data/build';
import type { Dataset } from '../../../core/src/data/dataset';
import { JsonArrayParser } from '../../../core/src/data/jsonArray';
import { NdjsonParser } from '../../../core/src/data/ndjson';
import { RowScanner } from '../../../core/src/data/rowScanner';
import { parseIsoTimestamp, parseIsoTimestampBytes } from '../../../core/src/data/values';
import type { DataView, Identity } from '../../../core/src/dataview/model';
import { makeDataView } from './dataFixtures';

const FIXED: Identity = { personField: 'id', namespace: 'ECID' };
const FROM_FIELD: Identity = { personField: 'user.id', namespaceField: 'ns' };

function dataView(): DataView {
  const dv = makeDataView([], { sessionField: 'sid' });
  return { ...dv, dimensions: [...dv.dimensions, { name: 'tags', type: 'string', field: 'tags', adobeId: 'variables/tags' }] };
}

/** The oracle: decode the file, JSON.parse each line, ObjectRowReader. */
function oracle(bytes: Buffer, dv: DataView, identity: Identity): Dataset {
  const text = bytes.toString('utf8');
  const builder = new DatasetBuilder(dv);
  const file = 'rows.ndjson';
  const reader = new ObjectRowReader(builder, dv, identity, file, builder.addSource(file));
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let s = 0;
    while (s < trimmed.length && ' \t\r\ufeff'.includes(trimmed[s])) s++;
    if (s === trimmed.length) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed.slice(s));
    } catch (e) {
      builder.warn(file, line, `invalid JSON: ${(e as Error).message}; line skipped`);
      return;
    }
    reader.read(value, line);
  });
  return builder.finish();
}

function scanned(bytes: Buffer, cuts: number[], dv: DataView, identity: Identity): Dataset {
  const builder = new DatasetBuilder(dv);
  const file = 'rows.ndjson';
  feed(new NdjsonParser(builder, dv, identity, file, builder.addSource(file)), bytes, cuts);
  return builder.finish();
}

/** Pushes `bytes` to `parser` in chunks cut at `cuts` (any order, out-of-range ones ignored), then ends it. */
function feed(parser: { push(chunk: Buffer): void; end(): void }, bytes: Buffer, cuts: number[]): void {
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    parser.push(bytes.subarray(at, cut));
    at = cut;
  }
  parser.end();
}

const stringValue = fc.oneof(
  fc.constantFrom('Home', 'Cart', 'é✓', '', ' padded ', 'a"quote', 'back\\slash', 'tab\there', 'line\nbreak', '\u2028', '😀', 'p1', 'p2', 'P1'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const numberValue = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  // Decimals of up to 15 digits: the scanner converts these itself.
  fc.tuple(fc.integer({ min: -99999999, max: 99999999 }), fc.integer({ min: 0, max: 9999999 })).map(([a, b]) => Number(`${a}.${String(b).padStart(7, '0')}`)),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 1.5e-7, 123456789012345678, 0.1, 2.675, 1790848800, 1790848800000),
);
const timeValue = fc.oneof(
  fc.constantFrom('2026-10-01T10:00:00Z', '2026-10-01T10:00:00.5Z', '2026-10-01T10:00:00.123456Z', '2026-02-30T10:00:00Z', '2026-10-01T24:00:00Z', '2026-10-01T10:00:00.Z', '2026-10-01t10:00:00z', '2026-10-01 10:00:00+02:00', '2026-10-01', 'not a time', '1790848800', ''),
  fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: 0, max: 4e12 }),
  fc.constant(null),
);
const leaf: fc.Arbitrary<unknown> = fc.oneof(stringValue, numberValue, fc.boolean(), fc.constant(null));
const anyValue = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom('page', 'name', 'x'), leaf, { maxKeys: 2 }));

/** One row as a list of [key, value] members (so keys may repeat and order is free). */
const member = fc.oneof(
  fc.tuple(fc.constant('id'), fc.oneof({ weight: 4, arbitrary: fc.constantFrom('p1', 'p2', 'p3', ' p1', '') }, { weight: 1, arbitrary: anyValue })),
  fc.tuple(fc.constant('ts'), timeValue),
  fc.tuple(fc.constant('sid'), fc.oneof(fc.constantFrom('s1', 's2', 's1 '), anyValue)),
  fc.tuple(fc.constantFrom('page', 'tags', 'web.page.name'), anyValue),
  fc.tuple(fc.constantFrom('price', 'revenue'), fc.oneof(numberValue, fc.constantFrom('2', ' 3 ', '', 'x', '1e3'), anyValue)),
  fc.tuple(fc.constant('web'), fc.oneof(fc.record({ page: fc.oneof(fc.record({ name: anyValue }), anyValue) }), anyValue)),
  fc.tuple(fc.constant('user'), fc.oneof(fc.record({ id: fc.constantFrom('u1', 'u2', 7) }), anyValue)),
  fc.tuple(fc.constant('ns'), fc.constantFrom('ECID', 'Email', '', ' CRM')),
  fc.tuple(fc.constantFrom('other', 'constructor', '__proto__', 'p\\u0061ge'), anyValue),
);

/** A row's text: members joined by JSON, with optional blanks between tokens. */
const rowText = fc
  .tuple(fc.array(member, { maxLength: 9 }), fc.constantFrom('', ' ', '\t', ' \r '))
  .map(([members, blank]) => `{${blank}${members.map(([k, v]) => `${k.includes('\\') ? `"${k}"` : JSON.stringify(k)}${blank}:${blank}${JSON.stringify(v) ?? 'null'}`).join(`,${blank}`)}${blank}}`);

/** Damage for some lines: a deleted, inserted or replaced character. */
const damaged = fc.tuple(rowText, fc.nat(), fc.constantFrom('', '"', '\\', '{', '}', ',', ':', '\u0001', '\t', 'x', '0', ']', 'é')).map(([text, at, ch]) => {
  const i = at % (text.length + 1);
  return text.slice(0, i) + ch + text.slice(i + 1);
});

const line = fc.oneof({ weight: 6, arbitrary: rowText }, { weight: 2, arbitrary: damaged }, { weight: 1, arbitrary: fc.constantFrom('', '   ', '\ufeff{"id":"p1","ts":1}', '[1]', '"x"', '{}', '{"id":"p1","ts":1}{}', '{"id":"p1","ts":1,"id":"p2"}') });

/** A JSON array file's elements through the loader (bytes, cut at `cuts`) into a dataset. */
function loadedArray(bytes: Buffer, cuts: number[], dv: DataView, identity: Identity): Dataset {
  const builder = new DatasetBuilder(dv);
  const file = 'rows.json';
  const source = builder.addSource(file);
  const scanner = new RowScanner(builder, dv, identity, file, source);
  const reader = new ObjectRowReader(builder, dv, identity, file, source);
  // The wiring of core/src/data/load.ts: the scanner first, JSON.parse for what it leaves.
  const parser = new JsonArrayParser({
    element: (b, start, end, line) => {
      if (!scanner.read(b, start, end, line)) reader.read(JSON.parse(b.toString('utf8', start, end)), line);
    },
    warn: (line, message) => builder.warn(file, line, message),
  });
  feed(parser, bytes, cuts);
  return builder.finish();
}

describe('JSON array elements read from bytes', () => {
  it('gives exactly what JSON.parse of the whole file gives, element by element, laid out one per line or pretty-printed', () => {
    const dv = dataView();
    const element = fc.oneof({ weight: 8, arbitrary: rowText }, { weight: 1, arbitrary: fc.constantFrom('"x"', '[1]', '{}', '7', 'null') });
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 20 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 4 }), fc.constantFrom(FIXED, FROM_FIELD), (elements, pretty, cuts, identity) => {
        // Pretty-printed: each element re-indented over several lines, as JSON.stringify(…, 2) lays it out.
        const texts = pretty ? elements.map((e) => JSON.stringify(JSON.parse(e), null, 2)) : elements;
        const text = `[\n${texts.join(',\n')}\n]\n`;
        const bytes = Buffer.from(text);
        // The oracle: JSON.parse of the whole file, each element read at the line it starts on.
        const builder = new DatasetBuilder(dv);
        const reader = new ObjectRowReader(builder, dv, identity, 'rows.json', builder.addSource('rows.json'));
        let line = 2;
        (JSON.parse(text) as unknown[]).forEach((value, i) => {
          reader.read(value, line);
          line += texts[i].split('\n').length;
        });
        assert.deepStrictEqual(loadedArray(bytes, cuts.map((c) => c % (bytes.length + 1)), dv, identity), builder.finish());
      }),
      { numRuns: 300, seed: 9 },
    );
  });
});

describe('NDJSON rows read from bytes', () => {
  for (const [name, identity] of [['a fixed namespace', FIXED], ['namespaces from a field', FROM_FIELD]] as const) {
    it(`gives exactly the JSON.parse result on random and damaged rows (${name})`, () => {
      const dv = dataView();
      fc.assert(
        fc.property(fc.array(line, { minLength: 1, maxLength: 25 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 4 }), (lines, crlf, cuts) => {
          const text = lines.join(crlf ? '\r\n' : '\n');
          const bytes = Buffer.from(text);
          assert.deepStrictEqual(scanned(bytes, cuts.map((c) => c % (bytes.length + 1)), dv, identity), oracle(bytes, dv, identity));
        }),
        { numRuns: 400, seed: 7 },
      );
    });
  }

  it('reads rows the scanner leaves to JSON.parse: escaped and duplicated keys, deep nesting', () => {
    const dv = dataView();
    const deep = `{"id":"p9","ts":5,"x":${'['.repeat(100)}${']'.repeat(100)}}`;
    const text = ['{"p\\u0061ge":"A","id":"p1","ts":1}', '{"id":"p1","ts":2,"page":"B","page":"C"}', deep, '{"id":"p2","ts":3,"web":[{"page":{"name":"n"}}]}'].join('\n');
    const ds = scanned(Buffer.from(text), [], dv, FIXED);
    assert.deepStrictEqual(ds, oracle(Buffer.from(text), dv, FIXED));
    const page = ds.columns.get('page');
    assert.ok(page?.kind === 'string');
    assert.deepEqual(Array.from(page.codes, (c) => page.dictionary[c]), ['A', 'C', undefined, undefined]);
  });

  it('parses the usual ISO form from bytes exactly as from text', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 61 }), fc.stringMatching(/^(\.[0-9]{0,10})?$/)),
        ([y, mo, d, h, mi, s, frac]) => {
          const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
          const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac}Z`;
          const bytes = Buffer.from(`"${text}"`);
          const fromBytes = parseIsoTimestampBytes(bytes, 1, bytes.length - 1);
          // A '.' without digits is not the usual form: left to the text parser (which rejects it).
          if (frac === '.') assert.equal(fromBytes, undefined, text);
          else assert.ok(Object.is(fromBytes, parseIsoTimestamp(text)), text);
        },
      ),
      { numRuns: 2000, seed: 11 },
    );
  });
});
