/**
 * Differential tests of the engine: random tiny datasets and random rules, compared with DuckDB
 * (SQL generated independently from the AST, non-sequential rules) and with a naive brute-force
 * evaluator (every rule, including sequences and only before / after). Any disagreement fails
 * with fast-check's seed and the shrunk counterexample, printed as rule text and event records.
 * Runs: FC_RUNS (default 500) per property; FC_SEED replays a failure.
 */
import * as assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import type { Dataset } from '../../../core/src/data/dataset';
import { describeExpr, evaluateFilter } from '../../../core/src/engine';
import type { Condition, Expr, GapConstraint, GapUnit, Literal, Operator, Rule, Scope, SequenceStep } from '../../../core/src/rule/ast';
import { dataset, dataView, type EventRecord } from './fixtures';
import { NaiveEvaluator, naiveEvents } from './naiveSequence';
import { OracleSql, sqlString } from './oracleSql';

const RUNS = Number(process.env.FC_RUNS ?? 500);
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const at = { start: 0, end: 0 };

// ---- random datasets ------------------------------------------------------------------------

const BASE = Date.parse('2026-01-31T10:00:00Z');
const STEP_MINUTES = [0, 1, 3, 10, 29, 31, 45, 120, 1440, 28 * 1440, 30 * 1440, 31 * 1440];
const PAGES = ['A', 'B', 'ab', 'Ab', 'a*b', undefined];
const CATEGORIES = ['x', 'y', 'X', 'x%_y', undefined];
const PRICES = [1, 2, 5, undefined];
const REVENUES = [0, 1, 2.5, undefined];
const ORDERS = [0, 1, undefined];

