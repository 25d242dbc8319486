import * as assert from 'assert';
import BetterSqlite3 from 'better-sqlite3';
import * as fs from 'fs';
import * as path from 'path';
import { Identity } from '../../core/src/publish/protocol';
import { IDENTITY_ID_PATTERN, NAMESPACE_PATTERN } from '../../core/src/publish/identity';
import { createVersion1 } from '../../endpoint/src/database';
import { routes } from '../../endpoint/src/server';
import { TestEndpoint, assertSchema, call, committedMembers, futureDate, keys, makeIdentities, metadata, startTestEndpoint, stopAndRemove, audienceWithOpenRun, tempDir } from './harness';

describe('publish protocol (reference endpoint)', function () {
  this.timeout(20_000);
  let ep: TestEndpoint;
  let admin: string;

  beforeEach(async () => {
    ep = await startTestEndpoint({ maxBodyBytes: 256 * 1024, limits: { maxIdentitiesPerAudience: 5000 } });
    admin = ep.adminToken;
  });
  afterEach(async () => {
    await stopAndRemove(ep);
  });

  async function createAudience(token = admin, overrides = {}): Promise<{ id: string; etag: string }> {
    const res = await call(ep.url, 'POST', '/v1/audiences', { token, body: metadata(overrides) });
    assert.strictEqual(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id, etag: res.headers.etag as string };
  }

  async function openRun(audienceId: string, token = admin): Promise<string> {
    const res = await call(ep.url, 'POST', `/v1/audiences/${audienceId}/runs`, { token, body: {} });
    assert.strictEqual(res.status, 201, JSON.stringify(res.body));
    assertSchema('run.json', res.body);
    return res.body.id;
  }

  async function publishSet(audienceId: string, identities: Identity[], batchSize = 100): Promise<Record<string, number>> {
    const runId = await openRun(audienceId);
    let n = 0;
    for (let i = 0; i < identities.length; i += batchSize) {
      const res = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/${n++}`, { token: admin, body: { identities: identities.slice(i, i + batchSize) } });
      assert.strictEqual(res.status, 201, JSON.stringify(res.body));
    }
    const commit = await call(ep.url, 'POST', `/v1/runs/${runId}/commit`, { token: admin, body: { batchCount: n } });
    assert.strictEqual(commit.status, 200, JSON.stringify(commit.body));
    assertSchema('run.json', commit.body);
    return commit.body.result;
  }

  it('first start writes the admin token file with mode 600', () => {
    const mode = fs.statSync(ep.adminTokenFile).mode & 0o777;
    assert.strictEqual(mode, 0o600);
    assert.match(admin, /^af_/);
  });

  it('keeps the schemas and the core patterns in step', () => {
    const common = JSON.parse(fs.readFileSync(`${__dirname}/../../../schemas/protocol/common.json`, 'utf8'));
    assert.strictEqual(common.$defs.namespace.pattern, NAMESPACE_PATTERN);
    assert.strictEqual(common.$defs.identityId.pattern, IDENTITY_ID_PATTERN);
  });

  it('documents every route in schemas/openapi.json', () => {
    const openapi = JSON.parse(fs.readFileSync(`${__dirname}/../../../schemas/openapi.json`, 'utf8'));
    for (const route of routes) {
      const p = route.path.replace(/:(\w+)/g, '{$1}');
      assert.ok(openapi.paths[p]?.[route.method.toLowerCase()], `openapi.json lacks ${route.method} ${p}`);
    }
  });

  it('runs the happy path: create, batches, commit, republish with entered / existing / exited, profile, list, delete', async () => {
    const health = await call(ep.url, 'GET', '/v1/health');
    assert.strictEqual(health.status, 200);
    assertSchema('health.json', health.body);

    const created = await call(ep.url, 'POST', '/v1/audiences', { token: admin, body: metadata() });
    assert.strictEqual(created.status, 201);
    assertSchema('audience.json', created.body);
    assert.strictEqual(created.body.status, 'draft');
    assert.strictEqual(created.body.owner, 'admin');
    assert.strictEqual(created.headers.etag, '"1"');
    const id = created.body.id as string;

    const first = makeIdentities(250, 'a');
    const r1 = await publishSet(id, first);
    assert.deepStrictEqual(r1, { audienceVersion: 1, entered: 250, existing: 0, exited: 0, total: 250 });

    // 150 stay, 100 exit, 50 enter.
    const second = [...first.slice(0, 150), ...makeIdentities(50, 'b')];
    const r2 = await publishSet(id, second, 64);
    assert.deepStrictEqual(r2, { audienceVersion: 2, entered: 50, existing: 150, exited: 100, total: 200 });
    assert.deepStrictEqual(await committedMembers(ep.url, admin, id), keys(second));

    const stayed = await call(ep.url, 'GET', `/v1/profiles?namespace=${first[0].namespace}&id=${encodeURIComponent(first[0].id)}`, { token: admin });
    assert.strictEqual(stayed.status, 200);
    assertSchema('profile.json', stayed.body);
    assert.strictEqual(stayed.body.memberships[0].status, 'existing');
    assert.strictEqual(stayed.body.memberships[0].audienceVersion, 2);
    const exited = await call(ep.url, 'GET', `/v1/profiles?namespace=${first[200].namespace}&id=${encodeURIComponent(first[200].id)}`, { token: admin });
    assert.strictEqual(exited.body.memberships[0].status, 'exited');
    const entered = await call(ep.url, 'GET', `/v1/profiles?namespace=Email&id=${encodeURIComponent('b0@example.com')}`, { token: admin });
    assert.strictEqual(entered.body.memberships[0].status, 'realized');
    assert.ok(Date.parse(entered.body.memberships[0].lastQualificationTime) > 0);
    assert.strictEqual((await call(ep.url, 'GET', '/v1/profiles?namespace=Email&id=nobody', { token: admin })).status, 404);

    const list = await call(ep.url, 'GET', '/v1/audiences', { token: admin });
    assert.strictEqual(list.status, 200);
    assertSchema('audience-list.json', list.body);
    assert.strictEqual(list.body.audiences[0].size, 200);
    assert.strictEqual(list.body.audiences[0].status, 'active');
    assert.ok(list.body.audiences[0].lastRefreshedAt);
    const members = await call(ep.url, 'GET', `/v1/audiences/${id}/members?limit=10`, { token: admin });
    assertSchema('members-page.json', members.body);

    const deleted = await call(ep.url, 'DELETE', `/v1/audiences/${id}`, { token: admin });
    assert.strictEqual(deleted.status, 200);
    assert.strictEqual((await call(ep.url, 'GET', `/v1/audiences/${id}`, { token: admin })).status, 404);
    const after = await call(ep.url, 'GET', `/v1/profiles?namespace=${first[0].namespace}&id=${encodeURIComponent(first[0].id)}`, { token: admin });
    assert.strictEqual(after.status, 200, 'profiles are kept');
    assert.strictEqual(after.body.memberships[0].status, 'exited');
    assert.strictEqual(after.body.memberships[0].audienceDeleted, true);
    assert.deepStrictEqual((await call(ep.url, 'GET', '/v1/audiences', { token: admin })).body.audiences, []);
  });

  it('treats a repeated batch as a no-op and a different body for the same number as 409', async () => {
    const { id } = await createAudience();
    const runId = await openRun(id);
    const batch = { identities: makeIdentities(10) };
    const first = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, body: batch });
    assert.strictEqual(first.status, 201);
    assertSchema('batch-receipt.json', first.body);
    assert.strictEqual(first.body.duplicate, false);
    // Same content, different JSON layout: still the same batch.
    const again = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, rawBody: JSON.stringify(batch, null, 2) });
    assert.strictEqual(again.status, 200);
    assert.strictEqual(again.body.duplicate, true);
    assert.strictEqual(again.body.sha256, first.body.sha256);
    const different = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, body: { identities: makeIdentities(10, 'other') } });
    assert.strictEqual(different.status, 409);
    assert.strictEqual(different.body.error.code, 'batch_conflict');
    const run = await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin });
    assert.deepStrictEqual(run.body.receivedBatches, [0]);
    assert.strictEqual(run.body.stagedIdentities, 10);
    const commit = await call(ep.url, 'POST', `/v1/runs/${runId}/commit`, { token: admin, body: { batchCount: 1 } });
    assert.strictEqual(commit.body.result.total, 10);
    // A repeated commit returns the same result and changes nothing.
    const recommit = await call(ep.url, 'POST', `/v1/runs/${runId}/commit`, { token: admin, body: { batchCount: 1 } });
    assert.strictEqual(recommit.status, 200);
    assert.deepStrictEqual(recommit.body.result, commit.body.result);
    assert.strictEqual((await call(ep.url, 'GET', `/v1/audiences/${id}`, { token: admin })).body.audienceVersion, 1);
  });

  it('refuses a commit with missing batches (409) and lets the client resume from the run status', async () => {
    const { id } = await createAudience();
    const runId = await openRun(id);
    const all = makeIdentities(30);
    await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, body: { identities: all.slice(0, 10) } });
    await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/2`, { token: admin, body: { identities: all.slice(20) } });
    const early = await call(ep.url, 'POST', `/v1/runs/${runId}/commit`, { token: admin, body: { batchCount: 3 } });
    assert.strictEqual(early.status, 409);
    assert.strictEqual(early.body.error.code, 'batches_missing');
    assert.deepStrictEqual(early.body.error.missingBatches, [1]);
    const status = await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin });
    assert.deepStrictEqual(status.body.receivedBatches, [0, 2]);
    await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/1`, { token: admin, body: { identities: all.slice(10, 20) } });
    const done = await call(ep.url, 'POST', `/v1/runs/${runId}/commit`, { token: admin, body: { batchCount: 3 } });
    assert.strictEqual(done.status, 200);
    assert.deepStrictEqual(await committedMembers(ep.url, admin, id), keys(all));
  });

  it('answers 409 to a second open run, and an aborted run changes nothing', async () => {
    const { id } = await createAudience();
    await publishSet(id, makeIdentities(20));
    const runId = await openRun(id);
    const second = await call(ep.url, 'POST', `/v1/audiences/${id}/runs`, { token: admin, body: {} });
    assert.strictEqual(second.status, 409);
    assertSchema('error.json', second.body);
    assert.strictEqual(second.body.error.code, 'run_open');
    assert.strictEqual(second.body.error.runId, runId);
    await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, body: { identities: makeIdentities(5, 'zzz') } });
    const aborted = await call(ep.url, 'POST', `/v1/runs/${runId}/abort`, { token: admin });
    assert.strictEqual(aborted.status, 200);
    assert.strictEqual(aborted.body.status, 'aborted');
    assert.strictEqual(aborted.body.abortReason, 'aborted by admin');
    assert.strictEqual(aborted.body.expiresAt, null);
    const late = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/1`, { token: admin, body: { identities: makeIdentities(5, 'yyy') } });
    assert.strictEqual(late.status, 409);
    assert.strictEqual(late.body.error.message, `Run ${runId} is aborted (aborted by admin); it accepts no more changes. Start a new run.`);
    assert.deepStrictEqual(await committedMembers(ep.url, admin, id), keys(makeIdentities(20)));
    assert.strictEqual((await call(ep.url, 'GET', '/v1/profiles?namespace=ECID&id=zzz-1', { token: admin })).status, 404, 'an aborted run creates no profile');
    const check = new BetterSqlite3(ep.dbPath, { readonly: true });
    assert.deepStrictEqual(check.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'staged%'").pluck().all(), [], 'the abort dropped the run\'s staged table');
    check.close();
    assert.strictEqual((await call(ep.url, 'POST', `/v1/audiences/${id}/runs`, { token: admin, body: {} })).status, 201);
  });

  it('replays a repeated Idempotency-Key instead of creating twice', async () => {
    const { id } = await createAudience();
    const a = await call(ep.url, 'POST', `/v1/audiences/${id}/runs`, { token: admin, body: {}, headers: { 'idempotency-key': 'k1' } });
    const b = await call(ep.url, 'POST', `/v1/audiences/${id}/runs`, { token: admin, body: {}, headers: { 'idempotency-key': 'k1' } });
    assert.strictEqual(a.status, 201);
    assert.strictEqual(b.status, 201);
    assert.strictEqual(b.body.id, a.body.id);
    assert.strictEqual(b.headers['idempotent-replayed'], 'true');
  });

  it('uses ETags: 428 without If-Match, 412 when stale, 200 when current', async () => {
    const { id, etag } = await createAudience();
    const missing = await call(ep.url, 'PUT', `/v1/audiences/${id}`, { token: admin, body: metadata({ name: 'x' }) });
    assert.strictEqual(missing.status, 428);
    const ok = await call(ep.url, 'PUT', `/v1/audiences/${id}`, { token: admin, body: metadata({ name: 'Renamed' }), headers: { 'if-match': etag } });
    assert.strictEqual(ok.status, 200);
    assert.strictEqual(ok.headers.etag, '"2"');
    const stale = await call(ep.url, 'PUT', `/v1/audiences/${id}`, { token: admin, body: metadata({ name: 'Lost update' }), headers: { 'if-match': etag } });
    assert.strictEqual(stale.status, 412);
    assert.strictEqual(stale.body.error.code, 'stale');
    const staleDelete = await call(ep.url, 'DELETE', `/v1/audiences/${id}`, { token: admin, headers: { 'if-match': etag } });
    assert.strictEqual(staleDelete.status, 412);
    const now = await call(ep.url, 'GET', `/v1/audiences/${id}`, { token: admin });
    assert.strictEqual(now.body.name, 'Renamed');
    assert.strictEqual(now.body.revision, 2);
  });

  it('answers 413 to a body over the limit and keeps serving', async () => {
    const { id } = await createAudience();
    const runId = await openRun(id);
    const huge = { identities: makeIdentities(12_000) };
    const res = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, body: huge });
    assert.strictEqual(res.status, 413);
    assert.strictEqual(res.body.error.code, 'too_large');
    const status = await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin });
    assert.deepStrictEqual(status.body.receivedBatches, []);
  });

  it('enforces the identities-per-audience limit and the metadata limits', async () => {
    const { id } = await createAudience();
    const runId = await openRun(id);
    for (let n = 0; n < 5; n++) {
      assert.strictEqual((await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/${n}`, { token: admin, body: { identities: makeIdentities(1000, 'x', n * 1000) } })).status, 201);
    }
    const over = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/5`, { token: admin, body: { identities: makeIdentities(1, 'y') } });
    assert.strictEqual(over.status, 400);
    assert.strictEqual(over.body.error.code, 'limit_exceeded');
    assert.strictEqual((await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin })).body.stagedIdentities, 5000);

    const lookback = await call(ep.url, 'POST', '/v1/audiences', { token: admin, body: metadata({ filterId: 'l', lookbackDays: 91 }) });
    assert.strictEqual(lookback.status, 400);
    assert.strictEqual(lookback.body.error.field, '/lookbackDays');
    const expiry = await call(ep.url, 'POST', '/v1/audiences', { token: admin, body: metadata({ filterId: 'e', expires: futureDate(13 * 31 + 5) }) });
    assert.strictEqual(expiry.status, 400);
    assert.strictEqual(expiry.body.error.code, 'limit_exceeded');
    assert.strictEqual(expiry.body.error.field, '/expires');
    const refresh = await call(ep.url, 'POST', '/v1/audiences', { token: admin, body: { ...metadata({ filterId: 'r' }), refresh: 'hourly' } });
    assert.strictEqual(refresh.status, 400);
    assert.strictEqual(refresh.body.error.field, '/refresh');
    const namespace = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/6`, { token: admin, body: { identities: [{ namespace: 'CRM', id: '1' }] } });
    assert.strictEqual(namespace.status, 400);
    assert.strictEqual(namespace.body.error.field, '/identities/0/namespace');
  });

  it('answers 401 without or with a bad token, 403 without permission, and follows grants and revocations', async () => {
    assert.strictEqual((await call(ep.url, 'GET', '/v1/audiences')).status, 401);
    const bad = await call(ep.url, 'GET', '/v1/audiences', { token: 'af_wrong' });
    assert.strictEqual(bad.status, 401);
    assert.strictEqual(bad.body.error.code, 'invalid_token');
    assert.ok(bad.headers['www-authenticate']);

    const created = await call(ep.url, 'POST', '/v1/users', { token: admin, body: { name: 'bob', role: 'user' } });
    assert.strictEqual(created.status, 201);
    assertSchema('user-created.json', created.body);
    const bob = created.body.token as string;
    const bobId = created.body.user.id as string;
    assert.strictEqual(created.body.user.access.audiencePublishing, false);

    assert.strictEqual((await call(ep.url, 'GET', '/v1/audiences', { token: bob })).status, 200, 'reading needs no permission');
    const denied = await call(ep.url, 'POST', '/v1/audiences', { token: bob, body: metadata() });
    assert.strictEqual(denied.status, 403);
    assert.strictEqual(denied.body.error.permission, 'audience-publishing');
    assert.match(denied.body.error.message, /Audience Publishing/);
    assert.strictEqual((await call(ep.url, 'GET', '/v1/users', { token: bob })).status, 403, 'only admins view access');

    const granted = await call(ep.url, 'PUT', `/v1/users/${bobId}/permissions/audience-publishing`, { token: admin });
    assert.strictEqual(granted.status, 200);
    assert.deepStrictEqual([granted.body.access.audiencePublishing, granted.body.access.source, granted.body.access.grantedBy], [true, 'grant', 'admin']);
    const { id } = await createAudience(bob);
    const runId = await openRun(id, bob);

    const users = await call(ep.url, 'GET', '/v1/users', { token: admin });
    assertSchema('user-list.json', users.body);
    const adminUser = users.body.users.find((u: { name: string }) => u.name === 'admin');
    assert.deepStrictEqual(adminUser.access, { audiencePublishing: true, source: 'role' });
    const cannot = await call(ep.url, 'DELETE', `/v1/users/${adminUser.id}/permissions/audience-publishing`, { token: admin });
    assert.strictEqual(cannot.status, 409);

    const revoked = await call(ep.url, 'DELETE', `/v1/users/${bobId}/permissions/audience-publishing`, { token: admin });
    assert.strictEqual(revoked.body.access.audiencePublishing, false);
    const afterRevoke = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: bob, body: { identities: makeIdentities(3) } });
    assert.strictEqual(afterRevoke.status, 403);
    assert.deepStrictEqual((await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: bob })).body.receivedBatches, []);

    const rotated = await call(ep.url, 'POST', `/v1/users/${bobId}/token`, { token: admin });
    assert.strictEqual(rotated.status, 200);
    assert.strictEqual((await call(ep.url, 'GET', '/v1/me', { token: bob })).status, 401, 'the old token stops working');
    assert.strictEqual((await call(ep.url, 'GET', '/v1/me', { token: rotated.body.token })).body.name, 'bob');
  });

  it('refuses path traversal and unknown routes without touching files', async () => {
    for (const p of ['/v1/../etc/passwd', '/v1/audiences/..%2F..%2Fetc%2Fpasswd', '/v1/%2e%2e/%2e%2e/etc/passwd', '/v1/audiences/%2e%2e', '/v1/runs/run_1%5C..%5Cx', '/%ZZ']) {
      const res = await call(ep.url, 'GET', p, { token: admin });
      assert.ok(res.status === 400 || res.status === 404, `${p} -> ${res.status}`);
      assertSchema('error.json', res.body);
    }
    assert.strictEqual((await call(ep.url, 'GET', '/v1/../etc/passwd', { token: admin })).body.error.code, 'invalid_path');
    assert.strictEqual((await call(ep.url, 'GET', '/v2/audiences', { token: admin })).status, 404);
    assert.strictEqual((await call(ep.url, 'GET', '/v1/audiences/aud_!', { token: admin })).status, 404);
    assert.strictEqual((await call(ep.url, 'GET', '/etc/passwd')).status, 404);
    assert.strictEqual((await call(ep.url, 'PATCH', '/v1/audiences', { token: admin })).status, 405);
  });

  it('answers malformed bodies with 400 naming the field, and changes nothing', async () => {
    const { id, etag } = await createAudience();
    const runId = await openRun(id);
    const cases: Array<[string, string, unknown, string]> = [
      ['PUT', `/v1/runs/${runId}/batches/0`, { identities: [{ namespace: 'ECID' }] }, '/identities/0/id'],
      ['PUT', `/v1/runs/${runId}/batches/0`, { identities: [{ namespace: 'ECID', id: '' }] }, '/identities/0/id'],
      ['PUT', `/v1/runs/${runId}/batches/0`, { identities: [{ namespace: 'ECID', id: 'a' }, { namespace: 'E C', id: 'b' }] }, '/identities/1/namespace'],
      ['PUT', `/v1/runs/${runId}/batches/0`, { identities: [{ namespace: 'ECID', id: 'a', extra: 1 }] }, '/identities/0/extra'],
      ['PUT', `/v1/runs/${runId}/batches/0`, { identities: [] }, '/identities'],
      ['PUT', `/v1/runs/${runId}/batches/0`, { people: [] }, '/identities'],
      ['POST', `/v1/runs/${runId}/commit`, { batchCount: -1 }, '/batchCount'],
      ['PUT', `/v1/audiences/${id}`, { ...metadata(), lookbackDays: '30' }, '/lookbackDays'],
      ['PUT', `/v1/audiences/${id}`, { ...metadata(), namespaces: [] }, '/namespaces'],
      ['POST', '/v1/audiences', { ...metadata({ filterId: 'Not Kebab' }) }, '/filterId'],
      ['POST', '/v1/users', { name: 'carol' }, '/role'],
    ];
    for (const [method, p, body, field] of cases) {
      const res = await call(ep.url, method, p, { token: admin, body, headers: { 'if-match': etag } });
      assert.strictEqual(res.status, 400, `${method} ${p} ${JSON.stringify(body)}`);
      assertSchema('error.json', res.body);
      assert.strictEqual(res.body.error.field, field, `${JSON.stringify(body)}: ${res.body.error.message}`);
    }
    const notJson = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, rawBody: '{"identities": [' });
    assert.strictEqual(notJson.status, 400);
    assert.strictEqual(notJson.body.error.code, 'invalid_json');
    const deep = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, rawBody: `{"identities": [${'['.repeat(100_000)}${']'.repeat(100_000)}]}` });
    assert.deepStrictEqual([deep.status, deep.body.error.code, deep.body.error.message], [400, 'invalid_json', 'The request body is not accepted: nesting deeper than 64 levels.']);
    const wrongType = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, rawBody: 'identities', headers: { 'content-type': 'text/plain' } });
    assert.strictEqual(wrongType.status, 415);
    const badNumber = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/-1`, { token: admin, body: { identities: makeIdentities(1) } });
    assert.strictEqual(badNumber.status, 404);

    const run = await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin });
    assert.deepStrictEqual([run.body.receivedBatches, run.body.stagedIdentities, run.body.status], [[], 0, 'open']);
    const audience = await call(ep.url, 'GET', `/v1/audiences/${id}`, { token: admin });
    assert.strictEqual(audience.headers.etag, etag);
    assert.strictEqual((await call(ep.url, 'GET', '/v1/audiences', { token: admin })).body.audiences.length, 1);
    assert.strictEqual((await call(ep.url, 'GET', '/v1/users', { token: admin })).body.users.length, 1);
  });

  it('keeps filter ids unique among live audiences (409 naming the existing one)', async () => {
    const { id } = await createAudience();
    const dup = await call(ep.url, 'POST', '/v1/audiences', { token: admin, body: metadata() });
    assert.strictEqual(dup.status, 409);
    assert.strictEqual(dup.body.error.code, 'audience_exists');
    assert.strictEqual(dup.body.error.audienceId, id);
    const byFilter = await call(ep.url, 'GET', '/v1/audiences?filterId=checkout-abandoners', { token: admin });
    assert.strictEqual(byFilter.body.audiences[0].id, id);
  });
});

