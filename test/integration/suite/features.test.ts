// The editor features through VS Code's own command API, as a user's editor reaches them: completion,
// hover, definition, references, rename, formatting, a quick fix and the outline, on the `features/`
// fixtures (data view `storefront`; `lapsed-buyers` references `buyers`). The expectations are those of
// test/protocol/features.test.ts, here after VS Code's client and editor have converted them.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { SOURCE, extension, fixtureUri, openFixture, waitForServer } from './harness';
import { waitFor, waitForDiagnostics, waitForPublished } from './waitFor';

const WAIT_MS = 30_000;
const DATAVIEW = 'features/storefront.dataview.yaml';
const BUYERS = 'features/buyers.filter.yaml';
const LAPSED = 'features/lapsed-buyers.filter.yaml';
const TYPO = 'features/email-visitors.filter.yaml';
const MESSY = 'features/messy.filter.yaml';

// Positions in lapsed-buyers.filter.yaml:
//  6 |    filter buyers
//  8 |      event where event_type = "commerce.purchases"
const FILTER_REF = new vscode.Position(6, 12); // on `buyers`
const AFTER_WHERE = new vscode.Position(8, 18); // just after `event where `
const FIELD = new vscode.Position(8, 20); // on `event_type`
const AFTER_FIELD = new vscode.Position(8, 29); // just after `event_type `
const END_OF_FILE = new vscode.Position(12, 0); // the empty line after the rule, at column 0

type Span = [number, number, number, number];

const ours = (ds: readonly vscode.Diagnostic[]) => ds.filter(d => d.source === SOURCE);
const span = (r: vscode.Range): Span => [r.start.line, r.start.character, r.end.line, r.end.character];
const uriOf = (relativePath: string) => fixtureUri(relativePath).toString();
const labelOf = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
const rangeOf = (i: vscode.CompletionItem) => (i.range instanceof vscode.Range ? i.range : i.range?.replacing);
const textOf = (insert: vscode.CompletionItem['insertText']) => (insert instanceof vscode.SnippetString ? insert.value : insert);
const docOf = (d: vscode.CompletionItem['documentation']) => (d instanceof vscode.MarkdownString ? d.value : d);
const hoverText = (hs: vscode.Hover[]) => hs.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : c.value)));

/** Locations or location links as [uri, range], in the order given. */
function locations(ls: Array<vscode.Location | vscode.LocationLink>): Array<[string, Span]> {
  return ls.map(l => ('targetUri' in l ? [l.targetUri.toString(), span(l.targetRange)] : [l.uri.toString(), span(l.range)]));
}

