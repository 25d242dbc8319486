// The first hour of a new user, in a real VS Code, as one story through the real UI (the runner clicks and
// types with Playwright): the walkthrough, New Data View on sample files, New Filter through its picks, the
// CodeLens Explain of a non-member and of an unknown ID, no Publish lens without an audience block and one after
// the quick fix adds it, a publish that asks for a token and that Set Token carries on, the Audiences view's
// welcome content, and finally every walkthrough step done. Screenshots land in test-output/integration/.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, setEndpointUrl, startEndpoint, stopEndpoint } from './endpointProcess';
import type { Endpoint } from './endpointProcess';
import { click, extension, fixtureUri, openFixture, takeScreenshot, waitForServer } from './harness';
import { waitFor, waitForPublished } from './waitFor';

const WALKTHROUGH = 'audience-filters.audience-filters#firstHour';
const STEPS = ['dataView', 'firstFilter', 'preview', 'explain', 'publish'];

interface Counts { people: number; sessions: number; events: number }
interface RenderedReport { uri?: string; matched: Counts | null; stale: boolean; pending: boolean }
interface Explained {
  person: { namespace: string; id: string };
  result: { status: string; found?: boolean; verdict?: string; summary?: string; steps?: Array<{ label: string; status: string }> };
}
interface Api { onDidRenderPreview: vscode.Event<RenderedReport>; onDidExplain: vscode.Event<Explained> }
interface Item { kind: string; label: string; filterId?: string }

