import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runCli } from '../support/cli';

const FOLDER = path.join(REPO_ROOT, 'test', 'fixtures', 'broken');

/**
 * A folder of broken files, each with one fault; its first line says what `check` must report:
 * `# expect: <code> <line>:<column>` (1-based) or `# expect: none`.
 */
function expectations(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(FOLDER).filter(n => n.endsWith('.filter.yaml')).sort()) {
    const text = fs.readFileSync(path.join(FOLDER, f), 'utf8');
    const m = /^# expect: (.+)$/m.exec(text);
    out.set(f, m ? m[1].trim() : 'yaml-binary 1:1');
  }
  return out;
}

describe('check on a folder of broken files', () => {
  it('reports exactly one precise diagnostic per fault', () => {
    const r = runCli(['check', FOLDER, '--format', 'json']);
    assert.strictEqual(r.status, 1, r.stderr);
    const found = new Map<string, string[]>();
    for (const d of JSON.parse(r.stdout).diagnostics as Array<{ file: string; code: string; range: { start: { line: number; character: number } } }>) {
      const name = path.basename(d.file);
      found.set(name, [...(found.get(name) ?? []), `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1}`]);
    }
    const expected = expectations();
    assert.ok(expected.size >= 20);
    for (const [file, want] of expected) assert.deepStrictEqual(found.get(file) ?? ['none'], [want], file);
  });
});
