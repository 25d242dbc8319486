// Publishing from the real editor to a real reference endpoint: a process started here on 127.0.0.1 with a
// temporary SQLite database. The tests run in order, as one story: no token → wrong token → publish → the
// Audiences view → republish an edit → cancel a publish mid-upload → open the definition → delete; then the
// refusals.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { click, extension, fixtureUri, openFixture, SCREENSHOT_DIR_ENV, takeScreenshot, waitForServer } from './harness';
import { api, setEndpointUrl, startEndpoint } from './endpointProcess';
import type { Endpoint } from './endpointProcess';
import { waitFor } from './waitFor';

const FILTER = 'publish/cart-abandoners.filter.yaml';
const NAMESPACES = ['ECID', 'Email']; // the filter's audience.namespaces; its CRM members are left out

interface Identity { namespace: string; id: string }

/** What `audienceFilters.publish` resolves with (client/src/publish/publishCommand.ts). */
type PublishOutcome =
  | { status: 'published'; filterId: string; endpoint: string; result: { audienceId: string; runId: string; audienceVersion: number; entered: number; existing: number; exited: number; total: number; leftOut: number } }
  | { status: 'declined' | 'cancelled' | 'failed' | 'not-publishable' | 'unavailable'; code?: string; message: string };

/** What `audienceFilters.audiences.items` returns: the view's root items. */
interface Item { kind: string; label: string; description?: string; tooltip?: string; contextValue?: string; audienceId?: string; filterId?: string; node?: unknown }

async function committedMembers(endpoint: Endpoint, audienceId: string): Promise<Identity[]> {
  const members: Identity[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { members: Identity[]; nextCursor: string | null } } =
      await api(endpoint, 'GET', `/v1/audiences/${audienceId}/members?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    assert.strictEqual(page.status, 200);
    members.push(...page.body.members);
    cursor = page.body.nextCursor;
  } while (cursor);
  return sorted(members);
}

function sorted(ids: Identity[]): Identity[] {
  return [...ids].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id));
}

/**
 * `audience-filters members <file> --format json`: the audience over the filter's `period`. The fixture's
 * period (last 30 days) equals its audience lookback (30 days), so this is exactly the audience to publish.
 */
function cliMembers(file: string, cwd = vscode.workspace.workspaceFolders![0].uri.fsPath): Identity[] {
  const cli = path.join(extension().extensionPath, 'bin', 'audience-filters.js');
  const r = spawnSync(process.execPath, [cli, 'members', file, '--format', 'json'], { cwd, encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  assert.strictEqual(r.status, 0, `CLI failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Identity[];
}

function publishCommand(relativePath: string): Thenable<PublishOutcome> {
  return vscode.commands.executeCommand<PublishOutcome>('audienceFilters.publish', fixtureUri(relativePath), { confirm: false });
}

function viewItems(): Thenable<Item[]> {
  return vscode.commands.executeCommand<Item[]>('audienceFilters.audiences.items');
}

function published(outcome: PublishOutcome): Extract<PublishOutcome, { status: 'published' }> {
  assert.strictEqual(outcome?.status, 'published', JSON.stringify(outcome));
  return outcome as Extract<PublishOutcome, { status: 'published' }>;
}

interface HoldingProxy {
  url: string;
  /** The run of the held batch upload, once the endpoint has answered it and the answer is held. */
  runId?: string;
  /** Whether the client closed the held request instead of waiting for its answer. */
  abandoned: boolean;
  onDidChange: vscode.Event<void>;
  /** Answers the held request, if its client still waits, with a 400: the client aborts its run. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A proxy in front of the endpoint that forwards everything but holds back the endpoint's answer to the first
 * batch upload (`PUT /v1/runs/:runId/batches/:n`): the batch is staged and the publish waits mid-upload.
 */
function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const changed = new vscode.EventEmitter<void>();
  let held: http.ServerResponse | undefined;
  let holding = false;
  const server = http.createServer((req, res) => {
    const batch = req.method === 'PUT' ? /^\/v1\/runs\/([^/]+)\/batches\/\d+$/.exec(req.url ?? '') : null;
    const hold = !!batch && !holding;
    if (hold) {
      holding = true;
      res.on('close', () => {
        if (res.writableEnded) return;
        proxy.abandoned = true;
        changed.fire();
      });
    }
    const url = new URL(req.url ?? '/', target);
    const upstream = http.request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, answer => {
      if (!hold) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      answer.resume();
      held = res;
      proxy.runId = batch![1];
      changed.fire();
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const proxy: HoldingProxy = {
    url: '',
    abandoned: false,
    onDidChange: changed.event,
    release() {
      if (held && !held.writableEnded && !held.destroyed) {
        held.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'invalid', message: 'held by the test' } }));
      }
    },
    close() {
      changed.dispose();
      server.closeAllConnections();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      resolve(proxy);
    });
  });
}


