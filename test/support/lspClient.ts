import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CancellationToken, MessageConnection } from 'vscode-jsonrpc/node';
import { REPO_ROOT } from './cli';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity?: number; code?: string; source?: string; message: string; data?: unknown; relatedInformation?: Array<{ location: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }; message: string }> }>;
}

/**
 * Speaks LSP to the built language server (dist/server.js) over stdio, as an editor would.
 * `waitForDiagnostics` resolves on the first publish for a URI that satisfies a predicate.
 */
export class LspTestClient {
  readonly connection: MessageConnection;
  private readonly process: ChildProcess;
  private readonly latest = new Map<string, PublishedDiagnostics>();
  private readonly waiters: Array<{ uri: string; predicate: (d: PublishedDiagnostics) => boolean; resolve: (d: PublishedDiagnostics) => void }> = [];
  private readonly notifications: Array<{ method: string; params: unknown }> = [];
  /** What `workspace/configuration` answers, by section (see `setConfiguration`); null for the rest. */
  private readonly configuration = new Map<string, unknown>();
  /** Every item the server asked for with `workspace/configuration`, in order. */
  readonly configurationRequests: Array<{ scopeUri?: string; section?: string }> = [];
  stderr = '';

  constructor(serverPath = path.join(REPO_ROOT, 'dist', 'server.js')) {
    this.process = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr?.on('data', d => (this.stderr += d));
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      this.latest.set(p.uri, p);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === p.uri && w.predicate(p)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.connection.onNotification((method: string, params: unknown) => this.notifications.push({ method, params }));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('workspace/configuration', (p: { items: Array<{ scopeUri?: string; section?: string }> }) =>
      p.items.map(item => {
        this.configurationRequests.push(item);
        return item.section !== undefined && this.configuration.has(item.section) ? this.configuration.get(item.section) : null;
      }),
    );
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.listen();
  }

  async initialize(folders: string[], capabilities: Record<string, unknown> = {}): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders[0] ? pathToFileURL(folders[0]).toString() : null,
      workspaceFolders: folders.map(f => ({ uri: pathToFileURL(f).toString(), name: path.basename(f) })),
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } }, workspace: { workspaceFolders: true }, ...capabilities },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(file: string, text: string, languageId = 'audience-filter', version = 1): string {
    const uri = pathToFileURL(file).toString();
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return uri;
  }

  change(uri: string, version: number, text: string): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Sends a request; `token` (from a `CancellationTokenSource`) sends `$/cancelRequest` when cancelled. */
  request<T>(method: string, params: unknown, token?: CancellationToken): Promise<T> {
    return token ? this.connection.sendRequest<T>(method, params, token) : this.connection.sendRequest<T>(method, params);
  }

  /**
   * Sets what `workspace/configuration` answers for a section (for every scope, as settings of the
   * user), and tells the server with `workspace/didChangeConfiguration` unless `notify` is false.
   * The server asks only when `initialize` declared `workspace.configuration`.
   */
  setConfiguration(section: string, value: unknown, notify = true): void {
    this.configuration.set(section, value);
    if (notify) void this.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  /** The notifications of one method received so far. */
  notificationsOf<T>(method: string): T[] {
    return this.notifications.filter(n => n.method === method).map(n => n.params as T);
  }

  diagnosticsOf(uri: string): PublishedDiagnostics | undefined {
    return this.latest.get(uri);
  }

  waitForDiagnostics(uri: string, predicate: (d: PublishedDiagnostics) => boolean = () => true, timeoutMs = 10_000): Promise<PublishedDiagnostics> {
    const current = this.latest.get(uri);
    if (current && predicate(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const waiter = { uri, predicate, resolve: (d: PublishedDiagnostics) => { clearTimeout(timer); resolve(d); } };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.latest.get(uri))}\nserver stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async shutdown(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // the server may already be gone
    }
    this.connection.dispose();
    this.process.kill();
  }
}
