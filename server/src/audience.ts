/**
 * The audience request: what the client publishes for a filter. The filter is evaluated over its
 * audience's lookback window (SPEC §3.3 rule 8) in the server, which already holds the parsed
 * workspace and the text the client last sent; the answer is plain data (identities + metadata)
 * that the client plans and publishes with the core's publishing client.
 */
import type { CancellationToken, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { audienceMetadataOf } from '../../core/src/audienceTarget';
import type { EvaluationService } from '../../core/src/evaluation';
import { uriToKey } from './documents';
import { AudienceRequest } from './protocol';
import type { AudienceParams, AudienceResult, AudienceUnavailable } from './protocol';

/**
 * Registers `audienceFilters/audience`. `flushCheck(uri)` runs the document's pending (debounced)
 * check first, so the request sees the text the client sent before it. Publishing evaluates all
 * the sample data: no row limit.
 */
export function registerAudienceRequest(connection: Connection, documents: TextDocuments<TextDocument>, service: EvaluationService, flushCheck: (uri: string) => void): void {
  const workspace = service.workspace;

  connection.onRequest(AudienceRequest, async (params: AudienceParams, token: CancellationToken): Promise<AudienceResult> => {
    flushCheck(params.uri);
    const key = uriToKey(params.uri);
    const version = documents.get(params.uri)?.version;
    const unavailable = (code: AudienceUnavailable['code'], message: string): AudienceUnavailable => ({ status: 'error', uri: params.uri, version, code, message });

    const filter = service.filter(key);
    if (!filter) return unavailable('not-a-filter', `${key} is not a filter file (*.filter.yaml).`);
    // Checked before evaluating: a filter without an audience has nothing to publish.
    const metadata = audienceMetadataOf(filter, workspace);
    if ('error' in metadata) return unavailable(filter.id?.value ? 'no-audience' : 'filter-has-errors', metadata.error);

    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
    if (token.isCancellationRequested) controller.abort(new Error('cancelled'));
    try {
      const outcome = await service.evaluate(key, { window: 'lookback', signal: controller.signal });
      if (!outcome.ok) return unavailable(outcome.error.code, outcome.error.message);
      const e = outcome.value;
      const identities = e.result.audience.map(i => ({ namespace: i.namespace, id: i.id }));
      if (!metadata.namespaces.length) metadata.namespaces = [...new Set(identities.map(i => i.namespace))].sort();
      return {
        status: 'ok',
        uri: params.uri,
        version,
        filterId: e.filterId,
        dataView: { id: e.dataView.id, title: e.dataView.title },
        window: e.window,
        ...(e.windowSource ? { windowSource: e.windowSource } : {}),
        metadata,
        identities,
        loadWarnings: e.loadWarnings.length,
        evaluatedAt: new Date().toISOString(),
      };
    } finally {
      subscription.dispose();
    }
  });
}
