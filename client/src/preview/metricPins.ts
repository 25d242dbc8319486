import type * as vscode from 'vscode';

const KEY = 'audienceFilters.preview.pinnedMetrics';

/**
 * The metrics a user pinned, per filter file (by URI), kept in the workspace state: the preview
 * panel shows them first (and only them, with the rest one click away), the CodeLens hover lists them.
 */
export class MetricPins {
  private readonly changed: Array<() => void> = [];

  constructor(private readonly state: vscode.Memento) {}

  get(uri: vscode.Uri | string): string[] {
    const all = this.state.get<Record<string, string[]>>(KEY, {});
    return all[uri.toString()] ?? [];
  }

  async set(uri: vscode.Uri | string, names: readonly string[]): Promise<void> {
    const all = { ...this.state.get<Record<string, string[]>>(KEY, {}) };
    if (names.length) all[uri.toString()] = [...new Set(names)];
    else delete all[uri.toString()];
    await this.state.update(KEY, all);
    for (const f of this.changed) f();
  }

  async toggle(uri: vscode.Uri | string, name: string): Promise<void> {
    const now = this.get(uri);
    await this.set(uri, now.includes(name) ? now.filter(n => n !== name) : [...now, name]);
  }

  onDidChange(listener: () => void): void {
    this.changed.push(listener);
  }
}
