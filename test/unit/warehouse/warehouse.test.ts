/**
 * Warehouse data views run for real: the example workspace's sample files written to DuckDB (a
 * database file) and to PostgreSQL (Debian's server, started by scripts/setup-postgres.sh, queried
 * through the product's `pg` driver), then every example filter evaluated on the samples and on
 * the warehouse. The preview's figures — people / sessions / events, their totals, people per
 * namespace and per day, the waterfall — and the audience must be exactly the same. And the
 * failures a user meets (no database, no table, a missing column, a text metric, an unreachable
 * server, a wrong password, a cancel) are one clear line each, never a partial answer.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { EvaluationService } from '../../../core/src/evaluation';
import type { FilterEvaluation, Outcome } from '../../../core/src/evaluation';
import { loadDataView } from '../../../core/src/data/load';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { eventsTable, writeDuckDbTable } from '../../../core/src/warehouse/fromDataset';
import { Workspace } from '../../../core/src/workspace';
import { findWorkspaceFiles, readWorkspaceFile } from '../../../core/src/workspaceFiles';
import { EXAMPLE_FILTERS, EXAMPLES_DIR } from '../sql/examples';
import { Postgres, tableSql } from '../sql/sqlHarness';

/** A scratch copy of examples/ whose data view's `warehouse:` block is `block`. */
function scratchWorkspace(block: string): { dir: string; service: EvaluationService; dataViewFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-warehouse-'));
  fs.cpSync(EXAMPLES_DIR, dir, { recursive: true, filter: src => !src.includes(`${path.sep}.warehouse`) });
  const dataViewFile = path.join(dir, 'web.dataview.yaml');
  const text = fs.readFileSync(dataViewFile, 'utf8');
  const replaced = text.replace(/^warehouse:[^\n]*\n(?:[ ]+[^\n]*\n)+/m, `warehouse:\n${block.replace(/^/gm, '  ')}\n`);
  assert.notEqual(replaced, text, 'the example data view has a warehouse: block to replace');
  fs.writeFileSync(dataViewFile, replaced);
  return { dir, service: serviceOf(dir), dataViewFile };
}

function serviceOf(dir: string): EvaluationService {
  const workspace = new Workspace();
  for (const f of findWorkspaceFiles(dir)) {
    const text = readWorkspaceFile(f);
    if (text !== undefined) workspace.set(f, text);
  }
  return new EvaluationService(workspace);
}

function value(o: Outcome<FilterEvaluation>): FilterEvaluation {
  if (!o.ok) assert.fail(`${o.error.code}: ${o.error.message}`);
  return o.value;
}

/** The warehouse's figures are the engine's, all of them. */
async function assertSameAsSample(service: EvaluationService, key: string): Promise<void> {
  const s = value(await service.evaluate(key));
  const w = value(await service.evaluate(key, { source: 'warehouse' }));
  assert.equal(w.source.kind, 'warehouse');
  assert.deepEqual(w.window, s.window, 'window');
  assert.deepEqual(w.result.total, s.result.total, 'totals');
  assert.equal(w.result.matched.people, s.result.matched.people, 'people');
  if (w.source.kind === 'warehouse' && w.source.partial) {
    assert.ok(Number.isNaN(w.result.matched.sessions) && Number.isNaN(w.result.matched.events), 'an only before / after filter: sessions and events not computed');
  } else {
    assert.deepEqual(w.result.matched, s.result.matched, 'matched');
    assert.deepEqual(w.result.perDay, s.result.perDay, 'people per day');
  }
  assert.deepEqual(Object.entries(w.result.namespaces), Object.entries(s.result.namespaces), 'people per namespace, in order');
  assert.deepEqual(w.result.steps, s.result.steps, 'waterfall');
  assert.deepEqual(w.result.audience, s.result.audience, 'audience');
  // And the audience a publish takes: over the lookback, streamed.
  const streamed: Array<{ namespace: string; id: string }> = [];
  const a = await service.audienceBatches(key, { source: 'warehouse', window: 'lookback' }, b => void streamed.push(...b));
  assert.ok(a.ok);
  const sampleLookback = value(await service.evaluate(key, { window: 'lookback' }));
  assert.deepEqual(streamed, sampleLookback.result.audience, 'lookback audience');
}

async function failure(service: EvaluationService, key: string, options: Parameters<EvaluationService['evaluate']>[1] = {}): Promise<{ code: string; message: string }> {
  const o = await service.evaluate(key, { source: 'warehouse', ...options });
  assert.equal(o.ok, false, 'the evaluation must fail');
  return (o as { error: { code: string; message: string } }).error;
}

const filterKey = (dir: string, f: string) => path.join(dir, 'filters', f);

