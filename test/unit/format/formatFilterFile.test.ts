import * as assert from 'assert';
import * as fc from 'fast-check';
import { parseFilterFile } from '../../../core/src/files/filterFile';
import { formatFilterFile, layoutFilterFile } from '../../../core/src/format/formatFilterFile';
import { formatRangeEdits, minimalEdit } from '../../../core/src/format/rangeFormat';
import { parseRule } from '../../../core/src/rule/parser';
import { stripSpans } from '../../../core/src/rule/walk';
import { parseYaml, toJS } from '../../../core/src/yaml/yamlTree';

const TWO = { tabSize: 2, insertSpaces: true };
const FOUR = { tabSize: 4, insertSpaces: true };

const MESSY = [
  '# Header comment',
  '',
  'rule: |   # the rule',
  '    person where',
  '        event where page_name contains "checkout"   # rule comment',
  '        then within 30 minutes',
  '        exclude event where event_type = "commerce.purchases"',
  'audience:',
  '    # name of it',
  '    name: Checkout abandoners (30 min)',
  '    refresh: daily   # refresh',
  '    namespaces: [ECID,   Email]',
  '    # end of audience',
  'title: Checkout abandoners',
  'filter: checkout-abandoners          # id',
  'tags:',
  '- ecommerce   # tag',
  '- "b c"',
  'description: >',
  '    Reached checkout, then did not',
  '    purchase within 30 minutes.',
  'dataview: web',
  '# footer',
  '',
].join('\n');

describe('formatFilterFile', () => {
  it('orders keys canonically, normalises indentation, prints the rule and keeps every comment', () => {
    assert.strictEqual(
      formatFilterFile(MESSY, TWO),
      [
        '# Header comment',
        '',
        'filter: checkout-abandoners # id',
        'title: Checkout abandoners',
        'description: >',
        '  Reached checkout, then did not',
        '  purchase within 30 minutes.',
        'dataview: web',
        'tags:',
        '  - ecommerce # tag',
        '  - "b c"',
        'rule: | # the rule',
        '  person where',
        '    event where page_name contains "checkout"',
        '    # rule comment',
        '    then within 30 minutes',
        '    exclude event where event_type = "commerce.purchases"',
        'audience:',
        '  # name of it',
        '  name: Checkout abandoners (30 min)',
        '  refresh: daily # refresh',
        '  namespaces: [ECID, Email]',
        '  # end of audience',
        '# footer',
        '',
      ].join('\n'),
    );
  });

  it('indents with the tab size (always spaces: YAML forbids tabs)', () => {
    const out = formatFilterFile('filter: a\ndataview: web\nrule: person where a = 1\naudience:\n  name: A\n', { tabSize: 4, insertSpaces: false });
    assert.strictEqual(out, 'filter: a\ndataview: web\nrule: |\n    person where\n        a = 1\naudience:\n    name: A\n');
    assert.strictEqual(formatFilterFile(out!, FOUR), out);
  });

  it('returns undefined for YAML errors and keeps a rule with syntax errors as written', () => {
    assert.strictEqual(formatFilterFile('filter: a\ntags: [x\n', TWO), undefined);
    assert.strictEqual(formatFilterFile('filter: a\nfilter: b\n', TWO), undefined);
    assert.strictEqual(formatFilterFile('rule: |\n      person where (\n        a = 1\nfilter: a\n', TWO), 'filter: a\nrule: |\n  person where (\n    a = 1\n');
  });

  it('keeps quoted, multi-line and tagged scalars as they are', () => {
    const text = 'filter: a\ntitle: "Quoted: yes"\ndescription: first\n   second line\ntags: [!!str 1, "two"]\nrule: person where a = 1\n';
    assert.strictEqual(formatFilterFile(text, TWO), 'filter: a\ntitle: "Quoted: yes"\ndescription: first\n  second line\ntags: [!!str 1, "two"]\nrule: |\n  person where\n    a = 1\n');
  });

  it('formats only the rule when a range touches it', () => {
    const text = 'title: T\nfilter: a\nrule: person   where a=1\n';
    const file = parseFilterFile('a.filter.yaml', text);
    assert.deepStrictEqual(formatRangeEdits(file, TWO, 30, 31), [{ start: 19, end: 43, newText: 'rule: |\n  person where\n    a = 1' }]);
    assert.deepStrictEqual(formatRangeEdits(file, TWO, 0, 3), []);
    assert.deepStrictEqual(minimalEdit('a\nb\nc\n', 'a\nB\nc\n'), { start: 2, end: 3, newText: 'B' });
  });
});

