/**
 * What differs between the SQL engines a filter compiles to: identifier quoting, string literals,
 * epoch milliseconds of a timestamp, calendar month arithmetic, LAG, LIKE escaping and the
 * collation that makes text comparisons follow code points (as the engine's do).
 */
export type SqlDialectName = 'duckdb' | 'postgres' | 'clickhouse' | 'spark' | 'trino';

export const SQL_DIALECTS: readonly SqlDialectName[] = ['duckdb', 'postgres', 'clickhouse', 'spark', 'trino'];

export interface SqlDialect {
  name: SqlDialectName;
  ident(name: string): string;
  string(value: string): string;
  /** Epoch milliseconds (an integer) of a timestamp column. */
  epochMs(ts: string): string;
  /** The timestamp `months` calendar months later, the day clamped to the month's length. */
  addMonths(ts: string, months: number): string;
  /** The previous row's value in the window; NULL on the first row. */
  lag(expr: string, partition: string, order: string): string;
  /** One text key of a (namespace, ID) pair, unambiguous: the namespace's length, `:`, the namespace, the ID. */
  personKey(ns: string, id: string): string;
  /** `value LIKE pattern` where `pattern` uses `%` and literal text (escaped here). */
  like(value: string, segments: string[]): string;
  /** Appended to a text operand so `<` and `>` compare code points. */
  binaryCollation: string;
  /** Correlated NOT EXISTS subqueries (exclude checkpoints) are available. */
  correlatedSubqueries: boolean;
}

const LIKE_SPECIAL = /[%_!]/g;

/** Standard SQL literal: quotes doubled; `backslashes` also doubled where the engine reads escapes. */
function quote(value: string, backslashes: boolean): string {
  let v = value.replace(/'/g, "''");
  if (backslashes) v = v.replace(/\\/g, '\\\\');
  return `'${v}'`;
}

function likeWithBang(d: Pick<SqlDialect, 'string'>, value: string, segments: string[]): string {
  const pattern = segments.map(s => s.replace(LIKE_SPECIAL, m => `!${m}`)).join('%');
  return `${value} LIKE ${d.string(pattern)} ESCAPE '!'`;
}

/** `personKey` with SQL's `||` and CAST, as DuckDB, PostgreSQL, Spark and Trino write it. */
function concatPersonKey(ns: string, id: string): string {
  return `CAST(LENGTH(${ns}) AS VARCHAR) || ':' || ${ns} || CAST(${id} AS VARCHAR)`;
}

const duckdb: SqlDialect = {
  name: 'duckdb',
  ident: n => `"${n.replace(/"/g, '""')}"`,
  string: v => quote(v, false),
  epochMs: ts => `epoch_ms(${ts})`,
  addMonths: (ts, m) => `(${ts} + INTERVAL ${m} MONTH)`,
  lag: (e, p, o) => `LAG(${e}) OVER (PARTITION BY ${p} ORDER BY ${o})`,
  personKey: concatPersonKey,
  like(value, segments) {
    return likeWithBang(this, value, segments);
  },
  binaryCollation: '',
  correlatedSubqueries: true,
};

const postgres: SqlDialect = {
  name: 'postgres',
  ident: n => `"${n.replace(/"/g, '""')}"`,
  string: v => quote(v, false),
  epochMs: ts => `CAST(EXTRACT(EPOCH FROM ${ts}) * 1000 AS BIGINT)`,
  addMonths: (ts, m) => `(${ts} + INTERVAL '${m} months')`,
  lag: (e, p, o) => `LAG(${e}) OVER (PARTITION BY ${p} ORDER BY ${o})`,
  personKey: concatPersonKey,
  like(value, segments) {
    return likeWithBang(this, value, segments);
  },
  binaryCollation: ' COLLATE "C"',
  correlatedSubqueries: true,
};

const clickhouse: SqlDialect = {
  name: 'clickhouse',
  ident: n => `\`${n.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  string: v => quote(v, true),
  epochMs: ts => `toUnixTimestamp64Milli(${ts})`,
  addMonths: (ts, m) => `addMonths(${ts}, ${m})`,
  personKey: (ns, id) => `concat(toString(lengthUTF8(${ns})), ':', ${ns}, toString(${id}))`,
  lag: (e, p, o) => `lagInFrame(toNullable(${e})) OVER (PARTITION BY ${p} ORDER BY ${o} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`,
  // ClickHouse's LIKE has no ESCAPE clause: backslash escapes, itself escaped once more in the literal.
  like(value, segments) {
    const pattern = segments.map(s => s.replace(/[%_\\]/g, m => `\\${m}`)).join('%');
    return `${value} LIKE ${this.string(pattern)}`;
  },
  binaryCollation: '',
  correlatedSubqueries: false,
};

const spark: SqlDialect = {
  name: 'spark',
  ident: n => `\`${n.replace(/`/g, '``')}\``,
  string: v => quote(v, true),
  epochMs: ts => `unix_millis(${ts})`,
  addMonths: (ts, m) => `(${ts} + make_ym_interval(0, ${m}))`,
  lag: (e, p, o) => `LAG(${e}) OVER (PARTITION BY ${p} ORDER BY ${o})`,
  personKey: concatPersonKey,
  like(value, segments) {
    return likeWithBang(this, value, segments);
  },
  binaryCollation: '',
  correlatedSubqueries: true,
};

const trino: SqlDialect = {
  name: 'trino',
  ident: n => `"${n.replace(/"/g, '""')}"`,
  string: v => quote(v, false),
  epochMs: ts => `date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', ${ts})`,
  addMonths: (ts, m) => `date_add('month', ${m}, ${ts})`,
  lag: (e, p, o) => `LAG(${e}) OVER (PARTITION BY ${p} ORDER BY ${o})`,
  personKey: concatPersonKey,
  like(value, segments) {
    return likeWithBang(this, value, segments);
  },
  binaryCollation: '',
  correlatedSubqueries: true,
};

export const DIALECTS: Record<SqlDialectName, SqlDialect> = { duckdb, postgres, clickhouse, spark, trino };
