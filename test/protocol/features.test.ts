import * as assert from 'assert';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { tempWorkspace } from '../support/cli';
import { LspTestClient } from '../support/lspClient';

const DATAVIEW = 'dataview: web\ntimestamp: timestamp\nsources:\n  - file: e.ndjson\n    person: ecid\n    namespace: ECID\ndimensions:\n  page_name:\n    type: string\n    description: Name of the page.\nmetrics:\n  orders:\n';
const EVENTS = ['home', 'home', 'cart'].map((p, i) => JSON.stringify({ ecid: 'p1', timestamp: `2026-11-0${i + 1}T00:00:00Z`, page_name: p, orders: i })).join('\n') + '\n';
const BUYERS = 'filter: buyers\ntitle: Buyers\ndataview: web\nrule: person where orders > 0\n';
const MAIN = 'filter: main\ndataview: web\nrule: |\n  person where page_name = "home"\n    and filter buyers\n';

const pos = (line: number, character: number) => ({ line, character });
const range = (l1: number, c1: number, l2: number, c2: number) => ({ start: pos(l1, c1), end: pos(l2, c2) });

describe('language server editor features over stdio', () => {
  let client: LspTestClient;
  let ws: ReturnType<typeof tempWorkspace>;
  let uri: string;
  const doc = () => ({ textDocument: { uri } });
  const request = <T>(method: string, params: object) => client.connection.sendRequest(method, params) as Promise<T>;

  before(async () => {
    ws = tempWorkspace({ 'web.dataview.yaml': DATAVIEW, 'e.ndjson': EVENTS, 'buyers.filter.yaml': BUYERS });
    client = new LspTestClient();
    const init = (await client.initialize([ws.dir])) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities.completionProvider && init.capabilities.renameProvider && init.capabilities.semanticTokensProvider);
    uri = client.open(path.join(ws.dir, 'main.filter.yaml'), MAIN);
    await client.waitForDiagnostics(uri);
  });

  after(async () => {
    await client.shutdown();
    ws.cleanup();
  });

  it('completes operators for the field type and values from the sample data', async () => {
    const ops = await request<Array<{ label: string }>>('textDocument/completion', { ...doc(), position: pos(3, 25) });
    assert.deepStrictEqual(ops.map(i => i.label).slice(0, 4), ['=', '!=', 'in', 'not in']);
    const values = await request<Array<{ label: string; detail: string; textEdit: unknown }>>('textDocument/completion', { ...doc(), position: pos(3, 28) });
    assert.deepStrictEqual(values.map(i => [i.label, i.detail, i.textEdit]), [
      ['"home"', '2 events (66.7%)', { range: range(3, 27, 3, 28), newText: '"home"' }],
      ['"cart"', '1 event (33.3%)', { range: range(3, 27, 3, 28), newText: '"cart"' }],
    ]);
  });

  it('hovers a dimension with its sample', async () => {
    const h = await request<{ contents: { value: string }; range: unknown }>('textDocument/hover', { ...doc(), position: pos(3, 16) });
    assert.deepStrictEqual(h, {
      contents: { kind: 'markdown', value: '**page_name** — string dimension\n\nName of the page.\n\nSource field `page_name` · data view `web`\n\nSample: 2 distinct values in 3 of 3 events. Top: `home` (2), `cart` (1)' },
      range: range(3, 15, 3, 24),
    });
  });

  it('goes to definitions and finds references', async () => {
    const buyersUri = pathToFileURL(path.join(ws.dir, 'buyers.filter.yaml')).toString();
    assert.deepStrictEqual(await request('textDocument/definition', { ...doc(), position: pos(4, 16) }), [{ uri: buyersUri, range: range(0, 8, 0, 14) }]);
    const refs = await request('textDocument/references', { ...doc(), position: pos(4, 16), context: { includeDeclaration: true } });
    assert.deepStrictEqual(refs, [{ uri: buyersUri, range: range(0, 8, 0, 14) }, { uri, range: range(4, 15, 4, 21) }]);
  });

  it('renames a filter id across files and refuses an invalid name', async () => {
    const buyersUri = pathToFileURL(path.join(ws.dir, 'buyers.filter.yaml')).toString();
    assert.deepStrictEqual(await request('textDocument/prepareRename', { ...doc(), position: pos(4, 16) }), { range: range(4, 15, 4, 21), placeholder: 'buyers' });
    const edit = await request('textDocument/rename', { ...doc(), position: pos(4, 16), newName: 'purchasers' });
    assert.deepStrictEqual(edit, { changes: { [buyersUri]: [{ range: range(0, 8, 0, 14), newText: 'purchasers' }], [uri]: [{ range: range(4, 15, 4, 21), newText: 'purchasers' }] } });
    await assert.rejects(request('textDocument/rename', { ...doc(), position: pos(4, 16), newName: 'Bad Name' }), /is not a valid filter id/);
    await assert.rejects(request('textDocument/prepareRename', { ...doc(), position: pos(2, 1) }), /Only filter ids and data view dimensions and metrics can be renamed/);
  });

  it('formats the document with the requested tab size', async () => {
    const edits = await request('textDocument/formatting', { ...doc(), options: { tabSize: 4, insertSpaces: true } });
    assert.deepStrictEqual(edits, [{ range: range(3, 0, 4, 21), newText: '    person where\n        page_name = "home" and filter buyers' }]);
  });

  it('offers quick fixes from the diagnostic data', async () => {
    const u2 = client.open(path.join(ws.dir, 'typo.filter.yaml'), 'filter: typo\ndataview: web\nrule: person where page_nam = "x"\n');
    const published = await client.waitForDiagnostics(u2, d => d.diagnostics.length > 0);
    const d = published.diagnostics.find(x => x.code === 'rule-unknown-field')!;
    const actions = await request<Array<{ title: string; kind: string; edit: unknown; isPreferred?: boolean }>>('textDocument/codeAction', { textDocument: { uri: u2 }, range: d.range, context: { diagnostics: [d] } });
    assert.deepStrictEqual(actions.map(a => [a.title, a.kind, a.isPreferred ?? false, a.edit]), [
      ['Change to `page_name`', 'quickfix', true, { changes: { [u2]: [{ range: range(2, 19, 2, 27), newText: 'page_name' }] } }],
      ['Suppress `rule-unknown-field` on this line', 'quickfix', false, { changes: { [u2]: [{ range: range(2, 0, 2, 0), newText: '# audience-filters-disable-next-line rule-unknown-field\n' }] } }],
    ]);
  });

  it('answers document symbols, folding ranges and semantic tokens', async () => {
    const symbols = await request<Array<{ name: string; kind: number; children?: Array<{ name: string; kind: number }> }>>('textDocument/documentSymbol', doc());
    assert.deepStrictEqual(symbols.map(s => [s.name, s.kind, (s.children ?? []).map(c => [c.name, c.kind])]), [
      ['filter', 15, []],
      ['dataview', 15, []],
      ['rule', 15, [['person where', 3]]],
    ]);
    assert.deepStrictEqual(await request('textDocument/foldingRange', doc()), [{ startLine: 2, endLine: 4 }, { startLine: 3, endLine: 4 }]);
    const tokens = await request<{ data: number[] }>('textDocument/semanticTokens/full', doc());
    assert.deepStrictEqual(tokens.data, [3, 2, 6, 1, 0, 0, 7, 5, 0, 0, 0, 6, 9, 3, 0, 0, 10, 1, 2, 0, 0, 2, 6, 5, 0, 1, 4, 3, 0, 0, 0, 4, 6, 0, 0, 0, 7, 6, 8, 0]);
  });
});
