/** SARIF 2.1.0 and GitHub annotation output of `check`. */
import * as assert from 'node:assert/strict';
import type { Severity } from '../../../core/src/diagnostics';
import { DIAGNOSTIC_CODES } from '../../../core/src/diagnosticCodes';
import { escapeData, escapeProperty, githubAnnotation } from '../../../core/src/interop/githubAnnotations';
import { toSarif, type LocatedDiagnostic } from '../../../core/src/interop/sarif';
import { sarifValidator } from '../../support/sarif';

function diag(file: string, line: number, col: number, endLine: number, endCol: number, code: string, message: string, severity: Severity = 'error'): LocatedDiagnostic {
  return { file, range: { start: { line, character: col }, end: { line: endLine, character: endCol } }, severity, code, message };
}

describe('check output formats', () => {
  describe('SARIF 2.1.0', () => {
    const diags = [
      diag('filters/a.filter.yaml', 3, 4, 3, 9, 'rule-unknown-field', 'Unknown field `pgae`. Did you mean `page`?'),
      diag('filters/émoji 😀.filter.yaml', 0, 2, 1, 0, 'limit-rules', 'Too many rules.', 'warning'),
      diag('x.filter.yaml', 0, 0, 0, 1, 'some-new-code', 'A code outside the catalogue.', 'information'),
    ];
    const log = toSarif(diags, { toolVersion: '0.1.0', srcRoot: 'file:///work/repo' }) as any;

    it('validates against the official SARIF 2.1.0 schema', () => {
      assert.deepEqual(sarifValidator()(log), []);
    });

    it('lists a rule with description and help for every catalogued code and every reported one', () => {
      const rules = log.runs[0].tool.driver.rules as Array<{ id: string; shortDescription: { text: string }; help: { text: string } }>;
      for (const code of [...Object.keys(DIAGNOSTIC_CODES), 'some-new-code']) {
        const r = rules.find(x => x.id === code);
        assert.ok(r, code);
        assert.ok(r!.shortDescription.text.length > 5);
        assert.ok(r!.help.text.includes(`docs/language.md#${code}`), r!.help.text);
      }
      for (const res of log.runs[0].results) assert.equal(rules[res.ruleIndex].id, res.ruleId);
    });

    it('has 1-based regions in UTF-16 columns, levels and relative URIs', () => {
      assert.equal(log.runs[0].columnKind, 'utf16CodeUnits');
      const [a, b, c] = log.runs[0].results;
      assert.deepEqual(a.locations[0].physicalLocation, { artifactLocation: { uri: 'filters/a.filter.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 10 } });
      assert.equal(a.level, 'error');
      assert.equal(b.level, 'warning');
      assert.equal(c.level, 'note');
      assert.equal(b.locations[0].physicalLocation.artifactLocation.uri, 'filters/%C3%A9moji%20%F0%9F%98%80.filter.yaml');
      assert.deepEqual(log.runs[0].originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///work/repo/' } });
    });
  });

  describe('GitHub annotations', () => {
    it('escapes %, CR and LF in messages, and also : and , in properties', () => {
      assert.equal(escapeData('50% done\r\nnext: a,b'), '50%25 done%0D%0Anext: a,b');
      assert.equal(escapeProperty('dir:a,b%\n'), 'dir%3Aa%2Cb%25%0A');
    });

    it('prints one command per diagnostic with 1-based positions', () => {
      assert.equal(
        githubAnnotation(diag('f/a,b:c.filter.yaml', 3, 4, 3, 9, 'rule-unknown-field', 'Unknown field `pgae`.\nDid you mean `page`? (100%)')),
        '::error file=f/a%2Cb%3Ac.filter.yaml,line=4,col=5,endLine=4,endColumn=10,title=rule-unknown-field::Unknown field `pgae`.%0ADid you mean `page`? (100%25)',
      );
      assert.match(githubAnnotation(diag('a.filter.yaml', 0, 0, 0, 1, 'limit-rules', 'x', 'warning')), /^::warning file=a\.filter\.yaml,line=1,col=1,endLine=1,endColumn=2,title=limit-rules::x$/);
      assert.match(githubAnnotation(diag('a.filter.yaml', 0, 0, 0, 1, 'x', 'y', 'hint')), /^::notice /);
    });
  });
});
