// Engine benchmark (issue: evaluation engine): a generated 1,000,000-event / 50,000-person NDJSON
// file; cold loads (ours vs DuckDB's read_json on the same file, three each, alternating) and warm
// evaluation of 10 representative filters (ours vs DuckDB running the equivalent SQL over the same
// data, loaded into a table once), medians of 7 runs each after one uncounted run, same process;
// and peak memory (RSS).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { benchDataView, generateEvents, median, round } from './_fixtures.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 50_000);
const RUNS = 7;
const LOADS = 3;

const DATAVIEW = benchDataView({ files: ['events.ndjson'] });

// Each filter: our rule, and DuckDB SQL returning the audience (namespace, id) over table `ev`
// (columns: ecid, ts (TIMESTAMP), session_id, page_name, …, campaign).
const FILTERS = [
  ['simple condition', 'person where page_name = "Checkout"',
    `SELECT DISTINCT 'ECID', ecid FROM ev WHERE page_name = 'Checkout'`],
  ['in-list and contains on one event', 'event where channel in ("Email", "Social") and page_url contains "/product"',
    `SELECT DISTINCT 'ECID', ecid FROM ev WHERE channel IN ('Email', 'Social') AND contains(page_url, '/product')`],
  ['person metric total', 'person where revenue > 200',
    `SELECT 'ECID', ecid FROM ev GROUP BY ecid HAVING coalesce(sum(revenue), 0) > 200`],
  ['count distinct', 'person where count distinct product >= 3',
    `SELECT 'ECID', ecid FROM ev GROUP BY ecid HAVING count(DISTINCT product) >= 3`],
  ['session container', 'person where (session where page_name = "Cart" and not orders exists)',
    `SELECT DISTINCT 'ECID', ecid FROM (SELECT ecid, session_id FROM ev GROUP BY ecid, session_id HAVING bool_or(page_name = 'Cart') AND NOT bool_or(coalesce(orders, 0) <> 0))`],
  ['glob matches', 'person where campaign matches "*sale*"',
    `SELECT DISTINCT 'ECID', ecid FROM ev WHERE campaign GLOB '*sale*'`],
  ['2-step sequence', 'person where event where page_name = "Cart" then event where event_type = "commerce.purchases"',
    `SELECT DISTINCT 'ECID', a.ecid FROM (SELECT ecid, min(seq) s FROM ev WHERE page_name = 'Cart' GROUP BY ecid) a JOIN (SELECT ecid, max(seq) s FROM ev WHERE event_type = 'commerce.purchases' GROUP BY ecid) b ON a.ecid = b.ecid AND b.s > a.s`],
  ['3-step sequence with within', 'person where event where page_name = "Home" then within 30 minutes event where page_name = "Product Detail" then within 1 hour event where page_name = "Cart"',
    `SELECT DISTINCT 'ECID', a.ecid FROM ev a JOIN ev b ON a.ecid = b.ecid AND b.seq > a.seq AND b.ts <= a.ts + INTERVAL 30 MINUTE JOIN ev c ON c.ecid = b.ecid AND c.seq > b.seq AND c.ts <= b.ts + INTERVAL 1 HOUR WHERE a.page_name = 'Home' AND b.page_name = 'Product Detail' AND c.page_name = 'Cart'`],
  ['exclude checkpoint', 'person where event where page_name = "Checkout" then within 30 minutes exclude event where event_type = "commerce.purchases"',
    `SELECT DISTINCT 'ECID', a.ecid FROM ev a WHERE a.page_name = 'Checkout' AND NOT EXISTS (SELECT 1 FROM ev b WHERE b.ecid = a.ecid AND b.seq > a.seq AND b.ts <= a.ts + INTERVAL 30 MINUTE AND b.event_type = 'commerce.purchases')`],
  ['only after', 'person where only after (event where page_name = "Cart" then event where event_type = "commerce.purchases")',
    `WITH c AS (SELECT ecid, min(seq) s FROM ev WHERE page_name = 'Cart' GROUP BY ecid), p AS (SELECT ev.ecid, min(ev.seq) s FROM ev JOIN c ON ev.ecid = c.ecid AND ev.seq > c.s WHERE ev.event_type = 'commerce.purchases' GROUP BY ev.ecid) SELECT 'ECID', ecid FROM p`],
];

