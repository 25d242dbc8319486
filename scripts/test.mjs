// `npm test`: builds, then runs every suite — unit, CLI, protocol (language server over stdio),
// endpoint, and the integration suite inside real VS Code (1.99 and the latest) — and ends with
// one line `N passed, N failed` summing them. Exits non-zero on any failure.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const only = process.argv.slice(2); // e.g. `npm test -- unit cli` runs only those suites
const want = name => only.length === 0 || only.includes(name);

const run = (cmd, args, env = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });

console.log('== build');
const build = run('npm', ['run', '--silent', 'build']);
if (build.status !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const suites = [
  { name: 'unit', glob: 'out/test/unit/**/*.test.js' },
  { name: 'cli', glob: 'out/test/cli/**/*.test.js' },
  { name: 'protocol', glob: 'out/test/protocol/**/*.test.js' },
  { name: 'endpoint', glob: 'out/test/endpoint/**/*.test.js' },
];

const totals = { passed: 0, failed: 0 };
const lines = [];
const failures = []; // `suite: title: first line of the error`, repeated in the summary so a CI log's tail names them
for (const suite of suites) {
  if (!want(suite.name)) continue;
  const dir = suite.glob.split('/**')[0];
  if (!fs.existsSync(dir)) continue;
  console.log(`\n== ${suite.name} tests`);
  const countFile = path.join(os.tmpdir(), `af-count-${process.pid}-${suite.name}.json`);
  fs.rmSync(countFile, { force: true });
  const args = ['node_modules/mocha/bin/mocha.js', '--reporter', 'scripts/mocha-count-reporter.cjs', '--timeout', '60000', suite.glob];
  if (process.env.CI) args.push('--forbid-only');
  const r = run(process.execPath, args, { MOCHA_COUNT_FILE: countFile });
  const counts = fs.existsSync(countFile) ? JSON.parse(fs.readFileSync(countFile, 'utf8')) : { passed: 0, failed: 1 };
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1; // the runner itself failed
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  for (const f of counts.failures ?? []) failures.push(`${suite.name}: ${f}`);
  lines.push(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed`);
}

if (want('integration')) {
  console.log('\n== integration tests in VS Code');
  const resultsFile = path.join(os.tmpdir(), `af-integration-${process.pid}.json`);
  fs.rmSync(resultsFile, { force: true });
  const r = run(process.execPath, ['scripts/test-integration.mjs', '--results', resultsFile]);
  const counts = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 1 };
  if (r.status !== 0 && counts.failed === 0) counts.failed = 1;
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  for (const run of counts.runs ?? []) for (const f of run.failures ?? (run.error ? [run.error] : [])) failures.push(`integration (${run.name}): ${f}`);
  lines.push(`integration: ${counts.passed} passed, ${counts.failed} failed`);
}

console.log('\n== summary');
for (const l of lines) console.log(l);
if (failures.length > 0) {
  console.log('failed:');
  for (const f of failures) console.log(`  ${f}`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
