// What the integration tests share: the extension under test, its language server's status, the fixture
// workspace (a private copy the runner opened, so tests may edit it) and screenshots of the workbench.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { waitFor } from './waitFor';

export const EXTENSION_ID = 'audience-filters.audience-filters';
export const SOURCE = 'audience-filters';

/** What `audienceFilters.serverStatus` returns (the server's answer has more fields; these are the contract). */
export type ServerStatus = { running: true; checkedFiles: number } | { running: false };

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (is extensionDevelopmentPath the repository root?)`);
  return ext;
}

export async function serverStatus(): Promise<ServerStatus> {
  const status = await vscode.commands.executeCommand<ServerStatus | undefined>('audienceFilters.serverStatus');
  assert.ok(status && (status.running === false || (status.running === true && typeof status.checkedFiles === 'number')),
    `audienceFilters.serverStatus returned ${JSON.stringify(status)}`);
  return status;
}

/**
 * Resolves once the language server runs and `accept` holds for its status. The status changes without an
 * event of its own; it is re-read on every diagnostics change (which is how the server's work shows) and,
 * as a backstop, every 250 ms.
 */
export function waitForServer(
  accept: (s: { running: true; checkedFiles: number }) => boolean,
  timeoutMs: number,
): Promise<{ running: true; checkedFiles: number }> {
  let last: ServerStatus | undefined;
  return waitFor(
    async () => {
      const s = (last = await serverStatus());
      return s.running && accept(s) ? s : undefined;
    },
    {
      events: [vscode.languages.onDidChangeDiagnostics],
      timeoutMs,
      recheckMs: 250,
      describe: () => `language server status still ${JSON.stringify(last)}`,
    },
  );
}

export function fixtureUri(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder: the runner opens a copy of test/integration/fixtures/workspace');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

export async function openFixture(relativePath: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(relativePath));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** Set by scripts/run-vscode-tests.js: requests dropped here are answered with screenshots of and clicks on the page. */
export const SCREENSHOT_DIR_ENV = 'AUDIENCE_FILTERS_SCREENSHOT_DIR';

/**
 * Asks the runner (which drives the workbench page; the extension host cannot reach it) for a screenshot,
 * and resolves with the PNG's path once it is written. Undefined when not run by that runner.
 */
export async function takeScreenshot(name: string, timeoutMs = 15_000): Promise<string | undefined> {
  const dir = process.env[SCREENSHOT_DIR_ENV];
  if (!dir) return undefined;
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-');
  const png = path.join(dir, `${safe}.png`);
  fs.rmSync(png, { force: true });
  const written = new vscode.EventEmitter<void>();
  const watcher = fs.watch(dir, () => written.fire());
  try {
    fs.writeFileSync(path.join(dir, `${safe}.request`), '');
    return await waitFor(() => (fs.existsSync(png) ? png : undefined), {
      events: [written.event],
      timeoutMs,
      describe: () => `no screenshot ${png}`,
    });
  } finally {
    watcher.close();
    written.dispose();
  }
}

/**
 * What the runner clicks: the element with ARIA `role` and accessible `name` (exact) inside the one match of
 * the CSS `selector` that contains `hasText`; without a role, that match itself.
 */
export interface ClickTarget {
  selector: string;
  hasText?: string;
  role?: string;
  name?: string;
  /** Typed on the keyboard after the click, into what then has the focus (`\n` presses Enter). */
  type?: string;
}

/**
 * Asks the runner to click in the workbench page (Playwright waits until the target is visible and enabled)
 * and resolves once it has clicked; rejects with the runner's error. False when not run by that runner.
 */
export async function click(name: string, target: ClickTarget, timeoutMs = 10_000): Promise<boolean> {
  const dir = process.env[SCREENSHOT_DIR_ENV];
  if (!dir) return false;
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-');
  const clicked = path.join(dir, `${safe}.clicked`);
  const failed = path.join(dir, `${safe}.click-failed`);
  for (const f of [clicked, failed]) fs.rmSync(f, { force: true });
  const written = new vscode.EventEmitter<void>();
  const watcher = fs.watch(dir, () => written.fire());
  try {
    // Written aside and renamed: the runner reads the request as soon as it appears.
    const request = path.join(dir, `${safe}.click`);
    fs.writeFileSync(`${request}.partial`, JSON.stringify({ ...target, timeoutMs }));
    fs.renameSync(`${request}.partial`, request);
    const error = await waitFor(() => (fs.existsSync(clicked) ? 'none' : fs.existsSync(failed) ? fs.readFileSync(failed, 'utf8') || 'failed' : undefined), {
      events: [written.event],
      timeoutMs: timeoutMs + 5_000,
      describe: () => `the runner did not answer the click ${name}`,
    });
    if (error !== 'none') throw new Error(`the runner could not click ${JSON.stringify(target)}: ${error}`);
    return true;
  } finally {
    watcher.close();
    written.dispose();
  }
}
