/** `import`, `export`, `sql` and the CI formats of `check`, run as processes. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { sarifValidator } from '../support/sarif';
import { REPO_ROOT, runCli, tempWorkspace } from '../support/cli';

const ADOBE = path.join(REPO_ROOT, 'test', 'fixtures', 'adobe');
const DATAVIEW = fs.readFileSync(path.join(ADOBE, 'adobe.dataview.yaml'), 'utf8');

describe('audience-filters import / export / sql', function () {
  this.timeout(60_000);
  it('imports an API object into a filter file (id from its name) on stdout', () => {
    const r = runCli(['import', path.join(ADOBE, 'ex10.json'), '--dataview', path.join(ADOBE, 'adobe.dataview.yaml')], { cwd: ADOBE });
    assert.strictEqual(r.stderr, 'ex10.json: $: warning adobe-not-carried: Not carried into the filter file (they describe the segment in Adobe): `dataId`, `compatibility`.\n');
    assert.strictEqual(r.status, 0);
    assert.strictEqual(r.stdout, 'filter: integration-test-seg-1\ntitle: Integration Test Seg 1\ndescription: For Integration Test Only\ndataview: adobe\nrule: |\n  event where\n    # purchase id\n    visits exists\n');
  });

  it('writes -o, which check accepts, and exports it back to the same definition', () => {
    const ws = tempWorkspace({ 'adobe.dataview.yaml': DATAVIEW, 'events.ndjson': '', 'def.json': fs.readFileSync(path.join(ADOBE, 'ex05.json')) });
    try {
      const r = runCli(['import', 'def.json', '--dataview', 'adobe.dataview.yaml', '--id', 'landing-then-search', '-o', 'landing.filter.yaml'], { cwd: ws.dir });
      assert.strictEqual(r.status, 0, r.stderr);
      const text = fs.readFileSync(path.join(ws.dir, 'landing.filter.yaml'), 'utf8');
      assert.ok(text.startsWith('filter: landing-then-search\ndataview: adobe\nrule: |\n'), text);
      const check = runCli(['check', '.', '--format', 'json'], { cwd: ws.dir });
      assert.deepStrictEqual(JSON.parse(check.stdout).diagnostics.filter((d: { severity: string }) => d.severity === 'error'), []);
      const exp = runCli(['export', 'landing.filter.yaml'], { cwd: ws.dir });
      assert.strictEqual(exp.status, 0, exp.stderr);
      const def = JSON.parse(exp.stdout);
      assert.deepStrictEqual(def.container.pred.stream[1], { func: 'time-restriction', limit: 'within', count: 1, unit: 'month', container: 'hits' });
      assert.strictEqual(def.func, 'segment');
      const api = JSON.parse(runCli(['export', 'landing.filter.yaml', '--api'], { cwd: ws.dir }).stdout);
      assert.strictEqual(api.name, 'landing-then-search');
      assert.deepStrictEqual(api.definition, def);
    } finally {
      ws.cleanup();
    }
  });

  it('export --api → import gives back the filter file: id, title, description, tags, period and audience block (issue 18)', () => {
    const exp = runCli(['export', 'examples/filters/checkout-abandoners.filter.yaml', '--api'], { cwd: REPO_ROOT });
    assert.strictEqual(exp.status, 0, exp.stderr);
    assert.strictEqual(exp.stderr, '');
    const api = JSON.parse(exp.stdout);
    assert.deepStrictEqual(Object.keys(api), ['name', 'description', 'definition', 'x-audience-filters']);
    assert.strictEqual(api.name, 'Checkout abandoners');
    assert.deepStrictEqual(api['x-audience-filters'], {
      version: 1, filter: 'checkout-abandoners', title: 'Checkout abandoners', dataview: 'web', tags: ['ecommerce', 'retargeting'], period: 'last 30 days',
      audience: { name: 'Checkout abandoners (30 min)', refresh: 'daily', lookback: '30 days', expires: '2027-06-30', namespaces: ['ECID', 'Email'] },
    });
    const ws = tempWorkspace({ 'seg.json': exp.stdout });
    try {
      const imp = runCli(['import', path.join(ws.dir, 'seg.json'), '--dataview', 'examples/web.dataview.yaml', '-o', path.join(ws.dir, 'back.filter.yaml')], { cwd: REPO_ROOT });
      assert.strictEqual(imp.status, 0, imp.stderr);
      const original = fs.readFileSync(path.join(REPO_ROOT, 'examples/filters/checkout-abandoners.filter.yaml'), 'utf8');
      assert.strictEqual(fs.readFileSync(path.join(ws.dir, 'back.filter.yaml'), 'utf8'), original, 'the same file, byte for byte');
    } finally {
      ws.cleanup();
    }
  });

  it('keeps the metadata of every example filter through export --api → import, and check accepts each file', () => {
    const dir = path.join(REPO_ROOT, 'examples', 'filters');
    const ws = tempWorkspace({ 'web.dataview.yaml': fs.readFileSync(path.join(REPO_ROOT, 'examples', 'web.dataview.yaml')) });
    try {
      fs.cpSync(path.join(REPO_ROOT, 'examples', 'data'), path.join(ws.dir, 'data'), { recursive: true });
      const names = fs.readdirSync(dir).filter(f => f.endsWith('.filter.yaml'));
      assert.ok(names.length >= 10);
      for (const name of names) {
        const exp = runCli(['export', path.join(dir, name), '--api', '--target', 'aa'], { cwd: REPO_ROOT });
        assert.strictEqual(exp.status, 0, `${name}: ${exp.stderr}`);
        fs.writeFileSync(path.join(ws.dir, 'seg.json'), exp.stdout);
        const imp = runCli(['import', 'seg.json', '--dataview', 'web.dataview.yaml', '--from', 'aa', '-o', name], { cwd: ws.dir });
        assert.strictEqual(imp.status, 0, `${name}: ${imp.stderr}`);
        const keys = (text: string) => text.replace(/^rule: \|\n(  .*\n|\n)*/m, '');
        assert.strictEqual(keys(fs.readFileSync(path.join(ws.dir, name), 'utf8')), keys(fs.readFileSync(path.join(dir, name), 'utf8')), name);
      }
      const check = runCli(['check', '.', '--format', 'json'], { cwd: ws.dir });
      assert.deepStrictEqual(JSON.parse(check.stdout).diagnostics.filter((d: { severity: string }) => d.severity === 'error'), []);
      assert.strictEqual(check.status, 0);
    } finally {
      ws.cleanup();
    }
  });

  it('lists what the JSON does not carry in one warning', () => {
    const bare = runCli(['export', 'examples/filters/lapsed-buyers.filter.yaml'], { cwd: REPO_ROOT });
    assert.strictEqual(bare.status, 0, bare.stderr);
    assert.strictEqual(bare.stderr, "examples/filters/lapsed-buyers.filter.yaml: warning export-not-carried: not carried into the definition: `title`, `description` (a bare definition holds only the rule; `--api` keeps them); the reference `filter buyers` (inlined: Adobe's definition has no reference).\n");
    const ws = tempWorkspace({
      'adobe.dataview.yaml': DATAVIEW,
      'x.filter.yaml': '# owned by the growth team\nfilter: x\ndataview: adobe\nrule: |\n  # landing visitors\n  person where page_name = "A"\n  # the campaign comes later\n',
      'seg.json': JSON.stringify({ id: 's300_1', rsid: 'shop', owner: { id: 7 }, name: 'Renamed in Adobe', definition: { func: 'segment', version: [1, 0, 0], container: { func: 'container', context: 'visitors', pred: { func: 'exists', val: { func: 'attr', name: 'variables/page' } } } }, 'x-audience-filters': { version: 1, filter: 'landing', title: 'Landing', period: 'every tuesday', colour: 'red' } }),
    });
    try {
      const api = runCli(['export', 'x.filter.yaml', '--api'], { cwd: ws.dir });
      assert.strictEqual(api.stderr, 'x.filter.yaml: warning export-not-carried: not carried into the API object: 1 rule comment that labels no condition or container (the others become `description` labels); 1 YAML comment line outside the rule.\n');
      assert.strictEqual(JSON.parse(api.stdout).definition.container.description, 'landing visitors');
      const imp = runCli(['import', 'seg.json', '--dataview', 'adobe.dataview.yaml'], { cwd: ws.dir });
      assert.strictEqual(imp.status, 0, imp.stderr);
      assert.strictEqual(imp.stderr, [
        'seg.json: $["x-audience-filters"].colour: warning adobe-not-carried: `colour` is not a key of `x-audience-filters` (filter, title, dataview, tags, period, audience); not carried.',
        'seg.json: $: warning adobe-not-carried: Not carried into the filter file (they describe the segment in Adobe): `id`, `rsid`, `owner`.',
        'seg.json: $["x-audience-filters"].period: warning adobe-not-carried: `period` is left out of the filter file: schema-value: `period` is not valid: must match ^last [1-9][0-9]* (day|days|week|weeks|month|months)$',
        '',
      ].join('\n'));
      assert.ok(imp.stdout.startsWith('filter: landing\ntitle: Renamed in Adobe\ndataview: adobe\nrule: |\n'), imp.stdout);
    } finally {
      ws.cleanup();
    }
  });

  it('sql compiles `person where only … per session`, and refuses `only … per session` in an event container with its location', () => {
    const ws = tempWorkspace({ 'adobe.dataview.yaml': DATAVIEW, 'x.filter.yaml': 'filter: x\ndataview: adobe\nrule: |\n  event where\n    only after (page_name = "A" then page_name = "B") per session\n' });
    const ok = tempWorkspace({ 'adobe.dataview.yaml': DATAVIEW, 'y.filter.yaml': 'filter: y\ndataview: adobe\nrule: |\n  person where\n    only after (page_name = "A" then page_name = "B") per session\n' });
    try {
      const y = runCli(['sql', 'y.filter.yaml', '--dialect', 'duckdb'], { cwd: ok.dir });
      assert.strictEqual(y.status, 0, y.stderr);
      assert.match(y.stdout, /PARTITION BY z\d+_\d+._p, z\d+_\d+._s /, "the sequence is searched per session");
      const r = runCli(['sql', 'x.filter.yaml', '--dialect', 'duckdb'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stdout, '');
      assert.strictEqual(r.stderr, 'x.filter.yaml:5:5: error sql-unsupported-only-scope: `only after (…) per session` inside an event container (a sequence searched per session, returning events) does not compile to SQL; the engine (preview, members, publish) evaluates it.\n');
    } finally {
      ws.cleanup();
      ok.cleanup();
    }
  });

  it('rejects an array of predicates naming `$`, and broken definitions naming the JSON path', () => {
    const arr = runCli(['import', path.join(ADOBE, 'ex29.json'), '--dataview', path.join(ADOBE, 'adobe.dataview.yaml')], { cwd: REPO_ROOT });
    assert.strictEqual(arr.status, 1);
    assert.strictEqual(arr.stdout, '');
    assert.match(arr.stderr, /^test\/fixtures\/adobe\/ex29\.json: \$: error adobe-not-definition: Expected a segment definition object, found an array of 9 items/);
    const ws = tempWorkspace({ 'adobe.dataview.yaml': DATAVIEW, 'events.ndjson': '', 'bad.json': JSON.stringify({ func: 'segment', container: { func: 'container', context: 'hits', pred: { func: 'or', preds: [{ func: 'streq', str: 'x', val: { func: 'attr', name: 'variables/pag' } }] } } }), 'syntax.json': '{"func": ' });
    try {
      const bad = runCli(['import', 'bad.json', '--dataview', 'adobe.dataview.yaml'], { cwd: ws.dir });
      assert.strictEqual(bad.status, 1);
      assert.strictEqual(bad.stderr, 'bad.json: $.container.pred.preds[0].val.name: error adobe-unknown-name: No dimension of data view `adobe` has the Adobe id `variables/pag` (declare it with `adobeId:` in the data view). Did you mean `variables/page`?\n');
      const syntax = runCli(['import', 'syntax.json', '--dataview', 'adobe.dataview.yaml'], { cwd: ws.dir });
      assert.strictEqual(syntax.status, 1);
      assert.match(syntax.stderr, /^syntax\.json: error adobe-json-syntax: /);
      const usage = runCli(['import', 'bad.json'], { cwd: ws.dir });
      assert.strictEqual(usage.status, 2);
      assert.match(usage.stderr, /needs --dataview/);
    } finally {
      ws.cleanup();
    }
  });

  it('imports AA definitions case-insensitive with --from aa', () => {
    const ws = tempWorkspace({ 'adobe.dataview.yaml': DATAVIEW, 'events.ndjson': '', 'aa.json': JSON.stringify({ func: 'container', context: 'visitors', pred: { func: 'contains', str: 'Shoe', val: { func: 'attr', name: 'variables/page' } } }) });
    try {
      const r = runCli(['import', 'aa.json', '--dataview', 'adobe.dataview.yaml', '--from', 'aa'], { cwd: ws.dir });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /page_name contains "Shoe" ignoring case/);
    } finally {
      ws.cleanup();
    }
  });

  it('prints SQL for every dialect, and a located error for what does not compile', () => {
    for (const dialect of ['duckdb', 'postgres', 'clickhouse', 'spark', 'trino']) {
      const r = runCli(['sql', 'examples/filters/search-to-cart.filter.yaml', '--dialect', dialect, '--table', 'web_events'], { cwd: REPO_ROOT });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /^WITH\n/);
      assert.match(r.stdout, /FROM web_events/);
    }
    // An exclude checkpoint with a calendar gap keeps the join form, which ClickHouse (no correlated subqueries) refuses.
    const ws = tempWorkspace({ 'adobe.dataview.yaml': DATAVIEW, 'events.ndjson': '', 'x.filter.yaml': 'filter: x\ndataview: adobe\nrule: |\n  person where\n    event where page_name = "A"\n    then within 1 month exclude event where page_name = "B"\n    then event where page_name = "C"\n' });
    try {
      const r = runCli(['sql', 'x.filter.yaml', '--dialect', 'clickhouse'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stdout, '');
      assert.match(r.stderr, /^x\.filter\.yaml:6:5: error sql-dialect-unsupported: /);
      assert.strictEqual(runCli(['sql', 'x.filter.yaml', '--dialect', 'duckdb'], { cwd: ws.dir }).status, 0);
      assert.strictEqual(runCli(['sql', 'x.filter.yaml'], { cwd: ws.dir }).status, 2);
    } finally {
      ws.cleanup();
    }
  });
});

