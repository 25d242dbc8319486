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
    const r = runCli(['import', path.join(ADOBE, 'ex10.json'), '--dataview', path.join(ADOBE, 'adobe.dataview.yaml')]);
    assert.strictEqual(r.stderr, '');
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
      assert.deepStrictEqual(def.container.pred.stream[1], { func: 'time-restriction', limit: 'within', count: 1, unit: 'month' });
      assert.strictEqual(def.func, 'segment');
      const api = JSON.parse(runCli(['export', 'landing.filter.yaml', '--api'], { cwd: ws.dir }).stdout);
      assert.strictEqual(api.name, 'landing-then-search');
      assert.deepStrictEqual(api.definition, def);
    } finally {
      ws.cleanup();
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
    const ws = tempWorkspace({ 'adobe.dataview.yaml': DATAVIEW, 'events.ndjson': '', 'x.filter.yaml': 'filter: x\ndataview: adobe\nrule: |\n  person where\n    event where page_name = "A"\n    then exclude event where page_name = "B"\n    then event where page_name = "C"\n' });
    try {
      const r = runCli(['sql', 'x.filter.yaml', '--dialect', 'clickhouse'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stdout, '');
      assert.match(r.stderr, /^x\.filter\.yaml:6:5: error sql-dialect-unsupported: /);
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
