import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';

const SCHEMA_VERSION = 3;

/**
 * Opens (creating when needed) the endpoint's database.
 *
 * WAL mode: readers never block the writer and a crash cannot corrupt the file.
 * synchronous=FULL: every commit is fsynced to the WAL before the answer is sent, so a
 * publish the endpoint acknowledged survives not only `kill -9` (which NORMAL already
 * survives) but also power loss or an OS crash. The client does not re-send a batch or a
 * commit that was acknowledged, so an acknowledged write must be durable; batches of
 * 10,000 identities make one fsync per request cheap. The exception is a batch (routes marked
 * `walOnly`): it is acknowledged once in the WAL, which survives kill -9 but not power loss; the
 * commit, itself fsynced, refuses unless every batch is there, so a batch a power loss took is
 * reported missing and re-sent, never silently dropped. A WAL of up to 64 MiB between
 * checkpoints (default 4 MiB) writes the pages that batch after batch dirty once per checkpoint.
 */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The request thread's writes are short; while a commit worker holds the write lock they give
  // up after this long and answer 503 with Retry-After (a blocked wait would stall every reader).
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 200}`);
  // 32 MiB of page cache (default 2 MiB) for the commit's sorted inserts and joins.
  db.pragma('cache_size = -32768');
  db.pragma('wal_autocheckpoint = 16384');
  migrate(db);
  // The commit's scratch space (this connection's temporary database).
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS run_keys (namespace TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (namespace, id)) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS run_nids (nid INTEGER PRIMARY KEY)`);
  return db;
}

function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this endpoint (${SCHEMA_VERSION}); upgrade audience-filters`);
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 1) createVersion1(db);
    // 2: why a run was aborted (by whom, or expired after inactivity).
    if (version < 2) db.exec('ALTER TABLE runs ADD COLUMN abort_reason TEXT');
    // 3: a table of staged identities per open run (dropped whole, not deleted row by row); no
    // index of memberships by identity.
    if (version < 3) {
      const open = db.prepare("SELECT DISTINCT s.run_seq FROM staged s JOIN runs r ON r.seq = s.run_seq WHERE r.status = 'open'").pluck().all() as number[];
      for (const seq of open) {
        createStagedTable(db, seq);
        db.prepare(`INSERT INTO ${stagedTable(seq)} (namespace, id) SELECT namespace, id FROM staged WHERE run_seq = ? ORDER BY rowid`).run(seq);
      }
      db.exec('DROP TABLE staged');
      // A profile is found by one primary-key look-up per audience instead: one B-tree fewer
      // for every commit to write.
      db.exec('DROP INDEX memberships_by_identity');
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * The identities a run received, in arrival order (duplicates included): one table per open run,
 * `staged_<run seq>`, append-only (no index to keep in random key order), sorted and deduplicated
 * once by the commit, and dropped whole when the run is committed or aborted.
 */
export function stagedTable(runSeq: number): string {
  if (!Number.isSafeInteger(runSeq) || runSeq < 1) throw new Error(`bad run seq ${runSeq}`);
  return `staged_${runSeq}`;
}

export function createStagedTable(db: Database, runSeq: number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${stagedTable(runSeq)} (namespace TEXT NOT NULL, id TEXT NOT NULL)`);
}

export function dropStagedTable(db: Database, runSeq: number): void {
  db.exec(`DROP TABLE IF EXISTS ${stagedTable(runSeq)}`);
}

/** The first schema; later versions alter it step by step, so an old database upgrades in place (exported for the upgrade test). */
export function createVersion1(db: Database): void {
  db.exec(`
    CREATE TABLE users (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
      token_hash TEXT NOT NULL UNIQUE,
      publishing_granted_by TEXT,
      publishing_granted_at TEXT,
      created_at TEXT NOT NULL
    );
    CREATE TABLE audiences (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      metadata TEXT NOT NULL,
      filter_id TEXT NOT NULL,
      revision INTEGER NOT NULL,
      size INTEGER NOT NULL DEFAULT 0,
      version INTEGER NOT NULL DEFAULT 0,
      last_refreshed_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      deleted_at TEXT
    );
    CREATE UNIQUE INDEX audiences_live_filter ON audiences (filter_id) WHERE deleted_at IS NULL;
    CREATE TABLE identities (
      nid INTEGER PRIMARY KEY,
      namespace TEXT NOT NULL,
      id TEXT NOT NULL,
      UNIQUE (namespace, id)
    );
    CREATE TABLE memberships (
      audience_seq INTEGER NOT NULL REFERENCES audiences (seq),
      nid INTEGER NOT NULL REFERENCES identities (nid),
      status TEXT NOT NULL CHECK (status IN ('realized', 'existing', 'exited')),
      qualified_at TEXT NOT NULL,
      exited_at TEXT,
      version INTEGER NOT NULL,
      PRIMARY KEY (audience_seq, nid)
    ) WITHOUT ROWID;
    CREATE INDEX memberships_by_identity ON memberships (nid);
    CREATE TABLE runs (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      audience_seq INTEGER NOT NULL REFERENCES audiences (seq),
      status TEXT NOT NULL CHECK (status IN ('open', 'committed', 'aborted')),
      definition_hash TEXT,
      staged INTEGER NOT NULL DEFAULT 0,
      result TEXT,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      committed_at TEXT,
      updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX runs_one_open_per_audience ON runs (audience_seq) WHERE status = 'open';
    CREATE TABLE batches (
      run_seq INTEGER NOT NULL REFERENCES runs (seq),
      number INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      count INTEGER NOT NULL,
      received_at TEXT NOT NULL,
      PRIMARY KEY (run_seq, number)
    ) WITHOUT ROWID;
    -- Append-only: inserting in arrival order is ~4x faster than keeping a (namespace, id)
    -- B-tree in random key order; the commit deduplicates once, sorted.
    CREATE TABLE staged (
      run_seq INTEGER NOT NULL,
      namespace TEXT NOT NULL,
      id TEXT NOT NULL
    );
    CREATE INDEX staged_by_run ON staged (run_seq);
    CREATE TABLE idempotency (
      user_seq INTEGER NOT NULL,
      key TEXT NOT NULL,
      method TEXT NOT NULL,
      path TEXT NOT NULL,
      status INTEGER NOT NULL,
      body TEXT NOT NULL,
      headers TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (user_seq, key)
    );
  `);
}
