/** CJA builder parity in the CLI: preview metrics, size gauge, estimated return, one-time ranges, and errors shown where the user is. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runCli, startEndpoint, tempWorkspace } from '../support/cli';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

/** Every row of the three example files as (person key, timestamp ms, revenue, orders), read without the engine. */
function rawRows(): Array<{ person: string; ts: number; revenue: number; orders: number }> {
  const rows: Array<{ person: string; ts: number; revenue: number; orders: number }> = [];
  const num = (v: unknown) => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? 0 : Number(v));
  for (const line of fs.readFileSync(path.join(EXAMPLES, 'data/web-events.ndjson'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    rows.push({ person: `ECID:${r.ecid}`, ts: Date.parse(r.timestamp), revenue: num(r.revenue), orders: num(r.orders) });
  }
  const [header, ...lines] = fs.readFileSync(path.join(EXAMPLES, 'data/app-events.csv'), 'utf8').trim().split('\n');
  const cols = header.split(',');
  for (const line of lines) {
    const c = line.split(',');
    rows.push({ person: `Email:${c[cols.indexOf('email')]}`, ts: Number(c[cols.indexOf('timestamp')]) * 1000, revenue: num(c[cols.indexOf('revenue')]), orders: num(c[cols.indexOf('orders')]) });
  }
  for (const r of JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'data/crm-events.json'), 'utf8'))) {
    rows.push({ person: `${r.id_namespace}:${r.person_id}`, ts: Number(r.timestamp), revenue: num(r.revenue), orders: num(r.orders) });
  }
  return rows;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

