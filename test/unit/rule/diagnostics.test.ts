import * as assert from 'assert';
import { parseRule } from '../../../core/src/rule/parser';
import type { RuleDiagnostic } from '../../../core/src/rule/parser';

type Expected = [code: string, underlined: string, start: number, extra?: Partial<RuleDiagnostic>];

/** Asserts the exact diagnostics of `text`: code, the underlined text and its offset. */
function check(text: string, ...expected: Expected[]): RuleDiagnostic[] {
  const { diagnostics } = parseRule(text);
  assert.deepStrictEqual(
    diagnostics.map(d => [d.code, text.slice(d.start, d.end), d.start]),
    expected.map(([code, underlined, start]) => [code, underlined, start]),
    JSON.stringify(diagnostics, null, 1),
  );
  expected.forEach(([, , , extra], i) => {
    for (const [key, value] of Object.entries(extra ?? {})) assert.deepStrictEqual(diagnostics[i][key as keyof RuleDiagnostic], value, key);
  });
  return diagnostics;
}

/** Applies rule edits (sorted, non-overlapping) to the text. */
function applyEdits(text: string, d: RuleDiagnostic): string {
  let out = text;
  for (const e of [...(d.data?.ruleEdits ?? [])].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

describe('rule parser: diagnostics', () => {
  it('rule-empty', () => {
    check('', ['rule-empty', '', 0, { severity: 'error' }]);
    check('  # just a comment\n', ['rule-empty', '', 0]);
  });

  it('rule-missing-container, with the edit that adds one', () => {
    const [d] = check('page = "x"', ['rule-missing-container', 'page = "x"', 0]);
    assert.deepStrictEqual(d.data, { ruleEdits: [{ start: 0, end: 0, newText: 'person where ' }] });
    const text = 'event where a = 1 then event where b = 2';
    const [seq] = check(text, ['rule-missing-container', text, 0]);
    const fixed = applyEdits(text, seq);
    assert.strictEqual(fixed, 'person where (event where a = 1 then event where b = 2)');
    assert.deepStrictEqual(parseRule(fixed).diagnostics, []);
  });

  it('rule-syntax: says what was expected and what was found', () => {
    const [d] = check('person where page_name "x"', ['rule-syntax', '"x"', 23]);
    assert.strictEqual(d.message, 'expected an operator after `page_name`, found `"x"`');
    const [e] = check('person where a = 1 and', ['rule-syntax', 'and', 19]);
    assert.strictEqual(e.message, 'expected a condition, a container or `(` after `and`, found the end of the rule');
    check('person where', ['rule-syntax', 'where', 7]);
    check('person', ['rule-syntax', 'person', 0, { data: { replacements: ['where'] } }]);
    check('person where a = 1)', ['rule-syntax', ')', 18]);
    check('person where (a = 1', ['rule-syntax', '(', 13, { message: 'this `(` is never closed: expected `)`' }]);
    check('person where ((a = 1', ['rule-syntax', '(', 14]);
    check('person where a = 1 @ and b = 2', ['rule-syntax', '@', 19]);
    check('person where a between 1 5', ['rule-syntax', '5', 25, { message: 'expected `and` after `1`, found `5`' }]);
    check('person where a in ("x" "y")', ['rule-syntax', '"y"', 23]);
    check('person where a = 1 [instnce]', ['rule-syntax', '[instnce]', 19, { data: { replacements: ['[instance]'] } }]);
    check('person where a-b = 1', ['rule-syntax', 'a-b', 13, { data: { replacements: ['a_b'] } }]);
    check('person where only before a = 1', ['rule-syntax', 'a', 25]);
  });

  it('rule-syntax: offers did-you-mean replacements for mistyped keywords', () => {
    check('person where a contians "x"', ['rule-syntax', 'contians', 15, { data: { replacements: ['contains'] } }]);
    check('evnt where a = 1', ['rule-syntax', 'evnt', 0, { data: { replacements: ['event'] } }]);
    check('person wher a = 1', ['rule-syntax', 'wher', 7, { data: { replacements: ['where'] } }]);
    check('person where a = 1 aand b = 2', ['rule-syntax', 'aand', 19, { data: { replacements: ['and'] } }]);
    check('person where a = 1 thn b = 2', ['rule-syntax', 'thn', 19, { data: { replacements: ['then'] } }]);
    check('person where a = 1 then withn 30 minutes b = 2', ['rule-syntax', 'withn', 24, { data: { replacements: ['within'] } }]);
    check('person where a = "x" ignorng case', ['rule-syntax', 'ignorng case', 21, { data: { replacements: ['ignoring case'] } }]);
    check('person where a == 1', ['rule-syntax', '==', 15, { data: { replacements: ['='] } }]);
  });

  it('rule-unterminated-string', () => {
    check('person where page_name = "x', ['rule-unterminated-string', '"x', 25]);
    check('person where a = "x\nand b = 2', ['rule-unterminated-string', '"x', 17]);
    check('person where (a = "x)', ['rule-unterminated-string', '"x)', 18]);
  });

  it('rule-unknown-unit, with did-you-mean replacements', () => {
    check('person where a = 1 then within 30 minuts b = 2', ['rule-unknown-unit', 'minuts', 34, { data: { replacements: ['minutes'] } }]);
    check('person where a = 1 then within 2 hrs b = 2', ['rule-unknown-unit', 'hrs', 33, { data: { replacements: ['hours'] } }]);
    check('person where a = 1 then within 1 hr b = 2', ['rule-unknown-unit', 'hr', 33, { data: { replacements: ['hour'] } }]);
    check('person where a = 1 then within 5 seconds b = 2', ['rule-unknown-unit', 'seconds', 33, { data: { replacements: ['minutes'] } }]);
    check('person where a = 1 then within 30 page = 1', ['rule-syntax', 'page', 34]);
  });

  it('rule-mixed-operators, with the edit adding parentheses', () => {
    const text = 'person where a = 1 and b = 2 or c = 3';
    const [d] = check(text, ['rule-mixed-operators', 'or', 29, { severity: 'error' }]);
    assert.strictEqual(applyEdits(text, d), 'person where (a = 1 and b = 2) or c = 3');
    const t2 = 'person where a = 1 or b = 2 and c = 3 then d = 4';
    const [d2] = check(t2, ['rule-mixed-operators', 'and', 28]);
    assert.strictEqual(applyEdits(t2, d2), 'person where a = 1 or (b = 2 and (c = 3 then d = 4))');
    const t3 = 'person where a = 1 then b = 2 and c = 3 or d = 4';
    const [d3] = check(t3, ['rule-mixed-operators', 'and', 30]);
    assert.strictEqual(applyEdits(t3, d3), 'person where ((a = 1 then b = 2) and c = 3) or d = 4');
    const t4 = 'person where (x = 1) and y = 2 or z = 3 and w = 4';
    const [d4] = check(t4, ['rule-mixed-operators', 'or', 31]);
    assert.strictEqual(applyEdits(t4, d4), 'person where ((x = 1) and y = 2) or (z = 3 and w = 4)');
  });

  it('rule-mixed-operators: the fixed text parses to the same tree, without diagnostics', () => {
    for (const text of ['person where a = 1 and b = 2 or c = 3', 'person where a = 1 then b = 2 and c = 3 or d = 4 then e = 5', 'person where exclude a = 1 then b = 2 or c = 3']) {
      const { rule, diagnostics } = parseRule(text);
      const fixed = parseRule(applyEdits(text, diagnostics[0]));
      assert.deepStrictEqual(fixed.diagnostics, []);
      assert.deepStrictEqual(JSON.stringify(fixed.rule.root, (k, v) => (k === 'start' || k === 'end' ? undefined : v)), JSON.stringify(rule.root, (k, v) => (k === 'start' || k === 'end' ? undefined : v)));
    }
  });

  it('rule-within-shorter-than-after (a warning) when both are in one unit family', () => {
    check('person where a = 1 then after 2 hours within 1 hour b = 2', ['rule-within-shorter-than-after', 'within 1 hour', 38, { severity: 'warning' }]);
    check('person where a = 1 then after 1 day within 24 hours b = 2', ['rule-within-shorter-than-after', 'within 24 hours', 36]);
    check('person where a = 1 then after 3 events within 2 events b = 2', ['rule-within-shorter-than-after', 'within 2 events', 39]);
    check('person where a = 1 then after 1 year within 4 quarters b = 2', ['rule-within-shorter-than-after', 'within 4 quarters', 37]);
    check('person where a = 1 then after 2 instances of p within 2 instances of p b = 2', ['rule-within-shorter-than-after', 'within 2 instances of p', 47]);
    check('person where a = 1 then after 1 day within 25 hours b = 2');
    check('person where a = 1 then within 1 month after 30 days b = 2');
    check('person where a = 1 then after 2 instances of p within 1 instance of q b = 2');
  });

  it('rule-bad-number', () => {
    check('person where n = 1.2.3', ['rule-bad-number', '1.2.3', 17]);
    check('person where n = 30x', ['rule-bad-number', '30x', 17]);
    check('person where n > .5', ['rule-bad-number', '.5', 17]);
    check('person where n > 1' + '0'.repeat(400), ['rule-bad-number', '1' + '0'.repeat(400), 17]);
    check('person where a = 1 then within 1.5 hours b = 2', ['rule-bad-number', '1.5', 31]);
    check('person where a = 1 then within -1 hours b = 2', ['rule-bad-number', '-1', 31]);
    check('person where a = 1 then within 30minutes b = 2', ['rule-bad-number', '30minutes', 31]);
  });

  it('rule-empty-list', () => {
    check('person where a in ()', ['rule-empty-list', '()', 18]);
    check('person where a not contains any of ( )', ['rule-empty-list', '( )', 35]);
    check('person where all of ()', ['rule-empty-list', '()', 20]);
  });

  it('rule-bad-filter-id, with the kebab-case spelling', () => {
    check('person where filter Checkout_Abandoners', ['rule-bad-filter-id', 'Checkout_Abandoners', 20, { data: { replacements: ['checkout-abandoners'] } }]);
  });

  it('rule-too-deep, once', () => {
    const text = 'person where ' + '('.repeat(300) + 'a = 1' + ')'.repeat(300);
    check(text, ['rule-too-deep', '(', 13 + 199]);
  });

  describe('recovery: one typo, one diagnostic', () => {
    const base = [
      'person where',
      '  (session where page_name contains "checkout" and revenue > 10)',
      '  then within 30 minutes',
      '  exclude event where event_type in ("commerce.purchases", "x") ignoring case',
      '  then after 1 day all of (a = 1, filter x-y)',
    ].join('\n');

    it('the base rule is clean', () => check(base));

    const typos: Array<[string, string, string]> = [
      ['contains', 'contans', 'contans'],
      ['revenue >', 'revenue', '10'],
      ['and revenue', 'nd revenue', 'nd'],
      ['30 minutes', '30 minuts', 'minuts'],
      ['then within', 'thn within', 'thn'],
      ['event where', 'evnt where', 'evnt'],
      ['in (', 'in', '"commerce.purchases"'],
      ['"x")', '"x" "y")', '"y"'],
      ['ignoring case', 'ignorin case', 'ignorin case'],
      ['1 day', '1 dya', 'dya'],
      ['a = 1,', 'a = ,', ','],
      ['a = 1,', 'a @ 1,', '@'],
      ['session where', 'session wehre', 'wehre'],
      ['filter x-y', 'filter X_Y', 'X_Y'],
      ['page_name contains', 'page_name contains contains', 'contains'],
    ];
    for (const [from, to, underlined] of typos) {
      it(`${from} → ${to}`, () => {
        assert.ok(base.includes(from));
        const text = base.replace(from, to);
        const { diagnostics } = parseRule(text);
        assert.strictEqual(diagnostics.length, 1, JSON.stringify(diagnostics));
        assert.strictEqual(text.slice(diagnostics[0].start, diagnostics[0].end), underlined);
      });
    }

    it('keeps parsing after an error: later faults are still found', () => {
      const text = 'person where a = then b contians 1 then within 3 dys c = 1';
      assert.deepStrictEqual(
        parseRule(text).diagnostics.map(d => [d.code, text.slice(d.start, d.end)]),
        [
          ['rule-syntax', 'then'],
          ['rule-syntax', 'contians'],
          ['rule-unknown-unit', 'dys'],
        ],
      );
    });
  });
});
