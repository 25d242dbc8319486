#!/usr/bin/env node
// `npm run fuzz -- --minutes N [--only <text>]`: runs the fuzz properties of test/unit/fuzz/properties.ts
// (built by `npm run build`) with fresh seeds, round after round, until N minutes (default 1) are up.
// A failure prints the property, its seed, path and shrunk input (rerun one with FUZZ_SEED=<seed>
// npm test -- unit) and exits 1; otherwise it prints the runs per property and exits 0.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(ROOT, 'out', 'test', 'unit', 'fuzz', 'properties.js');

function option(name) {
  const argv = process.argv.slice(2);
  const i = argv.findIndex(a => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

const minutes = Number(option('minutes') ?? 1);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`fuzz: --minutes needs a positive number, not "${option('minutes')}"`);
  process.exit(2);
}
if (!fs.existsSync(built)) {
  console.error(`fuzz: ${path.relative(ROOT, built)} is missing: run npm run build first`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const fc = require('fast-check');
const { PROPERTIES, describeFailure, stopFuzzEndpoint } = require(built);
const only = option('only');
const chosen = PROPERTIES.filter(p => !only || p.name.includes(only));
if (!chosen.length) {
  console.error(`fuzz: no property matches "${only}"; properties:\n${PROPERTIES.map(p => `  ${p.name}`).join('\n')}`);
  process.exit(2);
}

const deadline = Date.now() + minutes * 60_000;
const runs = new Map(chosen.map(p => [p.name, 0]));
let failed = false;
console.log(`fuzz: ${chosen.length} properties for ${minutes} minute(s)`);
outer: while (Date.now() < deadline) {
  for (const p of chosen) {
    if (Date.now() >= deadline) break outer;
    const seed = (Math.random() * 2 ** 31) | 0;
    const details = await fc.check(p.property(), { numRuns: p.runs, seed });
    runs.set(p.name, runs.get(p.name) + details.numRuns);
    if (details.failed) {
      console.error(describeFailure(p.name, details));
      failed = true;
      break outer;
    }
  }
}
await stopFuzzEndpoint();
for (const [name, n] of runs) console.log(`  ${String(n).padStart(8)} runs  ${name}`);
console.log(failed ? 'fuzz: a property failed (above)' : 'fuzz: no failure');
process.exit(failed ? 1 : 0);
