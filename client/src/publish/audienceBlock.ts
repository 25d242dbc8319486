/**
 * A filter is publishable once it has an `audience:` block. Where it has none, the Publish
 * CodeLens is not offered; instead an "Add audience block" quick fix on the `filter:` line (and
 * the command behind it) appends a minimal block that the user then adjusts: name (the filter's
 * title), refresh, lookback.
 */
import * as vscode from 'vscode';

export const ADD_AUDIENCE_COMMAND = 'audienceFilters.addAudienceBlock';

/** True when the filter has a top-level `audience:` key. */
export function hasAudienceBlock(text: string): boolean {
  return /^audience[ \t]*:/m.test(text);
}

/** The block to append: named after the filter's `title:` (else its id), refreshed daily over 30 days. */
export function audienceBlockText(text: string): string {
  const title = /^title[ \t]*:[ \t]*(.+?)[ \t]*$/m.exec(text)?.[1];
  const id = /^filter[ \t]*:[ \t]*(.+?)[ \t]*$/m.exec(text)?.[1];
  const name = unquote(title ?? id ?? 'New audience');
  return `audience:\n  name: ${/^[\w (),.-]+$/.test(name) ? name : JSON.stringify(name)}\n  refresh: daily                     # once | every 4 hours | daily | weekly | monthly\n  lookback: 30 days                  # at most 90 days\n`;
}

function unquote(s: string): string {
  const m = /^(["'])(.*)\1$/.exec(s);
  return m ? m[2] : s;
}

/** The edit that appends the block at the end of the document (after a line break). */
export function audienceBlockEdit(document: vscode.TextDocument): vscode.WorkspaceEdit {
  const text = document.getText();
  const end = document.positionAt(text.length);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, end, `${text.length && !text.endsWith('\n') ? '\n' : ''}${audienceBlockText(text)}`);
  return edit;
}

/** "Add audience block" on the `filter:` line (where the lenses are) of a filter without one. */
export class AudienceBlockActions implements vscode.CodeActionProvider {
  provideCodeActions(document: vscode.TextDocument, range: vscode.Range): vscode.CodeAction[] {
    const line = filterKeyLine(document);
    if (line === undefined || range.start.line > line || range.end.line < line || hasAudienceBlock(document.getText())) return [];
    const action = new vscode.CodeAction('Add audience block (to publish this filter)', vscode.CodeActionKind.QuickFix);
    action.edit = audienceBlockEdit(document);
    return [action];
  }
}

function filterKeyLine(document: vscode.TextDocument): number | undefined {
  for (let i = 0; i < document.lineCount; i++) if (/^filter[ \t]*:/.test(document.lineAt(i).text)) return i;
  return undefined;
}

/** `audienceFilters.addAudienceBlock [uri]`: appends the block and puts the cursor on its name; false when there already is one. */
export async function addAudienceBlock(target?: vscode.Uri): Promise<boolean> {
  const document = target ? await vscode.workspace.openTextDocument(target) : vscode.window.activeTextEditor?.document;
  if (!document || document.languageId !== 'audience-filter') {
    void vscode.window.showInformationMessage('Audience Filters: open a filter file (*.filter.yaml) first, then run this command again.');
    return false;
  }
  if (hasAudienceBlock(document.getText())) return false;
  const line = document.lineCount - (document.getText().endsWith('\n') ? 1 : 0);
  if (!(await vscode.workspace.applyEdit(audienceBlockEdit(document)))) return false;
  const editor = await vscode.window.showTextDocument(document);
  const name = document.lineAt(Math.min(line + 1, document.lineCount - 1));
  editor.selection = new vscode.Selection(name.range.start.translate(0, '  name: '.length), name.range.end);
  return true;
}