describe('audience-filters preview: metrics, size gauge, estimated return', () => {
  const buyers = 'examples/filters/buyers.filter.yaml';

  it('--json totals every metric of the data view for the audience and the data view, as the raw files sum', () => {
    const r = runCli(['preview', buyers, '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const p = JSON.parse(r.stdout);
    const rows = rawRows();
    const isBuyer = new Set(rows.filter(x => x.orders >= 1).map(x => x.person));
    const sum = (pick: (x: (typeof rows)[0]) => number, only?: Set<string>) => round(rows.filter(x => !only || only.has(x.person)).reduce((s, x) => s + pick(x), 0));
    assert.deepStrictEqual(p.metrics.map((m: { name: string }) => m.name), ['revenue', 'orders', 'cart_adds']);
    const [revenue, orders] = p.metrics;
    assert.deepStrictEqual([revenue.audience, revenue.total], [sum(x => x.revenue, isBuyer), sum(x => x.revenue)]);
    assert.deepStrictEqual([orders.audience, orders.total], [sum(x => x.orders, isBuyer), sum(x => x.orders)]);
    assert.strictEqual(orders.share, orders.audience / orders.total);
  });

  it('--json has the size gauge against the 20M limit and the return estimate for 7, 14 and 30 days', () => {
    const p = JSON.parse(runCli(['preview', buyers, '--json']).stdout);
    assert.deepStrictEqual(p.gauge, { size: p.matched.people, limit: 20_000_000, limitSource: 'profile store', share: p.matched.people / 20_000_000, warningAt: 16_000_000, state: 'ok' });
    assert.deepStrictEqual(p.returns.map((h: { days: number }) => h.days), [7, 14, 30]);
    for (const h of p.returns) {
      assert.ok(h.eligible > 0 && h.eligible <= p.matched.people && h.returned <= h.eligible, JSON.stringify(h));
      assert.strictEqual(h.share, h.returned / h.eligible);
      assert.strictEqual(h.expected, Math.round(h.share * p.matched.people));
    }
  });

  it('the text output shows the same figures, each with its unit', () => {
    const p = JSON.parse(runCli(['preview', buyers, '--json']).stdout);
    const text = runCli(['preview', buyers]).stdout;
    const n = (x: number) => x.toLocaleString('en-US');
    assert.match(text, new RegExp(`\\n  size     ${n(p.matched.people)} people of the 20,000,000 profile store limit \\(0\\.001%\\)\\n`));
    assert.match(text, new RegExp(`\\n    revenue +${n(p.metrics[0].audience).replace('.', '\\.')} of ${n(p.metrics[0].total).replace('.', '\\.')} +100%\\n`));
    const week = p.returns[0];
    assert.match(text, new RegExp(`\\n    within  7 days +${Math.round(week.share * 100)}%  ≈ ${week.expected} people  \\(${week.returned} of ${week.eligible} who could be watched 7 days came back\\)\\n`));
  });
});

describe('audience-filters: one-time audiences with a range', () => {
  const dataView = fs.readFileSync(path.join(EXAMPLES, 'web.dataview.yaml'), 'utf8');
  const once = 'filter: once\ndataview: web\nrule: person where orders >= 1\naudience:\n  name: Buyers in early November\n  refresh: once\n  range: {from: 2026-11-01, to: 2026-11-08}\n  namespaces: [ECID, Email]\n';
  let ws: { dir: string; cleanup: () => void };
  before(() => {
    ws = tempWorkspace({ 'web.dataview.yaml': dataView, 'once.filter.yaml': once });
    fs.cpSync(path.join(EXAMPLES, 'data'), path.join(ws.dir, 'data'), { recursive: true });
  });
  after(() => ws.cleanup());

  it('preview and members evaluate the range only, and say so', () => {
    const p = JSON.parse(runCli(['preview', 'once.filter.yaml', '--json'], { cwd: ws.dir }).stdout);
    assert.deepStrictEqual([p.window, p.windowSource], [{ from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' }, 'range']);
    const from = Date.UTC(2026, 10, 1);
    const to = Date.UTC(2026, 10, 8);
    const expected = new Set(rawRows().filter(x => x.ts >= from && x.ts < to && x.orders >= 1).map(x => x.person));
    assert.strictEqual(p.matched.people, expected.size);
    const members = runCli(['members', 'once.filter.yaml'], { cwd: ws.dir });
    assert.strictEqual(members.status, 0, members.stderr);
    assert.deepStrictEqual(members.stdout.trim().split('\n').map(l => { const m = JSON.parse(l); return `${m.namespace}:${m.id}`; }).sort(), [...expected].sort());
    assert.match(runCli(['preview', 'once.filter.yaml'], { cwd: ws.dir }).stdout, /^data view web, window 2026-11-01 … 2026-11-08 \(one-time range, to exclusive\)$/m);
  });

  it('the plan shows the range and the size gauge', async () => {
    const endpoint = await startEndpoint(path.join(ws.dir, 'db.sqlite'));
    try {
      const env = { AUDIENCE_FILTERS_TOKEN: fs.readFileSync(path.join(ws.dir, 'db.sqlite.admin-token'), 'utf8').trim() };
      const json = runCli(['plan', 'once.filter.yaml', '--endpoint', endpoint.url, '--json'], { cwd: ws.dir, env });
      assert.strictEqual(json.status, 0, json.stderr);
      const plan = JSON.parse(json.stdout);
      assert.deepStrictEqual(plan.window, { from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z', source: 'range' });
      assert.deepStrictEqual([plan.gauge.size, plan.gauge.limit, plan.gauge.state], [plan.total, 20_000_000, 'ok']);
      const text = runCli(['plan', 'once.filter.yaml', '--endpoint', endpoint.url], { cwd: ws.dir, env }).stdout.split('\n');
      assert.ok(text.includes('  evaluated on 2026-11-01 … 2026-11-08 (one-time range, to exclusive)'), text.join('\n'));
      assert.ok(text.includes(`  size ${plan.total} people of the 20,000,000 profile store limit (${Number(((100 * plan.total) / 20_000_000).toPrecision(2))}%)`), text.join('\n'));
    } finally {
      endpoint.child.kill();
    }
  });
});

describe('audience-filters preview / members / publish on a filter with errors', () => {
  const files = {
    'web.dataview.yaml': fs.readFileSync(path.join(EXAMPLES, 'web.dataview.yaml'), 'utf8'),
    'x.filter.yaml': 'filter: x\ndataview: web\nrule: person where pag = "A" and orders >= "1"\naudience:\n  name: X\n',
  };

  it('print the errors in check\'s format and exit 1', () => {
    const ws = tempWorkspace(files);
    try {
      const check = runCli(['check', 'x.filter.yaml'], { cwd: ws.dir });
      assert.strictEqual(check.status, 1);
      const errors = check.stdout.split('\n').filter(l => l.startsWith('x.filter.yaml:'));
      assert.strictEqual(errors.length, 2, check.stdout);
      for (const verb of [['preview'], ['members'], ['publish', '--yes', '--endpoint', 'http://127.0.0.1:9']]) {
        const r = runCli([verb[0], 'x.filter.yaml', ...verb.slice(1)], { cwd: ws.dir, env: { AUDIENCE_FILTERS_TOKEN: 'unused' } });
        assert.strictEqual(r.status, 1, verb[0]);
        assert.strictEqual(r.stdout, '', verb[0]);
        assert.strictEqual(r.stderr, `${errors.join('\n')}\nx.filter.yaml: 2 errors; nothing was evaluated.\n`, verb[0]);
      }
    } finally {
      ws.cleanup();
    }
  });
});

