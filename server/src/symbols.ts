import { SymbolKind } from 'vscode-languageserver/node';
import type { Connection, DocumentSymbol } from 'vscode-languageserver/node';
import { documentSymbols } from '../../core/src/language/symbols';
import type { OutlineKind, OutlineSymbol } from '../../core/src/language/symbols';
import type { LineIndex } from '../../core/src/text';
import type { FeatureContext } from './featureContext';

const KINDS: Record<OutlineKind, SymbolKind> = {
  key: SymbolKind.Key,
  object: SymbolKind.Object,
  array: SymbolKind.Array,
  string: SymbolKind.String,
  number: SymbolKind.Number,
  boolean: SymbolKind.Boolean,
  null: SymbolKind.Null,
  container: SymbolKind.Namespace,
  sequence: SymbolKind.Event,
  checkpoint: SymbolKind.EnumMember,
  group: SymbolKind.Struct,
  condition: SymbolKind.Field,
  filter: SymbolKind.Function,
};

function toLsp(lines: LineIndex, s: OutlineSymbol): DocumentSymbol {
  return {
    name: s.name || ' ',
    detail: s.detail,
    kind: KINDS[s.kind],
    range: lines.range(s.start, s.end),
    selectionRange: lines.range(s.selectionStart, s.selectionEnd),
    children: s.children.map(c => toLsp(lines, c)),
  };
}

export function registerSymbols(connection: Connection, ctx: FeatureContext): void {
  connection.onDocumentSymbol(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    return file ? documentSymbols(file).map(s => toLsp(file.lines, s)) : [];
  });
}
