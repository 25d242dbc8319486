import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ExplainRequest, PreviewRequest } from '../../../server/src/protocol';
import type { ExplainParams, ExplainResult, PreviewParams, PreviewResult } from '../../../server/src/protocol';

export const FILTER_LANGUAGE = 'audience-filter';

export function isFilterDocument(document: vscode.TextDocument | undefined): document is vscode.TextDocument {
  return document?.languageId === FILTER_LANGUAGE;
}

/** The language server's preview and explain requests, as the preview, CodeLens and commands use them. */
export interface FilterServer {
  preview(params: PreviewParams, token?: vscode.CancellationToken): Promise<PreviewResult>;
  explain(params: ExplainParams, token?: vscode.CancellationToken): Promise<ExplainResult>;
}

export class ServerNotRunning extends Error {
  constructor() {
    super('The Audience Filters language server is not running. Run "Audience Filters: Restart Language Server" or see the output.');
  }
}

/** Sends the requests through the language client; fails with `ServerNotRunning` while it is not running. */
export function filterServerOf(client: () => LanguageClient | undefined): FilterServer {
  const running = async (): Promise<LanguageClient> => {
    const c = client();
    if (!c) throw new ServerNotRunning();
    if (c.state === State.Starting) await c.start();
    if (c.state !== State.Running) throw new ServerNotRunning();
    return c;
  };
  return {
    async preview(params, token) {
      return (await running()).sendRequest<PreviewResult>(PreviewRequest, params, token);
    },
    async explain(params, token) {
      return (await running()).sendRequest<ExplainResult>(ExplainRequest, params, token);
    },
  };
}
