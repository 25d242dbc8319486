import type { Connection } from 'vscode-languageserver/node';
import { definition } from '../../core/src/language/navigation';
import type { FeatureContext } from './featureContext';
import { toLocations } from './locations';

export function registerDefinition(connection: Connection, ctx: FeatureContext): void {
  connection.onDefinition(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return [];
    return toLocations(ctx.workspace, definition(ctx.workspace, file, file.lines.offsetAt(params.position)));
  });
}
