import * as assert from 'assert';
import { execFileSync, spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { CLI, REPO_ROOT, runCli, startEndpoint } from '../support/cli';


describe('audience-filters plan / publish / audiences against the reference endpoint', () => {
  let dir: string;
  let endpoint: { child: ChildProcess; url: string };
  let token: string;
  const filter = 'examples/filters/checkout-abandoners.filter.yaml';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-cli-publish-'));
    endpoint = await startEndpoint(path.join(dir, 'db.sqlite'));
    token = fs.readFileSync(path.join(dir, 'db.sqlite.admin-token'), 'utf8').trim();
  });

  after(() => {
    endpoint.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes, and the endpoint holds exactly the planned identities', async () => {
    const env = { AUDIENCE_FILTERS_TOKEN: token };
    const plan = runCli(['plan', filter, '--endpoint', endpoint.url, '--json'], { env });
    assert.strictEqual(plan.status, 0, plan.stderr);
    const p = JSON.parse(plan.stdout);
    assert.deepStrictEqual(p.diff.entering, p.total);
    assert.strictEqual(p.leftOut.byReason['namespace-not-allowed'], p.leftOut.byNamespace.CRM ?? 0);

    const pub = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--json'], { env });
    assert.strictEqual(pub.status, 0, pub.stderr);
    const r = JSON.parse(pub.stdout);
    assert.deepStrictEqual(Object.keys(r), ['audienceId', 'runId', 'entered', 'existing', 'exited', 'total', 'leftOut']);
    assert.deepStrictEqual([r.entered, r.existing, r.exited, r.total, r.leftOut], [p.total, 0, 0, p.total, p.leftOut.total]);

    // Read the committed membership back from the endpoint, page by page.
    const members: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await fetch(`${endpoint.url}/v1/audiences/${r.audienceId}/members?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      const page = (await res.json()) as { members: Array<{ namespace: string; id: string }>; nextCursor: string | null };
      members.push(...page.members.map(m => `${m.namespace}:${m.id}`));
      cursor = page.nextCursor;
    } while (cursor);
    assert.strictEqual(members.length, p.total);
    assert.strictEqual(new Set(members).size, p.total);
    assert.ok(members.every(m => m.startsWith('ECID:') || m.startsWith('Email:')));

    // A second publish of the same definition changes nothing.
    const again = JSON.parse(runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--json'], { env }).stdout);
    assert.deepStrictEqual([again.entered, again.existing, again.exited], [0, p.total, 0]);

    const list = runCli(['audiences', '--endpoint', endpoint.url, '--json'], { env });
    const audiences = JSON.parse(list.stdout) as Array<{ id: string; size: number; filterId: string }>;
    assert.deepStrictEqual(audiences.map(a => [a.id, a.filterId, a.size]), [[r.audienceId, 'checkout-abandoners', p.total]]);
  });

  it('the plan says which files and how many rows it was evaluated on, and where the lookback ends', () => {
    const plan = runCli(['plan', filter, '--endpoint', endpoint.url], { env: { AUDIENCE_FILTERS_TOKEN: token } });
    assert.strictEqual(plan.status, 0, plan.stderr);
    const lines = plan.stdout.split('\n');
    assert.strictEqual(lines[1], '  evaluated on 3 sample files: examples/data/web-events.ndjson 12000 events · examples/data/app-events.csv 3000 events · examples/data/crm-events.json 1500 events; 0 rows skipped');
    assert.match(lines[3], /^  refresh \w+, lookback \d+ days to the newest event, 2026-11-27, expires /);
    const json = JSON.parse(runCli(['plan', filter, '--endpoint', endpoint.url, '--json'], { env: { AUDIENCE_FILTERS_TOKEN: token } }).stdout);
    assert.deepStrictEqual(json.anchor, { kind: 'newest-event', date: '2026-11-27' });
    assert.deepStrictEqual(json.data.skippedRows, 0);
  });

  it('a run left open blocks publish with the commands to clear it; --resume finishes it, abort-run aborts one', async () => {
    const env = { AUDIENCE_FILTERS_TOKEN: token };
    const first = JSON.parse(runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--json'], { env }).stdout);
    const openRun = async (): Promise<string> => {
      const res = await fetch(`${endpoint.url}/v1/audiences/${first.audienceId}/runs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      assert.strictEqual(res.status, 201);
      return ((await res.json()) as { id: string }).id;
    };

    // Someone else's run (a crashed publisher's) is open: publish says so and how to clear it.
    const left = await openRun();
    const blocked = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes'], { env });
    assert.strictEqual(blocked.status, 1);
    const lines = blocked.stderr.trimEnd().split('\n');
    assert.match(lines[lines.length - 2], new RegExp(`^publish failed: Another publish of this audience is in progress\\. Audience ${first.audienceId} already has an open run ${left}, started by admin at \\S+, last active at \\S+\\. Resume it, abort it, or let it expire at \\S+\\. \\(run_conflict\\)$`));
    assert.strictEqual(lines[lines.length - 1], `  to abort that run (deliberately): audience-filters abort-run ${left}`);

    // --resume finishes that run: same result as a fresh publish of the same definition.
    const resumed = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--json', '--resume', left], { env });
    assert.strictEqual(resumed.status, 0, resumed.stderr);
    const r = JSON.parse(resumed.stdout);
    assert.deepStrictEqual([r.runId, r.entered, r.existing, r.exited], [left, 0, first.total, 0]);

    // abort-run: aborted with its reason, harmless to repeat; a committed run cannot be aborted.
    const other = await openRun();
    const aborted = runCli(['abort-run', other, '--endpoint', endpoint.url, '--reason', 'stale plan', '--json'], { env });
    assert.strictEqual(aborted.status, 0, aborted.stderr);
    assert.deepStrictEqual(JSON.parse(aborted.stdout), { runId: other, audienceId: first.audienceId, status: 'aborted', abortReason: 'aborted by admin: stale plan', stagedIdentities: 0 });
    const again = runCli(['abort-run', other, '--endpoint', endpoint.url], { env });
    assert.strictEqual(again.stdout, `Run ${other} of audience ${first.audienceId} is aborted (aborted by admin: stale plan); nothing of it was committed.\n`);
    const committed = runCli(['abort-run', left, '--endpoint', endpoint.url], { env });
    assert.strictEqual(committed.status, 1);
    assert.strictEqual(committed.stderr, `could not abort ${left}: Run ${left} is committed; it accepts no more changes. Start a new run. (conflict)\n`);
    const usage = runCli(['abort-run', 'nonsense'], { env });
    assert.deepStrictEqual([usage.status, usage.stderr], [2, 'audience-filters abort-run: "nonsense" is not a run id (run ids look like run_abc123)\n']);
    const notARun = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--resume', 'run_doesnotexist'], { env });
    assert.strictEqual(notARun.status, 1);
    assert.match(notARun.stderr, /publish failed: No run run_doesnotexist\./);
  });

  it('a wrong token is refused with an actionable message that does not echo it', () => {
    const bad = 'wrong-token-1234567890';
    const r = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes'], { env: { AUDIENCE_FILTERS_TOKEN: bad } });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /token/i);
    assert.ok(!r.stderr.includes(bad) && !r.stdout.includes(bad));
  });

  it('without a token it is a usage error', () => {
    const r = runCli(['plan', filter, '--endpoint', endpoint.url], { env: { AUDIENCE_FILTERS_TOKEN: '' } });
    assert.strictEqual(r.status, 2);
    assert.strictEqual(r.stderr, 'audience-filters plan: no endpoint token: set AUDIENCE_FILTERS_TOKEN. A local endpoint (`audience-filters endpoint --db audiences.db`) prints the line to paste, `export AUDIENCE_FILTERS_TOKEN=…`, when it starts (its admin token is in audiences.db.admin-token); for another endpoint, ask its operator for a token\n');
  });

  it('refuses plain HTTP to a non-loopback host', () => {
    const r = runCli(['plan', filter, '--endpoint', 'http://example.com'], { env: { AUDIENCE_FILTERS_TOKEN: token } });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /HTTPS/i);
  });

  it('refuses to publish a filter without an audience block', () => {
    const r = runCli(['publish', path.join(REPO_ROOT, 'examples/filters/high-value-customers.filter.yaml'), '--endpoint', endpoint.url, '--yes'], { env: { AUDIENCE_FILTERS_TOKEN: token } });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /has no `audience:` block/);
  });
});

