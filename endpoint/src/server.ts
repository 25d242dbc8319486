import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import type { Database } from 'better-sqlite3';
import { jsonTextTooDeep, nestingMessage } from '../../core/src/jsonNesting';
import { isLoopbackHost } from '../../core/src/publish/client';
import { AUDIENCE_LIMITS } from '../../core/src/publish/limits';
import { AUDIENCE_PUBLISHING, PROTOCOL_VERSION } from '../../core/src/publish/protocol';
import { ApiResponse, AuthUser, EndpointLimits, Route, apiError, json } from './api';
import { audienceRoutes } from './audiences';
import { startCheckpointer } from './checkpointer';
import { openDatabase } from './database';
import { FaultInjector, FaultOptions } from './faults';
import { profileRoutes } from './profiles';
import { RateLimitOptions, RateLimiter } from './rateLimit';
import { Router } from './router';
import { ExpiredRun, expireIdleRuns, runRoutes } from './runs';
import { ProtocolSchemas, findSchemasDir } from './schemas';
import { hashToken, installAdminToken, newToken, userCount, userFromToken, userRoutes } from './users';

/** Request bodies of the protocol nest a few levels; deeper is refused before JSON.parse and validation. */
export const MAX_BODY_DEPTH = 64;

export interface EndpointOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** SQLite file; created on first start. The admin token goes to `<dbPath>.admin-token`. */
  dbPath: string;
  rateLimit?: RateLimitOptions;
  /** Largest request body; larger ones get 413. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Overrides of product limits (tests use small ones). */
  limits?: Partial<EndpointLimits>;
  /** Fault injection for client tests. Off unless given. */
  faults?: FaultOptions;
  /** Give the `admin` user a new token and rewrite the token file. */
  rotateAdminToken?: boolean;
  /** Where `schemas/protocol` is; found automatically in the repository and its `out/` tree. */
  schemasDir?: string;
  /** Operational messages (start, admin token file, expired runs). Default: none. */
  log?: (line: string) => void;
  /**
   * Serve HTTPS with this certificate chain and private key (PEM). Without them the endpoint
   * speaks plain HTTP, which clients accept only on loopback.
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The endpoint's clock (tests move it forward to expire runs). Default: the system clock. */
  clock?: () => Date;
}

