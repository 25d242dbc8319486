import * as assert from 'assert';
import * as fc from 'fast-check';
import { parseRule } from '../../../core/src/rule/parser';
import { printRule } from '../../../core/src/rule/printer';
import { stripSpans } from '../../../core/src/rule/walk';
import type { Rule } from '../../../core/src/rule/ast';
import { ruleArbitrary } from './arbitraries';

function roundTrip(rule: Rule): { text: string; reparsed: Rule } {
  const text = printRule(rule);
  const { rule: reparsed, diagnostics } = parseRule(text);
  const errors = diagnostics.filter(d => d.severity === 'error');
  assert.deepStrictEqual(errors, [], `printed text has errors:\n${text}`);
  return { text, reparsed };
}

describe('rule printer and parser: properties', function () {
  this.timeout(120_000);
  it('print → parse gives back the same tree (without spans)', () => {
    fc.assert(
      fc.property(ruleArbitrary(), rule => {
        const { text, reparsed } = roundTrip(rule);
        assert.deepStrictEqual(stripSpans(reparsed.root), stripSpans(rule.root), `printed:\n${text}`);
      }),
      { numRuns: 1500 },
    );
  });

  it('printing is idempotent', () => {
    fc.assert(
      fc.property(ruleArbitrary(), rule => {
        const { text, reparsed } = roundTrip(rule);
        assert.strictEqual(printRule(reparsed), text);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every comment, and printing with comments is idempotent', () => {
    fc.assert(
      fc.property(ruleArbitrary(3), fc.array(fc.tuple(fc.nat(), fc.stringMatching(/^[^\n\r]{0,12}$/)), { maxLength: 5 }), (rule, inserts) => {
        const lines = printRule(rule).split('\n');
        for (const [at, text] of inserts) lines.splice(at % (lines.length + 1), 0, `# ${text}`);
        const withComments = lines.join('\n');
        const parsed = parseRule(withComments);
        const once = printRule(parsed.rule);
        const again = parseRule(once);
        assert.deepStrictEqual(stripSpans(again.rule.root), stripSpans(parsed.rule.root), once);
        assert.deepStrictEqual(
          again.rule.comments.map(c => c.text.trimEnd()),
          parsed.rule.comments.map(c => c.text.trimEnd()),
        );
        assert.strictEqual(printRule(again.rule), once);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps comments written at the end of any line, idempotently', () => {
    fc.assert(
      fc.property(ruleArbitrary(4), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (rule, offsets) => {
        let text = printRule(rule);
        const spaces = [...text.matchAll(/ /g)].map(m => m.index);
        fc.pre(spaces.length > 0);
        const chosen = [...new Set(offsets.map(o => spaces[o % spaces.length]))].sort((a, b) => b - a);
        for (const at of chosen) text = `${text.slice(0, at)} # c${at}\n${text.slice(at)}`;
        const parsed = parseRule(text);
        fc.pre(parsed.diagnostics.length === 0); // not cut inside a string
        const once = printRule(parsed.rule);
        const again = parseRule(once);
        assert.deepStrictEqual(stripSpans(again.rule.root), stripSpans(parsed.rule.root), once);
        assert.strictEqual(again.rule.comments.length, chosen.length);
        assert.strictEqual(printRule(again.rule), once);
      }),
      { numRuns: 500 },
    );
  });

  it('a custom indent unit changes only indentation', () => {
    fc.assert(
      fc.property(ruleArbitrary(3), rule => {
        const tabbed = printRule(rule, { indentUnit: '\t' });
        assert.deepStrictEqual(stripSpans(parseRule(tabbed).rule.root), stripSpans(rule.root));
      }),
      { numRuns: 200 },
    );
  });
});
