import * as assert from 'node:assert/strict';
import { buildDataset, datasetFromRecords, type RawEvent } from '../../../core/src/data/build';
import { ECID, makeDataView, numbers, personsOf, stringColumn, strings } from './dataFixtures';

const MIN = 60_000;
const T0 = Date.UTC(2026, 9, 1);

describe('buildDataset / datasetFromRecords', () => {
  it('sorts by person (namespace, then ID), then time; ties keep input order', () => {
    const dv = makeDataView([]);
    const rows: RawEvent[] = [
      { personId: 'b', namespace: 'ECID', timestamp: T0 + 5, fields: { page: 'b5' } },
      { personId: 'a', namespace: 'ECID', timestamp: T0 + 9, fields: { page: 'a9' } },
      { personId: 'a', namespace: 'Email', timestamp: T0 + 1, fields: { page: 'Email-a1' } },
      { personId: 'a', namespace: 'ECID', timestamp: T0 + 3, fields: { page: 'a3-first' } },
      { personId: 'b', namespace: 'ECID', timestamp: T0 + 5, fields: { page: 'b5-tie' } },
      { personId: 'a', namespace: 'ECID', timestamp: T0 + 3, fields: { page: 'a3-second' } },
      { personId: 'a', namespace: 'ECID', timestamp: T0 + 1, fields: { page: 'a1' } },
      { personId: 'b', namespace: 'ECID', timestamp: T0 + 5, fields: { page: 'b5-tie2' } },
    ];
    const ds = buildDataset(rows, dv);
    assert.equal(ds.eventCount, 8);
    assert.deepEqual(strings(ds, 'page'), ['a1', 'a3-first', 'a3-second', 'a9', 'b5', 'b5-tie', 'b5-tie2', 'Email-a1']);
    assert.deepEqual(personsOf(ds), ['ECID:a', 'ECID:a', 'ECID:a', 'ECID:a', 'ECID:b', 'ECID:b', 'ECID:b', 'Email:a']);
    assert.deepEqual(ds.personIds, ['a', 'b', 'a']);
    assert.deepEqual(ds.personNamespaces, ['ECID', 'ECID', 'Email']);
    assert.equal(ds.personCount, 3);
    assert.deepEqual(Array.from(ds.personStart), [0, 4, 7, 8]);
    assert.deepEqual(Array.from(ds.timestamps), [1, 3, 3, 9, 5, 5, 5, 1].map((d) => T0 + d));
    // Source lines follow the events through the sort.
    assert.deepEqual(Array.from(ds.sources!.line), [7, 4, 6, 2, 1, 5, 8, 3]);
  });

  it('keeps input order among many equal timestamps (stable beyond small-array sorts)', () => {
    const dv = makeDataView([]);
    const rows: RawEvent[] = [];
    for (let i = 0; i < 500; i++) rows.push({ personId: 'p', namespace: 'ECID', timestamp: T0 + (i % 2 === 0 ? 2 : 1), fields: { price: i } });
    const ds = buildDataset(rows, dv);
    const values = numbers(ds, 'price');
    const odd = values.slice(0, 250);
    const even = values.slice(250);
    assert.deepEqual(odd, Array.from({ length: 250 }, (_, k) => 2 * k + 1));
    assert.deepEqual(even, Array.from({ length: 250 }, (_, k) => 2 * k));
  });

  it('builds sessions from the inactivity timeout: a gap strictly greater than the timeout starts one', () => {
    const dv = makeDataView([], { sessionTimeoutMinutes: 30 });
    const times = [0, 30 * MIN, 60 * MIN + 1, 61 * MIN, 200 * MIN];
    const rows: RawEvent[] = times.map((t) => ({ personId: 'p', namespace: 'ECID', timestamp: T0 + t, fields: {} }));
    rows.push({ personId: 'q', namespace: 'ECID', timestamp: T0 + 10 * MIN, fields: {} });
    const ds = buildDataset(rows, dv);
    // p: [0, 30min] (gap exactly 30 min: same session), [60min+1ms, 61min], [200min]; q: one session.
    assert.deepEqual(Array.from(ds.session), [0, 0, 1, 1, 2, 3]);
    assert.equal(ds.sessionCount, 4);
    assert.deepEqual(Array.from(ds.sessionStart), [0, 2, 4, 5, 6]);
  });

  it('builds sessions from the session field; a change of ID starts a session, missing IDs fall back to the timeout', () => {
    const dv = makeDataView([], { sessionField: 'sid', sessionTimeoutMinutes: 30 });
    const records = [
      { id: 'p', ts: T0, sid: 's1' },
      { id: 'p', ts: T0 + 120 * MIN, sid: 's1' }, // long gap, same ID: same session
      { id: 'p', ts: T0 + 121 * MIN, sid: 's2' },
      { id: 'p', ts: T0 + 122 * MIN, sid: 's1' }, // s1 again after s2: a new (contiguous) session
      { id: 'p', ts: T0 + 123 * MIN },
      { id: 'p', ts: T0 + 124 * MIN },
      { id: 'p', ts: T0 + 200 * MIN },
      { id: 'q', ts: T0, sid: 's1' }, // same session ID, other person: other session
    ];
    const ds = datasetFromRecords(records, dv, ECID);
    assert.deepEqual(Array.from(ds.session), [0, 0, 1, 2, 3, 3, 4, 5]);
    assert.equal(ds.sessionCount, 6);
  });

  it('dictionary-encodes strings, -1 and NaN for missing values, NaN for non-numeric metrics', () => {
    const dv = makeDataView([]);
    const records = [
      { id: 'p', ts: T0, page: 'Home', price: 10, revenue: 5 },
      { id: 'p', ts: T0 + 1, page: 'Cart', price: '12.5', revenue: 'n/a' },
      { id: 'p', ts: T0 + 2, page: 'Home', revenue: null },
      { id: 'p', ts: T0 + 3, page: '', price: '', revenue: '' },
      { id: 'p', ts: T0 + 4, page: 42, price: true, revenue: '7' },
    ];
    const ds = datasetFromRecords(records, dv, ECID);
    const page = stringColumn(ds, 'page');
    assert.deepEqual(page.dictionary, ['Home', 'Cart', '42']);
    assert.deepEqual(Array.from(page.codes), [0, 1, 0, -1, 2]);
    assert.deepEqual(numbers(ds, 'price'), [10, 12.5, NaN, NaN, NaN]);
    assert.deepEqual(numbers(ds, 'revenue'), [5, NaN, NaN, NaN, 7]);
  });

  it('reads nested field paths and flattened dotted keys', () => {
    const dv = makeDataView([]);
    const records = [
      { id: 'p', ts: T0, web: { page: { name: 'Nested' } } },
      { id: 'p', ts: T0 + 1, 'web.page.name': 'Flat' },
      { id: 'p', ts: T0 + 2, web: { page: 'not an object' } },
      { id: 'p', ts: T0 + 3, web: null },
    ];
    const ds = datasetFromRecords(records, dv, ECID);
    assert.deepEqual(strings(ds, 'web_page'), ['Nested', 'Flat', undefined, undefined]);
  });

  it('accepts a field getter in RawEvent', () => {
    const dv = makeDataView([]);
    const ds = buildDataset([{ personId: 'p', namespace: 'ECID', timestamp: T0, fields: (p) => (p === 'web.page.name' ? 'Got' : undefined) }], dv);
    assert.deepEqual(strings(ds, 'web_page'), ['Got']);
    assert.deepEqual(strings(ds, 'page'), [undefined]);
  });

  it('takes the namespace from a field, falling back to the fixed one', () => {
    const dv = makeDataView([]);
    const records = [
      { id: 'x1', ns: 'CRM', ts: T0 },
      { id: 'x1', ns: 'Email', ts: T0 },
      { id: 'x2', ts: T0 },
    ];
    const ds = datasetFromRecords(records, dv, { personField: 'id', namespaceField: 'ns', namespace: 'ECID' });
    assert.deepEqual(personsOf(ds), ['CRM:x1', 'ECID:x2', 'Email:x1']);
  });

  it('turns bad records into warnings with their 1-based index and keeps the rest', () => {
    const dv = makeDataView([]);
    const records = [
      { id: 'p', ts: '2026-10-01T00:00:00Z' },
      { ts: T0 },
      { id: 'p', ts: 'yesterday' },
      { id: 'p' },
      { id: '   ', ts: T0 },
      { id: 'p', ts: T0 + 1 },
    ];
    const ds = datasetFromRecords(records, dv, { personField: 'id', namespaceField: 'ns' });
    assert.equal(ds.eventCount, 0);
    const ds2 = datasetFromRecords(records, dv, ECID);
    assert.equal(ds2.eventCount, 2);
    assert.deepEqual(ds2.warnings, [
      { file: '<records>', line: 2, message: 'missing person ID (field "id"); row skipped' },
      { file: '<records>', line: 3, message: 'unparseable timestamp "yesterday"; row skipped' },
      { file: '<records>', line: 4, message: 'missing timestamp; row skipped' },
      { file: '<records>', line: 5, message: 'missing person ID (field "id"); row skipped' },
    ]);
    assert.deepEqual(ds.warnings[0], { file: '<records>', line: 1, message: 'missing identity namespace (field "ns"); row skipped' });
  });

  it('caps stored warnings and counts the rest', () => {
    const dv = makeDataView([]);
    const records = Array.from({ length: 250 }, () => ({ ts: T0 }));
    const ds = datasetFromRecords(records, dv, ECID);
    assert.equal(ds.warnings.length, 101);
    assert.equal(ds.warningCount, 250);
    assert.equal(ds.warnings[99].line, 100);
    assert.deepEqual(ds.warnings[100], { file: '', line: 0, message: '150 more warnings not shown (250 in total)' });
  });

  it('handles an empty input', () => {
    const ds = datasetFromRecords([], makeDataView([]), ECID);
    assert.equal(ds.eventCount, 0);
    assert.equal(ds.personCount, 0);
    assert.equal(ds.sessionCount, 0);
    assert.deepEqual(Array.from(ds.personStart), [0]);
    assert.deepEqual(Array.from(ds.sessionStart), [0]);
  });
});