const recordsArb: fc.Arbitrary<EventRecord[]> = fc
  .array(
    fc.array(
      fc.record({
        step: fc.constantFrom(...STEP_MINUTES),
        page: fc.constantFrom(...PAGES),
        category: fc.constantFrom(...CATEGORIES),
        price: fc.constantFrom(...PRICES),
        revenue: fc.constantFrom(...REVENUES),
        orders: fc.constantFrom(...ORDERS),
      }),
      { minLength: 1, maxLength: 7 },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((people) =>
    people.flatMap((events, p) => {
      let t = BASE + p * 7 * 60_000;
      return events.map((e) => {
        t += e.step * 60_000;
        const r: EventRecord = { person_id: `p${p}`, ts: new Date(t).toISOString() };
        for (const k of ['page', 'category', 'price', 'revenue', 'orders'] as const) if (e[k] !== undefined) r[k] = e[k];
        return r;
      });
    }),
  );

// ---- random rules ---------------------------------------------------------------------------

const str = (value: string): Literal => ({ kind: 'string', value, ...at });
const num = (value: number): Literal => ({ kind: 'number', value, ...at });
const STRING_LITERALS = ['A', 'a', 'b', 'B', 'ab', 'x', 'X', 'y', '*', 'a*', '*b', 'a\\*b', 'x%', '%_y', '_', ''];
const STRING_OPS: Operator[] = ['eq', 'ne', 'in', 'notIn', 'contains', 'notContains', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'matches', 'notMatches', 'exists', 'notExists', 'lt', 'gt', 'le', 'ge', 'between'];
const NUMBER_OPS: Operator[] = ['eq', 'ne', 'in', 'notIn', 'lt', 'gt', 'le', 'ge', 'between', 'exists', 'notExists'];

function arity(op: Operator): 'none' | 'one' | 'two' | 'list' {
  if (op === 'exists' || op === 'notExists') return 'none';
  if (op === 'between') return 'two';
  if (op === 'in' || op === 'notIn' || op.endsWith('Any') || op.endsWith('All')) return 'list';
  return 'one';
}

function literalsArb(op: Operator, pool: fc.Arbitrary<Literal>): fc.Arbitrary<Literal[]> {
  const a = arity(op);
  if (a === 'none') return fc.constant([]);
  if (a === 'one') return pool.map((l) => [l]);
  if (a === 'two') return fc.tuple(pool, pool).map(([x, y]) => [x, y]);
  return fc.array(pool, { minLength: 1, maxLength: 3 });
}

function condition(subject: Condition['subject'], op: Operator, values: Literal[], caseInsensitive = false, attribution: Condition['attribution'] = 'repeating', attributionScope?: 'session' | 'person'): Condition {
  const c: Condition = { kind: 'condition', subject, op, opSpan: at, values, caseInsensitive, attribution, ...at };
  if (attributionScope) c.attributionScope = attributionScope;
  return c;
}

const field = (name: string) => ({ kind: 'field' as const, name, ...at });

const stringCondition = fc
  .record({
    name: fc.constantFrom('page', 'category'),
    op: fc.constantFrom(...STRING_OPS),
    ci: fc.boolean(),
    attribution: fc.constantFrom<Condition['attribution']>('repeating', 'repeating', 'instance', 'nonRepeatingInstance'),
    attributionScope: fc.constantFrom<'session' | 'person'>('session', 'person'),
  })
  .chain((r) =>
    literalsArb(r.op, fc.constantFrom(...STRING_LITERALS).map(str)).map((values) =>
      condition(field(r.name), r.op, values, r.ci, r.attribution, r.attribution === 'nonRepeatingInstance' ? r.attributionScope : undefined),
    ),
  );

const numberCondition = fc
  .record({ op: fc.constantFrom(...NUMBER_OPS), attribution: fc.constantFrom<Condition['attribution']>('repeating', 'instance') })
  .chain((r) => literalsArb(r.op, fc.constantFrom(0, 1, 2, 3, 5).map(num)).map((values) => condition(field('price'), r.op, values, false, r.attribution)));

const metricCondition = fc
  .record({ name: fc.constantFrom('revenue', 'orders'), op: fc.constantFrom(...NUMBER_OPS) })
  .chain((r) => literalsArb(r.op, fc.constantFrom(0, 1, 2, 2.5, 3.5).map(num)).map((values) => condition(field(r.name), r.op, values)));

const distinctCondition = fc
  .record({ name: fc.constantFrom('page', 'category'), op: fc.constantFrom<Operator>('eq', 'gt', 'ge', 'lt', 'between', 'exists', 'notExists') })
  .chain((r) => literalsArb(r.op, fc.constantFrom(0, 1, 2, 3).map(num)).map((values) => condition({ kind: 'countDistinct', name: r.name, ...at }, r.op, values)));

const anyCondition: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 4, arbitrary: stringCondition },
  { weight: 1, arbitrary: numberCondition },
  { weight: 2, arbitrary: metricCondition },
  { weight: 1, arbitrary: distinctCondition },
);

const SCOPES: Scope[] = ['person', 'session', 'event'];
const RANK: Record<Scope, number> = { person: 3, session: 2, event: 1 };

function exprArb(scope: Scope, depth: number): fc.Arbitrary<Expr> {
  if (depth <= 0) return anyCondition;
  const sub = exprArb(scope, depth - 1);
  const narrower = SCOPES.filter((s) => RANK[s] <= RANK[scope]);
  return fc.oneof(
    { weight: 3, arbitrary: anyCondition },
    { weight: 2, arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map((items): Expr => ({ kind: 'and', items, ...at })) },
    { weight: 2, arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map((items): Expr => ({ kind: 'or', items, ...at })) },
    { weight: 1, arbitrary: sub.map((operand): Expr => ({ kind: 'not', keyword: 'not', operand, ...at })) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...narrower).chain((s) => exprArb(s, depth - 1).map((body): Expr => ({ kind: 'container', scope: s, scopeSpan: at, body, ...at }))),
    },
  );
}

/** Rules print as rule text in fast-check's counterexamples. */
function printable(rule: Rule): Rule {
  Object.defineProperty(rule, fc.toStringMethod, { value: () => (rule.root ? describeExpr(rule.root) : '<empty>'), enumerable: false });
  return rule;
}

