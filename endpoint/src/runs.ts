import { createHash } from 'crypto';
import type { Database } from 'better-sqlite3';
import { CommitResult, Identity, Run } from '../../core/src/publish/protocol';
import { ApiResponse, Route, apiError, json } from './api';
import { AudienceRow, audienceNotFound, liveAudience } from './audiences';
import { commitOnWorker } from './commitWorker';
import { createStagedTable, dropStagedTable, stagedTable } from './database';
import { newId } from './users';

interface RunRow {
  seq: number;
  id: string;
  audience_seq: number;
  status: 'open' | 'committed' | 'aborted';
  definition_hash: string | null;
  staged: number;
  result: string | null;
  created_at: string;
  created_by: string;
  committed_at: string | null;
  updated_at: string;
  abort_reason: string | null;
}

function findRun(db: Database, id: string): RunRow | undefined {
  return db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
}

/** When an open run expires unless it receives a batch: its last activity plus the idle limit. */
function expiresAt(row: RunRow, idleMs: number): string {
  return new Date(Date.parse(row.updated_at) + idleMs).toISOString();
}

function toRun(db: Database, row: RunRow, idleMs: number): Run {
  const audience = db.prepare('SELECT id FROM audiences WHERE seq = ?').get(row.audience_seq) as { id: string };
  const received = (db.prepare('SELECT number FROM batches WHERE run_seq = ? ORDER BY number').pluck().all(row.seq)) as number[];
  return {
    id: row.id,
    audienceId: audience.id,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    definitionHash: row.definition_hash,
    receivedBatches: received,
    stagedIdentities: row.staged,
    committedAt: row.committed_at,
    result: row.result ? (JSON.parse(row.result) as CommitResult) : null,
    expiresAt: row.status === 'open' ? expiresAt(row, idleMs) : null,
    abortReason: row.abort_reason,
  };
}

export interface ExpiredRun {
  runId: string;
  audienceId: string;
  reason: string;
}

/**
 * Aborts every open run whose last activity (creation or a batch) is older than `idleMs`, in one
 * transaction of its own: its staged identities are dropped and nothing of it is committed, so a
 * client that died mid-publish never blocks its audience for longer than that.
 */
export function expireIdleRuns(db: Database, now: Date, idleMs: number): ExpiredRun[] {
  const cutoff = new Date(now.getTime() - idleMs).toISOString();
  const idle = db.prepare("SELECT seq FROM runs WHERE status = 'open' AND updated_at < ?").pluck().all(cutoff) as number[];
  if (idle.length === 0) return [];
  const reason = `expired: no batch for ${describeDuration(idleMs)}`;
  const ts = now.toISOString();
  return db.transaction((): ExpiredRun[] => {
    const expired: ExpiredRun[] = [];
    for (const seq of idle) {
      // Checked again inside the write transaction: another connection may have moved it on.
      const changed = db.prepare("UPDATE runs SET status = 'aborted', abort_reason = ?, updated_at = ? WHERE seq = ? AND status = 'open' AND updated_at < ?").run(reason, ts, seq, cutoff).changes;
      if (!changed) continue;
      dropStagedTable(db, seq);
      const row = db.prepare('SELECT r.id AS runId, a.id AS audienceId FROM runs r JOIN audiences a ON a.seq = r.audience_seq WHERE r.seq = ?').get(seq) as { runId: string; audienceId: string };
      expired.push({ ...row, reason });
    }
    return expired;
  }).immediate();
}

function describeDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  if (minutes >= 1) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} s`;
}

const runNotFound = (id: string): ApiResponse => apiError(404, 'run_not_found', `No run ${id}.`, { field: 'runId' });

function notOpen(row: RunRow): ApiResponse {
  const why = row.abort_reason ? ` (${row.abort_reason})` : '';
  return apiError(409, `run_${row.status}`, `Run ${row.id} is ${row.status}${why}; it accepts no more changes. Start a new run.`, { runId: row.id });
}

/** The batch as the JSON text `[[namespace, id], ...]`: what is hashed and what SQLite stages. */
function batchPairs(identities: readonly Identity[]): string {
  return JSON.stringify(identities.map((i) => [i.namespace, i.id]));
}

/** Content hash of a batch: order-sensitive, independent of JSON whitespace and key order. */
export function batchDigest(identities: readonly Identity[]): string {
  return digestOf(batchPairs(identities));
}

function digestOf(pairs: string): string {
  return createHash('sha256').update(pairs).digest('hex');
}

/**
 * Applies a run in one transaction (the caller's): the staged set becomes the membership.
 * Previously current members not staged exit; those staged stay (`existing`); staged
 * identities that were not current enter (`realized`), including former members re-entering.
 */
function commit(db: Database, run: RunRow, audience: AudienceRow, now: Date): CommitResult {
  const ts = now.toISOString();
  const version = audience.version + 1;
  // Sorted and deduplicated once into run_keys; from there identities are interned and looked
  // up in key order and the run's nids written in nid order, so every B-tree is walked front to
  // back instead of at random, which is what keeps 20 million identities at disk speed.
  db.prepare('DELETE FROM temp.run_keys').run();
  db.prepare('DELETE FROM temp.run_nids').run();
  createStagedTable(db, run.seq);
  db.prepare(`INSERT OR IGNORE INTO temp.run_keys (namespace, id) SELECT namespace, id FROM ${stagedTable(run.seq)} ORDER BY namespace, id`).run();
  db.prepare('INSERT OR IGNORE INTO identities (namespace, id) SELECT namespace, id FROM temp.run_keys').run();
  db.prepare('INSERT INTO temp.run_nids (nid) SELECT i.nid FROM temp.run_keys k JOIN identities i ON i.namespace = k.namespace AND i.id = k.id ORDER BY i.nid').run();
  const exited = db.prepare(`UPDATE memberships SET status = 'exited', exited_at = ?, version = ?
    WHERE audience_seq = ? AND status IN ('realized', 'existing') AND nid NOT IN (SELECT nid FROM temp.run_nids)`).run(ts, version, audience.seq).changes;
  const existing = db.prepare(`UPDATE memberships SET status = 'existing', qualified_at = ?, version = ?
    WHERE audience_seq = ? AND status IN ('realized', 'existing')`).run(ts, version, audience.seq).changes;
  const entered = db.prepare(`INSERT INTO memberships (audience_seq, nid, status, qualified_at, exited_at, version)
    SELECT ?, nid, 'realized', ?, NULL, ? FROM temp.run_nids WHERE true
    ON CONFLICT (audience_seq, nid) DO UPDATE SET status = 'realized', qualified_at = excluded.qualified_at, exited_at = NULL, version = excluded.version
    WHERE memberships.status = 'exited'`).run(audience.seq, ts, version).changes;
  const total = existing + entered;
  db.prepare('DELETE FROM temp.run_keys').run();
  db.prepare('DELETE FROM temp.run_nids').run();
  dropStagedTable(db, run.seq);
  const result: CommitResult = { audienceVersion: version, entered, existing, exited, total };
  db.prepare("UPDATE runs SET status = 'committed', result = ?, committed_at = ?, updated_at = ? WHERE seq = ?").run(JSON.stringify(result), ts, ts, run.seq);
  db.prepare('UPDATE audiences SET size = ?, version = ?, last_refreshed_at = ? WHERE seq = ?').run(total, version, ts, audience.seq);
  return result;
}

/**
 * The commit as the worker thread runs it (commitWorker.ts, its own connection, one IMMEDIATE
 * transaction): applies run `runSeq` if it is still open and holds exactly batches
 * 0 … batchCount-1; otherwise does nothing and the request's own checks answer.
 */
export function commitIfReady(db: Database, runSeq: number, batchCount: number, now: Date): void {
  db.transaction(() => {
    const run = db.prepare('SELECT * FROM runs WHERE seq = ?').get(runSeq) as RunRow | undefined;
    if (!run || run.status !== 'open') return;
    const { missing, extra } = missingBatches(db, run, batchCount);
    if (missing.length || extra.length) return;
    const audience = db.prepare('SELECT * FROM audiences WHERE seq = ?').get(run.audience_seq) as AudienceRow;
    commit(db, run, audience, now);
  }).immediate();
}

function missingBatches(db: Database, run: RunRow, batchCount: number): { missing: number[]; extra: number[] } {
  const received = db.prepare('SELECT number FROM batches WHERE run_seq = ? ORDER BY number').pluck().all(run.seq) as number[];
  const have = new Set(received);
  const missing: number[] = [];
  for (let n = 0; n < batchCount && missing.length < 1000; n++) if (!have.has(n)) missing.push(n);
  return { missing, extra: received.filter((n) => n >= batchCount) };
}

export const runRoutes: Route[] = [
  {
    method: 'POST', path: '/v1/audiences/:audienceId/runs', access: 'publishing', bodySchema: 'run-create.json', optionalBody: true,
    handle: ({ db, params, body, user, now, limits }) => {
      const audience = liveAudience(db, params.audienceId);
      if (!audience) return audienceNotFound(params.audienceId);
      const open = db.prepare("SELECT * FROM runs WHERE audience_seq = ? AND status = 'open'").get(audience.seq) as RunRow | undefined;
      if (open) {
        return apiError(409, 'run_open',
          `Audience ${audience.id} already has an open run ${open.id}, started by ${open.created_by} at ${open.created_at}, last active at ${open.updated_at}. ` +
          `Resume it, abort it, or let it expire at ${expiresAt(open, limits.runIdleMs)}.`, { runId: open.id });
      }
      const id = newId('run', 12);
      const ts = now.toISOString();
      db.prepare("INSERT INTO runs (id, audience_seq, status, definition_hash, created_at, created_by, updated_at) VALUES (?, ?, 'open', ?, ?, ?, ?)")
        .run(id, audience.seq, (body as { definitionHash?: string }).definitionHash ?? null, ts, user.name, ts);
      return json(201, toRun(db, findRun(db, id) as RunRow, limits.runIdleMs), { location: `/v1/runs/${id}` });
    },
  },
  {
    method: 'GET', path: '/v1/runs/:runId', access: 'user',
    handle: ({ db, params, limits }) => {
      const run = findRun(db, params.runId);
      return run ? json(200, toRun(db, run, limits.runIdleMs)) : runNotFound(params.runId);
    },
  },
  {
    method: 'PUT', path: '/v1/runs/:runId/batches/:number', access: 'publishing', bodySchema: 'batch.json', walOnly: true,
    handle: ({ db, params, body, now, limits }) => {
      const run = findRun(db, params.runId);
      if (!run) return runNotFound(params.runId);
      const number = Number(params.number);
      const identities = (body as { identities: Identity[] }).identities;
      const pairs = batchPairs(identities);
      const sha256 = digestOf(pairs);
      const previous = db.prepare('SELECT sha256, count FROM batches WHERE run_seq = ? AND number = ?').get(run.seq, number) as { sha256: string; count: number } | undefined;
      if (previous) {
        if (previous.sha256 === sha256) return json(200, { runId: run.id, number, identities: previous.count, sha256, duplicate: true });
        return apiError(409, 'batch_conflict', `Batch ${number} of run ${run.id} was already received with different content; batch numbers cannot be reused.`, { field: 'number', runId: run.id });
      }
      if (run.status !== 'open') return notOpen(run);
      const audience = db.prepare('SELECT metadata FROM audiences WHERE seq = ?').get(run.audience_seq) as { metadata: string };
      const allowed = new Set((JSON.parse(audience.metadata) as { namespaces: string[] }).namespaces);
      const stray = identities.findIndex((i) => !allowed.has(i.namespace));
      if (stray >= 0) {
        return apiError(400, 'namespace_not_allowed', `Namespace "${identities[stray].namespace}" is not among the audience's namespaces (${[...allowed].join(', ')}).`, { field: `/identities/${stray}/namespace` });
      }
      // Counted as received (duplicates included): the client deduplicates, the commit too.
      const staged = run.staged + identities.length;
      if (staged > limits.maxIdentitiesPerAudience) {
        return apiError(400, 'limit_exceeded', `An audience may hold at most ${limits.maxIdentitiesPerAudience} identities; this batch would bring run ${run.id} to ${staged}.`, { field: '/identities', runId: run.id });
      }
      // Appended as they come (one statement over the batch's JSON); the commit sorts and deduplicates.
      createStagedTable(db, run.seq);
      db.prepare(`INSERT INTO ${stagedTable(run.seq)} (namespace, id) SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?) j`).run(pairs);
      const ts = now.toISOString();
      db.prepare('INSERT INTO batches (run_seq, number, sha256, count, received_at) VALUES (?, ?, ?, ?, ?)').run(run.seq, number, sha256, identities.length, ts);
      db.prepare('UPDATE runs SET staged = ?, updated_at = ? WHERE seq = ?').run(staged, ts, run.seq);
      return json(201, { runId: run.id, number, identities: identities.length, sha256, duplicate: false });
    },
  },
  {
    method: 'POST', path: '/v1/runs/:runId/commit', access: 'publishing', bodySchema: 'commit-request.json',
    // The commit's set operations run on a worker thread with its own connection, so this
    // process keeps answering (readers see the previous membership until the worker's single
    // transaction commits). `handle` then finds the run committed and answers its result; it
    // commits in this thread only when the worker did not (no worker file, or the worker failed:
    // the same transaction then answers its error here).
    prepare: async ({ db, params, body, now }) => {
      const run = findRun(db, params.runId);
      if (run?.status === 'open') await commitOnWorker(db.name, run.seq, (body as { batchCount: number }).batchCount, now);
    },
    handle: ({ db, params, body, now, limits }) => {
      const run = findRun(db, params.runId);
      if (!run) return runNotFound(params.runId);
      // A repeated commit (the answer to the first was lost) returns the same result.
      if (run.status === 'committed') return json(200, toRun(db, run, limits.runIdleMs));
      if (run.status !== 'open') return notOpen(run);
      const { batchCount } = body as { batchCount: number };
      const { missing, extra } = missingBatches(db, run, batchCount);
      if (missing.length) {
        return apiError(409, 'batches_missing', `Run ${run.id} lacks ${missing.length === 1000 ? 'at least 1000' : missing.length} of ${batchCount} batches; send them and commit again.`, { runId: run.id, missingBatches: missing, field: '/batchCount' });
      }
      if (extra.length) {
        return apiError(409, 'batches_unexpected', `Run ${run.id} has batches numbered ${extra.slice(0, 10).join(', ')} beyond batchCount ${batchCount}.`, { runId: run.id, field: '/batchCount' });
      }
      const audience = db.prepare('SELECT * FROM audiences WHERE seq = ?').get(run.audience_seq) as AudienceRow;
      commit(db, run, audience, now);
      return json(200, toRun(db, findRun(db, run.id) as RunRow, limits.runIdleMs));
    },
  },
  {
    method: 'POST', path: '/v1/runs/:runId/abort', access: 'publishing', bodySchema: 'run-abort.json', optionalBody: true,
    handle: ({ db, params, body, user, now, limits }) => {
      const run = findRun(db, params.runId);
      if (!run) return runNotFound(params.runId);
      if (run.status === 'aborted') return json(200, toRun(db, run, limits.runIdleMs));
      if (run.status !== 'open') return notOpen(run);
      const said = (body as { reason?: string }).reason?.trim();
      const reason = `aborted by ${user.name}${said ? `: ${said}` : ''}`;
      db.prepare("UPDATE runs SET status = 'aborted', abort_reason = ?, updated_at = ? WHERE seq = ?").run(reason, now.toISOString(), run.seq);
      dropStagedTable(db, run.seq);
      return json(200, toRun(db, findRun(db, run.id) as RunRow, limits.runIdleMs));
    },
  },
];