// ---- properties -----------------------------------------------------------------------------

const word = fc.constantFrom('home', 'cart', 'checkout', 'a b', 'x"y', 'ünï');
const field = fc.constantFrom('page_name', 'event_type', 'revenue', 'orders');
const condition = fc.oneof(
  fc.tuple(field, word).map(([f, w]) => `${f} = ${JSON.stringify(w)}`),
  fc.tuple(field, fc.integer({ min: -5, max: 500 })).map(([f, n]) => `${f} > ${n}`),
  fc.tuple(field, word, word).map(([f, a, b]) => `${f} in (${JSON.stringify(a)}, ${JSON.stringify(b)})`),
  field.map(f => `${f} exists`),
  fc.constant('filter other-one'),
);
const comment = fc.constantFrom('', '  # note', ' # why: this');
const ruleText = fc
  .tuple(fc.constantFrom('person', 'session'), fc.array(fc.tuple(condition, comment), { minLength: 1, maxLength: 4 }), fc.constantFrom('and', 'or', 'then'), fc.boolean())
  .map(([scope, conds, op, nested]) => {
    const body = conds.map(([c, k], i) => `${'  '.repeat(2)}${i ? `${op} ` : ''}${nested && i === 0 ? `event where ${c}` : c}${k}`).join('\n');
    return `  ${scope} where\n${body}\n`;
  });
const pairs = fc.record({
  filter: fc.constantFrom('filter: my-filter', 'filter: "quoted-id"'),
  title: fc.option(fc.constantFrom('title: A title', "title: 'single: quoted'", 'title: Two\n  lines'), { nil: undefined }),
  description: fc.option(fc.constantFrom('description: >\n  folded\n  text', 'description: |-\n   kept\n    indented'), { nil: undefined }),
  dataview: fc.constant('dataview: web'),
  tags: fc.option(fc.constantFrom('tags: [a,  b]', 'tags:\n- a\n- b  # tag b', 'tags: []'), { nil: undefined }),
  period: fc.option(fc.constantFrom('period: last 30 days', 'period:\n    from: 2026-01-01\n    to: 2026-02-01', 'period: {from: 2026-01-01, to: 2026-02-01}'), { nil: undefined }),
  audience: fc.option(fc.constantFrom('audience:\n   name: N  # the name\n   # before refresh\n   refresh: daily', 'audience: {name: N}'), { nil: undefined }),
  extra: fc.option(fc.constantFrom('x-note: 1', 'custom:\n  deep:\n    value: true # c'), { nil: undefined }),
});
const file = fc
  .tuple(pairs, ruleText, fc.array(fc.constantFrom('# top', '# another'), { maxLength: 2 }), fc.func(fc.integer()), comment)
  .map(([p, rule, top, shuffle, ruleComment]) => {
    const entries = [p.filter, p.title, p.description, p.dataview, p.tags, p.period, `rule: |${ruleComment}\n${rule.replace(/\n$/, '')}`, p.audience, p.extra].filter((e): e is string => !!e);
    const order = entries.map((e, i) => ({ e, k: shuffle(i) })).sort((a, b) => a.k - b.k).map(x => x.e);
    return [...top, ...order].join('\n') + '\n';
  });

function meaning(text: string): { data: unknown; rule: unknown; comments: string[] } {
  const parsed = parseYaml(text);
  assert.deepStrictEqual(parsed.problems, []);
  const data = toJS(parsed.root) as Record<string, unknown>;
  const { rule, ...rest } = data;
  const comments = [...text.matchAll(/(^|\s)(#[^\n]*)/g)].map(m => m[2].trimEnd()).sort();
  return { data: rest, rule: stripSpans(parseRule(String(rule)).rule.root), comments };
}

describe('formatFilterFile properties', () => {
  for (const options of [TWO, FOUR]) {
    it(`is idempotent and keeps meaning and comments (tab size ${options.tabSize})`, () => {
      fc.assert(
        fc.property(file, text => {
          const once = layoutFilterFile(parseFilterFile('p.filter.yaml', text), options);
          assert.ok(once !== undefined);
          assert.strictEqual(layoutFilterFile(parseFilterFile('p.filter.yaml', once), options), once);
          assert.deepStrictEqual(meaning(once), meaning(text));
          assert.strictEqual(formatFilterFile(text, options), once);
        }),
        { numRuns: 150 },
      );
    });
  }
});