const plainRuleArb: fc.Arbitrary<Rule> = fc
  .constantFrom(...SCOPES)
  .chain((scope) => exprArb(scope, 3).map((body): Rule => printable({ root: { kind: 'container', scope, scopeSpan: at, body, ...at }, comments: [] })));

const simpleEventCondition: fc.Arbitrary<Expr> = fc.oneof(
  fc.record({ v: fc.constantFrom('A', 'B', 'ab', 'Ab'), op: fc.constantFrom<Operator>('eq', 'eq', 'contains', 'startsWith') }).map(({ v, op }) => condition(field('page'), op, [str(v)])),
  fc.constantFrom('x', 'y').map((v) => condition(field('category'), 'eq', [str(v)])),
  fc.constantFrom(1, 2).map((v) => condition(field('revenue'), 'ge', [num(v)])),
);

const checkpointArb: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 5, arbitrary: simpleEventCondition },
  { weight: 1, arbitrary: simpleEventCondition.map((body): Expr => ({ kind: 'container', scope: 'event', scopeSpan: at, body, ...at })) },
  { weight: 2, arbitrary: simpleEventCondition.map((body): Expr => ({ kind: 'container', scope: 'session', scopeSpan: at, body, ...at })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ mode: fc.constantFrom<'all' | 'any'>('all', 'any'), items: fc.array(simpleEventCondition, { minLength: 2, maxLength: 2 }) })
      .map(({ mode, items }): Expr => ({ kind: 'logicGroup', mode, items, ...at })),
  },
);

const gapUnitArb: fc.Arbitrary<[GapUnit, number[]]> = fc.constantFrom<[GapUnit, number[]]>(
  [{ kind: 'time', unit: 'minute' }, [1, 5, 30, 45]],
  [{ kind: 'time', unit: 'hour' }, [1, 2]],
  [{ kind: 'time', unit: 'day' }, [1]],
  [{ kind: 'time', unit: 'week' }, [4]],
  [{ kind: 'time', unit: 'month' }, [1]],
  [{ kind: 'event' }, [0, 1, 2, 3]],
  [{ kind: 'session' }, [0, 1, 2]],
  [{ kind: 'dimension', name: { name: 'page', ...at } }, [1, 2]],
);

const constraintArb: fc.Arbitrary<GapConstraint> = fc
  .tuple(gapUnitArb, fc.constantFrom<'within' | 'after'>('within', 'after'), fc.nat(3))
  .map(([[unit, counts], limit, k]) => ({ limit, count: counts[k % counts.length], unit, ...at }));

const stepArb = (exclude: boolean): fc.Arbitrary<SequenceStep> =>
  fc.record({ checkpoint: checkpointArb, constraints: fc.array(constraintArb, { maxLength: 2 }) }).map(({ checkpoint, constraints }) => ({ exclude, constraints, checkpoint, ...at }));

const sequenceRuleArb: fc.Arbitrary<Rule> = fc
  .record({
    scope: fc.constantFrom<Scope>('person', 'person', 'session'),
    positives: fc.array(stepArb(false), { minLength: 1, maxLength: 3 }),
    excludes: fc.array(fc.tuple(fc.nat(3), stepArb(true)), { maxLength: 2 }),
    only: fc.constantFrom<'none' | 'before' | 'after'>('none', 'none', 'before', 'after'),
  })
  .map(({ scope, positives, excludes, only }) => {
    const steps: SequenceStep[] = [];
    positives.forEach((p, k) => {
      for (const [pos, x] of excludes) if (pos === k) steps.push(x);
      steps.push(p);
    });
    for (const [pos, x] of excludes) if (pos >= positives.length) steps.push(x);
    steps[0] = { ...steps[0], constraints: [] };
    const seq: Expr = { kind: 'sequence', steps, ...at };
    const body: Expr = only === 'none' ? seq : { kind: 'only', mode: only, sequence: seq as Expr & { kind: 'sequence' }, ...at };
    return printable({ root: { kind: 'container', scope, scopeSpan: at, body, ...at }, comments: [] });
  });

