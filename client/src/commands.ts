import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LoadProgressNotification } from '../../server/src/protocol';
import type { ExplainResult, LoadProgressParams, PreviewIdentity, PreviewResult } from '../../server/src/protocol';
import { FilterCodeLensProvider } from './codeLens';
import { explainCommand, peopleSourceOf } from './explain';
import { newDataView, newFilter } from './newFiles';
import { RuleSnippets } from './snippets';
import type { NewDataViewOptions, NewFilterOptions } from './newFiles';
import type { LanguageStatus } from './languageStatus';
import { filterServerOf, FILTER_LANGUAGE, isFilterDocument } from './preview/filterServer';
import { MetricPins } from './preview/metricPins';
import { PreviewPanel } from './preview/previewPanel';
import type { RenderedReport } from './preview/previewPanel';

/** What the extension exports for tests: the preview's render reports, as an event. */
export interface PreviewApi {
  onDidRenderPreview: vscode.Event<RenderedReport>;
  /** Fires with each explanation the Explain command (palette, CodeLens, menu) shows, and the person it was asked for. */
  onDidExplain: vscode.Event<{ person: PreviewIdentity; result: ExplainResult }>;
}

/**
 * The preview, explain and CodeLens features. Commands are registered whether or not the
 * language server runs, and say what to do when there is no filter to act on.
 */
export function registerPreviewFeatures(context: vscode.ExtensionContext, client: () => LanguageClient | undefined, status: LanguageStatus): PreviewApi {
  const server = filterServerOf(client);
  const people = peopleSourceOf(client);
  const onResult = (_uri: vscode.Uri, result: PreviewResult) => status.evaluated(result);
  const pins = new MetricPins(context.workspaceState);
  const panel = new PreviewPanel(vscode.Uri.joinPath(context.extensionUri, 'media', 'preview'), server, onResult, pins);
  const lenses = new FilterCodeLensProvider({
    preview: async (params, token) => {
      const result = await server.preview(params, token);
      status.evaluated(result);
      return result;
    },
    explain: server.explain,
  }, pins);
  pins.onDidChange(() => lenses.refresh());

  const didExplain = new vscode.EventEmitter<{ person: PreviewIdentity; result: ExplainResult }>();
  context.subscriptions.push(
    didExplain,
    panel,
    lenses,
    vscode.languages.registerCodeLensProvider({ language: FILTER_LANGUAGE }, lenses),
    vscode.languages.registerCompletionItemProvider({ language: FILTER_LANGUAGE }, new RuleSnippets(context.asAbsolutePath('snippets/audience-filter.json'))),
    vscode.commands.registerCommand('audienceFilters.preview', async (target?: vscode.Uri) => {
      const document = await filterDocument(target);
      if (!document) return;
      panel.show(document);
      // Completes the walkthrough's preview step (package.json walkthroughs): CodeLens clicks reach VS Code as an internal command.
      void vscode.commands.executeCommand('setContext', 'audienceFilters.previewShown', true);
    }),
    vscode.commands.registerCommand('audienceFilters.explain', async (target?: vscode.Uri, person?: { namespace: string; id: string }) => {
      const document = await filterDocument(target instanceof vscode.Uri ? target : undefined);
      if (!document) return undefined;
      const explained = await explainCommand(panel, people, document, person);
      if (!explained) return undefined;
      const { result } = explained;
      if (result.status !== 'ok') void vscode.window.showWarningMessage(`Audience Filters: ${result.message}`);
      else void vscode.commands.executeCommand('setContext', 'audienceFilters.personExplained', true);
      didExplain.fire(explained);
      return result;
    }),
    // (files?, options?) and (options?): the walkthrough and the palette ask for everything; scripts and tests pass it.
    vscode.commands.registerCommand('audienceFilters.newDataView', (files?: vscode.Uri[], options?: NewDataViewOptions) =>
      newDataView(Array.isArray(files) ? files.filter(f => f instanceof vscode.Uri) : undefined, options)),
    vscode.commands.registerCommand('audienceFilters.newFilter', (options?: NewFilterOptions) =>
      newFilter(options && !(options instanceof vscode.Uri) ? options : undefined)),
    // For tests: what the preview's webview last reported having rendered (read from its DOM).
    vscode.commands.registerCommand('audienceFilters.preview.lastRendered', () => panel.lastRendered),
    // For tests: pin or unpin a metric of the shown filter, as the panel's pin button does.
    vscode.commands.registerCommand('audienceFilters.preview.togglePin', (metric: string) => panel.togglePin(metric)),
    // For tests: scroll the panel to a section (by element id) before a screenshot of it.
    vscode.commands.registerCommand('audienceFilters.preview.scrollTo', (section: string) => panel.scrollTo(section)),
  );

  const c = client();
  if (c) {
    c.onNotification(LoadProgressNotification, (p: LoadProgressParams) => panel.loadProgress(p));
    context.subscriptions.push(c.onDidChangeState(e => status.serverState(e.newState === State.Running)));
  }
  return { onDidRenderPreview: panel.onDidRender, onDidExplain: didExplain.event };
}

/** The filter to act on: the given file, else the active editor's; otherwise says how to get one. */
async function filterDocument(target: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (target instanceof vscode.Uri) {
    const document = await vscode.workspace.openTextDocument(target);
    if (isFilterDocument(document)) return document;
  }
  const active = vscode.window.activeTextEditor?.document;
  if (isFilterDocument(active)) return active;
  void vscode.window.showInformationMessage('Audience Filters: open a filter file (*.filter.yaml) first, then run this command again.');
  return undefined;
}
