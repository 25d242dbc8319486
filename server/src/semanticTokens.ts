import type { Connection } from 'vscode-languageserver/node';
import { encodeSemanticTokens, semanticTokens } from '../../core/src/language/semanticTokens';
import type { FeatureContext } from './featureContext';

/** Semantic tokens of rules (full document); the legend is in `FEATURE_CAPABILITIES`. */
export function registerSemanticTokens(connection: Connection, ctx: FeatureContext): void {
  connection.languages.semanticTokens.on(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    return { data: file ? encodeSemanticTokens(semanticTokens(ctx.workspace, file)) : [] };
  });
}