describe('rate limit', function () {
  this.timeout(10_000);
  it('answers 429 with Retry-After once the bucket is empty', async () => {
    const ep = await startTestEndpoint({ rateLimit: { requestsPerSecond: 0.5, burst: 2 } });
    try {
      assert.strictEqual((await call(ep.url, 'GET', '/v1/audiences', { token: ep.adminToken })).status, 200);
      assert.strictEqual((await call(ep.url, 'GET', '/v1/audiences', { token: ep.adminToken })).status, 200);
      const limited = await call(ep.url, 'GET', '/v1/audiences', { token: ep.adminToken });
      assert.strictEqual(limited.status, 429);
      assert.strictEqual(limited.headers['retry-after'], '2');
      assert.strictEqual(limited.body.error.code, 'rate_limited');
      assert.strictEqual((await call(ep.url, 'GET', '/v1/health')).status, 200, 'health is never limited');
    } finally {
      await stopAndRemove(ep);
    }
  });
});

describe('restart', function () {
  this.timeout(10_000);
  it('keeps committed data and open runs across a restart, and does not recreate the admin token', async () => {
    const ep = await startTestEndpoint();
    const { runId } = await audienceWithOpenRun(ep);
    await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: ep.adminToken, body: { identities: makeIdentities(7) } });
    await ep.close();
    const again = await startTestEndpoint({ dbPath: ep.dbPath });
    try {
      assert.strictEqual(again.newAdminToken, undefined);
      assert.strictEqual(again.adminToken, ep.adminToken);
      const status = await call(again.url, 'GET', `/v1/runs/${runId}`, { token: ep.adminToken });
      assert.deepStrictEqual(status.body.receivedBatches, [0]);
      const commit = await call(again.url, 'POST', `/v1/runs/${runId}/commit`, { token: ep.adminToken, body: { batchCount: 1 } });
      assert.strictEqual(commit.body.result.entered, 7);
    } finally {
      await stopAndRemove(ep, again);
    }
  });
});

