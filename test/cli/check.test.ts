import * as assert from 'assert';
import { runCli, tempWorkspace } from '../support/cli';

const DATAVIEW = `dataview: web
timestamp: timestamp
sources:
  - file: events.ndjson
    person: ecid
    namespace: ECID
dimensions:
  page_name: string
metrics:
  orders:
`;

describe('audience-filters check', () => {
  it('prints the exact JSON diagnostics of a YAML error and exits 1', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': DATAVIEW, 'bad.filter.yaml': 'filter: bad\ndataview: web\ntags: [a, b\nrule: person where orders > 0\n' });
    try {
      const r = runCli(['check', 'bad.filter.yaml', '--format', 'json'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepStrictEqual(out.diagnostics, [
        {
          file: 'bad.filter.yaml',
          range: { start: { line: 2, character: 6 }, end: { line: 2, character: 7 } },
          severity: 'error',
          code: 'yaml-syntax',
          message: 'YAML syntax error: this flow list `[` is never closed with `]`.',
          related: [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } }, message: 'YAML gave up here: deficient indentation.' }],
        },
      ]);
    } finally {
      ws.cleanup();
    }
  });

  it('exits 0 and reports nothing for a clean folder', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': DATAVIEW, 'events.ndjson': '', 'ok.filter.yaml': 'filter: ok\ndataview: web\nrule: person where orders > 0\n' });
    try {
      const r = runCli(['check', '.'], { cwd: ws.dir });
      assert.strictEqual(r.stderr, '');
      assert.strictEqual(r.stdout, '2 files checked: 0 errors, 0 warnings.\n');
      assert.strictEqual(r.status, 0);
    } finally {
      ws.cleanup();
    }
  });

  it('prints text diagnostics as file:line:col with 1-based positions', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': DATAVIEW, 'a.filter.yaml': 'filter: a\ndataview: wbe\nrule: person where orders > 0\n' });
    try {
      const r = runCli(['check', 'a.filter.yaml'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stdout.split('\n')[0], 'a.filter.yaml:2:11: error filter-unknown-dataview: Unknown data view `wbe`. Did you mean `web`?');
    } finally {
      ws.cleanup();
    }
  });

  it('expands globs', () => {
    const ws = tempWorkspace({ 'web.dataview.yaml': DATAVIEW, 'f/a.filter.yaml': 'filter: a\ndataview: web\nrule: person where orders > 0\n', 'f/b.filter.yaml': 'filter: b\ndataview: web\nrule: person where orders > 1\n' });
    try {
      const r = runCli(['check', 'f/*.filter.yaml', '--format', 'json'], { cwd: ws.dir });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      assert.deepStrictEqual(JSON.parse(r.stdout), { diagnostics: [] });
    } finally {
      ws.cleanup();
    }
  });

  it('gives a binary file a diagnostic instead of crashing', () => {
    const ws = tempWorkspace({ 'img.filter.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]) });
    try {
      const r = runCli(['check', 'img.filter.yaml', '--format', 'json'], { cwd: ws.dir });
      assert.strictEqual(r.status, 1);
      assert.deepStrictEqual(JSON.parse(r.stdout).diagnostics.map((d: { code: string }) => d.code), ['yaml-binary']);
    } finally {
      ws.cleanup();
    }
  });

  for (const [args, message] of [
    [['check', '--frobnicate', '.'], 'audience-filters check: unknown option --frobnicate (options: --format, --max-warnings, --dataview, --root, --allow-outside)\n'],
    [['check', 'does-not-exist.filter.yaml'], 'audience-filters check: no such file or folder: does-not-exist.filter.yaml\n'],
    [['check'], 'audience-filters check: check needs at least one file, folder or glob\n'],
    [['check', '.', '--format', 'xml'], 'audience-filters check: --format must be one of text, json, sarif, github (got "xml")\n'],
    [['check', '--formt', 'json', '.'], 'audience-filters check: unknown option --formt (did you mean --format?)\n'],
    [['preview', 'examples/filters/buyers.filter.yaml', '--jsn'], 'audience-filters preview: unknown option --jsn (did you mean --json?)\n'],
    [['previw', 'examples/filters/buyers.filter.yaml'], 'audience-filters: unknown command "previw" (did you mean preview?); commands: check, preview, members, test, plan, publish, abort-run, audiences, endpoint, explain, import, export, load-warehouse, sql, init\n'],
    [['frobnicate'], null],
  ] as Array<[string[], string | null]>) {
    it(`exits 2 with one line on bad usage: ${args.join(' ')}`, () => {
      const r = runCli(args);
      assert.strictEqual(r.status, 2);
      assert.strictEqual(r.stdout, '');
      if (message) assert.strictEqual(r.stderr, message);
      assert.strictEqual(r.stderr.trim().split('\n').length, 1);
    });
  }
});
