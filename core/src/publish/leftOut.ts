import { LeftOutReason, identityKey, identityProblem } from './identity';
import { Identity } from './protocol';

/** Identities that will not be published, and why. */
export interface LeftOutSummary {
  total: number;
  byReason: Record<LeftOutReason, number>;
  /** Left-out counts per namespace (for `namespace-not-allowed` and `invalid-id`). */
  byNamespace: Record<string, number>;
  /** The first few left-out items, for display. */
  samples: Array<{ identity: unknown; reason: LeftOutReason }>;
}

const MAX_SAMPLES = 20;

export function emptyLeftOut(): LeftOutSummary {
  return { total: 0, byReason: { 'namespace-not-allowed': 0, 'invalid-id': 0, 'invalid-namespace': 0, duplicate: 0 }, byNamespace: {}, samples: [] };
}

/**
 * Screens identities one by one: valid, allowed namespace and (when `dedupe`) first occurrence.
 * Deduplication keeps one key per accepted identity in memory; without it, memory stays flat
 * and the endpoint removes duplicates (it stores a set).
 */
export class IdentityScreen {
  readonly leftOut = emptyLeftOut();
  readonly sizeByNamespace: Record<string, number> = {};
  accepted = 0;
  private readonly allowed: ReadonlySet<string>;
  private readonly seen: Set<string> | undefined;

  constructor(allowedNamespaces: Iterable<string>, dedupe: boolean) {
    this.allowed = new Set(allowedNamespaces);
    this.seen = dedupe ? new Set() : undefined;
  }

  /** The identity (copied to `{namespace, id}`) when it is published, otherwise undefined. */
  screen(item: unknown): Identity | undefined {
    const problem = identityProblem(item, this.allowed);
    if (problem) {
      const ns = (item as Partial<Identity> | null)?.namespace;
      this.leaveOut(item, problem, typeof ns === 'string' ? ns : undefined);
      return undefined;
    }
    const identity = { namespace: (item as Identity).namespace, id: (item as Identity).id };
    if (this.seen) {
      const key = identityKey(identity);
      if (this.seen.has(key)) {
        this.leaveOut(identity, 'duplicate', identity.namespace);
        return undefined;
      }
      this.seen.add(key);
    }
    this.accepted++;
    this.sizeByNamespace[identity.namespace] = (this.sizeByNamespace[identity.namespace] ?? 0) + 1;
    return identity;
  }

  has(identity: Identity): boolean {
    return this.seen?.has(identityKey(identity)) ?? false;
  }

  private leaveOut(item: unknown, reason: LeftOutReason, namespace: string | undefined): void {
    this.leftOut.total++;
    this.leftOut.byReason[reason]++;
    if (namespace !== undefined && reason !== 'duplicate') this.leftOut.byNamespace[namespace] = (this.leftOut.byNamespace[namespace] ?? 0) + 1;
    if (this.leftOut.samples.length < MAX_SAMPLES) this.leftOut.samples.push({ identity: item, reason });
  }
}
