/**
 * What the publish command says to the user: the plan in the confirmation dialog, the result, and
 * each failure with what to do about it. Plain functions of plain data (no `vscode`).
 */
import type { LeftOutReason, PublishError, PublishPlan, PublishResult } from '../../../core/src/publish';

export const SET_TOKEN_TITLE = 'Audience Filters: Set Profile Endpoint Token';

const fmt = new Intl.NumberFormat('en-US');
const n = (v: number): string => fmt.format(v);

const REASONS: Record<LeftOutReason, string> = {
  'namespace-not-allowed': 'namespace not declared by the audience',
  'invalid-id': 'invalid ID',
  'invalid-namespace': 'invalid namespace',
  duplicate: 'duplicate',
};

export function planQuestion(plan: PublishPlan): string {
  return plan.existing
    ? `Republish "${plan.audience.name}" with ${n(plan.total)} identities?`
    : `Publish "${plan.audience.name}" as a new audience with ${n(plan.total)} identities?`;
}

/** The plan as the lines of the confirmation dialog's detail. */
export function planDetail(plan: PublishPlan, context: { window?: { from: string; to: string }; dataView?: string; dirty?: boolean }): string {
  const a = plan.audience;
  const lines: string[] = [];
  lines.push(`Endpoint: ${plan.endpoint}`);
  lines.push(plan.existing
    ? `Audience ${plan.existing.id}: version ${plan.existing.audienceVersion}, ${n(plan.existing.size)} members now.`
    : `New audience for filter ${a.filterId}.`);
  const sizes = Object.entries(plan.sizeByNamespace).sort(([x], [y]) => x.localeCompare(y)).map(([ns, c]) => `${ns} ${n(c)}`);
  lines.push(`Size: ${n(plan.total)}${sizes.length ? ` (${sizes.join(' · ')})` : ''}.`);
  lines.push(`Entering ${n(plan.diff.entering)} · staying ${n(plan.diff.staying)} · exiting ${n(plan.diff.exiting)}.`);
  if (plan.leftOut.total) {
    const reasons = (Object.entries(plan.leftOut.byReason) as Array<[LeftOutReason, number]>).filter(([, c]) => c > 0).map(([r, c]) => `${n(c)} ${REASONS[r]}`);
    const byNs = Object.entries(plan.leftOut.byNamespace).sort(([x], [y]) => x.localeCompare(y)).map(([ns, c]) => `${ns} ${n(c)}`);
    lines.push(`Left out ${n(plan.leftOut.total)}: ${reasons.join(', ')}${byNs.length ? ` (${byNs.join(' · ')})` : ''}.`);
  } else {
    lines.push('Left out: none.');
  }
  if (plan.total === 0 && plan.existing?.size) lines.push(`The audience is empty: all ${n(plan.existing.size)} current members would exit.`);
  const window = context.window ? ` (${context.window.from.slice(0, 10)} to ${context.window.to.slice(0, 10)})` : '';
  lines.push(`Refresh ${a.refresh} · lookback ${a.lookbackDays} days${window} · expires ${a.expires} · namespaces ${a.namespaces.join(', ') || 'none'}.`);
  lines.push(plan.limitIssues.length ? `Limits: ${plan.limitIssues.map(i => i.message).join('; ')}.` : 'Limits: all within the profile store\'s limits.');
  if (context.dataView) lines.push(`Evaluated on the sample data of data view "${context.dataView}".`);
  if (context.dirty) lines.push('The file has unsaved changes: they are what will be published.');
  return lines.join('\n');
}

/** Why a plan cannot be published (limit issues), as one message. */
export function notPublishableMessage(plan: PublishPlan): string {
  return `"${plan.audience.name}" cannot be published: ${plan.limitIssues.map(i => i.message).join('; ')}. Fix the filter's audience block and try again.`;
}

export function resultMessage(name: string, r: PublishResult): string {
  const leftOut = r.leftOut.total ? `; ${n(r.leftOut.total)} left out` : '';
  return `Published "${name}" (${r.audienceId}, version ${r.audienceVersion}): ${n(r.total)} members — ${n(r.entered)} entered, ${n(r.existing)} stayed, ${n(r.exited)} exited${leftOut}.`;
}

/** What the user can do about a failure, offered as buttons. */
export type FailureAction = 'set-token' | 'open-settings' | 'resume' | 'abort-run' | 'show-output' | 'add-audience' | 'manage-trust';

/** A failure of the publishing client in words a user can act on, with the buttons to offer. */
export function describeFailure(e: PublishError): { message: string; actions: FailureAction[] } {
  switch (e.code) {
    case 'unauthorized':
      return {
        message: `The profile endpoint rejected the token (401): it is missing, mistyped, expired or revoked. Set the token with '${SET_TOKEN_TITLE}' (ask an admin of the endpoint for one).`,
        actions: ['set-token'],
      };
    case 'forbidden':
      // The endpoint's own sentence may end with a full stop before the client's advice.
      return { message: e.message.replace(/\.\. /g, '. '), actions: [] };
    case 'invalid_endpoint':
    case 'insecure_endpoint':
    case 'untrusted_certificate':
      return { message: `${e.message} Change the setting "audienceFilters.endpoint.url".`, actions: ['open-settings'] };
    case 'network':
    case 'timeout':
      return { message: e.resumable ? e.message : `${e.message} The endpoint comes from the setting "audienceFilters.endpoint.url".`, actions: e.resumable && e.runId ? ['resume', 'abort-run'] : ['open-settings'] };
    case 'cancelled':
      return { message: e.message, actions: [] };
    case 'run_conflict':
      // The message names the open run, who started it and when it expires; aborting it is the user's call.
      // Resuming is offered when the user started it for the same definition (an interrupted publish).
      return { message: e.message, actions: e.runId ? [...(e.resumable ? ['resume' as const] : []), 'abort-run', 'show-output'] : ['show-output'] };
    default:
      return { message: e.message, actions: e.resumable && e.runId ? ['resume', 'abort-run'] : ['show-output'] };
  }
}

export const ACTION_TITLES: Record<FailureAction, string> = {
  'set-token': 'Set Token',
  'open-settings': 'Open Settings',
  resume: 'Resume',
  'abort-run': 'Abort Run',
  'show-output': 'Show Output',
  'add-audience': 'Add Audience Block',
  'manage-trust': 'Manage Workspace Trust',
};