describe('warehouse: DuckDB database file, every example filter as on the samples', function () {
  this.timeout(120_000);
  let dir: string;
  let service: EvaluationService;

  before(async () => {
    ({ dir, service } = scratchWorkspace('engine: duckdb\ndatabase: .warehouse/web.duckdb\ntable: events\nperson: person_id\nnamespaceColumn: namespace\norder: event_order'));
    const dv = parseDataViewFile(path.join(dir, 'web.dataview.yaml'), fs.readFileSync(path.join(dir, 'web.dataview.yaml'), 'utf8')).dataView!;
    const ds = await loadDataView(dv);
    assert.equal(await writeDuckDbTable(ds, dv, dv.warehouse!.database!, 'events'), ds.eventCount);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has example filters to compare', () => assert.ok(EXAMPLE_FILTERS.length >= 10));
  for (const f of EXAMPLE_FILTERS) it(f, () => assertSameAsSample(service, filterKey(dir, f)));

  it('a cancelled evaluation says so and returns nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const e = await failure(service, filterKey(dir, 'buyers.filter.yaml'), { signal: controller.signal });
    assert.deepEqual(e, { code: 'cancelled', message: 'The evaluation was cancelled.' });
  });
});

describe('warehouse: DuckDB reading Parquet files in place', function () {
  this.timeout(120_000);
  let dir: string;
  let service: EvaluationService;

  before(async () => {
    ({ dir, service } = scratchWorkspace("engine: duckdb\nfiles: .warehouse/events-*.parquet\nperson: person_id\nnamespaceColumn: namespace\norder: event_order"));
    const dv = parseDataViewFile(path.join(dir, 'web.dataview.yaml'), fs.readFileSync(path.join(dir, 'web.dataview.yaml'), 'utf8')).dataView!;
    const ds = await loadDataView(dv);
    // Two files, split by person: the glob reads both as one table.
    const db = path.join(dir, '.warehouse', 'all.duckdb');
    await writeDuckDbTable(ds, dv, db, 'events');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    const out = (n: number) => path.join(dir, '.warehouse', `events-${n}.parquet`).replace(/'/g, "''");
    await conn.run(`COPY (SELECT * FROM events WHERE person_id < 'E') TO '${out(1)}' (FORMAT parquet)`);
    await conn.run(`COPY (SELECT * FROM events WHERE person_id >= 'E') TO '${out(2)}' (FORMAT parquet)`);
    conn.closeSync();
    instance.closeSync();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const f of ['checkout-abandoners.filter.yaml', 'return-visitors.filter.yaml', 'mens-or-womens-shoppers.filter.yaml']) it(f, () => assertSameAsSample(service, filterKey(dir, f)));
});

describe('warehouse: DuckDB failures are one line naming what is wrong', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(() => dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

  async function withDatabase(block: string, build?: (run: (sql: string) => Promise<void>) => Promise<void>): Promise<{ dir: string; service: EvaluationService }> {
    const ws = scratchWorkspace(block);
    dirs.push(ws.dir);
    if (build) {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      fs.mkdirSync(path.join(ws.dir, '.warehouse'), { recursive: true });
      const instance = await DuckDBInstance.create(path.join(ws.dir, '.warehouse', 'web.duckdb'));
      const conn = await instance.connect();
      await build(async sql => void (await conn.run(sql)));
      conn.closeSync();
      instance.closeSync();
    }
    return ws;
  }
  const block = 'engine: duckdb\ndatabase: .warehouse/web.duckdb\ntable: events\nperson: person_id\nnamespaceColumn: namespace';

  it('no database file', async () => {
    const { dir, service } = await withDatabase(block);
    const e = await failure(service, filterKey(dir, 'buyers.filter.yaml'));
    assert.equal(e.code, 'warehouse');
    assert.equal(e.message, `Data view \`web\`: the DuckDB database ${path.join(dir, '.warehouse', 'web.duckdb')} does not exist.`);
  });

  it('no such table', async () => {
    const { dir, service } = await withDatabase(block, run => run('CREATE TABLE other (x INTEGER)'));
    const e = await failure(service, filterKey(dir, 'buyers.filter.yaml'));
    assert.equal(e.code, 'warehouse');
    assert.match(e.message, /^Data view `web`, DuckDB .*web\.duckdb: Catalog Error: Table with name events does not exist!/);
  });

  it('a missing column', async () => {
    const { dir, service } = await withDatabase(block, run => run('CREATE TABLE events (namespace VARCHAR, person_id VARCHAR, "timestamp" TIMESTAMP, session_id VARCHAR, page_name VARCHAR)'));
    const e = await failure(service, filterKey(dir, 'buyers.filter.yaml'));
    assert.equal(e.code, 'warehouse');
    assert.match(e.message, /^Data view `web`, DuckDB .*: Binder Error: Referenced column "orders" not found/);
  });

  it('a text column for a metric', async () => {
    const { dir, service } = await withDatabase(block, async run => {
      await run('CREATE TABLE events (namespace VARCHAR, person_id VARCHAR, "timestamp" TIMESTAMP, session_id VARCHAR, orders VARCHAR)');
      await run("INSERT INTO events VALUES ('ECID', '1', TIMESTAMP '2026-11-01 10:00:00', 's1', 'one')");
    });
    const e = await failure(service, filterKey(dir, 'buyers.filter.yaml'));
    assert.equal(e.code, 'warehouse');
    assert.match(e.message, /^Data view `web`, DuckDB .*: (Conversion|Binder) Error: .*/);
    assert.ok(!e.message.includes('\n'), 'one line');
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

describe('warehouse: PostgreSQL through pg, every example filter as on the samples', function () {
  this.timeout(300_000);
  let pg: Postgres;
  let dir: string;
  let service: EvaluationService;
  let port: string;
  const saved = { PGUSER: process.env.PGUSER, PGPASSWORD: process.env.PGPASSWORD };

  before(async () => {
    pg = Postgres.start();
    port = (pg as unknown as { env: NodeJS.ProcessEnv }).env.PGPORT!;
    process.env.PGUSER = 'postgres';
    delete process.env.PGPASSWORD;
    ({ dir, service } = scratchWorkspace(`engine: postgres\nurl: postgres://127.0.0.1:${port}/postgres\ntable: public.events\nperson: person_id\nnamespaceColumn: namespace\norder: event_order`));
    const dv = parseDataViewFile(path.join(dir, 'web.dataview.yaml'), fs.readFileSync(path.join(dir, 'web.dataview.yaml'), 'utf8')).dataView!;
    const ds = await loadDataView(dv);
    pg.exec(tableSql('events', eventsTable(ds, dv, true)));
    // A role that must give its password, for the wrong-credentials case.
    pg.exec(["CREATE ROLE af_secure LOGIN PASSWORD 'right-password'", 'GRANT SELECT ON events TO af_secure']);
    const hba = path.join((pg as unknown as { dir: string }).dir, 'data', 'pg_hba.conf');
    fs.writeFileSync(hba, `host all af_secure 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
    pg.exec(['SELECT pg_reload_conf()']);
  });
  after(() => {
    pg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });

  for (const f of EXAMPLE_FILTERS) it(f, () => assertSameAsSample(service, filterKey(dir, f)));

  it('a wrong password names the server and what it said', async () => {
    const e = await failure(service, filterKey(dir, 'buyers.filter.yaml'), { credentials: { user: 'af_secure', password: 'wrong' } });
    assert.equal(e.code, 'warehouse');
    assert.equal(e.message, `Data view \`web\`: cannot connect to PostgreSQL 127.0.0.1:${port}/postgres: password authentication failed for user "af_secure"`);
    const ok = await service.evaluate(filterKey(dir, 'buyers.filter.yaml'), { source: 'warehouse', credentials: { user: 'af_secure', password: 'right-password' } });
    assert.ok(ok.ok, 'the right password works');
  });

  it('no such table', async () => {
    const ws = scratchWorkspace(`engine: postgres\nurl: postgres://127.0.0.1:${port}/postgres\ntable: nowhere\nperson: person_id\nnamespaceColumn: namespace`);
    try {
      const e = await failure(ws.service, filterKey(ws.dir, 'buyers.filter.yaml'));
      assert.equal(e.message, `Data view \`web\`, PostgreSQL 127.0.0.1:${port}/postgres: relation "nowhere" does not exist`);
    } finally {
      fs.rmSync(ws.dir, { recursive: true, force: true });
    }
  });

  it('an unreachable server', async () => {
    const closed = await closedPort();
    const ws = scratchWorkspace(`engine: postgres\nurl: postgres://127.0.0.1:${closed}/postgres\ntable: events\nperson: person_id\nnamespaceColumn: namespace`);
    try {
      const e = await failure(ws.service, filterKey(ws.dir, 'buyers.filter.yaml'));
      assert.equal(e.message, `Data view \`web\`: cannot connect to PostgreSQL 127.0.0.1:${closed}/postgres: connect ECONNREFUSED 127.0.0.1:${closed}`);
    } finally {
      fs.rmSync(ws.dir, { recursive: true, force: true });
    }
  });
});

describe('warehouse: ClickHouse over HTTP, unreachable server', function () {
  it('names the server', async () => {
    const closed = await closedPort();
    const ws = scratchWorkspace(`engine: clickhouse\nurl: http://127.0.0.1:${closed}/default\ntable: events\nperson: person_id\nnamespaceColumn: namespace`);
    try {
      const e = await failure(ws.service, filterKey(ws.dir, 'buyers.filter.yaml'));
      assert.deepEqual(e, { code: 'warehouse', message: `Data view \`web\`: cannot reach ClickHouse 127.0.0.1:${closed}/default: ECONNREFUSED` });
    } finally {
      fs.rmSync(ws.dir, { recursive: true, force: true });
    }
  });
});