function cli(args: string[]): string {
  const bin = path.join(extension().extensionPath, 'bin', 'audience-filters.js');
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: vscode.workspace.workspaceFolders![0].uri.fsPath, encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  assert.strictEqual(r.status, 0, `audience-filters ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The walkthrough page, and a click on one step that only lands when the step is (or is not) done. */
async function stepIs(step: string, done: boolean): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false);
  await click(`walkthrough-${step}-${done ? 'done' : 'open'}`, { selector: `button.getting-started-step[data-step-id$="${step}"][aria-checked="${done}"]` });
}

/** The next explanation the Explain command shows for `id` (armed before the clicks that ask for it). */
function nextExplanation(a: Api, id: string): Promise<Explained> {
  const seen: Explained[] = [];
  const sub = a.onDidExplain(e => seen.push(e));
  return waitFor(() => seen.find(e => e.person.id === id), {
    events: [a.onDidExplain],
    timeoutMs: 30_000,
    describe: () => `no explanation of ${id}; explained: ${JSON.stringify(seen.map(e => e.person))}`,
  }).finally(() => sub.dispose());
}

/** The preview of `uri` as the webview rendered it, once it shows counts. */
async function renderedCounts(a: Api, uri: vscode.Uri): Promise<Counts> {
  let last: RenderedReport | undefined;
  const shown = new Promise<Counts>(resolve => {
    const sub = a.onDidRenderPreview(r => {
      last = r;
      if (r.uri !== uri.toString() || r.pending || r.stale || !r.matched) return;
      sub.dispose();
      resolve(r.matched);
    });
  });
  await vscode.commands.executeCommand('audienceFilters.preview', uri);
  return waitFor(() => shown, { events: [], timeoutMs: 30_000, describe: () => `the preview of ${uri.fsPath} rendered ${JSON.stringify(last)}` });
}

suite('the first hour in a real VS Code', () => {
  let endpoint: Endpoint | undefined;
  let a: Api;
  const dataViewUri = () => fixtureUri('preview/shop-inferred.dataview.yaml');
  const filterUri = () => fixtureUri('preview/browse-then-buy.filter.yaml');

  suiteSetup(async () => {
    a = (await extension().activate()) as Api;
    await waitForServer(() => true, 30_000);
    endpoint = await startEndpoint();
    await setEndpointUrl(endpoint.url);
    await vscode.commands.executeCommand('audienceFilters.clearEndpointToken');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('notifications.hideList');
    await vscode.commands.executeCommand('audienceFilters.clearEndpointToken');
    await setEndpointUrl(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const f of ['preview/shop-inferred.dataview.yaml', 'preview/browse-then-buy.filter.yaml', 'preview/browse-to-buy-inferred.filter.yaml']) {
      fs.rmSync(fixtureUri(f).fsPath, { force: true });
    }
    await stopEndpoint(endpoint);
  });

  test('the walkthrough shows its five steps; publishing is not done yet', async () => {
    await stepIs('publish', false);
    await takeScreenshot('walkthrough-start');
  });

  test('New Data View infers a data view from a sample file that check accepts and that previews as the hand-written one', async () => {
    const created = await vscode.commands.executeCommand<vscode.Uri>('audienceFilters.newDataView', [fixtureUri('preview/data/shop.ndjson')], { id: 'shop-inferred', target: dataViewUri() });
    assert.strictEqual(created?.toString(), dataViewUri().toString());
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), dataViewUri().toString(), 'the new data view is open');
    const text = fs.readFileSync(dataViewUri().fsPath, 'utf8');
    assert.ok(text.startsWith('dataview: shop-inferred\n# Inferred from the first 600 rows of the sample file: check the types and names, add descriptions.\ntimestamp: timestamp\n'), text);
    assert.ok(text.includes('\n  - file: data/shop.ndjson\n    person: ecid\n    namespace: ECID\n'), text);
    assert.ok(text.includes('\n  device: string             # 3 values, e.g. Desktop, Tablet, Mobile\n'), text);
    assert.deepStrictEqual((await waitForPublished(dataViewUri(), 30_000)).map(d => d.message), []);

    // The hand-written preview fixture's filter, on the inferred data view: the same counts in the rendered preview.
    const original = fs.readFileSync(fixtureUri('preview/browse-to-buy.filter.yaml').fsPath, 'utf8');
    const copy = fixtureUri('preview/browse-to-buy-inferred.filter.yaml');
    fs.writeFileSync(copy.fsPath, original.replace('filter: browse-to-buy', 'filter: browse-to-buy-inferred').replace('dataview: shop', 'dataview: shop-inferred'));
    await vscode.workspace.openTextDocument(copy);
    assert.deepStrictEqual((await waitForPublished(copy, 30_000)).map(d => d.message), []);
    const byHand = await renderedCounts(a, fixtureUri('preview/browse-to-buy.filter.yaml'));
    const inferred = await renderedCounts(a, copy);
    assert.ok(byHand.people > 0, JSON.stringify(byHand));
    assert.deepStrictEqual(inferred, byHand);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('New Filter: pick the data view and a template in the real picks, accept the id; the filter checks clean', async () => {
    const created = vscode.commands.executeCommand<vscode.Uri>('audienceFilters.newFilter');
    await click('new-filter-dataview', { selector: '.quick-input-widget .monaco-list-row', hasText: 'shop-inferred' });
    // Clicking the title lands once the template pick is up.
    await click('new-filter-template-shown', { selector: '.quick-input-widget .quick-input-title', hasText: 'pick a template' });
    await takeScreenshot('new-filter-template');
    await click('new-filter-template', { selector: '.quick-input-widget .monaco-list-row', hasText: 'Sequence' });
    await click('new-filter-id', { selector: '.quick-input-widget:has(.quick-input-title:has-text("its id")) .quick-input-box input', type: '\n' });
    const uri = await created;
    assert.strictEqual(uri?.toString(), filterUri().toString());
    assert.strictEqual(fs.readFileSync(filterUri().fsPath, 'utf8'), [
      'filter: browse-then-buy',
      'title: Browse then buy',
      'description: People with event_type web.webpagedetails.pageViews, then commerce.productViews within 30 minutes.',
      'dataview: shop-inferred',
      'period: last 30 days',
      'rule: |',
      '  person where',
      '    event where event_type = "web.webpagedetails.pageViews"',
      '    then within 30 minutes',
      '    event where event_type = "commerce.productViews"',
      '',
    ].join('\n'));
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.toString(), filterUri().toString());
    assert.strictEqual(editor.document.getText(editor.selection), 'web.webpagedetails.pageViews', 'the first value is selected, ready to change');
    assert.deepStrictEqual((await waitForPublished(filterUri(), 30_000)).map(d => d.message), []);
    await takeScreenshot('new-filter-created');
  });

  test('snippets come as their prefix is typed, where the shape fits: rule shapes in the rule, audience at a top-level key', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'audience-filter', content: 'filter: f\ndataview: shop-inferred\nrule: |\n  person where\n    exc\n    \naud\n' });
    const snippetsAt = async (line: number, character: number) => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, character));
      return list.items.filter(i => i.kind === vscode.CompletionItemKind.Snippet).map(i => [typeof i.label === 'string' ? i.label : i.label.label, (i.insertText as vscode.SnippetString).value.split('\n')[0]]);
    };
    assert.deepStrictEqual(await snippetsAt(4, 7), [['exclude', 'event where ${1:page_name} = "${2:Checkout}"']]);
    assert.deepStrictEqual(await snippetsAt(5, 4), [], 'nothing typed: no snippets among the completions');
    assert.deepStrictEqual(await snippetsAt(6, 3), [['audience', 'audience:']]);
  });

  test('Explain from the CodeLens lists members and non-members; namespace:id typed narrows to one; an ID in no file is an unknown person', async () => {
    await vscode.window.showTextDocument(filterUri(), { viewColumn: vscode.ViewColumn.One });
    const preview = JSON.parse(cli(['preview', 'preview/browse-then-buy.filter.yaml', '--json', '--sample', '1000'])) as { sample: Array<{ id: string }>; matched: Counts };
    const members = new Set(preview.sample.map(p => p.id));
    const everyone = [...new Set(fs.readFileSync(fixtureUri('preview/data/shop.ndjson').fsPath, 'utf8').split('\n').filter(Boolean).map(l => (JSON.parse(l) as { ecid: string }).ecid))].sort();
    const outsider = everyone.find(id => !members.has(id));
    assert.ok(outsider && members.size > 0 && members.size === preview.matched.people, `members ${members.size} of ${everyone.length}`);

    await click('lens-preview', { selector: '.codelens-decoration a', hasText: 'Preview' });
    let explained = nextExplanation(a, outsider);
    await click('lens-explain', { selector: '.codelens-decoration a', hasText: 'Explain' });
    // The placeholder names the audience once every person is listed; then type an identity.
    await click('explain-pick-loaded', { selector: '.quick-input-widget .quick-input-box input[placeholder*="in the audience"]', type: 'ECID:' });
    await takeScreenshot('explain-pick');
    await click('explain-pick-typed', { selector: '.quick-input-widget .quick-input-box input', type: outsider });
    await click('explain-pick-outsider', { selector: `.quick-input-widget .monaco-list-row:has-text("ECID:${outsider}"):has-text("not a member")` });
    const why = await explained;
    assert.strictEqual(why.result.status, 'ok', JSON.stringify(why.result));
    assert.deepStrictEqual([why.result.found, why.result.verdict], [true, 'not member']);
    assert.ok(why.result.steps?.some(s => s.status === 'failed'), JSON.stringify(why.result.steps));
    await takeScreenshot('explain-non-member');

    explained = nextExplanation(a, 'nobody-at-all');
    await click('lens-explain-again', { selector: '.codelens-decoration a', hasText: 'Explain' });
    await click('explain-unknown-typed', { selector: '.quick-input-widget .quick-input-box input[placeholder*="in the audience"]', type: 'ECID:nobody-at-all' });
    await click('explain-unknown-row', { selector: '.quick-input-widget .monaco-list-row', hasText: 'unknown person' });
    const unknown = await explained;
    assert.deepStrictEqual([unknown.result.status, unknown.result.found, unknown.result.summary], ['ok', false, 'Unknown person ECID:nobody-at-all: no one with this ID is in the sample data.']);
    await takeScreenshot('explain-unknown-person');
  });

  test('an exclude reads as what must not happen: it holds for a non-buyer, and does not for a buyer', async () => {
    const abandoners = fixtureUri('checkout-abandoners.filter.yaml');
    const run = async (id: string) => (await vscode.commands.executeCommand<Explained['result']>('audienceFilters.explain', abandoners, { namespace: 'ECID', id }))!;
    const buyer = await run('p1');
    assert.deepStrictEqual(buyer.steps?.map(s => [s.label, s.status]), [
      ['event where page_name contains "checkout"', 'matched'],
      ['no event where event_type = "commerce.purchases" within 30 minutes', 'failed'],
    ]);
    assert.strictEqual(buyer.summary, 'ECID:p1 is not a member: no event where event_type = "commerce.purchases" within 30 minutes does not hold (every occurrence is followed by event where event_type = "commerce.purchases" within 30 minutes).');
    const abandoner = await run('p2');
    assert.deepStrictEqual(abandoner.steps?.map(s => [s.label, s.status]), [
      ['event where page_name contains "checkout"', 'matched'],
      ['no event where event_type = "commerce.purchases" within 30 minutes', 'matched'],
    ]);
    await takeScreenshot('explain-exclude-holds');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('no Publish lens without an audience block; the quick fix adds one; Publish asks for a token and Set Token carries it on', async () => {
    assert.ok(endpoint);
    const doc = await vscode.workspace.openTextDocument(filterUri());
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    const titles = async () => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? []).map(l => l.command?.title);
    assert.deepStrictEqual((await titles()).slice(1), ['Preview', 'Explain']);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(0, 3, 0, 3))) ?? [];
    const fix = actions.find(x => x.title === 'Add audience block (to publish this filter)');
    assert.ok(fix?.edit, JSON.stringify(actions.map(x => x.title)));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.ok(doc.getText().endsWith('\naudience:\n  name: Browse then buy\n  refresh: daily                     # once | every 4 hours | daily | weekly | monthly\n  lookback: 30 days                  # at most 90 days\n'), doc.getText());
    assert.ok(await doc.save());
    assert.deepStrictEqual((await titles()).slice(1), ['Preview', 'Explain', 'Publish']);
    assert.deepStrictEqual(((await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(0, 3, 0, 3))) ?? []).map(x => x.title).filter(t => t.startsWith('Add audience')), []);

    // As the Publish lens does, but without the modal confirmation, which VS Code refuses to show under test.
    const asked = await vscode.commands.executeCommand<{ status: string; code?: string; message: string }>('audienceFilters.publish', doc.uri, { confirm: false });
    assert.deepStrictEqual([asked?.status, asked?.code], ['unavailable', 'no_token'], JSON.stringify(asked));
    await vscode.commands.executeCommand('notifications.showList');
    await click('publish-set-token', { selector: '.notifications-center .notification-list-item', hasText: 'No token is set', role: 'button', name: 'Set Token' });
    await click('publish-token-typed', { selector: '.quick-input-widget .quick-input-box input[type="password"]', type: `${endpoint.adminToken}\n` });
    // The publish that asked for the token goes on, with its options, and commits.
    const audience = await waitFor(async () => {
      const listed = await api<{ audiences: Array<{ filterId: string; size: number; name: string; status: string }> }>(endpoint!, 'GET', '/v1/audiences');
      // The audience exists (status publishing) from the run's start; it is active once the run committed.
      return listed.body.audiences.find(x => x.filterId === 'browse-then-buy' && x.status === 'active');
    }, { events: [], recheckMs: 250, timeoutMs: 30_000, describe: () => 'the resumed publish committed no audience browse-then-buy' });
    const expected = (JSON.parse(cli(['members', 'preview/browse-then-buy.filter.yaml', '--format', 'json'])) as unknown[]).length;
    assert.deepStrictEqual([audience.name, audience.size], ['Browse then buy', expected]);
    await vscode.commands.executeCommand('notifications.hideList');
  });

  test('the Audiences view without a token shows its welcome content; its Set Token lists the audiences', async () => {
    assert.ok(endpoint);
    await vscode.commands.executeCommand('audienceFilters.clearEndpointToken');
    assert.deepStrictEqual(await vscode.commands.executeCommand<Item[]>('audienceFilters.audiences.items', { show: true }), []);
    await click('welcome-shown', { selector: '.welcome-view-content', hasText: 'No token is set for the profile endpoint' });
    await takeScreenshot('audiences-welcome');
    await click('welcome-set-token', { selector: '.welcome-view-content', role: 'button', name: 'Set Token' });
    await click('welcome-token-typed', { selector: '.quick-input-widget .quick-input-box input[type="password"]', type: `${endpoint.adminToken}\n` });
    const listed = await waitFor(async () => {
      const items = await vscode.commands.executeCommand<Item[]>('audienceFilters.audiences.items');
      return items.some(i => i.kind === 'audience') ? items : undefined;
    }, { events: [], recheckMs: 250, timeoutMs: 30_000, describe: () => 'the Audiences view lists nothing after Set Token' });
    assert.deepStrictEqual(listed.map(i => [i.kind, i.label, i.filterId]), [['audience', 'Browse then buy', 'browse-then-buy']]);
    await vscode.commands.executeCommand('audienceFilters.audiences.items', { show: true });
    await takeScreenshot('audiences-listed');
  });

  test('every walkthrough step is done', async () => {
    await openFixture('preview/browse-then-buy.filter.yaml');
    for (const step of STEPS) await stepIs(step, true);
    await takeScreenshot('walkthrough-done');
  });

  test('screenshots of the walkthrough and of New Filter in light, dark and high contrast themes', async function () {
    if (!process.env.AUDIENCE_FILTERS_SCREENSHOT_DIR) this.skip();
    const kinds: Record<string, vscode.ColorThemeKind> = { light: vscode.ColorThemeKind.Light, dark: vscode.ColorThemeKind.Dark, 'high-contrast': vscode.ColorThemeKind.HighContrast };
    try {
      for (const [theme, kind] of [['Default Light Modern', 'light'], ['Default Dark Modern', 'dark'], ['Default High Contrast', 'high-contrast']]) {
        await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
        await waitFor(() => vscode.window.activeColorTheme.kind === kinds[kind], { events: [vscode.window.onDidChangeActiveColorTheme], timeoutMs: 10_000, describe: () => `the ${kind} theme is not active` });
        await vscode.commands.executeCommand('notifications.clearAll');
        await stepIs('publish', true);
        await takeScreenshot(`walkthrough-${kind}`);
        // The pick over a filter editor: the walkthrough page would take the focus back and close it.
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await openFixture('preview/browse-then-buy.filter.yaml');
        const picking = vscode.commands.executeCommand<vscode.Uri | undefined>('audienceFilters.newFilter');
        await click(`new-filter-dataview-${kind}`, { selector: '.quick-input-widget .monaco-list-row', hasText: 'shop-inferred' });
        await click(`new-filter-template-shown-${kind}`, { selector: '.quick-input-widget .quick-input-title', hasText: 'pick a template' });
        await takeScreenshot(`new-filter-${kind}`);
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        assert.strictEqual(await picking, undefined, 'closing the pick creates nothing');
      }
    } finally {
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
