import * as assert from 'assert';
import { quickFixes } from '../../../core/src/language/codeActions';
import { foldingRanges } from '../../../core/src/language/folding';
import { hover } from '../../../core/src/language/hover';
import { definition, prepareRename, references, rename } from '../../../core/src/language/navigation';
import { encodeSemanticTokens, semanticTokens } from '../../../core/src/language/semanticTokens';
import { documentSymbols } from '../../../core/src/language/symbols';
import type { OutlineSymbol } from '../../../core/src/language/symbols';
import type { Workspace } from '../../../core/src/workspace';
import { DATAVIEW, caret, fileOf, samplesOf, workspaceOf } from './fixture';

const BUYERS = 'filter: buyers\ntitle: Buyers\ndescription: People who ordered.\ndataview: web\nrule: person where orders > 0\n';
const MAIN = 'filter: main\ndataview: web\nrule: |\n  person where\n    event where page_name contains "checkout"\n    then within 30 minutes\n    exclude filter buyers\n';

function setup(marked: string, extra: Record<string, string> = {}): { ws: Workspace; offset: number; text: string } {
  const { text, offset } = caret(marked);
  return { ws: workspaceOf({ 'web.dataview.yaml': DATAVIEW, 'buyers.filter.yaml': BUYERS, 'main.filter.yaml': text, ...extra }), offset, text };
}
const slice = (ws: Workspace, r: { uri: string; start: number; end: number }) => [r.uri, ws.get(r.uri)!.text.slice(r.start, r.end), r.start];

describe('hover', () => {
  it('describes a dimension with its sample values and cardinality', () => {
    const { ws, offset } = setup(MAIN.replace('page_name', 'page_n|ame'));
    const h = hover(ws, fileOf(ws, 'main.filter.yaml'), offset, samplesOf({ page_name: { top: [{ value: 'home', count: 5 }, { value: 'cart', count: 2 }], distinct: 2, present: 7, events: 9 } }));
    assert.deepStrictEqual(h, {
      markdown: '**page_name** — string dimension\n\nName of the page.\n\nSource field `web.page.name` · data view `web`\n\nSample: 2 distinct values in 7 of 9 events. Top: `home` (5), `cart` (2)',
      start: 66,
      end: 75,
    });
  });

  it('explains operators and keywords, filter references and YAML keys', () => {
    const at = (marked: string) => {
      const { ws, offset } = setup(marked);
      return hover(ws, fileOf(ws, 'main.filter.yaml'), offset)?.markdown;
    };
    assert.match(at(MAIN.replace('contains', 'cont|ains'))!, /^\*\*contains\*\*\n\nThe value contains the text/);
    assert.match(at(MAIN.replace('within', 'with|in'))!, /^\*\*within\*\*\n\nMaximum gap to the previous checkpoint, inclusive/);
    assert.strictEqual(at(MAIN.replace('buyers', 'buy|ers')), '**filter buyers** — Buyers\n\nPeople who ordered.\n\nData view `web` · buyers.filter.yaml');
    assert.strictEqual(at(MAIN.replace('dataview:', 'data|view:')), "**dataview**\n\nThe id of the data view (`*.dataview.yaml`) the rule is written against. Optional: without it, the `audienceFilters.defaultDataView` setting (CLI: `--dataview`) applies, or the workspace's only data view.");
    assert.strictEqual(at(MAIN.replace('event where', 'event wh|ere')), '**where**\n\nStarts the body of a container: `person where …`.');
  });
});

