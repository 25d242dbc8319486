import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { parseArgs, UsageError } from '../../cli/src/args';
import { optionLabel } from '../../cli/src/help';
import type { CommandIO } from '../../cli/src/io';
import { COMMANDS, main } from '../../cli/src/main';
import { parseEndpointArgs } from '../../endpoint/src/main';
import { CLI, runCli, tempWorkspace } from '../support/cli';

function buffered(extra: Partial<CommandIO> = {}): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { cwd: process.cwd(), out: l => stdout.push(l), err: l => stderr.push(l), stdout, stderr, ...extra };
}

describe('audience-filters <verb> --help, from the option table the parser reads', () => {
  for (const { spec } of COMMANDS) {
    it(`${spec.name}: every option with its default and environment variable, and two examples`, async () => {
      const io = buffered();
      assert.strictEqual(await main([spec.name, '--help'], io), 0);
      const help = io.stdout.join('\n');
      const lines = help.split('\n');
      assert.strictEqual(lines[0], `Usage: audience-filters ${spec.name}${spec.args ? ` ${spec.args}` : ''}${spec.options.length ? ' [options]' : ''}`);
      const optionLines = lines.slice(lines.indexOf('Options:') + 1, lines.indexOf('', lines.indexOf('Options:')));
      assert.deepStrictEqual(optionLines.map(l => l.trim().split(/\s{2,}/)[0]), [...spec.options.map(optionLabel), '-h, --help']);
      for (const o of spec.options) {
        const line = optionLines.find(l => l.trim().startsWith(`${optionLabel(o)} `))!;
        assert.ok(line.includes(o.description), `${o.name}: ${line}`);
        if (o.default !== undefined) assert.ok(line.includes(`default: ${o.default}`), `${o.name} default: ${line}`);
        if (o.env) {
          assert.ok(line.includes(`env: ${o.env}`), line);
          assert.ok(lines.slice(lines.indexOf('Environment:')).some(l => l.trim().startsWith(`${o.env} `)), `${o.env} under Environment`);
        }
      }
      for (const e of spec.env ?? []) assert.ok(lines.slice(lines.indexOf('Environment:')).some(l => l.trim().startsWith(`${e.name} `) && l.endsWith(` ${e.description}`)), `${e.name} under Environment`);
      const examples = lines.slice(lines.indexOf('Examples:') + 1);
      assert.deepStrictEqual(examples, spec.examples.map(e => `  ${e}`));
      assert.strictEqual(spec.examples.length, 2);
      for (const e of spec.examples) assert.ok(e.includes(`audience-filters ${spec.name}`), e);
    });

    it(`${spec.name}: the parser accepts exactly the options of the table`, () => {
      for (const o of spec.options) {
        const argv = o.value ? [`--${o.name}`, 'v'] : [`--${o.name}`];
        if (spec.name === 'endpoint') {
          const parsed = parseEndpointArgs(['--db', 'x.db', ...(o.name === 'db' ? ['--db', 'y.db'] : o.name.startsWith('tls-') ? ['--tls-cert', 'c.pem', '--tls-key', 'k.pem'] : o.name === 'port' || o.name.endsWith('bytes') || o.name.endsWith('minutes') || o.name === 'rate-limit' ? [`--${o.name}`, '2048'] : argv)]);
          assert.strictEqual(typeof parsed, 'object', `${o.name}: ${String(parsed)}`);
        } else {
          assert.ok(parseArgs(argv, spec).flags.has(o.name), o.name);
          if (o.alias) assert.ok(parseArgs([`-${o.alias}`, 'v'], spec).flags.has(o.name), o.alias);
        }
      }
      if (spec.name === 'endpoint') assert.strictEqual(parseEndpointArgs(['--db', 'x.db', '--not-in-the-table']), 'unknown option --not-in-the-table');
      else assert.throws(() => parseArgs(['--not-in-the-table'], spec), UsageError);
    });
  }

  it('the command list names every verb with its summary', async () => {
    const io = buffered();
    assert.strictEqual(await main(['--help'], io), 0);
    for (const { spec } of COMMANDS) assert.ok(io.stdout.join('\n').split('\n').some(l => l.startsWith(`  ${spec.name}`) && l.endsWith(spec.summary)), spec.name);
  });
});

