import * as http from 'http';
import * as https from 'https';
import { randomUUID } from 'crypto';
import { PublishError, Result, fail, isRetryable, ok } from './errors';
import { DEFAULT_RETRY, RetryOptions, backoffDelay, delay, parseRetryAfter } from './retry';
import {
  Audience, AudienceList, AudienceMetadata, BatchReceipt, ErrorBody, Identity, MembersPage, Profile, Role, Run, User, UserCreated,
} from './protocol';

export interface EndpointClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:7410`; routes are appended (`/v1/...`). */
  endpoint: string;
  token: string;
  retry?: RetryOptions;
  /** Per-request timeout. Default 60 s; commits get 10 minutes. */
  timeoutMs?: number;
  /** Called before each retry (for progress reporting). Never sees the token. */
  onRetry?: (info: { attempt: number; delayMs: number; error: PublishError }) => void;
  /** Source of randomness for jitter (tests pass a seeded one). */
  random?: () => number;
}

export interface RequestOptions {
  body?: unknown;
  ifMatch?: string;
  /** Sent on every attempt of one logical operation so the endpoint applies it once. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Retry network errors, 429 and 5xx. Default true. */
  retry?: boolean;
}

export interface Response<T> {
  status: number;
  body: T;
  etag?: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Whether a host name or address is this machine's loopback, where plain HTTP is allowed. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Checks an endpoint URL: http(s) only, and HTTPS unless the host is loopback (SPEC §5). */
export function checkEndpointUrl(endpoint: string): Result<URL> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return fail({ code: 'invalid_endpoint', message: `The endpoint URL "${endpoint}" is not a valid URL.` });
  }
  if (url.username || url.password) {
    return fail({ code: 'invalid_endpoint', message: 'The endpoint URL must not contain credentials; use the token setting instead.' });
  }
  if (url.protocol === 'https:') return ok(url);
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return ok(url);
    return fail({ code: 'insecure_endpoint', message: `Refusing to send a token over plain HTTP to ${url.host}: use https:// (plain http is allowed only for localhost).` });
  }
  return fail({ code: 'invalid_endpoint', message: `The endpoint URL must start with https:// (or http:// for localhost), got "${url.protocol}".` });
}

/**
 * Typed access to every route of the publish protocol, with retries (exponential backoff with
 * jitter, honouring Retry-After) on network errors, 429 and 5xx. Every method returns a
 * `Result`; nothing throws for an HTTP or network failure. The token is only ever put in the
 * Authorization header, never in a message.
 */
