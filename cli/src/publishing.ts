import * as path from 'path';
import { audienceMetadataOf } from '../../core/src/audienceTarget';
import { planPublish } from '../../core/src/publish';
import { percentText } from '../../core/src/publish/plan';
import type { PublishInputs, PublishPlan } from '../../core/src/publish';
import type { PublishError } from '../../core/src/publish/errors';
import { flagValue, UsageError } from './args';
import type { ParsedArgs } from './args';
import { reportFailure, serviceFor, sourceOf } from './evaluateFile';
import type { CommandIO } from './io';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:7410';
export const TOKEN_VARIABLE = 'AUDIENCE_FILTERS_TOKEN';

export function endpointOf(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  return flagValue(args, 'endpoint') ?? env.AUDIENCE_FILTERS_ENDPOINT ?? DEFAULT_ENDPOINT;
}

export function tokenOf(env: NodeJS.ProcessEnv): string {
  const token = env[TOKEN_VARIABLE];
  if (!token) throw new UsageError(`set ${TOKEN_VARIABLE} to your profile endpoint token`);
  return token;
}

/** Evaluates the filter over its audience lookback (on the sample files or the warehouse) and returns what `planPublish` needs. */
export async function publishInputsFor(file: string, endpoint: string, token: string, io: CommandIO, source: 'sample' | 'warehouse' = 'sample'): Promise<PublishInputs | number> {
  const { key, service } = serviceFor(file, io);
  const identities: Array<{ namespace: string; id: string }> = [];
  const outcome = await service.audienceBatches(key, { window: 'lookback', source }, batch => void identities.push(...batch));
  if (!outcome.ok) return reportFailure(outcome, file, io, service.workspace, key);
  const filter = service.filter(key);
  const metadata = filter ? audienceMetadataOf(filter, service.workspace) : { error: 'not a filter' };
  if ('error' in metadata) {
    io.err(`${path.relative(io.cwd, file) || file}: ${metadata.error}`);
    return 1;
  }
  if (!metadata.namespaces.length) metadata.namespaces = [...new Set(identities.map(i => i.namespace))].sort();
  const e = outcome.value;
  return { endpoint, token, audience: metadata, identities, ...(e.window ? { window: { ...e.window, source: e.windowSource ?? 'lookback' } } : {}) };
}

/** Evaluates the one filter file named by `args` and plans its publish; an exit code when that fails. */
export async function planFile(command: string, args: ParsedArgs, io: CommandIO, env: NodeJS.ProcessEnv): Promise<PublishPlan | number> {
  if (args.positionals.length !== 1) throw new UsageError(`${command} needs exactly one filter file`);
  const inputs = await publishInputsFor(args.positionals[0], endpointOf(args, env), tokenOf(env), io, sourceOf(args));
  if (typeof inputs === 'number') return inputs;
  const planned = await planPublish(inputs);
  if (!planned.ok) {
    io.err(`plan failed: ${describePublishError(planned.error)}`);
    return 1;
  }
  return planned.value;
}

/** One line an operator can act on; never contains the token. */
export function describePublishError(e: PublishError): string {
  return `${e.message}${e.code ? ` (${e.code})` : ''}`;
}

/** `2026-11-01 … 2026-11-15 (one-time range)`: ISO days, or times when the range is not whole days. */
export function windowText(w: { from: string; to: string; source: string }): string {
  const whole = (t: string) => t.endsWith('T00:00:00.000Z');
  const show = (t: string) => (whole(w.from) && whole(w.to) ? t.slice(0, 10) : t.replace('.000Z', 'Z'));
  return `${show(w.from)} … ${show(w.to)} (${w.source === 'range' ? 'one-time range, to exclusive' : w.source === 'lookback' ? 'lookback' : 'period'})`;
}

/** `900 people of the 20,000,000 limit (0.0045%)`, with the warning state spelled out. */
export function gaugeText(g: PublishPlan['gauge']): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const pct = percentText(g.share);
  const state = g.state === 'over' ? ' — over the limit' : g.state === 'warning' ? ` — warning: at least ${n(g.warningAt)} people (80% of the limit)` : '';
  return `${n(g.size)} people of the ${n(g.limit)} ${g.limitSource === 'endpoint' ? 'endpoint' : 'profile store'} limit (${pct})${state}`;
}

export function planText(plan: PublishPlan): string[] {
  const lines: string[] = [];
  const a = plan.audience;
  lines.push(`Audience "${a.name}" (filter ${a.filterId}) → ${plan.endpoint}`);
  lines.push(plan.existing ? `  republish of ${plan.existing.id} (version ${plan.existing.audienceVersion}, ${plan.existing.size} members)` : '  new audience');
  lines.push(`  refresh ${a.refresh}, lookback ${a.lookbackDays} days, expires ${a.expires}, namespaces ${a.namespaces.join(', ')}`);
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
