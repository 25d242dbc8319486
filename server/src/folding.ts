import { FoldingRangeKind } from 'vscode-languageserver/node';
import type { Connection, FoldingRange } from 'vscode-languageserver/node';
import { foldingRanges } from '../../core/src/language/folding';
import type { FeatureContext } from './featureContext';

export function registerFolding(connection: Connection, ctx: FeatureContext): void {
  connection.onFoldingRanges(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return [];
    return foldingRanges(file).map((r): FoldingRange => (r.kind ? { startLine: r.startLine, endLine: r.endLine, kind: FoldingRangeKind.Comment } : { startLine: r.startLine, endLine: r.endLine }));
  });
}
