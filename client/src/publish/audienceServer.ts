import type * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AudienceRequest } from '../../../server/src/protocol';
import type { AudienceParams, AudienceResult } from '../../../server/src/protocol';
import { ServerNotRunning } from '../preview/filterServer';

/** Asks the language server for a filter's audience; fails with `ServerNotRunning` while it is not running. */
export type AudienceSource = (params: AudienceParams, token?: vscode.CancellationToken) => Promise<AudienceResult>;

export function audienceSourceOf(client: () => LanguageClient | undefined): AudienceSource {
  return async (params, token) => {
    const c = client();
    if (!c) throw new ServerNotRunning();
    if (c.state === State.Starting) await c.start();
    if (c.state !== State.Running) throw new ServerNotRunning();
    return token ? c.sendRequest<AudienceResult>(AudienceRequest, params, token) : c.sendRequest<AudienceResult>(AudienceRequest, params);
  };
}
