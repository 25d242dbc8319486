/** `audience-filters init`: a first data view (and filter) from sample files, as "New Data View…" writes it. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, runCli, tempWorkspace } from '../support/cli';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const SAMPLES = ['data/web-events.ndjson', 'data/app-events.csv', 'data/crm-events.json'];

interface PreviewJson { matched: unknown; total: unknown; namespaces: unknown; steps: Array<{ label: string; people: number }> }

/** A copy of the examples whose hand-written data view is replaced by the one `init` infers. */
function initialisedCopy(): { dir: string; cleanup: () => void; stdout: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-init-'));
  fs.cpSync(EXAMPLES, dir, { recursive: true });
  fs.rmSync(path.join(dir, 'web.dataview.yaml'));
  const r = runCli(['init', ...SAMPLES, '--id', 'web', '--title', 'Web and app behaviour'], { cwd: dir });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stderr, '');
  return { dir, stdout: r.stdout, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('audience-filters init', function () {
  this.timeout(120_000);

  it('infers the example data view: timestamp, each file\'s person and namespace, session, dimensions with types and top values, metrics', () => {
    const ws = initialisedCopy();
    try {
      assert.strictEqual(ws.stdout.split('\n')[0],
        'Wrote web.dataview.yaml: data view web from the first 3000 rows of 3 files — timestamp timestamp, ecid (ECID), email (Email), person_id (namespace from id_namespace), 9 dimensions, 3 metrics.');
      const text = fs.readFileSync(path.join(ws.dir, 'web.dataview.yaml'), 'utf8');
      const lines = text.split('\n');
      assert.deepStrictEqual(lines.slice(0, 17), [
        'dataview: web',
        'title: Web and app behaviour',
        '# Inferred from the first 3000 rows of 3 sample files: check the types and names, add descriptions.',
        'timestamp: timestamp',
        'session:',
        '  field: session_id          # rows without one are sessionised by inactivity',
        '  timeout: 30 minutes',
        'sources:',
        '  - file: data/web-events.ndjson',
        '    person: ecid',
        '    namespace: ECID',
        '  - file: data/app-events.csv',
        '    person: email',
        '    namespace: Email',
        '  - file: data/crm-events.json',
        '    person: person_id',
        '    namespaceField: id_namespace',
      ]);
      assert.ok(lines.includes('  device: string             # 5 values, e.g. Mobile, Desktop, iOS, Android, Tablet'), text);
      assert.ok(text.includes('  campaign:                  # 8 values, e.g. fall-sale-2026, new-arrivals, influencer-q4, brand-search, cart-reminder\n    type: string\n    field: marketing.campaign\n'), text);
      assert.deepStrictEqual(lines.slice(lines.indexOf('metrics:') + 1).filter(l => l).map(l => l.split(':')[0].trim()), ['cart_adds', 'revenue', 'orders']);
    } finally {
      ws.cleanup();
    }
  });

  it('writes a data view that check accepts and on which every example filter previews the hand-written counts', () => {
    const ws = initialisedCopy();
    try {
      const check = runCli(['check', '.'], { cwd: ws.dir });
      assert.strictEqual(check.status, 0, check.stdout + check.stderr);
      assert.strictEqual(check.stdout.trim(), '17 files checked: 0 errors, 0 warnings.');
      const filters = fs.readdirSync(path.join(EXAMPLES, 'filters')).filter(f => f.endsWith('.filter.yaml')).sort();
      assert.strictEqual(filters.length, 15);
      for (const f of filters) {
        const run = (cwd: string): PreviewJson => {
          const r = runCli(['preview', path.join('filters', f), '--json'], { cwd });
          assert.strictEqual(r.status, 0, `${f} in ${cwd}: ${r.stderr}`);
          const j = JSON.parse(r.stdout) as PreviewJson;
          return { matched: j.matched, total: j.total, namespaces: j.namespaces, steps: j.steps };
        };
        assert.deepStrictEqual(run(ws.dir), run(EXAMPLES), f);
      }
    } finally {
      ws.cleanup();
    }
  });

  it('--filter writes a first filter from a template that check accepts and that matches people', () => {
    const ws = tempWorkspace({});
    try {
      fs.cpSync(path.join(EXAMPLES, 'data'), path.join(ws.dir, 'data'), { recursive: true });
      const r = runCli(['init', 'data/web-events.ndjson', '--id', 'shop', '--filter', 'left-after-home', '--template', 'exclude'], { cwd: ws.dir });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(r.stdout.split('\n').slice(1), [
        'Wrote left-after-home.filter.yaml: an exclude filter on shop.',
        'Next: audience-filters check . && audience-filters preview left-after-home.filter.yaml',
        '',
      ]);
      assert.strictEqual(fs.readFileSync(path.join(ws.dir, 'left-after-home.filter.yaml'), 'utf8'), [
        'filter: left-after-home',
        'title: Left after home',
        'description: People with event_type web.webpagedetails.pageViews and no commerce.productViews within the next 30 minutes.',
        'dataview: shop',
        'period: last 30 days',
        'rule: |',
        '  person where',
        '    event where event_type = "web.webpagedetails.pageViews"',
        '    then within 30 minutes',
        '    exclude event where event_type = "commerce.productViews"',
        '',
      ].join('\n'));
      assert.strictEqual(runCli(['check', '.'], { cwd: ws.dir }).status, 0);
      const preview = JSON.parse(runCli(['preview', 'left-after-home.filter.yaml', '--json'], { cwd: ws.dir }).stdout) as { matched: { people: number }; total: { people: number } };
      assert.ok(preview.matched.people > 0 && preview.matched.people < preview.total.people, JSON.stringify(preview.matched));
    } finally {
      ws.cleanup();
    }
  });

  it('refuses, with the file and the reason: a missing file, an existing output, no timestamp, no person, Parquet, bad options', () => {
    const ws = tempWorkspace({
      'a.csv': 'when,user_id,page\n2026-01-01,u1,Home\n',
      'b.ndjson': '{"timestamp":"2026-01-01T00:00:00Z","page":"Home"}\n',
      'c.ndjson': '{"ecid":"1","page":"Home"}\n',
      'd.parquet': 'PAR1',
      'taken.dataview.yaml': 'dataview: taken\n',
    });
    try {
      const cases: Array<[string[], number, string]> = [
        [['init', 'nope.csv'], 1, 'nope.csv: error init-missing-file: no such file.'],
        [['init', 'b.ndjson', '--id', 'taken'], 1, 'taken.dataview.yaml: error init-file-exists: already exists; pass --force to overwrite it.'],
        [['init', 'c.ndjson'], 1, 'error init-cannot-infer: No timestamp field found in the first rows of c.ndjson: a field whose every value is an ISO time or epoch seconds/milliseconds.'],
        [['init', 'b.ndjson'], 1, 'error init-cannot-infer: b.ndjson: no person ID field found (a field named like ecid, email, person_id, user_id or customer_id with a value in every row).'],
        [['init', 'd.parquet'], 1, 'error init-cannot-infer: d.parquet: Parquet files are not read for a first data view yet; pick an NDJSON, JSON or CSV sample, or write the data view by hand.'],
        [['init'], 2, 'audience-filters init: init needs one or more sample files (.ndjson, .json or .csv), e.g. `audience-filters init data/events.ndjson`'],
        [['init', 'a.csv', '--id', 'Web'], 2, 'audience-filters init: --id must be kebab-case (a-z, 0-9, single dashes), got "Web"'],
        [['init', 'a.csv', '--template', 'sequence'], 2, 'audience-filters init: --template needs --filter <id> (the filter to write)'],
        [['init', 'a.csv', '--filter', 'x', '--template', 'funnel'], 2, 'audience-filters init: --template must be one of condition, sequence, exclude (got "funnel")'],
      ];
      for (const [args, status, stderr] of cases) {
        const r = runCli(args, { cwd: ws.dir });
        assert.deepStrictEqual([r.status, r.stderr.trim()], [status, stderr], args.join(' '));
      }
      assert.deepStrictEqual(fs.readdirSync(ws.dir).sort(), ['a.csv', 'b.ndjson', 'c.ndjson', 'd.parquet', 'taken.dataview.yaml'], 'nothing written');
      const csv = runCli(['init', 'a.csv', '--id', 'tiny'], { cwd: ws.dir });
      assert.strictEqual(csv.status, 0, csv.stderr);
      assert.match(fs.readFileSync(path.join(ws.dir, 'tiny.dataview.yaml'), 'utf8'), /^timestamp: when\n[^]*    person: user_id\n    namespace: CRM\ndimensions:\n  page: string +# 1 value, e.g. Home\n$/m);
    } finally {
      ws.cleanup();
    }
  });
});
