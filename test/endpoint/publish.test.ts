import * as assert from 'assert';
import * as fs from 'fs';
import { planPublish } from '../../core/src/publish/plan';
import { publish } from '../../core/src/publish/publish';
import { backoffDelay, parseRetryAfter, DEFAULT_RETRY } from '../../core/src/publish/retry';
import { checkAudienceLimits, latestExpiry } from '../../core/src/publish/limits';
import { Identity } from '../../core/src/publish/protocol';
import { TestEndpoint, call, committedMembers, futureDate, keys, makeIdentities, metadata, startTestEndpoint } from './harness';

async function* asAsync(items: Identity[]): AsyncGenerator<Identity> {
  for (const item of items) yield item;
}

describe('publishing client', function () {
  this.timeout(20_000);
  let ep: TestEndpoint;

  beforeEach(async () => {
    ep = await startTestEndpoint();
  });
  afterEach(async () => {
    await ep.close();
    fs.rmSync(ep.dir, { recursive: true, force: true });
  });

  it('plans: sizes per namespace, left-out identities and why, limit checks', async () => {
    const good = makeIdentities(30);
    const input = [
      ...good,
      { namespace: 'CRM', id: 'c1' }, { namespace: 'CRM', id: 'c2' }, // namespace not allowed
      { namespace: 'ECID', id: '' }, { namespace: 'ECID', id: '   ' }, // invalid ids
      { namespace: 'bad ns', id: 'x' },
      good[0], good[1], // duplicates
    ] as Identity[];
    const plan = await planPublish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: asAsync(input) });
    assert.ok(plan.ok, JSON.stringify(!plan.ok && plan.error));
    const p = plan.value;
    assert.strictEqual(p.total, 30);
    assert.deepStrictEqual(p.sizeByNamespace, { Email: 10, ECID: 20 });
    assert.deepStrictEqual(p.leftOut.byReason, { 'namespace-not-allowed': 2, 'invalid-id': 2, 'invalid-namespace': 1, duplicate: 2 });
    assert.strictEqual(p.leftOut.total, 7);
    assert.strictEqual(p.leftOut.byNamespace.CRM, 2);
    assert.strictEqual(p.existing, null);
    assert.deepStrictEqual([p.diff.entering, p.diff.staying, p.diff.exiting], [30, 0, 0]);
    assert.ok(p.publishable);
    assert.ok(!JSON.stringify(p).includes(ep.adminToken), 'a plan never carries the token');

    const tooLong = await planPublish({ endpoint: ep.url, token: ep.adminToken, audience: metadata({ lookbackDays: 120, expires: futureDate(600) }), identities: good });
    assert.ok(tooLong.ok);
    assert.deepStrictEqual(tooLong.value.limitIssues.map((i) => i.field), ['/lookbackDays', '/expires']);
    assert.strictEqual(tooLong.value.publishable, false);
    const refused = await publish(tooLong.value);
    assert.ok(!refused.ok && refused.error.code === 'limit_exceeded');
    assert.deepStrictEqual((await call(ep.url, 'GET', '/v1/audiences', { token: ep.adminToken })).body.audiences, [], 'nothing was sent');
  });

  it('publishes a plan, then plans and publishes a change with entering / staying / exiting', async () => {
    const first = makeIdentities(2500, 'a');
    const plan1 = await planPublish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: first });
    assert.ok(plan1.ok);
    const phases = new Set<string>();
    const r1 = await publish(plan1.value, { batchSize: 300, onProgress: (p) => phases.add(p.phase) });
    assert.ok(r1.ok, JSON.stringify(!r1.ok && r1.error));
    assert.deepStrictEqual([r1.value.entered, r1.value.existing, r1.value.exited, r1.value.total], [2500, 0, 0, 2500]);
    assert.deepStrictEqual([...phases], ['audience', 'run', 'upload', 'verify', 'commit', 'done']);

    const second = [...first.slice(500), ...makeIdentities(700, 'b')];
    const plan2 = await planPublish({ endpoint: ep.url, token: ep.adminToken, audience: metadata({ name: 'Renamed' }), identities: second });
    assert.ok(plan2.ok);
    assert.strictEqual(plan2.value.existing?.id, r1.value.audienceId);
    assert.deepStrictEqual([plan2.value.diff.entering, plan2.value.diff.staying, plan2.value.diff.exiting], [700, 2000, 500]);
    assert.strictEqual(plan2.value.diff.samples.exiting.length, 10);
    const r2 = await publish(plan2.value, { batchSize: 1000 });
    assert.ok(r2.ok);
    assert.strictEqual(r2.value.audienceId, r1.value.audienceId);
    assert.deepStrictEqual([r2.value.entered, r2.value.existing, r2.value.exited, r2.value.total], [700, 2000, 500, 2700]);
    assert.deepStrictEqual(await committedMembers(ep.url, ep.adminToken, r1.value.audienceId), keys(second));
    const audience = await call(ep.url, 'GET', `/v1/audiences/${r1.value.audienceId}`, { token: ep.adminToken });
    assert.strictEqual(audience.body.name, 'Renamed', 'metadata follows the definition');
  });

  it('publishes straight from an async iterable with flat memory, counting duplicates from the commit', async () => {
    const ids = makeIdentities(1000);
    const input = [...ids, ...ids.slice(0, 50), { namespace: 'CRM', id: 'x' }];
    const r = await publish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: asAsync(input) }, { batchSize: 128 });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    assert.strictEqual(r.value.total, 1000);
    assert.strictEqual(r.value.leftOut.byReason.duplicate, 50);
    assert.strictEqual(r.value.leftOut.byReason['namespace-not-allowed'], 1);
    assert.deepStrictEqual(await committedMembers(ep.url, ep.adminToken, r.value.audienceId), keys(ids));
  });

  it('turns 401 and 403 into messages a user can act on, without the token', async () => {
    const wrong = 'af_this-token-is-wrong-and-secret';
    const r401 = await publish({ endpoint: ep.url, token: wrong, audience: metadata(), identities: makeIdentities(3) });
    assert.ok(!r401.ok);
    assert.strictEqual(r401.error.code, 'unauthorized');
    assert.match(r401.error.message, /token/);
    assert.ok(!JSON.stringify(r401.error).includes(wrong));

    const bob = await call(ep.url, 'POST', '/v1/users', { token: ep.adminToken, body: { name: 'bob', role: 'user' } });
    const r403 = await publish({ endpoint: ep.url, token: bob.body.token, audience: metadata(), identities: makeIdentities(3) });
    assert.ok(!r403.ok);
    assert.strictEqual(r403.error.code, 'forbidden');
    assert.match(r403.error.message, /Audience Publishing/);
    assert.match(r403.error.message, /admin/);
    assert.ok(!JSON.stringify(r403.error).includes(bob.body.token));
  });

  it('refuses plain http to a non-loopback host and bad URLs before sending anything', async () => {
    const insecure = await publish({ endpoint: 'http://profiles.example.com', token: 't', audience: metadata(), identities: [] });
    assert.ok(!insecure.ok && insecure.error.code === 'insecure_endpoint');
    const invalid = await planPublish({ endpoint: 'not a url', token: 't', audience: metadata(), identities: [] });
    assert.ok(!invalid.ok && invalid.error.code === 'invalid_endpoint');
  });

  it('reports a network failure as a value (endpoint down)', async () => {
    await ep.close();
    const r = await publish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: makeIdentities(3) }, { retry: { retries: 2, baseMs: 1, maxMs: 5 } });
    assert.ok(!r.ok);
    assert.strictEqual(r.error.code, 'network');
    ep = await startTestEndpoint();
  });
});

