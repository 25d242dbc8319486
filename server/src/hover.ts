import type { Connection, Hover } from 'vscode-languageserver/node';
import { hover } from '../../core/src/language/hover';
import type { FeatureContext } from './featureContext';

export function registerHover(connection: Connection, ctx: FeatureContext): void {
  connection.onHover(async (params): Promise<Hover | null> => {
    const file = ctx.fileOf(params.textDocument.uri);
    if (!file) return null;
    if (file.kind === 'filter') await ctx.awaitSamples(ctx.workspace.dataViewFor(file)?.dataView, params.textDocument.uri);
    else if (file.kind === 'dataview') await ctx.awaitSamples(file.dataView, params.textDocument.uri);
    const current = ctx.fileOf(params.textDocument.uri) ?? file;
    const h = hover(ctx.workspace, current, current.lines.offsetAt(params.position), ctx.samples);
    return h ? { contents: { kind: 'markdown', value: h.markdown }, range: current.lines.range(h.start, h.end) } : null;
  });
}
