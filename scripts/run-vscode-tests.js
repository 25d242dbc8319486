#!/usr/bin/env node
// Runs the extension's integration suite inside a REAL VS Code Node extension host: the VS Code server that
// ships inside the npm package `code-server` (lib/vscode/out/server-main.js, started directly), with its web
// workbench driven by headless Debian Chromium through playwright-core. No Electron, no display, no network.
// Install the servers first with scripts/setup-vscode-server.sh; scripts/test-integration.mjs runs this on
// both VS Code versions.
//
// Flags (the first two as @vscode/test-electron passes them to a VS Code binary):
//   --extensionDevelopmentPath=DIR  the extension (default: the repository root)
//   --extensionTestsPath=FILE       the suite runner (default: out/test/integration/suite/index)
//   --workspace=DIR                 fixture workspace; a fresh COPY is opened, so tests may edit files
//                                   (default: test/integration/fixtures/workspace)
//   --results=FILE                  write {vscode, passed, failed, failures, exitCode, durationMs} as JSON
//   --screenshots=DIR               where screenshots go (default: test-output/integration/vscode-<version>)
//   --untrusted                     keep workspace trust on: the fixture folder opens untrusted (Restricted Mode)
// Env: CODE_SERVER_DIR (the code-server package dir), CODE_SERVER_NODE (node binary for the server; default:
//      this node), CHROMIUM_BIN (default /usr/bin/chromium), TEST_TIMEOUT_MS (default 180000),
//      DEBUG_CONSOLE=1 (echo the browser console and the server log), KEEP_TMP=1 (keep the run's temp dir).
// Exit code: 0 all passed, 1 a test failed or the run broke, 2 timeout.
//
// Contract with the suite (environment of the extension host, which inherits the server's):
//   AUDIENCE_FILTERS_TEST_RESULTS   file the suite writes {passed, failed} to before it exits
//   AUDIENCE_FILTERS_SCREENSHOT_DIR the extension host cannot reach the page, so a test asks for a
//                                   screenshot by creating `<name>.request` there; this runner then writes
//                                   `<name>.png` (atomically) and deletes the request. Likewise a click:
//                                   `<name>.click` holds {selector, hasText?, role?, name?, type?, timeoutMs?} (see
//                                   clickOn); the runner clicks with Playwright and answers `<name>.clicked`,
//                                   or `<name>.click-failed` holding the error.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..');
const argVal = name => {
  const a = process.argv.find(x => x.startsWith(`--${name}=`));
  return a && a.slice(name.length + 3);
};
const extDir = path.resolve(argVal('extensionDevelopmentPath') || ROOT);
const testsPath = path.resolve(argVal('extensionTestsPath') || path.join(ROOT, 'out', 'test', 'integration', 'suite', 'index'));
const fixture = path.resolve(argVal('workspace') || path.join(ROOT, 'test', 'integration', 'fixtures', 'workspace'));
const resultsFile = argVal('results') && path.resolve(argVal('results'));
// --untrusted: workspace trust stays on and the fixture folder is not trusted (Restricted Mode).
const untrusted = process.argv.includes('--untrusted');
const csDir = path.resolve(process.env.CODE_SERVER_DIR
  || path.join(ROOT, '.vscode-test', 'code-server-4.99.4', 'node_modules', 'code-server'));
const serverMain = path.join(csDir, 'lib', 'vscode', 'out', 'server-main.js');
const serverNode = process.env.CODE_SERVER_NODE || process.execPath;
const chromiumBin = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS || 180000);

function vscodeVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(csDir, 'lib', 'vscode', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
const version = vscodeVersion();
// The workbench's own log reaches codeAutomationLog too; these lines repeat on every run and say nothing
// about the extension (DEBUG_CONSOLE=1 shows them).
const WORKBENCH_CHATTER = [
  /^Ignoring fetching additional builtin extensions/, /^Updating additional builtin extensions cache/,
  /^\[AgentHost(:remote)?\]/, /^\[ChatModelSelection\]/, /^\[reconnection-grace-time\]/, /^Resolv(ing|ed) connection token/, /^Creating a socket/,
  /^ChatSessionStore:/, /^\[Service Worker\] registration/,
];
const log = (...a) => console.log(`[runner ${version}]`, ...a);

/** Starts the VS Code server on a free loopback port (--port 0: the OS picks; the log line names it). */
function startServer(env, tmp) {
  const server = spawn(serverNode, [serverMain,
    '--host', '127.0.0.1', '--port', '0', '--without-connection-token', '--accept-server-license-terms',
    // Built web clients of newer VS Code ignore the extensionDevelopmentPath/extensionTestsPath URL payload
    // unless the smoke-test driver is enabled (1.139 needs it; 1.99 works either way).
    '--enable-smoke-test-driver',
    '--disable-telemetry', '--telemetry-level', 'off', ...(untrusted ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', path.join(tmp, 'user-data'), '--server-data-dir', path.join(tmp, 'server-data'),
    '--extensions-dir', path.join(tmp, 'extensions')],
  // detached: own process group, so the extension host and the language server it starts die with it.
  { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const onData = d => {
      output += d;
      if (process.env.DEBUG_CONSOLE) process.stdout.write(`[server] ${d}`);
      const m = /Extension host agent listening on (\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('error', reject);
    server.on('exit', c => reject(new Error(`VS Code server exited early (${c}):\n${output}`)));
    setTimeout(() => reject(new Error(`VS Code server did not start within 60 s:\n${output}`)), 60000).unref();
  });
  const exited = new Promise(resolve => server.on('exit', resolve));
  /** SIGTERM to the whole group, SIGKILL after 3 s; resolves when the server is gone. */
  const stop = () => {
    if (server.exitCode !== null || server.signalCode !== null || server.pid === undefined) return Promise.resolve();
    const kill = sig => { try { process.kill(-server.pid, sig); } catch { /* group already gone */ } };
    kill('SIGTERM');
    const hard = setTimeout(() => kill('SIGKILL'), 3000);
    return exited.then(() => clearTimeout(hard));
  };
  return { ready, stop, output: () => output };
}

/**
 * Clicks the element with ARIA `role` and accessible `name` (exact) inside the one match of the CSS `selector`
 * that contains `hasText` (without a role: that match itself). Playwright waits until it is visible, stable
 * and enabled, and refuses when more than one element matches.
 */
async function clickOn(page, { selector, hasText, role, name, type, timeoutMs = 10000 }) {
  let target = page.locator(selector, hasText ? { hasText } : undefined);
  if (role) target = target.getByRole(role, name === undefined ? {} : { name, exact: true });
  await target.click({ timeout: timeoutMs });
  // Then types into what has the focus, as a person would (`\n` presses Enter).
  if (type) await page.keyboard.type(type);
}

/** Writes `file` whole: the suite reacts as soon as it appears. */
function writeAtomically(file, content) {
  fs.writeFileSync(`${file}.partial`, content);
  fs.renameSync(`${file}.partial`, file);
}

/**
 * Answers the suite's requests in `dir`, one at a time: `<name>.request` with the screenshot `<name>.png`,
 * `<name>.click` with a click on the page and `<name>.clicked` (or `<name>.click-failed`).
 */
function servePage(dir, page) {
  let busy = Promise.resolve();
  const pending = new Set();
  const answer = async f => {
    if (f.endsWith('.request')) {
      const name = f.slice(0, -'.request'.length);
      const png = path.join(dir, `${name}.png`);
      try {
        await page.screenshot({ path: `${png}.partial`, type: 'png' });
        fs.renameSync(`${png}.partial`, png);
        log(`screenshot ${png}`);
      } catch (e) {
        log(`screenshot ${name} failed: ${e.message}`);
      }
      return;
    }
    const name = f.slice(0, -'.click'.length);
    try {
      const spec = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      await clickOn(page, spec);
      writeAtomically(path.join(dir, `${name}.clicked`), '');
      log(`clicked ${name}`);
    } catch (e) {
      writeAtomically(path.join(dir, `${name}.click-failed`), e.message);
      log(`click ${name} failed: ${e.message}`);
    }
  };
  const scan = () => {
    for (const f of fs.readdirSync(dir)) {
      if (!(f.endsWith('.request') || f.endsWith('.click')) || pending.has(f)) continue;
      pending.add(f);
      busy = busy.then(() => answer(f)).catch(e => log(`answering ${f} failed: ${e.message}`)).finally(() => {
        fs.rmSync(path.join(dir, f), { force: true });
        pending.delete(f);
      });
    }
  };
  const watcher = fs.watch(dir, scan);
  return () => { watcher.close(); return busy; };
}

function readSuiteResults(file) {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (Number.isInteger(r.passed) && Number.isInteger(r.failed)) return r;
  } catch { /* the suite never got to write it */ }
  return undefined;
}

async function main() {
  const t0 = Date.now();
  if (!fs.existsSync(serverMain)) throw new Error(`${serverMain} not found: run scripts/setup-vscode-server.sh first`);
  if (!fs.existsSync(fixture)) throw new Error(`fixture workspace ${fixture} not found`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'af-vscode-test-'));
  const workspace = path.join(tmp, 'workspace');
  const home = path.join(tmp, 'home');
  const suiteResults = path.join(tmp, 'suite-results.json');
  const shots = path.resolve(argVal('screenshots') || path.join(ROOT, 'test-output', 'integration', `vscode-${version}${untrusted ? '-untrusted' : ''}`));
  for (const d of [home, path.join(tmp, 'tmp'), shots]) fs.mkdirSync(d, { recursive: true });
  for (const f of fs.readdirSync(shots)) if (/\.(png|request|partial|click|clicked|click-failed)$/.test(f)) fs.rmSync(path.join(shots, f));
  fs.cpSync(fixture, workspace, { recursive: true });
  // Private HOME/XDG/TMPDIR: server, extension host, language server and Chromium write nothing outside tmp.
  // EXTENSIONS_GALLERY='{}' disables the extension gallery (no DNS lookups / network from the workbench).
  const env = {
    ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'), TMPDIR: path.join(tmp, 'tmp'), EXTENSIONS_GALLERY: '{}',
    AUDIENCE_FILTERS_TEST_RESULTS: suiteResults, AUDIENCE_FILTERS_SCREENSHOT_DIR: shots,
  };

  const server = startServer(env, tmp);
  process.on('SIGINT', () => server.stop().then(() => process.exit(130)));
  process.on('SIGTERM', () => server.stop().then(() => process.exit(143)));

  let browser;
  let stopServing;
  let exitCode = 1;
  try {
    const port = await server.ready;
    const host = `127.0.0.1:${port}`;
    log(`VS Code server (node ${serverNode === process.execPath ? process.version : serverNode}) up on ${host} after ${Date.now() - t0} ms`);

    browser = await chromium.launch({
      executablePath: chromiumBin,
      headless: true,
      env,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The web workbench forwards extension-host console output and the test exit code through these hooks.
    let resolveDone;
    const done = new Promise(resolve => { resolveDone = resolve; });
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = (args || []).join(' ');
      if (process.env.DEBUG_CONSOLE || !WORKBENCH_CHATTER.some(re => re.test(line))) console.log(...(args || []));
    });
    await page.exposeFunction('codeAutomationExit', code => resolveDone(code));
    page.on('pageerror', e => console.error(`[runner ${version}] page error:`, e.message));
    if (process.env.DEBUG_CONSOLE) page.on('console', m => console.log('[browser]', m.type(), m.text()));
    stopServing = servePage(shots, page);

    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${host}${extDir}`],
      ['extensionTestsPath', `vscode-remote://${host}${testsPath}`],
    ];
    await page.goto(`http://${host}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    log(`workbench opened after ${Date.now() - t0} ms`);
    let timer;
    const r = await Promise.race([done, new Promise(res => { timer = setTimeout(() => res('timeout'), timeoutMs); })]);
    clearTimeout(timer);
    if (r === 'timeout') {
      console.error(`[runner ${version}] timed out after ${timeoutMs} ms\n--- server output ---\n${server.output()}`);
      exitCode = 2;
    } else {
      exitCode = Number(r) || 0;
      log(`suite finished after ${Date.now() - t0} ms`);
    }
    if (exitCode !== 0) {
      await page.screenshot({ path: path.join(shots, 'at-failure.png') })
        .then(() => log(`screenshot ${path.join(shots, 'at-failure.png')}`), () => {});
    }
  } finally {
    if (stopServing) await stopServing();
    if (browser) await browser.close().catch(() => {});
    await server.stop();
  }

  const durationMs = Date.now() - t0;
  const counted = readSuiteResults(suiteResults);
  // A run that ended without the suite's counts (server or extension host broke, timeout) is one failure.
  let { passed, failed, failures = [] } = counted || { passed: 0, failed: 1 };
  if (exitCode !== 0 && failed === 0) failed = 1;
  if (!counted) {
    log('the suite wrote no results: counted as 1 failure');
    failures = [exitCode === 2 ? `the run timed out after ${timeoutMs} ms` : 'the suite wrote no results'];
  }
  const result = { vscode: version, passed, failed, failures, exitCode, durationMs };
  if (resultsFile) {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, `${JSON.stringify(result)}\n`);
  }
  if (process.env.KEEP_TMP) log('kept', tmp); else fs.rmSync(tmp, { recursive: true, force: true });
  log(`exit code ${exitCode}: ${passed} passed, ${failed} failed, total ${durationMs} ms`);
  return exitCode;
}

main().then(code => process.exit(code), e => { console.error(e); process.exit(1); });
