import * as assert from 'node:assert/strict';
import { parseIsoTimestamp, toEpochMs, toNumber } from '../../../core/src/data/values';

describe('timestamp and number values', () => {
  const t = Date.UTC(2026, 9, 1, 12, 30, 15, 250);

  it('reads epoch numbers below 1e11 as seconds, others as milliseconds', () => {
    assert.equal(toEpochMs(1790857815.25), 1790857815250);
    assert.equal(toEpochMs(1790857815250), 1790857815250);
    assert.equal(toEpochMs('1790857815'), 1790857815000);
    assert.equal(toEpochMs('1790857815250'), 1790857815250);
    assert.equal(toEpochMs(99_999_999_999), 99_999_999_999_000);
    assert.equal(toEpochMs(100_000_000_000), 100_000_000_000);
    assert.equal(toEpochMs(0), 0);
  });

  it('parses ISO-8601 forms; no offset means UTC', () => {
    assert.equal(toEpochMs('2026-10-01T12:30:15.250Z'), t);
    assert.equal(toEpochMs('2026-10-01T12:30:15.25Z'), t);
    assert.equal(toEpochMs('2026-10-01 12:30:15.250'), t);
    assert.equal(toEpochMs('2026-10-01T14:30:15.250+02:00'), t);
    assert.equal(toEpochMs('2026-10-01T07:00:15.250-0530'), t);
    assert.equal(toEpochMs('2026-10-01T12:30Z'), Date.UTC(2026, 9, 1, 12, 30));
    assert.equal(toEpochMs('2026-10-01'), Date.UTC(2026, 9, 1));
    assert.equal(toEpochMs('2028-02-29T00:00:00Z'), Date.UTC(2028, 1, 29));
    // Consecutive rows of different days must not reuse the previous day.
    assert.equal(toEpochMs('2026-10-02T00:00:00Z'), Date.UTC(2026, 9, 2));
  });

  it('rejects what is not a timestamp', () => {
    for (const bad of ['', 'yesterday', '2026-13-01', '2026-02-29', '2026-10-01T25:00Z', '2026-10-01T12:30:15Zjunk', '10/01/2026', 'NaN', null, undefined, {}, true]) {
      assert.ok(Number.isNaN(toEpochMs(bad)), `expected NaN for ${JSON.stringify(bad)}`);
    }
    assert.ok(Number.isNaN(parseIsoTimestamp('2026-10-01T12:30:15.Z')));
  });

  it('converts numbers strictly (blank is missing, not 0)', () => {
    assert.equal(toNumber('12.5'), 12.5);
    assert.equal(toNumber(' 7 '), 7);
    assert.equal(toNumber(3), 3);
    for (const bad of ['', '  ', 'abc', 'Infinity', null, undefined, true, {}]) assert.ok(Number.isNaN(toNumber(bad)), String(bad));
  });
});
