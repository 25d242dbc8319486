import type { Connection } from 'vscode-languageserver/node';
import { references } from '../../core/src/language/navigation';
import type { FeatureContext } from './featureContext';
import { toLocations } from './locations';

export function registerReferences(connection: Connection, ctx: FeatureContext): void {
  connection.onReferences(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return [];
    return toLocations(ctx.workspace, references(ctx.workspace, file, file.lines.offsetAt(params.position), params.context.includeDeclaration));
  });
}
