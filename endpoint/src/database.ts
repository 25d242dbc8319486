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
    // 3: memberships by generation (a run stages straight into its own; the commit switches).
    if (version < 3) migrateToGenerations(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * Version 3: an audience's membership is the set of `memberships` rows of its current
 * `generation` (the seq of the run that committed it; 0 before the first commit, and for
 * every membership written by version 2). A run stages its identities straight into rows of
 * its own generation as batches arrive, with their status against the current one; its commit
 * carries the previous generation's exits over in short transactions and then switches
 * `audiences.generation` in one small transaction. Superseded and aborted generations are listed
 * in `dropped_generations` and deleted in the background, so nothing has to be rewritten while
 * every other request waits. `qualified_at` NULL means "when this generation was committed"
 * (`audiences.last_refreshed_at`). Open runs of version 2 keep their staged identities: they move
 * into their generation here.
 */
function migrateToGenerations(db: Database): void {
  db.exec(`
    ALTER TABLE audiences ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN members INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN commit_cursor INTEGER;
    ALTER TABLE runs ADD COLUMN commit_exited INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN commit_ts TEXT;
    ALTER TABLE memberships RENAME TO memberships_v2;
    DROP INDEX memberships_by_identity;
    CREATE TABLE memberships (
      audience_seq INTEGER NOT NULL,
      generation INTEGER NOT NULL,
      nid INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('realized', 'existing', 'exited')),
      qualified_at TEXT,
      exited_at TEXT,
      version INTEGER NOT NULL,
      PRIMARY KEY (audience_seq, generation, nid)
    ) WITHOUT ROWID;
    INSERT INTO memberships SELECT audience_seq, 0, nid, status, qualified_at, exited_at, version FROM memberships_v2;
    DROP TABLE memberships_v2;
    CREATE INDEX memberships_by_identity ON memberships (nid);
    CREATE TABLE dropped_generations (
      audience_seq INTEGER NOT NULL,
      generation INTEGER NOT NULL,
      PRIMARY KEY (audience_seq, generation)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO identities (namespace, id)
      SELECT s.namespace, s.id FROM staged s JOIN runs r ON r.seq = s.run_seq WHERE r.status = 'open' ORDER BY s.namespace, s.id;
    INSERT INTO memberships (audience_seq, generation, nid, status, qualified_at, exited_at, version)
      SELECT r.audience_seq, r.seq, i.nid, CASE WHEN o.status IN ('realized', 'existing') THEN 'existing' ELSE 'realized' END, NULL, NULL, a.version + 1
      FROM staged s JOIN runs r ON r.seq = s.run_seq AND r.status = 'open' JOIN audiences a ON a.seq = r.audience_seq
      JOIN identities i ON i.namespace = s.namespace AND i.id = s.id
      LEFT JOIN memberships o ON o.audience_seq = r.audience_seq AND o.generation = 0 AND o.nid = i.nid
      WHERE true ON CONFLICT DO NOTHING;
    UPDATE runs SET members = (SELECT count(*) FROM memberships m WHERE m.audience_seq = runs.audience_seq AND m.generation = runs.seq) WHERE status = 'open';
    DROP TABLE staged;
  `);
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
