import { CompletionItemKind, InsertTextFormat, InsertTextMode } from 'vscode-languageserver/node';
import type { CompletionItem, Connection } from 'vscode-languageserver/node';
import { complete, indentUnitOf } from '../../core/src/language/completion';
import type { CompletionKind } from '../../core/src/language/completion';
import type { FeatureContext } from './featureContext';

const KINDS: Record<CompletionKind, CompletionItemKind> = {
  key: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  keyword: CompletionItemKind.Keyword,
  operator: CompletionItemKind.Operator,
  dimension: CompletionItemKind.Field,
  metric: CompletionItemKind.Variable,
  unit: CompletionItemKind.Unit,
  filter: CompletionItemKind.Reference,
  dataview: CompletionItemKind.Module,
};

export function registerCompletion(connection: Connection, ctx: FeatureContext): void {
  connection.onCompletion(async params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return [];
    if (file.kind === 'filter') await ctx.awaitSamples(ctx.workspace.dataViewFor(file)?.dataView, params.textDocument.uri);
    const current = ctx.fileOf(params.textDocument.uri) ?? file;
    const offset = current.lines.offsetAt(params.position);
    return complete(ctx.workspace, current, offset, { tabSize: indentUnitOf(current.text), samples: ctx.samples }).map(
      (e): CompletionItem => ({
        label: e.label,
        kind: KINDS[e.kind],
        detail: e.detail,
        documentation: e.documentation ? { kind: 'markdown', value: e.documentation } : undefined,
        sortText: e.sortText,
        filterText: current.text.slice(e.start, e.end) && e.kind === 'value' ? e.insertText : undefined,
        textEdit: { range: current.lines.range(e.start, e.end), newText: e.insertText },
        insertTextFormat: e.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
        insertTextMode: InsertTextMode.asIs,
      }),
    );
  });
}
