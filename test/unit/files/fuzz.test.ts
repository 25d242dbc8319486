import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { Workspace } from '../../../core/src/workspace';
import { formatFilterFile } from '../../../core/src/format/formatFilterFile';
import { REPO_ROOT } from '../../support/cli';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const DATAVIEW = fs.readFileSync(path.join(EXAMPLES, 'web.dataview.yaml'), 'utf8');
const FILTERS = fs.readdirSync(path.join(EXAMPLES, 'filters')).map(f => fs.readFileSync(path.join(EXAMPLES, 'filters', f), 'utf8'));

/**
 * Checks a text as a filter file the way the editor and the CLI do. No timing is asserted (the
 * machine's speed is no test's business; `npm run bench` measures the checker): a blow-up on some
 * input, exponential or a hang, runs into the suite's timeout instead.
 */
function check(text: string): void {
  const ws = new Workspace();
  ws.set('/fuzz/web.dataview.yaml', DATAVIEW);
  ws.set('/fuzz/f.filter.yaml', text);
  const diagnostics = ws.diagnostics('/fuzz/f.filter.yaml');
  for (const d of diagnostics) {
    assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0 && typeof d.code === 'string' && d.message.length > 0);
  }
  formatFilterFile(text, { tabSize: 2, insertSpaces: true });
}

const mutation = fc.record({
  base: fc.nat(FILTERS.length - 1),
  edits: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), del: fc.nat(8), ins: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('"', '(', ')', ':', '- ', '\n', '  ', '|', '#', 'then ', 'and ', '\t', '{', '[', '*', '\\', '\u0000')) }), { maxLength: 6 }),
});

describe('whole-file fuzz: YAML + schema + rule + checks + formatter', function () {
  this.timeout(120_000);
  it('never throws on mutated example filters', () => {
    fc.assert(
      fc.property(mutation, ({ base, edits }) => {
        let text = FILTERS[base];
        for (const e of edits) {
          const at = Math.floor(e.at * text.length);
          text = text.slice(0, at) + e.ins + text.slice(at + e.del);
        }
        check(text);
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('never throws on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), check), { numRuns: 300, seed: 7 });
  });

  it('handles huge and deeply nested inputs', () => {
    const deepYaml = `${Array.from({ length: 500 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n`;
    const deepRule = `filter: deep\ndataview: web\nrule: |\n  person where ${'('.repeat(5000)}orders > 1${')'.repeat(5000)}\n`;
    const manyLines = `filter: big\ndataview: web\nrule: |\n  person where\n${Array.from({ length: 20000 }, (_, i) => `    ${i ? 'or ' : ''}page_name = "p${i}"`).join('\n')}\n`;
    const megabyteValue = `filter: mb\ndataview: web\ntitle: "${'x'.repeat(1 << 20)}"\nrule: person where orders > 1\n`;
    for (const text of [deepYaml, deepRule, manyLines, megabyteValue]) check(text);
  });
});
