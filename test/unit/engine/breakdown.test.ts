import * as assert from 'node:assert/strict';
import { breakdownByDimension } from '../../../core/src/breakdown';
import { evaluateFilter } from '../../../core/src/engine';
import { dataset, dataView, ev, pages, rule } from './fixtures';

describe('breakdownByDimension: matched people per value', () => {
  const records = [
    ...pages('p1', ['A', 'B', 'A']),
    ...pages('p2', ['B', 'C']),
    ...pages('p3', ['A']),
    ev('p4', '10:00', { category: 'x' }),
    ev('p4', '10:01', { page: 'D' }),
    ...pages('p5', ['C']),
    ev('p6', '10:00', { category: 'x', price: 5 }),
  ];
  const ds = dataset(records);
  const mask = (text: string) => evaluateFilter(rule(text), { dataView, dataset: ds }).eventMask;

  it('counts a person once per value of the events the filter returns, most people first', () => {
    // A person container returns every event of p1, p2 and p4.
    assert.deepEqual(breakdownByDimension(ds, mask('person where event where page in ("B", "D")'), 'page'), {
      dimension: 'page',
      values: [{ value: 'B', people: 2 }, { value: 'A', people: 1 }, { value: 'C', people: 1 }, { value: 'D', people: 1 }],
      distinctValues: 4,
      missingPeople: 0,
    });
  });

  it('counts only returned events, honours the limit, and counts people without a value', () => {
    // An event container returns only the matching events: p4's and p6's `category` events, which have no page.
    assert.deepEqual(breakdownByDimension(ds, mask('event where page = "C" or category = "x"'), 'page', 1), {
      dimension: 'page',
      values: [{ value: 'C', people: 2 }],
      distinctValues: 1,
      missingPeople: 2,
    });
  });

  it('breaks down by a number dimension', () => {
    assert.deepEqual(breakdownByDimension(ds, mask('person where event where category = "x"'), 'price')?.values, [{ value: '5', people: 1 }]);
  });

  it('is undefined for a column the dataset does not have', () => {
    assert.equal(breakdownByDimension(ds, mask('person where event where page = "A"'), 'nope'), undefined);
  });
});
