// Editor latency over stdio (issue: language server): didChange → publishDiagnostics on a
// 2,000-line filter file, and per-keystroke p50/p95 typing into a 500-line file — our built server
// side by side with yaml-language-server validating the same file against the same JSON Schema,
// in the same run. Both servers get the same edits; each is timed to the diagnostics that answer
// that edit (matched by document version where the server sends one, else the next publish).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { createRequire } from 'module';
import { bigFilter, bigWorkspace, median, percentile, round } from './_fixtures.mjs';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');

class Server {
  constructor(command, args, name) {
    this.name = name;
    this.proc = spawn(process.execPath, [command, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.conn = rpc.createMessageConnection(new rpc.StreamMessageReader(this.proc.stdout), new rpc.StreamMessageWriter(this.proc.stdin));
    this.waiters = [];
    this.conn.onNotification('textDocument/publishDiagnostics', p => {
      const w = this.waiters.find(x => x.uri === p.uri && (p.version === undefined || p.version === null || p.version >= x.version));
      if (w) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(p); }
    });
    this.conn.onRequest('workspace/configuration', p => p.items.map(() => this.settings ?? null));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onNotification(() => {});
    this.conn.listen();
  }
  async init(folder, settings) {
    this.settings = settings;
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(folder).toString(), workspaceFolders: [{ uri: pathToFileURL(folder).toString(), name: 'bench' }], capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } }, workspace: { configuration: true, workspaceFolders: true } } });
    await this.conn.sendNotification('initialized', {});
    if (settings) await this.conn.sendNotification('workspace/didChangeConfiguration', { settings });
  }
  diagnosticsFor(uri, version, timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no diagnostics for version ${version}`)), timeoutMs);
      this.waiters.push({ uri, version, resolve: p => { clearTimeout(timer); resolve(p); } });
    });
  }
  async open(uri, text, languageId) {
    const answered = this.diagnosticsFor(uri, 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return answered;
  }
  async change(uri, version, text) {
    const t0 = process.hrtime.bigint();
    const answered = this.diagnosticsFor(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    await answered;
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }
  async stop() {
    try { await this.conn.sendRequest('shutdown'); await this.conn.sendNotification('exit'); } catch { /* gone */ }
    this.conn.dispose();
    this.proc.kill();
  }
}

const WARMUP_EDITS = 10;

/** Opens the file, makes WARMUP_EDITS edits (not counted: JIT warm-up), then times each edit. */
async function measure(server, folder, file, text, languageId, edits) {
  const uri = pathToFileURL(file).toString();
  await server.open(uri, text, languageId);
  let version = 1;
  for (let i = 0; i < WARMUP_EDITS; i++) await server.change(uri, ++version, `${text}# warm-up ${i}\n`);
  const times = [];
  for (const next of edits) times.push(await server.change(uri, ++version, next));
  return times;
}

/** Keystrokes: typing a comment at the end of the title line, one character per change. */
function typing(text, chars) {
  const at = text.indexOf('\n');
  const out = [];
  for (let i = 1; i <= chars; i++) out.push(`${text.slice(0, at)} ${'x'.repeat(i)}${text.slice(at)}`);
  return out;
}

export async function run({ root }) {
  const folder = bigWorkspace(1, 40);
  const schema = path.join(root, 'schemas', 'filter.schema.json');
  const ylsSettings = { yaml: { validate: true, schemas: { [pathToFileURL(schema).toString()]: '*.filter.yaml' }, format: { enable: false }, hover: false, completion: false } };
  const result = {};
  for (const [label, lines, edits] of [['didChangeToDiagnostics2000Lines', 2000, 20], ['keystrokes500Lines', 500, 150]]) {
    const file = path.join(folder, `bench${lines}.filter.yaml`);
    const text = bigFilter(`bench${lines}`, lines);
    fs.writeFileSync(file, text);
    const changes = typing(text, edits);
    const ours = new Server(path.join(root, 'dist', 'server.js'), ['--stdio'], 'audience-filters');
    await ours.init(folder);
    const oursTimes = await measure(ours, folder, file, text, 'audience-filter', changes);
    await ours.stop();
    const yls = new Server(path.join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), ['--stdio'], 'yaml-language-server');
    await yls.init(folder, ylsSettings);
    const ylsTimes = await measure(yls, folder, file, text, 'yaml', changes);
    await yls.stop();
    result[label] = {
      edits,
      ours: { p50Ms: round(median(oursTimes)), p95Ms: round(percentile(oursTimes, 95)) },
      yamlLanguageServer: { p50Ms: round(median(ylsTimes)), p95Ms: round(percentile(ylsTimes, 95)) },
      ratioP50: round(median(oursTimes) / median(ylsTimes)),
    };
  }
  fs.rmSync(folder, { recursive: true, force: true });
  result.note = `warm: after ${WARMUP_EDITS} uncounted edits per server; ms from didChange sent to the diagnostics answering it; ours also parses the rule language and checks names, types and references; yaml-language-server validates YAML against the same JSON Schema.`;
  return result;
}