describe('publishing client: pure parts', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.strictEqual(parseRetryAfter('3'), 3000);
    assert.strictEqual(parseRetryAfter('0'), 0);
    assert.strictEqual(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.strictEqual(parseRetryAfter('soon'), undefined);
  });
  it('backs off exponentially with jitter, capped', () => {
    const retry = { ...DEFAULT_RETRY, baseMs: 100, maxMs: 1000 };
    assert.strictEqual(backoffDelay(0, retry, () => 0), 50);
    assert.strictEqual(backoffDelay(0, retry, () => 1), 100);
    assert.strictEqual(backoffDelay(3, retry, () => 1), 800);
    assert.strictEqual(backoffDelay(10, retry, () => 1), 1000);
  });
  it('checks limits: lookback, 13 months of expiry (calendar), filters', () => {
    const now = new Date('2026-01-31T12:00:00Z');
    assert.strictEqual(latestExpiry(now).toISOString().slice(0, 10), '2027-02-28');
    const ok = checkAudienceLimits(metadata({ expires: '2027-02-28', lookbackDays: 90 }), now);
    assert.deepStrictEqual(ok, []);
    const bad = checkAudienceLimits(metadata({ expires: '2027-03-01', lookbackDays: 91, filters: Array.from({ length: 21 }, (_, i) => `f${i}`) }), now, 20_000_001);
    assert.deepStrictEqual(bad.map((i) => i.field), ['/lookbackDays', '/expires', '/filters', '/identities']);
    assert.deepStrictEqual(checkAudienceLimits(metadata({ expires: '2026-02-30' }), now).map((i) => i.code), ['invalid']);
  });
});