suite('publishing in a real VS Code', () => {
  let endpoint: Endpoint;
  /** The fixture's audience over its lookback, as the CLI computes it, with the namespaces the audience declares. */
  let expected: Identity[];
  let leftOut: Identity[];
  let audienceId: string;

  suiteSetup(async () => {
    endpoint = await startEndpoint('af-publish-');
    await extension().activate();
    await openFixture(FILTER);
    await waitForServer(() => true, 30_000);
    await setEndpointUrl(endpoint.url);
    const all = cliMembers(FILTER);
    expected = sorted(all.filter(i => NAMESPACES.includes(i.namespace)));
    leftOut = all.filter(i => !NAMESPACES.includes(i.namespace));
    assert.ok(expected.length >= 5 && leftOut.length >= 1, `fixture audience: ${JSON.stringify(all)}`);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('audienceFilters.clearEndpointToken');
    await setEndpointUrl(undefined);
    if (endpoint) {
      endpoint.child.kill('SIGTERM');
      await endpoint.exited;
      fs.rmSync(endpoint.dir, { recursive: true, force: true });
    }
  });

  test('without a token, publishing says how to set one and the Audiences view asks for it', async () => {
    await vscode.commands.executeCommand('audienceFilters.clearEndpointToken');
    const outcome = await publishCommand(FILTER);
    assert.strictEqual(outcome.status, 'unavailable', JSON.stringify(outcome));
    assert.ok(outcome.status === 'unavailable');
    assert.strictEqual(outcome.code, 'no_token');
    assert.match(outcome.message, /Set it with 'Audience Filters: Set Profile Endpoint Token'/);
    // The view is empty, so it shows its welcome content (Set Token, Start Local Endpoint): firstHour.test.ts clicks it.
    assert.deepStrictEqual(await viewItems(), []);
  });

  test('a wrong token gets the 401 explanation, and nothing is published', async () => {
    const wrong = `af_${'0'.repeat(64)}`;
    assert.strictEqual(await vscode.commands.executeCommand('audienceFilters.setEndpointToken', wrong), true);
    const outcome = await publishCommand(FILTER);
    assert.strictEqual(outcome.status, 'failed', JSON.stringify(outcome));
    assert.ok(outcome.status === 'failed');
    assert.strictEqual(outcome.code, 'unauthorized');
    assert.strictEqual(outcome.message,
      "The profile endpoint rejected the token (401): it is missing, mistyped, expired or revoked. Set the token with 'Audience Filters: Set Profile Endpoint Token' (ask an admin of the endpoint for one). Nothing was published.");
    assert.ok(!outcome.message.includes(wrong));
    const listed = await api<{ audiences: unknown[] }>(endpoint, 'GET', '/v1/audiences');
    assert.deepStrictEqual(listed.body.audiences, []);
    const items = await viewItems();
    assert.deepStrictEqual(items.map(i => [i.kind, i.label]), [['message', 'The endpoint rejected the token (401): set it again']]);
  });

  test('publishes exactly the audience `members` computes over the lookback, and profiles are realized', async () => {
    await vscode.commands.executeCommand('audienceFilters.setEndpointToken', endpoint.adminToken);
    const outcome = published(await publishCommand(FILTER));
    audienceId = outcome.result.audienceId;
    assert.deepStrictEqual(
      { filterId: outcome.filterId, total: outcome.result.total, entered: outcome.result.entered, existing: outcome.result.existing, exited: outcome.result.exited, leftOut: outcome.result.leftOut, version: outcome.result.audienceVersion },
      { filterId: 'cart-abandoners', total: expected.length, entered: expected.length, existing: 0, exited: 0, leftOut: leftOut.length, version: 1 },
    );
    assert.deepStrictEqual(await committedMembers(endpoint, audienceId), expected);

    const member = expected[0];
    const profile = await api<{ identity: Identity; memberships: Array<{ audienceId: string; status: string; audienceName: string }> }>(
      endpoint, 'GET', `/v1/profiles?namespace=${encodeURIComponent(member.namespace)}&id=${encodeURIComponent(member.id)}`);
    assert.strictEqual(profile.status, 200);
    assert.deepStrictEqual(profile.body.memberships.map(m => ({ audienceId: m.audienceId, status: m.status, audienceName: m.audienceName })),
      [{ audienceId, status: 'realized', audienceName: 'Cart abandoners' }]);
    const crm = leftOut[0];
    const absent = await api(endpoint, 'GET', `/v1/profiles?namespace=${crm.namespace}&id=${encodeURIComponent(crm.id)}`);
    assert.strictEqual(absent.status, 404, 'an identity in a namespace the audience does not declare is not published');
  });

  test('the Audiences view lists the published audience with size, status, refresh, owner and expiry', async () => {
    const items = await viewItems();
    assert.deepStrictEqual(items.map(i => ({ kind: i.kind, label: i.label, description: i.description, contextValue: i.contextValue, audienceId: i.audienceId, filterId: i.filterId })), [
      { kind: 'audience', label: 'Cart abandoners', description: `${expected.length} · active · daily`, contextValue: 'audience', audienceId, filterId: 'cart-abandoners' },
    ]);
    const tooltip = items[0].tooltip ?? '';
    for (const field of ['Size', 'Status', 'Refresh', 'Last refreshed', 'Owner', 'Expires']) assert.ok(tooltip.includes(`| ${field} |`), `tooltip lacks ${field}: ${tooltip}`);
    assert.ok(tooltip.includes('| Owner | admin |'), tooltip);
    // For people to look at (test-output/integration/vscode-<version>/audiences-view.png).
    await vscode.commands.executeCommand('audienceFilters.audiences.items', { show: true });
    await takeScreenshot('audiences-view');
  });

  test('republish from the view publishes the edited (unsaved) definition: entering and staying', async () => {
    const doc = await openFixture(FILTER);
    const original = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original.replace(' and not event_type = "purchase"', ''));
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const [item] = await viewItems();
      const outcome = published(await vscode.commands.executeCommand<PublishOutcome>('audienceFilters.audiences.republish', item.node, { confirm: false }));
      assert.strictEqual(outcome.result.audienceId, audienceId);
      // Without the purchase exclusion, the buyers who had a cart enter; nobody exits.
      const buyers = cliMembersOfText(doc.getText()).filter(i => NAMESPACES.includes(i.namespace));
      assert.deepStrictEqual(
        { total: outcome.result.total, entered: outcome.result.entered, existing: outcome.result.existing, exited: outcome.result.exited, version: outcome.result.audienceVersion },
        { total: buyers.length, entered: buyers.length - expected.length, existing: expected.length, exited: 0, version: 2 },
      );
      assert.ok(buyers.length > expected.length);
      assert.deepStrictEqual(await committedMembers(endpoint, audienceId), sorted(buyers));
    } finally {
      const undo = new vscode.WorkspaceEdit();
      undo.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
      await vscode.workspace.applyEdit(undo);
      await doc.save();
    }
    // Publishing the saved definition again: the buyers exit, the others stay.
    const back = published(await publishCommand(FILTER));
    assert.deepStrictEqual({ entered: back.result.entered, existing: back.result.existing, total: back.result.total }, { entered: 0, existing: expected.length, total: expected.length });
    assert.ok(back.result.exited > 0);
    assert.deepStrictEqual(await committedMembers(endpoint, audienceId), expected);
  });

  test('Cancel in the progress notification aborts the run mid-upload: nothing is committed, and the next publish goes through', async function () {
    if (!process.env[SCREENSHOT_DIR_ENV]) this.skip(); // only scripts/run-vscode-tests.js can click in the workbench
    const versionOf = async () => (await api<{ audienceVersion: number }>(endpoint, 'GET', `/v1/audiences/${audienceId}`)).body.audienceVersion;
    const version = await versionOf();
    const before = await committedMembers(endpoint, audienceId);
    assert.deepStrictEqual(before, expected);
    // Without the purchase exclusion the audience is larger: a commit would show.
    const doc = await openFixture(FILTER);
    const original = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original.replace(' and not event_type = "purchase"', ''));
    assert.ok(await vscode.workspace.applyEdit(edit));
    const proxy = await startHoldingProxy(endpoint.url);
    let publishing: Thenable<PublishOutcome> | undefined;
    let runId = '';
    try {
      await setEndpointUrl(proxy.url);
      assert.strictEqual(await vscode.commands.executeCommand('audienceFilters.setEndpointToken', endpoint.adminToken, doc.uri), true);
      publishing = publishCommand(FILTER);
      runId = await waitFor(() => proxy.runId, { events: [proxy.onDidChange], timeoutMs: 30_000, describe: () => 'no batch upload reached the proxy' });
      // In the notifications centre: under the smoke-test driver (which the runner needs) VS Code 1.139 shows no toasts.
      // This publish's notification ("Publishing …: Uploading to run <id>") names its run; an earlier one may still be closing.
      await vscode.commands.executeCommand('notifications.showList');
      await click('publish-cancel', { selector: '.notifications-center .notification-list-item', hasText: `Uploading to run ${runId}`, role: 'button', name: 'Cancel' });
      await waitFor(() => proxy.abandoned, {
        events: [proxy.onDidChange],
        timeoutMs: 10_000,
        describe: () => `after Cancel, the publish still waits for the answer to its batch upload to run ${runId}`,
      });
      assert.deepStrictEqual(await publishing, { status: 'cancelled', code: 'cancelled', message: `Publish cancelled; run ${runId} was aborted and nothing was committed.` });
    } finally {
      proxy.release(); // a publish the Cancel missed aborts its run: the next tests start from the same audience
      await publishing?.then(undefined, () => undefined);
      await vscode.commands.executeCommand('notifications.hideList');
      await vscode.commands.executeCommand('audienceFilters.clearEndpointToken', doc.uri);
      await setEndpointUrl(endpoint.url);
      await proxy.close();
      const undo = new vscode.WorkspaceEdit();
      undo.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
      await vscode.workspace.applyEdit(undo);
      await doc.save();
    }
    assert.deepStrictEqual(await committedMembers(endpoint, audienceId), before);
    assert.strictEqual(await versionOf(), version);
    // The batch had been staged; the run is aborted, so it blocks no later publish.
    const run = await api<{ status: string; receivedBatches: number[] }>(endpoint, 'GET', `/v1/runs/${runId}`);
    assert.deepStrictEqual({ status: run.body.status, receivedBatches: run.body.receivedBatches }, { status: 'aborted', receivedBatches: [0] });

    const next = published(await publishCommand(FILTER));
    assert.notStrictEqual(next.result.runId, runId);
    assert.deepStrictEqual(
      { audienceId: next.result.audienceId, version: next.result.audienceVersion, total: next.result.total, entered: next.result.entered, existing: next.result.existing, exited: next.result.exited },
      { audienceId, version: version + 1, total: expected.length, entered: 0, existing: expected.length, exited: 0 },
    );
    assert.deepStrictEqual(await committedMembers(endpoint, audienceId), expected);
  });

  test('open definition opens the filter file whose id is the audience\'s filterId', async () => {
    await openFixture('publish/no-audience.filter.yaml');
    const [item] = await viewItems();
    const uri = await vscode.commands.executeCommand<vscode.Uri>('audienceFilters.audiences.openDefinition', item.node);
    assert.strictEqual(uri?.toString(), fixtureUri(FILTER).toString());
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), fixtureUri(FILTER).toString());
  });

  test('delete exits the members and keeps their profiles', async () => {
    const [item] = await viewItems();
    const outcome = await vscode.commands.executeCommand<{ deleted: boolean; message: string }>('audienceFilters.audiences.delete', item.node, { confirm: false });
    assert.deepStrictEqual(outcome, { deleted: true, message: `Deleted "Cart abandoners": its ${expected.length} members exited; their profiles are kept.` });
    const member = expected[0];
    const profile = await api<{ memberships: Array<{ audienceId: string; status: string; audienceDeleted: boolean }> }>(
      endpoint, 'GET', `/v1/profiles?namespace=${encodeURIComponent(member.namespace)}&id=${encodeURIComponent(member.id)}`);
    assert.strictEqual(profile.status, 200);
    assert.deepStrictEqual(profile.body.memberships.map(m => ({ audienceId: m.audienceId, status: m.status, audienceDeleted: m.audienceDeleted })), [{ audienceId, status: 'exited', audienceDeleted: true }]);
    const items = await viewItems();
    assert.deepStrictEqual(items.map(i => i.kind), ['message']);
    assert.match(items[0].label, /^No audiences published to /);
  });

  test('a filter without an audience: block is not published, and says why', async () => {
    const outcome = await publishCommand('publish/no-audience.filter.yaml');
    assert.deepStrictEqual(outcome, {
      status: 'unavailable', code: 'no-audience',
      message: 'Filter `cart-visitors` has no `audience:` block; add one with at least a `name` to publish it.',
    });
  });

  test('a user without Audience Publishing gets the 403 explanation', async () => {
    const created = await api<{ token: string }>(endpoint, 'POST', '/v1/users', { name: 'viewer', role: 'user' });
    assert.strictEqual(created.status, 201);
    await vscode.commands.executeCommand('audienceFilters.setEndpointToken', created.body.token);
    const outcome = await publishCommand(FILTER);
    assert.strictEqual(outcome.status, 'failed', JSON.stringify(outcome));
    assert.ok(outcome.status === 'failed');
    assert.strictEqual(outcome.code, 'forbidden');
    assert.match(outcome.message, /Ask an admin of the endpoint to grant you the "Audience Publishing" permission\. Nothing was published\.$/);
    assert.ok(!outcome.message.includes(created.body.token));
    const listed = await api<{ audiences: unknown[] }>(endpoint, 'GET', '/v1/audiences');
    assert.deepStrictEqual(listed.body.audiences, []);
  });

  test('plain http to a host that is not loopback is refused before anything is sent', async () => {
    await setEndpointUrl('http://profiles.example.com:7410');
    try {
      const outcome = await publishCommand(FILTER);
      assert.strictEqual(outcome.status, 'unavailable', JSON.stringify(outcome));
      assert.ok(outcome.status === 'unavailable');
      assert.strictEqual(outcome.code, 'invalid_endpoint');
      assert.match(outcome.message, /^Refusing to send a token over plain HTTP to profiles\.example\.com:7410: use https:\/\//);
      const items = await viewItems();
      assert.strictEqual(items[0].kind, 'message');
      assert.match(items[0].label, /Refusing to send a token over plain HTTP/);
    } finally {
      await setEndpointUrl(endpoint.url);
    }
  });

  test('an endpoint from the workspace settings is confirmed once, naming its host, before the token or any identity is sent', async function () {
    if (!process.env[SCREENSHOT_DIR_ENV]) this.skip(); // only scripts/run-vscode-tests.js can click in the workbench
    // A second real endpoint that only the repository's .vscode/settings.json names.
    const other = await startEndpoint();
    const host = new URL(other.url).host;
    const settings = vscode.workspace.getConfiguration('audienceFilters');
    const audiencesOf = async () => (await api<{ audiences: Array<{ id: string }> }>(other, 'GET', '/v1/audiences')).body.audiences;
    try {
      await settings.update('endpoint.url', other.url, vscode.ConfigurationTarget.Workspace);
      assert.strictEqual(await vscode.commands.executeCommand('audienceFilters.setEndpointToken', other.adminToken, fixtureUri(FILTER)), true);
      // The question, in the notifications centre (under the smoke-test driver VS Code 1.139 shows no toasts), where
      // it is the only notification: the centre shows the buttons of its first one.
      const question = { selector: '.notifications-center .notification-list-item', hasText: `Audience Filters: send audiences to ${host}? The endpoint comes from this folder's settings (.vscode/settings.json), not from your user settings.` };
      // (Wrapped: an async function returning the pending outcome would wait for it.)
      const ask = async (): Promise<{ outcome: Thenable<PublishOutcome> }> => {
        await vscode.commands.executeCommand('notifications.clearAll');
        const outcome = publishCommand(FILTER);
        await vscode.commands.executeCommand('notifications.showList');
        return { outcome };
      };

      // Declined: nothing is planned or sent.
      const declining = (await ask()).outcome;
      await click('endpoint-decline', { ...question, role: 'button', name: "Don't Publish" });
      assert.deepStrictEqual(await declining, { status: 'declined', code: 'endpoint_not_confirmed', message: `Not published: sending to ${host} (from the workspace settings) was not confirmed; nothing was sent.` });
      assert.deepStrictEqual(await audiencesOf(), []);

      // Confirmed: it publishes there; the next publish to that endpoint asks nothing (a dialog would hold it until the test times out).
      const confirming = (await ask()).outcome;
      await click('endpoint-confirm', { ...question, role: 'button', name: `Publish to ${host}` });
      const first = published(await confirming);
      assert.strictEqual(new URL(first.endpoint).host, host);
      const second = published(await publishCommand(FILTER));
      assert.deepStrictEqual([new URL(second.endpoint).host, second.result.audienceId, second.result.total], [host, first.result.audienceId, expected.length]);
      assert.deepStrictEqual(await committedMembers(other, first.result.audienceId), expected);
    } finally {
      await vscode.commands.executeCommand('notifications.hideList');
      await vscode.commands.executeCommand('audienceFilters.clearEndpointToken', fixtureUri(FILTER));
      await settings.update('endpoint.url', undefined, vscode.ConfigurationTarget.Workspace);
      other.child.kill('SIGTERM');
      await other.exited;
      fs.rmSync(other.dir, { recursive: true, force: true });
    }
  });
});

/** The CLI's members for another text of the fixture filter, in a copy of its folder outside the workspace. */
function cliMembersOfText(text: string): Identity[] {
  const folder = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'publish');
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'af-publish-expected-'));
  try {
    fs.cpSync(folder, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, path.basename(FILTER)), text);
    return cliMembers(path.join(copy, path.basename(FILTER)), copy);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}
