/**
 * The people request: every person of a filter's sample data, member or not, for the Explain
 * pick ("why is this person not in the audience?"). The filter is evaluated as the preview
 * evaluates it (its period, the preview's row limit), so the marks agree with the preview's counts.
 */
import type { CancellationToken, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Dataset } from '../../core/src/data/dataset';
import type { EvaluationService } from '../../core/src/evaluation';
import { uriToKey } from './documents';
import { PeopleRequest } from './protocol';
import type { PeopleEvaluation, PeopleParams, PeopleResult } from './protocol';

/** A quick pick stays quick up to about this many items; more are found by typing namespace:id. */
const MAX_PEOPLE = 10_000;

export function registerPeopleRequest(connection: Connection, documents: TextDocuments<TextDocument>, service: EvaluationService, flushCheck: (uri: string) => void, sampleRowLimit: (uri: string) => Promise<number>): void {
  connection.onRequest(PeopleRequest, async (params: PeopleParams, token: CancellationToken): Promise<PeopleResult> => {
    flushCheck(params.uri);
    const key = uriToKey(params.uri);
    const version = documents.get(params.uri)?.version;
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
    if (token.isCancellationRequested) controller.abort(new Error('cancelled'));
    try {
      let dataset: Dataset | undefined;
      const outcome = await service.evaluate(key, { signal: controller.signal, maxRows: await sampleRowLimit(params.uri), onResult: full => (dataset = full.dataset) });
      if (!outcome.ok) {
        const e = outcome.error;
        // The people list is a pick; the preview panel is where the errors are listed.
        if (e.code === 'filter-has-errors') return { status: 'stale', stale: true, uri: params.uri, version, errors: e.errors, message: e.message, diagnostics: [] };
        return { status: e.code === 'cancelled' ? 'cancelled' : 'unavailable', stale: false, uri: params.uri, version, code: e.code, message: e.message };
      }
      return { status: 'ok', uri: params.uri, version, dataView: { id: outcome.value.dataView.id }, ...peopleOf(dataset!, outcome.value.result.audience) };
    } finally {
      subscription.dispose();
    }
  });
}

/** Each person of the dataset once (the identity explain finds them by), marked when in the audience. */
export function peopleOf(dataset: Dataset, audience: ReadonlyArray<{ namespace: string; id: string }>, limit = MAX_PEOPLE): Pick<PeopleEvaluation, 'people' | 'members' | 'total'> {
  const members = new Set(audience.map(i => `${i.namespace}\u0000${i.id}`));
  const people: PeopleEvaluation['people'] = [];
  for (let p = 0; p < dataset.personCount; p++) {
    const namespace = dataset.personNamespaces[p];
    const id = dataset.personIds[p];
    people.push({ namespace, id, member: members.has(`${namespace}\u0000${id}`) });
  }
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  people.sort((a, b) => Number(b.member) - Number(a.member) || text(a.namespace, b.namespace) || text(a.id, b.id));
  return { people: people.slice(0, limit), members: members.size, total: people.length };
}