export interface RunningEndpoint {
  url: string;
  port: number;
  adminTokenFile: string;
  /** The admin token when this start created it (first start or rotation). */
  newAdminToken?: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** An open run without a batch for an hour expires (a client that died must not block the audience). */
export const DEFAULT_RUN_IDLE_MS = 3600 * 1000;

export const routes: Route[] = [
  { method: 'GET', path: '/v1/health', access: 'public', handle: () => json(200, { status: 'ok', protocolVersion: PROTOCOL_VERSION }) },
  ...userRoutes,
  ...audienceRoutes,
  ...runRoutes,
  ...profileRoutes,
];

/** Thrown inside a transaction to roll it back while still answering the error. */
class Rollback {
  constructor(readonly response: ApiResponse) {}
}

export async function startEndpoint(options: EndpointOptions): Promise<RunningEndpoint> {
  const log = options.log ?? (() => undefined);
  const schemasDir = options.schemasDir ?? findSchemasDir();
  if (!schemasDir) throw new Error('cannot find schemas/protocol; pass schemasDir');
  const schemas = new ProtocolSchemas(schemasDir);
  const db = openDatabase(options.dbPath);
  const clock = options.clock ?? (() => new Date());
  const adminTokenFile = `${options.dbPath}.admin-token`;
  let newAdminToken: string | undefined;
  if (userCount(db) === 0 || options.rotateAdminToken) {
    newAdminToken = newToken();
    // File first: a crash before the insert leaves no user, so the next start makes a new token.
    writePrivateFile(adminTokenFile, `${newAdminToken}\n`);
    installAdminToken(db, newAdminToken, clock());
    log(`Admin token written to ${adminTokenFile} (mode 600). Use it as: Authorization: Bearer $(cat ${adminTokenFile})`);
  }
  db.prepare('DELETE FROM idempotency WHERE created_at < ?').run(new Date(clock().getTime() - IDEMPOTENCY_TTL_MS).toISOString());
  // Checkpoints move to their own thread; without it SQLite's auto-checkpoint stays on.
  const checkpointer = startCheckpointer(options.dbPath);
  if (checkpointer) db.pragma('wal_autocheckpoint = 0');
  const limits: EndpointLimits = { maxIdentitiesPerAudience: AUDIENCE_LIMITS.maxIdentities, runIdleMs: DEFAULT_RUN_IDLE_MS, ...options.limits };
  logExpired(expireIdleRuns(db, clock(), limits.runIdleMs), log);

  const handler = new RequestHandler(db, schemas, {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    limits,
    clock,
    rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit) : undefined,
    faults: options.faults ? new FaultInjector(options.faults) : undefined,
    log,
  });
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handler.serve(req, res).catch((e: unknown) => {
      log(`internal error: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) send(res, apiError(500, 'internal', 'The endpoint failed; the request may be retried.'));
      else res.destroy();
    });
  };
  let server: http.Server;
  try {
    server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener) : http.createServer(listener);
  } catch (e) {
    void checkpointer?.stop();
    db.close();
    throw new Error(`cannot use the TLS certificate and key: ${(e as Error).message}`);
  }
  server.keepAliveTimeout = 10_000;
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    void checkpointer?.stop();
    db.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`Audience Filters endpoint listening on ${url} (database ${options.dbPath})`);
  if (!options.tls && !isLoopbackHost(host)) {
    log(`Warning: plain HTTP on ${host}: clients on other machines refuse to send their token to it. Serve HTTPS with --tls-cert and --tls-key.`);
  }
  let closing: Promise<void> | undefined;
  return {
    url, port, adminTokenFile, newAdminToken,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        handler.closed = true;
        server.close(() => {
          void (checkpointer?.stop() ?? Promise.resolve()).then(() => {
            db.close();
            resolve();
          });
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

function logExpired(expired: ExpiredRun[], log: (line: string) => void): void {
  for (const r of expired) log(`run ${r.runId} of audience ${r.audienceId} expired (${r.reason}); nothing of it was committed`);
}

interface HandlerConfig {
  maxBodyBytes: number;
  limits: EndpointLimits;
  clock: () => Date;
  rateLimiter?: RateLimiter;
  faults?: FaultInjector;
  log: (line: string) => void;
}

class RequestHandler {
  closed = false;
  private readonly router = new Router(routes);

  constructor(private readonly db: Database, private readonly schemas: ProtocolSchemas, private readonly config: HandlerConfig) {}

  async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.closed) return send(res, apiError(503, 'shutting_down', 'The endpoint is shutting down.'), true);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const method = req.method ?? 'GET';

    const match = this.router.match(method, rawPath);
    if (match.kind === 'bad-path') return send(res, apiError(400, 'invalid_path', `Invalid path: ${match.message}.`, { field: 'path' }));
    if (match.kind === 'not-found') return send(res, apiError(404, 'not_found', `No route ${method} ${rawPath.slice(0, 200)}. See docs/protocol.md.`));
    if (match.kind === 'method-not-allowed') {
      return send(res, apiError(405, 'method_not_allowed', `${method} is not allowed here; use ${match.allow.join(', ')}.`, {}, { allow: match.allow.join(', ') }));
    }
    const { route, params } = match;

    const token = bearerToken(req.headers.authorization);
    if (this.config.rateLimiter && route.access !== 'public') {
      const wait = this.config.rateLimiter.take(token ? hashToken(token) : `addr:${req.socket.remoteAddress ?? ''}`);
      if (wait > 0) {
        return send(res, apiError(429, 'rate_limited', `Too many requests; retry after ${wait} s.`, { retryAfterSeconds: wait }, { 'retry-after': String(wait) }));
      }
    }

    let user: AuthUser = { seq: 0, id: '', name: '', role: 'user', publishing: false };
    if (route.access !== 'public') {
      if (token === undefined) {
        return send(res, apiError(401, 'unauthenticated', 'Send a bearer token: Authorization: Bearer <token>.', { field: 'Authorization' }, { 'www-authenticate': 'Bearer realm="audience-filters"' }));
      }
      const found = userFromToken(this.db, token);
      if (!found) {
        return send(res, apiError(401, 'invalid_token', 'The bearer token is not valid (mistyped, rotated or revoked).', { field: 'Authorization' }, { 'www-authenticate': 'Bearer realm="audience-filters", error="invalid_token"' }));
      }
      user = found;
      const denied = accessDenied(route, user);
      if (denied) return send(res, denied);
    }

    const idempotencyKey = headerValue(req.headers['idempotency-key']);
    if (idempotencyKey !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(idempotencyKey)) {
      return send(res, apiError(400, 'invalid', 'Idempotency-Key must be 1 to 128 letters, digits, - or _.', { field: 'Idempotency-Key' }));
    }

    const body = await this.readBody(req, route);
    if ('response' in body) return send(res, body.response, body.close);
    if (this.closed) return send(res, apiError(503, 'shutting_down', 'The endpoint is shutting down.'), true);

    const fault = this.config.faults?.next();
    if (fault?.when === 'before') return send(res, injected(fault.status, fault.retryAfterSeconds));

    const now = this.config.clock();
    // Idle runs expire in their own transaction before the request is handled (a request's errors
    // roll back its transaction), so every answer (runs, an audience's openRunId) sees them expired.
    if (route.access !== 'public') {
      try {
        logExpired(expireIdleRuns(this.db, now, this.config.limits.runIdleMs), this.config.log);
      } catch (e) {
        // A commit worker holds the write lock: expiry waits for a later request.
        if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
      }
    }
    const ctx = { db: this.db, user, params, query, body: body.value, headers: req.headers, now, limits: this.config.limits };
    if (route.prepare) {
      await route.prepare(ctx);
      if (this.closed) return send(res, apiError(503, 'shutting_down', 'The endpoint is shutting down.'), true);
    }
    const response = this.execute(route, ctx, idempotencyKey, `${method} ${rawPath}`);
    if (fault?.when === 'after') return send(res, injected(fault.status));
    send(res, response);
  }

  /** Runs the handler in one transaction; replays the stored answer of a repeated Idempotency-Key. */
  private execute(route: Route, ctx: Parameters<Route['handle']>[0], key: string | undefined, request: string): ApiResponse {
    const db = this.db;
    const run = db.transaction((): ApiResponse => {
      if (key !== undefined && route.method !== 'GET') {
        const stored = db.prepare('SELECT method, path, status, body, headers FROM idempotency WHERE user_seq = ? AND key = ?').get(ctx.user.seq, key) as
          { method: string; path: string; status: number; body: string; headers: string } | undefined;
        if (stored) {
          if (`${stored.method} ${stored.path}` !== request) {
            return apiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.', { field: 'Idempotency-Key' });
          }
          return { status: stored.status, body: JSON.parse(stored.body) as unknown, headers: { ...(JSON.parse(stored.headers) as Record<string, string>), 'idempotent-replayed': 'true' } };
        }
      }
      const response = route.handle(ctx);
      if (response.status >= 400) throw new Rollback(response);
      if (key !== undefined && route.method !== 'GET') {
        const [method, path] = request.split(' ');
        db.prepare('INSERT INTO idempotency (user_seq, key, method, path, status, body, headers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(ctx.user.seq, key, method, path, response.status, JSON.stringify(response.body ?? null), JSON.stringify(response.headers ?? {}), ctx.now.toISOString());
      }
      return response;
    });
    if (route.walOnly) db.pragma('synchronous = NORMAL');
    try {
      return route.method === 'GET' ? run.deferred() : run.immediate();
    } catch (e) {
      if (e instanceof Rollback) return e.response;
      // A commit on the worker thread holds the write lock; this write waited busy_timeout.
      if ((e as { code?: string }).code === 'SQLITE_BUSY') {
        return apiError(503, 'busy', 'The endpoint is committing a publish run; retry in a second.', {}, { 'retry-after': '1' });
      }
      throw e;
    } finally {
      if (route.walOnly) db.pragma('synchronous = FULL');
    }
  }

  private readBody(req: http.IncomingMessage, route: Route): Promise<{ value: unknown } | { response: ApiResponse; close?: boolean }> {
    const max = this.config.maxBodyBytes;
    const tooLarge = (): { response: ApiResponse; close: boolean } => ({
      response: apiError(413, 'too_large', `Request body exceeds ${max} bytes; send smaller batches.`, { field: 'body' }), close: true,
    });
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) return Promise.resolve(tooLarge());
    if (!route.bodySchema) {
      req.resume();
      return Promise.resolve({ value: undefined });
    }
    const type = headerValue(req.headers['content-type']);
    if (type !== undefined && !/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      req.resume();
      return Promise.resolve({ response: apiError(415, 'unsupported_media_type', 'Send the body as application/json.', { field: 'Content-Type' }) });
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > max) {
          done = true;
          req.pause();
          resolve(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      req.on('error', () => {
        if (!done) {
          done = true;
          resolve({ response: apiError(400, 'invalid_body', 'The request body could not be read.'), close: true });
        }
      });
      req.on('end', () => {
        if (done) return;
        done = true;
        const text = Buffer.concat(chunks).toString('utf8');
        if (text.trim() === '') {
          if (route.optionalBody) return resolve(this.validated(route, {}));
          return resolve({ response: apiError(400, 'invalid', 'A JSON request body is required.', { field: '' }) });
        }
        if (jsonTextTooDeep(text, MAX_BODY_DEPTH)) {
          return resolve({ response: apiError(400, 'invalid_json', `The request body is not accepted: ${nestingMessage(MAX_BODY_DEPTH)}.`, { field: '' }) });
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (e) {
          return resolve({ response: apiError(400, 'invalid_json', `The request body is not valid JSON: ${(e as Error).message}.`, { field: '' }) });
        }
        resolve(this.validated(route, value));
      });
    });
  }

  private validated(route: Route, value: unknown): { value: unknown } | { response: ApiResponse } {
    const problem = this.schemas.check(route.bodySchema as string, value);
    return problem ? { response: apiError(400, 'invalid', problem.message, { field: problem.field }) } : { value };
  }
}

function accessDenied(route: Route, user: AuthUser): ApiResponse | undefined {
  if (route.access === 'admin' && user.role !== 'admin') {
    return apiError(403, 'forbidden', `User "${user.name}" is not an admin; only admins manage users and permissions.`, { permission: 'admin' });
  }
  if (route.access === 'publishing' && !user.publishing) {
    return apiError(403, 'forbidden', `User "${user.name}" lacks the Audience Publishing permission needed to change audiences and publish; an admin can grant it.`, { permission: AUDIENCE_PUBLISHING });
  }
  return undefined;
}

function injected(status: number, retryAfterSeconds?: number): ApiResponse {
  if (status === 429) {
    return apiError(429, 'rate_limited', 'Injected fault: rate limited.', { retryAfterSeconds: retryAfterSeconds ?? 0 }, { 'retry-after': String(retryAfterSeconds ?? 0) });
  }
  return apiError(status, 'injected_fault', `Injected fault ${status}.`);
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function send(res: http.ServerResponse, response: ApiResponse, close = false): void {
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(payload),
    ...response.headers,
  };
  if (close) headers.connection = 'close';
  res.writeHead(response.status, headers);
  res.end(payload, () => {
    if (close) res.socket?.destroySoon();
  });
}
