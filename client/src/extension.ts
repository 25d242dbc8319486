import * as path from 'path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { ServerStatusRequest, StatusNotification } from '../../server/src/protocol';
import type { ServerStatus, StatusParams } from '../../server/src/protocol';
import { registerPreviewFeatures } from './commands';
import type { PreviewApi } from './commands';
import { LanguageStatus } from './languageStatus';
import { registerPublishing } from './publish';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

export const FILE_SELECTOR: vscode.DocumentFilter[] = [
  { language: 'audience-filter' },
  { language: 'audience-dataview' },
  { language: 'audience-filter-test' },
];

export async function activate(context: vscode.ExtensionContext): Promise<PreviewApi> {
  output = vscode.window.createOutputChannel('Audience Filters');
  context.subscriptions.push(output);
  const status = new LanguageStatus();
  context.subscriptions.push(status);

  // Commands are registered before the server starts, and say something useful when it is not running.
  context.subscriptions.push(
    vscode.commands.registerCommand('audienceFilters.serverStatus', async (): Promise<ServerStatus | { running: false }> => {
      if (!client || client.state !== State.Running) return { running: false };
      return client.sendRequest<ServerStatus>(ServerStatusRequest);
    }),
    vscode.commands.registerCommand('audienceFilters.showOutput', () => output?.show()),
    vscode.commands.registerCommand('audienceFilters.restartServer', async () => {
      if (!client) return;
      await client.restart();
      void vscode.window.showInformationMessage('Audience Filters: the language server was restarted.');
    }),
  );

  client = createClient(context);
  client.onNotification(StatusNotification, (params: StatusParams) => status.update(params));
  const api = registerPreviewFeatures(context, () => client, status);
  registerPublishing(context, () => client, output);
  await client.start();
  return api;
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'audience-filter' },
      { scheme: 'file', language: 'audience-dataview' },
      { scheme: 'file', language: 'audience-filter-test' },
      { scheme: 'untitled', language: 'audience-filter' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{filter.yaml,filter.yml,dataview.yaml,dataview.yml}') },
    outputChannel: output,
    // The client restarts a crashed server once, then stops and says so.
    connectionOptions: { maxRestartCount: 1 },
  };
  return new LanguageClient('audienceFilters', 'Audience Filters', serverOptions, clientOptions);
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