function peakRssMb() {
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const { parseDataViewFile } = require(path.join(root, 'out/core/src/files/dataviewFile.js'));
  const { loadDataView } = require(path.join(root, 'out/core/src/data/load.js'));
  const { parseRule } = require(path.join(root, 'out/core/src/rule/parser.js'));
  const { evaluateFilter } = require(path.join(root, 'out/core/src/engine/index.js'));
  const { DuckDBInstance } = require('@duckdb/node-api');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-engine-'));
  const file = path.join(dir, 'events.ndjson');
  generateEvents(root, file, { events: EVENTS, people: PEOPLE, seed: 'bench' });
  fs.writeFileSync(path.join(dir, 'bench.dataview.yaml'), DATAVIEW);
  const dataView = parseDataViewFile(path.join(dir, 'bench.dataview.yaml'), DATAVIEW).dataView;
  const bytes = fs.statSync(file).size;
  const rssBefore = peakRssMb();

  // Cold loads: every load of ours starts fresh worker threads (nothing parsed or compiled in them
  // yet) and every DuckDB load reads the file into a new table. They alternate, DuckDB first, so
  // machine noise hits both sides alike; the figures are the first pair and the medians.
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const duckLoads = [];
  const ourLoads = [];
  let dataset;
  for (let i = 0; i < LOADS; i++) {
    let t = performance.now();
    await conn.run(`CREATE OR REPLACE TABLE raw AS SELECT * FROM read_json('${file}', format = 'newline_delimited')`);
    duckLoads.push(performance.now() - t);
    dataset = undefined;
    t = performance.now();
    dataset = await loadDataView(dataView);
    ourLoads.push(performance.now() - t);
  }
  const ourLoadMs1 = await (async () => { const s = performance.now(); await loadDataView(dataView, { threads: 1 }); return performance.now() - s; })();
  const rssAfterLoad = peakRssMb();
  await conn.run(`CREATE TABLE ev AS SELECT row_number() OVER (ORDER BY ecid, CAST(timestamp AS TIMESTAMP)) AS seq, ecid, CAST(timestamp AS TIMESTAMP) AS ts, session_id, page_name, page_url, event_type, channel, country, product, marketing.campaign AS campaign, revenue, orders, cart_adds FROM raw`);
  await conn.run('DROP TABLE raw');

  const filters = [];
  for (const [name, rule, sql] of FILTERS) {
    const parsed = parseRule(rule);
    if (parsed.diagnostics.some(d => d.severity === 'error')) throw new Error(`bench rule does not parse: ${rule}`);
    const ours = [];
    // One uncounted run on each side first: the figures are warm (compiled, caches filled).
    // Each run also times the same evaluation without the preview's extras (metric totals, estimated
    // return), right after it, so both see the same machine: the difference is what the extras cost.
    const bare = [];
    const without = { dataView, dataset, metrics: [], returnEstimate: false };
    let result = evaluateFilter(parsed.rule, { dataView, dataset });
    evaluateFilter(parsed.rule, without);
    for (let i = 0; i < RUNS; i++) {
      let s = performance.now(); result = evaluateFilter(parsed.rule, { dataView, dataset }); ours.push(performance.now() - s);
      s = performance.now(); evaluateFilter(parsed.rule, without); bare.push(performance.now() - s);
    }
    const duck = [];
    let rows = (await conn.runAndReadAll(sql)).getRows();
    for (let i = 0; i < RUNS; i++) { const s = performance.now(); rows = (await conn.runAndReadAll(sql)).getRows(); duck.push(performance.now() - s); }
    const oursMs = median(ours);
    const duckMs = median(duck);
    const bareMs = median(bare);
    filters.push({ name, oursMs: round(oursMs), oursWithoutMetricsMs: round(bareMs), metricsAndReturnMs: round(oursMs - bareMs), duckdbMs: round(duckMs), ratio: round(oursMs / duckMs), people: result.matched.people, duckdbPeople: rows.length, agree: result.matched.people === rows.length });
  }
  // Reference for the metric totals: DuckDB summing the three metrics over the audience of the first
  // filter (its audience query plus the sums) against the audience query alone, same table, same run.
  const [, firstRule, firstSql] = FILTERS[0];
  const totalsSql = `SELECT sum(revenue), sum(orders), sum(cart_adds) FROM ev WHERE ecid IN (SELECT ecid FROM (${firstSql}) AS a(ns, ecid))`;
  const duckTotals = [];
  const duckAudience = [];
  await conn.runAndReadAll(totalsSql);
  for (let i = 0; i < RUNS; i++) {
    let s = performance.now(); await conn.runAndReadAll(firstSql); duckAudience.push(performance.now() - s);
    s = performance.now(); await conn.runAndReadAll(totalsSql); duckTotals.push(performance.now() - s);
  }
  const oursTotals = filters[0];
  const metricsCost = {
    filter: FILTERS[0][0],
    rule: firstRule,
    oursMs: oursTotals.oursMs,
    oursWithoutMetricsMs: oursTotals.oursWithoutMetricsMs,
    oursAddedMs: oursTotals.metricsAndReturnMs,
    duckdbWithTotalsMs: round(median(duckTotals)),
    duckdbAudienceMs: round(median(duckAudience)),
    duckdbAddedMs: round(median(duckTotals) - median(duckAudience)),
    medianAddedMsOverFilters: round(median(filters.map(f => f.metricsAndReturnMs))),
    note: 'ours: the evaluation with the 3 metric totals and the 7/14/30-day return estimate, against the same evaluation without them (metrics: [], returnEstimate: false); DuckDB: the audience query with the 3 sums over its members, against the audience query alone',
  };
  conn.closeSync?.();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    dataset: { events: dataset.eventCount, people: dataset.personCount, sessions: dataset.sessionCount, fileMB: round(bytes / 1048576, 1) },
    coldLoad: {
      oursMs: round(median(ourLoads)),
      duckdbReadJsonMs: round(median(duckLoads)),
      ratio: round(median(ourLoads) / median(duckLoads)),
      firstLoad: { oursMs: round(ourLoads[0]), duckdbReadJsonMs: round(duckLoads[0]), ratio: round(ourLoads[0] / duckLoads[0]) },
      oursMsEach: ourLoads.map(round),
      duckdbMsEach: duckLoads.map(round),
      oursSingleThreadMs: round(ourLoadMs1),
    },
    warmEvaluation: { medianRatio: round(median(filters.map(f => f.ratio))), filters },
    metricsCost,
    peakRssMb: { beforeLoad: rssBefore, afterLoads: rssAfterLoad, end: peakRssMb(), note: 'process peak RSS (our dataset and DuckDB share the process)' },
    note: `ms; warm evaluation: medians of ${RUNS} runs after one uncounted run on each side; cold load: medians of ${LOADS} loads of the file, alternating with DuckDB's read_json (DuckDB first), each of ours in fresh worker threads; firstLoad: the first pair.`,
  };
}
