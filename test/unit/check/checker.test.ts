import * as assert from 'assert';
import { Workspace } from '../../../core/src/workspace';

const DATAVIEW = `dataview: web
timestamp: timestamp
sources:
  - file: e.ndjson
    person: ecid
    namespace: ECID
dimensions:
  page_name: string
  visit_number: number
  country: string
metrics:
  revenue:
  orders:
`;

/** A workspace with the data view, the given filter as /w/f.filter.yaml, and extra files. */
function check(filterText: string, extra: Record<string, string> = {}, now = new Date('2026-11-28T00:00:00Z')) {
  const ws = new Workspace(() => now);
  ws.set('/w/web.dataview.yaml', DATAVIEW);
  for (const [name, text] of Object.entries(extra)) ws.set(`/w/${name}`, text);
  ws.set('/w/f.filter.yaml', filterText);
  return ws.diagnostics('/w/f.filter.yaml').map(d => ({ code: d.code, severity: d.severity, range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], message: d.message, replacements: d.data?.replacements }));
}

const head = 'filter: f\ndataview: web\nrule: |\n  ';

describe('checker', () => {
  it('accepts a correct filter', () => {
    assert.deepStrictEqual(check(`${head}person where page_name = "Home" and revenue > 10\n`), []);
  });

  it('rule-unknown-field: unknown name with did-you-mean, on the name', () => {
    const d = check(`${head}person where page_nme = "Home"\n`);
    assert.deepStrictEqual(d, [{ code: 'rule-unknown-field', severity: 'error', range: [3, 15, 3, 23], message: 'Unknown dimension or metric `page_nme` in data view `web`. Did you mean `page_name`?', replacements: ['page_name'] }]);
  });

  it('rule-type-mismatch: a string operator on a metric, on the operator', () => {
    const d = check(`${head}person where revenue contains "1"\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['rule-type-mismatch', [3, 23, 3, 31]]]);
    assert.match(d[0].message, /`contains` compares text, but metric `revenue` is a number/);
  });

  it('rule-type-mismatch: a number compared with text', () => {
    const d = check(`${head}person where visit_number = "1"\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['rule-type-mismatch', [3, 30, 3, 33]]]);
  });

  it('rule-metric-as-dimension: count distinct of a metric', () => {
    const d = check(`${head}person where count distinct revenue > 2\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['rule-metric-as-dimension', [3, 30, 3, 37]]]);
  });

  it('rule-container-scope: a person container inside an event container', () => {
    const d = check(`${head}event where (person where page_name = "A")\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['rule-container-scope', [3, 15, 3, 21]]]);
  });

  it('only … per session: its checkpoints are checked in sessions, not in the enclosing event', () => {
    assert.deepStrictEqual(check(`${head}event where only after (page_name = "A" then session where page_name = "B") per session\n`), []);
    const d = check(`${head}event where only after (page_name = "A" then person where page_name = "B") per session\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['rule-container-scope', [3, 47, 3, 53]]]);
  });

  it('rule-contradiction: two different values of one dimension on one event', () => {
    const d = check(`${head}event where page_name = "A" and page_name = "B"\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['rule-contradiction', [3, 34, 3, 49]]]);
    assert.strictEqual(check(`${head}person where page_name = "A" and page_name = "B"\n`).length, 0);
  });

  it('rule-unknown-filter and rule-reference-cycle', () => {
    assert.deepStrictEqual(check(`${head}person where filter buyerz\n`, { 'b.filter.yaml': 'filter: buyers\ndataview: web\nrule: person where orders > 0\n' }).map(x => [x.code, x.range, x.replacements]), [['rule-unknown-filter', [3, 22, 3, 28], ['buyers']]]);
    const cyc = check(`${head}person where filter g\n`, { 'g.filter.yaml': 'filter: g\ndataview: web\nrule: person where filter f\n' });
    assert.deepStrictEqual(cyc.map(x => [x.code, x.range, x.message]), [['rule-reference-cycle', [3, 22, 3, 23], 'Filter references form a cycle: f → g → f.']]);
  });

  it('filter-duplicate-id across the workspace, on the later file', () => {
    const d = check(`filter: same\ndataview: web\nrule: person where orders > 0\n`, { 'a.filter.yaml': 'filter: same\ndataview: web\nrule: person where orders > 1\n' });
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['filter-duplicate-id', [0, 8, 0, 12]]]);
  });

  it('filter-unknown-dataview with did-you-mean', () => {
    const d = check('filter: f\ndataview: wbe\nrule: person where orders > 0\n');
    assert.deepStrictEqual(d.map(x => [x.code, x.range, x.replacements]), [['filter-unknown-dataview', [1, 10, 1, 13], ['web']]]);
  });

  it('filter-bad-date and filter-bad-period', () => {
    assert.deepStrictEqual(check(`${head}person where orders > 0\nperiod: {from: 2026-02-30, to: 2026-03-10}\n`).map(x => [x.code, x.range]), [['filter-bad-date', [4, 15, 4, 25]]]);
    assert.deepStrictEqual(check(`${head}person where orders > 0\nperiod: {from: 2026-03-10, to: 2026-03-01}\n`).map(x => [x.code, x.range]), [['filter-bad-period', [4, 31, 4, 41]]]);
  });

  it('audience limits: lookback and expiry', () => {
    const d = check(`${head}person where orders > 0\naudience:\n  name: A\n  lookback: 120 days\n  expires: 2028-06-01\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.range, x.replacements]), [
      ['audience-lookback-limit', [6, 12, 6, 20], ['90 days']],
      ['audience-expiry-limit', [7, 11, 7, 21], ['2027-12-28']],
    ]);
  });

  it('limit-list-values: more than 500 values in a list', () => {
    const values = Array.from({ length: 501 }, (_, i) => `"v${i}"`).join(', ');
    const d = check(`${head}person where page_name in (${values})\n`);
    assert.deepStrictEqual(d.map(x => [x.code, x.severity]), [['limit-list-values', 'warning']]);
  });

  it('limit-nested-containers: more than 10 nested containers', () => {
    let rule = 'event where page_name = "A"';
    for (let i = 0; i < 11; i++) rule = `event where (${rule})`;
    const d = check(`${head}${rule}\n`);
    assert.deepStrictEqual(d.map(x => x.code), ['limit-nested-containers']);
  });

  it('a disable-next-line comment suppresses the named code only', () => {
    const text = 'filter: f\n# audience-filters-disable-next-line filter-unknown-dataview\ndataview: wbe\nrule: person where orders > 0\n';
    assert.deepStrictEqual(check(text), []);
    const other = 'filter: f\n# audience-filters-disable-next-line rule-unknown-field\ndataview: wbe\nrule: person where orders > 0\n';
    assert.deepStrictEqual(check(other).map(x => x.code), ['filter-unknown-dataview']);
  });

  it('maps rule diagnostics through the block scalar to file positions', () => {
    const d = check('filter: f\ndataview: web\nrule: |\n  person where\n    page_name = "A"\n    and countri = "US"\n');
    assert.deepStrictEqual(d.map(x => [x.code, x.range]), [['rule-unknown-field', [5, 8, 5, 15]]]);
  });
});
