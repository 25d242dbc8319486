/**
 * Random filters and random datasets for the SQL differential tests (every dialect shares them):
 * containers, every operator, attribution, totals, distinct counts, sequences with every gap
 * unit, exclude checkpoints, container and logic-group checkpoints, only before/after, windows.
 */
import fc from 'fast-check';
import type { DataView } from '../../../core/src/dataview/model';
import type { Condition, Expr, GapConstraint, GapUnit, Literal, Operator, Rule, Scope, SequenceStep } from '../../../core/src/rule/ast';

// ---- random data --------------------------------------------------------------------------------

export const RANDOM_VIEW: DataView = {
  id: 'random',
  uri: '/fixtures/random.dataview.yaml',
  timestampField: 'ts',
  sessionTimeoutMinutes: 30,
  files: [],
  dimensions: [
    { name: 'page', type: 'string', field: 'page', adobeId: 'variables/page' },
    { name: 'category', type: 'string', field: 'marketing.category', adobeId: 'variables/category' },
    { name: 'price', type: 'number', field: 'price', adobeId: 'variables/price' },
  ],
  metrics: [
    { name: 'revenue', field: 'revenue', adobeId: 'metrics/revenue' },
    { name: 'orders', field: 'orders', adobeId: 'metrics/orders' },
  ],
};

const BASE = Date.parse('2026-01-31T10:00:00Z');
const STEPS = [0, 1, 3, 10, 29, 31, 45, 120, 1440, 28 * 1440, 30 * 1440, 31 * 1440];
// 'ｚ' (U+FF5A) and '😀' (U+1F600, a surrogate pair) order differently by code units and by code points.
const PAGES = ['A', 'B', 'ab', 'Ab', 'a*b', "o'k", 'ｚ', '😀', undefined];
const PERSON_IDS = ['p0', '😀1', 'ｚ2', 'p3', '😀4'];
const CATEGORIES = ['x', 'y', 'X', 'x%_y', undefined];
const PRICES = [1, 2, 5, 2.5, undefined];
const REVENUES = [0, 1, 2.5, undefined];
const ORDERS = [0, 1, undefined];

export type Rec = Record<string, unknown>;

