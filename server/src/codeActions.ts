import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction, Connection, Diagnostic } from 'vscode-languageserver/node';
import { quickFixes } from '../../core/src/language/codeActions';
import { indentUnitOf } from '../../core/src/language/completion';
import { SOURCE } from './diagnostics';
import type { FeatureContext } from './featureContext';

/** Quick fixes for this server's diagnostics, from the data they carry. */
export function registerCodeActions(connection: Connection, ctx: FeatureContext): void {
  connection.onCodeAction(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return [];
    if (params.context.only && !params.context.only.some(k => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'))) return [];
    const mine = params.context.diagnostics.filter(d => d.source === SOURCE);
    return quickFixes(ctx.workspace, file, mine, indentUnitOf(file.text)).map(
      (f): CodeAction => ({
        title: f.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [f.diagnostic as Diagnostic],
        isPreferred: f.preferred,
        edit: { changes: { [params.textDocument.uri]: f.edits } },
      }),
    );
  });
}
