import type { Database } from 'better-sqlite3';
import { ErrorBody } from '../../core/src/publish/protocol';

/** What a handler returns; the server serialises it. Handlers never throw for a client error. */
export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface AuthUser {
  seq: number;
  id: string;
  name: string;
  role: 'admin' | 'user';
  publishing: boolean;
}

export interface RouteContext {
  db: Database;
  user: AuthUser;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  now: Date;
  limits: EndpointLimits;
}

export interface EndpointLimits {
  maxIdentitiesPerAudience: number;
  /** An open run without a batch for this long expires: it is aborted and its staged identities dropped. */
  runIdleMs: number;
}

/** Who may call a route. */
export type Access = 'public' | 'user' | 'publishing' | 'admin';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/v1/audiences/:audienceId`; every `:param` has a pattern in PARAM_PATTERNS. */
  path: string;
  access: Access;
  /** File name in schemas/protocol/ that the body must satisfy; absent = no body allowed. */
  bodySchema?: string;
  /** Body may be omitted (treated as `{}`). */
  optionalBody?: boolean;
  /**
   * Long work before `handle`, outside its transaction, that leaves the event loop free (the
   * commit runs on a worker thread). It must leave nothing a reader sees half done; `handle`
   * decides the answer.
   */
  prepare?(ctx: RouteContext): Promise<void>;
  /**
   * The transaction's commit reaches the WAL without waiting for an fsync (`synchronous=NORMAL`):
   * it survives a kill -9 of the endpoint but not a power loss. Only for writes that a later,
   * fsynced step verifies (batches: the commit checks that every one is there).
   */
  walOnly?: boolean;
  /** Runs inside one SQLite transaction; an answer >= 400 rolls back everything it did. */
  handle(ctx: RouteContext): ApiResponse;
}

export const PARAM_PATTERNS: Record<string, RegExp> = {
  audienceId: /^aud_[A-Za-z0-9]{1,64}$/,
  runId: /^run_[A-Za-z0-9]{1,64}$/,
  userId: /^usr_[A-Za-z0-9]{1,64}$/,
  number: /^(0|[1-9][0-9]{0,6})$/,
};

export function apiError(status: number, code: string, message: string, extra: Omit<ErrorBody['error'], 'code' | 'message'> = {}, headers?: Record<string, string>): ApiResponse {
  const body: ErrorBody = { error: { code, message, ...extra } };
  return { status, body, headers };
}

export function json(status: number, body: unknown, headers?: Record<string, string>): ApiResponse {
  return { status, body, headers };
}

export function isoNow(now: Date): string {
  return now.toISOString();
}
