import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { ExplainRequest, LoadProgressNotification, PreviewRequest } from '../../server/src/protocol';
import type { ExplainResult, LoadProgressParams, PreviewEvaluation, PreviewResult } from '../../server/src/protocol';
import { REPO_ROOT, runCli } from '../support/cli';
import { LspTestClient } from '../support/lspClient';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const BUYERS = path.join(EXAMPLES, 'filters', 'buyers.filter.yaml');
const TEXT = fs.readFileSync(BUYERS, 'utf8');

function ok(r: PreviewResult): PreviewEvaluation {
  assert.strictEqual(r.status, 'ok', JSON.stringify(r));
  return r as PreviewEvaluation;
}

describe('preview and explain requests over stdio', function () {
  this.timeout(60_000);
  let client: LspTestClient;
  let uri: string;
  let cli: { matched: unknown; total: unknown; namespaces: unknown; steps: Array<{ label: string; people: number }>; perDay: unknown; sample: unknown[]; metrics: Array<{ name: string }>; gauge: unknown; returns: unknown };

  before(() => {
    const r = runCli(['preview', BUYERS, '--json', '--sample', '200']);
    assert.strictEqual(r.status, 0, r.stderr);
    cli = JSON.parse(r.stdout);
  });

  beforeEach(async () => {
    client = new LspTestClient();
    await client.initialize([EXAMPLES]);
    uri = client.open(BUYERS, TEXT);
  });

  afterEach(async () => {
    await client.shutdown();
  });

  it('answers what `audience-filters preview --json` prints for the same file', async () => {
    const r = ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    assert.deepStrictEqual({ matched: r.matched, total: r.total, namespaces: r.namespaces }, { matched: cli.matched, total: cli.total, namespaces: cli.namespaces });
    assert.deepStrictEqual(r.steps.map(({ start: _s, end: _e, ...step }) => step), cli.steps);
    assert.deepStrictEqual(r.metrics, cli.metrics.map(m => ({ ...m, pinned: false })));
    assert.deepStrictEqual(r.gauge, cli.gauge);
    assert.deepStrictEqual(r.returns, cli.returns);
    assert.deepStrictEqual(r.perDay, cli.perDay);
    assert.deepStrictEqual(r.sample, cli.sample);
    assert.strictEqual(r.version, 1);
    assert.strictEqual(r.dataView.id, 'web');
    assert.ok(r.dimensions.includes('page_name'));
    // The waterfall step points at the rule in the file.
    assert.strictEqual(TEXT.slice(r.steps[0].start, r.steps[0].end), 'orders >= 1');
  });

  it('breaks the matched people down by the requested dimension', async () => {
    const r = ok(await client.request<PreviewResult>(PreviewRequest, { uri, breakdown: 'channel', sampleSize: 0 }));
    assert.ok(r.breakdown);
    assert.strictEqual(r.breakdown.dimension, 'channel');
    assert.ok(r.breakdown.values.length > 0 && r.breakdown.values.length <= 20);
    const people = r.breakdown.values.map(v => v.people);
    assert.deepStrictEqual(people, [...people].sort((a, b) => b - a), 'most people first');
    assert.ok(people.every(p => p <= r.matched.people));
    assert.deepStrictEqual(r.sample, []);
    const none = ok(await client.request<PreviewResult>(PreviewRequest, { uri, breakdown: null }));
    assert.strictEqual(none.breakdown, null);
  });

  it('evaluates the edited text: an edit changes the numbers', async () => {
    const before = ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    client.change(uri, 2, TEXT.replace('orders >= 1', 'orders >= 1 and device = "Mobile"'));
    const after = ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    assert.strictEqual(after.version, 2);
    assert.ok(after.matched.people > 0 && after.matched.people < before.matched.people, `${after.matched.people} vs ${before.matched.people}`);
    assert.deepStrictEqual(after.steps.map(s => [s.join, s.label, s.people, s.conversion]), [
      [undefined, 'orders >= 1', before.matched.people, before.matched.people / before.total.people],
      ['and', 'device = "Mobile"', after.matched.people, after.matched.people / before.matched.people],
    ]);
    assert.deepStrictEqual(after.total, before.total);
  });

  it('pinned metrics come first, marked; the others follow in data view order', async () => {
    const r = ok(await client.request<PreviewResult>(PreviewRequest, { uri, sampleSize: 0, pinnedMetrics: ['cart_adds', 'no-such-metric'] }));
    assert.deepStrictEqual(r.metrics.map(m => [m.name, m.pinned]), [['cart_adds', true], ['revenue', false], ['orders', false]]);
  });

  it('a sequence step keeps its gap', async () => {
    const file = path.join(EXAMPLES, 'filters', 'checkout-abandoners.filter.yaml');
    const other = client.open(file, fs.readFileSync(file, 'utf8'));
    const r = ok(await client.request<PreviewResult>(PreviewRequest, { uri: other, sampleSize: 0 }));
    assert.deepStrictEqual(r.steps.map(s => [s.join, s.gap, s.label]), [
      [undefined, undefined, 'event where page_name = "Checkout"'],
      ['then', 'within 30 minutes', 'exclude event where event_type = "commerce.purchases"'],
    ]);
    assert.strictEqual(r.steps[1].conversion, r.steps[1].people / r.steps[0].people);
  });

  it('answers stale with the error count while the file has errors', async () => {
    client.change(uri, 2, TEXT.replace('tags: [ecommerce]', 'tags: [ecommerce'));
    const r = await client.request<PreviewResult>(PreviewRequest, { uri });
    assert.strictEqual(r.status, 'stale', JSON.stringify(r));
    assert.ok(r.stale);
    assert.strictEqual(r.version, 2);
    assert.strictEqual(r.errors, r.diagnostics.length);
    assert.ok(r.errors >= 1 && r.diagnostics.every(d => d.code === 'yaml-syntax'), JSON.stringify(r.diagnostics));
  });

  it('lists the errors, each with its code, message and range', async () => {
    client.change(uri, 2, TEXT.replace('orders >= 1', 'order >= 1 and devic = "Mobile"'));
    const r = await client.request<PreviewResult>(PreviewRequest, { uri });
    assert.strictEqual(r.status, 'stale', JSON.stringify(r));
    assert.deepStrictEqual(r.diagnostics.map(d => [d.code, d.range.start.line, d.range.start.character, d.range.end.character, d.message.split('.')[0]]), [
      ['rule-unknown-field', 6, 15, 20, 'Unknown dimension or metric `order` in data view `web`'],
      ['rule-unknown-field', 6, 30, 35, 'Unknown dimension or metric `devic` in data view `web`'],
    ]);
    assert.strictEqual(r.errors, 2);
  });

  it('explains a member of the audience', async () => {
    const r = ok(await client.request<PreviewResult>(PreviewRequest, { uri, sampleSize: 1 }));
    const [person] = r.sample;
    const e = await client.request<ExplainResult>(ExplainRequest, { uri, person });
    assert.strictEqual(e.status, 'ok', JSON.stringify(e));
    if (e.status !== 'ok') return;
    assert.strictEqual(e.found, true);
    assert.strictEqual(e.verdict, 'member');
    assert.deepStrictEqual({ namespace: e.person?.namespace, id: e.person?.id }, person);
    assert.ok(e.timeline.some(t => t.returned));
    assert.strictEqual(e.steps[0].status, 'matched');
    const stranger = await client.request<ExplainResult>(ExplainRequest, { uri, person: { namespace: 'ECID', id: 'nobody' } });
    assert.strictEqual(stranger.status === 'ok' && stranger.found, false);
  });

  it('reports the dataset load as progress', async () => {
    ok(await client.request<PreviewResult>(PreviewRequest, { uri }));
    const progress = client.notificationsOf<LoadProgressParams>(LoadProgressNotification);
    // The examples load in well under 100 ms on a fast machine: at least the closing notification is not guaranteed.
    for (const p of progress) {
      assert.strictEqual(p.uri, uri);
      assert.strictEqual(p.dataView, 'web');
      assert.ok(p.bytesRead <= p.totalBytes);
    }
  });

  it('a newer version cancels the evaluation of an older one', async () => {
    // The first request waits for the dataset to load (a new server: nothing cached); the edit and the second request arrive meanwhile.
    const first = client.request<PreviewResult>(PreviewRequest, { uri });
    client.change(uri, 2, TEXT.replace('orders >= 1', 'orders >= 2'));
    const second = client.request<PreviewResult>(PreviewRequest, { uri });
    const [a, b] = await Promise.all([first, second]);
    assert.strictEqual(a.status, 'cancelled', JSON.stringify(a));
    assert.strictEqual(ok(b).version, 2);
  });

  it('$/cancelRequest cancels an evaluation, and the next request is answered', async () => {
    const source = new CancellationTokenSource();
    const cancelled = client.request<PreviewResult>(PreviewRequest, { uri }, source.token).then(r => r, (e: { code?: number }) => e);
    source.cancel();
    const c = await cancelled;
    // The server answers `cancelled`, or the connection reports the request as cancelled (-32800).
    assert.ok((c as PreviewResult).status === 'cancelled' || (c as { code?: number }).code === -32800, JSON.stringify(c).slice(0, 300));
    assert.strictEqual(ok(await client.request<PreviewResult>(PreviewRequest, { uri })).version, 1);
  });

  it('requests for the same text share one evaluation', async () => {
    const [a, b] = await Promise.all([client.request<PreviewResult>(PreviewRequest, { uri }), client.request<PreviewResult>(PreviewRequest, { uri, sampleSize: 0 })]);
    assert.strictEqual(ok(a).evaluatedAt, ok(b).evaluatedAt);
  });

  it('says when the file is not a filter', async () => {
    const r = await client.request<PreviewResult>(PreviewRequest, { uri: uri.replace('buyers.filter.yaml', '../web.dataview.yaml') });
    assert.strictEqual(r.status, 'unavailable');
  });
});
