import * as vscode from 'vscode';
import type { PreviewResult } from '../../server/src/protocol';
import type { FilterServer } from './preview/filterServer';
import type { MetricPins } from './preview/metricPins';
import { percentText as percent } from '../../core/src/publish/plan';
import { hasAudienceBlock } from './publish/audienceBlock';

/** Lenses above a filter's `filter:` line: its counts on the sample data, then Preview · Explain · Publish. */
export class FilterCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly server: FilterServer, private readonly pins?: MetricPins) {}

  /** Asks VS Code to ask again, e.g. when the set of commands (Publish) may have changed. */
  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    const line = filterLine(document);
    if (line === undefined) return [];
    const range = new vscode.Range(line, 0, line, 0);
    const [result, commands] = await Promise.all([
      this.server.preview({ uri: document.uri.toString(), breakdown: null, sampleSize: 0, pinnedMetrics: this.pins?.get(document.uri) ?? [] }, token).catch((e: unknown) => e instanceof Error ? e : new Error(String(e))),
      vscode.commands.getCommands(true),
    ]);
    if (token.isCancellationRequested) return [];
    const lenses = [new vscode.CodeLens(range, { title: countsTitle(result), tooltip: countsTooltip(result), command: 'audienceFilters.preview', arguments: [document.uri] })];
    lenses.push(new vscode.CodeLens(range, { title: 'Preview', tooltip: 'Open the preview to the side', command: 'audienceFilters.preview', arguments: [document.uri] }));
    lenses.push(new vscode.CodeLens(range, { title: 'Explain', tooltip: 'Explain why a person is or is not in the audience', command: 'audienceFilters.explain', arguments: [document.uri] }));
    // Publish is contributed by another part of the extension; without it the lens would only show an error.
    // A filter without an `audience:` block has nothing to publish: it gets the "Add audience block" quick fix instead.
    if (commands.includes('audienceFilters.publish') && hasAudienceBlock(document.getText())) {
      lenses.push(new vscode.CodeLens(range, { title: 'Publish', tooltip: 'Publish this audience', command: 'audienceFilters.publish', arguments: [document.uri] }));
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The `filter:` key at the top level, where the lenses go. */
export function filterLine(document: vscode.TextDocument): number | undefined {
  for (let i = 0; i < document.lineCount; i++) if (/^filter\s*:/.test(document.lineAt(i).text)) return i;
  return undefined;
}

const fmt = new Intl.NumberFormat('en-US');

/** "193 people · 21.4% · 1,538 sessions", or why there are no counts. */
export function countsTitle(result: PreviewResult | Error): string {
  if (result instanceof Error) return '$(warning) preview unavailable';
  switch (result.status) {
    case 'ok': {
      const share = result.total.people ? `${((100 * result.matched.people) / result.total.people).toFixed(1)}%` : '–';
      const m = result.matched;
      return `${fmt.format(m.people)} ${m.people === 1 ? 'person' : 'people'} · ${share} · ${fmt.format(m.sessions)} session${m.sessions === 1 ? '' : 's'}${result.truncated ? ` (first ${fmt.format(result.truncated.rowLimit)} events)` : ''}`;
    }
    case 'stale':
      return `$(warning) ${result.errors} error${result.errors === 1 ? '' : 's'}: fix to see counts`;
    case 'cancelled':
      return 'evaluating…';
    default:
      return `$(info) ${result.message}`;
  }
}

/** The hover of the counts lens: events, metrics (the pinned ones, else all), size gauge, estimated return. */
export function countsTooltip(result: PreviewResult | Error): string {
  if (result instanceof Error) return result.message;
  if (result.status !== 'ok') return result.message;
  const sample = result.truncated ? `the first ${fmt.format(result.truncated.rowLimit)} events of ${result.dataView.id} (audienceFilters.preview.sampleRowLimit)` : `the sample data of ${result.dataView.id}`;
  const lines = [`On ${sample}: ${fmt.format(result.matched.events)} of ${fmt.format(result.total.events)} events, evaluated in ${result.elapsedMs} ms.`];
  const pinned = result.metrics.filter(m => m.pinned);
  for (const m of pinned.length ? pinned : result.metrics) lines.push(`${m.name}: ${metricFigure(m.audience)} of ${metricFigure(m.total)}${m.share === null ? '' : ` (${percent(m.share)})`}`);
  const g = result.gauge;
  lines.push(`Size: ${fmt.format(g.size)} people of the ${fmt.format(g.limit)} limit (${percent(g.share)})${g.state === 'over' ? ', over the limit' : g.state === 'warning' ? ', near the limit' : ''}`);
  const returns = result.returns.filter(h => h.share !== null);
  if (returns.length) lines.push(`Estimated return: ${returns.map(h => `${percent(h.share as number)} (≈ ${fmt.format(h.expected as number)} people) within ${h.days} days`).join(', ')}`);
  lines.push('Click to open the preview.');
  return lines.join('\n');
}

/** A metric total: whole numbers as they are, others with up to two decimals. */
export function metricFigure(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(x) ? 0 : 2 });
}
