/**
 * SPEC §3.3 "Semantics", rule by rule (numbered as in the spec), with exact matched people,
 * sessions, events and audiences.
 */
import * as assert from 'node:assert/strict';
import { evaluateFilter } from '../../../core/src/engine';
import { explainPerson } from '../../../core/src/engine/explain';
import { dataset, dataView, ev, pages, rule, run, who } from './fixtures';

describe('engine semantics (SPEC §3.3)', () => {
  describe('ordering and window', () => {
    it('orders events by time, ties keep input order, and only counts events inside the window', () => {
      const records = [ev('p1', '10:05', { page: 'B' }), ev('p1', '10:00', { page: 'A' }), ev('p1', '10:05', { page: 'C' })];
      assert.deepEqual(run('person where page = "A" then page = "B" then page = "C"', records).people, ['p1']);
      assert.deepEqual(run('person where page = "C" then page = "B"', records).people, []);
      const window = { from: Date.parse('2026-10-01T10:01:00Z'), to: Date.parse('2026-10-01T11:00:00Z') };
      const o = run('person where page exists', records, { window });
      assert.deepEqual([o.events, o.result.total.events, o.result.total.people], [2, 2, 1]);
      assert.deepEqual(o.returned, { p1: ['B', 'C'] });
      assert.deepEqual(who('person where page = "A"', records, { window }), []);
    });
  });

  describe('rule 1: a container returns all events of every unit where its condition holds', () => {
    // p1: session 1 = A B (10:00, 10:01), session 2 = C D (12:00, 12:01); p2: one session A
    const records = [ev('p1', '10:00', { page: 'A' }), ev('p1', '10:01', { page: 'B' }), ev('p1', '12:00', { page: 'C' }), ev('p1', '12:01', { page: 'D' }), ev('p2', '10:00', { page: 'A' })];
    it('person, session and event containers', () => {
      let o = run('person where page = "B"', records);
      assert.deepEqual([o.people, o.sessions, o.events], [['p1'], 2, 4]);
      o = run('session where page = "B"', records);
      assert.deepEqual([o.people, o.sessions, o.events, o.returned], [['p1'], 1, 2, { p1: ['A', 'B'] }]);
      o = run('event where page = "B"', records);
      assert.deepEqual([o.people, o.sessions, o.events, o.returned], [['p1'], 1, 1, { p1: ['B'] }]);
      assert.deepEqual(o.result.total, { people: 2, sessions: 3, events: 5 });
    });
  });

  describe('rule 2: a dimension condition holds when one event of the unit satisfies it', () => {
    const records = [...pages('p1', ['A', 'B']), ev('p2', '10:00', { page: 'A', category: 'x' })];
    it('different events in a person container, the same event in an event container', () => {
      assert.deepEqual(who('person where page = "A" and page = "B"', records), ['p1']);
      assert.deepEqual(who('event where page = "A" and page = "B"', records), []);
      assert.deepEqual(who('event where page = "A" and category = "x"', records), ['p2']);
    });
  });

  describe('rule 3: metrics compare the total over the unit, missing = 0; count distinct', () => {
    const records = [
      ev('p1', '10:00', { page: 'A', revenue: 6 }), ev('p1', '10:01', { page: 'B', revenue: 5 }), ev('p1', '13:00', { page: 'A' }),
      ev('p2', '10:00', { page: 'A', revenue: 20 }), ev('p3', '10:00', { page: 'C' }),
    ];
    it('totals per person, per session and per event', () => {
      assert.deepEqual(who('person where revenue > 10', records), ['p1', 'p2']);
      assert.deepEqual(run('session where revenue > 10', records).sessions, 2);
      assert.deepEqual(who('event where revenue > 10', records), ['p2']);
      assert.deepEqual(who('person where revenue between 11 and 20', records), ['p1', 'p2']);
      assert.deepEqual(who('person where revenue = 0', records), ['p3']);
      const o = run('event where revenue = 0', records);
      assert.deepEqual([o.people, o.events], [['p1', 'p3'], 2]);
    });
    it('count distinct counts present values', () => {
      assert.deepEqual(who('person where count distinct page >= 2', records), ['p1']);
      assert.deepEqual(who('session where count distinct page = 1', records), ['p1', 'p2', 'p3']);
    });
    it('metric exists = some event with a present non-zero value', () => {
      const r = [ev('p1', '10:00', { revenue: 0 }), ev('p2', '10:00', { revenue: 3 }), ev('p3', '10:00', { page: 'A' })];
      assert.deepEqual(who('person where revenue exists', r), ['p2']);
      assert.deepEqual(who('person where revenue not exists', r), ['p1', 'p3']);
    });
  });

  describe('rule 4: a nested container holds when it returns an event inside the unit', () => {
    const records = [
      ev('p1', '10:00', { page: 'A' }), ev('p1', '12:00', { page: 'B' }),
      ev('p2', '10:00', { page: 'A' }), ev('p2', '10:05', { page: 'B' }),
    ];
    it('session inside person, event inside session', () => {
      assert.deepEqual(who('person where session where (page = "A" and page = "B")', records), ['p2']);
      assert.deepEqual(who('person where page = "A" and page = "B"', records), ['p1', 'p2']);
      const o = run('session where event where page = "B"', records);
      assert.deepEqual([o.people, o.sessions, o.events], [['p1', 'p2'], 2, 3]);
    });
  });

  describe('rule 5: not / exclude', () => {
    const records = [...pages('p1', ['A', 'B']), ...pages('p2', ['B'])];
    it('holds when the operand does not hold for the unit', () => {
      assert.deepEqual(who('person where not page = "A"', records), ['p2']);
      assert.deepEqual(who('person where exclude page = "A"', records), ['p2']);
      const o = run('event where not page = "A"', records);
      assert.deepEqual([o.people, o.events], [['p1', 'p2'], 2]);
      assert.deepEqual(who('person where page = "B" and not (session where page = "A")', records), ['p2']);
    });
  });

  describe('rule 6: sequences', () => {
    it('checkpoints in strictly increasing order; one event cannot serve two checkpoints', () => {
      const records = [...pages('p1', ['A', 'B']), ...pages('p2', ['B', 'A']), ev('p3', '10:00', { page: 'A', category: 'x' })];
      assert.deepEqual(who('person where page = "A" then page = "B"', records), ['p1']);
      assert.deepEqual(who('person where page = "A" then category = "x"', records), []);
    });
    it('within is inclusive, after is exclusive, both measured from the previous checkpoint', () => {
      const records = [
        ev('p1', '10:00', { page: 'A' }), ev('p1', '10:30', { page: 'B' }),
        ev('p2', '10:00', { page: 'A' }), ev('p2', '10:31', { page: 'B' }),
        ev('p3', '10:00', { page: 'A' }), ev('p3', '11:00', { page: 'B' }), ev('p3', '11:01', { page: 'C' }),
      ];
      assert.deepEqual(who('person where page = "A" then within 30 minutes page = "B"', records), ['p1']);
      assert.deepEqual(who('person where page = "A" then after 30 minutes page = "B"', records), ['p2', 'p3']);
      assert.deepEqual(who('person where page = "A" then after 1 hour page = "B"', records), []);
      assert.deepEqual(who('person where page = "A" then after 30 minutes within 1 hour page = "B"', records), ['p2', 'p3']);
      assert.deepEqual(who('person where page = "B" then within 1 minute page = "C"', records), ['p3']);
    });
    it('a later checkpoint may need a later previous match (not just the first)', () => {
      const records = [ev('p1', '10:00', { page: 'A' }), ev('p1', '11:00', { page: 'A' }), ev('p1', '11:05', { page: 'B' })];
      assert.deepEqual(who('person where page = "A" then within 10 minutes page = "B"', records), ['p1']);
    });
    it('calendar months: Jan 31 + 1 month = Feb 28 (inclusive), quarters and years', () => {
      const records = [
        ev('p1', '2026-01-31T10:00:00Z', { page: 'A' }), ev('p1', '2026-02-28T10:00:00Z', { page: 'B' }),
        ev('p2', '2026-01-31T10:00:00Z', { page: 'A' }), ev('p2', '2026-02-28T10:00:01Z', { page: 'B' }),
        ev('p3', '2026-01-31T10:00:00Z', { page: 'A' }), ev('p3', '2026-03-01T09:00:00Z', { page: 'B' }),
      ];
      assert.deepEqual(who('person where page = "A" then within 1 month page = "B"', records), ['p1']);
      assert.deepEqual(who('person where page = "A" then after 1 month page = "B"', records), ['p2', 'p3']);
      assert.deepEqual(who('person where page = "A" then within 1 quarter page = "B"', records), ['p1', 'p2', 'p3']);
      assert.deepEqual(who('person where page = "A" then within 1 year page = "B"', records), ['p1', 'p2', 'p3']);
      const leap = [ev('p1', '2028-01-31T00:00:00Z', { page: 'A' }), ev('p1', '2028-02-29T00:00:00Z', { page: 'B' })];
      assert.deepEqual(who('person where page = "A" then within 1 month page = "B"', leap), ['p1']);
    });
    it('day and week gaps are fixed lengths', () => {
      const records = [ev('p1', '2026-10-01T10:00:00Z', { page: 'A' }), ev('p1', '2026-10-08T10:00:00Z', { page: 'B' })];
      assert.deepEqual(who('person where page = "A" then within 1 week page = "B"', records), ['p1']);
      assert.deepEqual(who('person where page = "A" then within 6 days page = "B"', records), []);
    });
    it('event gaps: within 1 event is the very next event', () => {
      const records = [...pages('p1', ['A', 'B']), ...pages('p2', ['A', 'X', 'B'])];
      assert.deepEqual(who('person where page = "A" then within 1 event page = "B"', records), ['p1']);
      assert.deepEqual(who('person where page = "A" then within 2 events page = "B"', records), ['p1', 'p2']);
      assert.deepEqual(who('person where page = "A" then after 1 event page = "B"', records), ['p2']);
    });
    it('session gaps count session changes', () => {
      const records = [
        ev('p1', '10:00', { page: 'A' }), ev('p1', '10:05', { page: 'B' }),
        ev('p2', '10:00', { page: 'A' }), ev('p2', '12:00', { page: 'B' }),
        ev('p3', '10:00', { page: 'A' }), ev('p3', '12:00', { page: 'X' }), ev('p3', '14:00', { page: 'B' }),
      ];
      assert.deepEqual(who('person where page = "A" then within 0 sessions page = "B"', records), ['p1']);
      assert.deepEqual(who('person where page = "A" then within 1 session page = "B"', records), ['p1', 'p2']);
      assert.deepEqual(who('person where page = "A" then after 1 session page = "B"', records), ['p3']);
    });
    it('dimension-instance gaps count value changes of the dimension', () => {
      const records = [
        ev('p1', '10:00', { page: 'A', category: 'x' }), ev('p1', '10:01', { page: 'A', category: 'x' }), ev('p1', '10:02', { page: 'B', category: 'y' }),
        ev('p2', '10:00', { page: 'A', category: 'x' }), ev('p2', '10:01', { page: 'C', category: 'y' }), ev('p2', '10:02', { page: 'B', category: 'x' }),
      ];
      assert.deepEqual(who('person where page = "A" then within 1 instance of category page = "B"', records), ['p1']);
      assert.deepEqual(who('person where page = "A" then within 2 instances of category page = "B"', records), ['p1', 'p2']);
    });
    it('exclude checkpoints at the start, in the middle and at the end', () => {
      const records = [...pages('p1', ['A', 'B', 'C']), ...pages('p2', ['A', 'X', 'B', 'C']), ...pages('p3', ['X', 'A', 'B', 'C']), ...pages('p4', ['A', 'B', 'C', 'X'])];
      assert.deepEqual(who('person where page = "A" then exclude page = "X" then page = "B"', records), ['p1', 'p3', 'p4']);
      assert.deepEqual(who('person where exclude page = "X" then page = "A" then page = "B"', records), ['p1', 'p2', 'p4']);
      assert.deepEqual(who('person where page = "A" then page = "B" then exclude page = "X"', records), ['p1', 'p2', 'p3']);
      // the spec example: reached A, then no X within 30 minutes
      const timed = [ev('p1', '10:00', { page: 'A' }), ev('p1', '10:45', { page: 'X' }), ev('p2', '10:00', { page: 'A' }), ev('p2', '10:20', { page: 'X' })];
      assert.deepEqual(who('person where page = "A" then within 30 minutes exclude page = "X"', timed), ['p1']);
    });
    it('logic groups are order-free and count as one checkpoint', () => {
      const records = [...pages('p1', ['S', 'B', 'A', 'E']), ...pages('p2', ['S', 'A', 'E', 'B']), ...pages('p3', ['S', 'A', 'E'])];
      assert.deepEqual(who('person where page = "S" then all of (page = "A", page = "B") then page = "E"', records), ['p1']);
      assert.deepEqual(who('person where page = "S" then any of (page = "A", page = "B") then page = "E"', records), ['p1', 'p2', 'p3']);
    });
    it('container checkpoints: session where A then session where B needs B in a later session', () => {
      const records = [
        ev('p1', '10:00', { page: 'A' }), ev('p1', '10:05', { page: 'B' }),
        ev('p2', '10:00', { page: 'A' }), ev('p2', '12:00', { page: 'B' }),
      ];
      assert.deepEqual(who('person where session where page = "A" then session where page = "B"', records), ['p2']);
      assert.deepEqual(who('person where page = "A" then page = "B"', records), ['p1', 'p2']);
      const o = run('session where page = "A" then page = "B"', records);
      assert.deepEqual([o.people, o.sessions, o.events], [['p1'], 1, 2]);
    });
  });

  describe('rule 7: only before / only after (Adobe\'s worked example)', () => {
    const records = [...pages('p1', ['A', 'B', 'C', 'D', 'E', 'F']), ...pages('p2', ['A', 'B', 'C', 'D', 'B', 'C', 'D', 'E']), ...pages('p3', ['D', 'B'])];
    it('only before returns up to the first event of the last occurrence', () => {
      const o = run('person where only before (page = "B" then page = "D")', records);
      assert.deepEqual(o.returned, { p1: ['A', 'B'], p2: ['A', 'B', 'C', 'D', 'B'] });
      assert.deepEqual([o.people, o.sessions, o.events], [['p1', 'p2'], 2, 7]);
    });
    it('only after returns from the last event of the first occurrence', () => {
      const o = run('person where only after (page = "B" then page = "D")', records);
      assert.deepEqual(o.returned, { p1: ['D', 'E', 'F'], p2: ['D', 'B', 'C', 'D', 'E'] });
      assert.deepEqual([o.people, o.events], [['p1', 'p2'], 8]);
    });
  });

  describe('rule 7: only before / only after per session (the sequence\'s own unit, Adobe\'s context)', () => {
    // p1: session 1 = A B C D E, session 2 (an hour later) = D F; p2: B in session 1, D in session 2.
    const records = [...pages('p1', ['A', 'B', 'C', 'D', 'E']), ...pages('p1', ['D', 'F'], 70), ...pages('p2', ['B']), ...pages('p2', ['D'], 70)];
    it('an event container returns the events after the sequence in each session', () => {
      const o = run('event where only after (page = "B" then page = "D") per session', records);
      assert.deepEqual(o.returned, { p1: ['D', 'E'] });
      assert.deepEqual([o.people, o.events], [['p1'], 2]);
    });
    it('without `per session` the sequence may span sessions (per person) and returns to the end of the person', () => {
      const o = run('person where only after (page = "B" then page = "D")', records);
      assert.deepEqual(o.returned, { p1: ['D', 'E', 'D', 'F'], p2: ['D'] });
    });
    it('only before per session, and as a condition of a person container', () => {
      assert.deepEqual(run('event where only before (page = "B" then page = "D") per session', records).returned, { p1: ['A', 'B'] });
      assert.deepEqual(who('person where only after (page = "B" then page = "D") per session', records), ['p1']);
      assert.deepEqual(who('person where not (only after (page = "B" then page = "D") per session)', records), ['p2']);
    });
    it('the waterfall and explain count checkpoints per session', () => {
      const r = rule('event where only after (page = "B" then page = "D") per session');
      const ctx = { dataView, dataset: dataset(records) };
      assert.deepEqual(evaluateFilter(r, ctx).steps.map(s => [s.label, s.people]), [['page = "B"', 2], ['page = "D"', 1]]);
      const p2 = explainPerson(r, ctx, { namespace: 'ECID', id: 'p2' });
      assert.deepEqual([p2.verdict, p2.steps.map(s => s.status)], ['not member', ['matched', 'failed']]);
      assert.equal(p2.steps[1].reason, 'no event after 2026-10-01T10:00 in the same session has page = "D"');
    });
  });

  describe('rule 8: the audience', () => {
    it('one identity per person, sorted by namespace then id, counted per namespace', () => {
      const records = [
        { ...ev('b', '10:00', { page: 'A' }), ns: 'ECID' }, { ...ev('a', '10:00', { page: 'A' }), ns: 'Email' },
        { ...ev('c', '10:00', { page: 'A' }), ns: 'ECID' }, { ...ev('c', '10:01', { page: 'A' }), ns: 'ECID' }, { ...ev('d', '10:00', { page: 'B' }), ns: 'ECID' },
      ];
      const ds = dataset(records, { personField: 'person_id', namespaceField: 'ns' });
      const result = evaluateFilter(rule('person where page = "A"'), { dataView, dataset: ds });
      assert.deepEqual(result.audience, [{ namespace: 'ECID', id: 'b' }, { namespace: 'ECID', id: 'c' }, { namespace: 'Email', id: 'a' }]);
      assert.deepEqual(result.namespaces, { ECID: 2, Email: 1 });
    });
    it('is evaluated over the window (lookback)', () => {
      const records = [ev('p1', '2026-09-01T10:00:00Z', { page: 'A' }), ev('p2', '2026-10-02T10:00:00Z', { page: 'A' })];
      assert.deepEqual(who('person where page = "A"', records, { window: { from: Date.parse('2026-10-01T00:00:00Z'), to: Date.parse('2026-11-01T00:00:00Z') } }), ['p2']);
    });
  });
});
