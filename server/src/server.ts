import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { referencedFilterIds } from '../../core/src/check/checker';
import { Workspace } from '../../core/src/workspace';
import { findWorkspaceFiles, readWorkspaceFile } from '../../core/src/workspaceFiles';
import { DiagnosticsPublisher } from './diagnostics';
import { uriToKey } from './documents';
import { registerAudienceRequest } from './audience';
import { registerCodeActions } from './codeActions';
import { registerCompletion } from './completion';
import { registerDefinition } from './definition';
import { createFeatureContext, FEATURE_CAPABILITIES } from './featureContext';
import { registerFolding } from './folding';
import { registerFormatting } from './formatting';
import { registerHover } from './hover';
import { registerPreviewHandlers } from './preview';
import { registerReferences } from './references';
import { registerRename } from './rename';
import { registerSemanticTokens } from './semanticTokens';
import { registerSymbols } from './symbols';
import { ServerStatusRequest, StatusNotification } from './protocol';
import type { ServerStatus, StatusParams } from './protocol';

/** Owns the connection: document sync, workspace scanning, and scheduling of checks. */
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const workspace = new Workspace();
let folders: string[] = [];
let lastCheck: string | null = null;

/**
 * Debounce per document, adapted to the cost of a check: a file checked in under 20 ms is checked
 * on the next turn of the event loop (a burst of changes in one turn still coalesces); a costlier
 * one waits as long as its last check took, at most 100 ms, so typing is not queued behind checks.
 */
const IMMEDIATE_CHECK_MS = 20;
const MAX_CHECK_DELAY_MS = 100;
const checkCost = new Map<string, number>();
const pending = new Map<string, NodeJS.Timeout>();

connection.onInitialize((params: InitializeParams): InitializeResult => {
  folders = (params.workspaceFolders ?? []).map(f => uriToKey(f.uri));
  if (!folders.length && params.rootUri) folders = [uriToKey(params.rootUri)];
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      ...FEATURE_CAPABILITIES,
    },
    serverInfo: { name: 'audience-filters-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  scanFolders(folders);
  connection.workspace.onDidChangeWorkspaceFolders(e => {
    for (const removed of e.removed) {
      const root = uriToKey(removed.uri);
      for (const key of workspace.uris()) if (key.startsWith(root) && !documents.get(key)) workspace.delete(key);
    }
    scanFolders(e.added.map(f => uriToKey(f.uri)));
  });
});

function scanFolders(roots: string[]): void {
  for (const root of roots) {
    for (const file of findWorkspaceFiles(root)) {
      if (openKeys.has(file)) continue;
      const text = readWorkspaceFile(file);
      if (text !== undefined) workspace.set(file, text);
    }
  }
  checkAll();
}

const openKeys = new Map<string, string>(); // key → document URI

const publisher = new DiagnosticsPublisher(connection, workspace, versionOf);

function versionOf(key: string): number | undefined {
  const uri = openKeys.get(key);
  return uri ? documents.get(uri)?.version : undefined;
}

/** Re-checks every file: cross-file facts (ids, data views, references) may have changed. */
function checkAll(): void {
  publisher.publish(workspace.uris());
  lastCheck = new Date().toISOString();
  sendStatus();
}

/** Files whose diagnostics depend on the filter with this id: filters referencing it, and its tests. */
function dependentsOf(id: string | undefined): string[] {
  if (!id) return [];
  return workspace.uris().filter(k => {
    const f = workspace.get(k);
    return f?.kind === 'filter' ? referencedFilterIds(f.rule?.root).includes(id) : f?.kind === 'filterTest' && f.filter?.value === id;
  });
}

function sendStatus(key?: string): void {
  const file = key ? workspace.get(key) : undefined;
  const params: StatusParams = { ...status(), uri: key, dataView: file && file.kind === 'filter' ? file.dataview?.value : undefined };
  void connection.sendNotification(StatusNotification, params);
}

function status(): ServerStatus {
  return { running: true, checkedFiles: workspace.uris().length, ...publisher.totals(), lastCheck };
}

/** Debounced per document; a check runs against the latest version only. */
function scheduleCheck(uri: string): void {
  const key = uriToKey(uri);
  clearTimeout(pending.get(key));
  const cost = checkCost.get(key) ?? 0;
  pending.set(key, setTimeout(() => runCheck(uri), cost < IMMEDIATE_CHECK_MS ? 0 : Math.min(MAX_CHECK_DELAY_MS, cost)));
}

/** Runs a scheduled check now (a preview request must see the text the client last sent). */
function flushCheck(uri: string): void {
  if (pending.has(uriToKey(uri))) runCheck(uri);
}

function runCheck(uri: string): void {
  const key = uriToKey(uri);
  clearTimeout(pending.get(key));
  pending.delete(key);
  const doc = documents.get(uri);
  if (!doc) return;
  const started = performance.now();
  const before = workspace.get(key);
  const after = workspace.set(key, doc.getText());
  if (!after) return;
  // Only a filter's own rule changed: re-check it and what depends on it (referencing filters,
  // its tests). Anything else (id, data view, a data view file, a test file) re-checks everything.
  const sameIdentity = before && before.kind === 'filter' && after.kind === 'filter' && before.id?.value === after.id?.value && before.dataview?.value === after.dataview?.value;
  if (!sameIdentity) checkAll();
  else {
    publisher.publish([key, ...dependentsOf(after.id?.value)]);
    lastCheck = new Date().toISOString();
    sendStatus(key);
  }
  checkCost.set(key, performance.now() - started);
}

documents.onDidOpen(e => {
  openKeys.set(uriToKey(e.document.uri), e.document.uri);
  scheduleCheck(e.document.uri);
});
documents.onDidChangeContent(e => scheduleCheck(e.document.uri));
documents.onDidClose(e => {
  const key = uriToKey(e.document.uri);
  openKeys.delete(key);
  clearTimeout(pending.get(key));
  pending.delete(key);
  checkCost.delete(key);
  // Back to what is on disk; a file that is not on disk (untitled, deleted) leaves no diagnostics.
  const text = e.document.uri.startsWith('file:') ? readWorkspaceFile(key) : undefined;
  if (text === undefined) {
    workspace.delete(key);
    publisher.clear(key, e.document.uri);
  } else {
    workspace.set(key, text);
  }
  checkAll();
});

connection.onDidChangeWatchedFiles(e => {
  for (const change of e.changes) {
    const key = uriToKey(change.uri);
    if (openKeys.has(key)) continue;
    const text = change.type === 3 ? undefined : readWorkspaceFile(key);
    if (text === undefined) {
      if (workspace.has(key)) {
        workspace.delete(key);
        publisher.clear(key, change.uri);
      }
    } else {
      workspace.set(key, text);
    }
  }
  checkAll();
});

connection.onRequest(ServerStatusRequest, (): ServerStatus => status());
registerPreviewHandlers(connection, documents, workspace, flushCheck);
registerAudienceRequest(connection, documents, workspace, flushCheck);
const features = createFeatureContext(documents, workspace, flushCheck);
registerCompletion(connection, features);
registerHover(connection, features);
registerDefinition(connection, features);
registerReferences(connection, features);
registerRename(connection, features);
registerFormatting(connection, features);
registerCodeActions(connection, features);
registerSymbols(connection, features);
registerFolding(connection, features);
registerSemanticTokens(connection, features);

documents.listen(connection);
connection.listen();
