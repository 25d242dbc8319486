import type { Database } from 'better-sqlite3';
import { checkAudienceLimits } from '../../core/src/publish/limits';
import { Audience, AudienceMetadata, AudienceStatus } from '../../core/src/publish/protocol';
import { ApiResponse, Route, apiError, json } from './api';
import { dropStagedTable } from './database';
import { newId } from './users';

export interface AudienceRow {
  seq: number;
  id: string;
  metadata: string;
  filter_id: string;
  revision: number;
  size: number;
  version: number;
  last_refreshed_at: string | null;
  created_at: string;
  updated_at: string;
  created_by: string;
  deleted_at: string | null;
}

/** The live (not deleted) audience with this id. */
export function liveAudience(db: Database, id: string): AudienceRow | undefined {
  return db.prepare('SELECT * FROM audiences WHERE id = ? AND deleted_at IS NULL').get(id) as AudienceRow | undefined;
}

export function audienceNotFound(id: string): ApiResponse {
  return apiError(404, 'audience_not_found', `No audience ${id} (never created or deleted).`, { field: 'audienceId' });
}

function openRunId(db: Database, seq: number): string | null {
  const row = db.prepare("SELECT id FROM runs WHERE audience_seq = ? AND status = 'open'").get(seq) as { id: string } | undefined;
  return row?.id ?? null;
}

export function toAudience(db: Database, row: AudienceRow, now: Date): Audience {
  const meta = JSON.parse(row.metadata) as AudienceMetadata & { owner: string };
  const run = openRunId(db, row.seq);
  const today = now.toISOString().slice(0, 10);
  const status: AudienceStatus = run ? 'publishing' : meta.expires < today ? 'expired' : row.version > 0 ? 'active' : 'draft';
  return {
    id: row.id,
    name: meta.name,
    description: meta.description ?? '',
    tags: meta.tags ?? [],
    filterId: meta.filterId,
    ...(meta.filters ? { filters: meta.filters } : {}),
    definitionHash: meta.definitionHash,
    refresh: meta.refresh,
    lookbackDays: meta.lookbackDays,
    expires: meta.expires,
    namespaces: meta.namespaces,
    owner: meta.owner,
    revision: row.revision,
    status,
    size: row.size,
    audienceVersion: row.version,
    lastRefreshedAt: row.last_refreshed_at,
    openRunId: run,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
  };
}

export function etagOf(row: AudienceRow): string {
  return `"${row.revision}"`;
}

/** RFC 9110 If-Match with strong comparison: `*` or a list of quoted tags. */
function ifMatches(header: string, etag: string): boolean {
  return header.split(',').map((t) => t.trim()).some((t) => t === '*' || t === etag);
}

function limitProblem(meta: AudienceMetadata, now: Date): ApiResponse | undefined {
  const issue = checkAudienceLimits(meta, now)[0];
  return issue && apiError(400, issue.code, issue.message, { field: issue.field });
}

function storedMetadata(meta: AudienceMetadata, owner: string): string {
  const { name, description, tags, filterId, filters, definitionHash, refresh, lookbackDays, expires, namespaces } = meta;
  return JSON.stringify({ name, description, tags, filterId, filters, definitionHash, refresh, lookbackDays, expires, namespaces, owner });
}

function filterTaken(db: Database, filterId: string, exceptSeq: number): ApiResponse | undefined {
  const other = db.prepare('SELECT id FROM audiences WHERE filter_id = ? AND deleted_at IS NULL AND seq != ?').get(filterId, exceptSeq) as { id: string } | undefined;
  return other && apiError(409, 'audience_exists', `Audience ${other.id} already publishes filter "${filterId}"; update that one.`, { field: '/filterId', audienceId: other.id });
}

const MAX_PAGE = 1000;
const MAX_MEMBERS_PAGE = 50_000;

function pageLimit(query: URLSearchParams, fallback: number, max: number): number | ApiResponse {
  const raw = query.get('limit');
  if (raw === null) return fallback;
  if (!/^[1-9][0-9]{0,6}$/.test(raw) || Number(raw) > max) return apiError(400, 'invalid', `limit must be an integer from 1 to ${max}.`, { field: 'limit' });
  return Number(raw);
}

function cursorValue(query: URLSearchParams): number | ApiResponse {
  const raw = query.get('cursor');
  if (raw === null || raw === '') return 0;
  const m = /^c([0-9]{1,15})$/.exec(raw);
  return m ? Number(m[1]) : apiError(400, 'invalid', 'cursor is not one this endpoint issued.', { field: 'cursor' });
}