export class EndpointClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly retry: Required<RetryOptions>;
  private readonly random: () => number;

  private constructor(base: URL, private readonly token: string, private readonly options: EndpointClientOptions) {
    this.base = base;
    this.agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
  }

  static create(options: EndpointClientOptions): Result<EndpointClient> {
    const url = checkEndpointUrl(options.endpoint);
    if (!url.ok) return url;
    return ok(new EndpointClient(url.value, options.token, options));
  }

  get endpoint(): string {
    return this.base.toString();
  }

  /** Frees the keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  me(signal?: AbortSignal): Promise<Result<User>> {
    return this.body(this.request<User>('GET', '/v1/me', { signal }));
  }

  listAudiences(query: { cursor?: string; limit?: number; filterId?: string } = {}, signal?: AbortSignal): Promise<Result<AudienceList>> {
    return this.body(this.request<AudienceList>('GET', `/v1/audiences${queryString(query)}`, { signal }));
  }

  /** The audience with its ETag (needed for updates). */
  getAudience(audienceId: string, signal?: AbortSignal): Promise<Result<Response<Audience>>> {
    return this.request<Audience>('GET', `/v1/audiences/${encodeURIComponent(audienceId)}`, { signal });
  }

  createAudience(metadata: AudienceMetadata, signal?: AbortSignal): Promise<Result<Response<Audience>>> {
    return this.request<Audience>('POST', '/v1/audiences', { body: metadata, idempotencyKey: randomUUID(), signal });
  }

  updateAudience(audienceId: string, metadata: AudienceMetadata, etag: string, signal?: AbortSignal): Promise<Result<Response<Audience>>> {
    return this.request<Audience>('PUT', `/v1/audiences/${encodeURIComponent(audienceId)}`, { body: metadata, ifMatch: etag, idempotencyKey: randomUUID(), signal });
  }

  /** Deletes the audience: its members exit, profiles are kept. */
  deleteAudience(audienceId: string, etag?: string, signal?: AbortSignal): Promise<Result<Audience>> {
    return this.body(this.request<Audience>('DELETE', `/v1/audiences/${encodeURIComponent(audienceId)}`, { ifMatch: etag, idempotencyKey: randomUUID(), signal }));
  }

  listMembers(audienceId: string, cursor?: string, limit?: number, signal?: AbortSignal): Promise<Result<MembersPage>> {
    return this.body(this.request<MembersPage>('GET', `/v1/audiences/${encodeURIComponent(audienceId)}/members${queryString({ cursor, limit })}`, { signal }));
  }

  /** Opens a publish run. The idempotency key makes a retried create return the same run. */
  createRun(audienceId: string, definitionHash?: string, signal?: AbortSignal, retry = true): Promise<Result<Run>> {
    return this.body(this.request<Run>('POST', `/v1/audiences/${encodeURIComponent(audienceId)}/runs`, {
      body: definitionHash ? { definitionHash } : {}, idempotencyKey: randomUUID(), signal, retry,
    }));
  }

  getRun(runId: string, signal?: AbortSignal): Promise<Result<Run>> {
    return this.body(this.request<Run>('GET', `/v1/runs/${encodeURIComponent(runId)}`, { signal }));
  }

  putBatch(runId: string, batchNumber: number, identities: readonly Identity[], signal?: AbortSignal): Promise<Result<BatchReceipt>> {
    return this.body(this.request<BatchReceipt>('PUT', `/v1/runs/${encodeURIComponent(runId)}/batches/${batchNumber}`, { body: { identities }, signal }));
  }

  commitRun(runId: string, batchCount: number, signal?: AbortSignal): Promise<Result<Run>> {
    return this.body(this.request<Run>('POST', `/v1/runs/${encodeURIComponent(runId)}/commit`, { body: { batchCount }, signal, timeoutMs: 600_000 }));
  }

  abortRun(runId: string, reason?: string, signal?: AbortSignal): Promise<Result<Run>> {
    return this.body(this.request<Run>('POST', `/v1/runs/${encodeURIComponent(runId)}/abort`, { body: reason ? { reason } : {}, signal }));
  }

  lookupProfile(namespace: string, id: string, signal?: AbortSignal): Promise<Result<Profile>> {
    return this.body(this.request<Profile>('GET', `/v1/profiles${queryString({ namespace, id })}`, { signal }));
  }

  listUsers(signal?: AbortSignal): Promise<Result<{ users: User[] }>> {
    return this.body(this.request<{ users: User[] }>('GET', '/v1/users', { signal }));
  }

  createUser(name: string, role: Role, signal?: AbortSignal): Promise<Result<UserCreated>> {
    return this.body(this.request<UserCreated>('POST', '/v1/users', { body: { name, role }, idempotencyKey: randomUUID(), signal }));
  }

  grantPublishing(userId: string, signal?: AbortSignal): Promise<Result<User>> {
    return this.body(this.request<User>('PUT', `/v1/users/${encodeURIComponent(userId)}/permissions/audience-publishing`, { signal }));
  }

  revokePublishing(userId: string, signal?: AbortSignal): Promise<Result<User>> {
    return this.body(this.request<User>('DELETE', `/v1/users/${encodeURIComponent(userId)}/permissions/audience-publishing`, { signal }));
  }

  /** One logical request, retried on network errors, 429 and 5xx (same idempotency key each time). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Result<Response<T>>> {
    const maxAttempts = options.retry === false ? 1 : this.retry.retries + 1;
    let last: PublishError | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (options.signal?.aborted) return fail(cancelled());
      const outcome = await this.attempt<T>(method, path, options);
      if (outcome.ok) return outcome;
      last = outcome.error;
      if (!isRetryable(last) || attempt + 1 >= maxAttempts) break;
      if (last.retryAfterMs !== undefined && last.retryAfterMs > this.retry.maxRetryAfterMs) break;
      const wait = Math.max(last.retryAfterMs ?? 0, backoffDelay(attempt, this.retry, this.random));
      this.options.onRetry?.({ attempt: attempt + 1, delayMs: wait, error: last });
      if (!(await delay(wait, options.signal))) return fail(cancelled());
    }
    return fail(last as PublishError);
  }

  private async body<T>(response: Promise<Result<Response<T>>>): Promise<Result<T>> {
    const r = await response;
    return r.ok ? ok(r.value.body) : r;
  }

  private attempt<T>(method: string, path: string, options: RequestOptions): Promise<Result<Response<T>>> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.token}` };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (options.ifMatch) headers['if-match'] = options.ifMatch;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const transport = url.protocol === 'https:' ? https : http;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: Result<Response<T>>): void => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const req = transport.request(url, { method, headers, agent: this.agent, signal: options.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => settle(fail(networkError(e, url))));
        res.on('aborted', () => settle(fail(networkError(new Error('connection closed mid-response'), url))));
        res.on('end', () => {
          if (!res.complete) return settle(fail(networkError(new Error('connection closed mid-response'), url)));
          settle(this.interpret<T>(res, Buffer.concat(chunks).toString('utf8'), url));
        });
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy();
        settle(fail({ code: 'timeout', message: `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s.` }));
      });
      req.on('error', (e) => settle(options.signal?.aborted ? fail(cancelled()) : fail(networkError(e, url))));
      req.end(payload);
    });
  }

  private interpret<T>(res: http.IncomingMessage, text: string, url: URL): Result<Response<T>> {
    const status = res.statusCode ?? 0;
    let parsed: unknown;
    try {
      parsed = text.length ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
    if (status >= 200 && status < 300) {
      if (parsed === undefined && status !== 204) return fail({ code: 'protocol', status, message: `${url.host} answered ${status} without a JSON body.` });
      return ok({ status, body: parsed as T, etag });
    }
    const err = (parsed as ErrorBody | undefined)?.error;
    const retryAfterMs = parseRetryAfter(firstHeader(res.headers['retry-after']));
    return fail(this.describe(status, err, url, retryAfterMs));
  }

  /** Turns an HTTP error into a message a user can act on. */
  private describe(status: number, err: ErrorBody['error'] | undefined, url: URL, retryAfterMs: number | undefined): PublishError {
    const said = err?.message ? this.redact(err.message) : undefined;
    const base = { status, endpointCode: err?.code, field: err?.field, retryAfterMs };
    const host = url.host;
    switch (true) {
      case status === 401:
        return { ...base, code: 'unauthorized', message: `${host} rejected the token (401): it is missing, mistyped, expired or revoked. Set a valid token for this endpoint (ask an admin for one) and try again.` };
      case status === 403:
        return { ...base, code: 'forbidden', message: `${host} refused (403): ${said ?? 'your user lacks a permission'}. Ask an admin of the endpoint to grant you the "${err?.permission === 'admin' ? 'admin role' : 'Audience Publishing'}" ${err?.permission === 'admin' ? '' : 'permission'}`.trimEnd() + '.' };
      case status === 404:
        return { ...base, code: 'not_found', message: said ?? `${host}: not found (404).` };
      case status === 409 && err?.code === 'run_open':
        // The endpoint's sentence names the run, who started it, its last activity and its expiry.
        return { ...base, code: 'run_conflict', runId: err.runId, message: `Another publish of this audience is in progress. ${said ?? `Run ${err.runId ?? 'unknown'} is open. Wait for it to finish, or abort that run, then publish again.`}` };
      case status === 409:
        return { ...base, code: 'conflict', audienceId: err?.audienceId, runId: err?.runId, missingBatches: err?.missingBatches, message: said ?? `${host}: conflict (409).` };
      case status === 412:
        return { ...base, code: 'stale', message: `The audience was changed by someone else since it was read (412). Re-run the plan and publish again.` };
      case status === 413:
        return { ...base, code: 'too_large', message: `${host} refused a request as too large (413): use a smaller batch size.` };
      case status === 429:
        return { ...base, code: 'rate_limited', message: `${host} is rate limiting requests (429)${retryAfterMs !== undefined ? `; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s` : ''}.` };
      case status >= 500:
        return { ...base, code: 'server_error', message: `${host} failed (${status})${said ? `: ${said}` : ''}.` };
      case status === 400 && err?.code === 'limit_exceeded':
        return { ...base, code: 'limit_exceeded', message: said ?? 'A product limit was exceeded.' };
      default:
        return { ...base, code: 'invalid', message: `${host} rejected the request (${status})${said ? `: ${said}` : ''}${err?.field ? ` [field ${err.field}]` : ''}.` };
    }
  }

  private redact(text: string): string {
    return this.token ? text.split(this.token).join('***') : text;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function cancelled(): PublishError {
  return { code: 'cancelled', message: 'Cancelled.' };
}

/** TLS verification failures: the endpoint is there, but its certificate is not one to trust. */
const CERTIFICATE_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

function networkError(e: Error & { code?: string }, url: URL): PublishError {
  if (e.code && CERTIFICATE_ERRORS.has(e.code)) {
    return {
      code: 'untrusted_certificate',
      message: `${url.host} presented a certificate that is not trusted (${e.code}: ${e.message}); the token was not sent. ` +
        'If your own certificate authority signed it, trust that CA: the command line takes it from NODE_EXTRA_CA_CERTS (a PEM file), VS Code from the system\'s certificate store.',
    };
  }
  const what = e.code === 'ECONNREFUSED' ? 'refused the connection' : e.code === 'ENOTFOUND' ? 'could not be found (DNS)' : `connection failed (${e.code ?? e.message})`;
  return { code: 'network', message: `${url.host} ${what}. Check that the endpoint is running and reachable.` };
}
