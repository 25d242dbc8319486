import { EndpointClient } from './client';
import { PublishError, Result, fail, isRetryable, ok } from './errors';
import { IdentityScreen, LeftOutSummary } from './leftOut';
import { checkAudienceLimits } from './limits';
import { AudienceTarget, IdentitySource, PublishInputs, PublishPlan, findAudience, tokenOfPlan } from './plan';
import { Audience, AudienceMetadata, Identity, Run } from './protocol';
import { RetryOptions, delay } from './retry';

export interface PublishProgress {
  phase: 'audience' | 'run' | 'upload' | 'verify' | 'commit' | 'abort' | 'done';
  audienceId?: string;
  runId?: string;
  batchesSent: number;
  identitiesSent: number;
  /** Batches the endpoint already had (resume). */
  batchesSkipped: number;
  /** Known when publishing a plan or an array. */
  totalIdentities?: number;
  retries: number;
  message: string;
}

export interface PublishOptions {
  onProgress?: (progress: PublishProgress) => void;
  /** Cancels the publish; the run is aborted and nothing is committed (unless the commit was already sent). */
  signal?: AbortSignal;
  /** Identities per batch. Default 10,000. */
  batchSize?: number;
  /** Batches in flight at once. Default 2. */
  concurrency?: number;
  retry?: RetryOptions;
  /** Finish an interrupted run: batches the endpoint already has are skipped. */
  resumeRunId?: string;
  /**
   * Finish the audience's open run without naming it: only when this user started it for the same
   * definition hash (an interrupted publish of the same plan); anything else is an error saying why.
   */
  resumeOwnRun?: boolean;
  /** When another run of the audience is open: report `run_conflict` (default) or wait with the retry policy. */
  onConflict?: 'report' | 'wait';
  /** Overrides the token remembered by the plan. */
  token?: string;
  /** Source of randomness for backoff jitter. */
  random?: () => number;
}

export interface PublishResult {
  audienceId: string;
  runId: string;
  audienceVersion: number;
  entered: number;
  existing: number;
  exited: number;
  total: number;
  leftOut: LeftOutSummary;
}

interface Job {
  endpoint: string;
  token: string;
  audience: AudienceTarget;
  identities: IdentitySource;
  /** Arrays can be read twice, which lets a publish re-send batches an endpoint lost. */
  rereadable: boolean;
  screen: IdentityScreen;
  /** Identities are already screened and deduplicated (a plan). */
  screened: boolean;
  totalIdentities?: number;
  baseLeftOut?: LeftOutSummary;
}

function isPlan(input: PublishPlan | PublishInputs): input is PublishPlan {
  return (input as PublishPlan).kind === 'publish-plan';
}

/**
 * Publishes an audience: creates or updates its metadata, opens a run, streams numbered
 * batches (bounded memory: `concurrency` batches at a time), verifies with the run status that
 * every batch arrived (re-sending missing ones when the source can be re-read), and commits.
 * Retries use exponential backoff with jitter and honour Retry-After; every request is safe to
 * repeat (idempotent batches, idempotency keys). On failure the run is left open and the
 * error says `resumable` with its `runId` when `resumeRunId` can finish it; on cancel the run
 * is aborted.
 */
export async function publish(input: PublishPlan | PublishInputs, options: PublishOptions = {}): Promise<Result<PublishResult>> {
  const job = toJob(input, options);
  if (!job.ok) return job;
  const state = { retries: 0 };
  const created = EndpointClient.create({
    endpoint: job.value.endpoint, token: job.value.token, retry: options.retry, random: options.random,
    onRetry: () => { state.retries++; },
  });
  if (!created.ok) return created;
  const client = created.value;
  try {
    return await new Publisher(client, job.value, options, state).run();
  } finally {
    client.close();
  }
}

function toJob(input: PublishPlan | PublishInputs, options: PublishOptions): Result<Job> {
  if (isPlan(input)) {
    const token = options.token ?? tokenOfPlan(input);
    if (token === undefined) return fail({ code: 'unauthorized', message: 'No token for this plan: pass options.token.' });
    if (!input.publishable) {
      return fail({ code: 'limit_exceeded', message: `The plan breaks product limits: ${input.limitIssues.map((i) => i.message).join('; ')}.` });
    }
    return ok({
      endpoint: input.endpoint, token, audience: input.audience, identities: input.identities, rereadable: true,
      screen: new IdentityScreen(input.audience.namespaces, false), screened: true, totalIdentities: input.total, baseLeftOut: input.leftOut,
    });
  }
  const issues = checkAudienceLimits(input.audience);
  if (issues.length) return fail({ code: issues[0].code === 'invalid' ? 'invalid' : 'limit_exceeded', field: issues[0].field, message: issues.map((i) => i.message).join('; ') });
  const rereadable = Array.isArray(input.identities);
  return ok({
    endpoint: input.endpoint, token: input.token, audience: input.audience, identities: input.identities, rereadable,
    screen: new IdentityScreen(input.allowedNamespaces ?? input.audience.namespaces, false), screened: false,
    totalIdentities: rereadable ? (input.identities as Identity[]).length : undefined,
  });
}

