/**
 * "Audience Filters: Publish Audience…": the language server evaluates the filter's audience over
 * its lookback window, the core's publishing client plans it against the endpoint (size per
 * namespace, left out, entering / staying / exiting, limits), a modal dialog shows the plan, and
 * the publish runs in a cancellable progress notification (cancel → the run is aborted and nothing
 * is committed).
 */
import * as vscode from 'vscode';
import { EndpointClient, planPublish, publish } from '../../../core/src/publish';
import type { PublishError, PublishPlan, PublishProgress, PublishResult } from '../../../core/src/publish';
import type { AudienceEvaluation } from '../../../server/src/protocol';
import type { AudienceSource } from './audienceServer';
import { openEndpointSetting, resolveEndpoint } from './endpoint';
import { ACTION_TITLES, describeFailure, notPublishableMessage, planDetail, planQuestion, resultMessage } from './messages';
import type { FailureAction } from './messages';
import type { TokenStore } from './tokenStore';
import { redact } from './tokenStore';
import { UNTRUSTED_MESSAGE } from './workspaceTrust';
import type { EndpointApprovals } from './workspaceTrust';

/** Options of the publish command (its second argument). */
export interface PublishCommandOptions {
  /**
   * `false` skips the modal confirmation: for tests and scripts that call
   * `executeCommand('audienceFilters.publish', uri, { confirm: false })`. The plan is still
   * computed, checked and written to the output channel. Default `true`.
   */
  confirm?: boolean;
}

/** What the command resolves with (tests await it): published, or why not. */
export type PublishOutcome =
  | { status: 'published'; filterId: string; endpoint: string; result: Omit<PublishResult, 'leftOut'> & { leftOut: number } }
  | { status: 'declined' | 'cancelled' | 'failed' | 'not-publishable' | 'unavailable'; code?: string; message: string };
type NotPublished = Exclude<PublishOutcome, { status: 'published' }>;

export interface PublishDependencies {
  audienceOf: AudienceSource;
  tokens: TokenStore;
  /** Confirms, once, an endpoint that the workspace's settings chose. */
  approvals: EndpointApprovals;
  log: (line: string) => void;
  /** After a publish that committed (the Audiences view refreshes). */
  onDidPublish: () => void;
}

export class PublishCommand {
  constructor(private readonly deps: PublishDependencies) {}

