import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { tempWorkspace } from '../support/cli';
import { LspTestClient } from '../support/lspClient';

const DATAVIEW = 'dataview: web\ntimestamp: timestamp\nsources:\n  - file: e.ndjson\n    person: ecid\n    namespace: ECID\ndimensions:\n  page_name: string\nmetrics:\n  orders:\n';

describe('language server diagnostics over stdio', () => {
  let client: LspTestClient;
  let ws: ReturnType<typeof tempWorkspace>;

  beforeEach(async () => {
    ws = tempWorkspace({ 'web.dataview.yaml': DATAVIEW, 'disk.filter.yaml': 'filter: disk\ndataview: webb\nrule: person where orders > 0\n' });
    client = new LspTestClient();
    await client.initialize([ws.dir]);
  });

  afterEach(async () => {
    await client.shutdown();
    ws.cleanup();
  });

  it('publishes a YAML syntax error at its exact range, then clears it when fixed', async () => {
    const file = path.join(ws.dir, 'open.filter.yaml');
    const uri = client.open(file, 'filter: open\ndataview: web\ntags: [a, b\nrule: person where orders > 0\n');
    const first = await client.waitForDiagnostics(uri, d => d.version === 1);
    // At the `[` that never closes; where YAML gave up (the next key) is the related information.
    assert.deepStrictEqual(first.diagnostics.map(d => ({ range: d.range, code: d.code, source: d.source, severity: d.severity, relatedInformation: d.relatedInformation })), [
      {
        range: { start: { line: 2, character: 6 }, end: { line: 2, character: 7 } },
        code: 'yaml-syntax',
        source: 'audience-filters',
        severity: 1,
        relatedInformation: [{ location: { uri, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } } }, message: 'YAML gave up here: deficient indentation.' }],
      },
    ]);
    client.change(uri, 2, 'filter: open\ndataview: web\ntags: [a, b]\nrule: person where orders > 0\n');
    const fixed = await client.waitForDiagnostics(uri, d => d.version === 2);
    assert.deepStrictEqual(fixed.diagnostics, []);
  });

  it('checks files that are not open', async () => {
    const uri = pathToFileURL(path.join(ws.dir, 'disk.filter.yaml')).toString();
    const d = await client.waitForDiagnostics(uri);
    assert.deepStrictEqual(d.diagnostics.map(x => [x.code, x.range.start.line, x.range.start.character, x.range.end.character]), [['filter-unknown-dataview', 1, 10, 14]]);
  });

  it('leaves nothing stale after an unsaved buffer is closed', async () => {
    const file = path.join(ws.dir, 'unsaved.filter.yaml');
    const uri = client.open(file, 'filter: [\n');
    await client.waitForDiagnostics(uri, d => d.diagnostics.length === 1);
    client.close(uri);
    const after = await client.waitForDiagnostics(uri, d => d.diagnostics.length === 0);
    assert.deepStrictEqual(after.diagnostics, []);
    assert.strictEqual(fs.existsSync(file), false);
  });

  it('answers the status request', async () => {
    const status = (await client.connection.sendRequest('audienceFilters/serverStatus')) as { running: boolean; checkedFiles: number };
    assert.strictEqual(status.running, true);
    assert.strictEqual(status.checkedFiles, 2);
  });
});
