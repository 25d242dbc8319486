import { EndpointClient } from './client';
import { PublishError, Result, fail, ok } from './errors';
import { identityKey } from './identity';
import { IdentityScreen, LeftOutSummary } from './leftOut';
import { AUDIENCE_LIMITS, LimitIssue, checkAudienceLimits } from './limits';
import { Audience, AudienceMetadata, Identity } from './protocol';
import { RetryOptions } from './retry';

/** Identities to publish: an array (re-readable, so a publish can re-send) or any (async) iterable. */
export type IdentitySource = Iterable<Identity> | AsyncIterable<Identity>;

/** Metadata of the audience to publish; `id` targets a known audience, otherwise it is found by `filterId`. */
export type AudienceTarget = AudienceMetadata & { id?: string };

export interface PublishInputs {
  endpoint: string;
  token: string;
  audience: AudienceTarget;
  identities: IdentitySource;
  /** Namespaces that may be published; defaults to `audience.namespaces`. */
  allowedNamespaces?: readonly string[];
  /** The window the identities were evaluated on, and where it came from (a one-time `range`, or the lookback). */
  window?: PlanWindow;
  /** The endpoint's own identity limit, when it states one (the gauge then measures against the smaller). */
  endpointLimit?: number;
}

export interface PlanWindow {
  from: string;
  to: string;
  source: 'range' | 'period' | 'lookback';
}

/** The audience size against the identity limit (SPEC §6), as CJA's audience builder shows it. */
export interface SizeGauge {
  size: number;
  /** The limit measured against: the profile store's 20M, or the endpoint's own when smaller. */
  limit: number;
  limitSource: 'profile store' | 'endpoint';
  /** size / limit. */
  share: number;
  /** The size from which the gauge warns: 80% of the limit. */
  warningAt: number;
  /** `ok` below `warningAt`, `warning` from it up to the limit, `over` past the limit. */
  state: 'ok' | 'warning' | 'over';
}

/** The share of the limit from which the size gauge warns. */
export const SIZE_WARNING_SHARE = 0.8;

/** A share as a percentage for people: `45%`, `4.5%`, `0.45%`, `0.0045%` (two significant digits below 10%). */
export function percentText(share: number): string {
  const p = 100 * share;
  if (p === 0) return '0%';
  if (p >= 10) return `${p.toFixed(0)}%`;
  return `${Number(p.toPrecision(2))}%`;
}

export function sizeGauge(size: number, endpointLimit?: number): SizeGauge {
  const own = endpointLimit !== undefined && endpointLimit > 0 && endpointLimit < AUDIENCE_LIMITS.maxIdentities;
  const limit = own ? endpointLimit : AUDIENCE_LIMITS.maxIdentities;
  const warningAt = Math.ceil(limit * SIZE_WARNING_SHARE);
  return { size, limit, limitSource: own ? 'endpoint' : 'profile store', share: size / limit, warningAt, state: size > limit ? 'over' : size >= warningAt ? 'warning' : 'ok' };
}

export interface MembershipDiff {
  /** In the plan, not in the last committed membership. */
  entering: number;
  /** In both. */
  staying: number;
  /** In the last committed membership, not in the plan. */
  exiting: number;
  samples: { entering: Identity[]; exiting: Identity[] };
}

export interface PublishPlan {
  kind: 'publish-plan';
  endpoint: string;
  audience: AudienceTarget;
  /** The audience as the endpoint has it now, or null when the publish will create it. */
  existing: Audience | null;
  /** Distinct identities that will be published. */
  total: number;
  sizeByNamespace: Record<string, number>;
  /** `total` against the identity limit. */
  gauge: SizeGauge;
  /** The window the audience was evaluated on, when the caller said. */
  window?: PlanWindow;
  leftOut: LeftOutSummary;
  diff: MembershipDiff;
  limitIssues: LimitIssue[];
  /** False when a limit issue blocks the publish. */
  publishable: boolean;
  /** The accepted identities, deduplicated, in input order. */
  identities: readonly Identity[];
  createdAt: string;
}

const MAX_DIFF_SAMPLES = 10;
const MEMBERS_PAGE = 10_000;

