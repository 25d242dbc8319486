import * as assert from 'assert';
import { quoteString } from '../../../core/src/rule/lexer';
import { parseRule } from '../../../core/src/rule/parser';
import { formatNumber, printRule } from '../../../core/src/rule/printer';
import { stripSpans } from '../../../core/src/rule/walk';

/** Formats `text` (which must parse cleanly), checks the result is stable and means the same. */
function format(text: string, indentUnit?: string): string {
  const parsed = parseRule(text);
  assert.deepStrictEqual(parsed.diagnostics, [], text);
  const printed = printRule(parsed.rule, { indentUnit });
  const reparsed = parseRule(printed);
  assert.deepStrictEqual(reparsed.diagnostics, [], printed);
  assert.deepStrictEqual(stripSpans(reparsed.rule.root), stripSpans(parsed.rule.root), printed);
  assert.strictEqual(printRule(reparsed.rule, { indentUnit }), printed, 'idempotent');
  return printed;
}

const lines = (...l: string[]): string => l.join('\n');

describe('rule printer', () => {
  it('lays out the specification example canonically', () => {
    const text = lines('person where', '  event where page_name contains "checkout"', '  then within 30 minutes', '  exclude event where event_type = "commerce.purchases"');
    assert.strictEqual(format(text), text);
    assert.strictEqual(format(text.replace(/\s+/g, ' ')), text);
  });

  it('normalises spacing, operator spelling and parentheses', () => {
    assert.strictEqual(format('  person   where (a=1   and b  =  "x")   or not( c  in ("a","b") )'), lines('person where', '  (a = 1 and b = "x") or not c in ("a", "b")'));
    assert.strictEqual(format('person where ((a = 1))'), lines('person where', '  a = 1'));
    assert.strictEqual(format('person where x = 1 [repeating]'), lines('person where', '  x = 1'));
    assert.strictEqual(format('person where x = 1 [non-repeating instance per session] ignoring case'), lines('person where', '  x = 1 ignoring case [non-repeating instance]'));
    assert.strictEqual(format('person where n between 1.50 and 007'), lines('person where', '  n between 1.5 and 7'));
  });

  it('puts each then step on its own line, gaps on the line of their then', () => {
    assert.strictEqual(
      format('session where event where a = 1 then within 1 event exclude event where b = 2 then after 1 hour within 2 days event where c = 3'),
      lines(
        'session where',
        '  event where a = 1',
        '  then within 1 event',
        '  exclude event where b = 2',
        '  then after 1 hour within 2 days',
        '  event where c = 3',
      ),
    );
    assert.strictEqual(format('person where exclude a = 1 then b = 2 then exclude c = 3'), lines('person where', '  exclude a = 1', '  then b = 2', '  then exclude c = 3'));
  });

  it('breaks long and/or chains one item per line, operator first', () => {
    assert.strictEqual(
      format('person where event where page_name contains "checkout" and some_long_dimension_name = "a fairly long value" and another_field != 12'),
      lines('person where', '  event where', '    page_name contains "checkout"', '    and some_long_dimension_name = "a fairly long value"', '    and another_field != 12'),
    );
    assert.strictEqual(
      format('person where a = 1 and (b = 2 or c = 3 or d = 4 or eeeeeeeeeeeeeeeeeeeeeeee = 5 or ffffffffffffffffffffffff = 6)'),
      lines('person where', '  a = 1', '  and (', '    b = 2', '    or c = 3', '    or d = 4', '    or eeeeeeeeeeeeeeeeeeeeeeee = 5', '    or ffffffffffffffffffffffff = 6', '  )'),
    );
  });

  it('breaks long value lists one value per line', () => {
    assert.strictEqual(
      format('person where a in ("aaaaaaaaaaaaaaaa","bbbbbbbbbbbbbbbbbbbbbb","cccccccccccccccccccccc","dddddddddddddddddddd") ignoring case'),
      lines('person where', '  a in (', '    "aaaaaaaaaaaaaaaa",', '    "bbbbbbbbbbbbbbbbbbbbbb",', '    "cccccccccccccccccccccc",', '    "dddddddddddddddddddd"', '  ) ignoring case'),
    );
  });

  it('prints groups and only-sequences', () => {
    assert.strictEqual(
      format('person where only before (event where a = 1 then event where b = 2) and all of (x = 1, y = 2) and any of (z = 3)'),
      lines('person where', '  only before (', '    event where a = 1', '    then event where b = 2', '  )', '  and all of (x = 1, y = 2)', '  and any of (z = 3)'),
    );
    assert.strictEqual(format('person where only after (a = 1)'), lines('person where', '  only after (a = 1)'));
    assert.strictEqual(format('event where only after (a = 1 then b = 2)   per  session'), lines('event where', '  only after (', '    a = 1', '    then b = 2', '  ) per session'));
    assert.strictEqual(format('event where only before (a = 1) per person'), lines('event where', '  only before (a = 1) per person'));
  });

  it('adds the parentheses a container body needs, and no others', () => {
    assert.strictEqual(format('person where (event where a = 1) and b = 2'), lines('person where', '  (event where a = 1) and b = 2'));
    assert.strictEqual(format('person where event where a = 1 and event where b = 2'), lines('person where', '  event where a = 1 and event where b = 2'));
    assert.strictEqual(format('person where (session where a = 1) then event where b = 2'), lines('person where', '  (session where a = 1)', '  then event where b = 2'));
    assert.strictEqual(format('event where (a = 1 then session where b = 2)'), lines('event where', '  a = 1', '  then (session where b = 2)'));
    assert.strictEqual(format('person where (not event where a = 1) and b = 2'), lines('person where', '  (not event where a = 1) and b = 2'));
    assert.strictEqual(format('person where a = 1 then (exclude b = 2)'), lines('person where', '  a = 1', '  then (exclude b = 2)'));
  });

  it('never prints mixed operators: nested chains get parentheses', () => {
    assert.strictEqual(format('person where (a = 1 then b = 2) and c = 3'), lines('person where', '  (', '    a = 1', '    then b = 2', '  )', '  and c = 3'));
    assert.strictEqual(format('person where (a = 1 or b = 2) then c = 3'), lines('person where', '  (a = 1 or b = 2)', '  then c = 3'));
  });

  it('keeps every comment on its own line before the node that follows it', () => {
    const text = lines(
      '# head',
      'person where # after where',
      '  page_name contains "checkout" # trailing a',
      '  and revenue > 100',
      '  # before c',
      '  and c exists',
      '# end',
    );
    assert.strictEqual(
      format(text),
      lines('# head', 'person where', '  # after where', '  page_name contains "checkout"', '  # trailing a', '  and revenue > 100', '  # before c', '  and c exists', '  # end'),
    );
    assert.strictEqual(
      format('person where a = 1 # gap\n then within 1 day # checkpoint\n b = 2'),
      lines('person where', '  a = 1', '  # gap', '  then within 1 day', '  # checkpoint', '  b = 2'),
    );
    assert.strictEqual(format('person where a in ("x", # why y\n "y")'), lines('person where', '  a in (', '    "x",', '    # why y', '    "y"', '  )'));
    assert.strictEqual(format('# audience-filters-disable-next-line rule-x\nperson where a = 1'), lines('# audience-filters-disable-next-line rule-x', 'person where', '  a = 1'));
  });

  it('uses the given indent unit', () => {
    assert.strictEqual(format('person where a = 1 then event where b = 2 and c = 3', '\t'), 'person where\n\ta = 1\n\tthen event where b = 2 and c = 3');
  });

  it('prints nothing for an empty rule but keeps its comments', () => {
    assert.strictEqual(printRule({ root: null, comments: [] }), '');
    assert.strictEqual(printRule(parseRule('# only\n').rule), '# only');
  });

  it('writes numbers as the lexer reads them back', () => {
    assert.strictEqual(formatNumber(1e21), '1000000000000000000000');
    assert.strictEqual(formatNumber(1.5e-7), '0.00000015');
    assert.strictEqual(formatNumber(-2.5e22), '-25000000000000000000000');
    assert.strictEqual(formatNumber(-0), '-0');
    assert.strictEqual(formatNumber(12.25), '12.25');
  });

  it('quotes strings with only the escapes the lexer decodes', () => {
    assert.strictEqual(quoteString('adob\\*'), '"adob\\*"');
    assert.strictEqual(quoteString('say "hi"'), '"say \\"hi\\""');
    assert.strictEqual(quoteString('a\\'), '"a\\\\"');
    assert.strictEqual(quoteString('line\nnext\ttab'), '"line\\nnext\\ttab"');
    assert.strictEqual(quoteString('\\n'), '"\\\\n"');
  });
});
