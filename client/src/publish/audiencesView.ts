/**
 * The Audiences view: the audiences published to the endpoint(s) of the workspace, read with the
 * core's `EndpointClient`. One level per endpoint only when the folders publish to different ones.
 * An audience expands into its properties; when there is nothing to list the view says why (no
 * token: its welcome content with Set Token and Start Local Endpoint; endpoint unreachable or
 * refused: a message) with a command that fixes it.
 */
import * as vscode from 'vscode';
import { EndpointClient } from '../../../core/src/publish';
import type { Audience, PublishError } from '../../../core/src/publish';
import { resolveEndpoint, workspaceEndpoints } from './endpoint';
import { describeFailure, SET_TOKEN_TITLE } from './messages';
import type { TokenStore } from './tokenStore';
import { redact } from './tokenStore';

export const VIEW_ID = 'audienceFilters.audiences';
/** Context key: the one endpoint of the workspace has no token (the view shows its welcome content). */
export const NO_TOKEN_CONTEXT = 'audienceFilters.audiences.noToken';
const PAGE = 100;
/** The view lists at most this many audiences per endpoint (and says so). */
const MAX_LISTED = 1000;

export type AudienceNode = { kind: 'audience'; endpoint: string; audience: Audience; parent?: EndpointNode };
type EndpointNode = { kind: 'endpoint'; label: string; resource: vscode.Uri | undefined };
type DetailNode = { kind: 'detail'; label: string; value: string; parent: AudienceNode };
type MessageNode = { kind: 'message'; label: string; tooltip: string; icon: string; command?: vscode.Command };
export type AudiencesNode = AudienceNode | EndpointNode | DetailNode | MessageNode;

/** A tree item as the tests read it. */
export interface AudienceItemSnapshot {
  kind: AudiencesNode['kind'];
  label: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  audienceId?: string;
  filterId?: string;
  /** The node itself, to pass to the view's commands (republish, open definition, delete). */
  node: AudiencesNode;
}

const fmt = new Intl.NumberFormat('en-US');

const STATUS_ICONS: Record<Audience['status'], string> = { active: 'pass', publishing: 'sync', draft: 'circle-outline', expired: 'warning' };

