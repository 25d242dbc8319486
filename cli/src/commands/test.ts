import * as path from 'path';
import { runFilterTests } from '../../../core/src/filterTests';
import { flagValue, oneOf, parseArgs } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';
import { loadWorkspace } from '../loadWorkspace';
import { ROOT_OPTION } from '../options';
import { expandPaths } from '../paths';

export const TEST_COMMAND: CommandSpec = {
  name: 'test',
  args: '[files|folders|globs]',
  summary: 'Runs the *.filter.test.yaml fixtures (people and the verdict expected for each); exits 1 when one fails.',
  details: 'Text output gives 1-based lines; --format json gives 0-based lines, like every JSON output.',
  options: [{ name: 'format', value: 'text|json', description: 'output format', default: 'text' }, ROOT_OPTION],
  examples: ['audience-filters test', 'audience-filters test tests/ --format json'],
};

/** `audience-filters test [paths]`: see TEST_COMMAND. Without paths, the current folder. */
export function runTest(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, TEST_COMMAND);
  const format = oneOf(flagValue(args, 'format'), ['text', 'json'] as const, 'format', 'text');
  const expanded = expandPaths(args.positionals.length ? args.positionals : ['.'], io.cwd, flagValue(args, 'root'));
  const { targets } = expanded;
  const workspace = loadWorkspace(expanded, { cwd: io.cwd });
  const testFiles = workspace.filterTests().filter(f => targets.includes(f.uri)).sort((a, b) => a.uri.localeCompare(b.uri));
  let passed = 0;
  let failed = 0;
  const report: Array<{ file: string; filter: string | undefined; person?: string; namespace?: string; passed: boolean; message: string; line: number }> = [];
  for (const file of testFiles) {
    const rel = path.relative(io.cwd, file.uri) || file.uri;
    const fileErrors = workspace.diagnostics(file.uri).filter(d => d.severity === 'error' && d.code !== 'test-failed');
    const run = fileErrors.length ? undefined : runFilterTests(file, workspace);
    if (!run || !run.ok) {
      failed++;
      const d = fileErrors[0];
      const message = run && !run.ok ? run.problem.message : `${d.message} (${d.code})`;
      const line = run && !run.ok ? file.lines.positionAt(run.problem.start).line : d.range.start.line;
      report.push({ file: rel, filter: file.filter?.value, passed: false, message, line });
      continue;
    }
    for (const r of run.results) {
      if (r.passed) passed++;
      else failed++;
      report.push({ file: rel, filter: file.filter?.value, person: r.person, namespace: r.namespace, passed: r.passed, message: r.message, line: file.lines.positionAt(r.at.start).line });
    }
  }
  if (format === 'json') io.out(JSON.stringify({ passed, failed, results: report }, null, 2));
  else {
    for (const r of report) {
      const who = r.person !== undefined ? `${r.namespace}:${r.person}` : '(file)';
      io.out(`${r.passed ? '✓' : '✗'} ${r.file}:${r.line + 1} ${r.filter ?? ''} ${who}${r.passed ? '' : ` — ${r.message}`}`);
    }
    if (!testFiles.length) io.out('No *.filter.test.yaml files found.');
    io.out(`${passed} passed, ${failed} failed`);
  }
  return failed > 0 ? 1 : 0;
}
