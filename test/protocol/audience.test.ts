import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AudienceRequest } from '../../server/src/protocol';
import type { AudienceEvaluation, AudienceResult, PreviewIdentity } from '../../server/src/protocol';
import { REPO_ROOT, runCli } from '../support/cli';
import { LspTestClient } from '../support/lspClient';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const ABANDONERS = path.join(EXAMPLES, 'filters', 'checkout-abandoners.filter.yaml');
const BUYERS = path.join(EXAMPLES, 'filters', 'buyers.filter.yaml');
const NO_AUDIENCE = path.join(EXAMPLES, 'filters', 'return-visitors.filter.yaml');

/** `audience-filters members <file> --format json`, run in the file's workspace: the audience over the filter's `period`. */
function cliMembers(file: string, cwd = REPO_ROOT): PreviewIdentity[] {
  const r = runCli(['members', file, '--format', 'json'], { cwd });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as PreviewIdentity[];
}

function ok(r: AudienceResult): AudienceEvaluation {
  assert.strictEqual(r.status, 'ok', JSON.stringify(r));
  return r as AudienceEvaluation;
}

describe('audience request over stdio (what the editor publishes)', function () {
  this.timeout(60_000);
  let client: LspTestClient;
  /** A copy of the examples, where filters can be given a `period` equal to their lookback. */
  let copy: string;

  before(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'af-audience-'));
    fs.cpSync(EXAMPLES, copy, { recursive: true });
  });

  after(() => fs.rmSync(copy, { recursive: true, force: true }));

  beforeEach(async () => {
    client = new LspTestClient();
    await client.initialize([EXAMPLES]);
  });

  afterEach(async () => {
    await client.shutdown();
  });

  it('answers exactly the identities `members` prints when the period equals the lookback (30 days)', async () => {
    const text = fs.readFileSync(ABANDONERS, 'utf8');
    assert.match(text, /^period: last 30 days$/m);
    assert.match(text, /^ {2}lookback: 30 days$/m);
    const uri = client.open(ABANDONERS, text);
    const r = ok(await client.request<AudienceResult>(AudienceRequest, { uri }));
    const expected = cliMembers(ABANDONERS);
    assert.ok(expected.length > 10, `the example audience has ${expected.length} members`);
    assert.deepStrictEqual(r.identities, expected);
    // Unscreened: the CRM identities are in the answer; the client's plan leaves them out and says so.
    assert.ok(r.identities.some(i => i.namespace === 'CRM'));
    assert.strictEqual(r.filterId, 'checkout-abandoners');
    assert.strictEqual(r.version, 1);
    assert.strictEqual(r.dataView.id, 'web');
    assert.deepStrictEqual(
      { name: r.metadata.name, filterId: r.metadata.filterId, refresh: r.metadata.refresh, lookbackDays: r.metadata.lookbackDays, expires: r.metadata.expires, namespaces: r.metadata.namespaces },
      { name: 'Checkout abandoners (30 min)', filterId: 'checkout-abandoners', refresh: 'daily', lookbackDays: 30, expires: '2027-06-30', namespaces: ['ECID', 'Email'] },
    );
    assert.match(r.metadata.definitionHash, /^sha256:[0-9a-f]{64}$/);
    assert.ok(r.window);
    assert.strictEqual(Date.parse(r.window.to) - Date.parse(r.window.from), 30 * 86_400_000);
    assert.strictEqual(r.windowSource, 'lookback');
  });

  it('a one-time audience with a range is evaluated on the range (an unsaved edit)', async () => {
    const text = fs.readFileSync(BUYERS, 'utf8').replace('refresh: daily', 'refresh: once\n  range: {from: 2026-11-01, to: 2026-11-08}');
    const uri = client.open(BUYERS, text);
    const r = await client.request<AudienceResult>(AudienceRequest, { uri });
    assert.strictEqual(r.status, 'ok', JSON.stringify(r));
    assert.deepStrictEqual([r.window, r.windowSource], [{ from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' }, 'range']);
    assert.strictEqual(r.metadata.refresh, 'once');
    const members = runCli(['members', BUYERS]).stdout.trim().split('\n').length;
    assert.ok(r.identities.length > 0 && r.identities.length < members, `${r.identities.length} in the range, ${members} in the lookback`);
  });

  it('evaluates over the lookback, not the period: a filter without a period, and an unsaved lookback edit', async () => {
    const text = fs.readFileSync(BUYERS, 'utf8');
    assert.doesNotMatch(text, /^period:/m);
    const uri = client.open(BUYERS, text);
    const r90 = ok(await client.request<AudienceResult>(AudienceRequest, { uri }));
    const withPeriod = (days: number) => {
      const file = path.join(copy, 'filters', 'buyers.filter.yaml');
      fs.writeFileSync(file, text.replace(/^rule:/m, `period: last ${days} days\nrule:`));
      return cliMembers(file, copy);
    };
    assert.deepStrictEqual(r90.identities, withPeriod(90));
    assert.deepStrictEqual(r90.metadata.namespaces, ['ECID', 'Email', 'CRM']);

    // The server evaluates the text the editor sent, before it is saved.
    client.change(uri, 2, text.replace('lookback: 90 days', 'lookback: 7 days'));
    const r7 = ok(await client.request<AudienceResult>(AudienceRequest, { uri }));
    assert.strictEqual(r7.version, 2);
    assert.strictEqual(r7.metadata.lookbackDays, 7);
    const expected7 = withPeriod(7);
    assert.deepStrictEqual(r7.identities, expected7);
    assert.ok(expected7.length > 0 && expected7.length < r90.identities.length, `${expected7.length} of ${r90.identities.length}`);
  });

  it('takes the namespaces of the identities when the audience block declares none (as the CLI does)', async () => {
    const text = fs.readFileSync(ABANDONERS, 'utf8').replace(/^ {2}namespaces: .*\n/m, '');
    const uri = client.open(ABANDONERS, text);
    const r = ok(await client.request<AudienceResult>(AudienceRequest, { uri }));
    assert.deepStrictEqual(r.metadata.namespaces, [...new Set(cliMembers(ABANDONERS).map(i => i.namespace))].sort());
  });

  it('answers an error for a filter without an audience: block', async () => {
    const text = fs.readFileSync(NO_AUDIENCE, 'utf8');
    assert.doesNotMatch(text, /^audience:/m);
    const uri = client.open(NO_AUDIENCE, text);
    const r = await client.request<AudienceResult>(AudienceRequest, { uri });
    assert.deepStrictEqual(r, {
      status: 'error', uri, version: 1, code: 'no-audience',
      message: 'Filter `return-visitors` has no `audience:` block; add one with at least a `name` to publish it.',
    });
  });

  it('answers an error for a filter with errors and for a file that is not a filter', async () => {
    const uri = client.open(ABANDONERS, fs.readFileSync(ABANDONERS, 'utf8').replace('then within 30 minutes', 'then within 30 parsecs'));
    await client.waitForDiagnostics(uri, d => d.diagnostics.some(x => x.severity === 1));
    const broken = await client.request<AudienceResult>(AudienceRequest, { uri });
    assert.strictEqual(broken.status, 'error');
    assert.strictEqual(broken.status === 'error' && broken.code, 'filter-has-errors', JSON.stringify(broken));

    const dataView = path.join(EXAMPLES, 'web.dataview.yaml');
    const dvUri = client.open(dataView, fs.readFileSync(dataView, 'utf8'), 'audience-dataview');
    const notFilter = await client.request<AudienceResult>(AudienceRequest, { uri: dvUri });
    assert.strictEqual(notFilter.status === 'error' && notFilter.code, 'not-a-filter', JSON.stringify(notFilter));
  });
});
