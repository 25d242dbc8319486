import * as path from 'path';
import { DatasetCache } from '../../core/src/data/cache';
import { EvaluationService } from '../../core/src/evaluation';
import type { DataSummary, EvaluateOptions, FilterEvaluation, Outcome } from '../../core/src/evaluation';
import { countOf, flagValue, flagValues, oneOf, UsageError } from './args';
import type { ParsedArgs } from './args';
import type { CommandIO } from './io';
import { loadWorkspace, sourcePolicyOf } from './loadWorkspace';
import { expandPaths } from './paths';

/** What the evaluating commands take from their flags. */
export interface EvaluateFlags {
  /** `--dataview <id>`: the data view of a filter without `dataview:`. */
  defaultDataView?: string;
  /** `--max-rows N`: load at most N events of the data view. */
  maxRows?: number;
  /** `--max-bad-rows N`: refuse when more rows were skipped. */
  maxBadRows?: number;
  /** `--root <dir>`: the workspace folder. */
  root?: string;
  /** `--allow-outside <dir>`: folders outside the workspace whose sample files may be read. */
  allowOutside?: string[];
  /** `--source sample|warehouse`: where the events are evaluated (default sample). */
  source?: 'sample' | 'warehouse';
  /** Warehouse only: how many identities of the audience to fetch (preview's `--sample`). */
  audienceLimit?: number;
}

/** The evaluation flags of a verb's parsed arguments (those it declares; the others stay unset). */
export function evaluateFlagsOf(args: ParsedArgs, defaults: { maxBadRows?: number } = {}): EvaluateFlags {
  return {
    defaultDataView: flagValue(args, 'dataview'),
    maxRows: countOf(args, 'max-rows', undefined),
    maxBadRows: countOf(args, 'max-bad-rows', defaults.maxBadRows),
    root: flagValue(args, 'root'),
    allowOutside: flagValues(args, 'allow-outside'),
    source: oneOf(flagValue(args, 'source'), ['sample', 'warehouse'] as const, 'source', 'sample'),
  };
}

/** Loads the workspace around one filter file and returns the service that evaluates it. */
export function serviceFor(file: string, io: CommandIO, flags: EvaluateFlags = {}): { key: string; service: EvaluationService; searched: string[] } {
  if (!/\.filter\.ya?ml$/i.test(file)) throw new UsageError(`${file} is not a filter file (*.filter.yaml)`);
  const expanded = expandPaths([file], io.cwd, flags.root);
  const options = { defaultDataView: flags.defaultDataView, allowOutside: flags.allowOutside, cwd: io.cwd };
  const workspace = loadWorkspace(expanded, options);
  const cache = new DatasetCache({ load: { policy: sourcePolicyOf(expanded.contextRoots, options) } });
  return { key: expanded.targets[0], service: new EvaluationService(workspace, cache), searched: expanded.searched };
}

/** The evaluation options the flags set. */
export function evaluateOptionsOf(flags: EvaluateFlags): EvaluateOptions {
  // Warehouse credentials are never flags or files: the drivers read PGUSER / PGPASSWORD and CLICKHOUSE_USER / CLICKHOUSE_PASSWORD.
  return { maxRows: flags.maxRows, maxBadRows: flags.maxBadRows, source: flags.source, audienceLimit: flags.audienceLimit };
}

/**
 * Prints why an evaluation failed on stderr and returns the exit code (1): a filter's errors in
 * `check`'s format, a missing sample file as the data view's own located errors, a missing data
 * view with the folders searched for one, a construct the warehouse cannot express at its place.
 */
export function reportFailure(outcome: Outcome<unknown> & { ok: false }, file: string, io: CommandIO, context?: { service: EvaluationService; searched: string[]; key: string }): number {
  const shown = relative(io.cwd, file);
  const e = outcome.error;
  const noDataViews = context && !context.service.workspace.dataViews().length && context.searched.length ? ` No *.dataview.yaml was found in ${context.searched.join(', ')} (searched upward from the file); pass --root <dir>.` : '';
  if (e.code === 'filter-has-errors' && context) {
    const errors = context.service.workspace.diagnostics(context.key).filter(d => d.severity === 'error');
    for (const d of errors) io.err(`${shown}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`);
    if (errors.length) {
      io.err(`${shown}: ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was evaluated.${noDataViews}`);
      return 1;
    }
  }
  if (e.code === 'warehouse' && e.at && context) {
    const f = context.service.filter(context.key);
    if (f?.ruleSource) {
      const pos = f.lines.positionAt(f.ruleSource.toFile(e.at.start));
      io.err(`${shown}:${pos.line + 1}:${pos.character + 1}: ${e.message}`);
      return 1;
    }
  }
  if (e.code === 'data-incomplete' && context) {
    const dv = context.service.workspace.dataViews().find(d => d.dataView && e.files.some(f => d.dataView!.files.some(s => s.path === f.file)));
    const located = dv ? context.service.workspace.diagnostics(dv.uri).filter(d => d.code.startsWith('dataview-file-')) : [];
    if (dv && located.length) {
      for (const d of located) io.err(`${relative(io.cwd, dv.uri)}:${d.range.start.line + 1}:${d.range.start.character + 1}: error ${d.code}: ${d.message}`);
      io.err(`${shown}: not evaluated: data view \`${dv.id?.value}\` is missing sample data (${located.length} file${located.length === 1 ? '' : 's'}); a smaller audience would be a wrong answer.`);
      return 1;
    }
  }
  let hint = e.code === 'filter-has-errors' ? ' Run `audience-filters check` to see them.' : '';
  if (e.code === 'no-dataview' || e.code === 'filter-has-errors') hint += noDataViews;
  io.err(`${shown}: ${e.message}${hint}`);
  return 1;
}

export async function evaluateFileOrFail(file: string, io: CommandIO, flags: EvaluateFlags = {}): Promise<FilterEvaluation | number> {
  const context = serviceFor(file, io, flags);
  const outcome = await context.service.evaluate(context.key, evaluateOptionsOf(flags));
  if (!outcome.ok) return reportFailure(outcome, file, io, context);
  printLoadWarnings(outcome.value, io);
  return outcome.value;
}

export function printLoadWarnings(evaluation: Pick<FilterEvaluation, 'loadWarnings'>, io: CommandIO): void {
  const warnings = evaluation.loadWarnings;
  for (const w of warnings.slice(0, 20)) io.err(`warning: ${relative(io.cwd, w.file)}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  if (warnings.length > 20) io.err(`warning: … and ${warnings.length - 20} more data warnings`);
}

/** `evaluated on data/web.ndjson 600 events · data/app.csv 200 events; 0 rows skipped`. */
export function dataSummaryText(data: DataSummary, cwd: string): string {
  const files = data.files.map(f => `${relative(cwd, f.file)} ${f.events} event${f.events === 1 ? '' : 's'}`).join(' · ');
  return `evaluated on ${data.files.length} sample file${data.files.length === 1 ? '' : 's'}: ${files || 'none'}; ${data.skippedRows} row${data.skippedRows === 1 ? '' : 's'} skipped`;
}

/** Where a warehouse evaluation ran (`DuckDB /abs/web.duckdb`), with paths under `cwd` shown relative. */
export function warehouseText(where: string, cwd: string): string {
  return where.split(`${cwd}${path.sep}`).join('');
}

function relative(cwd: string, file: string): string {
  return path.relative(cwd, file) || file;
}
