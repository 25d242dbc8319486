/**
 * A filter evaluated where its data view's events live: the preview's figures (people / sessions /
 * events, people per namespace and per day, the waterfall) from one summary query, and the audience
 * from the audience query, streamed in batches. Both queries are the SQL compiler's (core/src/sql),
 * so the warehouse answers what the in-process engine answers on the same events.
 */
import type { DataView } from '../dataview/model';
import { describeExpr, describeGap } from '../engine/describe';
import type { Counts, EvaluationResult, Identity } from '../engine';
import type { Rule } from '../rule/ast';
import { compileSummarySql, compileToSql } from '../sql/compile';
import type { SqlOptions, SqlProblem } from '../sql/compile';
import { DIALECTS } from '../sql/dialects';
import type { SqlDialectName } from '../sql/dialects';
import { compareCodePoints } from '../text';
import type { Row, WarehouseConnection } from './connection';
import { tableExpression, WarehouseError } from './connection';

export interface WarehouseQueryOptions {
  resolveFilter?: (id: string) => Rule | undefined;
  signal?: AbortSignal;
}

/** A construct the warehouse's SQL cannot express, with its place in the rule. */
export class WarehouseUnsupported extends WarehouseError {
  constructor(readonly problem: SqlProblem) {
    super(problem.message, 'query');
  }
}

/** The compiler's options for the data view's warehouse table and columns. */
export function warehouseSqlOptions(dataView: DataView, dialect: SqlDialectName, window: { from: number; to: number } | undefined, resolveFilter?: (id: string) => Rule | undefined): { options: SqlOptions; dataView: DataView } {
  const w = dataView.warehouse!;
  // The compiler reads each dimension and metric from its `field`; on the warehouse that is its column.
  const mapped: DataView = {
    ...dataView,
    timestampField: w.timestampColumn,
    sessionField: w.sessionColumn,
    dimensions: dataView.dimensions.map(d => ({ ...d, field: d.column ?? d.field })),
    metrics: dataView.metrics.map(m => ({ ...m, field: m.column ?? m.field })),
  };
  return {
    dataView: mapped,
    options: {
      dialect,
      table: tableExpression(w),
      personColumn: w.personColumn,
      ...(w.namespace !== undefined ? { namespaceValue: w.namespace } : { namespaceColumn: w.namespaceColumn }),
      timestampColumn: w.timestampColumn,
      sessionColumn: w.sessionColumn,
      orderColumn: w.orderColumn,
      window,
      resolveFilter,
    },
  };
}

/** Epoch ms of the newest event in the warehouse table (windows end there), or undefined when it is empty. */
export async function newestWarehouseEvent(dataView: DataView, conn: WarehouseConnection, signal?: AbortSignal): Promise<number | undefined> {
  const w = dataView.warehouse!;
  const d = DIALECTS[conn.dialect];
  const rows = await allRows(conn.query(`SELECT MAX(${d.epochMs(d.ident(w.timestampColumn))}) FROM ${tableExpression(w)}`, { signal }));
  const v = rows[0]?.[0];
  return v === null || v === undefined || v === '' ? undefined : Number(v);
}

export interface WarehouseSummary {
  result: Omit<EvaluationResult, 'eventMask' | 'audience'> & { audience: Identity[] };
  /** True for only before / only after filters: sessions, events and people per day were not computed. */
  partial: boolean;
  queryMs: number;
  sql: string;
}

/** The preview's figures for `rule` on the warehouse, with the first `sample` identities of the audience. */
export async function summarizeOnWarehouse(rule: Rule, dataView: DataView, conn: WarehouseConnection, window: { from: number; to: number } | undefined, sample: number, options: WarehouseQueryOptions = {}): Promise<WarehouseSummary> {
  const started = performance.now();
  const { options: sqlOptions, dataView: mapped } = warehouseSqlOptions(dataView, conn.dialect, window, options.resolveFilter);
  const compiled = compileSummarySql(rule, mapped, sqlOptions);
  if (!compiled.sql) throw new WarehouseUnsupported(compiled.problems[0]);
  const rows = await allRows(conn.query(compiled.sql, { signal: options.signal }));
  const get = (k: string) => Number(rows.find(r => r[0] === k)?.[3] ?? 0);
  const matched: Counts = { people: get('people'), sessions: get('sessions'), events: get('events') };
  const total: Counts = { people: get('total-people'), sessions: get('total-sessions'), events: get('total-events') };
  const namespaces: Record<string, number> = {};
  const nsRows = rows.filter(r => r[0] === 'ns').sort((a, b) => compareCodePoints(String(a[1]), String(b[1])));
  for (const r of nsRows) namespaces[String(r[1])] = Number(r[3]);
  const perDay = rows
    .filter(r => r[0] === 'day')
    .map(r => ({ day: new Date(Number(r[2]) * 86_400_000).toISOString().slice(0, 10), people: Number(r[3]) }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const steps = compiled.steps.map((part, k) => ({
    label: part.excludes ? part.subjects.map(x => `exclude ${describeExpr(x)}`).join(', ') : describeExpr(part.subjects[0]),
    ...(part.join ? { join: part.join } : {}),
    ...(part.constraints.length ? { gap: part.constraints.map(describeGap).join(' ') } : {}),
    start: part.start,
    end: part.end,
    people: get(`step${k + 1}`),
  }));
  const audience: Identity[] = [];
  if (sample > 0) {
    for await (const batch of audienceOnWarehouse(rule, dataView, conn, window, { ...options, limit: sample })) audience.push(...batch);
  }
  const queryMs = performance.now() - started;
  return {
    result: {
      matched: compiled.partial ? { people: matched.people, sessions: NaN, events: NaN } : matched,
      total,
      namespaces,
      audience,
      steps,
      perDay: compiled.partial ? [] : perDay,
      referenceCycles: [],
      elapsedMs: queryMs,
    },
    partial: compiled.partial,
    queryMs,
    sql: compiled.sql,
  };
}

/** The audience, ordered by namespace then ID (code points), in the batches the warehouse sends. */
export async function* audienceOnWarehouse(rule: Rule, dataView: DataView, conn: WarehouseConnection, window: { from: number; to: number } | undefined, options: WarehouseQueryOptions & { limit?: number } = {}): AsyncIterable<Identity[]> {
  const { options: sqlOptions, dataView: mapped } = warehouseSqlOptions(dataView, conn.dialect, window, options.resolveFilter);
  const compiled = compileToSql(rule, mapped, sqlOptions);
  if (!compiled.sql) throw new WarehouseUnsupported(compiled.problems[0]);
  const sql = options.limit !== undefined ? `${compiled.sql}\nLIMIT ${Math.max(0, Math.floor(options.limit))}` : compiled.sql;
  for await (const rows of conn.query(sql, { signal: options.signal })) {
    yield rows.map(r => ({ namespace: String(r[0]), id: String(r[1]) }));
  }
}

async function allRows(it: AsyncIterable<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}