describe('audience-filters endpoint over HTTPS', function () {
  this.timeout(60_000);
  let dir: string;
  let endpoint: { child: ChildProcess; url: string };
  let token: string;
  let cert: string;
  const filter = 'examples/filters/checkout-abandoners.filter.yaml';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-cli-tls-'));
    cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    // A self-signed certificate for localhost, made by the system's openssl.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    endpoint = await startEndpoint(path.join(dir, 'db.sqlite'), ['--tls-cert', cert, '--tls-key', key]);
    token = fs.readFileSync(path.join(dir, 'db.sqlite.admin-token'), 'utf8').trim();
  });

  after(() => {
    endpoint.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with --tls-cert / --tls-key, and a client that trusts the certificate publishes', () => {
    assert.match(endpoint.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const url = endpoint.url.replace('127.0.0.1', 'localhost');
    const env = { AUDIENCE_FILTERS_TOKEN: token, NODE_EXTRA_CA_CERTS: cert };
    const pub = runCli(['publish', filter, '--endpoint', url, '--yes', '--json'], { env });
    assert.strictEqual(pub.status, 0, pub.stderr);
    const r = JSON.parse(pub.stdout);
    const list = runCli(['audiences', '--endpoint', url, '--json'], { env });
    assert.deepStrictEqual((JSON.parse(list.stdout) as Array<{ id: string; size: number }>).map(a => [a.id, a.size]), [[r.audienceId, r.total]]);
  });

  it('a client that does not trust the certificate says so and how to add the CA, without sending the token', () => {
    const r = runCli(['audiences', '--endpoint', endpoint.url.replace('127.0.0.1', 'localhost')], { env: { AUDIENCE_FILTERS_TOKEN: token, NODE_EXTRA_CA_CERTS: '' } });
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /^could not list audiences: localhost:\d+ presented a certificate that is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: self[- ]signed certificate\); the token was not sent\. If your own certificate authority signed it, trust that CA: the command line takes it from NODE_EXTRA_CA_CERTS \(a PEM file\), VS Code from the system's certificate store\. \(untrusted_certificate\)\n$/);
    assert.ok(!r.stderr.includes(token));
  });

  it('refuses a missing key file or a lone --tls-cert with a clear message', () => {
    const lone = runCli(['endpoint', '--db', path.join(dir, 'other.sqlite'), '--tls-cert', cert]);
    assert.strictEqual(lone.status, 2);
    assert.match(lone.stderr, /^--tls-cert and --tls-key go together\n/);
    const missing = runCli(['endpoint', '--db', path.join(dir, 'other.sqlite'), '--port', '0', '--tls-cert', cert, '--tls-key', path.join(dir, 'nope.pem')]);
    assert.strictEqual(missing.status, 1);
    assert.strictEqual(missing.stderr, `Cannot start the endpoint: cannot read the TLS key ${path.join(dir, 'nope.pem')}: ENOENT\n`);
  });
});

