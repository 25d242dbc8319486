import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawn } from 'child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { CLI, REPO_ROOT, runCli, tempWorkspace } from '../support/cli';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

/** Buyers (orders >= 1 on any event) computed straight from the sample files, independently of the engine. */
function buyersFromRawFiles(): Array<{ namespace: string; id: string }> {
  const found = new Set<string>();
  for (const line of fs.readFileSync(path.join(EXAMPLES, 'data/web-events.ndjson'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    if (Number(r.orders) >= 1) found.add(`ECID\u0000${r.ecid}`);
  }
  const [header, ...rows] = fs.readFileSync(path.join(EXAMPLES, 'data/app-events.csv'), 'utf8').trim().split('\n');
  const cols = header.split(',');
  for (const row of rows) {
    const cells = row.split(',');
    if (Number(cells[cols.indexOf('orders')]) >= 1) found.add(`Email\u0000${cells[cols.indexOf('email')]}`);
  }
  for (const r of JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'data/crm-events.json'), 'utf8'))) {
    if (Number(r.orders) >= 1) found.add(`${r.id_namespace}\u0000${r.person_id}`);
  }
  return [...found].map(k => ({ namespace: k.split('\u0000')[0], id: k.split('\u0000')[1] })).sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

describe('audience-filters preview / members / explain / test', () => {
  const buyers = 'examples/filters/buyers.filter.yaml';

  it('members prints the audience as NDJSON, sorted, equal to the raw-file computation', () => {
    const r = runCli(['members', buyers]);
    assert.strictEqual(r.status, 0, r.stderr);
    const got = r.stdout.trim().split('\n').map(l => JSON.parse(l));
    assert.deepStrictEqual(got, buyersFromRawFiles());
  });

  it('preview --json counts agree with members and namespaces', () => {
    const r = runCli(['preview', buyers, '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const p = JSON.parse(r.stdout);
    const expected = buyersFromRawFiles();
    assert.strictEqual(p.matched.people, expected.length);
    const byNs: Record<string, number> = {};
    for (const m of expected) byNs[m.namespace] = (byNs[m.namespace] ?? 0) + 1;
    assert.deepStrictEqual(p.namespaces, byNs);
    assert.strictEqual(p.total.people, 900);
    assert.strictEqual(p.total.events, 16500);
    assert.ok(typeof p.elapsedMs === 'number');
  });

  it('previews a Parquet copy of the sample data exactly as the NDJSON (the bundled Parquet reader)', async function () {
    this.timeout(60_000);
    const { dir, cleanup } = tempWorkspace({});
    try {
      fs.cpSync(EXAMPLES, dir, { recursive: true });
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      await conn.run(`COPY (SELECT * FROM read_json('${path.join(dir, 'data/web-events.ndjson')}', format = 'newline_delimited')) TO '${path.join(dir, 'data/web-events.parquet')}' (FORMAT parquet, COMPRESSION zstd)`);
      conn.closeSync();
      const dataView = path.join(dir, 'web.dataview.yaml');
      fs.writeFileSync(dataView, fs.readFileSync(dataView, 'utf8').replace('data/web-events.ndjson', 'data/web-events.parquet'));
      fs.rmSync(path.join(dir, 'data/web-events.ndjson'));
      const fromParquet = runCli(['preview', 'filters/buyers.filter.yaml', '--json'], { cwd: dir });
      const fromNdjson = runCli(['preview', buyers, '--json']);
      assert.strictEqual(fromParquet.status, 0, fromParquet.stderr);
      const counts = (stdout: string) => {
        const { matched, total, namespaces, steps, perDay, sample, warnings } = JSON.parse(stdout);
        return { matched, total, namespaces, steps, perDay, sample, warnings };
      };
      assert.deepStrictEqual(counts(fromParquet.stdout), counts(fromNdjson.stdout));
      assert.strictEqual(JSON.parse(fromParquet.stdout).total.events, 16500);
    } finally {
      cleanup();
    }
  });

  it('a reader that closes stdout early (members | head) ends the command quietly: exit 0, no stack trace', async () => {
    // 20,000 members are ~600 KB of NDJSON, far more than a pipe holds, so the CLI is still
    // writing when the reader goes away and meets EPIPE.
    const rows = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: `person-${String(i).padStart(6, '0')}`, ts: '2026-10-01T10:00:00Z', page: 'Home' })).join('\n');
    const ws = tempWorkspace({
      'big.dataview.yaml': 'dataview: big\ntimestamp: ts\nsources:\n  - file: events.ndjson\n    person: id\n    namespace: ECID\ndimensions:\n  page: string\n',
      'events.ndjson': rows,
      'all.filter.yaml': 'filter: all\ndataview: big\nrule: |\n  event where page exists\n',
    });
    try {
      const child = spawn(process.execPath, [CLI, 'members', 'all.filter.yaml'], { cwd: ws.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      let first = '';
      child.stdout.setEncoding('utf8').once('data', (d: string) => {
        first = d;
        child.stdout.destroy();
      });
      const code = await new Promise<number | null>(resolve => child.on('close', c => resolve(c)));
      assert.equal(first.split('\n')[0], '{"namespace":"ECID","id":"person-000000"}');
      assert.equal(stderr, '');
      assert.equal(code, 0);
    } finally {
      ws.cleanup();
    }
  });

  it('members --format csv quotes and heads the columns', () => {
    const r = runCli(['members', buyers, '--format', 'csv']);
    const lines = r.stdout.trim().split('\n');
    assert.strictEqual(lines[0], 'namespace,id');
    assert.strictEqual(lines.length, buyersFromRawFiles().length + 1);
  });

  it('explain says why a person is in', () => {
    const first = buyersFromRawFiles()[0];
    const r = runCli(['explain', buyers, '--person', `${first.namespace}:${first.id}`, '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const x = JSON.parse(r.stdout);
    assert.strictEqual(x.verdict, 'member');
    assert.deepStrictEqual(x.person && { namespace: x.person.namespace, id: x.person.id }, first);
  });

  it('explain of an unknown person exits 1 with a message', () => {
    const r = runCli(['explain', buyers, '--person', 'ECID:nobody']);
    assert.strictEqual(r.status, 1);
    assert.strictEqual(r.stderr, 'No person ECID:nobody in the sample data of data view web.\n');
  });

  it('preview of a filter with errors exits 1 and lists them', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': fs.readFileSync(path.join(EXAMPLES, 'web.dataview.yaml'), 'utf8'), 'x.filter.yaml': 'filter: x\ndataview: web\nrule: person where pag = "A"\n' });
    try {
      const r = runCli(['preview', 'x.filter.yaml'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stderr, 'x.filter.yaml:3:20: error rule-unknown-field: Unknown dimension or metric `pag` in data view `web`. Did you mean `page_name`?\nx.filter.yaml: 1 error; nothing was evaluated.\n');
    } finally {
      ws.cleanup();
    }
  });

  it('test runs the example fixtures and ends with the counts', () => {
    const r = runCli(['test', 'examples']);
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\n3 passed, 0 failed\n$/);
  });

  it('test exits 1 on a failing fixture and names the person and the reason', () => {
    const ws = tempWorkspace({
      'web.dataview.yaml': 'dataview: web\ntimestamp: t\nsources:\n  - file: e.ndjson\n    person: p\n    namespace: ECID\ndimensions:\n  page: string\n',
      'f.filter.yaml': 'filter: f\ndataview: web\nrule: person where page = "A"\n',
      'f.filter.test.yaml': 'filter: f\npeople:\n  - person: p1\n    expect: member\n    events:\n      - { t: "2026-01-01T00:00:00Z", page: B }\n',
    });
    try {
      const r = runCli(['test', '.'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      assert.match(r.stdout, /^✗ f\.filter\.test\.yaml:4 f ECID:p1 — expected member, but is not member: /);
      assert.match(r.stdout, /\n0 passed, 1 failed\n$/);
    } finally {
      ws.cleanup();
    }
  });
});
