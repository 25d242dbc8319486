import * as vscode from 'vscode';
import type { PreviewResult, StatusParams } from '../../server/src/protocol';

const FILES: vscode.DocumentSelector = [{ language: 'audience-filter' }, { language: 'audience-dataview' }];
const FILTERS: vscode.DocumentSelector = [{ language: 'audience-filter' }];

/**
 * The language status items: the data view in use and the problem counts (→ output), the last
 * evaluation of a filter (→ preview), and the language server (→ restart).
 */
export class LanguageStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private readonly evaluation: vscode.LanguageStatusItem;
  private readonly server: vscode.LanguageStatusItem;

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('audienceFilters.status', FILES);
    this.item.name = 'Audience Filters';
    this.item.text = '$(loading~spin) Audience Filters';
    this.item.detail = 'starting the language server';
    this.item.command = { title: 'Show Output', command: 'audienceFilters.showOutput' };

    this.evaluation = vscode.languages.createLanguageStatusItem('audienceFilters.evaluation', FILTERS);
    this.evaluation.name = 'Audience Filters: evaluation';
    this.evaluation.text = 'Not evaluated yet';
    this.evaluation.detail = 'open the preview to evaluate on the sample data';
    this.evaluation.command = { title: 'Open Preview', command: 'audienceFilters.preview' };

    this.server = vscode.languages.createLanguageStatusItem('audienceFilters.server', FILES);
    this.server.name = 'Audience Filters: language server';
    this.server.text = 'Language server';
    this.server.detail = 'starting';
    this.server.busy = true;
    this.server.command = { title: 'Restart', command: 'audienceFilters.restartServer' };
  }

  update(s: StatusParams): void {
    const problems = s.errors + s.warnings;
    this.item.severity = s.errors ? vscode.LanguageStatusSeverity.Error : s.warnings ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    this.item.text = s.dataView ? `$(database) ${s.dataView}` : 'Audience Filters';
    const when = s.lastCheck ? new Date(s.lastCheck).toLocaleTimeString() : 'never';
    this.item.detail = `${s.checkedFiles} files checked at ${when}; ${problems ? `${s.errors} errors, ${s.warnings} warnings` : 'no problems'}`;
    this.server.busy = false;
    this.server.text = '$(check) Language server';
    this.server.detail = 'running';
  }

  /** The server stopped or (re)started. */
  serverState(running: boolean): void {
    this.server.busy = false;
    this.server.text = running ? '$(check) Language server' : '$(error) Language server';
    this.server.detail = running ? 'running' : 'stopped — restart it';
    this.server.severity = running ? vscode.LanguageStatusSeverity.Information : vscode.LanguageStatusSeverity.Error;
  }

  /** A preview or CodeLens evaluation of a filter came back. */
  evaluated(result: PreviewResult): void {
    const at = new Date().toLocaleTimeString();
    if (result.status === 'ok') {
      this.item.text = `$(database) ${result.dataView.id}`;
      this.evaluation.severity = result.loadWarnings ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
      this.evaluation.text = `$(pulse) ${new Intl.NumberFormat('en-US').format(result.matched.people)} people in ${Math.round(result.elapsedMs)} ms`;
      this.evaluation.detail = `evaluated at ${new Date(result.evaluatedAt).toLocaleTimeString()} on ${result.dataView.title ?? result.dataView.id}${result.loadWarnings ? `; ${result.loadWarnings} data warnings` : ''}`;
    } else if (result.status === 'stale') {
      this.evaluation.severity = vscode.LanguageStatusSeverity.Warning;
      this.evaluation.text = `$(warning) stale: ${result.errors} error${result.errors === 1 ? '' : 's'}`;
      this.evaluation.detail = `at ${at}: ${result.message}`;
    } else if (result.status === 'unavailable') {
      this.evaluation.severity = vscode.LanguageStatusSeverity.Warning;
      this.evaluation.text = '$(info) not evaluated';
      this.evaluation.detail = result.message;
    }
  }

  dispose(): void {
    this.item.dispose();
    this.evaluation.dispose();
    this.server.dispose();
  }
}
