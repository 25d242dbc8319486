/** Result shape: waterfall steps, people per day, references, cancellation, explain. */
import * as assert from 'node:assert/strict';
import { EvaluationAborted, evaluateFilter, explainPerson } from '../../../core/src/engine';
import { dataset, dataView, ev, pages, rule, run, who } from './fixtures';

describe('engine results', () => {
  const records = [...pages('p1', ['A', 'B', 'C']), ...pages('p2', ['A', 'B']), ...pages('p3', ['A']), ev('p4', '2026-10-02T09:00:00Z', { page: 'A' })];

  it('sequence waterfall: people reaching checkpoint 1, 1..2, 1..3', () => {
    const o = run('person where page = "A" then page = "B" then page = "C"', records);
    assert.deepEqual(o.result.steps.map((s) => [s.label, s.people]), [['page = "A"', 4], ['page = "B"', 2], ['page = "C"', 1]]);
  });

  it('clause waterfall for and (cumulative), and end excludes as their own step', () => {
    let o = run('person where page = "A" and page = "B" and page = "C"', records);
    assert.deepEqual(o.result.steps.map((s) => s.people), [4, 2, 1]);
    o = run('person where page = "A" then page = "B" then exclude page = "C"', records);
    assert.deepEqual(o.result.steps.map((s) => [s.label, s.people]), [['page = "A"', 4], ['page = "B"', 2], ['exclude page = "C"', 1]]);
  });

  it('matched people per UTC day', () => {
    const o = run('person where page = "A"', records);
    assert.deepEqual(o.result.perDay, [{ day: '2026-10-01', people: 3 }, { day: '2026-10-02', people: 1 }]);
  });

  it('filter references, cycle-safe', () => {
    const rules: Record<string, string> = { 'saw-b': 'person where page = "B"', loop: 'person where filter loop or page = "C"' };
    const resolveFilter = (id: string) => (rules[id] ? rule(rules[id]) : undefined);
    assert.deepEqual(who('person where filter saw-b and not page = "C"', records, { resolveFilter }), ['p2']);
    assert.deepEqual(who('person where filter unknown-id', records, { resolveFilter }), []);
    const o = run('person where filter loop', records, { resolveFilter });
    assert.deepEqual(o.people, ['p1']);
    assert.deepEqual(o.result.referenceCycles, ['loop']);
  });

  it('honours an abort signal', () => {
    const ctl = new AbortController();
    ctl.abort();
    assert.throws(() => evaluateFilter(rule('person where page = "A"'), { dataView, dataset: dataset(records), signal: ctl.signal }), EvaluationAborted);
  });

  describe('explainPerson', () => {
    const ds = dataset([ev('p1', '10:00', { page: 'cart' }), ev('p1', '11:00', { page: 'checkout' }), ev('p2', '10:00', { page: 'cart' }), ev('p2', '10:10', { page: 'checkout' })]);
    const r = rule('person where page contains "cart" then within 30 minutes page = "checkout"');
    it('explains a member with the matched checkpoints', () => {
      const x = explainPerson(r, { dataView, dataset: ds }, { namespace: 'ECID', id: 'p2' });
      assert.equal(x.verdict, 'member');
      assert.deepEqual(x.steps.map((s) => [s.status, s.time]), [['matched', '2026-10-01T10:00'], ['matched', '2026-10-01T10:10']]);
      assert.deepEqual(x.timeline.map((t) => [t.time, t.session, t.values.page, t.returned]), [['2026-10-01T10:00', 1, 'cart', true], ['2026-10-01T10:10', 1, 'checkout', true]]);
    });
    it('explains the first failing checkpoint', () => {
      const x = explainPerson(r, { dataView, dataset: ds }, 0);
      assert.equal(x.verdict, 'not member');
      assert.deepEqual(x.steps.map((s) => s.status), ['matched', 'failed']);
      assert.equal(x.steps[1].reason, 'no event after 2026-10-01T10:00 within 30 minutes has page = "checkout"');
      assert.match(x.summary, /is not a member/);
    });
    it('explains clauses of a non-sequential rule, and unknown people', () => {
      const x = explainPerson(rule('person where page = "cart" and page = "home"'), { dataView, dataset: ds }, 1);
      assert.deepEqual(x.steps.map((s) => [s.status, s.events.length]), [['matched', 1], ['failed', 0]]);
      assert.equal(x.steps[1].reason, 'no event has page = "home"');
      const unknown = explainPerson(r, { dataView, dataset: ds }, { namespace: 'ECID', id: 'nobody' });
      assert.equal(unknown.found, false);
      assert.equal(unknown.summary, 'Unknown person ECID:nobody: no one with this ID is in the sample data.');
    });
    it('reads exclude checkpoints as what must not happen: holds for a non-buyer, fails for a buyer', () => {
      const shop = dataset([ev('p1', '10:00', { page: 'checkout' }), ev('p1', '10:20', { page: 'purchase' }), ev('p2', '10:00', { page: 'checkout' }), ev('p2', '11:00', { page: 'purchase' })]);
      const abandon = rule('person where page = "checkout" then within 30 minutes exclude page = "purchase"');
      const buyer = explainPerson(abandon, { dataView, dataset: shop }, { namespace: 'ECID', id: 'p1' });
      assert.equal(buyer.verdict, 'not member');
      assert.deepEqual(buyer.steps.map((s) => [s.label, s.status, s.exclude, s.reason]), [
        ['page = "checkout"', 'matched', undefined, undefined],
        ['no page = "purchase" within 30 minutes', 'failed', true, 'every occurrence is followed by page = "purchase" within 30 minutes'],
      ]);
      assert.equal(buyer.summary, 'ECID:p1 is not a member: no page = "purchase" within 30 minutes does not hold (every occurrence is followed by page = "purchase" within 30 minutes).');
      const late = explainPerson(abandon, { dataView, dataset: shop }, { namespace: 'ECID', id: 'p2' });
      assert.equal(late.verdict, 'member');
      assert.deepEqual(late.steps.map((s) => [s.label, s.status, s.exclude]), [['page = "checkout"', 'matched', undefined], ['no page = "purchase" within 30 minutes', 'matched', true]]);
      const between = explainPerson(rule('person where page = "checkout" then exclude page = "home" then page = "purchase"'), { dataView, dataset: shop }, { namespace: 'ECID', id: 'p1' });
      assert.deepEqual(between.steps.map((s) => [s.label, s.status]), [['page = "checkout"', 'matched'], ['page = "purchase" (no page = "home" in between)', 'matched']]);
      const noGap = explainPerson(rule('person where page = "checkout" then exclude page = "purchase"'), { dataView, dataset: shop }, { namespace: 'ECID', id: 'p2' });
      assert.deepEqual(noGap.steps.map((s) => [s.label, s.status]), [['page = "checkout"', 'matched'], ['no page = "purchase" afterwards', 'failed']]);
    });
  });
});