class Publisher {
  private readonly batchSize: number;
  private readonly concurrency: number;
  private progress: PublishProgress;
  /** Aborts in-flight uploads when the caller cancels. */
  private readonly uploads = new AbortController();

  constructor(private readonly client: EndpointClient, private readonly job: Job, private readonly options: PublishOptions, private readonly state: { retries: number }) {
    this.batchSize = Math.max(1, Math.min(50_000, options.batchSize ?? 10_000));
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.progress = { phase: 'audience', batchesSent: 0, identitiesSent: 0, batchesSkipped: 0, retries: 0, totalIdentities: job.totalIdentities, message: 'Preparing the audience' };
    options.signal?.addEventListener('abort', () => this.uploads.abort(), { once: true });
  }

  async run(): Promise<Result<PublishResult>> {
    if (this.cancelled) return fail({ code: 'cancelled', message: 'Publish cancelled before it started; nothing was sent.' });
    this.report({ phase: 'audience', message: 'Preparing the audience' });
    const audience = await this.ensureAudience();
    if (!audience.ok) return this.cancelled ? fail({ code: 'cancelled', message: 'Publish cancelled while preparing the audience; no run was opened and no identity was sent.' }) : audience;
    const audienceId = audience.value.id;

    const run = await this.openRun(audience.value);
    if (!run.ok) return this.cancelled && run.error.code === 'cancelled' ? fail({ code: 'cancelled', message: 'Publish cancelled before a run was opened; no identity was sent.' }) : run;
    const runId = run.value.id;
    if (this.cancelled) return this.abort(runId, 'Publish cancelled');
    this.report({ phase: 'upload', audienceId, runId, message: `Uploading to run ${runId}` });

    const received = new Set(run.value.receivedBatches);
    const upload = await this.upload(runId, received);
    if (this.cancelled) return this.abort(runId, 'Publish cancelled');
    if (!upload.ok) return this.stopAfterFailure(runId, upload.error);
    let batchCount = upload.value;

    this.report({ phase: 'verify', message: 'Checking that the endpoint received every batch' });
    const status = await this.client.getRun(runId);
    if (!status.ok) return this.stopAfterFailure(runId, status.error);
    const missing = missingBatches(status.value.receivedBatches, batchCount);
    if (missing.length) {
      if (!this.job.rereadable) {
        return fail({ code: 'conflict', runId, resumable: false, missingBatches: missing, message: `The endpoint lacks batches ${missing.join(', ')} of run ${runId} and the identities cannot be read again; abort the run and publish again.` });
      }
      const resend = await this.upload(runId, new Set(status.value.receivedBatches), new Set(missing));
      if (this.cancelled) return this.abort(runId, 'Publish cancelled');
      if (!resend.ok) return this.stopAfterFailure(runId, resend.error);
      batchCount = resend.value;
    }

    if (this.cancelled) return this.abort(runId, 'Publish cancelled');
    // Past this point a cancel is too late: the commit is atomic and may already be applied.
    this.report({ phase: 'commit', message: `Committing run ${runId}` });
    const committed = await this.client.commitRun(runId, batchCount);
    if (!committed.ok) return this.stopAfterFailure(runId, committed.error);
    const result = committed.value.result;
    if (!result) return fail({ code: 'protocol', runId, message: `The endpoint committed run ${runId} without a result.` });

    const leftOut = this.job.baseLeftOut ?? this.job.screen.leftOut;
    const duplicates = this.job.screened ? 0 : Math.max(0, this.job.screen.accepted - result.total);
    const finalLeftOut: LeftOutSummary = duplicates
      ? { ...leftOut, total: leftOut.total + duplicates, byReason: { ...leftOut.byReason, duplicate: leftOut.byReason.duplicate + duplicates } }
      : leftOut;
    this.report({ phase: 'done', message: `Published: ${result.entered} entered, ${result.existing} stayed, ${result.exited} exited` });
    return ok({ audienceId, runId, audienceVersion: result.audienceVersion, entered: result.entered, existing: result.existing, exited: result.exited, total: result.total, leftOut: finalLeftOut });
  }

