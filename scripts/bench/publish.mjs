// Publishing benchmark (issue 15): 1,000,000 identities published over loopback HTTP to the
// reference endpoint (a child process, so its memory is its own), with identities/second, both
// processes' peak RSS and the longest wait of a GET /v1/audiences sent every 100 ms during the
// upload and during the commit. Reference from the same run: the storage floor — the same
// identities inserted into a SQLite table in one transaction with better-sqlite3, no HTTP, no
// validation. Then the largest audience a CJA run may hold, 20,000,000 identities generated
// straight into the publish path (BENCH_LARGE_IDENTITIES=0 skips it; it takes minutes).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { round } from './_fixtures.mjs';

const N = Number(process.env.BENCH_IDENTITIES ?? 1_000_000);
const LARGE = Number(process.env.BENCH_LARGE_IDENTITIES ?? 20_000_000);

function figures(r) {
  return {
    identities: r.identities,
    seconds: round(r.seconds),
    uploadSeconds: round(r.uploadSeconds),
    commitSeconds: round(r.commitSeconds),
    identitiesPerSecond: Math.round(r.identitiesPerSecond),
    clientPeakRssMb: round(r.clientPeakRssBytes / 1048576, 1),
    endpointPeakRssMb: round(r.endpointPeakRssBytes / 1048576, 1),
    longestGetWaitDuringUploadMs: round(r.longestUploadWaitMs),
    longestGetWaitDuringCommitMs: round(r.longestCommitWaitMs),
    probes: r.probes,
  };
}

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const { benchPublish } = require(path.join(root, 'out/endpoint/src/bench.js'));
  const Database = require('better-sqlite3');
  const r = await benchPublish(N);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-sqlite-'));
  const db = new Database(path.join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE m (namespace TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (namespace, id)) WITHOUT ROWID');
  const insert = db.prepare('INSERT OR IGNORE INTO m VALUES (?, ?)');
  const t = performance.now();
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      if (i % 4 === 0) insert.run('Email', `user${i}@example.com`);
      else insert.run('ECID', `ecid-${(i * 2654435761) % 4294967296}-${i}`);
    }
  })();
  const floorSeconds = (performance.now() - t) / 1000;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const large = LARGE > 0 ? figures(await benchPublish(LARGE)) : 'skipped (BENCH_LARGE_IDENTITIES=0)';
  return {
    batchSize: r.batchSize,
    ours: figures(r),
    referenceSqliteBulkInsert: { seconds: round(floorSeconds), identitiesPerSecond: Math.round(N / floorSeconds) },
    ratioToFloor: round(floorSeconds / r.seconds),
    large,
    note: 'loopback HTTP, batches of 10,000, 2 in flight; batches acknowledged in the WAL, the commit (a worker thread, one transaction) fsynced; ratioToFloor = floor seconds / our seconds (1 = the storage floor); the reference is one transaction, no HTTP, no validation, no diff. GET waits: longest answer to GET /v1/audiences sent every 100 ms (one at a time).',
  };
}
