import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { Connection } from 'vscode-languageserver/node';
import { prepareRename, rename } from '../../core/src/language/navigation';
import type { FeatureContext } from './featureContext';
import { toWorkspaceEdit } from './locations';

/** Rename of filter ids and data view fields; refusals come back as errors the editor shows. */
export function registerRename(connection: Connection, ctx: FeatureContext): void {
  connection.onPrepareRename(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return null;
    const r = prepareRename(ctx.workspace, file, file.lines.offsetAt(params.position));
    if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
    return { range: file.lines.range(r.start, r.end), placeholder: r.placeholder };
  });
  connection.onRenameRequest(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return null;
    const r = rename(ctx.workspace, file, file.lines.offsetAt(params.position), params.newName);
    if ('error' in r) return new ResponseError(ErrorCodes.InvalidRequest, r.error);
    return toWorkspaceEdit(ctx.workspace, r.edits);
  });
}