export const audienceRoutes: Route[] = [
  {
    method: 'GET', path: '/v1/audiences', access: 'user',
    handle: ({ db, query, now }) => {
      const limit = pageLimit(query, 100, MAX_PAGE);
      if (typeof limit !== 'number') return limit;
      const after = cursorValue(query);
      if (typeof after !== 'number') return after;
      const filterId = query.get('filterId');
      const rows = (filterId !== null
        ? db.prepare('SELECT * FROM audiences WHERE deleted_at IS NULL AND seq > ? AND filter_id = ? ORDER BY seq LIMIT ?').all(after, filterId, limit + 1)
        : db.prepare('SELECT * FROM audiences WHERE deleted_at IS NULL AND seq > ? ORDER BY seq LIMIT ?').all(after, limit + 1)) as AudienceRow[];
      const page = rows.slice(0, limit);
      return json(200, { audiences: page.map((r) => toAudience(db, r, now)), nextCursor: rows.length > limit ? `c${page[page.length - 1].seq}` : null });
    },
  },
  {
    method: 'POST', path: '/v1/audiences', access: 'publishing', bodySchema: 'audience-input.json',
    handle: ({ db, body, user, now }) => {
      const meta = body as AudienceMetadata;
      const problem = limitProblem(meta, now) ?? filterTaken(db, meta.filterId, -1);
      if (problem) return problem;
      const id = newId('aud');
      const ts = now.toISOString();
      db.prepare('INSERT INTO audiences (id, metadata, filter_id, revision, created_at, updated_at, created_by) VALUES (?, ?, ?, 1, ?, ?, ?)')
        .run(id, storedMetadata(meta, meta.owner ?? user.name), meta.filterId, ts, ts, user.name);
      const row = liveAudience(db, id) as AudienceRow;
      return json(201, toAudience(db, row, now), { etag: etagOf(row), location: `/v1/audiences/${id}` });
    },
  },
  {
    method: 'GET', path: '/v1/audiences/:audienceId', access: 'user',
    handle: ({ db, params, now }) => {
      const row = liveAudience(db, params.audienceId);
      return row ? json(200, toAudience(db, row, now), { etag: etagOf(row) }) : audienceNotFound(params.audienceId);
    },
  },
  {
    method: 'PUT', path: '/v1/audiences/:audienceId', access: 'publishing', bodySchema: 'audience-input.json',
    handle: ({ db, params, body, headers, now }) => {
      const row = liveAudience(db, params.audienceId);
      if (!row) return audienceNotFound(params.audienceId);
      const ifMatch = headers['if-match'];
      if (typeof ifMatch !== 'string') {
        return apiError(428, 'precondition_required', 'Send If-Match with the ETag of the audience you read, so concurrent edits are not lost.', { field: 'If-Match' });
      }
      if (!ifMatches(ifMatch, etagOf(row))) {
        return apiError(412, 'stale', `The audience changed since you read it (now revision ${row.revision}); read it again and reapply your change.`, { field: 'If-Match' }, { etag: etagOf(row) });
      }
      const meta = body as AudienceMetadata;
      const problem = limitProblem(meta, now) ?? filterTaken(db, meta.filterId, row.seq);
      if (problem) return problem;
      const owner = meta.owner ?? (JSON.parse(row.metadata) as { owner: string }).owner;
      db.prepare('UPDATE audiences SET metadata = ?, filter_id = ?, revision = revision + 1, updated_at = ? WHERE seq = ?')
        .run(storedMetadata(meta, owner), meta.filterId, now.toISOString(), row.seq);
      const updated = liveAudience(db, row.id) as AudienceRow;
      return json(200, toAudience(db, updated, now), { etag: etagOf(updated) });
    },
  },
  {
    method: 'DELETE', path: '/v1/audiences/:audienceId', access: 'publishing',
    handle: ({ db, params, headers, now }) => {
      const row = liveAudience(db, params.audienceId);
      if (!row) return audienceNotFound(params.audienceId);
      const ifMatch = headers['if-match'];
      if (typeof ifMatch === 'string' && !ifMatches(ifMatch, etagOf(row))) {
        return apiError(412, 'stale', `The audience changed since you read it (now revision ${row.revision}).`, { field: 'If-Match' }, { etag: etagOf(row) });
      }
      const ts = now.toISOString();
      const version = row.version + 1;
      const open = db.prepare("SELECT seq FROM runs WHERE audience_seq = ? AND status = 'open'").get(row.seq) as { seq: number } | undefined;
      if (open) {
        db.prepare("UPDATE runs SET status = 'aborted', updated_at = ? WHERE seq = ?").run(ts, open.seq);
        dropStagedTable(db, open.seq);
      }
      // Members exit; identities (profiles) are kept.
      db.prepare("UPDATE memberships SET status = 'exited', exited_at = ?, version = ? WHERE audience_seq = ? AND status IN ('realized', 'existing')")
        .run(ts, version, row.seq);
      db.prepare('UPDATE audiences SET deleted_at = ?, version = ?, size = 0, revision = revision + 1, updated_at = ? WHERE seq = ?').run(ts, version, ts, row.seq);
      const deleted = db.prepare('SELECT * FROM audiences WHERE seq = ?').get(row.seq) as AudienceRow;
      return json(200, toAudience(db, deleted, now));
    },
  },
  {
    method: 'GET', path: '/v1/audiences/:audienceId/members', access: 'user',
    handle: ({ db, params, query }) => {
      const row = liveAudience(db, params.audienceId);
      if (!row) return audienceNotFound(params.audienceId);
      const limit = pageLimit(query, 10_000, MAX_MEMBERS_PAGE);
      if (typeof limit !== 'number') return limit;
      const after = cursorValue(query);
      if (typeof after !== 'number') return after;
      const rows = db.prepare(`
        SELECT m.nid AS nid, i.namespace AS namespace, i.id AS id FROM memberships m JOIN identities i ON i.nid = m.nid
        WHERE m.audience_seq = ? AND m.nid > ? AND m.status IN ('realized', 'existing') ORDER BY m.nid LIMIT ?`)
        .all(row.seq, after, limit + 1) as Array<{ nid: number; namespace: string; id: string }>;
      const page = rows.slice(0, limit);
      return json(200, {
        audienceId: row.id,
        audienceVersion: row.version,
        members: page.map((r) => ({ namespace: r.namespace, id: r.id })),
        nextCursor: rows.length > limit ? `c${page[page.length - 1].nid}` : null,
      });
    },
  },
];
