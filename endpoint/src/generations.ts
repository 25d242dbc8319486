import type { Database } from 'better-sqlite3';

/**
 * Membership generations (schema version 3, see database.ts): a run writes its set into
 * `memberships` rows of generation = its seq while batches arrive, the commit carries the
 * previous generation's exits over in chunks and switches `audiences.generation` in one short
 * transaction, and superseded or aborted generations are deleted in the background. Everything
 * is set operations in SQLite; no identity passes through JavaScript one by one. Every step is
 * its own transaction, so a kill -9 at any moment leaves the previous membership current (or the
 * new one, once the switch committed), and a repeated commit resumes where the last one stopped.
 */

/** Rows per carry or delete step: about 20-60 ms of SQLite work, after which other requests run. */
export const CHUNK_ROWS = 20_000;
const MAX_NID = Number.MAX_SAFE_INTEGER;

/**
 * Stages one batch: `pairs` is the JSON text `[[namespace, id], ...]`. New identities get a nid;
 * each identity gets a row of the run's generation whose status is `existing` when it is a current
 * member of the audience and `realized` otherwise. Returns how many identities were new to the run
 * (duplicates within and across batches are kept once).
 */
export function stageBatch(db: Database, audienceSeq: number, currentGeneration: number, runSeq: number, version: number, pairs: string): number {
  db.prepare('INSERT OR IGNORE INTO identities (namespace, id) SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?) j ORDER BY 1, 2').run(pairs);
  return db.prepare(`INSERT INTO memberships (audience_seq, generation, nid, status, qualified_at, exited_at, version)
    SELECT ?, ?, i.nid, CASE WHEN o.status IN ('realized', 'existing') THEN 'existing' ELSE 'realized' END, NULL, NULL, ?
    FROM json_each(?) j JOIN identities i ON i.namespace = j.value ->> 0 AND i.id = j.value ->> 1
    LEFT JOIN memberships o ON o.audience_seq = ? AND o.generation = ? AND o.nid = i.nid
    WHERE true ORDER BY i.nid ON CONFLICT DO NOTHING`).run(audienceSeq, runSeq, version, pairs, audienceSeq, currentGeneration).changes;
}

interface CarryState {
  seq: number;
  audience_seq: number;
  status: string;
  commit_cursor: number | null;
  commit_ts: string | null;
  generation: number;
  version: number;
  last_refreshed_at: string | null;
}

/**
 * One step of a commit: the next `CHUNK_ROWS` rows (by nid) of the audience's current generation
 * that the run's set lacks are carried into the run's generation as exits (current members exit
 * now; earlier exits are kept as they were), and the run remembers how far it got and how many
 * exited. Returns true when nothing is left to carry (or the run is no longer being committed).
 */
export function carryStep(db: Database, runSeq: number): boolean {
  return db.transaction((): boolean => {
    const s = db.prepare(`SELECT r.seq, r.audience_seq, r.status, r.commit_cursor, r.commit_ts, a.generation, a.version, a.last_refreshed_at
      FROM runs r JOIN audiences a ON a.seq = r.audience_seq WHERE r.seq = ?`).get(runSeq) as CarryState | undefined;
    if (!s || s.status !== 'open' || s.commit_cursor === null || s.commit_ts === null) return true;
    const from = s.commit_cursor;
    const bound = db.prepare('SELECT nid FROM memberships WHERE audience_seq = ? AND generation = ? AND nid > ? ORDER BY nid LIMIT 1 OFFSET ?')
      .pluck().get(s.audience_seq, s.generation, from, CHUNK_ROWS - 1) as number | undefined;
    const to = bound ?? MAX_NID;
    const exited = db.prepare(`INSERT INTO memberships (audience_seq, generation, nid, status, qualified_at, exited_at, version)
      SELECT o.audience_seq, ?, o.nid, 'exited', COALESCE(o.qualified_at, ?), ?, ?
      FROM memberships o WHERE o.audience_seq = ? AND o.generation = ? AND o.nid > ? AND o.nid <= ? AND o.status IN ('realized', 'existing')
      ON CONFLICT DO NOTHING`).run(s.seq, s.last_refreshed_at, s.commit_ts, s.version + 1, s.audience_seq, s.generation, from, to).changes;
    db.prepare(`INSERT INTO memberships (audience_seq, generation, nid, status, qualified_at, exited_at, version)
      SELECT o.audience_seq, ?, o.nid, 'exited', o.qualified_at, o.exited_at, o.version
      FROM memberships o WHERE o.audience_seq = ? AND o.generation = ? AND o.nid > ? AND o.nid <= ? AND o.status = 'exited'
      ON CONFLICT DO NOTHING`).run(s.seq, s.audience_seq, s.generation, from, to);
    db.prepare('UPDATE runs SET commit_cursor = ?, commit_exited = commit_exited + ? WHERE seq = ?').run(to, exited, s.seq);
    return bound === undefined;
  }).immediate();
}

/** Carries the whole previous generation over, one step per turn of the event loop. */
export async function carryOver(db: Database, runSeq: number): Promise<void> {
  while (db.open && !carryStep(db, runSeq)) await nextTurn();
}

/** Lists a generation for deletion (in the caller's transaction) and starts the collector after it. */
export function dropGeneration(db: Database, audienceSeq: number, generation: number): void {
  db.prepare('INSERT OR IGNORE INTO dropped_generations (audience_seq, generation) VALUES (?, ?)').run(audienceSeq, generation);
  setImmediate(() => collectGarbage(db).catch(() => undefined));
}

const collecting = new WeakSet<Database>();

/**
 * Deletes the rows of dropped generations, `CHUNK_ROWS` per transaction, yielding between
 * them; one collector per database at a time. A generation that is current is never deleted
 * (it cannot be listed, but the check is cheap). Stops quietly when the database closes; what
 * is left is collected on the next start.
 */
export async function collectGarbage(db: Database): Promise<void> {
  if (collecting.has(db)) return;
  collecting.add(db);
  try {
    for (;;) {
      if (!db.open) return;
      const more = db.transaction((): boolean => {
        const g = db.prepare('SELECT audience_seq AS audienceSeq, generation FROM dropped_generations LIMIT 1').get() as { audienceSeq: number; generation: number } | undefined;
        if (!g) return false;
        const current = db.prepare('SELECT generation FROM audiences WHERE seq = ?').pluck().get(g.audienceSeq) as number | undefined;
        const deleted = current === g.generation ? 0 : db.prepare(`DELETE FROM memberships WHERE audience_seq = ? AND generation = ? AND nid IN
          (SELECT nid FROM memberships WHERE audience_seq = ? AND generation = ? ORDER BY nid LIMIT ?)`).run(g.audienceSeq, g.generation, g.audienceSeq, g.generation, CHUNK_ROWS).changes;
        if (deleted < CHUNK_ROWS) db.prepare('DELETE FROM dropped_generations WHERE audience_seq = ? AND generation = ?').run(g.audienceSeq, g.generation);
        return true;
      }).immediate();
      if (!more) return;
      await nextTurn();
    }
  } finally {
    collecting.delete(db);
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
