/** Preview metrics (audience and window totals) and the estimated return, on hand-computed timelines. */
import * as assert from 'node:assert/strict';
import { evaluateFilter } from '../../../core/src/engine';
import { sizeGauge, percentText } from '../../../core/src/publish/plan';
import { dataset, dataView, ev, rule } from './fixtures';

// Sessions time out after 30 minutes (fixtures' data view). The newest event is p9's, 2026-10-31T12:00.
const timeline = [
  ev('p1', '2026-10-01T10:00:00Z', { page: 'buy', revenue: 10, orders: 1 }),
  ev('p1', '2026-10-05T10:00:00Z', { page: 'view' }), // back after 4 days
  ev('p2', '2026-10-01T10:00:00Z', { page: 'buy', revenue: 20, orders: 1 }),
  ev('p2', '2026-10-12T10:00:00Z', { page: 'view' }), // back after 11 days
  ev('p3', '2026-10-01T10:00:00Z', { page: 'buy', revenue: 5.5, orders: 1 }),
  ev('p3', '2026-10-01T10:10:00Z', { page: 'view' }), // same session: never back
  ev('p4', '2026-10-20T10:00:00Z', { page: 'buy', revenue: 7, orders: 1 }),
  ev('p4', '2026-10-22T10:00:00Z', { page: 'view' }), // back after 2 days; watched 7 days only
  ev('p5', '2026-10-02T10:00:00Z', { page: 'view' }), // before the qualification: not a return
  ev('p5', '2026-10-10T10:00:00Z', { page: 'buy', revenue: 3, orders: 1 }),
  ev('p5', '2026-10-30T10:00:00Z', { page: 'view' }), // back after 20 days; watched 7 and 14 days
  ev('p9', '2026-10-31T12:00:00Z', { page: 'view', revenue: 100 }), // not a member
];

describe('preview metrics and estimated return', () => {
  const result = evaluateFilter(rule('event where page = "buy"'), { dataView, dataset: dataset(timeline) });

  it('totals each metric of the data view over the returned events and over the window', () => {
    assert.deepEqual(result.metrics, [
      { name: 'revenue', audience: 45.5, total: 145.5, share: 45.5 / 145.5 },
      { name: 'orders', audience: 5, total: 5, share: 1 },
    ]);
  });

  it('totals only the metrics asked for, and answers 0 / null for a metric without values', () => {
    const r = evaluateFilter(rule('event where page = "view"'), { dataView, dataset: dataset(timeline), metrics: ['orders'] });
    assert.deepEqual(r.metrics, [{ name: 'orders', audience: 0, total: 5, share: 0 }]);
    const none = evaluateFilter(rule('event where page = "buy"'), { dataView, dataset: dataset(timeline.map(e => ({ ...e, orders: undefined }))), metrics: ['orders'] });
    assert.deepEqual(none.metrics, [{ name: 'orders', audience: 0, total: 0, share: null }]);
  });

  it('totals within the window only', () => {
    const r = evaluateFilter(rule('event where page = "buy"'), { dataView, dataset: dataset(timeline), window: { from: Date.UTC(2026, 9, 2), to: Date.UTC(2026, 10, 1) } });
    assert.deepEqual(r.metrics!.map(m => [m.name, m.audience, m.total]), [['revenue', 10, 110], ['orders', 2, 2]]);
    // A person filter returns all in-window events of its members (p4, p5): 7 + 3 of revenue.
    const people = evaluateFilter(rule('person where page = "buy"'), { dataView, dataset: dataset(timeline), window: { from: Date.UTC(2026, 9, 2), to: Date.UTC(2026, 10, 1) } });
    assert.deepEqual(people.audience.map(i => i.id), ['p4', 'p5']);
    assert.deepEqual(people.metrics!.map(m => [m.name, m.audience, m.total]), [['revenue', 10, 110], ['orders', 2, 2]]);
    const all = evaluateFilter(rule('person where page = "buy"'), { dataView, dataset: dataset(timeline) });
    assert.deepEqual(all.metrics!.map(m => [m.name, m.audience, m.total]), [['revenue', 45.5, 145.5], ['orders', 5, 5]]);
  });

  it('estimates the return from the first returned event and a later session, counting only people watched long enough', () => {
    // 7 days: all five are watched; p1 (4 d) and p4 (2 d) came back: 2 of 5.
    // 14 days: p4 is not watched (10-20 + 14 d > 10-31 12:00); p1 and p2 (11 d) came back: 2 of 4; 2.5 rounds to 3.
    // 30 days: only p1, p2, p3 (qualified 10-01 10:00, + 30 d = 10-31 10:00) are watched: 2 of 3.
    assert.deepEqual(result.returns, [
      { days: 7, eligible: 5, returned: 2, share: 0.4, expected: 2 },
      { days: 14, eligible: 4, returned: 2, share: 0.5, expected: 3 },
      { days: 30, eligible: 3, returned: 2, share: 2 / 3, expected: 3 },
    ]);
  });

  it('says null when no member could be watched that long, and is skipped on request', () => {
    const r = evaluateFilter(rule('event where page = "buy"'), { dataView, dataset: dataset(timeline.filter(e => e.person_id === 'p4')) });
    assert.deepEqual(r.returns!.map(h => [h.days, h.eligible, h.share, h.expected]), [[7, 0, null, null], [14, 0, null, null], [30, 0, null, null]]);
    assert.deepEqual(evaluateFilter(rule('event where page = "buy"'), { dataView, dataset: dataset(timeline), returnEstimate: false }).returns, []);
  });
});

describe('size gauge', () => {
  it('warns from 80% of the 20M limit and is over past it', () => {
    assert.deepEqual([15_999_999, 16_000_000, 20_000_000, 20_000_001].map(n => sizeGauge(n).state), ['ok', 'warning', 'warning', 'over']);
    assert.deepEqual(sizeGauge(900), { size: 900, limit: 20_000_000, limitSource: 'profile store', share: 900 / 20_000_000, warningAt: 16_000_000, state: 'ok' });
  });

  it("measures against the endpoint's own limit when it is smaller", () => {
    assert.deepEqual(sizeGauge(850, 1000), { size: 850, limit: 1000, limitSource: 'endpoint', share: 0.85, warningAt: 800, state: 'warning' });
    assert.equal(sizeGauge(850, 30_000_000).limitSource, 'profile store');
  });

  it('prints shares with two significant digits below 10%', () => {
    assert.deepEqual([0, 0.000045, 0.045, 0.0999, 0.5, 1].map(percentText), ['0%', '0.0045%', '4.5%', '10%', '50%', '100%']);
  });
});

describe('waterfall steps keep their join and gap', () => {
  it('sequence: then + the gap; end excludes too; cumulative clauses: and / or', () => {
    const r = evaluateFilter(rule('person where page = "buy" then after 1 day within 2 weeks page = "view" then within 30 minutes exclude page = "buy"'), { dataView, dataset: dataset(timeline) });
    assert.deepEqual(r.steps.map(s => [s.join, s.gap, s.label, s.people]), [
      [undefined, undefined, 'page = "buy"', 5],
      ['then', 'after 1 day within 2 weeks', 'page = "view"', 3],
      ['then', 'within 30 minutes', 'exclude page = "buy"', 3],
    ]);
    const c = evaluateFilter(rule('person where page = "buy" or page = "view"'), { dataView, dataset: dataset(timeline) });
    assert.deepEqual(c.steps.map(s => [s.join, s.people]), [[undefined, 5], ['or', 6]]);
  });
});
