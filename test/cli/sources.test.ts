import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, runCli, tempWorkspace } from '../support/cli';

/** Sample files checked like code, from the command line: errors, refusals, confinement, the workspace root. */

const dataView = (file: string) => `dataview: web
timestamp: timestamp
sources:
  - file: ${file}
    person: ecid
    namespace: ECID
dimensions:
  page_name: string
`;
const ROWS = '{"ecid":"p1","timestamp":"2026-11-01T10:00:00Z","page_name":"Home"}\n{"ecid":"p2","timestamp":"2026-11-02T10:00:00Z","page_name":"Cart"}\n';
const FILTER = 'filter: home\ndataview: web\nrule: person where page_name = "Home"\n';
const TOKEN = { AUDIENCE_FILTERS_TOKEN: 'not-used', AUDIENCE_FILTERS_ENDPOINT: 'http://127.0.0.1:9' };

describe('audience-filters and the sample files of a data view', () => {
  it('a missing sample file: check exits 1 with the error on the file: value; preview, members, plan, publish evaluate nothing', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': dataView('data/nope.ndjson'), 'f/home.filter.yaml': FILTER });
    try {
      const check = runCli(['check', '.'], { cwd: ws.dir });
      assert.strictEqual(check.stdout, 'web.dataview.yaml:4:11: error dataview-file-missing: Sample file `data/nope.ndjson` does not exist.\n2 files checked: 1 error, 0 warnings.\n');
      assert.strictEqual(check.status, 1);
      const refusal = 'web.dataview.yaml:4:11: error dataview-file-missing: Sample file `data/nope.ndjson` does not exist.\nf/home.filter.yaml: not evaluated: data view `web` is missing sample data (1 file); a smaller audience would be a wrong answer.\n';
      for (const args of [['preview', 'f/home.filter.yaml'], ['members', 'f/home.filter.yaml'], ['plan', 'f/home.filter.yaml'], ['publish', 'f/home.filter.yaml', '--yes']]) {
        const r = runCli(args, { cwd: ws.dir, env: TOKEN });
        assert.deepStrictEqual([r.status, r.stdout, r.stderr], [1, '', refusal], args.join(' '));
      }
    } finally {
      ws.cleanup();
    }
  });

  it('skipped rows: preview reports them; --max-bad-rows 0 refuses, and plan refuses by default', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': dataView('events.ndjson'), 'events.ndjson': `${ROWS}not json\n`, 'home.filter.yaml': FILTER });
    try {
      const preview = runCli(['preview', 'home.filter.yaml'], { cwd: ws.dir });
      assert.strictEqual(preview.status, 0, preview.stderr);
      assert.match(preview.stderr, /^warning: events\.ndjson:3: invalid JSON: [^\n]*; line skipped\n$/);
      assert.ok(preview.stdout.includes('\nevaluated on 1 sample file: events.ndjson 2 events; 1 row skipped\n'), preview.stdout);
      const strict = runCli(['preview', 'home.filter.yaml', '--max-bad-rows', '0'], { cwd: ws.dir });
      assert.deepStrictEqual([strict.status, strict.stdout], [1, '']);
      assert.strictEqual(strict.stderr, 'home.filter.yaml: 1 row was skipped while loading data view `web` (at most 0 allowed), so nothing was evaluated; fix the rows or raise --max-bad-rows.\n');
      const plan = runCli(['plan', 'home.filter.yaml'], { cwd: ws.dir, env: TOKEN });
      assert.deepStrictEqual([plan.status, plan.stdout, plan.stderr], [1, '', strict.stderr]);
    } finally {
      ws.cleanup();
    }
  });

  it('a sample file outside the workspace: an error with --allow-outside as the way in; refused by preview unless allowed', () => {
    const ws = tempWorkspace({ 'ws/web.dataview.yaml': dataView('../outside/events.ndjson'), 'outside/events.ndjson': ROWS, 'ws/home.filter.yaml': FILTER });
    const cwd = path.join(ws.dir, 'ws');
    try {
      const check = runCli(['check', '.'], { cwd });
      assert.strictEqual(check.stdout, 'web.dataview.yaml:4:11: error dataview-file-outside: Sample file `../outside/events.ndjson` is outside the workspace folder; sample files are read only inside it. To allow it, pass --allow-outside <its folder>.\n2 files checked: 1 error, 0 warnings.\n');
      assert.strictEqual(check.status, 1);
      assert.strictEqual(runCli(['check', '.', '--allow-outside', '../outside'], { cwd }).status, 0);
      const preview = runCli(['preview', 'home.filter.yaml', '--json'], { cwd });
      assert.deepStrictEqual([preview.status, preview.stdout], [1, '']);
      assert.match(preview.stderr, /^web\.dataview\.yaml:4:11: error dataview-file-outside: /);
      const allowed = runCli(['preview', 'home.filter.yaml', '--json', '--allow-outside', '../outside'], { cwd });
      assert.strictEqual(allowed.status, 0, allowed.stderr);
      assert.deepStrictEqual(JSON.parse(allowed.stdout).matched.people, 1);
    } finally {
      ws.cleanup();
    }
  });

  it('finds the workspace upward from a subfolder, takes --root, and names the folders searched when there is none', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': dataView('events.ndjson'), 'events.ndjson': ROWS, 'filters/home.filter.yaml': FILTER, 'lone/x.filter.yaml': FILTER.replace('filter: home', 'filter: x') });
    const root = fs.realpathSync(ws.dir);
    try {
      const sub = runCli(['check', '.'], { cwd: path.join(root, 'filters') });
      assert.deepStrictEqual([sub.status, sub.stdout, sub.stderr], [0, '1 file checked: 0 errors, 0 warnings.\n', '']);
      const preview = runCli(['preview', 'home.filter.yaml', '--json'], { cwd: path.join(root, 'filters') });
      assert.strictEqual(preview.status, 0, preview.stderr);
      assert.deepStrictEqual(JSON.parse(preview.stdout).data, { files: [{ file: path.join(root, 'events.ndjson'), events: 2 }], skippedRows: 0 });
      const rooted = runCli(['check', 'x.filter.yaml', '--root', root], { cwd: path.join(root, 'lone') });
      assert.deepStrictEqual([rooted.status, rooted.stdout], [0, '1 file checked: 0 errors, 0 warnings.\n']);
      const wrongRoot = runCli(['check', 'x.filter.yaml', '--root', '.', '--format', 'json'], { cwd: path.join(root, 'lone') });
      assert.strictEqual(wrongRoot.status, 1);
      assert.deepStrictEqual(JSON.parse(wrongRoot.stdout).diagnostics.map((d: { code: string }) => d.code), ['filter-unknown-dataview']);
      const missingRoot = runCli(['check', '.', '--root', 'nowhere'], { cwd: root });
      assert.deepStrictEqual([missingRoot.status, missingRoot.stderr], [2, 'audience-filters check: --root nowhere: no such folder\n']);
    } finally {
      ws.cleanup();
    }
  });

  it('with no data view anywhere up the tree, the message names the folders searched', () => {
    const ws = tempWorkspace({ 'a/b/x.filter.yaml': FILTER });
    const root = fs.realpathSync(ws.dir);
    try {
      const r = runCli(['preview', 'x.filter.yaml'], { cwd: path.join(root, 'a', 'b') });
      assert.strictEqual(r.status, 1);
      const searched: string[] = [];
      for (let d = path.join(root, 'a', 'b'); ; d = path.dirname(d)) {
        searched.push(d);
        if (path.dirname(d) === d) break;
      }
      assert.ok(r.stderr.startsWith('x.filter.yaml:2:11: error filter-unknown-dataview: Unknown data view `web`.'), r.stderr);
      assert.ok(r.stderr.includes('\nx.filter.yaml: 1 error; nothing was evaluated. No *.dataview.yaml was found in '), r.stderr);
      assert.ok(r.stderr.endsWith(`in ${searched.join(', ')} (searched upward from the file); pass --root <dir>.\n`), r.stderr);
    } finally {
      ws.cleanup();
    }
  });

  it('did you mean for a misspelt path', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': dataView('events.ndjson'), 'events.ndjson': ROWS, 'filters/home.filter.yaml': FILTER });
    try {
      const r = runCli(['check', 'filtres'], { cwd: ws.dir });
      assert.deepStrictEqual([r.status, r.stderr], [2, 'audience-filters check: no such file or folder: filtres (did you mean filters?)\n']);
      const file = runCli(['preview', 'filters/hom.filter.yaml'], { cwd: ws.dir });
      assert.deepStrictEqual([file.status, file.stderr], [2, 'audience-filters preview: no such file or folder: filters/hom.filter.yaml (did you mean filters/home.filter.yaml?)\n']);
    } finally {
      ws.cleanup();
    }
  });
  it('positions are 0-based in every JSON output (check, test), 1-based in text', () => {
    const ws = tempWorkspace({
      'web.dataview.yaml': dataView('events.ndjson'),
      'events.ndjson': ROWS,
      'home.filter.yaml': FILTER,
      'bad.filter.yaml': 'filter: bad\ndataview: web\nrule: person where pag_name = "Home"\n',
      'home.filter.test.yaml': 'filter: home\npeople:\n  - person: p1\n    expect: not member\n    events:\n      - { timestamp: "2026-01-01T00:00:00Z", page_name: Home }\n',
    });
    try {
      const test = runCli(['test', 'home.filter.test.yaml', '--format', 'json'], { cwd: ws.dir });
      assert.strictEqual(test.status, 1);
      assert.deepStrictEqual(JSON.parse(test.stdout).results.map((r: { line: number }) => r.line), [3]);
      assert.match(runCli(['test', 'home.filter.test.yaml'], { cwd: ws.dir }).stdout, /^✗ home\.filter\.test\.yaml:4 home ECID:p1 — /);
      const check = runCli(['check', 'bad.filter.yaml', '--format', 'json'], { cwd: ws.dir });
      assert.deepStrictEqual(JSON.parse(check.stdout).diagnostics[0].range, { start: { line: 2, character: 19 }, end: { line: 2, character: 27 } });
    } finally {
      ws.cleanup();
    }
  });
  it('a relative period says its anchor: the newest event by default, today with `anchor: today`', () => {
    const relative = FILTER.replace('rule:', 'period: last 30 days\nrule:');
    const ws = tempWorkspace({ 'web.dataview.yaml': dataView('events.ndjson'), 'events.ndjson': ROWS, 'home.filter.yaml': relative });
    const wsToday = tempWorkspace({ 'web.dataview.yaml': dataView('events.ndjson').replace('timestamp: timestamp', 'timestamp: timestamp\nanchor: today'), 'events.ndjson': ROWS, 'home.filter.yaml': relative });
    try {
      const newest = runCli(['preview', 'home.filter.yaml'], { cwd: ws.dir });
      assert.strictEqual(newest.stdout.split('\n')[1], 'data view web, window 2026-10-04 … 2026-11-03 (to the newest event, 2026-11-02)');
      assert.deepStrictEqual(JSON.parse(runCli(['preview', 'home.filter.yaml', '--json'], { cwd: ws.dir }).stdout).anchor, { kind: 'newest-event', date: '2026-11-02' });
      const before = new Date().toISOString().slice(0, 10);
      const today = JSON.parse(runCli(['preview', 'home.filter.yaml', '--json'], { cwd: wsToday.dir }).stdout);
      const after = new Date().toISOString().slice(0, 10);
      assert.ok([before, after].includes(today.anchor.date), today.anchor.date);
      assert.strictEqual(today.anchor.kind, 'today');
      assert.strictEqual(today.matched.people, 0, 'the sample events are older than 30 days before today');
    } finally {
      ws.cleanup();
      wsToday.cleanup();
    }
  });
  it('audienceFilters.data.allowedFolders is an application-scoped setting: a workspace cannot widen it', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const setting = manifest.contributes.configuration.properties['audienceFilters.data.allowedFolders'];
    assert.deepStrictEqual([setting.type, setting.items, setting.default, setting.scope], ['array', { type: 'string' }, [], 'application']);
  });
});
