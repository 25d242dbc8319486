/** Errors of the publishing client are values, never exceptions. */
export type PublishErrorCode =
  | 'invalid_endpoint' // the endpoint URL is malformed
  | 'insecure_endpoint' // plain http to a host other than loopback
  | 'unauthorized' // 401: token missing, wrong or revoked
  | 'forbidden' // 403: the user lacks a permission
  | 'not_found'
  | 'invalid' // 400: a payload or metadata field is invalid
  | 'limit_exceeded' // a product limit (SPEC §6)
  | 'too_large' // 413
  | 'run_conflict' // 409: another run of the audience is open
  | 'conflict' // other 409s
  | 'stale' // 412: metadata changed since it was read
  | 'rate_limited' // 429 after all retries
  | 'server_error' // 5xx after all retries
  | 'network' // connection failed after all retries
  | 'untrusted_certificate' // TLS: the endpoint's certificate is not trusted (not retried)
  | 'timeout'
  | 'cancelled'
  | 'source_failed' // the identity source threw
  | 'protocol'; // the endpoint answered something unexpected

export interface PublishError {
  code: PublishErrorCode;
  /** A sentence a user can act on. Never contains the token. */
  message: string;
  status?: number;
  /** The endpoint's own error code, when it sent one. */
  endpointCode?: string;
  field?: string;
  audienceId?: string;
  /** The run concerned: the open run for `run_conflict`, the interrupted run when `resumable`. */
  runId?: string;
  /** True when `publish(..., { resumeRunId: runId })` can finish the job. */
  resumable?: boolean;
  missingBatches?: number[];
  /** Server-suggested wait (from Retry-After). */
  retryAfterMs?: number;
}

export type Result<T, E = PublishError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail(error: PublishError): Result<never> {
  return { ok: false, error };
}

/** Errors worth another attempt: network failures, 429 and 5xx. */
export function isRetryable(error: PublishError): boolean {
  return error.code === 'network' || error.code === 'timeout' || error.code === 'rate_limited' || error.code === 'server_error';
}