describe('audience-filters check --format sarif|github', function () {
  this.timeout(60_000);
  const files = { 'adobe.dataview.yaml': DATAVIEW, 'events.ndjson': '', 'a.filter.yaml': 'filter: a\ndataview: adobe\nrule: person where pgae_name = "x"\n', 'ok.filter.yaml': 'filter: ok\ndataview: adobe\nrule: person where orders > 0\n' };

  it('prints a SARIF 2.1.0 log that validates, and exits 1 on errors', () => {
    const ws = tempWorkspace(files);
    try {
      const r = runCli(['check', '.', '--format', 'sarif'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      const log = JSON.parse(r.stdout);
      assert.deepStrictEqual(sarifValidator()(log), []);
      const results = log.runs[0].results;
      assert.strictEqual(results.length, 1);
      assert.strictEqual(results[0].ruleId, 'rule-unknown-field');
      assert.deepStrictEqual(results[0].locations[0].physicalLocation.region, { startLine: 3, startColumn: 20, endLine: 3, endColumn: 29 });
      assert.strictEqual(results[0].locations[0].physicalLocation.artifactLocation.uri, 'a.filter.yaml');
    } finally {
      ws.cleanup();
    }
  });

  it('prints one GitHub annotation per diagnostic, line by line', () => {
    const ws = tempWorkspace(files);
    try {
      const r = runCli(['check', '.', '--format', 'github'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      const lines = r.stdout.trimEnd().split('\n');
      assert.strictEqual(lines.length, 2);
      assert.match(lines[0], /^::error file=a\.filter\.yaml,line=3,col=20,endLine=3,endColumn=29,title=rule-unknown-field::.*pgae_name/);
      assert.ok(!/[\r\n]/.test(lines[0]));
      assert.strictEqual(lines[1], '3 files checked: 1 error, 0 warnings.');
    } finally {
      ws.cleanup();
    }
  });
});
