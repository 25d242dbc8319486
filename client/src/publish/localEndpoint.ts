/**
 * "Start Local Endpoint": runs the reference profile endpoint (`audience-filters endpoint`) in an
 * integrated terminal, on the port of the configured loopback endpoint, with its database under
 * the first folder's `.audience-filters/`. The endpoint writes its admin token next to the
 * database on first start; once that file exists the token is stored for the endpoint (in the
 * secret storage, as Set Token does), so publishing works without copying it by hand.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activeResource, resolveEndpoint } from './endpoint';
import type { TokenStore } from './tokenStore';

const TERMINAL_NAME = 'Audience Filters endpoint';

export async function startLocalEndpoint(tokens: TokenStore, log: (line: string) => void): Promise<{ url: string; db: string } | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('Audience Filters: open a folder first; the local endpoint keeps its database in it (.audience-filters/audiences.db).');
    return undefined;
  }
  const resource = activeResource();
  const endpoint = resolveEndpoint(resource);
  const configured = endpoint.ok ? new URL(endpoint.url) : undefined;
  const loopback = configured?.protocol === 'http:' && (configured.hostname === '127.0.0.1' || configured.hostname === 'localhost');
  if (!configured || !loopback) {
    const choice = await vscode.window.showWarningMessage(
      `Audience Filters: publishing goes to ${endpoint.ok ? endpoint.url : 'an invalid endpoint URL'}, not to this machine. Point "audienceFilters.endpoint.url" at http://127.0.0.1:7410 to use a local endpoint.`,
      'Open Settings',
    );
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'audienceFilters.endpoint.url');
    return undefined;
  }
  const port = configured.port || '80';
  const dir = path.join(folder.uri.fsPath, '.audience-filters');
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'audiences.db');
  const url = endpoint.ok ? endpoint.url : '';

  const existing = vscode.window.terminals.find(t => t.name === TERMINAL_NAME);
  const terminal = existing ?? vscode.window.createTerminal({ name: TERMINAL_NAME, cwd: folder.uri.fsPath, iconPath: new vscode.ThemeIcon('server-process') });
  if (!existing) terminal.sendText(`npx audience-filters endpoint --port ${port} --db ${JSON.stringify(path.relative(folder.uri.fsPath, db))}`);
  terminal.show(true);
  log(`[endpoint] ${existing ? 'the local endpoint terminal is already open' : `starting the local endpoint on port ${port} with ${db}`}`);

  const tokenFile = `${db}.admin-token`;
  const stored = await storeWhenWritten(tokenFile, async token => {
    await tokens.store(url, token);
    log(`[token] the local endpoint's admin token (${tokenFile}) was stored for ${url}`);
  });
  if (stored) void vscode.window.showInformationMessage(`Audience Filters: the local endpoint ${url} runs in the terminal "${TERMINAL_NAME}"; its admin token was stored for publishing.`);
  else void vscode.window.showWarningMessage(`Audience Filters: the local endpoint did not write its admin token (${tokenFile}) within a minute; see the terminal "${TERMINAL_NAME}".`);
  return { url, db };
}

/** Calls `store` with the token once `file` exists with content (now, or within a minute). */
function storeWhenWritten(file: string, store: (token: string) => Promise<void>): Promise<boolean> {
  const read = (): string | undefined => {
    try {
      return fs.readFileSync(file, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
  return new Promise(resolve => {
    let done = false;
    const finish = (token: string | undefined) => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      if (token) void store(token).then(() => resolve(true), () => resolve(false));
      else resolve(false);
    };
    const watcher = fs.watch(path.dirname(file), () => {
      const token = read();
      if (token) finish(token);
    });
    const timer = setTimeout(() => finish(undefined), 60_000);
    const now = read();
    if (now) finish(now);
  });
}
