/**
 * Publishing and managing audiences from VS Code (SPEC §5 Publish / Manage): the publish command,
 * the endpoint token commands and the Audiences view. Every command is registered whether or not
 * the language server runs; publishing needs it (it evaluates the audience), the view does not.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EndpointClient } from '../../../core/src/publish';
import { ADD_AUDIENCE_COMMAND, addAudienceBlock, AudienceBlockActions } from './audienceBlock';
import { audienceSourceOf } from './audienceServer';
import { AudiencesProvider, deleteAudience, VIEW_ID } from './audiencesView';
import type { AudienceItemSnapshot, AudienceNode } from './audiencesView';
import { activeResource, endpointSetting, openEndpointSetting, resolveEndpoint } from './endpoint';
import { findFilterFile } from './filterLocator';
import { startLocalEndpoint } from './localEndpoint';
import { PublishCommand } from './publishCommand';
import type { PublishCommandOptions, PublishOutcome } from './publishCommand';
import { redact, TokenStore } from './tokenStore';
import { EndpointApprovals, UNTRUSTED_MESSAGE } from './workspaceTrust';

export type { PublishCommandOptions, PublishOutcome } from './publishCommand';

export function registerPublishing(context: vscode.ExtensionContext, client: () => LanguageClient | undefined, output: vscode.OutputChannel): void {
  const log = (line: string) => output.appendLine(`${new Date().toISOString()} ${line}`);
  const tokens = new TokenStore(context.secrets);
  const audiences = new AudiencesProvider(tokens);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: audiences, showCollapseAll: true });
  const approvals = new EndpointApprovals(context.workspaceState);
  const command = new PublishCommand({ audienceOf: audienceSourceOf(client), tokens, approvals, log, onDidPublish: () => audiences.refresh() });
  /** Restricted Mode: says so and returns true; no endpoint is contacted. */
  const untrusted = (): boolean => {
    if (vscode.workspace.isTrusted) return false;
    void vscode.window.showWarningMessage(`Audience Filters: ${UNTRUSTED_MESSAGE}`, 'Manage Workspace Trust').then(c => c && vscode.commands.executeCommand('workbench.trust.manage'));
    return true;
  };

  const publishFile = async (target?: vscode.Uri, options?: PublishCommandOptions): Promise<PublishOutcome | undefined> => {
    const document = await filterDocument(target);
    return document ? command.run(document, options) : undefined;
  };

  context.subscriptions.push(
    audiences,
    view,
    tokens.onDidChange(() => audiences.refresh()),
    vscode.workspace.onDidChangeConfiguration(e => {
      if (e.affectsConfiguration('audienceFilters.endpoint')) audiences.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => audiences.refresh()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => audiences.refresh()),

    vscode.languages.registerCodeActionsProvider({ language: 'audience-filter' }, new AudienceBlockActions(), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    vscode.commands.registerCommand(ADD_AUDIENCE_COMMAND, (target?: vscode.Uri) => addAudienceBlock(target instanceof vscode.Uri ? target : undefined)),

    // (uri?, options?): the CodeLens and the menus pass the file; tests pass `{ confirm: false }` to skip the modal dialog.
    vscode.commands.registerCommand('audienceFilters.publish', (target?: vscode.Uri, options?: PublishCommandOptions) =>
      publishFile(target instanceof vscode.Uri ? target : undefined, options)),

    // (token?, resource?): without a token, asks for it in a password box. The token is stored for
    // the endpoint the resource (default: the active file or the first folder) publishes to.
    vscode.commands.registerCommand('audienceFilters.setEndpointToken', async (token?: string, resource?: vscode.Uri): Promise<boolean> => {
      if (untrusted()) return false;
      const endpoint = resolveEndpoint(resource ?? activeResource());
      if (!endpoint.ok) {
        void vscode.window.showErrorMessage(`Audience Filters: ${endpoint.message}`, 'Open Settings').then(c => c && openEndpointSetting());
        return false;
      }
      const value = typeof token === 'string' ? token.trim() : await askForToken(endpoint.url);
      if (!value) return false;
      await tokens.store(endpoint.url, value);
      log(`[token] a token was stored for ${endpoint.url}`);
      void verifyToken(endpoint.url, value, log);
      return true;
    }),

    vscode.commands.registerCommand('audienceFilters.clearEndpointToken', async (resource?: vscode.Uri): Promise<boolean> => {
      const endpoint = resolveEndpoint(resource ?? activeResource());
      const url = endpoint.ok ? endpoint.url : endpointSetting(resource ?? activeResource());
      const had = (await tokens.get(url)) !== undefined;
      await tokens.delete(url);
      log(`[token] the token for ${url} was ${had ? 'cleared' : 'not set'}`);
      void vscode.window.showInformationMessage(had ? `Audience Filters: the token for ${url} was removed from the secret storage.` : `Audience Filters: no token was set for ${url}.`);
      return had;
    }),

    vscode.commands.registerCommand('audienceFilters.startLocalEndpoint', () => startLocalEndpoint(tokens, log)),

    vscode.commands.registerCommand('audienceFilters.audiences.refresh', () => audiences.refresh()),
    vscode.commands.registerCommand('audienceFilters.audiences.openSettings', () => openEndpointSetting()),

    vscode.commands.registerCommand('audienceFilters.audiences.republish', async (node?: AudienceNode, options?: PublishCommandOptions): Promise<PublishOutcome | undefined> => {
      if (node?.kind !== 'audience') return undefined;
      const uri = await definitionOf(node);
      return uri ? publishFile(uri, options) : undefined;
    }),

    vscode.commands.registerCommand('audienceFilters.audiences.openDefinition', async (node?: AudienceNode): Promise<vscode.Uri | undefined> => {
      if (node?.kind !== 'audience') return undefined;
      const uri = await definitionOf(node);
      if (uri) await vscode.window.showTextDocument(uri);
      return uri;
    }),

    // (node, options?): `{ confirm: false }` skips the modal dialog (tests only).
    vscode.commands.registerCommand('audienceFilters.audiences.delete', async (node?: AudienceNode, options?: { confirm?: boolean }) => {
      if (node?.kind !== 'audience' || untrusted()) return undefined;
      const outcome = await deleteAudience(node, tokens, options);
      log(`[audiences] ${outcome.message}`);
      if (outcome.deleted) {
        audiences.refresh();
        void vscode.window.showInformationMessage(`Audience Filters: ${outcome.message}`);
      } else if (outcome.message !== 'Not deleted.') {
        void vscode.window.showErrorMessage(`Audience Filters: ${outcome.message}`);
      }
      return outcome;
    }),

    // For tests: the view's root items, read from the endpoint as the view reads them. With
    // `{ show: true }` the view is revealed and refreshed first, and this resolves once it got its items.
    vscode.commands.registerCommand('audienceFilters.audiences.items', async (options?: { show?: boolean }): Promise<AudienceItemSnapshot[]> => {
      if (options?.show) {
        await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
        const generation = audiences.refresh();
        await new Promise<void>(resolve => {
          const subscription = audiences.onDidLoadRoot(g => {
            if (g < generation) return;
            subscription.dispose();
            resolve();
          });
        });
        const items = await audiences.snapshot();
        // Revealing the first item makes the workbench draw the rows before the command returns.
        if (items[0]) await view.reveal(items[0].node, { select: true, focus: true });
        return items;
      }
      return audiences.snapshot();
    }),
  );

  /** The filter file of an audience: the workspace file whose `filter:` id is the audience's filterId. */
  async function definitionOf(node: AudienceNode): Promise<vscode.Uri | undefined> {
    const endpointOf = (uri: vscode.Uri) => {
      const e = resolveEndpoint(uri);
      return e.ok ? e.url : undefined;
    };
    const uri = await findFilterFile(node.audience.filterId, endpointOf, node.endpoint);
    if (!uri) {
      void vscode.window.showWarningMessage(`Audience Filters: no filter file with id "${node.audience.filterId}" is in this workspace, so "${node.audience.name}" has no definition here.`);
    }
    return uri;
  }
}

/** The filter to publish: the given file, else the active editor's; otherwise says how to get one. */
async function filterDocument(target: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (target) {
    const document = await vscode.workspace.openTextDocument(target);
    if (document.languageId === 'audience-filter') return document;
  }
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'audience-filter') return active;
  void vscode.window.showInformationMessage('Audience Filters: open a filter file (*.filter.yaml) with an audience: block, then run "Publish Audience…" again.');
  return undefined;
}