  private get cancelled(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  private report(update: Partial<PublishProgress>): void {
    this.progress = { ...this.progress, ...update, retries: this.state.retries };
    this.options.onProgress?.({ ...this.progress });
  }

  private async ensureAudience(): Promise<Result<Audience>> {
    const { id: _id, ...metadata } = this.job.audience;
    const found = await findAudience(this.client, this.job.audience, this.options.signal);
    if (!found.ok) return found;
    if (!found.value) {
      const created = await this.client.createAudience(metadata, this.options.signal);
      if (created.ok) return ok(created.value.body);
      if (created.error.endpointCode !== 'audience_exists' || !created.error.audienceId) return created;
      // Another publisher created it in the meantime: publish to that one.
      return this.updateIfChanged(created.error.audienceId, metadata);
    }
    return this.updateIfChanged(found.value.id, metadata);
  }

  private async updateIfChanged(audienceId: string, metadata: AudienceMetadata): Promise<Result<Audience>> {
    const current = await this.client.getAudience(audienceId, this.options.signal);
    if (!current.ok) return current;
    if (!metadataDiffers(current.value.body, metadata)) return ok(current.value.body);
    const updated = await this.client.updateAudience(audienceId, metadata, current.value.etag ?? '', this.options.signal);
    return updated.ok ? ok(updated.value.body) : updated;
  }

  private async openRun(audience: Audience): Promise<Result<Run>> {
    const audienceId = audience.id;
    const resumeId = this.options.resumeRunId ?? (this.options.resumeOwnRun ? audience.openRunId : undefined);
    if (this.options.resumeOwnRun && !resumeId) {
      return fail({ code: 'not_found', audienceId, message: `Audience ${audienceId} has no open run to resume (it was committed, aborted or expired); publish again without resuming.` });
    }
    if (resumeId) {
      const run = await this.client.getRun(resumeId, this.options.signal);
      if (!run.ok) return run;
      if (run.value.audienceId !== audienceId) return fail({ code: 'conflict', runId: run.value.id, message: `Run ${run.value.id} belongs to audience ${run.value.audienceId}, not ${audienceId}.` });
      if (run.value.status !== 'open') return fail({ code: 'conflict', runId: run.value.id, message: `Run ${run.value.id} is ${run.value.status}; it cannot be resumed. Publish again without resuming.` });
      if (this.options.resumeOwnRun) {
        const why = await this.notOwnRun(run.value);
        if (why) return fail({ code: 'run_conflict', runId: run.value.id, resumable: false, message: `The open run ${run.value.id} of audience ${audienceId} ${why}, so it is not resumed; wait for it to finish or expire, or abort it, then publish again.` });
      }
      this.report({ phase: 'run', audienceId, runId: run.value.id, message: `Resuming run ${run.value.id} (${run.value.receivedBatches.length} batches already received)` });
      return run;
    }
    this.report({ phase: 'run', audienceId, message: 'Opening a publish run' });
    const retry = { retries: 6, baseMs: 200, maxMs: 10_000, ...this.options.retry };
    for (let attempt = 0; ; attempt++) {
      // Not cancellable in flight: a run created after the cancel is seen, and aborted, by run().
      const run = await this.client.createRun(audienceId, this.job.audience.definitionHash);
      if (!run.ok && run.error.code === 'run_conflict' && this.options.onConflict !== 'wait') return this.conflictWithOwnRun(run.error);
      if (run.ok || run.error.code !== 'run_conflict' || this.options.onConflict !== 'wait' || attempt >= retry.retries) return run;
      const wait = Math.min(retry.maxMs, retry.baseMs * 2 ** attempt);
      this.state.retries++;
      this.report({ phase: 'run', message: `Waiting for run ${run.error.runId} of another publisher to finish` });
      if (!(await delay(wait, this.options.signal))) return fail({ code: 'cancelled', message: 'Publish cancelled while waiting for another run; nothing was sent.' });
    }
  }

  /**
   * Why `run` is not this user's run of this definition (words after "the open run … "), or
   * undefined when it is: then it is most likely an interrupted publish of the same plan.
   */
  private async notOwnRun(run: Run): Promise<string | undefined> {
    const me = await this.client.me(this.options.signal);
    if (!me.ok) return `could not be matched to your user (${me.error.message})`;
    if (run.createdBy !== me.value.name) return `was started by ${run.createdBy}, not by you (${me.value.name})`;
    const wanted = this.job.audience.definitionHash;
    if (wanted && run.definitionHash !== wanted) return run.definitionHash ? `was started for another definition (hash ${run.definitionHash}, this one is ${wanted})` : 'was started without a definition hash';
    return undefined;
  }

  /** A run_conflict over a run this user started for the same definition is resumable: the error says so. */
  private async conflictWithOwnRun(error: PublishError): Promise<Result<never>> {
    if (!error.runId) return fail(error);
    const run = await this.client.getRun(error.runId, this.options.signal);
    if (!run.ok || run.value.status !== 'open' || (await this.notOwnRun(run.value))) return fail(error);
    return fail({
      ...error, resumable: true,
      message: `${error.message} You started it for this same definition (an interrupted publish?): resume it to send only the batches it lacks, or abort it.`,
    });
  }

  /**
   * Reads the source once, cutting batches of `batchSize`, and sends the ones that are not in
   * `skip` (or only those in `only`). Returns the number of batches the source produced.
   */
  private async upload(runId: string, skip: Set<number>, only?: Set<number>): Promise<Result<number>> {
    const inflight = new Set<Promise<void>>();
    let failure: PublishError | undefined;
    let number = 0;
    let batch: Identity[] = [];
    const screen = this.job.screened || only ? new IdentityScreen(this.job.audience.namespaces, false) : this.job.screen;

    const flush = async (): Promise<void> => {
      const n = number++;
      const identities = batch;
      batch = [];
      if (skip.has(n) || (only && !only.has(n))) {
        if (!only) this.report({ batchesSkipped: this.progress.batchesSkipped + 1 });
        return;
      }
      const sending = this.client.putBatch(runId, n, identities, this.uploads.signal).then((r) => {
        if (!r.ok) {
          failure ??= r.error;
          return;
        }
        this.report({ batchesSent: this.progress.batchesSent + 1, identitiesSent: this.progress.identitiesSent + identities.length, message: `Sent batch ${n}` });
      });
      const tracked: Promise<void> = sending.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
      if (inflight.size >= this.concurrency) await Promise.race(inflight);
    };

    try {
      for await (const item of this.job.identities) {
        if (failure || this.cancelled) break;
        const identity = this.job.screened ? item : screen.screen(item);
        if (!identity) continue;
        batch.push(identity);
        if (batch.length >= this.batchSize) await flush();
      }
      if (batch.length && !failure && !this.cancelled) await flush();
    } catch (e) {
      await Promise.all(inflight);
      return fail({ code: 'source_failed', runId, message: `Reading the identities failed: ${(e as Error).message}` });
    }
    await Promise.all(inflight);
    if (failure) return fail(failure);
    return ok(number);
  }

  private async stopAfterFailure(runId: string, error: PublishError): Promise<Result<PublishResult>> {
    if (error.code === 'cancelled' || this.cancelled) return this.abort(runId, 'Publish cancelled');
    if (error.code === 'source_failed' || error.code === 'limit_exceeded' || error.code === 'invalid' || error.code === 'too_large') {
      const aborted = await this.client.abortRun(runId, error.message);
      return fail({ ...error, runId, resumable: false, message: `${error.message} Run ${runId} was ${aborted.ok ? 'aborted' : 'left open'}; nothing was committed.` });
    }
    const resumable = isRetryable(error);
    return fail({
      ...error, runId, resumable,
      message: resumable
        ? `${error.message} Nothing was committed; run ${runId} stays open: publish again with resume (run ${runId}) to send only the missing batches, or abort it.`
        : `${error.message} Nothing was committed (run ${runId}).`,
    });
  }

  private async abort(runId: string, why: string): Promise<Result<PublishResult>> {
    this.report({ phase: 'abort', message: `${why}: aborting run ${runId}` });
    const aborted = await this.client.abortRun(runId, why);
    if (aborted.ok) return fail({ code: 'cancelled', runId, resumable: false, message: `${why}; run ${runId} was aborted and nothing was committed.` });
    return fail({ code: 'cancelled', runId, resumable: false, message: `${why}; nothing was committed, but aborting run ${runId} failed (${aborted.error.message}). Abort it later or let a new publish replace it.` });
  }
}

function missingBatches(received: number[], count: number): number[] {
  const have = new Set(received);
  const missing: number[] = [];
  for (let n = 0; n < count; n++) if (!have.has(n)) missing.push(n);
  return missing;
}

function metadataDiffers(current: Audience, wanted: AudienceMetadata): boolean {
  const norm = (m: AudienceMetadata, owner: string | undefined): unknown => [
    m.name, m.description ?? '', m.tags ?? [], m.filterId, m.filters ?? null, m.definitionHash, m.refresh, m.lookbackDays, m.expires, m.namespaces, owner ?? null,
  ];
  return JSON.stringify(norm(current, wanted.owner === undefined ? undefined : current.owner)) !== JSON.stringify(norm(wanted, wanted.owner));
}
