/** fast-check generators of valid rule trees (spans zeroed: compare with `stripSpans`). */
import * as fc from 'fast-check';
import type { Condition, Container, Expr, GapConstraint, GapUnit, Literal, OnlySequence, Operator, Rule, Scope, Sequence, SequenceStep } from '../../../core/src/rule/ast';
import { RESERVED_WORDS } from '../../../core/src/rule/parser';

const Z = { start: 0, end: 0 };

export const fieldName: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}(\.[A-Za-z0-9_]{1,5}){0,2}$/)
  .filter(n => !RESERVED_WORDS.has(n));

// An id spelled like an operator word (`filter exists`) reads as a condition on a field named `filter`.
const filterId = fc.stringMatching(/^[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}$/).filter(id => !['in', 'not', 'contains', 'starts', 'ends', 'matches', 'exists', 'between'].includes(id));

const stringValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\\*', 'a\\', '\\', '"', '\\"', '\\n', '\n', 'adob*', '\\\\*', 'x\\ty'),
);

const numberValue = fc.oneof(
  fc.integer({ min: -1000, max: 100000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 1e-7, 123.456, -0.5),
);

const literal: fc.Arbitrary<Literal> = fc.oneof(
  stringValue.map(value => ({ kind: 'string' as const, value, ...Z })),
  numberValue.map(value => ({ kind: 'number' as const, value, ...Z })),
);

const ONE: Operator[] = ['eq', 'ne', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'matches', 'notMatches', 'lt', 'gt', 'le', 'ge'];
const LIST: Operator[] = ['in', 'notIn', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll'];

export const condition: fc.Arbitrary<Condition> = fc
  .record({
    subject: fc.record({ kind: fc.constantFrom('field' as const, 'countDistinct' as const), name: fieldName }),
    opValues: fc.oneof(
      fc.tuple(fc.constantFrom(...ONE), fc.array(literal, { minLength: 1, maxLength: 1 })),
      fc.tuple(fc.constantFrom(...LIST), fc.array(literal, { minLength: 1, maxLength: 4 })),
      fc.tuple(fc.constantFrom<Operator>('exists', 'notExists'), fc.constant([] as Literal[])),
      fc.tuple(fc.constant<Operator>('between'), fc.array(literal, { minLength: 2, maxLength: 2 })),
    ),
    caseInsensitive: fc.boolean(),
    attribution: fc.constantFrom('repeating' as const, 'instance' as const, 'nonRepeatingInstance' as const),
    scope: fc.constantFrom('session' as const, 'person' as const),
  })
  .map(r => {
    const c: Condition = {
      kind: 'condition',
      ...Z,
      subject: { ...r.subject, ...Z },
      op: r.opValues[0],
      opSpan: { ...Z },
      values: r.opValues[1],
      caseInsensitive: r.caseInsensitive,
      attribution: r.attribution,
    };
    if (r.attribution === 'nonRepeatingInstance') c.attributionScope = r.scope;
    return c;
  });

const gapUnit: fc.Arbitrary<GapUnit> = fc.oneof(
  fc.constantFrom('minute', 'hour', 'day', 'week', 'month', 'quarter', 'year').map(unit => ({ kind: 'time' as const, unit: unit as 'minute' })),
  fc.constant({ kind: 'event' as const }),
  fc.constant({ kind: 'session' as const }),
  fieldName.map(name => ({ kind: 'dimension' as const, name: { name, ...Z } })),
);

const gap: fc.Arbitrary<GapConstraint> = fc.record({ limit: fc.constantFrom('within' as const, 'after' as const), count: fc.nat(400), unit: gapUnit }).map(g => ({ ...g, ...Z }));

const scope = fc.constantFrom<Scope>('person', 'session', 'event');

/** `only (…) per <scope>` when a scope is given (the key is absent otherwise, as the parser leaves it). */
function withPer(o: OnlySequence, per: Scope | undefined): OnlySequence {
  if (per) o.scope = per;
  return o;
}

export function exprArbitrary(maxDepth: number): fc.Arbitrary<Expr> {
  const { expr } = fc.letrec<{ expr: Expr; sequence: Sequence }>(tie => ({
    expr: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      condition,
      filterId.map(name => ({ kind: 'filterRef' as const, ...Z, id: { name, ...Z } })),
      fc.record({ scope, body: tie('expr') }).map(r => ({ kind: 'container' as const, ...Z, scope: r.scope, scopeSpan: { ...Z }, body: r.body }) as Container),
      fc.array(tie('expr'), { minLength: 2, maxLength: 4 }).map(items => ({ kind: 'and' as const, ...Z, items })),
      fc.array(tie('expr'), { minLength: 2, maxLength: 4 }).map(items => ({ kind: 'or' as const, ...Z, items })),
      fc.record({ keyword: fc.constantFrom('not' as const, 'exclude' as const), operand: tie('expr') }).map(r => ({ kind: 'not' as const, ...Z, ...r })),
      tie('sequence'),
      fc.record({ mode: fc.constantFrom('all' as const, 'any' as const), items: fc.array(tie('expr'), { minLength: 1, maxLength: 3 }) }).map(r => ({ kind: 'logicGroup' as const, ...Z, ...r })),
      fc.record({ mode: fc.constantFrom('before' as const, 'after' as const), sequence: tie('sequence'), per: fc.option(scope, { nil: undefined }) }).map(r => withPer({ kind: 'only' as const, ...Z, mode: r.mode, sequence: r.sequence }, r.per)),
      fc.record({ mode: fc.constantFrom('before' as const, 'after' as const), checkpoint: tie('expr'), per: fc.option(scope, { nil: undefined }) }).map(r => withPer({
        kind: 'only' as const,
        ...Z,
        mode: r.mode,
        sequence: { kind: 'sequence' as const, ...Z, steps: [{ ...Z, exclude: false, constraints: [], checkpoint: r.checkpoint }] },
      }, r.per)),
    ),
    sequence: fc
      .array(fc.record({ exclude: fc.boolean(), constraints: fc.array(gap, { maxLength: 2 }), checkpoint: tie('expr') }), { minLength: 2, maxLength: 4 })
      .map(steps => ({
        kind: 'sequence' as const,
        ...Z,
        steps: steps.map((s, i): SequenceStep => ({ ...Z, exclude: s.exclude, constraints: i === 0 ? [] : s.constraints, checkpoint: s.checkpoint })),
      })),
  }));
  return expr;
}

export function ruleArbitrary(maxDepth = 4): fc.Arbitrary<Rule> {
  return fc
    .record({ scope, body: exprArbitrary(maxDepth) })
    .map(r => ({ root: { kind: 'container' as const, ...Z, scope: r.scope, scopeSpan: { ...Z }, body: r.body }, comments: [] }));
}
