import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PreviewRequest } from '../../server/src/protocol';
import type { PreviewResult } from '../../server/src/protocol';
import { tempWorkspace } from '../support/cli';
import { LspTestClient } from '../support/lspClient';

const dataView = (file: string) => `dataview: web\ntimestamp: ts\nsources:\n  - file: ${file}\n    person: id\n    namespace: ECID\ndimensions:\n  page: string\n`;
const ROWS = '{"id":"p1","ts":1790848800,"page":"A"}\n{"id":"p2","ts":1790848860,"page":"B"}\n';
const PULL = { workspace: { workspaceFolders: true, configuration: true, didChangeConfiguration: { dynamicRegistration: true } } };
const SETTING = 'audienceFilters.data.allowedFolders';

describe('sample files confined to the workspace folder, over stdio', function () {
  this.timeout(30_000);
  let client: LspTestClient;
  let ws: ReturnType<typeof tempWorkspace>;

  beforeEach(() => {
    ws = tempWorkspace({ 'proj/web.dataview.yaml': dataView('../outside/events.ndjson'), 'proj/f.filter.yaml': 'filter: f\ndataview: web\nrule: person where page = "A"\n', 'outside/events.ndjson': ROWS });
    client = new LspTestClient();
  });

  afterEach(async () => {
    await client.shutdown();
    ws.cleanup();
  });

  it('an outside file is an error on its value with a quick fix opening the setting; the preview refuses until the setting allows the folder', async () => {
    client.setConfiguration('audienceFilters', {}, false);
    const proj = path.join(ws.dir, 'proj');
    await client.initialize([proj], PULL);
    const dvUri = client.open(path.join(proj, 'web.dataview.yaml'), dataView('../outside/events.ndjson'), 'audience-dataview');
    const published = await client.waitForDiagnostics(dvUri, d => d.diagnostics.length > 0);
    assert.deepStrictEqual(published.diagnostics.map(d => [d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message, (d.data as { setting?: string } | undefined)?.setting]), [
      ['dataview-file-outside', 3, 10, 3, 34, `Sample file \`../outside/events.ndjson\` is outside the workspace folder; sample files are read only inside it. To allow it, add its folder to the user setting \`${SETTING}\`.`, SETTING],
    ]);
    const d = published.diagnostics[0];
    const actions = await client.request<Array<{ title: string; command?: { command: string; arguments: unknown[] } }>>('textDocument/codeAction', { textDocument: { uri: dvUri }, range: d.range, context: { diagnostics: [d] } });
    assert.deepStrictEqual(actions.map(a => [a.title, a.command?.command, a.command?.arguments]), [
      [`Allow folders outside the workspace: open the user setting ${SETTING}`, 'workbench.action.openSettings', [SETTING]],
      ['Suppress `dataview-file-outside` on this line', undefined, undefined],
    ]);

    const filterUri = client.open(path.join(proj, 'f.filter.yaml'), 'filter: f\ndataview: web\nrule: person where page = "A"\n');
    const refused = await client.request<PreviewResult>(PreviewRequest, { uri: filterUri });
    assert.strictEqual(refused.status, 'unavailable');
    assert.strictEqual((refused as { code: string }).code, 'data-incomplete');

    client.setConfiguration('audienceFilters', { data: { allowedFolders: [fs.realpathSync(path.join(ws.dir, 'outside'))] } });
    await client.waitForDiagnostics(dvUri, p => p.diagnostics.length === 0);
    const allowed = await client.request<PreviewResult>(PreviewRequest, { uri: filterUri });
    assert.strictEqual(allowed.status, 'ok', JSON.stringify(allowed));
    assert.strictEqual((allowed as { total: { events: number } }).total.events, 2);
  });
});
