// The reference profile endpoint as its own process on 127.0.0.1 with a temporary SQLite database, for the
// tests that publish (publish.test.ts, firstHour.test.ts).
import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import * as vscode from 'vscode';
import { extension } from './harness';

export interface Endpoint { url: string; adminToken: string; child: ChildProcess; exited: Promise<void>; dir: string }

/**
 * Starts the endpoint on the `node` that installed its native SQLite module (the one on PATH, or
 * $AUDIENCE_FILTERS_ENDPOINT_NODE): the extension host's Node may be another version.
 */
export function startEndpoint(prefix = 'af-endpoint-'): Promise<Endpoint> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = path.join(dir, 'audiences.db');
  const main = path.join(extension().extensionPath, 'out', 'endpoint', 'src', 'main.js');
  const node = process.env.AUDIENCE_FILTERS_ENDPOINT_NODE || 'node';
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  // --json: the endpoint prints its status line ({"listening": url, …}) only when asked.
  const child = spawn(node, [main, '--port', '0', '--host', '127.0.0.1', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`the endpoint exited before listening: ${stderr}`)));
    readline.createInterface({ input: child.stdout! }).on('line', line => {
      let msg: { listening?: string; adminTokenFile?: string };
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (!msg.listening) return;
      const adminToken = fs.readFileSync(msg.adminTokenFile ?? `${db}.admin-token`, 'utf8').trim();
      resolve({ url: msg.listening, adminToken, child, exited, dir });
    });
  });
}

export async function stopEndpoint(endpoint: Endpoint | undefined): Promise<void> {
  if (!endpoint) return;
  endpoint.child.kill('SIGTERM');
  await endpoint.exited;
  fs.rmSync(endpoint.dir, { recursive: true, force: true });
}

/** A request to the endpoint, as its admin unless `token` says otherwise (the test's own view of what was committed). */
export async function api<T>(endpoint: Endpoint, method: string, route: string, body?: unknown, token = endpoint.adminToken): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(route, endpoint.url), {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * The endpoint in the user's settings: publishing to it asks nothing. (One from the workspace's
 * settings is confirmed once, naming its host, before anything is sent: publish.test.ts tests that.)
 */
export async function setEndpointUrl(url: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('audienceFilters').update('endpoint.url', url, vscode.ConfigurationTarget.Global);
}
