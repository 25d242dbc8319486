import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/protocol';

/** The language status item: data view in use, last check time and problem counts, with command links. */
export class LanguageStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('audienceFilters.status', [{ language: 'audience-filter' }, { language: 'audience-dataview' }]);
    this.item.name = 'Audience Filters';
    this.item.text = '$(loading~spin) Audience Filters';
    this.item.detail = 'starting the language server';
    this.item.command = { title: 'Show Output', command: 'audienceFilters.showOutput' };
  }

  update(s: StatusParams): void {
    const problems = s.errors + s.warnings;
    this.item.severity = s.errors ? vscode.LanguageStatusSeverity.Error : s.warnings ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    this.item.text = s.dataView ? `$(database) ${s.dataView}` : 'Audience Filters';
    const when = s.lastCheck ? new Date(s.lastCheck).toLocaleTimeString() : 'never';
    this.item.detail = `${s.checkedFiles} files checked at ${when}; ${problems ? `${s.errors} errors, ${s.warnings} warnings` : 'no problems'}`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