  async run(document: vscode.TextDocument, options: PublishCommandOptions = {}): Promise<PublishOutcome> {
    if (!vscode.workspace.isTrusted) return this.fail({ status: 'unavailable', code: 'untrusted', message: UNTRUSTED_MESSAGE }, ['manage-trust']);
    const endpoint = resolveEndpoint(document.uri);
    if (!endpoint.ok) return this.fail({ status: 'unavailable', code: 'invalid_endpoint', message: endpoint.message }, ['open-settings']);
    // Before the token or any identity goes to an endpoint a repository's settings chose.
    if (!(await this.deps.approvals.allowed(endpoint.url, document.uri))) {
      const message = `Not published: sending to ${new URL(endpoint.url).host} (from the workspace settings) was not confirmed; nothing was sent.`;
      this.deps.log(`[publish] declined: ${message}`);
      return { status: 'declined', code: 'endpoint_not_confirmed', message };
    }
    const token = await this.deps.tokens.get(endpoint.url);
    // Set Token (the button of a token failure) stores the token, then runs this publish again.
    const retry: Retry = { resource: document.uri, again: () => this.run(document, options) };
    if (!token) {
      return this.fail({ status: 'unavailable', code: 'no_token', message: `No token is set for the profile endpoint ${endpoint.url}. Set it with 'Audience Filters: Set Profile Endpoint Token', then publish again.` }, ['set-token'], undefined, undefined, retry);
    }
    const name = vscode.workspace.asRelativePath(document.uri);

    // Evaluate and plan in one cancellable notification: the dataset load and the members read can take a while.
    const planned = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Audience Filters: planning the publish of ${name}`, cancellable: true },
      async (progress, cancel): Promise<{ audience: AudienceEvaluation; plan: PublishPlan } | NotPublished> => {
        progress.report({ message: 'evaluating the audience over its lookback window…' });
        let audience;
        try {
          audience = await this.deps.audienceOf({ uri: document.uri.toString() }, cancel);
        } catch (e) {
          if (cancel.isCancellationRequested) return { status: 'cancelled', message: 'Publish cancelled; nothing was sent.' };
          return { status: 'unavailable', code: 'server', message: (e as Error).message };
        }
        if (audience.status !== 'ok') return { status: audience.code === 'cancelled' ? 'cancelled' : 'unavailable', code: audience.code, message: audience.message };
        progress.report({ message: `comparing ${audience.identities.length} identities with ${endpoint.url}…` });
        const controller = new AbortController();
        const subscription = cancel.onCancellationRequested(() => controller.abort());
        try {
          const plan = await planPublish({ endpoint: endpoint.url, token, audience: audience.metadata, identities: audience.identities }, { signal: controller.signal });
          if (!plan.ok) return this.failureOutcome(plan.error, token);
          return { audience, plan: plan.value };
        } finally {
          subscription.dispose();
        }
      },
    );
    if ('status' in planned) return this.fail(planned, this.actionsFor(planned), token, undefined, retry);
    const { audience, plan } = planned;
    this.logPlan(plan, audience);
    if (!plan.publishable) return this.fail({ status: 'not-publishable', code: 'limit_exceeded', message: notPublishableMessage(plan) }, [], token);

    if (options.confirm !== false) {
      const choice = await vscode.window.showWarningMessage(
        planQuestion(plan),
        { modal: true, detail: planDetail(plan, { window: audience.window, dataView: audience.dataView.id, dirty: document.isDirty }) },
        'Publish',
      );
      if (choice !== 'Publish') {
        this.deps.log('[publish] not confirmed: nothing was sent.');
        return { status: 'declined', message: 'Not published.' };
      }
    }
    return this.publishPlan(plan, token);
  }

  /** Runs the publish in a cancellable notification; `resumeRunId` finishes an interrupted run. */
  private async publishPlan(plan: PublishPlan, token: string, resumeRunId?: string): Promise<PublishOutcome> {
    const name = plan.audience.name;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Publishing "${name}"`, cancellable: true },
      async (progress, cancel) => {
        const controller = new AbortController();
        const subscription = cancel.onCancellationRequested(() => controller.abort());
        let percent = 0;
        try {
          return await publish(plan, {
            signal: controller.signal,
            resumeRunId,
            onProgress: (p: PublishProgress) => {
              const done = progressPercent(p);
              progress.report({ message: p.message, increment: Math.max(0, done - percent) });
              percent = Math.max(percent, done);
              if (p.phase !== 'upload') this.deps.log(`[publish] ${p.phase}: ${p.message}${p.retries ? ` (${p.retries} retries)` : ''}`);
            },
          });
        } finally {
          subscription.dispose();
        }
      },
    );
    if (!result.ok) {
      if (result.error.runId) this.deps.onDidPublish(); // an aborted or open run changes the audience's status
      const outcome = this.failureOutcome(result.error, token);
      return this.fail(outcome, describeFailure(result.error).actions, token, { plan, runId: result.error.runId });
    }
    const r = result.value;
    const message = resultMessage(name, r);
    this.deps.log(`[publish] ${message}`);
    this.deps.onDidPublish();
    // Completes the walkthrough's last step (package.json walkthroughs, completionEvents).
    void vscode.commands.executeCommand('setContext', 'audienceFilters.hasPublished', true);
    void vscode.window.showInformationMessage(`Audience Filters: ${message}`, 'Show Audiences').then(choice => {
      if (choice) void vscode.commands.executeCommand('audienceFilters.audiences.focus');
    });
    return { status: 'published', filterId: plan.audience.filterId, endpoint: plan.endpoint, result: { ...r, leftOut: r.leftOut.total } };
  }

  private failureOutcome(error: PublishError, token: string): NotPublished {
    // Failures that name a run already say what became of it; the others happen before anything is committed.
    const suffix = error.runId || error.code === 'cancelled' ? '' : ' Nothing was published.';
    return { status: error.code === 'cancelled' ? 'cancelled' : 'failed', code: error.code, message: redact(describeFailure(error).message + suffix, token) };
  }

  /** Buttons for a failure before anything was sent (no run to resume). */
  private actionsFor(outcome: NotPublished): FailureAction[] {
    switch (outcome.code) {
      case 'unauthorized':
        return ['set-token'];
      case 'network':
      case 'timeout':
      case 'insecure_endpoint':
      case 'invalid_endpoint':
        return ['open-settings'];
      case 'server':
        return ['show-output'];
      case 'no-audience':
        return ['add-audience'];
      default:
        return [];
    }
  }

  /** Logs the outcome and shows it (without waiting for the user), with buttons for what to do next. */
  private fail(outcome: NotPublished, actions: FailureAction[], token?: string, run?: { plan: PublishPlan; runId?: string }, retry?: Retry): NotPublished {
    const message = redact(outcome.message, token);
    this.deps.log(`[publish] ${outcome.status}${outcome.code ? ` (${outcome.code})` : ''}: ${message}`);
    if (outcome.status === 'declined') return outcome;
    const show = outcome.status === 'cancelled' ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
    const offered = actions.filter(a => (a !== 'resume' && a !== 'abort-run') || (run?.runId && token));
    void show(`Audience Filters: ${message}`, ...offered.map(a => ACTION_TITLES[a])).then(choice => {
      const action = offered.find(a => ACTION_TITLES[a] === choice);
      if (action) void this.act(action, token, run, retry);
    });
    return { ...outcome, message };
  }

  private async act(action: FailureAction, token: string | undefined, run?: { plan: PublishPlan; runId?: string }, retry?: Retry): Promise<void> {
    switch (action) {
      case 'set-token': {
        const stored = await vscode.commands.executeCommand<boolean>('audienceFilters.setEndpointToken', undefined, retry?.resource);
        if (stored && retry) {
          this.deps.log('[publish] a token was set: publishing again');
          await retry.again();
        }
        return;
      }
      case 'add-audience':
        await vscode.commands.executeCommand('audienceFilters.addAudienceBlock', retry?.resource);
        return;
      case 'open-settings':
        await openEndpointSetting();
        return;
      case 'show-output':
        await vscode.commands.executeCommand('audienceFilters.showOutput');
        return;
      case 'manage-trust':
        await vscode.commands.executeCommand('workbench.trust.manage');
        return;
      case 'resume':
        if (run?.runId && token) await this.publishPlan(run.plan, token, run.runId);
        return;
      case 'abort-run':
        if (run?.runId && token) await this.abortRun(run.plan.endpoint, token, run.runId);
        return;
    }
  }

  private async abortRun(endpoint: string, token: string, runId: string): Promise<void> {
    const created = EndpointClient.create({ endpoint, token });
    if (!created.ok) return;
    try {
      const aborted = await created.value.abortRun(runId, 'from VS Code');
      const message = aborted.ok ? `Run ${runId} was aborted; nothing of it was committed.` : redact(aborted.error.message, token);
      this.deps.log(`[publish] ${message}`);
      void (aborted.ok ? vscode.window.showInformationMessage : vscode.window.showErrorMessage)(`Audience Filters: ${message}`);
      this.deps.onDidPublish();
    } finally {
      created.value.close();
    }
  }

  private logPlan(plan: PublishPlan, audience: AudienceEvaluation): void {
    const sizes = Object.entries(plan.sizeByNamespace).map(([ns, c]) => `${ns} ${c}`).join(', ') || 'none';
    this.deps.log(`[publish] plan for filter ${plan.audience.filterId} → ${plan.endpoint}: ${plan.existing ? `republish of ${plan.existing.id}` : 'new audience'}; ` +
      `${plan.total} identities (${sizes}); entering ${plan.diff.entering}, staying ${plan.diff.staying}, exiting ${plan.diff.exiting}; ` +
      `left out ${plan.leftOut.total}; lookback window ${audience.window ? `${audience.window.from} to ${audience.window.to}` : 'all data'}; ` +
      `${plan.publishable ? 'publishable' : `not publishable: ${plan.limitIssues.map(i => i.message).join('; ')}`}`);
  }
}

/** What a failure's Set Token button resumes: the publish of this file, with its options. */
interface Retry {
  resource: vscode.Uri;
  again: () => Promise<PublishOutcome>;
}

/** Upload is most of the work: 5 % for preparing, 90 % spread over the identities, the rest for the commit. */
function progressPercent(p: PublishProgress): number {
  switch (p.phase) {
    case 'audience':
    case 'run':
      return 5;
    case 'upload':
      return 5 + (p.totalIdentities ? Math.floor((90 * p.identitiesSent) / p.totalIdentities) : 0);
    case 'verify':
    case 'commit':
      return 95;
    case 'done':
      return 100;
    default:
      return 0;
  }
}
