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

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: d.message, data: d.data };
}

/** Publishes the diagnostics of the given workspace files and returns the error/warning counts. */
export function publishDiagnostics(connection: Connection, workspace: Workspace, keys: Iterable<string>, versionOf: (key: string) => number | undefined): void {
  for (const key of keys) {
    const diagnostics = workspace.diagnostics(key);
    void connection.sendDiagnostics({ uri: keyToUri(key), version: versionOf(key), diagnostics: diagnostics.map(toLspDiagnostic) });
  }
}

export function countProblems(workspace: Workspace): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const key of workspace.uris()) {
    for (const d of workspace.diagnostics(key)) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
    }
  }
  return { errors, warnings };
}