describe('definition, references, rename', () => {
  it('goes from a filter reference to the filter id, and from a field to its declaration', () => {
    const { ws, offset } = setup(MAIN.replace('buyers', 'b|uyers'));
    assert.deepStrictEqual(definition(ws, fileOf(ws, 'main.filter.yaml'), offset).map(r => slice(ws, r)), [['/ws/buyers.filter.yaml', 'buyers', 8]]);
    const f = setup(MAIN.replace('page_name', '|page_name'));
    assert.deepStrictEqual(definition(f.ws, fileOf(f.ws, 'main.filter.yaml'), f.offset).map(r => slice(f.ws, r)), [['/ws/web.dataview.yaml', 'page_name', 132]]);
  });

  it('finds every reference of a filter id and of a field, across files', () => {
    const { ws, offset } = setup('filter: main\ndataview: web\nrule: person where orders > 1 or filter buyers\n'.replace('orders', 'ord|ers'));
    assert.deepStrictEqual(references(ws, fileOf(ws, 'main.filter.yaml'), offset, true).map(r => slice(ws, r)), [
      ['/ws/web.dataview.yaml', 'orders', 318],
      ['/ws/buyers.filter.yaml', 'orders', 95],
      ['/ws/main.filter.yaml', 'orders', 46],
    ]);
    const b = setup(MAIN.replace('filter: main', 'filter: ma|in'), { 'x.filter.yaml': 'filter: x\ndataview: web\nrule: person where filter main\n' });
    assert.deepStrictEqual(references(b.ws, fileOf(b.ws, 'main.filter.yaml'), b.offset, false).map(r => slice(b.ws, r)), [['/ws/x.filter.yaml', 'main', 50]]);
  });

  it('keeps fields of two data views with the same id apart (multi-root)', () => {
    const ws = workspaceOf({
      'a/web.dataview.yaml': DATAVIEW,
      'a/f.filter.yaml': 'filter: fa\ndataview: web\nrule: person where orders > 1\n',
      'b/web.dataview.yaml': DATAVIEW,
      'b/f.filter.yaml': 'filter: fb\ndataview: web\nrule: person where orders > 2\n',
    });
    const file = fileOf(ws, 'a/f.filter.yaml');
    const refs = references(ws, file, file.text.indexOf('orders'), true);
    assert.deepStrictEqual(refs.map(r => r.uri), ['/ws/a/web.dataview.yaml', '/ws/a/f.filter.yaml']);
  });

  it('renames a filter id in its file and every reference', () => {
    const { ws, offset } = setup(MAIN.replace('buyers', 'buyer|s'));
    const file = fileOf(ws, 'main.filter.yaml');
    assert.deepStrictEqual(prepareRename(ws, file, offset), { start: 142, end: 148, placeholder: 'buyers' });
    const r = rename(ws, file, offset, 'purchasers');
    assert.ok('edits' in r);
    assert.deepStrictEqual(r.edits.map(e => [e.uri, e.start, e.end, e.newText]), [
      ['/ws/buyers.filter.yaml', 8, 14, 'purchasers'],
      ['/ws/main.filter.yaml', 142, 148, 'purchasers'],
    ]);
  });

  it('renames a field and keeps its source field', () => {
    const { ws, offset } = setup(MAIN.replace('page_name', 'page_na|me'), { 'web.dataview.yaml': DATAVIEW.replace('    field: web.page.name\n', '') });
    const r = rename(ws, fileOf(ws, 'main.filter.yaml'), offset, 'page');
    assert.ok('edits' in r);
    assert.deepStrictEqual(r.edits.map(e => [e.uri, e.start, e.end, e.newText]), [
      ['/ws/web.dataview.yaml', 132, 141, 'page'],
      ['/ws/main.filter.yaml', 66, 75, 'page'],
      ['/ws/web.dataview.yaml', 143, 143, '    field: page_name\n'],
    ]);
  });

  it('refuses invalid names, clashes and what cannot be renamed', () => {
    const { ws, offset } = setup(MAIN.replace('buyers', 'buyer|s'));
    const file = fileOf(ws, 'main.filter.yaml');
    assert.deepStrictEqual(rename(ws, file, offset, 'Not Valid'), { error: '`Not Valid` is not a valid filter id: ids are kebab-case (lower-case letters, digits and single dashes).' });
    assert.deepStrictEqual(rename(ws, file, offset, 'main'), { error: 'A filter with the id `main` already exists (/ws/main.filter.yaml).' });
    const f = setup(MAIN.replace('page_name', 'page_na|me'));
    assert.deepStrictEqual(rename(f.ws, fileOf(f.ws, 'main.filter.yaml'), f.offset, 'then'), { error: '`then` is a keyword of the rule language and cannot name a field.' });
    assert.deepStrictEqual(rename(f.ws, fileOf(f.ws, 'main.filter.yaml'), f.offset, 'orders'), { error: 'Data view `web` already declares `orders`.' });
    const k = setup(MAIN.replace('within', 'wi|thin'));
    assert.deepStrictEqual(prepareRename(k.ws, fileOf(k.ws, 'main.filter.yaml'), k.offset), { error: 'Only filter ids and data view dimensions and metrics can be renamed.' });
  });
});