export class AudiencesProvider implements vscode.TreeDataProvider<AudiencesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AudiencesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** When the endpoint was last read (shown as the view's description). */
  lastListed: Date | undefined;

  constructor(private readonly tokens: TokenStore) {}

  /** Counts refreshes, so a wait for the view can tell a load of current data from an older one. */
  private generation = 0;

  refresh(): number {
    this.changed.fire(undefined);
    return ++this.generation;
  }

  dispose(): void {
    this.changed.dispose();
    this.rootLoaded.dispose();
  }

  private async roots(): Promise<AudiencesNode[]> {
    if (!vscode.workspace.isTrusted) {
      return [message('Restricted Mode: audiences are not listed in an untrusted workspace', 'shield', { title: 'Manage Workspace Trust', command: 'workbench.trust.manage' },
        'No profile endpoint is contacted in an untrusted workspace. Trust the workspace to list and publish audiences.')];
    }
    const endpoints = workspaceEndpoints();
    let noToken = false;
    let roots: AudiencesNode[];
    if (endpoints.length === 1) {
      const endpoint = endpoints[0].endpoint;
      // Without a token the view is empty and shows its welcome content (package.json viewsWelcome): Set Token, Start Local Endpoint.
      noToken = endpoint.ok && (await this.tokens.get(endpoint.url)) === undefined;
      roots = noToken ? [] : await this.listed(endpoints[0].resource);
    } else {
      roots = endpoints.map(e => ({ kind: 'endpoint', label: e.endpoint.ok ? e.endpoint.url : 'invalid endpoint URL', resource: e.resource }));
    }
    await vscode.commands.executeCommand('setContext', NO_TOKEN_CONTEXT, noToken);
    return roots;
  }

  /** Fires with the refresh generation it started in when the view has received its root items (tests wait on it before a screenshot). */
  private readonly rootLoaded = new vscode.EventEmitter<number>();
  readonly onDidLoadRoot = this.rootLoaded.event;

  async getChildren(node?: AudiencesNode): Promise<AudiencesNode[]> {
    if (!node) {
      const generation = this.generation;
      const roots = await this.roots();
      setImmediate(() => this.rootLoaded.fire(generation));
      return roots;
    }
    if (node.kind === 'endpoint') return this.listed(node.resource, node);
    if (node.kind === 'audience') return details(node);
    return [];
  }

  /** Needed by `TreeView.reveal`. Messages under an endpoint are never revealed. */
  getParent(node: AudiencesNode): AudiencesNode | undefined {
    return node.kind === 'audience' || node.kind === 'detail' ? node.parent : undefined;
  }

  getTreeItem(node: AudiencesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'audience':
        return audienceItem(node);
      case 'endpoint': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = 'endpoint';
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.value;
        item.tooltip = `${node.label}: ${node.value}`;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.command = node.command;
        item.contextValue = 'message';
        return item;
      }
    }
  }

  /** The root items as plain data (for tests): reads the endpoint again, as a refresh would. */
  async snapshot(): Promise<AudienceItemSnapshot[]> {
    const nodes = await this.roots();
    return nodes.map(node => {
      const item = this.getTreeItem(node);
      return {
        kind: node.kind,
        label: typeof item.label === 'string' ? item.label : item.label?.label ?? '',
        description: typeof item.description === 'string' ? item.description : undefined,
        tooltip: typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value,
        contextValue: item.contextValue,
        audienceId: node.kind === 'audience' ? node.audience.id : undefined,
        filterId: node.kind === 'audience' ? node.audience.filterId : undefined,
        node,
      };
    });
  }

  /** The audiences of the endpoint that `resource` publishes to, or one message saying why there are none. */
  private async listed(resource: vscode.Uri | undefined, parent?: EndpointNode): Promise<AudiencesNode[]> {
    const endpoint = resolveEndpoint(resource);
    if (!endpoint.ok) return [message(endpoint.message, 'error', { title: 'Open Settings', command: 'audienceFilters.audiences.openSettings' })];
    const token = await this.tokens.get(endpoint.url);
    if (!token) {
      return [message(`Set a token to list the audiences of ${endpoint.url}`, 'key',
        { title: SET_TOKEN_TITLE, command: 'audienceFilters.setEndpointToken', arguments: [undefined, resource] },
        `No profile endpoint token is set for ${endpoint.url}. Click to set one ('${SET_TOKEN_TITLE}').`)];
    }
    const created = EndpointClient.create({ endpoint: endpoint.url, token, retry: { retries: 1 } });
    if (!created.ok) return [message(redact(created.error.message, token), 'error')];
    const client = created.value;
    try {
      const audiences: Audience[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listAudiences({ cursor, limit: PAGE });
        if (!page.ok) return [failureMessage(page.error, endpoint.url, token, resource)];
        audiences.push(...page.value.audiences);
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor && audiences.length < MAX_LISTED);
      this.lastListed = new Date();
      if (!audiences.length) {
        return [message(`No audiences published to ${endpoint.url} yet`, 'info', undefined,
          `Publish one with 'Audience Filters: Publish Audience…' in a filter file that has an audience: block.`)];
      }
      const nodes: AudiencesNode[] = audiences
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
        .map(audience => ({ kind: 'audience', endpoint: endpoint.url, audience, parent }));
      if (cursor) nodes.push(message(`Only the first ${fmt.format(audiences.length)} audiences are listed`, 'info'));
      return nodes;
    } finally {
      client.close();
    }
  }
}

function message(label: string, icon: string, command?: vscode.Command, tooltip?: string): MessageNode {
  return { kind: 'message', label, icon, command, tooltip: tooltip ?? label };
}

