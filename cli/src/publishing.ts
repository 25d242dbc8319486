import * as path from 'path';
import { audienceMetadataOf } from '../../core/src/audienceTarget';
import { planPublish } from '../../core/src/publish';
import { percentText } from '../../core/src/publish/plan';
import type { PublishInputs, PublishPlan } from '../../core/src/publish';
import type { PublishError } from '../../core/src/publish/errors';
import { anchorText } from '../../core/src/evaluation';
import type { DataSummary, EvaluationSource, WindowAnchor } from '../../core/src/evaluation';
import { flagValue, UsageError } from './args';
import type { ParsedArgs } from './args';
import { dataSummaryText, evaluateFlagsOf, evaluateOptionsOf, printLoadWarnings, reportFailure, serviceFor, warehouseText } from './evaluateFile';
import type { CommandIO } from './io';
import { DEFAULT_ENDPOINT, ENDPOINT_VARIABLE, TOKEN_VARIABLE } from './options';

export { DEFAULT_ENDPOINT, TOKEN_VARIABLE };

export function endpointOf(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return flagValue(args, 'endpoint') ?? env[ENDPOINT_VARIABLE] ?? DEFAULT_ENDPOINT;
}

export function tokenOf(env: NodeJS.ProcessEnv): string {
  const token = env[TOKEN_VARIABLE];
  if (!token) {
    throw new UsageError(`no endpoint token: set ${TOKEN_VARIABLE}. A local endpoint (\`audience-filters endpoint --db audiences.db\`) prints the line to paste, \`export ${TOKEN_VARIABLE}=…\`, when it starts (its admin token is in audiences.db.admin-token); for another endpoint, ask its operator for a token`);
  }
  return token;
}

/** Where the endpoint came from and how to change it, for a message about a failed connection. */
export function endpointHint(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  const from = flagValue(args, 'endpoint') !== undefined ? 'from --endpoint' : env[ENDPOINT_VARIABLE] ? `from ${ENDPOINT_VARIABLE}` : 'the default endpoint';
  return `${endpointOf(args, env)} is ${from}; start a local one with \`audience-filters endpoint --db audiences.db\`, or choose another with --endpoint <url> or ${ENDPOINT_VARIABLE} (in the editor: the audienceFilters.endpoint.url setting)`;
}

/** What a publish needs, and what the audience was evaluated on (for the plan). */
export interface EvaluatedInputs {
  inputs: PublishInputs;
  /** Sample files only: the files and rows the audience was evaluated on. */
  data?: DataSummary;
  /** Where the lookback ends. */
  anchor?: WindowAnchor;
  /** The sample files or the warehouse. */
  source?: EvaluationSource;
}

/**
 * Evaluates the filter over its audience lookback (on the sample files, or the warehouse with
 * `--source warehouse`) and returns what `planPublish` needs. A data
 * view missing a sample file, or with more skipped rows than `--max-bad-rows` (default 0), is not
 * evaluated: a republish on partial data would exit everyone whose data failed to load.
 */
export async function publishInputsFor(file: string, args: ParsedArgs, endpoint: string, token: string, io: CommandIO): Promise<EvaluatedInputs | number> {
  const flags = evaluateFlagsOf(args, { maxBadRows: 0 });
  const context = serviceFor(file, io, flags);
  const { key, service } = context;
  // The audience streams in batches (from a warehouse, the query's own); collected here for the plan's diff.
  const identities: Array<{ namespace: string; id: string }> = [];
  const outcome = await service.audienceBatches(key, { ...evaluateOptionsOf(flags), window: 'lookback' }, batch => void identities.push(...batch));
  if (!outcome.ok) return reportFailure(outcome, file, io, { ...context, key });
  if (outcome.value.loadWarnings) printLoadWarnings({ loadWarnings: outcome.value.loadWarnings }, io);
  const filter = service.filter(key);
  const metadata = filter ? audienceMetadataOf(filter, service.workspace) : { error: 'not a filter' };
  if ('error' in metadata) {
    io.err(`${path.relative(io.cwd, file) || file}: ${metadata.error}`);
    return 1;
  }
  if (!metadata.namespaces.length) metadata.namespaces = [...new Set(identities.map(i => i.namespace))].sort();
  const e = outcome.value;
  const window = e.window ? { window: { ...e.window, source: e.windowSource ?? 'lookback' } } : {};
  return { inputs: { endpoint, token, audience: metadata, identities, ...window }, data: e.data, anchor: e.anchor, source: e.source };
}

