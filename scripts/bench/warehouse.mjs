// Warehouse benchmark (issue 13): on DuckDB, 1M events laid out as (a) 100k persons × 10 events
// and (b) 10 persons × 100k events, the 2-step sequence `Cart then within 30 minutes Checkout`:
// the compiled query (what `--source warehouse` runs), a hand-written window query for the same
// audience, and the in-process engine on the same events (warm). Medians of 3 runs after one
// uncounted run each. Then `members --source warehouse` of a 20M-identity audience from a DuckDB
// file to an NDJSON file, as its own process: seconds, identities per second, peak RSS.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { median, round } from './_fixtures.mjs';

const RUNS = 3;
const EVENTS = Number(process.env.BENCH_WAREHOUSE_EVENTS ?? 1_000_000);
const MEMBERS = Number(process.env.BENCH_WAREHOUSE_MEMBERS ?? 20_000_000);
const RULE = 'person where event where page_name = "Cart" then within 30 minutes event where page_name = "Checkout"';
const PAGES = ['Home', 'Product', 'Cart', 'Checkout', 'Search'];

const dataViewText = (db) => `dataview: wh
timestamp: timestamp
sources:
  - file: events.ndjson
    person: person_id
    namespace: ECID
warehouse:
  engine: duckdb
  database: ${db}
  table: events
  person: person_id
  namespace: ECID
  timestamp: ts
  order: event_order
dimensions:
  page_name: string
`;

const HAND_WRITTEN = `SELECT DISTINCT 'ECID' AS namespace, person_id AS id FROM (
  SELECT person_id, page_name, t,
    MAX(CASE WHEN page_name = 'Cart' THEN t END) OVER (PARTITION BY person_id ORDER BY t, event_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_cart
  FROM (SELECT person_id, page_name, epoch_ms(ts) AS t, event_order FROM events) e
) x WHERE page_name = 'Checkout' AND t - last_cart <= 1800000
ORDER BY 1, 2`;

