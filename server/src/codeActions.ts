import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction, Connection, Diagnostic } from 'vscode-languageserver/node';
import { quickFixes } from '../../core/src/language/codeActions';
import { indentUnitOf } from '../../core/src/language/completion';
import { SOURCE } from './diagnostics';
import type { FeatureContext } from './featureContext';

/**
 * A fault a setting resolves (a sample file outside the workspace: `audienceFilters.data.allowedFolders`)
 * gets a fix that opens that setting; the person decides which folder to allow.
 */
function settingFix(d: Diagnostic): CodeAction[] {
  const setting = (d.data as { setting?: unknown } | undefined)?.setting;
  if (typeof setting !== 'string') return [];
  const title = `Allow folders outside the workspace: open the user setting ${setting}`;
  return [{ title, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title, command: 'workbench.action.openSettings', arguments: [setting] } }];
}

/** Quick fixes for this server's diagnostics, from the data they carry. */
export function registerCodeActions(connection: Connection, ctx: FeatureContext): void {
  connection.onCodeAction(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return [];
    if (params.context.only && !params.context.only.some(k => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'))) return [];
    const mine = params.context.diagnostics.filter(d => d.source === SOURCE);
    const edits = quickFixes(ctx.workspace, file, mine, indentUnitOf(file.text)).map(
      (f): CodeAction => ({
        title: f.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [f.diagnostic as Diagnostic],
        isPreferred: f.preferred,
        edit: { changes: { [params.textDocument.uri]: f.edits } },
      }),
    );
    return [...mine.flatMap(settingFix), ...edits];
  });
}
