import * as assert from 'assert';
import type { Condition, Container, Sequence } from '../../../core/src/rule/ast';
import { parseRule } from '../../../core/src/rule/parser';
import { stripSpans, walkExpr } from '../../../core/src/rule/walk';
import { and, cond, container, eq, error, group, not, only, or, ref, seq, step } from './build';
import type { Plain } from './build';

/** The stripped tree of a rule that must parse without any diagnostic. */
function tree(text: string): unknown {
  const { rule, diagnostics } = parseRule(text);
  assert.deepStrictEqual(diagnostics, [], `diagnostics for ${JSON.stringify(text)}`);
  return stripSpans(rule.root);
}

/** The stripped body of `person where <text>`. */
function body(text: string): unknown {
  const root = tree(`person where ${text}`) as { body: unknown };
  return root.body;
}

describe('rule parser: constructs', () => {
  it('parses the example from the specification', () => {
    const text = [
      'person where',
      '  event where page_name contains "checkout"',
      '  then within 30 minutes',
      '  exclude event where event_type = "commerce.purchases"',
    ].join('\n');
    assert.deepStrictEqual(
      tree(text),
      container(
        'person',
        seq(
          container('event', cond('page_name', 'contains', ['checkout'])),
          step(container('event', eq('event_type', 'commerce.purchases')), { exclude: true, gaps: [['within', 30, 'minute']] }),
        ),
      ),
    );
  });

  describe('containers', () => {
    it('parses each scope', () => {
      for (const scope of ['person', 'session', 'event'] as const) assert.deepStrictEqual(tree(`${scope} where a = 1`), container(scope, eq('a', 1)));
    });
    it('nests with and without parentheses', () => {
      assert.deepStrictEqual(tree('session where (event where a = 1)'), container('session', container('event', eq('a', 1))));
      assert.deepStrictEqual(tree('session where event where a = 1'), container('session', container('event', eq('a', 1))));
    });
    it('takes the rest of the chain into the body of a container', () => {
      assert.deepStrictEqual(body('event where a = 1 and b = 2'), container('event', and(eq('a', 1), eq('b', 2))));
      assert.deepStrictEqual(body('a = 1 and event where b = 2'), and(eq('a', 1), container('event', eq('b', 2))));
      assert.deepStrictEqual(body('session where a = 1 and event where b = 2 and c = 3'), container('session', and(eq('a', 1), container('event', and(eq('b', 2), eq('c', 3))))));
    });
    it('ends a body before an operator followed by a container of the same or a wider scope', () => {
      assert.deepStrictEqual(body('event where a = 1 and event where b = 2'), and(container('event', eq('a', 1)), container('event', eq('b', 2))));
      assert.deepStrictEqual(body('event where a = 1 or session where b = 2'), or(container('event', eq('a', 1)), container('session', eq('b', 2))));
      assert.deepStrictEqual(
        body('session where event where a = 1 then event where b = 2'),
        container('session', seq(container('event', eq('a', 1)), container('event', eq('b', 2)))),
      );
      assert.deepStrictEqual(
        body('event where a = 1 then within 2 days exclude not event where b = 2'),
        seq(container('event', eq('a', 1)), step(not(container('event', eq('b', 2))), { exclude: true, gaps: [['within', 2, 'day']] })),
      );
    });
    it('reads scope words as field names when no `where` follows', () => {
      assert.deepStrictEqual(body('event = "x" and session exists'), and(eq('event', 'x'), cond('session', 'exists')));
    });
  });

  describe('logic', () => {
    it('parses and, or, not, exclude and parentheses', () => {
      assert.deepStrictEqual(body('a = 1 and b = 2 and c = 3'), and(eq('a', 1), eq('b', 2), eq('c', 3)));
      assert.deepStrictEqual(body('a = 1 or b = 2'), or(eq('a', 1), eq('b', 2)));
      assert.deepStrictEqual(body('not a = 1'), not(eq('a', 1)));
      assert.deepStrictEqual(body('exclude a = 1'), not(eq('a', 1), 'exclude'));
      assert.deepStrictEqual(body('not a = 1 and b = 2'), and(not(eq('a', 1)), eq('b', 2)));
      assert.deepStrictEqual(body('not (a = 1 and b = 2)'), not(and(eq('a', 1), eq('b', 2))));
      assert.deepStrictEqual(body('(a = 1 or b = 2) and c = 3'), and(or(eq('a', 1), eq('b', 2)), eq('c', 3)));
      assert.deepStrictEqual(body('((a = 1))'), eq('a', 1));
      assert.deepStrictEqual(body('not not a = 1'), not(not(eq('a', 1))));
    });
    it('keeps explicit grouping of the same operator', () => {
      assert.deepStrictEqual(body('(a = 1 and b = 2) and c = 3'), and(and(eq('a', 1), eq('b', 2)), eq('c', 3)));
    });
    it('ignores newlines and indentation', () => {
      assert.deepStrictEqual(body('a = 1\n\n      and\n b = 2'), and(eq('a', 1), eq('b', 2)));
    });
  });

  describe('sequences', () => {
    it('parses then chains', () => {
      assert.deepStrictEqual(body('a = 1 then b = 2 then c = 3'), seq(eq('a', 1), eq('b', 2), eq('c', 3)));
    });
    it('parses gap constraints in every unit, singular and plural', () => {
      const units = ['minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
      for (const u of units) {
        assert.deepStrictEqual(body(`a = 1 then within 1 ${u} b = 2`), seq(eq('a', 1), step(eq('b', 2), { gaps: [['within', 1, u]] })));
        assert.deepStrictEqual(body(`a = 1 then after 5 ${u}s b = 2`), seq(eq('a', 1), step(eq('b', 2), { gaps: [['after', 5, u]] })));
      }
      assert.deepStrictEqual(body('a = 1 then within 1 event b = 2'), seq(eq('a', 1), step(eq('b', 2), { gaps: [['within', 1, 'event']] })));
      assert.deepStrictEqual(body('a = 1 then within 3 sessions b = 2'), seq(eq('a', 1), step(eq('b', 2), { gaps: [['within', 3, 'session']] })));
      assert.deepStrictEqual(
        body('a = 1 then within 3 instances of page_name b = 2'),
        seq(eq('a', 1), step(eq('b', 2), { gaps: [['within', 3, 'dim:page_name']] })),
      );
      assert.deepStrictEqual(
        body('a = 1 then after 1 hour within 2 days b = 2'),
        seq(eq('a', 1), step(eq('b', 2), { gaps: [['after', 1, 'hour'], ['within', 2, 'day']] })),
      );
    });
    it('parses exclude checkpoints at the start, between and at the end', () => {
      assert.deepStrictEqual(
        body('exclude event where x = 1 then event where y = 2'),
        seq(step(container('event', eq('x', 1)), { exclude: true }), container('event', eq('y', 2))),
      );
      assert.deepStrictEqual(body('a = 1 then exclude b = 2 then c = 3'), seq(eq('a', 1), step(eq('b', 2), { exclude: true }), eq('c', 3)));
      assert.deepStrictEqual(body('a = 1 then exclude b = 2'), seq(eq('a', 1), step(eq('b', 2), { exclude: true })));
    });
    it('keeps a parenthesised `exclude X` as a checkpoint, not an exclude step', () => {
      assert.deepStrictEqual(body('(exclude a = 1) then b = 2'), seq(not(eq('a', 1), 'exclude'), eq('b', 2)));
      assert.deepStrictEqual(body('a = 1 then (exclude b = 2)'), seq(eq('a', 1), not(eq('b', 2), 'exclude')));
      assert.deepStrictEqual(body('a = 1 then not b = 2'), seq(eq('a', 1), not(eq('b', 2))));
    });
    it('parses every kind of checkpoint', () => {
      assert.deepStrictEqual(
        body('(session where a = 1) then (b = 2 or c = 3) then all of (d = 4, e = 5) then any of (f = 6) then filter x-y'),
        seq(container('session', eq('a', 1)), or(eq('b', 2), eq('c', 3)), group('all', eq('d', 4), eq('e', 5)), group('any', eq('f', 6)), ref('x-y')),
      );
    });
    it('parses only before and only after', () => {
      assert.deepStrictEqual(body('only before (a = 1 then b = 2)'), only('before', seq(eq('a', 1), eq('b', 2))));
      assert.deepStrictEqual(body('only after (a = 1 then within 2 events b = 2)'), only('after', seq(eq('a', 1), step(eq('b', 2), { gaps: [['within', 2, 'event']] }))));
      assert.deepStrictEqual(body('only after (a = 1)'), only('after', seq(eq('a', 1))));
      assert.deepStrictEqual(body('only after ((a = 1 then b = 2))'), only('after', seq(seq(eq('a', 1), eq('b', 2)))));
    });
    it('parses the unit an only-sequence is searched in (`per session`, Adobe\'s sequence context)', () => {
      assert.deepStrictEqual(body('only after (a = 1 then b = 2) per session'), { ...only('after', seq(eq('a', 1), eq('b', 2))), scope: 'session' });
      assert.deepStrictEqual(body('only before (a = 1) per person and c = 3'), and({ ...only('before', seq(eq('a', 1))), scope: 'person' }, eq('c', 3)));
      const r = parseRule('event where only after (a = 1) per visit');
      assert.deepStrictEqual(r.diagnostics.map(d => [d.code, d.start, d.end, d.message]), [['rule-syntax', 35, 40, 'expected `person`, `session` or `event` after `per`, found `visit`']]);
    });
    it('parses logic groups with chains as items', () => {
      assert.deepStrictEqual(body('all of (a = 1 and b = 2, c = 3 then d = 4)'), group('all', and(eq('a', 1), eq('b', 2)), seq(eq('c', 3), eq('d', 4))));
    });
  });

  describe('conditions', () => {
    const cases: Array<[string, Plain]> = [
      ['page = "x"', cond('page', 'eq', ['x'])],
      ['page != "x"', cond('page', 'ne', ['x'])],
      ['page in ("a", "b")', cond('page', 'in', ['a', 'b'])],
      ['page not in ("a")', cond('page', 'notIn', ['a'])],
      ['page contains "x"', cond('page', 'contains', ['x'])],
      ['page not contains "x"', cond('page', 'notContains', ['x'])],
      ['page contains any of ("a", "b")', cond('page', 'containsAny', ['a', 'b'])],
      ['page contains all of ("a", "b")', cond('page', 'containsAll', ['a', 'b'])],
      ['page not contains any of ("a")', cond('page', 'notContainsAny', ['a'])],
      ['page not contains all of ("a")', cond('page', 'notContainsAll', ['a'])],
      ['page starts with "x"', cond('page', 'startsWith', ['x'])],
      ['page not starts with "x"', cond('page', 'notStartsWith', ['x'])],
      ['page ends with "x"', cond('page', 'endsWith', ['x'])],
      ['page not ends with "x"', cond('page', 'notEndsWith', ['x'])],
      ['page matches "adob*"', cond('page', 'matches', ['adob*'])],
      ['page not matches "a\\*b"', cond('page', 'notMatches', ['a\\*b'])],
      ['page exists', cond('page', 'exists')],
      ['page not exists', cond('page', 'notExists')],
      ['revenue < 10', cond('revenue', 'lt', [10])],
      ['revenue > 10', cond('revenue', 'gt', [10])],
      ['revenue <= -2.5', cond('revenue', 'le', [-2.5])],
      ['revenue >= 0', cond('revenue', 'ge', [0])],
      ['revenue between 10 and 100', cond('revenue', 'between', [10, 100])],
      ['count distinct product > 5', cond('product', 'gt', [5], { distinct: true })],
      ['page contains "checkout" ignoring case', cond('page', 'contains', ['checkout'], { ci: true })],
      ['page = "x" [instance]', cond('page', 'eq', ['x'], { attribution: 'instance' })],
      ['page = "x" [repeating]', cond('page', 'eq', ['x'])],
      ['page = "x" [non-repeating instance]', cond('page', 'eq', ['x'], { attribution: 'nonRepeatingInstance', scope: 'session' })],
      ['page = "x" [non-repeating instance per session]', cond('page', 'eq', ['x'], { attribution: 'nonRepeatingInstance', scope: 'session' })],
      ['page = "x" [non-repeating instance per person]', cond('page', 'eq', ['x'], { attribution: 'nonRepeatingInstance', scope: 'person' })],
      ['page = "x" [instance] ignoring case', cond('page', 'eq', ['x'], { attribution: 'instance', ci: true })],
      ['web.page.name = 1', cond('web.page.name', 'eq', [1])],
      ['_experience.analytics.eVar1 exists', cond('_experience.analytics.eVar1', 'exists')],
      ['filter = 1', cond('filter', 'eq', [1])],
      ['count = 1', cond('count', 'eq', [1])],
    ];
    for (const [text, expected] of cases) {
      it(text, () => assert.deepStrictEqual(body(text), expected));
    }
    it('decodes string escapes and keeps other backslashes', () => {
      assert.deepStrictEqual(body('p = "say \\"hi\\" \\\\ \\* \\n"'), eq('p', 'say "hi" \\ \\* \n'));
    });
    it('reads numbers', () => {
      assert.deepStrictEqual(body('n in (0, -1, 2.5, -0.25, 007)'), cond('n', 'in', [0, -1, 2.5, -0.25, 7]));
    });
  });

  it('parses filter references', () => {
    assert.deepStrictEqual(body('filter checkout-abandoners'), ref('checkout-abandoners'));
    assert.deepStrictEqual(body('filter 2024-promo and not filter a'), and(ref('2024-promo'), not(ref('a'))));
  });

  it('collects comments', () => {
    const text = '# lead\nperson where # after where\n  a = 1 # trailing\n# end';
    const { rule, diagnostics } = parseRule(text);
    assert.deepStrictEqual(diagnostics, []);
    assert.deepStrictEqual(rule.comments, [
      { start: 0, end: 6, text: '# lead' },
      { start: 20, end: 33, text: '# after where' },
      { start: 42, end: 52, text: '# trailing' },
      { start: 53, end: 58, text: '# end' },
    ]);
  });

  describe('spans', () => {
    const text = 'person where\n  event where page_name contains "checkout"\n  then within 30 minutes\n  exclude event where count distinct sku >= 2 [instance]';
    const { rule } = parseRule(text);
    const root = rule.root as Container;
    const s = root.body as Sequence;
    const slice = (span: { start: number; end: number }): string => text.slice(span.start, span.end);

    it('covers each node exactly', () => {
      assert.strictEqual(slice(root), text);
      assert.strictEqual(slice(root.scopeSpan), 'person');
      assert.strictEqual(slice(s), text.slice(text.indexOf('event')));
      assert.strictEqual(slice(s.steps[0]), 'event where page_name contains "checkout"');
      assert.strictEqual(slice(s.steps[1]), text.slice(text.indexOf('then')));
      assert.strictEqual(slice(s.steps[1].constraints[0]), 'within 30 minutes');
      const first = (s.steps[0].checkpoint as Container).body as Condition;
      assert.strictEqual(slice(first), 'page_name contains "checkout"');
      assert.strictEqual(slice(first.subject), 'page_name');
      assert.strictEqual(slice(first.opSpan), 'contains');
      assert.strictEqual(slice(first.values[0]), '"checkout"');
      const second = (s.steps[1].checkpoint as Container).body as Condition;
      assert.strictEqual(slice(second), 'count distinct sku >= 2 [instance]');
      assert.strictEqual(slice(second.subject), 'sku');
    });

    it('includes parentheses in the span of the chain around them', () => {
      const t = 'person where (a = 1 or b = 2) and not c in ("x", "y")';
      const r = parseRule(t).rule.root as Container;
      const a = r.body as unknown as { start: number; end: number; items: Array<{ start: number; end: number; kind: string; opSpan?: { start: number; end: number } }> };
      assert.strictEqual(t.slice(a.start, a.end), '(a = 1 or b = 2) and not c in ("x", "y")');
      assert.strictEqual(t.slice(a.items[0].start, a.items[0].end), 'a = 1 or b = 2');
      assert.strictEqual(t.slice(a.items[1].start, a.items[1].end), 'not c in ("x", "y")');
    });

    it('gives every node of a parsed rule a span inside the text', () => {
      walkExpr(root, node => {
        assert.ok(node.start >= 0 && node.start <= node.end && node.end <= text.length, node.kind);
      });
    });
  });

  it('walkExpr visits in source order and can skip children', () => {
    const { rule } = parseRule('person where a = 1 and (b = 2 or event where c = 3) then d = 4');
    const kinds: string[] = [];
    walkExpr(rule.root!, node => {
      kinds.push(node.kind === 'condition' ? node.subject.name : node.kind);
      return node.kind !== 'or';
    });
    assert.deepStrictEqual(kinds, ['container', 'and', 'a', 'sequence', 'or', 'd']);
  });

  it('returns an error node where it recovered', () => {
    assert.deepStrictEqual(stripSpans((parseRule('person where a = and b = 2').rule.root as Container).body), and(error(), eq('b', 2)));
  });
});
