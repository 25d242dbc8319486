// Writes the diagnostic code table of docs/language.md from the catalogue in
// core/src/diagnosticCodes.ts (run after `tsc -b`). `--check` exits 1 when the docs are stale.
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { DIAGNOSTIC_CODES } = createRequire(import.meta.url)(path.join(root, 'out/core/src/diagnosticCodes.js'));
const file = path.join(root, 'docs/language.md');
const text = fs.readFileSync(file, 'utf8');
const header = '| code | severity | when | quick fix |\n|---|---|---|---|\n';
const at = text.indexOf(header);
if (at < 0) throw new Error('the diagnostic table header was not found in docs/language.md');
const rows = Object.entries(DIAGNOSTIC_CODES).map(([code, c]) => `| <a id="${code}"></a>\`${code}\` | ${c.severity} | ${c.when} | ${c.fix ?? '—'} |`).join('\n');
const next = text.slice(at + header.length).search(/\n(?!\|)/);
const rest = next < 0 ? '' : text.slice(at + header.length + next + 1);
const updated = `${text.slice(0, at)}${header}${rows}\n${rest}`;
if (process.argv.includes('--check')) {
  if (updated !== text) {
    console.error('docs/language.md is out of date: run node scripts/docs-codes.mjs');
    process.exit(1);
  }
} else fs.writeFileSync(file, updated);
