import * as assert from 'assert';
import { getPair, nodeAtPointer, parseYaml, toJS } from '../../../core/src/yaml/yamlTree';
import { LineIndex } from '../../../core/src/text';

describe('YAML layer', () => {
  it('builds a tree with exact offsets for keys and values', () => {
    const text = 'filter: a-b\ntags: [x, y]\nrule: |\n  person where\n    page = "A"\n';
    const { root, problems } = parseYaml(text);
    assert.deepStrictEqual(problems, []);
    const filter = getPair(root, 'filter');
    assert.ok(filter && filter.value && filter.value.kind === 'scalar');
    assert.strictEqual(text.slice(filter.key.start, filter.key.end), 'filter');
    assert.strictEqual(text.slice(filter.value.start, filter.value.end), 'a-b');
    const tags = getPair(root, 'tags');
    assert.ok(tags?.value?.kind === 'seq');
    assert.strictEqual(text.slice(tags.value.start, tags.value.end), '[x, y]');
    const rule = getPair(root, 'rule');
    assert.ok(rule?.value?.kind === 'scalar' && rule.value.block);
    assert.strictEqual(rule.value.text, 'person where\n  page = "A"\n');
    assert.strictEqual(text[rule.value.start], '|');
    assert.deepStrictEqual(toJS(root), { filter: 'a-b', tags: ['x', 'y'], rule: 'person where\n  page = "A"\n' });
  });

  it('reports a syntax error at the exact position and never throws', () => {
    const text = 'filter: a\ntags: [x, y\ntitle: T\n';
    const { root, problems } = parseYaml(text);
    assert.strictEqual(root, null);
    assert.strictEqual(problems.length, 1);
    assert.strictEqual(problems[0].code, 'yaml-syntax');
    const lines = new LineIndex(text);
    // At the `[` that never closes; where the parser stopped is the related location.
    assert.deepStrictEqual(lines.positionAt(problems[0].start), { line: 1, character: 6 });
    assert.deepStrictEqual(problems[0].related?.map(r => lines.positionAt(r.start)), [{ line: 2, character: 0 }]);
    assert.match(problems[0].message, /^YAML syntax error: /);
  });

  it('reports duplicate keys on the second key', () => {
    const text = 'a: 1\nb: 2\na: 3\n';
    const { problems } = parseYaml(text);
    assert.deepStrictEqual(problems.map(p => [p.code, text.slice(p.start, p.end)]), [['yaml-duplicate-key', 'a']]);
    assert.match(problems[0].message, /already set on line 1/);
  });

  it('treats binary content as a problem, not a crash', () => {
    const { root, problems } = parseYaml('\u0000\u0001\u0002PNG');
    assert.strictEqual(root, null);
    assert.strictEqual(problems[0].code, 'yaml-binary');
  });

  it('places empty nodes (an empty key, an empty item) inside the text, where the text so far ends', () => {
    // Found by the fuzz suite: js-yaml gives empty nodes no offsets, and a problem on them had range -1..-1.
    const { root } = parseYaml(': dataview: web\nlist:\n- \n');
    assert.ok(root?.kind === 'map');
    assert.deepStrictEqual([root.pairs[0].key.start, root.pairs[0].key.end, root.pairs[0].key.value], [0, 0, null]);
    const list = root.pairs[1].value;
    assert.ok(list?.kind === 'seq');
    assert.deepStrictEqual([list.items[0].start, list.items[0].end], [22, 22]);
  });

  it('resolves core-schema scalars and quoted strings', () => {
    const { root } = parseYaml('n: 12\nb: true\nz: ~\nq: "12"\nd: 2026-01-01\n');
    assert.deepStrictEqual(toJS(root), { n: 12, b: true, z: null, q: '12', d: '2026-01-01' });
  });

  it('finds nodes by JSON pointer', () => {
    const text = 'audience:\n  name: X\n  namespaces: [ECID, Email]\n';
    const { root } = parseYaml(text);
    const { node, pair } = nodeAtPointer(root, '/audience/namespaces/1');
    assert.ok(node?.kind === 'scalar');
    assert.strictEqual(text.slice(node.start, node.end), 'Email');
    assert.strictEqual(pair?.key.text, 'namespaces');
  });
});
