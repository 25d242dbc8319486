import * as path from 'path';
import { EvaluationService } from '../../core/src/evaluation';
import type { FilterEvaluation, Outcome } from '../../core/src/evaluation';
import type { Workspace } from '../../core/src/workspace';
import { flagValue, oneOf, UsageError } from './args';
import type { ParsedArgs } from './args';
import type { CommandIO } from './io';
import { loadWorkspace } from './loadWorkspace';
import { expandPaths } from './paths';

/** What the evaluating commands take from their flags. */
export interface EvaluateFlags {
  /** `--dataview <id>`: the data view of a filter without `dataview:`. */
  defaultDataView?: string;
  /** `--max-rows N`: load at most N events of the data view. */
  maxRows?: number;
  /** `--source sample|warehouse`: where the events are evaluated (default sample). */
  source?: 'sample' | 'warehouse';
  /** Warehouse only: how many identities of the audience to fetch. */
  audienceLimit?: number;
}

/** `--source sample|warehouse` (default sample). */
export function sourceOf(args: ParsedArgs): 'sample' | 'warehouse' {
  return oneOf(flagValue(args, 'source'), ['sample', 'warehouse'] as const, 'source', 'sample');
}

/** Loads the workspace around one filter file and returns the service that evaluates it. */
export function serviceFor(file: string, io: CommandIO, flags: EvaluateFlags = {}): { key: string; service: EvaluationService } {
  if (!/\.filter\.ya?ml$/i.test(file)) throw new UsageError(`${file} is not a filter file (*.filter.yaml)`);
  const { targets, contextRoots } = expandPaths([file], io.cwd);
  const workspace = loadWorkspace(targets, contextRoots, flags.defaultDataView);
  return { key: targets[0], service: new EvaluationService(workspace) };
}

/**
 * Prints an evaluation error on stderr and returns the exit code (1). A filter with errors gets
 * its errors listed, one line each in `check`'s format (`file:line:col: error code: message`); a
 * construct the warehouse's SQL cannot express is reported at its place in the rule.
 */
export function reportFailure(outcome: Outcome<unknown> & { ok: false }, file: string, io: CommandIO, workspace?: Workspace, key?: string): number {
  const shown = path.relative(io.cwd, file) || file;
  const error = outcome.error;
  if (error.code === 'filter-has-errors' && workspace && key) {
    const errors = workspace.diagnostics(key).filter(d => d.severity === 'error');
    for (const d of errors) io.err(`${shown}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`);
    if (errors.length) {
      io.err(`${shown}: ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was evaluated.`);
      return 1;
    }
  }
  let where = shown;
  if (error.code === 'warehouse' && error.at && workspace && key) {
    const f = workspace.get(key);
    if (f?.kind === 'filter' && f.ruleSource) {
      const pos = f.lines.positionAt(f.ruleSource.toFile(error.at.start));
      where += `:${pos.line + 1}:${pos.character + 1}`;
    }
  }
  io.err(`${where}: ${error.message}${error.code === 'filter-has-errors' ? ' Run `audience-filters check` to see them.' : ''}`);
  return 1;
}

export async function evaluateFileOrFail(file: string, io: CommandIO, flags: EvaluateFlags = {}): Promise<FilterEvaluation | number> {
  const { key, service } = serviceFor(file, io, flags);
  const outcome = await service.evaluate(key, { maxRows: flags.maxRows, source: flags.source, audienceLimit: flags.audienceLimit });
  if (!outcome.ok) return reportFailure(outcome, file, io, service.workspace, key);
  for (const w of outcome.value.loadWarnings.slice(0, 20)) io.err(`warning: ${path.relative(io.cwd, w.file) || w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  if (outcome.value.loadWarnings.length > 20) io.err(`warning: … and ${outcome.value.loadWarnings.length - 20} more data warnings`);
  return outcome.value;
}
