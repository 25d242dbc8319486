import * as assert from 'assert';
import { Workspace } from '../../../core/src/workspace';

/** Diagnostics of one file of a workspace, as [code, severity, startLine, startChar, endLine, endChar]. */
function diagnosticsOf(files: Record<string, string>, target: string): Array<[string, string, number, number, number, number]> {
  const ws = new Workspace(() => new Date('2026-11-28T00:00:00Z'));
  for (const [name, text] of Object.entries(files)) ws.set(`/w/${name}`, text);
  // The sample files of these data views do not exist: that is another test's subject (dataviewSources.test.ts).
  return ws.diagnostics(`/w/${target}`).filter(d => !d.code.startsWith('dataview-file-')).map(d => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]);
}

const DV = 'dataview: web\ntimestamp: t\nsources:\n  - file: e.ndjson\n    person: p\n    namespace: ECID\ndimensions:\n  page: string\nmetrics:\n  orders:\n';

describe('diagnostic codes of data views, filter tests, references and limits', () => {
  it('yaml-unsupported: an alias, on the alias', () => {
    assert.deepStrictEqual(diagnosticsOf({ 'f.filter.yaml': 'filter: f\ndataview: &d web\ntitle: *d\nrule: person where orders > 0\n' }, 'f.filter.yaml').filter(d => d[0] === 'yaml-unsupported'), [['yaml-unsupported', 'warning', 2, 7, 2, 9]]);
  });

  it('dataview-duplicate-id: on the later data view', () => {
    assert.deepStrictEqual(diagnosticsOf({ 'a.dataview.yaml': DV, 'b.dataview.yaml': DV }, 'b.dataview.yaml'), [['dataview-duplicate-id', 'error', 0, 10, 0, 13]]);
    assert.deepStrictEqual(diagnosticsOf({ 'a.dataview.yaml': DV, 'b.dataview.yaml': DV }, 'a.dataview.yaml'), []);
  });

  it('dataview-duplicate-name: a metric named like a dimension, on the metric key', () => {
    assert.deepStrictEqual(diagnosticsOf({ 'a.dataview.yaml': `${DV}  page:\n` }, 'a.dataview.yaml'), [['dataview-duplicate-name', 'error', 10, 2, 10, 6]]);
  });

  it('rule-filter-dataview: a reference to a filter of another data view', () => {
    const other = DV.replace('dataview: web', 'dataview: app');
    const d = diagnosticsOf({ 'web.dataview.yaml': DV, 'app.dataview.yaml': other, 'g.filter.yaml': 'filter: g\ndataview: app\nrule: person where orders > 0\n', 'f.filter.yaml': 'filter: f\ndataview: web\nrule: person where filter g\n' }, 'f.filter.yaml');
    assert.deepStrictEqual(d, [['rule-filter-dataview', 'warning', 2, 26, 2, 27]]);
  });

  it('limit-containers, limit-distinct-fields and limit-words', () => {
    const many = Array.from({ length: 51 }, (_, i) => `(event where page = "p${i}")`).join(' or ');
    assert.deepStrictEqual(diagnosticsOf({ 'web.dataview.yaml': DV, 'f.filter.yaml': `filter: f\ndataview: web\nrule: person where ${many}\n` }, 'f.filter.yaml').map(d => d[0]), ['limit-containers']);
    const fields = Array.from({ length: 26 }, (_, i) => `d${i}: string`).join('\n  ');
    const dv = `${DV.replace('  page: string\n', `  page: string\n  ${fields}\n`)}`;
    const rule = Array.from({ length: 26 }, (_, i) => `d${i} exists`).join(' or ');
    assert.deepStrictEqual(diagnosticsOf({ 'web.dataview.yaml': dv, 'f.filter.yaml': `filter: f\ndataview: web\nrule: person where ${rule}\n` }, 'f.filter.yaml').map(d => d[0]), ['limit-distinct-fields']);
    const words = Array.from({ length: 101 }, (_, i) => `w${i}`).join(' ');
    assert.deepStrictEqual(diagnosticsOf({ 'web.dataview.yaml': DV, 'f.filter.yaml': `filter: f\ndataview: web\nrule: person where page = "${words}"\n` }, 'f.filter.yaml').map(d => [d[0], d[3]]), [['limit-words', 26]]);
  });

  it('test-unknown-filter, test-filter-has-errors and test-failed in a filter test file', () => {
    const test = (filter: string, expect: string) => `filter: ${filter}\npeople:\n  - person: p1\n    expect: ${expect}\n    events:\n      - { t: "2026-01-01T00:00:00Z", page: A }\n`;
    const base = { 'web.dataview.yaml': DV, 'f.filter.yaml': 'filter: f\ndataview: web\nrule: person where page = "A"\n', 'bad.filter.yaml': 'filter: bad\ndataview: web\nrule: person where pag = "A"\n' };
    assert.deepStrictEqual(diagnosticsOf({ ...base, 't.filter.test.yaml': test('nope', 'member') }, 't.filter.test.yaml'), [['test-unknown-filter', 'error', 0, 8, 0, 12]]);
    assert.deepStrictEqual(diagnosticsOf({ ...base, 't.filter.test.yaml': test('bad', 'member') }, 't.filter.test.yaml'), [['test-filter-has-errors', 'error', 0, 8, 0, 11]]);
    assert.deepStrictEqual(diagnosticsOf({ ...base, 't.filter.test.yaml': test('f', 'member') }, 't.filter.test.yaml'), []);
    assert.deepStrictEqual(diagnosticsOf({ ...base, 't.filter.test.yaml': test('f', 'not member') }, 't.filter.test.yaml'), [['test-failed', 'error', 3, 12, 3, 22]]);
  });
});