export const recordsArb: fc.Arbitrary<Rec[]> = fc
  .array(
    fc.array(
      fc.record({
        step: fc.constantFrom(...STEPS),
        page: fc.constantFrom(...PAGES),
        category: fc.constantFrom(...CATEGORIES),
        price: fc.constantFrom(...PRICES),
        revenue: fc.constantFrom(...REVENUES),
        orders: fc.constantFrom(...ORDERS),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map(people =>
    people.flatMap((events, p) => {
      let t = BASE + p * 7 * 60_000;
      return events.map(e => {
        t += e.step * 60_000;
        const r: Rec = { person_id: PERSON_IDS[p], ns: p % 2 ? 'Email' : 'ECID', ts: new Date(t).toISOString() };
        if (e.page !== undefined) r.page = e.page;
        if (e.category !== undefined) r.marketing = { category: e.category };
        if (e.price !== undefined) r.price = e.price;
        if (e.revenue !== undefined) r.revenue = e.revenue;
        if (e.orders !== undefined) r.orders = e.orders;
        return r;
      });
    }),
  );

// ---- random rules -------------------------------------------------------------------------------

const at = { start: 0, end: 0 };
const str = (value: string): Literal => ({ kind: 'string', value, ...at });
const num = (value: number): Literal => ({ kind: 'number', value, ...at });
const STRING_LITERALS = ['A', 'a', 'b', 'B', 'ab', 'x', 'X', 'y', '*', 'a*', '*b', 'a\\*b', 'x%', '%_y', '_', "o'k", '', 'ｚ', '😀'];
const STRING_OPS: Operator[] = ['eq', 'ne', 'in', 'notIn', 'contains', 'notContains', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'matches', 'notMatches', 'exists', 'notExists', 'lt', 'gt', 'le', 'ge', 'between'];
const NUMBER_OPS: Operator[] = ['eq', 'ne', 'in', 'notIn', 'lt', 'gt', 'le', 'ge', 'between', 'exists', 'notExists'];

function literalsArb(op: Operator, pool: fc.Arbitrary<Literal>): fc.Arbitrary<Literal[]> {
  if (op === 'exists' || op === 'notExists') return fc.constant([]);
  if (op === 'between') return fc.tuple(pool, pool);
  if (['in', 'notIn', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll'].includes(op)) return fc.array(pool, { minLength: 1, maxLength: 3 });
  return pool.map(l => [l]);
}

function condition(subject: Condition['subject'], op: Operator, values: Literal[], caseInsensitive = false, attribution: Condition['attribution'] = 'repeating', attributionScope?: 'session' | 'person'): Condition {
  const c: Condition = { kind: 'condition', subject, op, opSpan: at, values, caseInsensitive, attribution, ...at };
  if (attributionScope) c.attributionScope = attributionScope;
  return c;
}

const field = (name: string) => ({ kind: 'field' as const, name, ...at });

const stringCondition: fc.Arbitrary<Expr> = fc
  .tuple(fc.constantFrom('page', 'category'), fc.constantFrom(...STRING_OPS), fc.boolean(), fc.constantFrom<Condition['attribution']>('repeating', 'repeating', 'instance', 'nonRepeatingInstance'), fc.constantFrom<'session' | 'person'>('session', 'person'))
  .chain(([name, op, ci, attribution, scope]) =>
    literalsArb(op, fc.constantFrom(...STRING_LITERALS).map(str)).map(values => condition(field(name), op, values, ci, attribution, attribution === 'nonRepeatingInstance' ? scope : undefined)),
  );
const numberPool = fc.oneof(fc.constantFrom(0, 1, 2, 2.5, 3, 5).map(num), fc.constantFrom('2', 'x').map(str));
const numberCondition: fc.Arbitrary<Expr> = fc.constantFrom(...NUMBER_OPS).chain(op => literalsArb(op, numberPool).map(values => condition(field('price'), op, values)));
const metricCondition: fc.Arbitrary<Expr> = fc
  .tuple(fc.constantFrom('revenue', 'orders'), fc.constantFrom(...NUMBER_OPS))
  .chain(([name, op]) => literalsArb(op, fc.constantFrom(0, 1, 2, 2.5, 3).map(num)).map(values => condition(field(name), op, values)));
const distinctCondition: fc.Arbitrary<Expr> = fc
  .tuple(fc.constantFrom('page', 'price'), fc.constantFrom<Operator>('eq', 'gt', 'ge', 'lt', 'between', 'exists'))
  .chain(([name, op]) => literalsArb(op, fc.constantFrom(0, 1, 2, 3).map(num)).map(values => condition({ kind: 'countDistinct', name, ...at }, op, values)));

const anyCondition: fc.Arbitrary<Expr> = fc.oneof({ weight: 4, arbitrary: stringCondition }, { weight: 2, arbitrary: numberCondition }, { weight: 2, arbitrary: metricCondition }, { weight: 1, arbitrary: distinctCondition });

const RANK: Record<Scope, number> = { person: 3, session: 2, event: 1 };

function exprArb(scope: Scope, depth: number): fc.Arbitrary<Expr> {
  if (depth <= 0) return anyCondition;
  const sub = exprArb(scope, depth - 1);
  const inner: Scope[] = (['session', 'event'] as Scope[]).filter(s => RANK[s] < RANK[scope]);
  const options: Array<fc.WeightedArbitrary<Expr>> = [
    { weight: 4, arbitrary: anyCondition },
    { weight: 2, arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map(items => ({ kind: 'and' as const, items, ...at })) },
    { weight: 2, arbitrary: fc.array(sub, { minLength: 2, maxLength: 3 }).map(items => ({ kind: 'or' as const, items, ...at })) },
    { weight: 1, arbitrary: sub.map(operand => ({ kind: 'not' as const, keyword: 'not' as const, operand, ...at })) },
  ];
  for (const s of inner) options.push({ weight: 2, arbitrary: exprArb(s, depth - 1).map(body => ({ kind: 'container' as const, scope: s, scopeSpan: at, body, ...at })) });
  if (scope !== 'event') options.push({ weight: 2, arbitrary: sequenceArb(scope, false) });
  return fc.oneof(...options);
}

const eventCondition = fc.oneof(stringCondition, numberCondition, metricCondition);

const checkpointArb = (scope: Scope): fc.Arbitrary<Expr> =>
  fc.oneof(
    { weight: 4, arbitrary: eventCondition.map(body => ({ kind: 'container' as const, scope: 'event' as const, scopeSpan: at, body, ...at })) },
    { weight: 2, arbitrary: eventCondition },
    ...(scope === 'person' ? [{ weight: 1, arbitrary: exprArb('session', 1).map(body => ({ kind: 'container' as const, scope: 'session' as const, scopeSpan: at, body, ...at })) }] : []),
    { weight: 1, arbitrary: fc.array(eventCondition, { minLength: 2, maxLength: 2 }).map(items => ({ kind: 'logicGroup' as const, mode: 'any' as const, items, ...at })) },
  );

const gapUnitArb: fc.Arbitrary<[GapUnit, number[]]> = fc.constantFrom<[GapUnit, number[]]>(
  [{ kind: 'time', unit: 'minute' }, [0, 1, 10, 30, 45]],
  [{ kind: 'time', unit: 'hour' }, [1, 2]],
  [{ kind: 'time', unit: 'day' }, [1, 28, 30]],
  [{ kind: 'time', unit: 'week' }, [1, 4]],
  [{ kind: 'time', unit: 'month' }, [1]],
  [{ kind: 'time', unit: 'quarter' }, [1]],
  [{ kind: 'event' }, [0, 1, 2]],
  [{ kind: 'session' }, [0, 1]],
  [{ kind: 'dimension', name: { name: 'page', ...at } }, [0, 1, 2]],
);

const constraintArb: fc.Arbitrary<GapConstraint> = fc
  .tuple(fc.constantFrom<'within' | 'after'>('within', 'after'), gapUnitArb)
  .chain(([limit, [unit, counts]]) => fc.constantFrom(...counts).map(count => ({ limit, count, unit, ...at })));

function sequenceArb(scope: Scope, allowOnly: boolean): fc.Arbitrary<Expr> {
  const step = (exclude: boolean) => fc.tuple(checkpointArb(scope), fc.array(constraintArb, { maxLength: 2 })).map(([checkpoint, constraints]): SequenceStep => ({ exclude, constraints, checkpoint, ...at }));
  return fc
    .tuple(fc.array(fc.tuple(fc.boolean(), fc.nat(3)), { minLength: 1, maxLength: 4 }), allowOnly ? fc.constantFrom('plain', 'plain', 'before', 'after') : fc.constant('plain'))
    .chain(([shape, mode]) =>
      fc.tuple(...shape.map(([maybeExclude, r]) => step(maybeExclude && r === 0))).map(steps => {
        steps[0] = { ...steps[0], constraints: [] };
        if (steps.every(s => s.exclude) && mode !== 'plain') steps[0] = { ...steps[0], exclude: false };
        const sequence = { kind: 'sequence' as const, steps, ...at };
        return mode === 'plain' ? sequence : { kind: 'only' as const, mode: mode as 'before' | 'after', sequence, ...at };
      }),
    );
}

export const ruleArb: fc.Arbitrary<Rule> = fc.oneof(
  fc.constantFrom<Scope>('person', 'session', 'event').chain(scope => exprArb(scope, 2).map(body => ({ root: { kind: 'container' as const, scope, scopeSpan: at, body, ...at }, comments: [] }))),
  fc.constantFrom<Scope>('person', 'session').chain(scope => sequenceArb(scope, true).map(body => ({ root: { kind: 'container' as const, scope, scopeSpan: at, body, ...at }, comments: [] }))),
);

const windowArb = fc.option(fc.tuple(fc.nat(12), fc.nat(20)), { freq: 3 });

export const caseArb = fc.tuple(recordsArb, ruleArb, windowArb).map(([records, rule, w]) => {
  let window: { from: number; to: number } | undefined;
  if (w) {
    const from = BASE + w[0] * 5 * 86_400_000 - 86_400_000;
    window = { from, to: from + (w[1] + 1) * 3 * 86_400_000 };
  }
  return { records, rule, window };
});
