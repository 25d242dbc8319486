import type { Connection, TextEdit } from 'vscode-languageserver/node';
import { formatDocumentEdits, formatRangeEdits } from '../../core/src/format/rangeFormat';
import type { FeatureContext } from './featureContext';

/** Document and range formatting of filter files. */
export function registerFormatting(connection: Connection, ctx: FeatureContext): void {
  connection.onDocumentFormatting(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file || file.kind !== 'filter') return [];
    return formatDocumentEdits(file, params.options).map((e): TextEdit => ({ range: file.lines.range(e.start, e.end), newText: e.newText }));
  });
  connection.onDocumentRangeFormatting(params => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file || file.kind !== 'filter') return [];
    const edits = formatRangeEdits(file, params.options, file.lines.offsetAt(params.range.start), file.lines.offsetAt(params.range.end));
    return edits.map((e): TextEdit => ({ range: file.lines.range(e.start, e.end), newText: e.newText }));
  });
}