async function timeIt(fn) {
  await fn();
  const ms = [];
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    out = await fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), out };
}

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const { DuckDBInstance } = require('@duckdb/node-api');
  const { parseDataViewFile } = require(path.join(root, 'out/core/src/files/dataviewFile.js'));
  const { loadDataView } = require(path.join(root, 'out/core/src/data/load.js'));
  const { parseRule } = require(path.join(root, 'out/core/src/rule/parser.js'));
  const { evaluateFilter } = require(path.join(root, 'out/core/src/engine/index.js'));
  const { compileToSql } = require(path.join(root, 'out/core/src/sql/compile.js'));
  const { warehouseSqlOptions } = require(path.join(root, 'out/core/src/warehouse/evaluate.js'));
  const rule = parseRule(RULE).rule;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-warehouse-'));
  const result = { rule: RULE, events: EVENTS, layouts: {} };
  try {
    for (const [name, persons] of [['a', EVENTS / 10], ['b', 10]]) {
      const perPerson = EVENTS / persons;
      const db = path.join(dir, `${name}.duckdb`);
      const instance = await DuckDBInstance.create(db);
      const conn = await instance.connect();
      // Event j of a person at base + j minutes + a jitter under a minute: strictly increasing times.
      await conn.run(`CREATE TABLE events AS SELECT lpad(CAST(i // ${perPerson} AS VARCHAR), 7, '0') AS person_id,
        TIMESTAMP '2026-01-01' + to_milliseconds(CAST((i % ${perPerson}) * 60000 + hash(i) % 60000 AS BIGINT)) AS ts,
        i AS event_order, ['${PAGES.join("','")}'][1 + CAST(hash(i * 7 + 3) % ${PAGES.length} AS INTEGER)] AS page_name
        FROM range(${EVENTS}) t(i)`);
      const ndjson = path.join(dir, 'events.ndjson');
      await conn.run(`COPY (SELECT person_id, epoch_ms(ts) AS "timestamp", page_name FROM events ORDER BY event_order) TO '${ndjson}' (FORMAT json)`);
      const dvFile = path.join(dir, 'wh.dataview.yaml');
      fs.writeFileSync(dvFile, dataViewText(db));
      const dataView = parseDataViewFile(dvFile, fs.readFileSync(dvFile, 'utf8')).dataView;
      const { options, dataView: mapped } = warehouseSqlOptions(dataView, 'duckdb', undefined);
      const sql = compileToSql(rule, mapped, options).sql;
      const compiled = await timeIt(async () => (await conn.runAndReadAll(sql)).getRows().length);
      const hand = await timeIt(async () => (await conn.runAndReadAll(HAND_WRITTEN)).getRows().length);
      const dataset = await loadDataView(dataView);
      const engine = await timeIt(async () => evaluateFilter(rule, { dataView, dataset }).matched.people);
      conn.closeSync();
      instance.closeSync();
      fs.rmSync(ndjson);
      result.layouts[name] = {
        persons, eventsPerPerson: perPerson,
        compiledMs: round(compiled.ms), handWrittenMs: round(hand.ms), engineMs: round(engine.ms),
        compiledOverHandWritten: round(compiled.ms / hand.ms),
        people: { compiled: compiled.out, handWritten: hand.out, engine: engine.out },
        agree: compiled.out === hand.out && hand.out === engine.out,
      };
    }
    result.linearity = { bOverA: round(result.layouts.b.compiledMs / result.layouts.a.compiledMs), goal: '<= 1.5', handWrittenBOverA: round(result.layouts.b.handWrittenMs / result.layouts.a.handWrittenMs) };

    // 20M identities: one event per person, every person in the audience.
    const db = path.join(dir, 'members.duckdb');
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    await conn.run(`CREATE TABLE events AS SELECT lpad(CAST(i AS VARCHAR), 9, '0') AS person_id, TIMESTAMP '2026-11-01' + to_milliseconds(CAST(i % 86400000 AS BIGINT)) AS ts, i AS event_order, 'Home' AS page_name FROM range(${MEMBERS}) t(i)`);
    conn.closeSync();
    instance.closeSync();
    const ws = path.join(dir, 'members');
    fs.mkdirSync(path.join(ws, 'filters'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'wh.dataview.yaml'), dataViewText(db).replace(/sources:\n(?:  .*\n)+/, ''));
    fs.writeFileSync(path.join(ws, 'filters', 'all.filter.yaml'), 'filter: all\ndataview: wh\nrule: person where page_name = "Home"\n');
    const out = path.join(dir, 'members.ndjson');
    const fd = fs.openSync(out, 'w');
    const t = performance.now();
    const r = spawnSync(process.execPath, ['-r', path.join(root, 'scripts/bench/_rss.cjs'), path.join(root, 'bin/audience-filters.js'), 'members', 'filters/all.filter.yaml', '--source', 'warehouse'], { cwd: ws, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 24 });
    const seconds = (performance.now() - t) / 1000;
    fs.closeSync(fd);
    const rssKb = Number(/af-bench-maxrss-kb (\d+)/.exec(r.stderr ?? '')?.[1] ?? NaN);
    const lines = spawnSync('wc', ['-l', out], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0];
    result.members = {
      identities: Number(lines), expected: MEMBERS, exit: r.status, seconds: round(seconds, 1), idsPerSecond: Math.round(Number(lines) / seconds),
      peakRssMb: round(rssKb / 1024, 1), goalRssMb: 300, outputMB: round(fs.statSync(out).size / 1048576, 1),
      ...(r.status !== 0 ? { stderr: (r.stderr ?? '').slice(0, 500) } : {}),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  result.note = `ms, medians of ${RUNS} runs after one uncounted run; DuckDB in-process (the compiled and the hand-written query on the same connection), engine warm on the same events loaded from NDJSON; members: the CLI as its own process writing NDJSON to a file, peak RSS of that process (DuckDB runs inside it).`;
  return result;
}
