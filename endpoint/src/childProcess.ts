import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';

export interface EndpointProcess {
  url: string;
  port: number;
  adminTokenFile: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the peak RSS the endpoint reported on its way out. */
  stop(): Promise<{ maxRssBytes?: number }>;
}

/**
 * Starts the endpoint as a separate Node process (`node out/endpoint/src/main.js`) and waits for
 * its `{"listening": url}` line. Used by benchmarks (separate memory) and crash tests (kill -9).
 */
export function spawnEndpointProcess(options: { dbPath: string; port?: number; args?: string[] }): Promise<EndpointProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'main.js'), '--port', String(options.port ?? 0), '--db', options.dbPath, '--json', ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const linesClosed = new Promise<void>((resolve) => lines.once('close', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exitReport: { maxRssBytes?: number } = {};
  return new Promise((resolve, reject) => {
    const onExit = (): void => reject(new Error(`endpoint exited before listening: ${stderr}`));
    void exited.then(onExit);
    lines.on('line', (line) => {
      let msg: { listening?: string; adminTokenFile?: string; exit?: { maxRssBytes: number } };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.exit) exitReport = msg.exit;
      if (msg.listening) {
        const url = msg.listening;
        resolve({
          url, port: Number(new URL(url).port), adminTokenFile: msg.adminTokenFile ?? `${options.dbPath}.admin-token`, child, exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
            await linesClosed;
            return exitReport;
          },
        });
      }
    });
  });
}
