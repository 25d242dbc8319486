// `npm run bench`: measured figures as one JSON object, each beside the reference's figure from
// the same run (DuckDB, yaml-language-server). Sections are added by scripts/bench/*.mjs.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const only = process.argv.slice(2);
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);

const result = { machine: { node: process.version, cpus: (await import('os')).cpus().length }, date: new Date().toISOString() };
const dir = path.join(root, 'scripts', 'bench');
// Files starting with _ are shared helpers, not sections.
const sections = fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.mjs') && !f.startsWith('_')).sort() : [];
for (const file of sections) {
  const name = file.replace(/\.mjs$/, '');
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  const mod = await import(path.join(dir, file));
  try {
    result[name] = await mod.run({ root });
  } catch (e) {
    result[name] = { error: e instanceof Error ? e.message : String(e) };
  }
}
console.log(JSON.stringify(result, null, 2));
