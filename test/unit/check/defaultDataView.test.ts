import * as assert from 'assert';
import { Workspace } from '../../../core/src/workspace';
import type { WorkspaceOptions } from '../../../core/src/workspace';

const dataView = (id: string, dimension = 'page_name') => `dataview: ${id}
timestamp: timestamp
sources:
  - file: e.ndjson
    person: ecid
    namespace: ECID
dimensions:
  ${dimension}: string
metrics:
  orders:
`;

const NO_KEY = 'filter: f\nrule: person where orders > 0\n';
const HOW = 'Add `dataview: <id>` to the filter, or set a default data view (the `audienceFilters.defaultDataView` setting; `--dataview <id>` for the CLI).';

/** A workspace of the given files under /w, checked as the filter /w/f.filter.yaml. */
function setup(files: Record<string, string>, filter = NO_KEY, options: WorkspaceOptions = {}) {
  const ws = new Workspace(() => new Date('2026-11-28T00:00:00Z'), options);
  for (const [name, text] of Object.entries(files)) ws.set(`/w/${name}`, text);
  ws.set('/w/f.filter.yaml', filter);
  const file = ws.get('/w/f.filter.yaml');
  if (file?.kind !== 'filter') throw new Error('not a filter');
  const diagnostics = ws.diagnostics('/w/f.filter.yaml').map(d => ({ code: d.code, range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], message: d.message }));
  return { ws, file, diagnostics };
}

describe('the data view of a filter without `dataview:`', () => {
  it('a `dataview:` key wins over the default', () => {
    const { ws, file, diagnostics } = setup({ 'web.dataview.yaml': dataView('web'), 'app.dataview.yaml': dataView('app') }, 'filter: f\ndataview: app\nrule: person where orders > 0\n', { defaultDataView: () => 'web' });
    assert.deepStrictEqual(ws.dataViewChoice(file), { source: 'key', id: 'app', file: ws.get('/w/app.dataview.yaml') });
    assert.deepStrictEqual(diagnostics, []);
  });

  it('uses the default data view of the filter, asked for by the filter\'s uri', () => {
    const asked: string[] = [];
    const { ws, file, diagnostics } = setup({ 'web.dataview.yaml': dataView('web'), 'app.dataview.yaml': dataView('app', 'screen') }, 'filter: f\nrule: person where screen = "Home"\n', { defaultDataView: uri => (asked.push(uri), 'app') });
    assert.deepStrictEqual(ws.dataViewChoice(file), { source: 'default', id: 'app', file: ws.get('/w/app.dataview.yaml') });
    assert.strictEqual(ws.dataViewFor(file), ws.get('/w/app.dataview.yaml'));
    assert.strictEqual(ws.dataViewIdOf(file), 'app');
    assert.deepStrictEqual(diagnostics, [], 'the rule is checked against the default data view');
    assert.ok(asked.length > 0 && asked.every(u => u === '/w/f.filter.yaml'));
  });

  it('uses the only data view of the workspace when there is no default', () => {
    const { ws, file, diagnostics } = setup({ 'web.dataview.yaml': dataView('web') }, NO_KEY, { defaultDataView: () => '  ' });
    assert.deepStrictEqual(ws.dataViewChoice(file), { source: 'only', id: 'web', file: ws.get('/w/web.dataview.yaml') });
    assert.deepStrictEqual(diagnostics, []);
  });

  it('the rule is checked against the data view it resolves to', () => {
    const { diagnostics } = setup({ 'web.dataview.yaml': dataView('web') }, 'filter: f\nrule: person where screen = "x"\n');
    assert.deepStrictEqual(diagnostics.map(d => [d.code, d.message]), [['rule-unknown-field', 'Unknown dimension or metric `screen` in data view `web`.']]);
  });

  it('filter-no-dataview on the first key when several data views exist and no default is set', () => {
    const { ws, file, diagnostics } = setup({ 'web.dataview.yaml': dataView('web'), 'app.dataview.yaml': dataView('app') });
    assert.deepStrictEqual(ws.dataViewChoice(file), { source: 'none', known: ['app', 'web'] });
    assert.strictEqual(ws.dataViewFor(file), undefined);
    assert.deepStrictEqual(diagnostics, [
      { code: 'filter-no-dataview', range: [0, 0, 0, 6], message: `The filter has no \`dataview:\` key and the workspace has 2 data views: \`app\`, \`web\`. ${HOW}` },
    ]);
  });

  it('filter-no-dataview when the workspace has no data view', () => {
    const { diagnostics } = setup({}, 'title: T\nfilter: f\nrule: person where orders > 0\n');
    assert.deepStrictEqual(diagnostics, [
      { code: 'filter-no-dataview', range: [0, 0, 0, 5], message: `The filter has no \`dataview:\` key and the workspace has no data view (*.dataview.yaml). ${HOW}` },
    ]);
  });

  it('filter-no-dataview when the default names no data view of the workspace', () => {
    const { ws, file, diagnostics } = setup({ 'web.dataview.yaml': dataView('web') }, NO_KEY, { defaultDataView: () => 'crm' });
    assert.deepStrictEqual(ws.dataViewChoice(file), { source: 'default', id: 'crm', file: undefined });
    assert.deepStrictEqual(diagnostics, [
      { code: 'filter-no-dataview', range: [0, 0, 0, 6], message: 'The filter has no `dataview:` key and the default data view `crm` is not in the workspace. Name an existing data view in `dataview:` or in the `audienceFilters.defaultDataView` setting.' },
    ]);
  });

  it('leaves a `dataview:` key without text to the schema', () => {
    const { diagnostics } = setup({ 'web.dataview.yaml': dataView('web'), 'app.dataview.yaml': dataView('app') }, 'filter: f\ndataview:\nrule: person where orders > 0\n');
    assert.deepStrictEqual(diagnostics.map(d => d.code), ['schema-type']);
  });

  it('a data view id in two files counts as one data view', () => {
    const { ws, file, diagnostics } = setup({ 'web.dataview.yaml': dataView('web'), 'sub/web.dataview.yaml': dataView('web') });
    // The duplicate id is reported on the second data view file, not on the filter.
    const choice = ws.dataViewChoice(file);
    assert.deepStrictEqual([choice.source, choice.source === 'only' && choice.id], ['only', 'web']);
    assert.deepStrictEqual(diagnostics, []);
  });
});
