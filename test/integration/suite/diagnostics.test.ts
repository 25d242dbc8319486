import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { SOURCE, extension, fixtureUri, openFixture, serverStatus, takeScreenshot, waitForServer } from './harness';
import { waitForDiagnostics, waitForPublished } from './waitFor';

const WAIT_MS = 30_000;
const BROKEN = 'broken.filter.yaml';
const VALID = 'checkout-abandoners.filter.yaml';
const DATAVIEW = 'web.dataview.yaml';

const ours = (ds: readonly vscode.Diagnostic[]) => ds.filter(d => d.source === SOURCE);
const hasYamlSyntax = (ds: readonly vscode.Diagnostic[]) => ours(ds).some(d => d.code === 'yaml-syntax');

suite('diagnostics in a real VS Code', () => {
  // Opening a filter file activates the extension, which starts the language server. If the server does not
  // start, this hook fails and with it the whole suite, at once rather than test by test.
  suiteSetup(async () => {
    console.log(`VS Code ${vscode.version} (${vscode.env.appHost}, ui ${vscode.UIKind[vscode.env.uiKind]}, remote ${vscode.env.remoteName ?? 'none'})`);
    await openFixture(VALID);
    await extension().activate();
    await waitForServer(() => true, WAIT_MS);
  });

  test('a filter file opens as audience-filter with the extension active and its server running', async () => {
    const doc = await openFixture(VALID);
    assert.strictEqual(doc.languageId, 'audience-filter');
    assert.ok(extension().isActive, 'extension is not active');
    assert.strictEqual((await serverStatus()).running, true);
  });

  test('a data view file opens as audience-dataview', async () => {
    const doc = await vscode.workspace.openTextDocument(fixtureUri(DATAVIEW));
    assert.strictEqual(doc.languageId, 'audience-dataview');
  });

  test('a YAML syntax error is published with the exact range, code, source and severity', async () => {
    const uri = fixtureUri(BROKEN);
    // Subscribe before opening, so no publish can slip by between the two.
    const arrived = waitForDiagnostics(uri, hasYamlSyntax, WAIT_MS);
    const doc = await openFixture(BROKEN);
    assert.strictEqual(doc.languageId, 'audience-filter');
    const ds = ours(await arrived);
    assert.ok(extension().isActive, 'extension is not active');

    assert.strictEqual(ds.length, 1, `expected only the syntax error, got ${JSON.stringify(ds)}`);
    const [d] = ds;
    assert.strictEqual(d.code, 'yaml-syntax');
    assert.strictEqual(d.source, SOURCE);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(d.message.length > 0, 'empty message');
    // `tags: [ecommerce, checkout` on line 4 is never closed: the error is on that `[`, and where js-yaml
    // gave up (the next key, line 5: "deficient indentation") is its related information.
    assert.deepStrictEqual(
      [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
      [4, 6, 4, 7],
      `range ${JSON.stringify(d.range)}`,
    );
    assert.strictEqual(d.message, 'YAML syntax error: this flow list `[` is never closed with `]`.');
    assert.deepStrictEqual(
      d.relatedInformation?.map(r => [r.location.uri.toString(), r.location.range.start.line, r.location.range.start.character, r.location.range.end.line, r.location.range.end.character, r.message]),
      [[uri.toString(), 5, 0, 5, 5, 'YAML gave up here: deficient indentation.']],
    );
  });

  test('a data view whose sample file is missing gets an error on that file: value', async function () {
    const relative = 'sources-missing/missing.dataview.yaml';
    const uri = fixtureUri(relative);
    fs.mkdirSync(path.dirname(uri.fsPath), { recursive: true });
    fs.writeFileSync(uri.fsPath, 'dataview: missing-sample\ntimestamp: timestamp\nsources:\n  - file: data/not-there.ndjson\n    person: ecid\n    namespace: ECID\ndimensions:\n  page_name: string\n');
    try {
      const arrived = waitForDiagnostics(uri, ds => ours(ds).length > 0, WAIT_MS);
      const doc = await openFixture(relative);
      assert.strictEqual(doc.languageId, 'audience-dataview');
      const ds = ours(await arrived);
      assert.deepStrictEqual(
        ds.map(d => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message]),
        [['dataview-file-missing', vscode.DiagnosticSeverity.Error, 3, 10, 3, 31, 'Sample file `data/not-there.ndjson` does not exist.']],
      );
      if (process.env.AUDIENCE_FILTERS_SCREENSHOT_DIR) {
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        assert.ok(await takeScreenshot('dataview-missing-sample-file'), 'no screenshot');
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(path.dirname(uri.fsPath), { recursive: true, force: true });
    }
  });

  test('a valid filter file gets an empty list of diagnostics', async () => {
    const valid = fixtureUri(VALID);
    const broken = fixtureUri(BROKEN);
    await openFixture(VALID);
    await openFixture(BROKEN);
    // "Published empty" and "not published yet" look alike in getDiagnostics(uri): wait until the server
    // has published for the valid file (an entry, possibly empty), the broken file's error has arrived,
    // and the server has checked every fixture file; only then look.
    await waitForPublished(valid, WAIT_MS);
    await waitForDiagnostics(broken, hasYamlSyntax, WAIT_MS);
    await waitForServer(s => s.checkedFiles >= 3, WAIT_MS); // both filter files and the data view
    assert.deepStrictEqual(ours(vscode.languages.getDiagnostics(valid)), []);
  });

  test('fixing the syntax error clears it, breaking it again brings it back', async () => {
    const uri = fixtureUri(BROKEN);
    const doc = await openFixture(BROKEN);
    await waitForDiagnostics(uri, hasYamlSyntax, WAIT_MS);

    const line = doc.lineAt(4); // tags: [ecommerce, checkout
    const fix = new vscode.WorkspaceEdit();
    fix.insert(uri, line.range.end, ']');
    // Other checks may have something to say about the repaired file; the syntax error must be gone.
    const cleared = waitForDiagnostics(uri, ds => !hasYamlSyntax(ds), WAIT_MS);
    assert.ok(await vscode.workspace.applyEdit(fix), 'edit not applied');
    await cleared;

    const undo = new vscode.WorkspaceEdit();
    undo.delete(uri, new vscode.Range(line.range.end, line.range.end.translate(0, 1)));
    const back = waitForDiagnostics(uri, hasYamlSyntax, WAIT_MS);
    assert.ok(await vscode.workspace.applyEdit(undo), 'undo not applied');
    await back;
  });

  test('the runner captures the workbench with the error on screen', async function () {
    if (!process.env.AUDIENCE_FILTERS_SCREENSHOT_DIR) this.skip();
    const uri = fixtureUri(BROKEN);
    await openFixture(BROKEN);
    await waitForDiagnostics(uri, hasYamlSyntax, WAIT_MS);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    const png = await takeScreenshot('broken-filter-with-problems');
    assert.ok(png, 'no screenshot');
    const signature = fs.readFileSync(png).subarray(0, 8);
    assert.deepStrictEqual([...signature], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
  });
});
