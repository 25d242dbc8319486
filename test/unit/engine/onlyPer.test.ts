/**
 * `only before|after (S) per session`, checked against an independent formulation: the same
 * events with every session made a person of its own, where `person where only … (S)` is the
 * long-tested rule 7. Random event lists and sequences (fast-check, fixed seed).
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateFilter } from '../../../core/src/engine';
import { dataset, dataView, rule, type EventRecord } from './fixtures';

const BASE = Date.parse('2026-03-01T10:00:00Z');
const GAPS = [1, 5, 20, 31, 90];
const PAGES = ['A', 'B', 'C'];

const recordsArb = fc.array(fc.array(fc.record({ gap: fc.constantFrom(...GAPS), page: fc.constantFrom(...PAGES) }), { minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 3 }).map(people =>
  people.flatMap((events, p) => {
    let t = BASE;
    return events.map(e => {
      t += e.gap * 60_000;
      return { person_id: `p${p}`, ts: new Date(t).toISOString(), page: e.page } as EventRecord;
    });
  }),
);

const stepArb = fc.record({ page: fc.constantFrom(...PAGES), gap: fc.constantFrom('', 'within 10 minutes ', 'after 2 minutes ', 'within 2 events '), exclude: fc.boolean() });
const sequenceArb = fc.array(stepArb, { minLength: 1, maxLength: 3 }).map(steps =>
  steps.map((s, i) => (i === 0 ? `page = "${s.page}"` : `then ${s.gap}${s.exclude && i < steps.length - 1 ? 'exclude ' : ''}page = "${s.page}"`)).join(' '),
);

/** The records with each session (a gap of more than 30 minutes starts one) as a person of its own. */
function sessionsAsPeople(records: EventRecord[]): EventRecord[] {
  const last = new Map<string, number>();
  const session = new Map<string, number>();
  return records.map(r => {
    const t = Date.parse(String(r.ts));
    const prev = last.get(String(r.person_id));
    const s = (session.get(String(r.person_id)) ?? 0) + (prev === undefined || t - prev > 30 * 60_000 ? 1 : 0);
    session.set(String(r.person_id), s);
    last.set(String(r.person_id), t);
    return { ...r, person_id: `${String(r.person_id)}-s${s}` };
  });
}

describe('only before / only after per session (against sessions as people)', () => {
  it('returns the events of the only-part of each session', () => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(recordsArb, sequenceArb, fc.constantFrom('before', 'after'), (records, seq, mode) => {
        const got = evaluateFilter(rule(`event where only ${mode} (${seq}) per session`), { dataView, dataset: dataset(records) }).eventMask;
        const want = evaluateFilter(rule(`person where only ${mode} (${seq})`), { dataView, dataset: dataset(sessionsAsPeople(records)) }).eventMask;
        assert.deepEqual(Array.from(got), Array.from(want), `${mode} (${seq})\n${JSON.stringify(records)}`);
        if (want.some(x => x === 1)) nonEmpty++;
        // Per person inside an event container is the person-level rule itself.
        const perPerson = evaluateFilter(rule(`event where only ${mode} (${seq}) per person`), { dataView, dataset: dataset(records) }).eventMask;
        const person = evaluateFilter(rule(`person where only ${mode} (${seq})`), { dataView, dataset: dataset(records) }).eventMask;
        assert.deepEqual(Array.from(perPerson), Array.from(person));
      }),
      { numRuns: 300, seed: 4242 },
    );
    assert.ok(nonEmpty >= 100, `${nonEmpty} cases return events`);
  });
});
