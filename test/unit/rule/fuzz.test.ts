import * as assert from 'assert';
import * as fc from 'fast-check';
import { parseRule } from '../../../core/src/rule/parser';
import { printRule } from '../../../core/src/rule/printer';
import { walkExpr } from '../../../core/src/rule/walk';
import { ruleArbitrary } from './arbitraries';

/**
 * Parses (and prints the result, as the formatter would), asserting no throw and a sane result.
 * No time is asserted: a hang or a quadratic blow-up on the 1 MB inputs below (10^12 steps) runs
 * into the suite's timeout; the parser's speed is measured by `npm run bench`.
 */
function survive(text: string): void {
  const { rule, diagnostics } = parseRule(text);
  for (const d of diagnostics) {
    assert.ok(d.start >= 0 && d.start <= d.end && d.end <= text.length, `diagnostic ${d.code} out of range: ${d.start}-${d.end}`);
    assert.match(d.code, /^rule-[a-z-]+$/);
  }
  if (rule.root) {
    walkExpr(rule.root, node => {
      assert.ok(node.start <= node.end, `${node.kind} span ${node.start}-${node.end}`);
    });
    printRule(rule);
  }
}

const FRAGMENTS = [
  'person', 'session', 'event', 'where', 'and', 'or', 'not', 'exclude', 'then', 'within', 'after', '30', 'minutes', 'day',
  'instances', 'of', 'page', '=', '!=', '<', '>=', 'in', 'contains', 'any', 'all', 'starts', 'with', 'matches', 'exists',
  'between', '(', ')', ',', '[', ']', 'instance', 'non-repeating', 'per', 'ignoring', 'case', '"x"', '"unterminated',
  '-1.5', '1.2.3', 'count', 'distinct', 'filter', 'a-b', 'only', 'before', '# comment\n', '\n', '@', '\\', '"a\\"b"',
];

describe('rule parser: fuzz', function () {
  this.timeout(120_000);

  it('never throws on random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), survive), { numRuns: 2000 });
  });

  it('never throws on random sequences of rule tokens', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), parts => survive(parts.join(' '))), { numRuns: 3000 });
  });

  it('never throws on mutated valid rules', () => {
    const mutation = fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom('', ...FRAGMENTS));
    fc.assert(
      fc.property(ruleArbitrary(3), fc.array(mutation, { minLength: 1, maxLength: 4 }), (rule, mutations) => {
        let text = printRule(rule);
        for (const [at, length, insert] of mutations) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + length);
        }
        survive(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('handles 10,000-deep nesting with one rule-too-deep diagnostic', () => {
    for (const text of [
      'person where ' + '('.repeat(10_000) + 'a = 1' + ')'.repeat(10_000),
      'person where ' + '('.repeat(10_000),
      'person where ' + 'not '.repeat(10_000) + 'a = 1',
      'person where ' + 'session where '.repeat(10_000) + 'a = 1',
      'person where ' + 'all of ('.repeat(10_000) + 'a = 1' + ')'.repeat(10_000),
      ')'.repeat(10_000),
    ]) {
      survive(text);
      const deep = parseRule(text).diagnostics.filter(d => d.code === 'rule-too-deep');
      assert.ok(deep.length <= 1);
    }
    const { diagnostics } = parseRule('person where ' + '('.repeat(10_000) + 'a = 1' + ')'.repeat(10_000));
    assert.deepStrictEqual(diagnostics.map(d => d.code), ['rule-too-deep']);
  });

  it('handles 1 MB inputs', () => {
    const condition = 'page_name contains "checkout" and ';
    const long = 'person where ' + condition.repeat(Math.ceil(1_000_000 / condition.length)) + 'x = 1';
    survive(long);
    assert.deepStrictEqual(parseRule(long).diagnostics, []);
    const steps = 'person where a = 1' + ' then within 30 minutes exclude event where b = 2'.repeat(20_000);
    survive(steps);
    survive('"'.repeat(1_000_000));
    survive('@'.repeat(1_000_000));
    survive('person where a in (' + '"v", '.repeat(200_000) + '"w")');
    survive('person where ' + 'a = 1 and b = 2 or '.repeat(50_000) + 'c = 3');
    survive('#'.repeat(1_000_000));
    survive('1.'.repeat(500_000));
    const rand = fc.sample(fc.string({ unit: 'binary', minLength: 1_000_000, maxLength: 1_000_000 }), { numRuns: 1, seed: 42 })[0];
    survive(rand);
    const tokens = fc.sample(fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 200_000, maxLength: 200_000 }), { numRuns: 1, seed: 7 })[0];
    survive(tokens.join(' '));
  });
});