const windowArb = fc.option(fc.tuple(fc.nat(12), fc.nat(12)), { freq: 3 });

function windowFor(ds: Dataset, w: [number, number] | null): { from: number; to: number } | undefined {
  if (!w || ds.eventCount === 0) return undefined;
  const times = Array.from(ds.timestamps).sort((a, b) => a - b);
  const a = times[w[0] % times.length];
  const b = times[w[1] % times.length];
  return { from: Math.min(a, b), to: Math.max(a, b) + 1 };
}

// ---- comparison -----------------------------------------------------------------------------

function engineReturned(rule: Rule, ds: Dataset, window?: { from: number; to: number }): number[] {
  const result = evaluateFilter(rule, { dataView, dataset: ds, window });
  const out: number[] = [];
  for (let i = 0; i < result.eventMask.length; i++) if (result.eventMask[i]) out.push(i);
  return out;
}

function story(rule: Rule, records: EventRecord[], window?: { from: number; to: number }): string {
  const w = window ? `\nwindow: ${new Date(window.from).toISOString()} .. ${new Date(window.to).toISOString()} (exclusive)` : '';
  return `\nrule: ${rule.root ? describeExpr(rule.root) : '<empty>'}${w}\nrecords:\n${records.map((r) => JSON.stringify(r)).join('\n')}`;
}

describe('engine differential tests', function () {
  this.timeout(120_000);
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  const oracle = new OracleSql(dataView);

  before(async () => {
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    await conn.run('CREATE TABLE ev(idx INTEGER, person INTEGER, session INTEGER, ts DOUBLE, page VARCHAR, category VARCHAR, price DOUBLE, revenue DOUBLE, orders DOUBLE)');
  });
  after(() => {
    conn.closeSync();
  });

  async function load(ds: Dataset): Promise<void> {
    await conn.run('DELETE FROM ev');
    const cell = (name: string, i: number) => {
      const col = ds.columns.get(name)!;
      if (col.kind === 'string') return col.codes[i] >= 0 ? sqlString(col.dictionary[col.codes[i]]) : 'NULL';
      return Number.isNaN(col.values[i]) ? 'NULL' : String(col.values[i]);
    };
    const rows: string[] = [];
    for (let i = 0; i < ds.eventCount; i++) {
      rows.push(`(${i}, ${ds.person[i]}, ${ds.session[i]}, ${ds.timestamps[i]}, ${['page', 'category', 'price', 'revenue', 'orders'].map((c) => cell(c, i)).join(', ')})`);
    }
    await conn.run(`INSERT INTO ev VALUES ${rows.join(', ')}`);
  }

  it(`agrees with DuckDB and the naive evaluator on non-sequential rules (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, plainRuleArb, windowArb, async (records, rule, w) => {
        const ds = dataset(records);
        const window = windowFor(ds, w);
        const engine = engineReturned(rule, ds, window);
        await load(ds);
        const rows = (await conn.runAndReadAll(oracle.returnedEvents(rule, window))).getRows();
        const duck = rows.map((r) => Number(r[0]));
        assert.deepEqual(engine, duck, `engine and DuckDB disagree on the returned events${story(rule, records, window)}`);
        const naive = [...new NaiveEvaluator(dataView).returned(rule, naiveEvents(ds, dataView, window))].sort((a, b) => a - b);
        assert.deepEqual(engine, naive, `engine and the naive evaluator disagree${story(rule, records, window)}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`agrees with the naive evaluator on sequences, only before / after (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(recordsArb, sequenceRuleArb, windowArb, (records, rule, w) => {
        const ds = dataset(records);
        const window = windowFor(ds, w);
        const engine = engineReturned(rule, ds, window);
        const naive = [...new NaiveEvaluator(dataView).returned(rule, naiveEvents(ds, dataView, window))].sort((a, b) => a - b);
        assert.deepEqual(engine, naive, `engine and the naive evaluator disagree on a sequence${story(rule, records, window)}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
