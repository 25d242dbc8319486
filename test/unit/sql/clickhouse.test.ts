/**
 * ClickHouse output run for real: current ClickHouse (26.x) in-process through the npm package
 * `chdb`, with its defaults (join_use_nulls = 0), on the example data. Every example filter that
 * compiles for ClickHouse must return exactly the engine's audience; the ones that do not run yet
 * are listed with the reason, and the test fails when one of them starts to work (so the list
 * shrinks with the compiler).
 */
import * as assert from 'node:assert/strict';
import { compileToSql } from '../../../core/src/sql/compile';
import { EXAMPLE_FILTERS, loadExamples, type Examples } from './examples';
import { ChDb, eventsTable } from './sqlHarness';

/** Example filters that do not run on ClickHouse yet, and why (docs/sql.md). */
const NOT_YET: Record<string, string> = {
  'no-checkout-this-quarter.filter.yaml': 'refused: exclude checkpoint (sql-dialect-unsupported)',
};

describe('ClickHouse 26 (chdb) against the engine, example filters', function () {
  this.timeout(300_000);
  let ch: ChDb;
  let examples: Examples;

  before(async () => {
    examples = await loadExamples();
    ch = await ChDb.open();
    ch.load('events', eventsTable(examples.ds, examples.dataView, true));
    assert.equal(ch.count('events'), examples.ds.eventCount);
  });

  after(() => ch?.close());

  it('runs most example filters (and the list of those that do not is exact)', () => {
    assert.ok(EXAMPLE_FILTERS.length >= 10);
    for (const f of Object.keys(NOT_YET)) assert.ok(EXAMPLE_FILTERS.includes(f), `${f} is no longer an example`);
  });

  for (const f of EXAMPLE_FILTERS) {
    it(`${f}: ${NOT_YET[f] ? `does not run yet (${NOT_YET[f]})` : "returns the engine's audience"}`, () => {
      const { rule, window, resolveFilter, expected: audience } = examples.case(f);
      const expected = audience.map(a => `${a.namespace}\t${a.id}`);
      const q = compileToSql(rule, examples.dataView, { dialect: 'clickhouse', table: 'events', orderColumn: 'event_order', window, resolveFilter });
      let got: string[] | undefined;
      let failure = q.problems.map(p => p.code).join(', ');
      if (q.sql) {
        try {
          got = ch.audience(q.sql).map(a => `${a.namespace}\t${a.id}`);
        } catch (e) {
          failure = (e as Error).message;
        }
      }
      if (NOT_YET[f]) {
        assert.equal(got, undefined, `${f} now runs on ClickHouse: take it off NOT_YET (it returned ${got?.length} identities; the engine ${expected.length})`);
        return;
      }
      assert.ok(got, `${f} failed on ClickHouse: ${failure}\n${q.sql}`);
      assert.ok(expected.length > 0, 'the example has members');
      assert.deepEqual(got, expected, q.sql);
    });
  }
});
