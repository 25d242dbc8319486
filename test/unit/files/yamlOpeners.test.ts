import * as assert from 'assert';
import { Workspace } from '../../../core/src/workspace';

/** YAML errors where the mistake is: an unclosed `[`, `{` or quote is reported at the opener. */
function yamlErrors(text: string) {
  const ws = new Workspace();
  ws.set('/w/f.filter.yaml', text);
  return ws
    .diagnostics('/w/f.filter.yaml')
    .filter(d => d.code === 'yaml-syntax')
    .map(d => ({ range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], message: d.message, related: d.related?.map(r => ({ range: [r.range.start.line, r.range.start.character, r.range.end.line, r.range.end.character], message: r.message })) }));
}

describe('YAML syntax errors at the opener that never closes', () => {
  it('an unclosed flow list, with the line where YAML gave up as related information', () => {
    assert.deepStrictEqual(yamlErrors('filter: f\ndataview: web\ntags: [a, b\nrule: person where x = 1\n'), [
      { range: [2, 6, 2, 7], message: 'YAML syntax error: this flow list `[` is never closed with `]`.', related: [{ range: [3, 0, 3, 5], message: 'YAML gave up here: deficient indentation.' }] },
    ]);
  });

  it('an unclosed flow mapping, even when a bracket in a later block scalar looks like a close', () => {
    assert.deepStrictEqual(yamlErrors('filter: f\nmeta: {a: 1, b: [2, 3]\nrule: |\n  person where x = "}"\n'), [
      { range: [1, 6, 1, 7], message: 'YAML syntax error: this flow mapping `{` is never closed with `}`.', related: [{ range: [2, 0, 2, 5], message: 'YAML gave up here: deficient indentation.' }] },
    ]);
  });

  it('an unclosed double-quoted string, though a later line has a quote', () => {
    assert.deepStrictEqual(yamlErrors('filter: f\ntitle: "Buyers\nrule: person where x in ["a", "b"]\n'), [
      { range: [1, 7, 1, 8], message: 'YAML syntax error: this quoted string `"` is never closed.', related: [{ range: [2, 0, 2, 5], message: 'YAML gave up here: deficient indentation.' }] },
    ]);
  });

  it('brackets and quotes inside block scalars, comments and plain words are not openers; other errors stay where YAML stopped', () => {
    assert.deepStrictEqual(yamlErrors("filter: f # [not a list\ntitle: don't\nrule: |\n  person where x = \"[\"\n"), []);
    assert.deepStrictEqual(yamlErrors('filter: f\ntags: [a,\n  b]\ntitle: "multi\n  line"\nrule: person where x = 1\n'), []);
    const stray = yamlErrors('filter: f\ntitle: a: b\n');
    assert.strictEqual(stray.length, 1);
    assert.strictEqual(stray[0].related, undefined);
    assert.deepStrictEqual(stray[0].range.slice(0, 1), [1]);
  });
});
