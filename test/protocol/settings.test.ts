import * as assert from 'assert';
import * as path from 'path';
import { PreviewRequest } from '../../server/src/protocol';
import type { PreviewEvaluation, PreviewResult } from '../../server/src/protocol';
import { tempWorkspace } from '../support/cli';
import { LspTestClient } from '../support/lspClient';

const dataView = (id: string, file: string) => `dataview: ${id}\ntimestamp: ts\nsources:\n  - file: ${file}\n    person: id\n    namespace: ECID\ndimensions:\n  page: string\nmetrics:\n  orders:\n`;
const events = (n: number, page: string) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `p${i % 7}`, ts: 1790848800 + i * 60, page, orders: i % 2 })).join('\n') + '\n';
const FILTER = 'filter: buyers\nrule: person where orders > 0\n';
/** The client capabilities of an editor that answers `workspace/configuration`. */
const PULL = { workspace: { workspaceFolders: true, configuration: true, didChangeConfiguration: { dynamicRegistration: true } } };

function ok(r: PreviewResult): PreviewEvaluation {
  assert.strictEqual(r.status, 'ok', JSON.stringify(r));
  return r as PreviewEvaluation;
}

describe('settings over stdio: sample row limit and default data view', function () {
  this.timeout(30_000);
  let client: LspTestClient;
  let ws: ReturnType<typeof tempWorkspace>;

  beforeEach(() => {
    ws = tempWorkspace({ 'web.dataview.yaml': dataView('web', 'web.ndjson'), 'web.ndjson': events(40, 'W'), 'app.dataview.yaml': dataView('app', 'app.ndjson'), 'app.ndjson': events(10, 'A') });
    client = new LspTestClient();
  });

  afterEach(async () => {
    await client.shutdown();
    ws.cleanup();
  });

  it('previews a filter without `dataview:` on the default data view, with the row limit of its uri', async () => {
    client.setConfiguration('audienceFilters', { defaultDataView: 'web', preview: { sampleRowLimit: 5 } }, false);
    await client.initialize([ws.dir], PULL);
    const uri = client.open(path.join(ws.dir, 'buyers.filter.yaml'), FILTER);
    assert.deepStrictEqual((await client.waitForDiagnostics(uri, d => d.version === 1)).diagnostics, []);

    const limited = ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    assert.strictEqual(limited.dataView.id, 'web');
    assert.strictEqual(limited.total.events, 5);
    assert.deepStrictEqual(limited.truncated, { rowLimit: 5 });
    assert.ok(client.configurationRequests.some(r => r.scopeUri === uri && r.section === 'audienceFilters'), JSON.stringify(client.configurationRequests));

    // A new limit applies to the next preview once the editor says the settings changed.
    client.setConfiguration('audienceFilters', { defaultDataView: 'web', preview: { sampleRowLimit: 1000 } });
    const all = ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    assert.strictEqual(all.total.events, 40);
    assert.strictEqual(all.truncated, undefined);
  });

  it('reports filter-no-dataview until a default data view is set, then previews on it', async () => {
    await client.initialize([ws.dir], PULL);
    const uri = client.open(path.join(ws.dir, 'buyers.filter.yaml'), FILTER);
    const before = await client.waitForDiagnostics(uri, d => d.diagnostics.length > 0);
    assert.deepStrictEqual(before.diagnostics.map(d => [d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message]), [
      ['filter-no-dataview', 0, 0, 0, 6, 'The filter has no `dataview:` key and the workspace has 2 data views: `app`, `web`. Add `dataview: <id>` to the filter, or set a default data view (the `audienceFilters.defaultDataView` setting; `--dataview <id>` for the CLI).'],
    ]);
    const unavailable = await client.request<PreviewResult>(PreviewRequest, { uri });
    assert.strictEqual(unavailable.status, 'stale');

    client.setConfiguration('audienceFilters', { defaultDataView: 'app' });
    await client.waitForDiagnostics(uri, d => d.diagnostics.length === 0);
    const r = ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    assert.strictEqual(r.dataView.id, 'app');
    assert.strictEqual(r.total.events, 10);
    assert.strictEqual(r.truncated, undefined, 'the default row limit (1,000,000) is not reached');
  });

  it('uses the defaults when the client does not answer `workspace/configuration`', async () => {
    client.setConfiguration('audienceFilters', { defaultDataView: 'web', preview: { sampleRowLimit: 5 } }, false);
    await client.initialize([ws.dir]);
    const uri = client.open(path.join(ws.dir, 'buyers.filter.yaml'), 'filter: buyers\ndataview: web\nrule: person where orders > 0\n');
    const r = ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    assert.strictEqual(r.total.events, 40);
    assert.deepStrictEqual(client.configurationRequests, []);
  });
});