describe('symbols, folding, semantic tokens', () => {
  const names = (symbols: OutlineSymbol[], depth = 0): string[] => symbols.flatMap(s => [`${'  '.repeat(depth)}${s.name}${s.detail ? ` (${s.detail})` : ''}`, ...names(s.children, depth + 1)]);

  it('outlines metadata and the rule structure', () => {
    const { ws } = setup(MAIN + 'audience:\n  name: Main\n|');
    assert.deepStrictEqual(names(documentSymbols(fileOf(ws, 'main.filter.yaml'))), [
      'filter (main)',
      'dataview (web)',
      'rule',
      '  person where',
      '    event where',
      '      sequence (2 checkpoints)',
      '        1. first (page_name contains "checkout")',
      '        2. then within 30 minutes exclude (filter buyers)',
      '          filter buyers',
      'audience',
      '  name (Main)',
    ]);
  });

  it('folds YAML blocks and multi-line containers', () => {
    const { ws } = setup('# a\n# b\n' + MAIN + 'audience:\n  name: Main\n|');
    assert.deepStrictEqual(foldingRanges(fileOf(ws, 'main.filter.yaml')), [
      { startLine: 0, endLine: 1, kind: 'comment' },
      { startLine: 4, endLine: 8 },
      { startLine: 5, endLine: 8 },
      { startLine: 6, endLine: 8 },
      { startLine: 9, endLine: 10 },
    ]);
  });

  it('classifies rule tokens', () => {
    const { ws } = setup('filter: main\ndataview: web\nrule: |\n  person where revenue > 10 # big\n    and filter buyers|\n');
    const tokens = semanticTokens(ws, fileOf(ws, 'main.filter.yaml'));
    assert.deepStrictEqual(tokens.map(t => [t.line, t.character, t.length, t.type]), [
      [3, 2, 6, 'type'],
      [3, 9, 5, 'keyword'],
      [3, 15, 7, 'property'],
      [3, 23, 1, 'operator'],
      [3, 25, 2, 'number'],
      [3, 28, 5, 'comment'],
      [4, 4, 3, 'keyword'],
      [4, 8, 6, 'keyword'],
      [4, 15, 6, 'function'],
    ]);
    assert.deepStrictEqual(encodeSemanticTokens(tokens).slice(0, 10), [3, 2, 6, 1, 0, 0, 7, 5, 0, 0]);
  });
});

describe('quick fixes', () => {
  const fixes = (text: string, diagnostics: Parameters<typeof quickFixes>[2]) => {
    const ws = workspaceOf({ 'web.dataview.yaml': DATAVIEW, 'main.filter.yaml': text });
    return quickFixes(ws, fileOf(ws, 'main.filter.yaml'), diagnostics, 2).map(f => [f.title, f.edits, !!f.preferred]);
  };
  const range = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

  it('offers did-you-mean replacements and suppression', () => {
    assert.deepStrictEqual(fixes('filter: a\ndataview: web\nrule: |\n  person where page_nam = "x"\n', [{ range: range(3, 15, 3, 23), code: 'rule-unknown-field', message: 'Unknown', data: { replacements: ['page_name'] } }]), [
      ['Change to `page_name`', [{ range: range(3, 15, 3, 23), newText: 'page_name' }], true],
      ['Suppress `rule-unknown-field` on this line', [{ range: range(3, 0, 3, 0), newText: '  # audience-filters-disable-next-line rule-unknown-field\n' }], false],
    ]);
  });

  it('adds the parentheses a mixed chain needs, from the diagnostic data', () => {
    const edits = [{ range: range(3, 15, 3, 15), newText: '(' }];
    assert.deepStrictEqual(fixes('filter: a\ndataview: web\nrule: |\n  person where a = 1 and b = 2 or c = 3\n', [{ range: range(3, 30, 3, 32), code: 'rule-mixed-operators', message: 'mixed', data: { edits } }])[0], ['Add parentheses', edits, true]);
  });

  it('adds a missing required key and removes a duplicate key', () => {
    assert.deepStrictEqual(fixes('filter: a\ndataview: web\n', [{ range: range(0, 0, 0, 6), code: 'schema-missing-key', message: 'Missing required key `rule`.' }])[0], [
      'Add the required key `rule`',
      [{ range: range(2, 0, 2, 0), newText: 'rule: |\n  person where\n' }],
      true,
    ]);
    assert.deepStrictEqual(fixes('filter: a\ndataview: web\ntitle: x\ntitle: y\nrule: person where a = 1\n', [{ range: range(3, 0, 3, 5), code: 'yaml-duplicate-key', message: 'Duplicate' }])[0], [
      'Remove the duplicate key `title`',
      [{ range: range(3, 0, 4, 0), newText: '' }],
      true,
    ]);
  });

  it('adds a code to an existing suppression comment', () => {
    assert.deepStrictEqual(fixes('filter: a\n# audience-filters-disable-next-line x\ndataview: webb\n', [{ range: range(2, 10, 2, 14), code: 'filter-unknown-dataview', message: 'Unknown' }]), [
      ['Suppress `filter-unknown-dataview` on this line', [{ range: range(1, 38, 1, 38), newText: ' filter-unknown-dataview' }], false],
    ]);
  });
});
