/**
 * Fault injection for tests of clients (off unless `faults` is passed to startEndpoint).
 * A faulty request is answered 429 (with Retry-After) or 5xx. A 5xx is injected either before
 * the request is handled (nothing happened) or after it was committed (the work is done but
 * the client cannot know): the second kind is what makes idempotency necessary.
 */
export interface FaultOptions {
  /** Share of requests (0..1) that fail. */
  failRate: number;
  seed?: number;
  /** Statuses to answer, chosen at random. Default [500, 503, 429]. */
  statuses?: number[];
  /** Share of 5xx faults injected after the handler committed. Default 0.5. */
  afterShare?: number;
  /** Retry-After sent with injected 429s. Default 0. */
  retryAfterSeconds?: number;
}

export type Fault = { status: number; when: 'before' | 'after'; retryAfterSeconds?: number } | undefined;

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly random: () => number;

  constructor(private readonly options: FaultOptions) {
    this.random = seededRandom(options.seed ?? 1);
  }

  next(): Fault {
    if (this.random() >= this.options.failRate) return undefined;
    const statuses = this.options.statuses ?? [500, 503, 429];
    const status = statuses[Math.floor(this.random() * statuses.length)];
    if (status === 429) return { status, when: 'before', retryAfterSeconds: this.options.retryAfterSeconds ?? 0 };
    return { status, when: this.random() < (this.options.afterShare ?? 0.5) ? 'after' : 'before' };
  }
}
