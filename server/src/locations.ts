import type { Location, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { FileEdit, FileRange } from '../../core/src/language/navigation';
import type { Workspace } from '../../core/src/workspace';
import { keyToUri } from './documents';

/** Core file ranges (workspace keys and offsets) as LSP locations. */
export function toLocations(workspace: Workspace, ranges: FileRange[]): Location[] {
  return ranges.flatMap(r => {
    const file = workspace.get(r.uri);
    return file ? [{ uri: keyToUri(r.uri), range: file.lines.range(r.start, r.end) }] : [];
  });
}

export function toWorkspaceEdit(workspace: Workspace, edits: FileEdit[]): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const e of edits) {
    const file = workspace.get(e.uri);
    if (!file) continue;
    (changes[keyToUri(e.uri)] ??= []).push({ range: file.lines.range(e.start, e.end), newText: e.newText });
  }
  return { changes };
}
