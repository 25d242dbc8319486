import { createConnection, DidChangeConfigurationNotification, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { referencedFilterIds } from '../../core/src/check/checker';
import * as path from 'path';
import { DatasetCache } from '../../core/src/data/cache';
import { ALLOWED_FOLDERS_SETTING } from '../../core/src/data/sourceAccess';
import type { SourcePolicy } from '../../core/src/data/sourceAccess';
import { EvaluationService } from '../../core/src/evaluation';
import { Workspace } from '../../core/src/workspace';
import { findWorkspaceFiles, readWorkspaceFile } from '../../core/src/workspaceFiles';
import { DiagnosticsPublisher } from './diagnostics';
import { uriToKey } from './documents';
import { registerAudienceRequest } from './audience';
import { registerPeopleRequest } from './people';
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
import { SETTINGS_SECTION, SettingsStore } from './settings';
import { registerSymbols } from './symbols';
import { ServerStatusRequest, StatusNotification } from './protocol';
import type { ServerStatus, StatusParams } from './protocol';

/** Owns the connection: document sync, workspace scanning, and scheduling of checks. */
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let settings = new SettingsStore(connection, false);
let folders: string[] = [];
/**
 * Sample files are read only inside the workspace folder of their data view (after symlinks), or
 * inside a folder of the application-scoped `audienceFilters.data.allowedFolders` setting.
 */
const sourcePolicy: SourcePolicy = {
  rootsFor: dataViewKey => [...foldersHolding(dataViewKey), ...settings.allowedFolders()],
  howToAllow: `add its folder to the user setting \`${ALLOWED_FOLDERS_SETTING}\``,
  setting: ALLOWED_FOLDERS_SETTING,
};
const workspace = new Workspace(undefined, { defaultDataView: key => settings.defaultDataViewFor(key), sourcePolicy });
/** One dataset cache for the preview and for the sample values of completion and hover. */
const datasets = new DatasetCache({ load: { policy: sourcePolicy } });

/** The workspace folders holding a file; a file outside every folder is confined to its own folder. */
function foldersHolding(key: string): string[] {
  const holding = folders.filter(f => key.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
  return holding.length ? holding : [path.dirname(key)];
}
let lastCheck: string | null = null;
let dynamicConfigurationChange = false;
/**
 * False until the folders' default data views are read: until then a check only records the
 * document's text (its data view may depend on them); the first `checkAll` publishes everything.
 */
let settingsRead = false;

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
  settings = new SettingsStore(connection, params.capabilities.workspace?.configuration === true);
  dynamicConfigurationChange = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      ...FEATURE_CAPABILITIES,
    },
    serverInfo: { name: 'audience-filters-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(async () => {
  if (dynamicConfigurationChange) void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
  loadFolders(folders);
  // The default data views decide which filters have one: read them before the first check.
  await settings.refreshFolders(folders);
  settingsRead = true;
  checkAll();
  connection.workspace.onDidChangeWorkspaceFolders(async e => {
    const removedRoots = e.removed.map(f => uriToKey(f.uri));
    for (const root of removedRoots) {
      for (const key of workspace.uris()) if (key.startsWith(root) && !documents.get(key)) workspace.delete(key);
    }
    const added = e.added.map(f => uriToKey(f.uri));
    folders = [...folders.filter(f => !removedRoots.includes(f)), ...added];
    await settings.refreshFolders(folders);
    scanFolders(added);
  });
});

// Settings are pulled per resource; a change of any of them drops what was pulled. A row limit
// applies to the next preview request; a changed default data view re-checks every file.
connection.onDidChangeConfiguration(async () => {
  settings.clear();
  if (await settings.refreshFolders(folders)) {
    // The allowed folders decide which sample files load: a cached dataset may be stale.
    datasets.clear();
    checkAll();
  }
});

/** The preview row limit (`audienceFilters.preview.sampleRowLimit`) for a filter file. */
async function sampleRowLimitFor(keyOrUri: string): Promise<number> {
  return (await settings.forResource(keyOrUri)).sampleRowLimit;
}

function scanFolders(roots: string[]): void {
  loadFolders(roots);
  checkAll();
}

function loadFolders(roots: string[]): void {
  for (const root of roots) {
    for (const file of findWorkspaceFiles(root)) {
      if (openKeys.has(file)) continue;
      const text = readWorkspaceFile(file);
      if (text !== undefined) workspace.set(file, text);
    }
  }
}

const openKeys = new Map<string, string>(); // key → document URI

const publisher = new DiagnosticsPublisher(connection, workspace, versionOf);

function versionOf(key: string): number | undefined {
  const uri = openKeys.get(key);
  return uri ? documents.get(uri)?.version : undefined;
}

/** Re-checks every file: cross-file facts (ids, data views, references) may have changed. */
function checkAll(): void {
  if (!settingsRead) return;
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
  const params: StatusParams = { ...status(), uri: key, dataView: file && file.kind === 'filter' ? workspace.dataViewIdOf(file) : undefined };
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
  pending.set(key, setTimeout(() => guardedCheck(uri), cost < IMMEDIATE_CHECK_MS ? 0 : Math.min(MAX_CHECK_DELAY_MS, cost)));
}

/**
 * A check runs from a timer, outside any request: a bug in it must not take the server down with
 * every open editor's features. It is logged (Output › Audience Filters) and the file keeps its
 * last diagnostics.
 */
function guardedCheck(uri: string): void {
  try {
    runCheck(uri);
  } catch (e) {
    connection.console.error(`Checking ${uri} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  }
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
  if (!after || !settingsRead) return;
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
const evaluation = new EvaluationService(workspace, datasets);
registerPreviewHandlers(connection, documents, evaluation, flushCheck, sampleRowLimitFor);
registerAudienceRequest(connection, documents, evaluation, flushCheck);
registerPeopleRequest(connection, documents, evaluation, flushCheck, sampleRowLimitFor);
const features = createFeatureContext(documents, workspace, flushCheck, datasets, sampleRowLimitFor);
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