function failureMessage(e: PublishError, endpoint: string, token: string, resource: vscode.Uri | undefined): MessageNode {
  const text = redact(describeFailure(e).message, token);
  if (e.code === 'unauthorized') {
    return message(`The endpoint rejected the token (401): set it again`, 'key', { title: SET_TOKEN_TITLE, command: 'audienceFilters.setEndpointToken', arguments: [undefined, resource] }, text);
  }
  if (e.code === 'network' || e.code === 'timeout') {
    return message(`Cannot reach ${endpoint}: click to retry`, 'debug-disconnect', { title: 'Refresh', command: 'audienceFilters.audiences.refresh' }, text);
  }
  return message(text, 'error', { title: 'Refresh', command: 'audienceFilters.audiences.refresh' });
}

function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : 'never';
}

function audienceItem(node: AudienceNode): vscode.TreeItem {
  const a = node.audience;
  const item = new vscode.TreeItem(a.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `${node.endpoint}#${a.id}`;
  item.description = `${fmt.format(a.size)} · ${a.status} · ${a.refresh}`;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(a.name)}** \`${a.id}\`\n\n`);
  tooltip.appendMarkdown([
    `| | |`, `|---|---|`,
    ...detailRows(a).map(([k, v]) => `| ${k} | ${escapeMarkdown(v)} |`),
  ].join('\n'));
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon(STATUS_ICONS[a.status] ?? 'circle-outline');
  item.contextValue = a.openRunId ? 'audience.publishing' : 'audience';
  return item;
}

function detailRows(a: Audience): Array<[string, string]> {
  return [
    ['Size', `${fmt.format(a.size)} members`],
    ['Status', a.openRunId ? `${a.status} (run ${a.openRunId} open)` : a.status],
    ['Refresh', a.refresh],
    ['Last refreshed', when(a.lastRefreshedAt)],
    ['Owner', a.owner],
    ['Expires', a.expires],
    ['Filter', a.filterId],
    ['Namespaces', a.namespaces.join(', ')],
    ['Lookback', `${a.lookbackDays} days`],
    ['Version', String(a.audienceVersion)],
  ];
}

function details(parent: AudienceNode): DetailNode[] {
  return detailRows(parent.audience).map(([label, value]) => ({ kind: 'detail', label, value, parent }));
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, c => `\\${c}`);
}

/** Delete with a modal confirmation (unless `confirm: false`, for tests): the endpoint exits the members and keeps the profiles. */
export async function deleteAudience(node: AudienceNode, tokens: TokenStore, options: { confirm?: boolean } = {}): Promise<{ deleted: boolean; message: string }> {
  const a = node.audience;
  if (options.confirm !== false) {
    const choice = await vscode.window.showWarningMessage(
      `Delete the audience "${a.name}"?`,
      { modal: true, detail: `Its ${fmt.format(a.size)} members exit at ${node.endpoint}; their profiles and membership history are kept. The filter file is not changed: publishing it again creates a new audience.` },
      'Delete',
    );
    if (choice !== 'Delete') return { deleted: false, message: 'Not deleted.' };
  }
  const token = await tokens.get(node.endpoint);
  const created = EndpointClient.create({ endpoint: node.endpoint, token: token ?? '' });
  if (!created.ok) return { deleted: false, message: created.error.message };
  try {
    // The ETag is the metadata revision: a delete of an audience someone changed since the list was read is refused (412).
    const deleted = await created.value.deleteAudience(a.id, `"${a.revision}"`);
    if (!deleted.ok) {
      const text = deleted.error.code === 'stale'
        ? `"${a.name}" was changed by someone else since the list was read; refresh the Audiences view and try again.`
        : `${describeFailure(deleted.error).message} Nothing was deleted.`;
      return { deleted: false, message: redact(text, token) };
    }
    return { deleted: true, message: `Deleted "${a.name}": its ${fmt.format(a.size)} members exited; their profiles are kept.` };
  } finally {
    created.value.close();
  }
}
