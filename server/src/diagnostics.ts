import type { Connection, Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic } from '../../core/src/diagnostics';
import type { Workspace } from '../../core/src/workspace';
import { keyToUri } from './documents';

export const SOURCE = 'audience-filters';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(d: Diagnostic, uri?: string): LspDiagnostic {
  const lsp: LspDiagnostic = { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: d.message, data: d.data };
  if (d.related && uri) lsp.relatedInformation = d.related.map(r => ({ location: { uri, range: r.range }, message: r.message }));
  return lsp;
}

/**
 * Publishes diagnostics and remembers each file's error and warning counts, so the status
 * (sent after every check) costs nothing per keystroke.
 */
export class DiagnosticsPublisher {
  private readonly counts = new Map<string, { errors: number; warnings: number }>();

  constructor(private readonly connection: Connection, private readonly workspace: Workspace, private readonly versionOf: (key: string) => number | undefined) {}

  publish(keys: Iterable<string>): void {
    for (const key of keys) {
      const diagnostics = this.workspace.diagnostics(key);
      let errors = 0;
      let warnings = 0;
      for (const d of diagnostics) {
        if (d.severity === 'error') errors++;
        else if (d.severity === 'warning') warnings++;
      }
      this.counts.set(key, { errors, warnings });
      const uri = keyToUri(key);
      void this.connection.sendDiagnostics({ uri, version: this.versionOf(key), diagnostics: diagnostics.map(d => toLspDiagnostic(d, uri)) });
    }
  }

  /** Clears a file's diagnostics (closed unsaved buffer, deleted file). */
  clear(key: string, uri = keyToUri(key)): void {
    this.counts.delete(key);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  totals(): { errors: number; warnings: number } {
    let errors = 0;
    let warnings = 0;
    for (const c of this.counts.values()) {
      errors += c.errors;
      warnings += c.warnings;
    }
    return { errors, warnings };
  }
}