/**
 * A loopback HTTP proxy in front of the real endpoint that holds the first request matching `hold`
 * until `release()`: the test interrupts the CLI at exactly that stage of a publish.
 */
async function holdingProxy(target: string, hold: (method: string, url: string) => boolean): Promise<{ url: string; held: Promise<void>; release(): void; seen: string[]; close(): void }> {
  let onHeld!: () => void;
  const held = new Promise<void>(resolve => (onHeld = resolve));
  let releaseHeld!: () => void;
  const released = new Promise<void>(resolve => (releaseHeld = resolve));
  let holding = true;
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      seen.push(`${req.method} ${req.url}`);
      if (holding && hold(req.method!, req.url!)) {
        holding = false;
        onHeld();
        await released;
      }
      const out = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, upstream => {
        res.writeHead(upstream.statusCode!, upstream.headers);
        upstream.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, held, release: releaseHeld, seen, close: () => server.close() };
}

/** The CLI as a child process; `exit` resolves with its code and outputs, `stderrMatches` when its stderr so far matches. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', d => (stdout += d));
  child.stderr!.on('data', d => (stderr += d));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>(resolve => child.once('close', code => resolve({ code, stdout, stderr })));
  const stderrMatches = (re: RegExp) => new Promise<void>(resolve => {
    const check = () => (re.test(stderr) ? resolve() : child.stderr!.once('data', () => setImmediate(check)));
    check();
  });
  return { child, exit, stderrMatches };
}

describe('audience-filters publish: interruptions and resume', function () {
  this.timeout(60_000);
  let dir: string;
  let endpoint: { child: ChildProcess; url: string };
  let token: string;
  const filter = 'examples/filters/checkout-abandoners.filter.yaml';
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${endpoint.url}${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-cli-resume-'));
    endpoint = await startEndpoint(path.join(dir, 'db.sqlite'));
    token = fs.readFileSync(path.join(dir, 'db.sqlite.admin-token'), 'utf8').trim();
  });

  after(() => {
    endpoint.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an open run of your own, for the same definition, is offered for resume; bare --resume finishes it', async () => {
    const env = { AUDIENCE_FILTERS_TOKEN: token };
    const first = JSON.parse(runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--json'], { env }).stdout);
    const audience = (await api('GET', `/v1/audiences/${first.audienceId}`)).body;

    // Nothing open: bare --resume says so and sends nothing.
    const nothing = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--resume'], { env });
    assert.strictEqual(nothing.status, 1);
    assert.strictEqual(nothing.stderr.trimEnd().split('\n').pop(), `publish failed: Audience ${first.audienceId} has no open run to resume (it was committed, aborted or expired); publish again without resuming. (not_found)`);

    // A killed publish of the same definition by the same user left its run open.
    const left = (await api('POST', `/v1/audiences/${first.audienceId}/runs`, { definitionHash: audience.definitionHash })).body.id as string;
    const blocked = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes'], { env });
    assert.strictEqual(blocked.status, 1);
    const lines = blocked.stderr.trimEnd().split('\n');
    assert.match(lines[lines.length - 3], new RegExp(`^publish failed: Another publish of this audience is in progress\\. Audience ${first.audienceId} already has an open run ${left}, .* You started it for this same definition \\(an interrupted publish\\?\\): resume it to send only the batches it lacks, or abort it\\. \\(run_conflict\\)$`));
    assert.deepStrictEqual(lines.slice(-2), [`  resume it:  audience-filters publish ${filter} --resume ${left}`, `  or abort it: audience-filters abort-run ${left}`]);

    // --resume without a run id, before the file or after it, finishes that run.
    const resumed = runCli(['publish', '--resume', filter, '--endpoint', endpoint.url, '--yes', '--json'], { env });
    assert.strictEqual(resumed.status, 0, resumed.stderr);
    const r = JSON.parse(resumed.stdout);
    assert.deepStrictEqual([r.runId, r.entered, r.existing, r.exited, r.total], [left, 0, first.total, 0, first.total]);
    assert.match(resumed.stderr, new RegExp(`  run: Resuming run ${left} \\(0 batches already received\\)`));

    // Someone's run without this definition's hash is not resumed by a bare --resume: it says why.
    const foreign = (await api('POST', `/v1/audiences/${first.audienceId}/runs`, {})).body.id as string;
    const refused = runCli(['publish', filter, '--endpoint', endpoint.url, '--yes', '--resume'], { env });
    assert.strictEqual(refused.status, 1);
    assert.deepStrictEqual(refused.stderr.trimEnd().split('\n').slice(-2), [
      `publish failed: The open run ${foreign} of audience ${first.audienceId} was started without a definition hash, so it is not resumed; wait for it to finish or expire, or abort it, then publish again. (run_conflict)`,
      `  to abort that run (deliberately): audience-filters abort-run ${foreign}`,
    ]);
    assert.strictEqual((await api('GET', `/v1/runs/${foreign}`)).body.status, 'open');
    await api('POST', `/v1/runs/${foreign}/abort`, { reason: 'test' });

    const usage = runCli(['publish', filter, '--resume', 'nonsense', '--yes'], { env });
    assert.deepStrictEqual([usage.status, usage.stderr], [2, 'audience-filters publish: --resume takes a run id like run_abc123 (or nothing, for your own open run of this audience), not "nonsense"\n']);
  });

  it('Ctrl-C while planning: nothing sent, no run opened', async () => {
    const proxy = await holdingProxy(endpoint.url, (method, url) => method === 'GET' && url.startsWith('/v1/audiences'));
    try {
      const cli = spawnCli(['publish', filter, '--endpoint', proxy.url, '--yes'], { AUDIENCE_FILTERS_TOKEN: token });
      await proxy.held;
      cli.child.kill('SIGINT');
      const done = await cli.exit;
      proxy.release();
      assert.deepStrictEqual([done.code, done.stdout, done.stderr], [130, '', 'Interrupted while planning (loading the sample data, evaluating the filter, reading the endpoint): nothing was sent and no run was opened.\n']);
      assert.ok(proxy.seen.every(r => r.startsWith('GET ')), proxy.seen.join(', '));
    } finally {
      proxy.close();
    }
  });

  it('Ctrl-C while uploading: the run is aborted and nothing is committed', async () => {
    const proxy = await holdingProxy(endpoint.url, (method, url) => method === 'PUT' && /^\/v1\/runs\/run_\w+\/batches\/0$/.test(url));
    try {
      const before = (await api('GET', '/v1/audiences')).body.audiences as Array<{ id: string; audienceVersion: number }>;
      const cli = spawnCli(['publish', filter, '--endpoint', proxy.url, '--yes'], { AUDIENCE_FILTERS_TOKEN: token });
      await proxy.held;
      cli.child.kill('SIGINT');
      const done = await cli.exit;
      proxy.release();
      const runId = /aborting run (run_\w+)/.exec(done.stderr)?.[1];
      assert.strictEqual(done.code, 130, done.stderr);
      assert.deepStrictEqual(done.stderr.trimEnd().split('\n').slice(-3), [
        '  interrupted: stopping the upload and aborting the run (Ctrl-C again leaves at once).',
        `  abort: Publish cancelled: aborting run ${runId}`,
        `publish interrupted: Publish cancelled; run ${runId} was aborted and nothing was committed. (cancelled)`,
      ]);
      const run = (await api('GET', `/v1/runs/${runId}`)).body;
      assert.deepStrictEqual([run.status, run.committedAt], ['aborted', null]);
      // The audience keeps the version it had (0 when this publish created it).
      const after = (await api('GET', `/v1/audiences/${run.audienceId}`)).body;
      assert.deepStrictEqual([after.audienceVersion, after.openRunId], [before.find(a => a.id === run.audienceId)?.audienceVersion ?? 0, null]);
    } finally {
      proxy.close();
    }
  });

  it('Ctrl-C after the commit was sent: it waits for the answer and reports the audience published', async () => {
    const proxy = await holdingProxy(endpoint.url, (method, url) => method === 'POST' && /^\/v1\/runs\/run_\w+\/commit$/.test(url));
    try {
      const cli = spawnCli(['publish', filter, '--endpoint', proxy.url, '--yes', '--json'], { AUDIENCE_FILTERS_TOKEN: token });
      await proxy.held;
      cli.child.kill('SIGINT');
      // The CLI says it is waiting before the commit is let through.
      await cli.stderrMatches(/interrupted: the commit of run/);
      proxy.release();
      const done = await cli.exit;
      assert.strictEqual(done.code, 0, done.stderr);
      const r = JSON.parse(done.stdout);
      const lines = done.stderr.trimEnd().split('\n');
      assert.ok(lines.includes(`  interrupted: the commit of run ${r.runId} was already sent and is atomic; waiting for its answer (Ctrl-C again leaves without it).`), done.stderr);
      assert.strictEqual(lines[lines.length - 1], `  the interrupt came after the commit was sent: run ${r.runId} is committed.`);
      assert.strictEqual((await api('GET', `/v1/runs/${r.runId}`)).body.status, 'committed');
    } finally {
      proxy.close();
    }
  });
});
