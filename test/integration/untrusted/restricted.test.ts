/**
 * Restricted Mode in a real VS Code: a repository's .vscode/settings.json cannot choose the publish
 * target, nothing is published and no endpoint is contacted, while checking keeps working.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PublishOutcome } from '../../../client/src/publish';
import { UNTRUSTED_MESSAGE } from '../../../client/src/publish/workspaceTrust';
import { extension, fixtureUri, openFixture, waitForServer } from '../suite/harness';
import { waitForDiagnostics } from '../suite/waitFor';

suite('an untrusted workspace (Restricted Mode)', () => {
  /** A listener where the repository's settings point: it counts what reaches it (nothing should). */
  let target: http.Server;
  let targetUrl = '';
  const received: string[] = [];
  const settingsFile = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');

  suiteSetup(async () => {
    target = http.createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>(resolve => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
    // Written as a cloned repository would have it, not through the settings API.
    fs.mkdirSync(path.dirname(settingsFile()), { recursive: true });
    const changed = new Promise<void>(resolve => {
      const subscription = vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration('audienceFilters')) {
          subscription.dispose();
          resolve();
        }
      });
    });
    fs.writeFileSync(settingsFile(), JSON.stringify({ 'audienceFilters.endpoint.url': targetUrl, 'audienceFilters.preview.debounceMs': 151 }));
    await changed;
    await extension().activate();
  });

  suiteTeardown(async () => {
    fs.rmSync(settingsFile(), { force: true });
    await new Promise<void>(resolve => target.close(() => resolve()));
  });

  test('VS Code reads the endpoint from user settings only; the workspace value of an unrestricted setting still applies', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const settings = vscode.workspace.getConfiguration('audienceFilters');
    assert.strictEqual(settings.get('preview.debounceMs'), 151);
    assert.strictEqual(settings.get('endpoint.url'), 'http://127.0.0.1:7410');
  });

  test('publishing is refused with the reason, and no request reaches any endpoint', async () => {
    await openFixture('publish/cart-abandoners.filter.yaml');
    const outcome = await vscode.commands.executeCommand<PublishOutcome>('audienceFilters.publish', fixtureUri('publish/cart-abandoners.filter.yaml'), { confirm: false });
    assert.deepStrictEqual(outcome, { status: 'unavailable', code: 'untrusted', message: UNTRUSTED_MESSAGE });
    assert.strictEqual(await vscode.commands.executeCommand('audienceFilters.setEndpointToken', 'af_token', fixtureUri('publish/cart-abandoners.filter.yaml')), false);
    const items = await vscode.commands.executeCommand<Array<{ kind: string; label: string }>>('audienceFilters.audiences.items');
    assert.deepStrictEqual(items.map(i => [i.kind, i.label]), [['message', 'Restricted Mode: audiences are not listed in an untrusted workspace']]);
    assert.deepStrictEqual(received, []);
  });

  test('checking keeps working: a broken filter gets its diagnostics', async () => {
    await waitForServer(() => true, 30_000);
    const doc = await openFixture('broken.filter.yaml');
    const diagnostics = await waitForDiagnostics(doc.uri, d => d.length > 0, 30_000);
    assert.ok(diagnostics.every(d => d.source === 'audience-filters'), JSON.stringify(diagnostics));
    assert.deepStrictEqual(received, []);
  });
});
