import * as path from 'path';
import type { Diagnostic } from '../../../core/src/diagnostics';
import { flagValue, oneOf, parseArgs, UsageError } from '../args';
import { githubOutput, sarifOutput } from '../checkFormats';
import { expandPaths } from '../paths';
import { loadWorkspace } from '../loadWorkspace';
import type { CommandIO } from '../io';

export interface FileDiagnostic extends Diagnostic {
  file: string;
}

export const CHECK_FORMATS = ['text', 'json', 'sarif', 'github'] as const;

/** `audience-filters check <files|folders|globs> [--format text|json|sarif|github] [--max-warnings N] [--dataview <id>]` */
export function runCheck(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, { values: ['format', 'max-warnings', 'dataview'] });
  const format = oneOf(flagValue(args, 'format'), CHECK_FORMATS, 'format', 'text');
  const maxWarningsText = flagValue(args, 'max-warnings');
  const maxWarnings = maxWarningsText === undefined ? Infinity : Number(maxWarningsText);
  if (!Number.isInteger(maxWarnings) && maxWarnings !== Infinity) throw new UsageError('--max-warnings needs a whole number');
  if (!args.positionals.length) throw new UsageError('check needs at least one file, folder or glob');
  const { targets, contextRoots } = expandPaths(args.positionals, io.cwd);
  const workspace = loadWorkspace(targets, contextRoots, flagValue(args, 'dataview'));
  const all: FileDiagnostic[] = [];
  for (const t of targets) for (const d of workspace.diagnostics(t)) all.push({ file: path.relative(io.cwd, t) || t, ...d });
  const errors = all.filter(d => d.severity === 'error').length;
  const warnings = all.filter(d => d.severity === 'warning').length;
  if (format === 'sarif') {
    io.out(sarifOutput(all, io.cwd));
  } else if (format === 'github') {
    for (const line of githubOutput(all, targets.length)) io.out(line);
  } else if (format === 'json') {
    io.out(JSON.stringify({ diagnostics: all.map(d => ({ file: d.file, range: d.range, severity: d.severity, code: d.code, message: d.message })) }, null, 2));
  } else {
    for (const d of all) io.out(`${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`);
    io.out(`${targets.length} file${targets.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
  }
  return errors > 0 || warnings > maxWarnings ? 1 : 0;
}
