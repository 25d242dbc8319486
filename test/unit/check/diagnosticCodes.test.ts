import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DIAGNOSTIC_CODES } from '../../../core/src/diagnosticCodes';
import { REPO_ROOT } from '../../support/cli';

/** Code-like string literals in the parts of the core that report diagnostics. */
function codesInSource(): Set<string> {
  const dirs = ['core/src/files', 'core/src/check', 'core/src/rule', 'core/src/yaml', 'core/src/workspace.ts', 'core/src/filterTests.ts', 'core/src/data/sourceAccess.ts'];
  const found = new Set<string>();
  const scan = (p: string): void => {
    const full = path.join(REPO_ROOT, p);
    if (fs.statSync(full).isDirectory()) for (const f of fs.readdirSync(full)) scan(path.join(p, f));
    else if (p.endsWith('.ts')) {
      for (const m of fs.readFileSync(full, 'utf8').matchAll(/'((?:yaml|schema|filter|dataview|audience|rule|limit|test)-[a-z]+(?:-[a-z]+)*)'/g)) found.add(m[1]);
    }
  };
  for (const d of dirs) scan(d);
  found.delete('filter-test'); // the schema's name, not a code
  return found;
}

describe('diagnostic code catalogue', () => {
  it('lists every code the core reports', () => {
    const missing = [...codesInSource()].filter(c => !(c in DIAGNOSTIC_CODES));
    assert.deepStrictEqual(missing, []);
  });

  it('lists no code the core never reports', () => {
    const used = codesInSource();
    assert.deepStrictEqual(Object.keys(DIAGNOSTIC_CODES).filter(c => !used.has(c)), []);
  });

  it('is the table in docs/language.md', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/docs-codes.mjs'), '--check'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
  });
});

describe('diagnostic code coverage', () => {
  it('every catalogued code is asserted by some test', () => {
    const texts: string[] = [];
    const scan = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) scan(full);
        else if (/\.(ts|ya?ml)$/.test(e.name) && !e.name.startsWith('diagnosticCodes.test')) texts.push(fs.readFileSync(full, 'utf8'));
      }
    };
    scan(path.join(REPO_ROOT, 'test'));
    const all = texts.join('\n');
    assert.deepStrictEqual(Object.keys(DIAGNOSTIC_CODES).filter(code => !all.includes(code)), []);
  });
});
