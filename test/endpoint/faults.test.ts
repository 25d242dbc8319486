import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { publish, PublishProgress } from '../../core/src/publish/publish';
import { planPublish } from '../../core/src/publish/plan';
import { describeFailure } from '../../client/src/publish/messages';
import { Identity } from '../../core/src/publish/protocol';
import { EndpointProcess, spawnEndpointProcess } from '../../endpoint/src/childProcess';
import { RawResponse, TestEndpoint, call, committedMembers, keys, makeIdentities, metadata, startCuttingProxy, startTestEndpoint, tempDir } from './harness';

const patient = { retries: 40, baseMs: 10, maxMs: 150 };

async function* pausedHalfway(items: Identity[], until: Promise<void>): AsyncGenerator<Identity> {
  for (let i = 0; i < items.length; i++) {
    if (i === items.length / 2) await until;
    yield items[i];
  }
}

/** The committed membership in pages of 50,000 (the largest the endpoint serves). */
async function allMembers(url: string, token: string, audienceId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const res: RawResponse = await call(url, 'GET', `/v1/audiences/${audienceId}/members?limit=50000${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    for (const m of res.body.members as Identity[]) out.push(`${m.namespace}|${m.id}`);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out.sort();
}

describe('fault tolerance: the committed membership is exactly the audience', function () {
  this.timeout(60_000);

  describe('endpoint killed (kill -9) and restarted', () => {
    let dir: string;
    let proc: EndpointProcess;
    let token: string;

    beforeEach(async () => {
      dir = tempDir();
      proc = await spawnEndpointProcess({ dbPath: path.join(dir, 'e.db') });
      token = fs.readFileSync(proc.adminTokenFile, 'utf8').trim();
    });
    afterEach(async () => {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function killAndRestart(): Promise<void> {
      const port = proc.port;
      proc.child.kill('SIGKILL');
      await proc.exited;
      proc = await spawnEndpointProcess({ dbPath: path.join(dir, 'e.db'), port });
    }

    it('mid-upload: the same publish call retries through the outage and completes', async () => {
      const previous = makeIdentities(3000, 'old');
      const r0 = await publish({ endpoint: proc.url, token, audience: metadata(), identities: previous }, { batchSize: 1000 });
      assert.ok(r0.ok);
      const wanted = [...previous.slice(1000), ...makeIdentities(20_000, 'new')];
      let restart: Promise<void> | undefined;
      const r = await publish({ endpoint: proc.url, token, audience: metadata(), identities: wanted }, {
        batchSize: 500, retry: patient,
        onProgress: (p) => {
          if (p.batchesSent === 8 && !restart) restart = killAndRestart();
        },
      });
      await restart;
      assert.ok(restart, 'the endpoint was killed');
      assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
      assert.deepStrictEqual([r.value.entered, r.value.existing, r.value.exited, r.value.total], [20_000, 2000, 1000, 22_000]);
      assert.deepStrictEqual(await committedMembers(proc.url, token, r.value.audienceId), keys(wanted));
    });

    it('mid-upload with a client that gives up: a later publish resumes the run, sending only missing batches', async () => {
      const wanted = makeIdentities(12_000);
      let killed: Promise<void> | undefined;
      const port = proc.port;
      const first = await publish({ endpoint: proc.url, token, audience: metadata(), identities: wanted }, {
        batchSize: 500, retry: { retries: 2, baseMs: 1, maxMs: 5 },
        onProgress: (p) => {
          if (p.batchesSent === 10 && !killed) {
            proc.child.kill('SIGKILL');
            killed = proc.exited.then(() => undefined);
          }
        },
      });
      await killed;
      assert.ok(!first.ok);
      assert.strictEqual(first.error.resumable, true);
      assert.ok(first.error.runId);
      assert.match(first.error.message, /resume/);
      proc = await spawnEndpointProcess({ dbPath: path.join(dir, 'e.db'), port });

      const before = await call(proc.url, 'GET', `/v1/runs/${first.error.runId}`, { token });
      assert.strictEqual(before.body.status, 'open', 'the uncommitted run survived the crash');
      let last: PublishProgress | undefined;
      const resumed = await publish({ endpoint: proc.url, token, audience: metadata(), identities: wanted }, {
        batchSize: 500, resumeRunId: first.error.runId, onProgress: (p) => (last = p),
      });
      assert.ok(resumed.ok, JSON.stringify(!resumed.ok && resumed.error));
      assert.strictEqual(resumed.value.runId, first.error.runId);
      assert.strictEqual(last?.batchesSkipped, before.body.receivedBatches.length);
      assert.ok(before.body.receivedBatches.length >= 10);
      assert.strictEqual(resumed.value.total, 12_000);
      assert.deepStrictEqual(await committedMembers(proc.url, token, resumed.value.audienceId), keys(wanted));
    });

    it('at the commit: the commit is applied exactly once', async () => {
      const previous = makeIdentities(4000, 'old');
      const r0 = await publish({ endpoint: proc.url, token, audience: metadata(), identities: previous }, { batchSize: 1000 });
      assert.ok(r0.ok);
      const wanted = [...previous.slice(0, 2000), ...makeIdentities(8000, 'new')];
      let restart: Promise<void> | undefined;
      const r = await publish({ endpoint: proc.url, token, audience: metadata(), identities: wanted }, {
        batchSize: 1000, retry: patient,
        onProgress: (p) => {
          if (p.phase === 'commit' && !restart) restart = killAndRestart();
        },
      });
      await restart;
      assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
      assert.deepStrictEqual([r.value.entered, r.value.existing, r.value.exited, r.value.total, r.value.audienceVersion], [8000, 2000, 2000, 10_000, 2]);
      assert.deepStrictEqual(await committedMembers(proc.url, token, r.value.audienceId), keys(wanted));
    });
    it('a 1M-identity audience, killed in the middle of its commit: readers kept the previous membership, and the retried commit is exact', async function () {
      this.timeout(600_000);
      const previous = makeIdentities(1_000_000, 'old');
      const r0 = await publish({ endpoint: proc.url, token, audience: metadata(), identities: previous }, { batchSize: 10_000 });
      assert.ok(r0.ok, JSON.stringify(!r0.ok && r0.error));
      const audienceId = r0.value.audienceId;
      const wanted = [...previous.slice(500_000), ...makeIdentities(500_000, 'new')];
      let inCommit: Promise<{ busy: number; reader: RawResponse }> | undefined;
      const r = await publish({ endpoint: proc.url, token, audience: metadata(), identities: wanted }, {
        batchSize: 10_000, retry: patient,
        onProgress: (p) => {
          if (p.phase === 'commit' && !inCommit) inCommit = killMidCommit(audienceId);
        },
      });
      assert.ok(inCommit);
      const seen = await inCommit;
      // While the worker held the write lock a write got 503 busy and a reader its answer: the previous membership.
      assert.strictEqual(seen.busy, 503);
      assert.deepStrictEqual([seen.reader.status, seen.reader.body.audienceVersion, seen.reader.body.size], [200, 1, 1_000_000]);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
      assert.deepStrictEqual([r.value.entered, r.value.existing, r.value.exited, r.value.total, r.value.audienceVersion], [500_000, 500_000, 500_000, 1_000_000, 2]);
      assert.deepStrictEqual(await allMembers(proc.url, token, audienceId), keys(wanted));
    });

    /**
     * Waits until the endpoint is inside the commit's transaction (a harmless write, a PUT with a
     * stale If-Match, answers 503 busy instead of 412), reads the audience, then kills the endpoint
     * and starts it again. Fails if the commit ended before it was caught.
     */
    async function killMidCommit(audienceId: string): Promise<{ busy: number; reader: RawResponse }> {
      for (;;) {
        const write = await call(proc.url, 'PUT', `/v1/audiences/${audienceId}`, { token, body: metadata(), headers: { 'if-match': '"0"' } });
        if (write.status === 503) {
          assert.strictEqual(write.body.error.code, 'busy');
          assert.strictEqual(write.headers['retry-after'], '1');
          const reader = await call(proc.url, 'GET', `/v1/audiences/${audienceId}`, { token });
          await killAndRestart();
          return { busy: write.status, reader };
        }
        assert.strictEqual(write.status, 412, JSON.stringify(write.body));
        const audience = await call(proc.url, 'GET', `/v1/audiences/${audienceId}`, { token });
        if (audience.body.audienceVersion !== 1) throw new Error('the commit ended before the test saw it running');
      }
    }
  });

  describe('in-process endpoint', () => {
    let ep: TestEndpoint | undefined;
    afterEach(async () => {
      if (ep) {
        await ep.close();
        fs.rmSync(ep.dir, { recursive: true, force: true });
        ep = undefined;
      }
    });

    it('connections cut mid-request and mid-response by a TCP proxy', async () => {
      ep = await startTestEndpoint();
      const proxy = await startCuttingProxy(ep.port, { spareRate: 0.1, seed: 7, maxBytes: 60_000 });
      try {
        const first = makeIdentities(6000, 'a');
        const r1 = await publish({ endpoint: proxy.url, token: ep.adminToken, audience: metadata(), identities: first }, { batchSize: 400, retry: patient });
        assert.ok(r1.ok, JSON.stringify(!r1.ok && r1.error));
        const second = [...first.slice(3000), ...makeIdentities(4000, 'b')];
        const plan = await planPublish({ endpoint: proxy.url, token: ep.adminToken, audience: metadata(), identities: second }, { retry: patient });
        assert.ok(plan.ok, JSON.stringify(!plan.ok && plan.error));
        assert.deepStrictEqual([plan.value.diff.entering, plan.value.diff.staying, plan.value.diff.exiting], [4000, 3000, 3000]);
        const r2 = await publish(plan.value, { batchSize: 400, retry: patient });
        assert.ok(r2.ok, JSON.stringify(!r2.ok && r2.error));
        assert.deepStrictEqual([r2.value.entered, r2.value.existing, r2.value.exited, r2.value.total], [4000, 3000, 3000, 7000]);
        assert.ok(proxy.cuts() > 5, `the proxy cut ${proxy.cuts()} connections`);
        assert.deepStrictEqual(await committedMembers(ep.url, ep.adminToken, r2.value.audienceId), keys(second));
      } finally {
        await proxy.close();
      }
    });

    it('random 500 / 503 / 429 answers, before and after the work was committed', async () => {
      ep = await startTestEndpoint({ faults: { failRate: 0.3, seed: 42, afterShare: 0.5 } });
      const first = makeIdentities(5000, 'a');
      const retries: number[] = [];
      const r1 = await publish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: first }, {
        batchSize: 250, retry: patient, onProgress: (p) => retries.push(p.retries),
      });
      assert.ok(r1.ok, JSON.stringify(!r1.ok && r1.error));
      assert.ok(Math.max(...retries) > 3, 'faults were injected and retried');
      const second = [...first.slice(0, 1000), ...makeIdentities(2000, 'b')];
      const r2 = await publish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: second }, { batchSize: 250, retry: patient });
      assert.ok(r2.ok, JSON.stringify(!r2.ok && r2.error));
      assert.deepStrictEqual([r2.value.entered, r2.value.existing, r2.value.exited, r2.value.total], [2000, 1000, 4000, 3000]);
      // Check through a fault-free endpoint on the same database.
      await ep.close();
      const clean = await startTestEndpoint({ dbPath: ep.dbPath });
      try {
        assert.deepStrictEqual(await committedMembers(clean.url, ep.adminToken, r2.value.audienceId), keys(second));
        const audiences = await call(clean.url, 'GET', '/v1/audiences', { token: ep.adminToken });
        assert.strictEqual(audiences.body.audiences.length, 1, 'a create retried after a fault never made a second audience');
        assert.strictEqual(audiences.body.audiences[0].audienceVersion, 2, 'each publish committed exactly once');
      } finally {
        await clean.close();
        fs.rmSync(clean.dir, { recursive: true, force: true });
      }
    });

    it('two publishes racing on one audience: one wins, the other gets run_conflict', async () => {
      ep = await startTestEndpoint();
      const a = makeIdentities(4000, 'a');
      const b = makeIdentities(3000, 'b');
      let racer: ReturnType<typeof publish> | undefined;
      const endpoint = ep.url;
      const token = ep.adminToken;
      // The winner's source pauses half way until the racer has finished, so the race is certain.
      let racerSettled!: () => void;
      const racerDone = new Promise<void>((resolve) => (racerSettled = resolve));
      const winner = await publish({ endpoint, token, audience: metadata(), identities: pausedHalfway(a, racerDone) }, {
        batchSize: 500,
        onProgress: (p) => {
          if (p.phase === 'upload' && !racer) {
            racer = publish({ endpoint, token, audience: metadata(), identities: b }, { batchSize: 500 });
            void racer.then(() => racerSettled());
          }
        },
      });
      const loser = await racer;
      assert.ok(winner.ok, JSON.stringify(!winner.ok && winner.error));
      assert.ok(loser && !loser.ok);
      assert.strictEqual(loser.error.code, 'run_conflict');
      assert.strictEqual(loser.error.runId, winner.value.runId);
      assert.match(loser.error.message, new RegExp(`^Another publish of this audience is in progress\\. Audience ${winner.value.audienceId} already has an open run ${winner.value.runId}, started by admin at `));
      // The open run is the same user's, for the same definition hash: it may be an interrupted publish of
      // this plan, so the message and VS Code offer to resume it as well as to abort it (the user's call).
      assert.ok(loser.error.message.endsWith(' You started it for this same definition (an interrupted publish?): resume it to send only the batches it lacks, or abort it.'), loser.error.message);
      assert.strictEqual(loser.error.resumable, true);
      assert.deepStrictEqual(describeFailure(loser.error), { message: loser.error.message, actions: ['resume', 'abort-run', 'show-output'] });
      assert.deepStrictEqual(await committedMembers(ep.url, ep.adminToken, winner.value.audienceId), keys(a));
    });

    it('two publishes racing with onConflict "wait": the second runs after the first, nothing lost or doubled', async () => {
      ep = await startTestEndpoint();
      const a = makeIdentities(4000, 'a');
      const b = [...a.slice(0, 1500), ...makeIdentities(1000, 'b')];
      let racer: ReturnType<typeof publish> | undefined;
      const endpoint = ep.url;
      const token = ep.adminToken;
      // The first publish pauses half way until the second has met the open run and is waiting.
      let racerWaiting!: () => void;
      const waiting = new Promise<void>((resolve) => (racerWaiting = resolve));
      const first = await publish({ endpoint, token, audience: metadata(), identities: pausedHalfway(a, waiting) }, {
        batchSize: 500,
        onProgress: (p) => {
          if (p.phase === 'upload' && !racer) {
            racer = publish({ endpoint, token, audience: metadata(), identities: b }, {
              batchSize: 500, onConflict: 'wait', retry: patient,
              onProgress: (q) => {
                if (q.phase === 'run' && q.message.startsWith('Waiting')) racerWaiting();
              },
            });
          }
        },
      });
      const second = await racer;
      assert.ok(first.ok && second?.ok, JSON.stringify(second));
      assert.strictEqual(second.value.audienceId, first.value.audienceId);
      assert.deepStrictEqual([second.value.entered, second.value.existing, second.value.exited, second.value.audienceVersion], [1000, 1500, 2500, 2]);
      assert.deepStrictEqual(await committedMembers(ep.url, ep.adminToken, first.value.audienceId), keys(b));
    });

    it('cancelled mid-run: the run is aborted and the committed membership is untouched', async () => {
      ep = await startTestEndpoint();
      const before = makeIdentities(2000, 'keep');
      const r0 = await publish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: before });
      assert.ok(r0.ok);
      const controller = new AbortController();
      const r = await publish({ endpoint: ep.url, token: ep.adminToken, audience: metadata(), identities: makeIdentities(10_000, 'new') }, {
        batchSize: 500, signal: controller.signal,
        onProgress: (p) => {
          if (p.batchesSent === 4) controller.abort();
        },
      });
      assert.ok(!r.ok);
      assert.strictEqual(r.error.code, 'cancelled');
      assert.match(r.error.message, /nothing was committed/);
      const run = await call(ep.url, 'GET', `/v1/runs/${r.error.runId}`, { token: ep.adminToken });
      assert.strictEqual(run.body.status, 'aborted');
      const audience = await call(ep.url, 'GET', `/v1/audiences/${r0.value.audienceId}`, { token: ep.adminToken });
      assert.deepStrictEqual([audience.body.audienceVersion, audience.body.size, audience.body.openRunId], [1, 2000, null]);
      assert.deepStrictEqual(await committedMembers(ep.url, ep.adminToken, r0.value.audienceId), keys(before));
    });
  });
});
