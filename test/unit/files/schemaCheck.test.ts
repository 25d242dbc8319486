import * as assert from 'assert';
import { parseSourceFile } from '../../../core/src/files/sourceFile';

function problems(text: string, schema: 'filter' | 'dataview' = 'filter') {
  return parseSourceFile('/w/x.filter.yaml', text, schema).problems.map(p => ({ code: p.code, at: text.slice(p.start, p.end), message: p.message, replacements: p.data?.replacements }));
}

const VALID = 'filter: buyers\ndataview: web\nrule: person where orders > 0\n';

describe('schema validation mapped to YAML ranges', () => {
  it('accepts a valid filter file', () => {
    assert.deepStrictEqual(problems(VALID), []);
  });

  it('underlines an unknown key and suggests the closest one', () => {
    const p = problems(`${VALID}titel: Buyers\n`);
    assert.deepStrictEqual(p, [{ code: 'schema-unknown-key', at: 'titel', message: 'Unknown key `titel` in the file. Did you mean `title`?', replacements: ['title'] }]);
  });

  it('reports a missing required key once', () => {
    const p = problems('filter: buyers\ndataview: web\n');
    assert.strictEqual(p.length, 1);
    assert.strictEqual(p[0].code, 'schema-missing-key');
    assert.strictEqual(p[0].message, 'Missing required key `rule`.');
    assert.strictEqual(p[0].at, 'filter');
    // `dataview` is optional: a default data view applies (see the checker's filter-no-dataview).
    assert.deepStrictEqual(problems('filter: buyers\nrule: person where orders > 0\n'), []);
  });

  it('underlines a bad enum value with suggestions', () => {
    const p = problems(`${VALID}audience:\n  name: B\n  refresh: dayly\n`);
    assert.strictEqual(p.length, 1);
    assert.strictEqual(p[0].code, 'schema-value');
    assert.strictEqual(p[0].at, 'dayly');
    assert.deepStrictEqual(p[0].replacements, ['daily']);
  });

  it('collapses oneOf noise into one message on the value', () => {
    const p = problems(`${VALID}period: lats 30 days\n`);
    assert.strictEqual(p.length, 1);
    assert.strictEqual(p[0].at, 'lats 30 days');
    assert.match(p[0].message, /^`period` is not valid/);
  });

  it('reports the branch the author meant when a oneOf value has the object shape', () => {
    const p = problems(`${VALID}period:\n  from: 2026-01-01\n  too: 2026-02-01\n`);
    assert.deepStrictEqual(p.map(x => [x.code, x.at]), [['schema-unknown-key', 'too']]);
  });

  it('reports a wrong type on the value', () => {
    const p = problems(`${VALID}tags: ecommerce\n`);
    assert.deepStrictEqual(p.map(x => [x.code, x.at, x.message]), [['schema-type', 'ecommerce', '`tags` must be a list.']]);
  });

  it('reports a non-mapping document', () => {
    const p = problems('- a\n- b\n');
    assert.deepStrictEqual(p.map(x => x.code), ['schema-type']);
  });
});
