/**
 * Who decides where audiences go. In an untrusted workspace (Restricted Mode) nothing is published
 * and no endpoint is contacted; VS Code itself reads `audienceFilters.endpoint.url` from user
 * settings only there (`restrictedConfigurations`). In a trusted workspace an endpoint that comes
 * from the workspace's or a folder's settings, not the user's, is confirmed once per workspace and
 * URL, naming the host, before the token or any identity is sent to it.
 */
import * as vscode from 'vscode';
import { ENDPOINT_SETTING } from './endpoint';

/** Where the endpoint setting in effect for a resource was written. */
export type EndpointSource = 'default' | 'user' | 'workspace' | 'folder';

export function endpointSource(resource: vscode.Uri | undefined): EndpointSource {
  const inspected = vscode.workspace.getConfiguration('audienceFilters', resource).inspect<string>(ENDPOINT_SETTING);
  // Untrusted: VS Code ignores workspace and folder values of a restricted setting, so they do not count.
  if (vscode.workspace.isTrusted) {
    if (inspected?.workspaceFolderValue !== undefined) return 'folder';
    if (inspected?.workspaceValue !== undefined) return 'workspace';
  }
  return inspected?.globalValue !== undefined ? 'user' : 'default';
}

/** The sentence every refused action in Restricted Mode shows. */
export const UNTRUSTED_MESSAGE =
  'This workspace is not trusted (Restricted Mode): publishing and the profile endpoint are off, so no audience, identity or token leaves VS Code. ' +
  'Checking, formatting and previews keep working. Trust the workspace (Manage Workspace Trust) to publish.';

const APPROVED_KEY = 'audienceFilters.approvedWorkspaceEndpoints';

export class EndpointApprovals {
  constructor(private readonly state: vscode.Memento) {}

  /**
   * Whether `endpoint` (canonical URL) may receive the token and identities for `resource`: always
   * when the user's settings (or the default) chose it; when the workspace's settings did, after
   * the user said so once in a notification naming the host (remembered for this workspace and URL).
   */
  async allowed(endpoint: string, resource: vscode.Uri | undefined): Promise<boolean> {
    const source = endpointSource(resource);
    if (source === 'user' || source === 'default') return true;
    const approved = this.state.get<string[]>(APPROVED_KEY, []);
    if (approved.includes(endpoint)) return true;
    const host = new URL(endpoint).host;
    const where = source === 'folder' ? "this folder's settings (.vscode/settings.json)" : "this workspace's settings";
    const action = `Publish to ${host}`;
    // A notification, not a modal dialog: the question stays until answered (closing it is a no), and
    // the integration tests can answer it (VS Code refuses modal dialogs under test).
    const choice = await vscode.window.showWarningMessage(
      `Audience Filters: send audiences to ${host}? The endpoint comes from ${where}, not from your user settings. ` +
        `Publishing sends your token for ${endpoint} and the audience's identities (e-mail addresses, CRM IDs) there; ` +
        'allow it only if you expected this repository to choose that endpoint (asked once per workspace and endpoint).',
      action,
      "Don't Publish",
    );
    if (choice !== action) return false;
    await this.state.update(APPROVED_KEY, [...approved, endpoint]);
    return true;
  }
}
