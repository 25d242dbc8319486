export interface RateLimitOptions {
  /** Sustained requests per second per client (token, or address without one). */
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period. Default: requestsPerSecond. */
  burst?: number;
}

/** Token buckets per client key. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;

  constructor(private readonly options: RateLimitOptions, private readonly clock: () => number = Date.now) {
    this.burst = Math.max(1, options.burst ?? options.requestsPerSecond);
  }

  /** 0 when the request may go ahead, else the seconds to wait (at least 1, for Retry-After). */
  take(key: string): number {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.requestsPerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.buckets.clear();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.requestsPerSecond));
  }
}