/**
 * The token of each plan, kept out of the plan object so a plan can be printed, logged or
 * serialised without leaking it.
 */
const planTokens = new WeakMap<PublishPlan, string>();

export function tokenOfPlan(plan: PublishPlan): string | undefined {
  return planTokens.get(plan);
}

export interface PlanOptions {
  signal?: AbortSignal;
  retry?: RetryOptions;
  now?: Date;
}

/**
 * Screens the identities (namespace allowed, valid id, duplicates), checks the limits and
 * compares with the endpoint's last committed membership, read in pages of 10,000 (memory:
 * one key per planned identity).
 */
export async function planPublish(inputs: PublishInputs, options: PlanOptions = {}): Promise<Result<PublishPlan>> {
  const created = EndpointClient.create({ endpoint: inputs.endpoint, token: inputs.token, retry: options.retry });
  if (!created.ok) return created;
  const client = created.value;
  try {
    const screen = new IdentityScreen(inputs.allowedNamespaces ?? inputs.audience.namespaces, true);
    const identities: Identity[] = [];
    try {
      for await (const item of inputs.identities) {
        if (options.signal?.aborted) return fail({ code: 'cancelled', message: 'Plan cancelled.' });
        const accepted = screen.screen(item);
        if (accepted) identities.push(accepted);
      }
    } catch (e) {
      return fail({ code: 'source_failed', message: `Reading the identities failed: ${(e as Error).message}` });
    }

    const existing = await findAudience(client, inputs.audience, options.signal);
    if (!existing.ok) return existing;

    const diff: MembershipDiff = { entering: identities.length, staying: 0, exiting: 0, samples: { entering: [], exiting: [] } };
    const staying = new Set<string>();
    if (existing.value && existing.value.audienceVersion > 0) {
      let cursor: string | undefined;
      do {
        const page = await client.listMembers(existing.value.id, cursor, MEMBERS_PAGE, options.signal);
        if (!page.ok) return page;
        for (const member of page.value.members) {
          if (screen.has(member)) {
            staying.add(identityKey(member));
          } else {
            diff.exiting++;
            if (diff.samples.exiting.length < MAX_DIFF_SAMPLES) diff.samples.exiting.push(member);
          }
        }
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor);
      diff.staying = staying.size;
      diff.entering = identities.length - staying.size;
    }
    for (const identity of identities) {
      if (diff.samples.entering.length >= MAX_DIFF_SAMPLES) break;
      if (!staying.has(identityKey(identity))) diff.samples.entering.push(identity);
    }

    const limitIssues = checkAudienceLimits(inputs.audience, options.now ?? new Date(), identities.length);
    const plan: PublishPlan = {
      kind: 'publish-plan',
      endpoint: client.endpoint,
      audience: existing.value ? { ...inputs.audience, id: existing.value.id } : inputs.audience,
      existing: existing.value,
      total: identities.length,
      sizeByNamespace: screen.sizeByNamespace,
      gauge: sizeGauge(identities.length, inputs.endpointLimit),
      ...(inputs.window ? { window: inputs.window } : {}),
      leftOut: screen.leftOut,
      diff,
      limitIssues,
      publishable: limitIssues.length === 0,
      identities,
      createdAt: new Date().toISOString(),
    };
    planTokens.set(plan, inputs.token);
    return ok(plan);
  } finally {
    client.close();
  }
}

/** The live audience for this target: by id when given, otherwise by filter id; null when none. */
export async function findAudience(client: EndpointClient, target: AudienceTarget, signal?: AbortSignal): Promise<Result<Audience | null>> {
  if (target.id) {
    const got = await client.getAudience(target.id, signal);
    if (got.ok) return ok(got.value.body);
    return got.error.code === 'not_found' ? fail(notFound(target.id)) : got;
  }
  const list = await client.listAudiences({ filterId: target.filterId, limit: 1 }, signal);
  if (!list.ok) return list;
  return ok(list.value.audiences[0] ?? null);
}

function notFound(id: string): PublishError {
  return { code: 'not_found', audienceId: id, message: `Audience ${id} does not exist at the endpoint (deleted?). Publish without an id to create it again.` };
}
