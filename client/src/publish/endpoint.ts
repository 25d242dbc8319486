import * as vscode from 'vscode';
import { checkEndpointUrl } from '../../../core/src/publish';

export const ENDPOINT_SETTING = 'endpoint.url';
const SECTION = 'audienceFilters';
const DEFAULT_ENDPOINT = 'http://127.0.0.1:7410';

/** The endpoint a resource publishes to: `audienceFilters.endpoint.url`, resolved for that resource (folder settings win). */
export function endpointSetting(resource: vscode.Uri | undefined): string {
  const value = vscode.workspace.getConfiguration(SECTION, resource).get<string>(ENDPOINT_SETTING);
  return (value ?? '').trim() || DEFAULT_ENDPOINT;
}

/**
 * The endpoint URL in one canonical spelling (scheme, host, port, path without the trailing
 * slash), or an error a user can act on: HTTPS is required except for loopback (SPEC §5).
 */
export function resolveEndpoint(resource: vscode.Uri | undefined): { ok: true; url: string } | { ok: false; message: string } {
  const raw = endpointSetting(resource);
  const checked = checkEndpointUrl(raw);
  if (!checked.ok) return { ok: false, message: `${checked.error.message} Change the setting "audienceFilters.endpoint.url".` };
  return { ok: true, url: canonicalEndpoint(checked.value) };
}

export function canonicalEndpoint(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** Every distinct endpoint the open folders publish to (the window's when no folder is open). */
export function workspaceEndpoints(): Array<{ resource: vscode.Uri | undefined; endpoint: ReturnType<typeof resolveEndpoint> }> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const resources: Array<vscode.Uri | undefined> = folders.length ? folders.map(f => f.uri) : [undefined];
  const seen = new Map<string, { resource: vscode.Uri | undefined; endpoint: ReturnType<typeof resolveEndpoint> }>();
  for (const resource of resources) {
    const endpoint = resolveEndpoint(resource);
    const key = endpoint.ok ? endpoint.url : `invalid:${endpointSetting(resource)}`;
    if (!seen.has(key)) seen.set(key, { resource, endpoint });
  }
  return [...seen.values()];
}

/** The resource whose settings apply to a command without an explicit target: the active editor's file, else the first folder. */
export function activeResource(): vscode.Uri | undefined {
  return vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
}

export function openEndpointSetting(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${ENDPOINT_SETTING}`);
}