async function askForToken(endpoint: string): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: 'Audience Filters: Set Profile Endpoint Token',
    prompt: `Token for ${endpoint}. It is kept in VS Code's secret storage, never in settings or logs.`,
    placeHolder: 'af_…',
    password: true,
    ignoreFocusOut: true,
    validateInput: v => (!v.trim() ? 'Enter the token (an admin of the endpoint can create one).' : /\s/.test(v.trim()) ? 'A token has no spaces.' : undefined),
  });
  return value?.trim() || undefined;
}

/** Tells the user who the token signs in as, or that the endpoint refuses it (never showing it). */
async function verifyToken(endpoint: string, token: string, log: (line: string) => void): Promise<void> {
  const created = EndpointClient.create({ endpoint, token, retry: { retries: 0 } });
  if (!created.ok) return;
  try {
    const me = await created.value.me();
    if (me.ok) {
      const can = me.value.access.audiencePublishing ? 'may publish audiences' : 'may read audiences but not publish them (ask an admin to grant Audience Publishing)';
      log(`[token] ${endpoint} signs the token in as ${me.value.name}, who ${can}`);
      void vscode.window.showInformationMessage(`Audience Filters: token stored for ${endpoint}; it signs in as "${me.value.name}", who ${can}.`);
    } else {
      const text = redact(me.error.message, token);
      log(`[token] checking the token with ${endpoint} failed: ${text}`);
      void vscode.window.showWarningMessage(`Audience Filters: token stored for ${endpoint}, but checking it failed: ${text}`);
    }
  } finally {
    created.value.close();
  }
}