/** A workspace edit as [uri, [...range, newText][]], by URI. */
function edits(edit: vscode.WorkspaceEdit): Array<[string, Array<[...Span, string]>]> {
  return edit
    .entries()
    .map(([uri, es]): [string, Array<[...Span, string]>] => [uri.toString(), es.map(e => [...span(e.range), e.newText] as [...Span, string])])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

function execute<T>(command: string, ...args: unknown[]): Thenable<T> {
  return vscode.commands.executeCommand<T>(command, ...args);
}

/**
 * Resolves once the server has published for every one of `uris` after this call and none of them has
 * diagnostics of ours. Reports what it saw on the way (a cross-file edit reaches the server as one change
 * per file, so the state between two of them may briefly be reported).
 */
function waitForCleanRepublish(uris: vscode.Uri[], timeoutMs: number): { done: Promise<void>; transient: string[] } {
  const keys = new Set(uris.map(u => u.toString()));
  const seen = new Set<string>();
  const transient: string[] = [];
  const listener = vscode.languages.onDidChangeDiagnostics(e => {
    for (const u of e.uris) {
      if (!keys.has(u.toString())) continue;
      seen.add(u.toString());
      for (const d of ours(vscode.languages.getDiagnostics(u))) transient.push(`${vscode.workspace.asRelativePath(u)}: ${d.code} ${d.message}`);
    }
  });
  const done = waitFor(
    () => seen.size === keys.size && uris.every(u => ours(vscode.languages.getDiagnostics(u)).length === 0),
    {
      events: [vscode.languages.onDidChangeDiagnostics],
      timeoutMs,
      describe: () => `published for ${[...seen].join(', ') || 'none'} of ${[...keys].join(', ')}; diagnostics: ${JSON.stringify(uris.map(u => ours(vscode.languages.getDiagnostics(u)).map(d => d.message)))}`,
    },
  ).then(() => undefined).finally(() => listener.dispose());
  return { done, transient };
}

async function saveAll(uris: vscode.Uri[]): Promise<void> {
  for (const uri of uris) {
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(await doc.save(), `${uri.toString()} not saved`);
  }
}

suite('editor features in a real VS Code', () => {
  suiteSetup(async () => {
    await extension().activate();
    await openFixture(LAPSED);
    await waitForServer(() => true, WAIT_MS);
    // The server scans the workspace when it starts: every fixture file is published once it is known, and
    // cross-file features (definition, references, rename) need the files that are not open.
    for (const f of [DATAVIEW, BUYERS, LAPSED, MESSY, TYPO]) await waitForPublished(fixtureUri(f), WAIT_MS);
  });

  test('completion after `where ` lists the data view\'s dimensions and metrics with their details, then the rule keywords', async () => {
    const doc = await openFixture(LAPSED);
    const list = await execute<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, AFTER_WHERE);
    // In the order the suggest widget shows them (by sortText, then label).
    assert.deepStrictEqual(list.items.map(labelOf), [
      'channel', 'event_type', 'orders', 'page_name', 'revenue',
      'person where', 'session where', 'event where',
      'all of', 'any of', 'count distinct', 'exclude', 'filter', 'not', 'only after', 'only before',
    ]);
    const fields = list.items.filter(i => i.kind === vscode.CompletionItemKind.Field || i.kind === vscode.CompletionItemKind.Variable);
    assert.deepStrictEqual(fields.map(i => [labelOf(i), i.kind, i.detail, textOf(i.insertText), docOf(i.documentation)]), [
      ['channel', vscode.CompletionItemKind.Field, 'string dimension', 'channel', 'Marketing channel of the visit.'],
      ['event_type', vscode.CompletionItemKind.Field, 'string dimension', 'event_type', 'XDM event type, e.g. commerce.purchases.'],
      ['orders', vscode.CompletionItemKind.Variable, 'metric', 'orders', 'Number of orders (1 on a purchase event).'],
      ['page_name', vscode.CompletionItemKind.Field, 'string dimension', 'page_name', 'Name of the page or app screen.'],
      ['revenue', vscode.CompletionItemKind.Variable, 'metric', 'revenue', 'Order revenue in USD.'],
    ]);
    // Everything is inserted at the cursor (nothing typed yet to replace).
    for (const i of list.items) assert.deepStrictEqual(span(rangeOf(i)!), [8, 18, 8, 18], `range of ${labelOf(i)}`);
    const allOf = list.items.find(i => labelOf(i) === 'all of')!;
    assert.strictEqual(allOf.kind, vscode.CompletionItemKind.Keyword);
    assert.ok(allOf.insertText instanceof vscode.SnippetString, 'all of is a snippet');
    assert.strictEqual(allOf.insertText.value, 'all of ($0)');
  });

  test('completion after a string dimension offers the string operators and no number-only ones', async () => {
    const doc = await openFixture(LAPSED);
    const list = await execute<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, AFTER_FIELD);
    assert.deepStrictEqual(list.items.map(labelOf), [
      '=', '!=', 'in', 'not in', 'contains', 'not contains', 'contains any of', 'contains all of', 'not contains any of',
      'not contains all of', 'starts with', 'not starts with', 'ends with', 'not ends with', 'matches', 'not matches', 'exists', 'not exists',
    ]);
    for (const op of ['<', '<=', '>', '>=', 'between']) assert.ok(!list.items.some(i => labelOf(i) === op), `${op} offered for a string`);
    assert.ok(list.items.every(i => i.kind === vscode.CompletionItemKind.Operator));
    const contains = list.items.find(i => labelOf(i) === 'contains')!;
    assert.strictEqual(textOf(contains.insertText), 'contains', 'no trailing space');
    const inList = list.items.find(i => labelOf(i) === 'in')!;
    assert.strictEqual(textOf(inList.insertText), 'in ($0)');
  });

  test('completion at a YAML key position offers the schema keys the filter does not have yet', async () => {
    const doc = await openFixture(LAPSED);
    assert.strictEqual(doc.lineAt(END_OF_FILE.line).text, '', 'the fixture ends with a line break');
    const list = await execute<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, END_OF_FILE);
    assert.deepStrictEqual(list.items.map(i => [labelOf(i), i.kind, textOf(i.insertText), docOf(i.documentation)]), [
      ['tags', vscode.CompletionItemKind.Property, 'tags: [$0]', 'Free-form labels.'],
      ['period', vscode.CompletionItemKind.Property, 'period: ${1:last 30 days}',
        'Evaluation window: `last N days|weeks|months` (relative to the newest event of the sample data) or `{from, to}` dates.'],
      ['audience', vscode.CompletionItemKind.Property, 'audience:\n  name: $0', "How the filter's audience is published. Needed to publish."],
    ]);
  });

  test('hover on a dimension shows its type, description, source field and sample', async () => {
    const doc = await openFixture(LAPSED);
    // The sample is read in the background; the server answers without it when it is not loaded within
    // 500 ms, so ask again until it is there, then compare the whole text.
    const hovers = await waitFor(
      async () => {
        const hs = await execute<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, FIELD);
        return hoverText(hs).join('').includes('Sample:') ? hs : undefined;
      },
      { events: [], recheckMs: 200, timeoutMs: 10_000, describe: () => 'the hover never showed the sample' },
    );
    assert.strictEqual(hovers.length, 1);
    assert.deepStrictEqual(hoverText(hovers), [
      '**event_type** — string dimension\n\nXDM event type, e.g. commerce.purchases.\n\nSource field `event_type` · data view `storefront`\n\n' +
        'Sample: 3 distinct values in 5 of 5 events. Top: `commerce.purchases` (2), `web.webpagedetails.pageViews` (2), `commerce.productViews` (1)',
    ]);
    assert.deepStrictEqual(span(hovers[0].range!), [8, 18, 8, 28]);
  });

  test('hover on a filter reference shows the referenced filter\'s title and description', async () => {
    const doc = await openFixture(LAPSED);
    const hovers = await execute<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, FILTER_REF);
    assert.deepStrictEqual(hoverText(hovers), ['**filter buyers** — Buyers\n\nPeople with at least one order.\n\nData view `storefront` · buyers.filter.yaml']);
    assert.deepStrictEqual(span(hovers[0].range!), [6, 4, 6, 17]);
  });

  test('definition of `filter buyers` is the `filter:` value of buyers.filter.yaml', async () => {
    const doc = await openFixture(LAPSED);
    const found = await execute<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', doc.uri, FILTER_REF);
    assert.deepStrictEqual(locations(found), [[uriOf(BUYERS), [0, 8, 0, 14]]]);
  });

  test('definition of a field is its declaration key in the data view', async () => {
    const doc = await openFixture(LAPSED);
    const found = await execute<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', doc.uri, FIELD);
    assert.deepStrictEqual(locations(found), [[uriOf(DATAVIEW), [14, 2, 14, 12]]]);
    const dataview = await vscode.workspace.openTextDocument(fixtureUri(DATAVIEW));
    assert.strictEqual(dataview.getText(new vscode.Range(14, 2, 14, 12)), 'event_type');
  });

  test('references of a filter id and of a field, declarations included', async () => {
    const doc = await openFixture(LAPSED);
    const sorted = (ls: Array<[string, Span]>) => [...ls].sort((a, b) => a[0].localeCompare(b[0]) || a[1][0] - b[1][0] || a[1][1] - b[1][1]);
    const ofFilter = await execute<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, FILTER_REF);
    assert.deepStrictEqual(sorted(locations(ofFilter)), [
      [uriOf(BUYERS), [0, 8, 0, 14]],
      [uriOf(LAPSED), [6, 11, 6, 17]],
    ]);
    const ofField = await execute<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, FIELD);
    assert.deepStrictEqual(sorted(locations(ofField)), [
      [uriOf(LAPSED), [8, 18, 8, 28]],
      [uriOf(LAPSED), [10, 18, 10, 28]],
      [uriOf(DATAVIEW), [14, 2, 14, 12]],
    ]);
  });

  test('document symbols: the outline of a filter, its rule structure included', async () => {
    const doc = await openFixture(LAPSED);
    const symbols = await execute<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    type Tree = [string, vscode.SymbolKind, Tree[]];
    const tree = (s: vscode.DocumentSymbol): Tree => [s.name, s.kind, s.children.map(tree)];
    const K = vscode.SymbolKind;
    const condition: Tree = ['event_type = "commerce.purchases"', K.Field, []];
    assert.deepStrictEqual(symbols.map(tree), [
      ['filter', K.String, []],
      ['title', K.String, []],
      ['description', K.String, []],
      ['dataview', K.String, []],
      ['rule', K.String, [
        ['person where', K.Namespace, [
          ['filter buyers', K.Function, []],
          ['not sequence', K.Event, [
            ['1. first', K.EnumMember, [['event where', K.Namespace, [condition]]]],
            ['2. then after 2 weeks', K.EnumMember, [['event where', K.Namespace, [condition]]]],
          ]],
        ]],
      ]],
    ]);
    assert.deepStrictEqual(symbols.map(s => s.detail), ['lapsed-buyers', 'Lapsed buyers', 'Buyers who never bought again more than two weeks after a p…', 'storefront', '']);
    const ref = symbols[4].children[0].children[0];
    assert.deepStrictEqual([span(ref.range), span(ref.selectionRange)], [[6, 4, 6, 17], [6, 11, 6, 17]]);
  });

  test('formatting a badly laid out filter gives the canonical text, and formatting again changes nothing', async () => {
    const doc = await openFixture(MESSY);
    assert.strictEqual(doc.getText(), [
      'rule: |',
      '      person where page_name="Checkout"   and  not channel  =  "Email"',
      'dataview:    storefront',
      'tags:',
      '    - ecommerce',
      'title:   Checkout without email',
      'filter: checkout-not-email',
      '',
    ].join('\n'), 'fixture changed');
    const options = { tabSize: 2, insertSpaces: true };
    const textEdits = await execute<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, options);
    assert.ok(textEdits.length > 0, 'no formatting edits');
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, textEdits);
    assert.ok(await vscode.workspace.applyEdit(edit), 'formatting edits not applied');
    assert.strictEqual(doc.getText(), [
      'filter: checkout-not-email',
      'title: Checkout without email',
      'dataview: storefront',
      'tags:',
      '  - ecommerce',
      'rule: |',
      '  person where',
      '    page_name = "Checkout" and not channel = "Email"',
      '',
    ].join('\n'));
    // Nothing left to change: VS Code answers `undefined` for "no edits" (the server sent `[]`).
    const again = await execute<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', doc.uri, options);
    assert.deepStrictEqual(again ?? [], []);
    // The same document with a tab size of 4.
    const wide = await execute<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 4, insertSpaces: true });
    const preview = new vscode.WorkspaceEdit();
    preview.set(doc.uri, wide);
    assert.ok(await vscode.workspace.applyEdit(preview));
    assert.strictEqual(doc.getText(), [
      'filter: checkout-not-email',
      'title: Checkout without email',
      'dataview: storefront',
      'tags:',
      '    - ecommerce',
      'rule: |',
      '    person where',
      '        page_name = "Checkout" and not channel = "Email"',
      '',
    ].join('\n'));
    assert.ok(await doc.save(), 'not saved');
  });

  test('the "did you mean" quick fix of a misspelt dimension is applied and the diagnostic goes away', async () => {
    const uri = fixtureUri(TYPO);
    const unknownField = (ds: readonly vscode.Diagnostic[]) => ours(ds).some(d => d.code === 'rule-unknown-field');
    const arrived = waitForDiagnostics(uri, unknownField, WAIT_MS);
    const doc = await openFixture(TYPO);
    const ds = ours(await arrived);
    assert.deepStrictEqual(ds.map(d => [d.code, d.severity, d.message, span(d.range)]), [
      ['rule-unknown-field', vscode.DiagnosticSeverity.Error, 'Unknown dimension or metric `chanel` in data view `storefront`. Did you mean `channel`?', [5, 15, 5, 21]],
    ]);

    // VS Code sends the diagnostics under the range back to the client; the server builds "did you mean" from
    // their `data` (the replacements), so this also checks that `data` survives the round trip.
    const actions = await execute<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', uri, ds[0].range);
    // The command's results carry title, kind, isPreferred, edit and command, but not the `diagnostics` an
    // action fixes (VS Code's API converter leaves them out), so those are not compared here.
    // VS Code 1.139 adds its built-in chat's actions ("Fix", "Explain", "Modify", kinds `*.copilot`) to every
    // diagnostic; they are not the server's.
    const chat = (a: vscode.CodeAction | vscode.Command) => a instanceof vscode.CodeAction && !!a.kind && /(^|\.)copilot$/.test(a.kind.value);
    const fixes = actions.filter(a => !chat(a));
    const described = fixes.map(a => {
      assert.ok(a instanceof vscode.CodeAction, `not a code action: ${JSON.stringify(a)}`);
      return [a.title, a.kind?.value, a.isPreferred ?? false, a.edit ? edits(a.edit) : undefined];
    });
    assert.deepStrictEqual(described, [
      ['Change to `channel`', 'quickfix', true, [[uri.toString(), [[5, 15, 5, 21, 'channel']]]]],
      ['Suppress `rule-unknown-field` on this line', 'quickfix', false,
        [[uri.toString(), [[5, 0, 5, 0, '  # audience-filters-disable-next-line rule-unknown-field\n']]]]],
    ]);

    const cleared = waitForDiagnostics(uri, d => ours(d).length === 0, WAIT_MS);
    assert.ok(await vscode.workspace.applyEdit((fixes[0] as vscode.CodeAction).edit!), 'quick fix not applied');
    await cleared;
    assert.strictEqual(doc.getText(), [
      'filter: email-visitors',
      'title: Email visitors',
      'description: Came from an email campaign; the dimension is misspelt.',
      'dataview: storefront',
      'rule: |',
      '  person where channel = "Email"',
      '',
    ].join('\n'));
    assert.ok(await doc.save(), 'not saved');
  });

  test('rename refuses an invalid filter id with the server\'s message, and a name that is not renamable', async () => {
    const doc = await openFixture(LAPSED);
    await assert.rejects(
      Promise.resolve(execute('vscode.executeDocumentRenameProvider', doc.uri, FILTER_REF, 'Bad Name')),
      (e: Error) => {
        assert.strictEqual(e.message, '`Bad Name` is not a valid filter id: ids are kebab-case (lower-case letters, digits and single dashes).');
        return true;
      },
    );
    const prepared = await execute<{ range: vscode.Range; placeholder: string }>('vscode.prepareRename', doc.uri, FILTER_REF);
    assert.deepStrictEqual([span(prepared.range), prepared.placeholder], [[6, 11, 6, 17], 'buyers']);
    await assert.rejects(
      Promise.resolve(execute('vscode.prepareRename', doc.uri, new vscode.Position(1, 2))),
      (e: Error) => {
        assert.strictEqual(e.message, 'Only filter ids and data view dimensions and metrics can be renamed.');
        return true;
      },
    );
    assert.strictEqual(doc.isDirty, false, 'a refused rename changed the document');
  });

  test('rename of a filter id edits both files; applied, it leaves no diagnostics; renamed back from the declaration', async () => {
    const buyers = fixtureUri(BUYERS);
    const lapsed = fixtureUri(LAPSED);
    await openFixture(LAPSED);
    const edit = await execute<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', lapsed, FILTER_REF, 'purchasers');
    assert.deepStrictEqual(edits(edit), [
      [buyers.toString(), [[0, 8, 0, 14, 'purchasers']]],
      [lapsed.toString(), [[6, 11, 6, 17, 'purchasers']]],
    ]);
    const renamed = waitForCleanRepublish([buyers, lapsed], WAIT_MS);
    assert.ok(await vscode.workspace.applyEdit(edit), 'rename not applied');
    await renamed.done;
    if (renamed.transient.length) console.log(`    (between the two files' changes the server briefly reported: ${renamed.transient.join('; ')})`);
    await saveAll([buyers, lapsed]);
    const buyersDoc = await vscode.workspace.openTextDocument(buyers);
    const lapsedDoc = await vscode.workspace.openTextDocument(lapsed);
    assert.strictEqual(buyersDoc.getText(), 'filter: purchasers\ntitle: Buyers\ndescription: People with at least one order.\ndataview: storefront\nrule: |\n  person where orders >= 1\n');
    assert.strictEqual(lapsedDoc.lineAt(6).text, '    filter purchasers');
    assert.deepStrictEqual(locations(await execute('vscode.executeDefinitionProvider', lapsed, FILTER_REF)), [[buyers.toString(), [0, 8, 0, 18]]]);

    // Back, from the declaration in the other file.
    const back = await execute<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', buyers, new vscode.Position(0, 10), 'buyers');
    assert.deepStrictEqual(edits(back), [
      [buyers.toString(), [[0, 8, 0, 18, 'buyers']]],
      [lapsed.toString(), [[6, 11, 6, 21, 'buyers']]],
    ]);
    const restored = waitForCleanRepublish([buyers, lapsed], WAIT_MS);
    assert.ok(await vscode.workspace.applyEdit(back), 'rename back not applied');
    await restored.done;
    await saveAll([buyers, lapsed]);
    assert.strictEqual(buyersDoc.lineAt(0).text, 'filter: buyers');
    assert.strictEqual(lapsedDoc.lineAt(6).text, '    filter buyers');
  });
});
