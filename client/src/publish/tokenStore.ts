import * as vscode from 'vscode';

const KEY_PREFIX = 'audienceFilters.endpointToken:';

/**
 * Profile endpoint tokens in VS Code's secret storage (never in settings, logs or messages).
 * One token per endpoint URL: a workspace that points `audienceFilters.endpoint.url` somewhere
 * else does not get the token that was set for another endpoint.
 */
export class TokenStore {
  /** Fires with the endpoint whose token was stored or deleted. */
  readonly onDidChange: vscode.Event<string>;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.onDidChange = (listener, thisArgs, disposables) =>
      secrets.onDidChange(e => {
        if (e.key.startsWith(KEY_PREFIX)) listener.call(thisArgs, e.key.slice(KEY_PREFIX.length));
      }, undefined, disposables);
  }

  get(endpoint: string): Thenable<string | undefined> {
    return this.secrets.get(KEY_PREFIX + endpoint);
  }

  store(endpoint: string, token: string): Thenable<void> {
    return this.secrets.store(KEY_PREFIX + endpoint, token);
  }

  delete(endpoint: string): Thenable<void> {
    return this.secrets.delete(KEY_PREFIX + endpoint);
  }
}

/** Replaces every occurrence of the token, in case some text on its way to the user carries it. */
export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('***') : text;
}