describe('audience-filters check on a terminal: colour and a code frame', () => {
  const files = { 'web.dataview.yaml': 'dataview: web\ntimestamp: timestamp\nsources:\n  - file: e.ndjson\n    person: ecid\n    namespace: ECID\ndimensions:\n  page_name: string\n', 'e.ndjson': '', 'bad.filter.yaml': 'filter: bad\ndataview: web\nrule: person where pag_name = "Home"\n' };
  const plainLine = 'bad.filter.yaml:3:20: error rule-unknown-field: Unknown dimension or metric `pag_name` in data view `web`. Did you mean `page_name`?';
  const frame = ['  2 | dataview: web', '  3 | rule: person where pag_name = "Home"', '    |                    ^^^^^^^^'];

  it('on a terminal: colour and the line with a caret under the fault', async () => {
    const ws = tempWorkspace(files);
    try {
      const io = buffered({ cwd: ws.dir, isTTY: true, env: {} });
      assert.strictEqual(await main(['check', '.'], io), 1);
      assert.deepStrictEqual(io.stdout, [
        '\u001b[1mbad.filter.yaml:3:20\u001b[0m: \u001b[31merror\u001b[0m \u001b[2mrule-unknown-field\u001b[0m: Unknown dimension or metric `pag_name` in data view `web`. Did you mean `page_name`?',
        '  \u001b[2m2 | \u001b[0mdataview: web',
        '  \u001b[2m3 | \u001b[0mrule: person where pag_name = "Home"',
        '  \u001b[2m  | \u001b[0m                   \u001b[31m^^^^^^^^\u001b[0m',
        '2 files checked: 1 error, 0 warnings.',
      ]);
      const noColor = buffered({ cwd: ws.dir, isTTY: true, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
      await main(['check', '.'], noColor);
      assert.deepStrictEqual(noColor.stdout, [plainLine, ...frame, '2 files checked: 1 error, 0 warnings.']);
    } finally {
      ws.cleanup();
    }
  });

  it('in a pipe: plain lines, unless FORCE_COLOR; never in json, sarif or github output', () => {
    const ws = tempWorkspace(files);
    try {
      const piped = runCli(['check', '.'], { cwd: ws.dir, env: { FORCE_COLOR: '', NO_COLOR: '' } });
      assert.strictEqual(piped.stdout, `${plainLine}\n2 files checked: 1 error, 0 warnings.\n`);
      const forced = runCli(['check', '.'], { cwd: ws.dir, env: { FORCE_COLOR: '1', NO_COLOR: '' } });
      assert.ok(forced.stdout.startsWith('\u001b[1mbad.filter.yaml:3:20\u001b[0m: \u001b[31merror\u001b[0m'), forced.stdout);
      assert.strictEqual(forced.stdout.split('\n').length, 6);
      for (const format of ['json', 'sarif', 'github']) {
        const r = runCli(['check', '.', '--format', format], { cwd: ws.dir, env: { FORCE_COLOR: '1' } });
        assert.strictEqual(r.status, 1);
        assert.ok(!r.stdout.includes('\u001b['), format);
        assert.ok(!r.stdout.includes(' | '), format);
      }
    } finally {
      ws.cleanup();
    }
  });
});

describe('audience-filters endpoint: the token line to paste', () => {
  it('prints export AUDIENCE_FILTERS_TOKEN=<its admin token> on stderr; stdout stays empty without --json', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-endpoint-'));
    const db = path.join(dir, 'a.db');
    const child = spawn(process.execPath, [CLI, 'endpoint', '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', d => (stdout += d));
    try {
      const lines: string[] = await new Promise((resolve, reject) => {
        const seen: string[] = [];
        readline.createInterface({ input: child.stderr! }).on('line', line => {
          seen.push(line);
          if (line.startsWith('(the admin token is in')) resolve(seen);
        });
        child.once('exit', code => reject(new Error(`endpoint exited with ${code}: ${seen.join('\n')}`)));
      });
      const token = fs.readFileSync(`${db}.admin-token`, 'utf8').trim();
      const listening = lines.find(l => l.startsWith('Profile endpoint listening on '))!;
      const url = /listening on (\S+) /.exec(listening)![1];
      assert.strictEqual(listening, `Profile endpoint listening on ${url} (database ${db}).`);
      const paste = lines.slice(lines.indexOf(listening) + 1);
      assert.deepStrictEqual(paste, [
        'To publish to it from a shell, paste (it is not the default endpoint, http://127.0.0.1:7410):',
        `  export AUDIENCE_FILTERS_TOKEN=${token}`,
        `  export AUDIENCE_FILTERS_ENDPOINT=${url}`,
        `(the admin token is in ${db}.admin-token; in the editor run "Audience Filters: Set Profile Endpoint Token" and the audienceFilters.endpoint.url setting)`,
      ]);
      assert.strictEqual(stdout, '');
    } finally {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.strictEqual(stdout, '');
  });
});
