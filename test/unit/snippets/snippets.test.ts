/** The editor's snippets (snippets/audience-filter.json, offered by client/src/snippets.ts): each, with its defaults, is a valid filter or rule on the example data view. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Workspace } from '../../../core/src/workspace';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const SNIPPETS = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets', 'audience-filter.json'), 'utf8')) as Record<string, { prefix: string; body: string[]; description: string }>;

/** The text a snippet inserts when every placeholder keeps its default (a choice: its first option). */
function expand(body: string[]): string {
  return body.join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:((?:[^${}]|\$\{\d+:[^}]*\})*)\}/g, (_, inner: string) => inner.replace(/\$\{\d+:([^}]*)\}/g, '$1'))
    .replace(/\$\d+/g, '');
}

function diagnostics(filterText: string): string[] {
  const ws = new Workspace(() => new Date('2026-11-28T00:00:00Z'));
  ws.set(path.join(EXAMPLES, 'web.dataview.yaml'), fs.readFileSync(path.join(EXAMPLES, 'web.dataview.yaml'), 'utf8'));
  const file = path.join(EXAMPLES, 'filters', 'snippet.filter.yaml');
  ws.set(file, filterText);
  return ws.diagnostics(file).map(d => `${d.range.start.line}:${d.range.start.character} ${d.code}: ${d.message}`);
}

describe('snippets', () => {
  it('cover the common shapes (client/src/snippets.ts offers them where each fits)', () => {
    assert.deepStrictEqual(Object.values(SNIPPETS).map(s => s.prefix), ['filter', 'event where', 'session where', 'then within', 'exclude', 'metric', 'count distinct', 'audience']);
  });

  for (const [name, snippet] of Object.entries(SNIPPETS)) {
    it(`"${name}" expands to a filter that checks clean`, () => {
      const text = expand(snippet.body);
      assert.ok(!/\$/.test(text), text);
      const head = 'filter: snippet\ndataview: web\n';
      const filter = snippet.prefix === 'filter'
        ? text
        : snippet.prefix === 'audience'
          ? `${head}rule: |\n  person where orders >= 1\n${text}\n`
          : `${head}rule: |\n  person where\n${text.split('\n').map(l => `    ${l}`).join('\n')}\n`;
      assert.deepStrictEqual(diagnostics(filter), [], filter);
    });
  }
});
