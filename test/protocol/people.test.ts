import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ExplainRequest, PeopleRequest, PreviewRequest } from '../../server/src/protocol';
import type { ExplainResult, PeopleEvaluation, PeopleResult, PreviewResult } from '../../server/src/protocol';
import { REPO_ROOT } from '../support/cli';
import { LspTestClient } from '../support/lspClient';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const ABANDONERS = path.join(EXAMPLES, 'filters', 'checkout-abandoners.filter.yaml');
const TEXT = fs.readFileSync(ABANDONERS, 'utf8');
const PURCHASE_WITHIN_30 = 'no event where event_type = "commerce.purchases" within 30 minutes';

describe('people request (the Explain pick) over stdio', function () {
  this.timeout(60_000);
  let client: LspTestClient;
  let uri: string;

  beforeEach(async () => {
    client = new LspTestClient();
    await client.initialize([EXAMPLES]);
    uri = client.open(ABANDONERS, TEXT);
  });

  afterEach(async () => {
    await client.shutdown();
  });

  async function people(): Promise<PeopleEvaluation> {
    const r = await client.request<PeopleResult>(PeopleRequest, { uri });
    assert.strictEqual(r.status, 'ok', JSON.stringify(r));
    return r as PeopleEvaluation;
  }

  it('lists every person of the sample, the preview\'s audience marked as members and listed first', async () => {
    const r = await people();
    const preview = await client.request<PreviewResult>(PreviewRequest, { uri, sampleSize: 1000, breakdown: null });
    assert.strictEqual(preview.status, 'ok', JSON.stringify(preview));
    if (preview.status !== 'ok') return;
    assert.strictEqual(r.dataView.id, 'web');
    assert.strictEqual(r.total, 900);
    assert.strictEqual(r.people.length, 900);
    assert.strictEqual(new Set(r.people.map(p => `${p.namespace}:${p.id}`)).size, 900, 'each person once');
    assert.strictEqual(r.members, preview.matched.people);
    assert.deepStrictEqual(r.people.slice(0, r.members).map(p => ({ namespace: p.namespace, id: p.id })), preview.sample);
    assert.ok(r.people.slice(0, r.members).every(p => p.member) && r.people.slice(r.members).every(p => !p.member));
  });

  it('every non-member explains as not a member; a buyer reads "no purchase within 30 minutes" as the part that failed', async () => {
    const r = await people();
    const outsiders = r.people.filter(p => !p.member).slice(0, 60);
    let buyer: ExplainResult | undefined;
    for (const p of outsiders) {
      const e = await client.request<ExplainResult>(ExplainRequest, { uri, person: { namespace: p.namespace, id: p.id } });
      assert.ok(e.status === 'ok' && e.found && e.verdict === 'not member', JSON.stringify(e).slice(0, 300));
      if (!buyer && e.steps[1]?.status === 'failed') buyer = e;
    }
    assert.ok(buyer && buyer.status === 'ok', 'one of the first 60 non-members reached checkout and bought within 30 minutes');
    assert.deepStrictEqual(buyer.steps.map(s => [s.label, s.status, s.exclude]), [['event where page_name = "Checkout"', 'matched', undefined], [PURCHASE_WITHIN_30, 'failed', true]]);
    assert.strictEqual(buyer.steps[1].reason, 'every occurrence is followed by event where event_type = "commerce.purchases" within 30 minutes');
    const member = r.people[0];
    const e = await client.request<ExplainResult>(ExplainRequest, { uri, person: member });
    assert.ok(e.status === 'ok' && e.verdict === 'member');
    assert.deepStrictEqual(e.steps.map(s => [s.label, s.status]), [['event where page_name = "Checkout"', 'matched'], [PURCHASE_WITHIN_30, 'matched']]);
  });

  it('answers stale while the filter has errors', async () => {
    client.change(uri, 2, TEXT.replace('tags: [ecommerce, retargeting]', 'tags: [ecommerce, retargeting'));
    const r = await client.request<PeopleResult>(PeopleRequest, { uri });
    assert.strictEqual(r.status, 'stale', JSON.stringify(r));
    assert.ok(r.status === 'stale' && r.errors >= 1 && r.version === 2);
  });
});