/** Evaluates the one filter file named by `args` and plans its publish; an exit code when that fails. */
export async function planFile(command: string, args: ParsedArgs, io: CommandIO, env: NodeJS.ProcessEnv): Promise<{ plan: PublishPlan; evaluated: Omit<EvaluatedInputs, 'inputs'> } | number> {
  if (args.positionals.length !== 1) throw new UsageError(`${command} needs exactly one filter file`);
  const evaluated = await publishInputsFor(args.positionals[0], args, endpointOf(args, env), tokenOf(env), io);
  if (typeof evaluated === 'number') return evaluated;
  const planned = await planPublish(evaluated.inputs);
  if (!planned.ok) {
    io.err(`plan failed: ${describePublishError(planned.error)}`);
    if (planned.error.code === 'network') io.err(`  ${endpointHint(args, env)}`);
    return 1;
  }
  return { plan: planned.value, evaluated: { data: evaluated.data, anchor: evaluated.anchor, source: evaluated.source } };
}

/** One line an operator can act on; never contains the token. */
export function describePublishError(e: PublishError): string {
  return `${e.message}${e.code ? ` (${e.code})` : ''}`;
}

/** `2026-11-01 … 2026-11-15 (one-time range)`: ISO days, or times when the range is not whole days. */
export function windowText(w: { from: string; to: string; source: string }, anchor?: WindowAnchor): string {
  const whole = (t: string) => t.endsWith('T00:00:00.000Z');
  const show = (t: string) => (whole(w.from) && whole(w.to) ? t.slice(0, 10) : t.replace('.000Z', 'Z'));
  // A relative window says where it ends (its anchor); a range and a fixed period say what they are.
  const tag = w.source === 'range' ? 'one-time range, to exclusive' : anchor ? anchorText(anchor) : w.source === 'lookback' ? 'lookback' : 'period';
  return `${show(w.from)} … ${show(w.to)} (${tag})`;
}

/** `900 people of the 20,000,000 limit (0.0045%)`, with the warning state spelled out. */
export function gaugeText(g: PublishPlan['gauge']): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const pct = percentText(g.share);
  const state = g.state === 'over' ? ' — over the limit' : g.state === 'warning' ? ` — warning: at least ${n(g.warningAt)} people (80% of the limit)` : '';
  return `${n(g.size)} people of the ${n(g.limit)} ${g.limitSource === 'endpoint' ? 'endpoint' : 'profile store'} limit (${pct})${state}`;
}

export function planText(plan: PublishPlan, evaluated?: Omit<EvaluatedInputs, 'inputs'>, cwd = process.cwd()): string[] {
  const lines: string[] = [];
  const a = plan.audience;
  lines.push(`Audience "${a.name}" (filter ${a.filterId}) → ${plan.endpoint}`);
  if (evaluated?.source?.kind === 'warehouse') lines.push(`  evaluated on the warehouse: ${warehouseText(evaluated.source.where, cwd)} (${Math.round(evaluated.source.queryMs)} ms)`);
  else if (evaluated?.data) lines.push(`  ${dataSummaryText(evaluated.data, cwd)}`);
  lines.push(plan.existing ? `  republish of ${plan.existing.id} (version ${plan.existing.audienceVersion}, ${plan.existing.size} members)` : '  new audience');
  lines.push(`  refresh ${a.refresh}, lookback ${a.lookbackDays} days${evaluated?.anchor ? ` ${anchorText(evaluated.anchor)}` : ''}, expires ${a.expires}, namespaces ${a.namespaces.join(', ')}`);
  if (plan.window) lines.push(`  evaluated on ${windowText(plan.window)}`);
  lines.push(`  identities ${plan.total}: ${Object.entries(plan.sizeByNamespace).map(([k, v]) => `${k} ${v}`).join(' · ') || 'none'}`);
  lines.push(`  size ${gaugeText(plan.gauge)}`);
  lines.push(`  entering ${plan.diff.entering} · staying ${plan.diff.staying} · exiting ${plan.diff.exiting}`);
  const sample = (ids: Array<{ namespace: string; id: string }>, n: number) => ids.map(i => `${i.namespace}:${i.id}`).join(', ') + (n > ids.length ? `, … (${n - ids.length} more)` : '');
  if (plan.diff.samples.entering.length) lines.push(`    entering: ${sample(plan.diff.samples.entering, plan.diff.entering)}`);
  if (plan.diff.samples.exiting.length) lines.push(`    exiting:  ${sample(plan.diff.samples.exiting, plan.diff.exiting)}`);
  if (plan.leftOut.total) {
    const reasons = Object.entries(plan.leftOut.byReason).filter(([, n]) => n > 0).map(([r, n]) => `${n} ${r}`).join(', ');
    const byNs = Object.entries(plan.leftOut.byNamespace).map(([k, v]) => `${k} ${v}`).join(' · ');
    lines.push(`  left out ${plan.leftOut.total}: ${reasons}${byNs ? ` (${byNs})` : ''}`);
  }
  for (const issue of plan.limitIssues) lines.push(`  ✗ ${issue.message}`);
  if (!plan.publishable) lines.push('  Not publishable: fix the limit issues above.');
  return lines;
}