describe('idle runs expire', function () {
  this.timeout(10_000);
  const HOUR = 3_600_000;
  // Today at 10:00 UTC: the audiences' expiry dates (futureDate) are relative to the real date.
  const t0 = Date.parse(`${new Date().toISOString().slice(0, 10)}T10:00:00.000Z`);
  const at = (minutes: number): string => new Date(t0 + minutes * 60_000).toISOString();
  let now = t0;
  const clock = (): Date => new Date(now);
  let ep: TestEndpoint;
  let logged: string[];

  beforeEach(async () => {
    now = t0;
    logged = [];
    ep = await startTestEndpoint({ clock, log: (line) => logged.push(line) });
  });
  afterEach(async () => {
    await stopAndRemove(ep);
  });

  it('an open run expires an hour after its last batch: aborted with the reason, nothing committed, the audience free again', async () => {
    const { audienceId, runId } = await audienceWithOpenRun(ep);
    const admin = ep.adminToken;
    let status = await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin });
    assertSchema('run.json', status.body);
    assert.strictEqual(status.body.expiresAt, at(60));

    // A batch 59 minutes in keeps it alive and moves the expiry.
    now = t0 + 59 * 60_000;
    assert.strictEqual((await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/0`, { token: admin, body: { identities: makeIdentities(5, 'idle') } })).status, 201);
    status = await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin });
    assert.strictEqual(status.body.status, 'open');
    assert.strictEqual(status.body.expiresAt, at(119));

    // While it is open, a second run is refused with who, since when and until when.
    const second = await call(ep.url, 'POST', `/v1/audiences/${audienceId}/runs`, { token: admin, body: {} });
    assert.strictEqual(second.status, 409);
    assert.strictEqual(second.body.error.message,
      `Audience ${audienceId} already has an open run ${runId}, started by admin at ${at(0)}, last active at ${at(59)}. ` +
      `Resume it, abort it, or let it expire at ${at(119)}.`);

    // At the expiry instant it is still open (inclusive); a millisecond later it is gone.
    now = t0 + 119 * 60_000;
    assert.strictEqual((await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin })).body.status, 'open');
    assert.deepStrictEqual(logged.filter((l) => l.includes('expired')), []);
    now += 1;
    const audience = await call(ep.url, 'GET', `/v1/audiences/${audienceId}`, { token: admin });
    assert.strictEqual(audience.body.openRunId, null);
    status = await call(ep.url, 'GET', `/v1/runs/${runId}`, { token: admin });
    assertSchema('run.json', status.body);
    assert.deepStrictEqual([status.body.status, status.body.abortReason, status.body.expiresAt], ['aborted', 'expired: no batch for 1 hour', null]);
    assert.deepStrictEqual(logged.filter((l) => l.includes('expired')), [`run ${runId} of audience ${audienceId} expired (expired: no batch for 1 hour); nothing of it was committed`]);

    const late = await call(ep.url, 'PUT', `/v1/runs/${runId}/batches/1`, { token: admin, body: { identities: makeIdentities(5, 'late') } });
    assert.strictEqual(late.status, 409);
    assert.strictEqual(late.body.error.code, 'run_aborted');
    assert.strictEqual(late.body.error.message, `Run ${runId} is aborted (expired: no batch for 1 hour); it accepts no more changes. Start a new run.`);
    const commit = await call(ep.url, 'POST', `/v1/runs/${runId}/commit`, { token: admin, body: { batchCount: 1 } });
    assert.strictEqual(commit.status, 409);
    assert.deepStrictEqual(await committedMembers(ep.url, admin, audienceId), []);
    assert.strictEqual((await call(ep.url, 'GET', '/v1/profiles?namespace=ECID&id=idle-0', { token: admin })).status, 404, 'an expired run creates no profile');
    assert.strictEqual((await call(ep.url, 'POST', `/v1/audiences/${audienceId}/runs`, { token: admin, body: {} })).status, 201);
  });

  it('a run left open when the endpoint stopped expires at the next start once idle', async () => {
    const { audienceId, runId } = await audienceWithOpenRun(ep);
    await ep.close();
    now = t0 + HOUR + 1;
    const lines: string[] = [];
    const again = await startTestEndpoint({ dbPath: ep.dbPath, clock, log: (line) => lines.push(line) });
    try {
      assert.deepStrictEqual(lines.filter((l) => l.includes('expired')), [`run ${runId} of audience ${audienceId} expired (expired: no batch for 1 hour); nothing of it was committed`]);
      const status = await call(again.url, 'GET', `/v1/runs/${runId}`, { token: again.adminToken });
      assert.strictEqual(status.body.status, 'aborted');
    } finally {
      await stopAndRemove(again);
    }
  });

  it('the idle limit is the endpoint\'s to set, and an abort keeps who aborted it and why', async () => {
    await ep.close();
    const custom = await startTestEndpoint({ clock, limits: { runIdleMs: 5 * 60_000 } });
    try {
      const created = await call(custom.url, 'POST', '/v1/audiences', { token: custom.adminToken, body: metadata() });
      const first = await call(custom.url, 'POST', `/v1/audiences/${created.body.id}/runs`, { token: custom.adminToken, body: {} });
      assert.strictEqual(first.body.expiresAt, at(5));
      now = t0 + 5 * 60_000 + 1;
      const status = await call(custom.url, 'GET', `/v1/runs/${first.body.id}`, { token: custom.adminToken });
      assert.strictEqual(status.body.abortReason, 'expired: no batch for 5 minutes');
      const next = await call(custom.url, 'POST', `/v1/audiences/${created.body.id}/runs`, { token: custom.adminToken, body: {} });
      const aborted = await call(custom.url, 'POST', `/v1/runs/${next.body.id}/abort`, { token: custom.adminToken, body: { reason: '  wrong data view ' } });
      assert.strictEqual(aborted.body.abortReason, 'aborted by admin: wrong data view');
    } finally {
      await stopAndRemove(custom);
    }
    ep = await startTestEndpoint({ clock }); // for afterEach
  });
});

describe('database upgrade', function () {
  this.timeout(10_000);
  it('a version 1 database upgrades in place, keeping its audiences, memberships and open runs', async () => {
    // A version 1 database as that version wrote it: one committed audience (ECID a and b
    // members, c exited) and an open run that staged b, d and b again.
    const dir = tempDir();
    const dbPath = path.join(dir, 'v1.db');
    const old = new BetterSqlite3(dbPath);
    createVersion1(old);
    const t1 = '2026-01-01T00:00:00.000Z';
    const t0 = '2025-12-01T00:00:00.000Z';
    old.prepare('INSERT INTO audiences (seq, id, metadata, filter_id, revision, size, version, last_refreshed_at, created_at, updated_at, created_by) VALUES (1, ?, ?, ?, 1, 2, 1, ?, ?, ?, ?)')
      .run('aud_old1', JSON.stringify({ ...metadata(), owner: 'admin' }), metadata().filterId, t1, t0, t0, 'admin');
    old.exec(`INSERT INTO identities (nid, namespace, id) VALUES (1, 'ECID', 'a'), (2, 'ECID', 'b'), (3, 'ECID', 'c');
      INSERT INTO memberships VALUES (1, 1, 'existing', '${t1}', NULL, 1), (1, 2, 'realized', '${t1}', NULL, 1), (1, 3, 'exited', '${t0}', '${t1}', 1);
      INSERT INTO runs (seq, id, audience_seq, status, staged, created_at, created_by, updated_at) VALUES (2, 'run_open1', 1, 'open', 3, '${t1}', 'admin', '${t1}');
      INSERT INTO batches VALUES (2, 0, 'x', 3, '${t1}');
      INSERT INTO staged VALUES (2, 'ECID', 'b'), (2, 'ECID', 'd'), (2, 'ECID', 'b');`);
    old.pragma('user_version = 1');
    old.close();
    const ep = await startTestEndpoint({ dbPath, limits: { runIdleMs: 1000 * 86_400_000 } });
    try {
      const admin = ep.adminToken;
      assert.deepStrictEqual(await committedMembers(ep.url, admin, 'aud_old1'), ['ECID|a', 'ECID|b']);
      const status = await call(ep.url, 'GET', '/v1/runs/run_open1', { token: admin });
      assert.deepStrictEqual([status.body.status, status.body.abortReason, status.body.stagedIdentities, status.body.receivedBatches], ['open', null, 3, [0]]);
      const done = await call(ep.url, 'POST', '/v1/runs/run_open1/commit', { token: admin, body: { batchCount: 1 } });
      assert.strictEqual(done.status, 200, JSON.stringify(done.body));
      assert.deepStrictEqual(done.body.result, { audienceVersion: 2, entered: 1, existing: 1, exited: 1, total: 2 });
      assert.deepStrictEqual(await committedMembers(ep.url, admin, 'aud_old1'), ['ECID|b', 'ECID|d']);
      const profile = async (id: string): Promise<unknown> => {
        const m = (await call(ep.url, 'GET', `/v1/profiles?namespace=ECID&id=${id}`, { token: admin })).body.memberships[0];
        return [m.status, m.lastQualificationTime, m.exitedAt ?? null, m.audienceVersion];
      };
      const committedAt = done.body.committedAt as string;
      assert.deepStrictEqual(await profile('a'), ['exited', t1, committedAt, 2]);
      assert.deepStrictEqual(await profile('b'), ['existing', committedAt, null, 2]);
      assert.deepStrictEqual(await profile('c'), ['exited', t0, t1, 1]);
      assert.deepStrictEqual(await profile('d'), ['realized', committedAt, null, 2]);
      const check = new BetterSqlite3(dbPath, { readonly: true });
      assert.strictEqual(check.pragma('user_version', { simple: true }), 3);
      assert.deepStrictEqual(check.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'staged%' ORDER BY name").pluck().all(), [], 'the commit dropped the run\'s staged table and the upgrade the shared one');
      check.close();
    } finally {
      await stopAndRemove(ep);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('listening', function () {
  this.timeout(10_000);
  it('warns when it serves plain HTTP beyond loopback, where clients refuse to send tokens', async () => {
    const lines: string[] = [];
    const ep = await startTestEndpoint({ host: '0.0.0.0', log: (line) => lines.push(line) });
    try {
      assert.deepStrictEqual(lines.filter((l) => l.startsWith('Warning')), [
        'Warning: plain HTTP on 0.0.0.0: clients on other machines refuse to send their token to it. Serve HTTPS with --tls-cert and --tls-key.',
      ]);
    } finally {
      await stopAndRemove(ep);
    }
    const local: string[] = [];
    const loopback = await startTestEndpoint({ log: (line) => local.push(line) });
    await stopAndRemove(loopback);
    assert.deepStrictEqual(local.filter((l) => l.startsWith('Warning')), []);
  });
});
