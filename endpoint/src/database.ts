import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';

const SCHEMA_VERSION = 2;

/**
 * Opens (creating when needed) the endpoint's database.
 *
 * WAL mode: readers never block the writer and a crash cannot corrupt the file.
 * synchronous=FULL: every commit is fsynced to the WAL before the answer is sent, so a
 * publish the endpoint acknowledged survives not only `kill -9` (which NORMAL already
 * survives) but also power loss or an OS crash. The client does not re-send a batch or a
 * commit that was acknowledged, so an acknowledged write must be durable; batches of
 * 10,000 identities make one fsync per request cheap.
 */
export function openDatabase(file: string): Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 32 MiB of page cache (default 2 MiB) for the commit's sorted inserts and joins.
  db.pragma('cache_size = -32768');
  migrate(db);
  db.exec('CREATE TEMP TABLE IF NOT EXISTS run_nids (nid INTEGER PRIMARY KEY)');
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
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** The first schema; later versions alter it step by step, so an old database upgrades in place. */
function createVersion1(db: Database): void {
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
