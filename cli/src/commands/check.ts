import * as path from 'path';
import type { Diagnostic } from '../../../core/src/diagnostics';
import { flagValue, flagValues, oneOf, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import { githubOutput, sarifOutput } from '../checkFormats';
import { expandPaths } from '../paths';
import { loadWorkspace } from '../loadWorkspace';
import type { CommandIO } from '../io';
import { ALLOW_OUTSIDE_OPTION, DATAVIEW_OPTION, ROOT_OPTION } from '../options';
import { codeFrame, paint, presentationOf, severityText } from '../pretty';

export interface FileDiagnostic extends Diagnostic {
  file: string;
}

export const CHECK_FORMATS = ['text', 'json', 'sarif', 'github'] as const;

export const CHECK_COMMAND: CommandSpec = {
  name: 'check',
  args: '<files|folders|globs>',
  summary: 'Validates filters, data views (and their sample files) and filter tests; exits 1 on any error.',
  details: 'Text output gives 1-based line:column; --format json gives 0-based LSP ranges. On a terminal each finding shows its line with a caret.',
  options: [
    { name: 'format', value: 'text|json|sarif|github', description: 'output format: text for people, json (0-based ranges), SARIF 2.1.0 for code scanning, GitHub Actions annotations', default: 'text' },
    { name: 'max-warnings', value: '<n>', description: 'also exit 1 when there are more than n warnings', default: 'no limit' },
    DATAVIEW_OPTION,
    ROOT_OPTION,
    ALLOW_OUTSIDE_OPTION,
  ],
  env: [{ name: 'NO_COLOR', description: 'no colour in text output (FORCE_COLOR=1 forces colour and code frames off a terminal)' }],
  examples: ['audience-filters check .', "audience-filters check 'filters/**/*.filter.yaml' --format sarif > check.sarif"],
};

/** `audience-filters check <files|folders|globs>`: see CHECK_COMMAND. */
export function runCheck(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, CHECK_COMMAND);
  const format = oneOf(flagValue(args, 'format'), CHECK_FORMATS, 'format', 'text');
  const maxWarningsText = flagValue(args, 'max-warnings');
  const maxWarnings = maxWarningsText === undefined ? Infinity : Number(maxWarningsText);
  if (!Number.isInteger(maxWarnings) && maxWarnings !== Infinity) throw new UsageError('--max-warnings needs a whole number');
  if (!args.positionals.length) throw new UsageError('check needs at least one file, folder or glob');
  const expanded = expandPaths(args.positionals, io.cwd, flagValue(args, 'root'));
  const { targets } = expanded;
  const workspace = loadWorkspace(expanded, { defaultDataView: flagValue(args, 'dataview'), allowOutside: flagValues(args, 'allow-outside'), cwd: io.cwd });
  const all: FileDiagnostic[] = [];
  for (const t of targets) for (const d of workspace.diagnostics(t)) all.push({ file: path.relative(io.cwd, t) || t, ...d });
  const errors = all.filter(d => d.severity === 'error').length;
  const warnings = all.filter(d => d.severity === 'warning').length;
  if (format === 'sarif') {
    io.out(sarifOutput(all, io.cwd));
  } else if (format === 'github') {
    for (const line of githubOutput(all, targets.length)) io.out(line);
  } else if (format === 'json') {
    io.out(JSON.stringify({ diagnostics: all.map(d => ({ file: d.file, range: d.range, severity: d.severity, code: d.code, message: d.message, ...(d.related ? { related: d.related } : {}) })) }, null, 2));
  } else {
    const p = presentationOf(io, false);
    const texts = new Map(targets.map(t => [path.relative(io.cwd, t) || t, workspace.get(t)?.text ?? '']));
    for (const d of all) {
      io.out(`${paint(p, 'bold', `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}`)}: ${severityText(p, d.severity)} ${paint(p, 'dim', d.code)}: ${d.message}`);
      if (p.frame) for (const line of codeFrame(p, texts.get(d.file) ?? '', d.range)) io.out(line);
      for (const r of d.related ?? []) io.out(`  ${d.file}:${r.range.start.line + 1}:${r.range.start.character + 1}: ${paint(p, 'cyan', 'note')}: ${r.message}`);
    }
    io.out(`${targets.length} file${targets.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
  }
  if (!workspace.dataViews().length && workspace.filters().length && expanded.searched.length) {
    io.err(`note: no *.dataview.yaml was found in ${expanded.searched.join(', ')} (searched upward); pass --root <dir>.`);
  }
  return errors > 0 || warnings > maxWarnings ? 1 : 0;
}
