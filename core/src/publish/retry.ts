export interface RetryOptions {
  /** Attempts after the first. Default 6. */
  retries?: number;
  /** First backoff step. Default 200 ms. */
  baseMs?: number;
  /** Largest backoff step. Default 10 s. */
  maxMs?: number;
  /** Longest Retry-After the client accepts before giving up. Default 5 minutes. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 6, baseMs: 200, maxMs: 10_000, maxRetryAfterMs: 300_000 };

/**
 * Exponential backoff with "equal jitter": half of the step is fixed, half random, so retries
 * of many clients spread out but never hammer at zero delay.
 */
export function backoffDelay(attempt: number, retry: Required<RetryOptions>, random: () => number = Math.random): number {
  const step = Math.min(retry.maxMs, retry.baseMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or early (with false) when the signal aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
