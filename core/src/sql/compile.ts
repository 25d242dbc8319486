/**
 * Compiles a rule to one SQL query over an events table that returns the filter's audience:
 * DISTINCT (namespace, id), ordered. See docs/sql.md for what compiles, per construct and dialect.
 *
 * Shape of the query: a chain of CTEs over the events (`l0`, `l1`, ...), each adding one column.
 * Every rule node becomes a 0/1 column holding its truth for the unit (person, session or event)
 * that contains the row: conditions per row, totals and "some event of the unit" as window
 * aggregates partitioned by the unit. Sequences are a dynamic programme over checkpoint spans: one
 * CTE of reachable checkpoint ends per step (a join on the unit with gap conditions, and NOT
 * EXISTS for exclude checkpoints), joined back as a column.
 *
 * Keys every layer carries: `_p` (person number), `_pos` (event position in the person, by time,
 * ties by the optional order column), `_s` (session number in the person), `_t` (epoch ms).
 */
import type { DataView } from '../dataview/model';
import { SCOPE_RANK } from '../rule/ast';
import { flattenSteps } from '../rule/walk';
import type { Condition, Expr, GapConstraint, Literal, Operator, Rule, Scope, Sequence, SequenceStep } from '../rule/ast';
import { DIALECTS } from './dialects';

/** SQL symbol of each comparison operator. */
const COMPARISON = { lt: '<', gt: '>', le: '<=', ge: '>=' } as const;
import type { SqlDialect, SqlDialectName } from './dialects';

export interface SqlOptions {
  dialect: SqlDialectName;
  /** The events table (or a qualified name / subquery alias); inserted as written. */
  table: string;
  /** Column of the person ID (default `person_id`). */
  personColumn?: string;
  /** Column of the identity namespace (default `namespace`). */
  namespaceColumn?: string;
  /** A fixed namespace for every row (e.g. `ECID`), instead of `namespaceColumn`. */
  namespaceValue?: string;
  /** Column of the event time, a UTC TIMESTAMP (default: the data view's timestamp field). */
  timestampColumn?: string;
  /** Column of the session ID (default: the data view's session field; none means sessions by inactivity). */
  sessionColumn?: string;
  /** A column that orders events with the same timestamp (input order); without it ties are unordered. */
  orderColumn?: string;
  /** Only events with from <= time < to (epoch ms) count. */
  window?: { from: number; to: number };
  /** Rules of other filters, inlined for `filter <id>` references. */
  resolveFilter?: (id: string) => Rule | undefined;
}

export interface SqlProblem {
  /** Rule-text offsets of the construct at fault. */
  start: number;
  end: number;
  code: string;
  message: string;
}

export interface SqlResult {
  /** The query; undefined when a construct does not compile. */
  sql?: string;
  problems: SqlProblem[];
}

const MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };
const MONTHS: Record<string, number> = { month: 1, quarter: 3, year: 12 };

const NEGATION: Partial<Record<Operator, Operator>> = {
  ne: 'eq', notIn: 'in', notContains: 'contains', notContainsAny: 'containsAny', notContainsAll: 'containsAll',
  notStartsWith: 'startsWith', notEndsWith: 'endsWith', notMatches: 'matches', notExists: 'exists',
};

class SqlUnsupported extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly node: { start: number; end: number },
  ) {
    super(message);
  }
}

export interface SqlSummaryResult extends SqlResult {
  /** The waterfall bars the query counts (`step1` … `stepN`). */
  steps: WaterfallPart[];
  /**
   * True when the rule's top level is an only before / only after sequence: its people and steps
   * are exact, but sessions, events and people per day would count whole units (not computed).
   */
  partial: boolean;
}

/** The query of a filter's preview figures (see `SqlCompiler.summary`), with the same options. */
export function compileSummarySql(rule: Rule, dataView: DataView, options: SqlOptions): SqlSummaryResult {
  if (!rule.root) return { problems: [{ start: 0, end: 0, code: 'sql-empty-rule', message: 'The rule is empty; there is nothing to compile.' }], steps: [], partial: false };
  const compiler = new SqlCompiler(dataView, options);
  try {
    return { ...compiler.summary(rule.root), problems: [] };
  } catch (e) {
    if (e instanceof SqlUnsupported) return { problems: [{ start: e.node.start, end: e.node.end, code: e.code, message: e.message }], steps: [], partial: false };
    throw e;
  }
}

/** One bar of the engine's waterfall: the rule whose people it counts, and what it is labelled by. */
export interface WaterfallPart {
  expr: Expr;
  /** The checkpoint, clause or body the bar stands for; the end excludes for the last bar of a sequence with them. */
  subjects: Expr[];
  excludes: boolean;
  /** How it joins the bar before (none on the first), and the gap written before it (sequences). */
  join?: 'then' | 'and' | 'or';
  constraints: GapConstraint[];
  start: number;
  end: number;
}

/**
 * The bars of the engine's waterfall (engine/evaluate.ts `waterfall`), as rules: a sequence's
 * prefixes up to each checkpoint (then the whole sequence when end excludes follow), the
 * cumulative clauses of a top-level `and` / `or`, else the body itself.
 */
export function waterfallParts(body: Expr): WaterfallPart[] {
  const seq = body.kind === 'sequence' ? body : body.kind === 'only' ? body.sequence : null;
  if (seq) {
    const flat = flattenSteps(seq);
    const parts: WaterfallPart[] = [];
    flat.forEach((step, k) => {
      if (!step.exclude) parts.push({ expr: { kind: 'sequence', steps: flat.slice(0, k + 1), start: seq.start, end: step.end }, subjects: [step.checkpoint], excludes: false, ...(parts.length ? { join: 'then' as const } : {}), constraints: step.constraints, start: step.start, end: step.end });
    });
    let tail = flat.length;
    while (tail > 0 && flat[tail - 1].exclude) tail--;
    if (parts.length > 0 && tail < flat.length) {
      const ends = flat.slice(tail);
      parts.push({ expr: { kind: 'sequence', steps: flat, start: seq.start, end: seq.end }, subjects: ends.map(x => x.checkpoint), excludes: true, join: 'then', constraints: ends[0].constraints, start: ends[0].start, end: ends[ends.length - 1].end });
    }
    return parts;
  }
  if (body.kind === 'and' || body.kind === 'or') {
    return body.items.map((item, k) => ({ expr: { ...body, items: body.items.slice(0, k + 1) }, subjects: [item], excludes: false, ...(k > 0 ? { join: body.kind } : {}), constraints: [], start: item.start, end: item.end }));
  }
  return [{ expr: body, subjects: [body], excludes: false, constraints: [], start: body.start, end: body.end }];
}

function containsOnly(e: Expr): boolean {
  return e.kind === 'only' || ((e.kind === 'and' || e.kind === 'or') && e.items.some(containsOnly));
}

export function compileToSql(rule: Rule, dataView: DataView, options: SqlOptions): SqlResult {
  if (!rule.root) return { problems: [{ start: 0, end: 0, code: 'sql-empty-rule', message: 'The rule is empty; there is nothing to compile.' }] };
  const compiler = new SqlCompiler(dataView, options);
  try {
    return { sql: compiler.compile(rule.root), problems: [] };
  } catch (e) {
    if (e instanceof SqlUnsupported) return { problems: [{ start: e.node.start, end: e.node.end, code: e.code, message: e.message }] };
    throw e;
  }
}

/** Keys of a span end or start, as columns `<prefix>_<key>`. */
interface SpanKeys {
  calendar: boolean;
  instances: string[];
}

class SqlCompiler {
  private readonly d: SqlDialect;
  private readonly ctes: string[] = [];
  private layer = 'l0';
  private layers = 0;
  private counter = 0;
  /** Source column alias per dimension/metric name. */
  private readonly sources = new Map<string, string>();
  private readonly instanceCounters = new Map<string, string>();
  private readonly resolving: string[] = [];
  /** Where the base layers go: right after `src`. */
  private baseAt = 0;

  constructor(
    private readonly dataView: DataView,
    private readonly options: SqlOptions,
  ) {
    this.d = DIALECTS[options.dialect];
  }

  compile(root: Expr): string {
    const { truth } = this.body(root);
    const d = this.d;
    const ns = d.ident('namespace');
    const id = d.ident('id');
    const audience = `SELECT DISTINCT _ns AS ${ns}, _id AS ${id}\nFROM ${this.layer}\nWHERE ${truth} = 1`;
    this.finishBase(this.ctes.slice(this.baseAt).join('\n') + audience);
    return `WITH\n${this.ctes.join(',\n')},\naudience AS (\n  ${audience.replace(/\n/g, '\n  ')}\n)\nSELECT ${ns}, ${id} FROM audience\nORDER BY ${ns}${d.binaryCollation}, ${id}${d.binaryCollation}`;
  }

  /**
   * The preview's figures in one query: rows (k, a, d, n) — matched and total people / sessions /
   * events, people per namespace (a) and per UTC day number (d), and people per waterfall step
   * (`step1`, `step2`, …), the steps being those of the engine's waterfall (`waterfallParts`).
   */
  summary(root: Expr): { sql: string; steps: WaterfallPart[]; partial: boolean } {
    const { truth, scope, body } = this.body(root);
    const parts = waterfallParts(body);
    // `only … per S`: the bars count people with an S unit that reaches the step.
    const stepScope = body.kind === 'only' && body.scope && SCOPE_RANK[body.scope] < SCOPE_RANK[scope] ? body.scope : scope;
    const stepTruths = parts.map(p => this.truth(p.expr, stepScope));
    const cols = ['_p', '_s', '_ns', '_t', `${truth} AS _m`, ...stepTruths.map((t, k) => `${t} AS _k${k + 1}`)];
    this.cte('f', `SELECT ${cols.join(', ')} FROM ${this.layer}`);
    const day = `CAST(FLOOR(_t / 86400000.0) AS BIGINT)`;
    const rows = [
      `SELECT 'people' AS k, '' AS a, 0 AS d, COUNT(DISTINCT _p) AS n FROM f WHERE _m = 1`,
      `SELECT 'sessions', '', 0, COUNT(*) FROM (SELECT DISTINCT _p, _s FROM f WHERE _m = 1) x`,
      `SELECT 'events', '', 0, COUNT(*) FROM f WHERE _m = 1`,
      `SELECT 'total-people', '', 0, COUNT(DISTINCT _p) FROM f`,
      `SELECT 'total-sessions', '', 0, COUNT(*) FROM (SELECT DISTINCT _p, _s FROM f) x`,
      `SELECT 'total-events', '', 0, COUNT(*) FROM f`,
      `SELECT 'ns', _ns, 0, COUNT(DISTINCT _p) FROM f WHERE _m = 1 GROUP BY _ns`,
      `SELECT 'day', '', ${day}, COUNT(DISTINCT _p) FROM f WHERE _m = 1 GROUP BY ${day}`,
      ...stepTruths.map((_, k) => `SELECT 'step${k + 1}', '', 0, COUNT(DISTINCT _p) FROM f WHERE _k${k + 1} = 1`),
    ];
    // An only before / only after sequence returns part of its units: the rows above count whole units.
    const partial = containsOnly(body);
    this.finishBase(this.ctes.slice(this.baseAt).join('\n') + rows.join('\n'));
    return { sql: `WITH\n${this.ctes.join(',\n')}\n${rows.join('\nUNION ALL ')}`, steps: parts, partial };
  }

  /** The base layers, then the truth column of the rule's body for its top-level scope. */
  private body(root: Expr): { truth: string; scope: Scope; body: Expr } {
    this.base(root);
    let scope: Scope = 'person';
    let body = root;
    while (body.kind === 'filterRef') body = this.resolve(body);
    if (body.kind === 'container') {
      scope = body.scope;
      body = body.body;
    }
    this.checkOnlyAtRoot(body);
    return { truth: this.truth(body, scope), scope, body };
  }

  // ---- layers -----------------------------------------------------------------------------

  private cte(name: string, body: string): void {
    this.ctes.push(`${name} AS (\n  ${body.replace(/\n/g, '\n  ')}\n)`);
  }

  /** Adds one column to the chain and returns its name. */
  private column(expr: string): string {
    const name = `c${++this.counter}`;
    const next = `l${++this.layers}`;
    this.cte(next, `SELECT p.*, ${expr} AS ${name} FROM ${this.layer} p`);
    this.layer = next;
    return name;
  }

  private unitKey(scope: Scope): string {
    return scope === 'person' ? '_p' : scope === 'session' ? '_p, _s' : '_p, _pos';
  }

  private unitCols(scope: Scope): string[] {
    return scope === 'person' ? ['_p'] : ['_p', '_s'];
  }

  private base(root: Expr): void {
    const d = this.d;
    const o = this.options;
    const dv = this.dataView;
    const names = new Set<string>();
    const collect = (e: Expr): void => {
      switch (e.kind) {
        case 'condition':
          names.add(e.subject.name);
          return;
        case 'container':
          return collect(e.body);
        case 'and':
        case 'or':
        case 'logicGroup':
          return e.items.forEach(collect);
        case 'not':
          return collect(e.operand);
        case 'only':
          return collect(e.sequence);
        case 'sequence':
          for (const s of e.steps) {
            collect(s.checkpoint);
            for (const c of s.constraints) if (c.unit.kind === 'dimension') names.add(c.unit.name.name);
          }
          return;
        case 'filterRef':
          return collect(this.resolve(e));
        case 'error':
          throw new SqlUnsupported('sql-rule-error', 'The rule has a syntax error here; fix it before compiling.', e);
      }
    };
    collect(root);
    const cols: string[] = [`${o.namespaceValue !== undefined ? d.string(o.namespaceValue) : d.ident(o.namespaceColumn ?? 'namespace')} AS _ns`, `${d.ident(o.personColumn ?? 'person_id')} AS _id`];
    const ts = d.ident(o.timestampColumn ?? dv.timestampField);
    cols.push(`${ts} AS _ts`, `${d.epochMs(ts)} AS _t`);
    const session = o.sessionColumn ?? dv.sessionField;
    cols.push(`${session ? `CAST(${d.ident(session)} AS ${d.name === 'clickhouse' ? 'Nullable(String)' : d.name === 'spark' ? 'STRING' : 'VARCHAR'})` : 'NULL'} AS _sid`);
    cols.push(`${o.orderColumn ? d.ident(o.orderColumn) : '0'} AS _o`);
    let k = 0;
    for (const name of [...names].sort()) {
      const dim = dv.dimensions.find(x => x.name === name);
      const metric = dv.metrics.find(x => x.name === name);
      const field = dim?.field ?? metric?.field;
      if (!field) continue;
      const alias = `v${k++}`;
      this.sources.set(name, alias);
      cols.push(`${d.ident(field)} AS ${alias}`);
    }
    // The person key `_p`: the ID itself when the namespace is one constant, else an unambiguous text
    // key of both (the namespace's length, the namespace, then the ID). No global ranking: every window
    // is partitioned by person, so each person's work is independent of the others'.
    const idCol = d.ident(o.personColumn ?? 'person_id');
    cols.push(`${o.namespaceValue !== undefined ? idCol : d.personKey(d.ident(o.namespaceColumn ?? 'namespace'), idCol)} AS _p`);
    const where = o.window ? `\nWHERE ${d.epochMs(ts)} >= ${o.window.from} AND ${d.epochMs(ts)} < ${o.window.to}` : '';
    this.cte('src', `SELECT ${cols.join(', ')}\nFROM ${o.table}${where}`);
    this.baseAt = this.ctes.length;
  }

  /**
   * The base layers between `src` and `l0`, inserted once the rest is written, with only what the rest
   * uses: `_pos` (a person's events numbered by time, then order) and `_s` (the session number).
   * (Their table alias is not `s`: ClickHouse resolves `s.*` to a column `s` of a query that joins them.)
   */
  private finishBase(rest: string): void {
    const d = this.d;
    const usesS = /\b_s\b/.test(rest);
    const usesPos = usesS || /\b_pos\b/.test(rest);
    const layers: Array<[string, string]> = [];
    let from = 'src';
    const add = (sql: (from: string) => string) => {
      const name = `l0${String.fromCharCode(97 + layers.length)}`;
      layers.push([name, sql(from)]);
      from = name;
    };
    if (usesPos) add(f => `SELECT b.*, ROW_NUMBER() OVER (PARTITION BY _p ORDER BY _t, _o) AS _pos FROM ${f} b`);
    if (usesS) {
      const timeout = Math.round((Number.isFinite(this.dataView.sessionTimeoutMinutes) ? this.dataView.sessionTimeoutMinutes : 30) * 60_000);
      const prevT = d.lag('_t', '_p', '_pos');
      const prevSid = d.lag('_sid', '_p', '_pos');
      const newSession = (this.options.sessionColumn ?? this.dataView.sessionField)
        ? `CASE WHEN _pos = 1 THEN 1 WHEN _sid IS NULL AND ${prevSid} IS NULL THEN (CASE WHEN _t - ${prevT} > ${timeout} THEN 1 ELSE 0 END) WHEN _sid IS NULL OR ${prevSid} IS NULL OR _sid <> ${prevSid} THEN 1 ELSE 0 END`
        : `CASE WHEN _pos = 1 THEN 1 WHEN _t - ${prevT} > ${timeout} THEN 1 ELSE 0 END`;
      add(f => `SELECT b.*, ${newSession} AS _new FROM ${f} b`);
      add(f => `SELECT b.*, SUM(_new) OVER (PARTITION BY _p ORDER BY _pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS _s FROM ${f} b`);
    }
    if (layers.length) layers[layers.length - 1][0] = 'l0';
    else layers.push(['l0', 'SELECT b.* FROM src b']);
    const saved = this.ctes.splice(this.baseAt);
    for (const [name, sql] of layers) this.cte(name, sql);
    this.ctes.push(...saved);
  }

  private resolve(ref: Expr & { kind: 'filterRef' }): Expr {
    const id = ref.id.name;
    if (this.resolving.includes(id)) throw new SqlUnsupported('sql-reference-cycle', `Filter \`${id}\` refers to itself; a reference cycle cannot compile.`, ref);
    const root = this.options.resolveFilter?.(id)?.root;
    if (!root) throw new SqlUnsupported('sql-unknown-filter', `Filter \`${id}\` was not found; its rule cannot be inlined.`, ref);
    return root;
  }

  private withReference<T>(ref: Expr & { kind: 'filterRef' }, body: (root: Expr) => T): T {
    const root = this.resolve(ref);
    this.resolving.push(ref.id.name);
    try {
      return body(root);
    } finally {
      this.resolving.pop();
    }
  }

  /**
   * What a top-level container returns is whole units, except for only before / only after
   * sequences, which return part of a unit; the audience only needs "some event returned", which
   * is the sequence holding, unless two of them are intersected.
   */
  private checkOnlyAtRoot(body: Expr): void {
    const onlys: Expr[] = [];
    const walk = (e: Expr): void => {
      if (e.kind === 'only') onlys.push(e);
      else if (e.kind === 'and' || e.kind === 'or') e.items.forEach(walk);
    };
    walk(body);
    if (onlys.length > 1 && containsAnd(body)) {
      throw new SqlUnsupported('sql-unsupported-only', 'Two only before / only after sequences combined with `and` return the overlap of their event ranges, which does not compile to SQL; split the filter.', onlys[1]);
    }
  }

  // ---- truth columns ----------------------------------------------------------------------

  /** A 0/1 SQL expression on the current layer: `e` holds for the `scope` unit of the row. */
  private truth(e: Expr, scope: Scope): string {
    switch (e.kind) {
      case 'condition':
        return this.condition(e, scope);
      case 'and':
      case 'or': {
        const items = e.items.map(i => this.truth(i, scope));
        if (!items.length) return e.kind === 'and' ? '1' : '0';
        return `(CASE WHEN ${items.map(i => `${i} = 1`).join(e.kind === 'and' ? ' AND ' : ' OR ')} THEN 1 ELSE 0 END)`;
      }
      case 'logicGroup': {
        const items = e.items.map(i => this.truth(i, scope));
        if (!items.length) return e.mode === 'all' ? '1' : '0';
        return `(CASE WHEN ${items.map(i => `${i} = 1`).join(e.mode === 'all' ? ' AND ' : ' OR ')} THEN 1 ELSE 0 END)`;
      }
      case 'not':
        return `(1 - ${this.truth(e.operand, scope)})`;
      case 'container': {
        if (SCOPE_RANK[e.scope] >= SCOPE_RANK[scope]) return this.truth(e.body, scope);
        const inner = this.truth(e.body, e.scope);
        return this.column(`MAX(${inner}) OVER (PARTITION BY ${this.unitKey(scope)})`);
      }
      case 'sequence':
        return this.sequence(e, scope);
      case 'only': {
        // `only … per S`: for the audience, some S unit of the row's unit where the sequence holds.
        const per = e.scope ?? scope;
        if (per === scope) return this.sequence(e.sequence, scope);
        if (SCOPE_RANK[per] > SCOPE_RANK[scope]) throw new SqlUnsupported('sql-unsupported-only-scope', `\`only ${e.mode} (…) per ${per}\` inside ${scope === 'event' ? 'an' : 'a'} ${scope} container (a sequence searched per ${per}, returning events) does not compile to SQL; the engine (preview, members, publish) evaluates it.`, e);
        return this.column(`MAX(${this.sequence(e.sequence, per)}) OVER (PARTITION BY ${this.unitKey(scope)})`);
      }
      case 'filterRef':
        return this.withReference(e, root => this.truth(root, scope));
      case 'error':
        throw new SqlUnsupported('sql-rule-error', 'The rule has a syntax error here; fix it before compiling.', e);
    }
  }

  private kindOf(c: Condition): 'dimension' | 'metric' | 'countDistinct' {
    if (c.subject.kind === 'countDistinct') return 'countDistinct';
    if (this.dataView.metrics.some(m => m.name === c.subject.name)) return 'metric';
    if (this.dataView.dimensions.some(m => m.name === c.subject.name)) return 'dimension';
    throw new SqlUnsupported('sql-unknown-name', `\`${c.subject.name}\` is not a dimension or metric of data view \`${this.dataView.id}\`.`, c.subject);
  }

  private source(name: string, at: { start: number; end: number }): string {
    const s = this.sources.get(name);
    if (!s) throw new SqlUnsupported('sql-unknown-name', `\`${name}\` is not a dimension or metric of data view \`${this.dataView.id}\`.`, at);
    return s;
  }

  private condition(c: Condition, scope: Scope): string {
    const kind = this.kindOf(c);
    const v = this.source(c.subject.name, c.subject);
    const positive = NEGATION[c.op] ?? c.op;
    const negated = positive !== c.op;
    if (kind === 'dimension') {
      const dim = this.dataView.dimensions.find(x => x.name === c.subject.name)!;
      let pred = `${v} IS NOT NULL`;
      if (positive !== 'exists') pred += ` AND (${dim.type === 'number' ? this.numberTest(c, positive, v) : this.stringPredicate(c, positive, v)})`;
      // As in the engine: the negation is per event, then attribution keeps only its events.
      const allowed = this.attribution(c, v);
      let event = negated ? `(CASE WHEN ${pred} THEN 0 ELSE 1 END)` : `(CASE WHEN ${pred} THEN 1 ELSE 0 END)`;
      if (allowed) event = `(CASE WHEN ${allowed} = 1 AND ${event} = 1 THEN 1 ELSE 0 END)`;
      if (scope === 'event') return event;
      return this.column(`MAX(${event}) OVER (PARTITION BY ${this.unitKey(scope)})`);
    }
    if (c.attribution !== 'repeating') throw new SqlUnsupported('sql-unsupported', 'Attribution applies to dimensions only.', c);
    let total: string;
    if (kind === 'metric') {
      const present = positive === 'exists' ? `(CASE WHEN ${v} IS NOT NULL AND ${v} <> 0 THEN 1 ELSE 0 END)` : `COALESCE(${v}, 0)`;
      if (scope === 'event') total = present;
      else total = this.column(`${positive === 'exists' ? 'MAX' : 'SUM'}(${present}) OVER (PARTITION BY ${this.unitKey(scope)})`);
    } else {
      const first = this.column(`CASE WHEN ${v} IS NOT NULL AND ROW_NUMBER() OVER (PARTITION BY ${this.unitKey(scope)}, ${v} ORDER BY _pos) = 1 THEN 1 ELSE 0 END`);
      total = scope === 'event' ? first : this.column(`SUM(${first}) OVER (PARTITION BY ${this.unitKey(scope)})`);
    }
    const test = positive === 'exists' ? `${total} > 0` : this.numberTest(c, positive, total);
    return negated ? `(CASE WHEN ${test} THEN 0 ELSE 1 END)` : `(CASE WHEN ${test} THEN 1 ELSE 0 END)`;
  }

  /** The 0/1 column of events the attribution model lets the condition see, or undefined. */
  private attribution(c: Condition, v: string): string | undefined {
    if (c.attribution === 'repeating') return undefined;
    if (c.attribution === 'instance') return this.instanceFlag(v);
    const unit = c.attributionScope === 'session' ? '_p, _s' : '_p';
    return this.column(`CASE WHEN ${v} IS NOT NULL AND ROW_NUMBER() OVER (PARTITION BY ${unit}, ${v} ORDER BY _pos) = 1 THEN 1 ELSE 0 END`);
  }

  /** 1 where the value is present and differs from the person's previous present value. */
  private instanceFlag(v: string): string {
    const prev = this.d.lag(v, `_p, (${v} IS NULL)`, '_pos');
    return this.column(`CASE WHEN ${v} IS NOT NULL AND (${prev} IS NULL OR ${prev} <> ${v}) THEN 1 ELSE 0 END`);
  }

  private literalNumber(l: Literal): number {
    if (l.kind === 'number') return l.value;
    const t = l.value.trim();
    return t.length === 0 ? NaN : Number(t);
  }

  private num(n: number): string {
    return Object.is(n, -0) ? '0' : String(n);
  }

  /** Numeric test of a positive operator on a numeric SQL expression (a total or a number dimension). */
  private numberTest(c: Condition, op: Operator, x: string): string {
    const nums = c.values.map(l => this.literalNumber(l));
    const first = nums[0] ?? NaN;
    const cmp = (sym: string, n: number) => (Number.isNaN(n) ? '1 = 0' : `${x} ${sym} ${this.num(n)}`);
    switch (op) {
      case 'eq':
        return cmp('=', first);
      case 'in': {
        const ok = nums.filter(n => !Number.isNaN(n));
        return ok.length ? `${x} IN (${ok.map(n => this.num(n)).join(', ')})` : '1 = 0';
      }
      case 'lt':
      case 'gt':
      case 'le':
      case 'ge':
        return cmp(COMPARISON[op], first);
      case 'between':
        return `${cmp('>=', first)} AND ${cmp('<=', nums[1] ?? NaN)}`;
      default:
        throw new SqlUnsupported('sql-unsupported', `\`${c.subject.name}\` is a number; the text operator compares its decimal text in the engine, which SQL cannot reproduce exactly.`, c.opSpan);
    }
  }

  private stringPredicate(c: Condition, op: Operator, v: string): string {
    const d = this.d;
    const fold = (s: string) => (c.caseInsensitive ? s.toLowerCase() : s);
    const lits = c.values.map(l => fold(l.kind === 'string' ? l.value : String(l.value)));
    const x = c.caseInsensitive ? `LOWER(${v})` : v;
    const first = lits[0] ?? '';
    const lit = (s: string) => d.string(s);
    const cmp = (sym: string, s: string) => `${x}${d.binaryCollation} ${sym} ${lit(s)}${d.binaryCollation}`;
    switch (op) {
      case 'eq':
        return `${x} = ${lit(first)}`;
      case 'in':
        return lits.length ? `${x} IN (${lits.map(lit).join(', ')})` : '1 = 0';
      case 'contains':
        return d.like(x, ['', first, '']);
      case 'containsAny':
        return lits.length ? lits.map(l => d.like(x, ['', l, ''])).join(' OR ') : '1 = 0';
      case 'containsAll':
        return lits.length ? lits.map(l => d.like(x, ['', l, ''])).join(' AND ') : '1 = 1';
      case 'startsWith':
        return d.like(x, [first, '']);
      case 'endsWith':
        return d.like(x, ['', first]);
      case 'matches':
        return lits.length ? lits.map(l => d.like(x, globSegments(l))).join(' OR ') : '1 = 0';
      case 'lt':
      case 'gt':
      case 'le':
      case 'ge':
        return cmp(COMPARISON[op], first);
      case 'between':
        return `${cmp('>=', first)} AND ${cmp('<=', lits[1] ?? first)}`;
      default:
        throw new SqlUnsupported('sql-unsupported', `Operator \`${op}\` does not compile to SQL.`, c.opSpan);
    }
  }

  // ---- sequences --------------------------------------------------------------------------

  private sequence(seq: Sequence, scope: Scope): string {
    if (scope === 'event') throw new SqlUnsupported('sql-unsupported-sequence', 'A sequence inside an event container (one event) does not compile to SQL; put it in a person or session container.', seq);
    const flat = flattenSteps(seq);
    if (this.isChain(flat, scope)) return this.chainSequence(flat, scope);
    if (linearGaps(flat, this.d)) return this.linearSequence(seq, flat, scope);
    if (!this.d.correlatedSubqueries && seq.steps.some(s => s.exclude)) {
      throw new SqlUnsupported('sql-dialect-unsupported', `Exclude checkpoints compile to correlated NOT EXISTS subqueries, which ${this.d.name} does not support.`, seq.steps.find(s => s.exclude)!);
    }
    const steps = flattenSteps(seq);
    const keys: SpanKeys = { calendar: false, instances: [] };
    for (const s of steps) {
      for (const c of s.constraints) {
        if (c.unit.kind === 'time' && MONTHS[c.unit.unit] !== undefined) keys.calendar = true;
        if (c.unit.kind === 'dimension' && !keys.instances.includes(c.unit.name.name)) keys.instances.push(c.unit.name.name);
      }
    }
    for (const name of keys.instances) this.instanceCounter(name, seq);
    // Checkpoint columns first (they add layers), then span CTEs over the final layer.
    const specs = steps.map(s => this.spanSpec(s.checkpoint, scope));
    const layer = this.layer;
    const n = ++this.counter;
    const spanNames = specs.map((spec, k) => {
      const name = `q${n}_sp${k + 1}`;
      this.cte(name, this.spanSql(spec, scope, layer, keys));
      return name;
    });
    const U = this.unitCols(scope);
    const on = (a: string, b: string) => U.map(u => `${a}.${u} = ${b}.${u}`).join(' AND ');
    const keyCols = (prefix: string) => ['', ...(keys.calendar ? ['ts'] : []), 't', 'sn', ...keys.instances.map((_, i) => `i${i}`)].map(k => (k ? `${prefix}_${k}` : prefix));
    const checkpoints: number[] = [];
    steps.forEach((s, k) => {
      if (!s.exclude) checkpoints.push(k);
    });
    const result = `q${n}`;
    if (!checkpoints.length) {
      const none = steps.map((_, k) => `NOT EXISTS (SELECT 1 FROM ${spanNames[k]} x WHERE ${on('x', 'u')})`).join(' AND ');
      this.cte(result, `SELECT DISTINCT ${U.map(u => `u.${u}`).join(', ')}, 1 AS hit FROM ${layer} u WHERE ${none}`);
      return this.joinBack(result, U);
    }
    let prev = '';
    checkpoints.forEach((k, idx) => {
      const name = `q${n}_f${idx + 1}`;
      const cp = steps[k];
      const before = steps.slice(idx === 0 ? 0 : checkpoints[idx - 1] + 1, k).map((s, j) => ({ step: s, span: spanNames[(idx === 0 ? 0 : checkpoints[idx - 1] + 1) + j] }));
      // Every column is aliased: ClickHouse names an unaliased `sp._p` after a JOIN `sp._p`, not `_p`.
      const cols = `${U.map(u => `sp.${u} AS ${u}`).join(', ')}, ${keyCols('e').map(c => `sp.${c} AS ${c}`).join(', ')}`;
      const conds: string[] = [];
      let from: string;
      if (idx === 0) {
        from = `${spanNames[k]} sp`;
        for (const x of before) {
          const gaps = cp.constraints.map(g => this.gap(g, 'x', 'e', 'sp', 's', keys));
          conds.push(`NOT EXISTS (SELECT 1 FROM ${x.span} x WHERE ${on('x', 'sp')} AND x.e < sp.s${gaps.map(g => ` AND ${g}`).join('')})`);
        }
      } else {
        from = `${prev} f JOIN ${spanNames[k]} sp ON ${on('f', 'sp')}`;
        conds.push('sp.s > f.e', ...cp.constraints.map(g => this.gap(g, 'f', 'e', 'sp', 's', keys)));
        // An exclude between: the next checkpoint starts at or before the earliest end of an
        // exclude span that starts after the previous end (within the exclude's own gaps).
        before.forEach((x, j) => {
          const limit = `${name}_x${j + 1}`;
          const gaps = x.step.constraints.map(g => this.gap(g, 'f', 'e', 'x', 's', keys));
          const fkeys = [...U, 'e'].map(c => `f.${c}`).join(', ');
          this.cte(limit, `SELECT ${fkeys}, MIN(x.e) AS lim\nFROM ${prev} f JOIN ${x.span} x ON ${on('x', 'f')}\nWHERE x.s > f.e${gaps.map(g => ` AND ${g}`).join('')}\nGROUP BY ${fkeys}`);
          from += `\nLEFT JOIN ${limit} b${j + 1} ON ${[...U, 'e'].map(c => `b${j + 1}.${c} = f.${c}`).join(' AND ')}`;
          conds.push(`(b${j + 1}.lim IS NULL OR sp.s <= b${j + 1}.lim)`);
        });
      }
      this.cte(name, `SELECT DISTINCT ${cols} FROM ${from}${conds.length ? `\nWHERE ${conds.join('\n  AND ')}` : ''}`);
      prev = name;
    });
    const after = steps.slice(checkpoints[checkpoints.length - 1] + 1).map((s, j) => ({ step: s, span: spanNames[checkpoints[checkpoints.length - 1] + 1 + j] }));
    const ends = after.map(x => {
      const gaps = x.step.constraints.map(g => this.gap(g, 'f', 'e', 'x', 's', keys));
      return `NOT EXISTS (SELECT 1 FROM ${x.span} x WHERE ${on('x', 'f')} AND x.s > f.e${gaps.map(g => ` AND ${g}`).join('')})`;
    });
    this.cte(result, `SELECT DISTINCT ${U.map(u => `f.${u} AS ${u}`).join(', ')}, 1 AS hit FROM ${prev} f${ends.length ? `\nWHERE ${ends.join('\n  AND ')}` : ''}`);
    return this.joinBack(result, U);
  }

  /** Whether a sequence is a plain chain: event checkpoints only, no exclude, time gaps of fixed length. */
  private isChain(steps: SequenceStep[], scope: Scope): boolean {
    return steps.every(st => !st.exclude && this.isEventCheckpoint(st.checkpoint, scope) && st.constraints.every(g => g.unit.kind === 'time' && MS[g.unit.unit] !== undefined));
  }

  /** Whether a checkpoint matches single events (what `spanSpec` gives as `events`, or a union of them). */
  private isEventCheckpoint(cp: Expr, scope: Scope): boolean {
    switch (cp.kind) {
      case 'container':
        return cp.scope === 'event' && scope !== 'event';
      case 'logicGroup':
        return !(cp.mode === 'all' && cp.items.length > 1) && cp.items.every(i => this.isEventCheckpoint(i, scope));
      case 'filterRef':
        return this.withReference(cp, root => this.isEventCheckpoint(root, scope));
      case 'sequence':
        return false;
      default:
        return true;
    }
  }

  /**
   * A plain chain of event checkpoints with time gaps, as one running window per step — the shape of
   * a hand-written funnel query. Step k's candidates and step k − 1's reached events are sorted
   * together per unit; each candidate sees the latest reached time before it (a running MAX), and is
   * reached when that end is early enough for every `after` gap (strictly more than N later; with no
   * `after`, any earlier event in (time, order)) and late enough for every `within` gap (at most N).
   * The latest end is the best one for `within`, and every earlier end also satisfies `after`.
   */
  private chainSequence(steps: SequenceStep[], scope: Scope): string {
    const d = this.d;
    const U = this.unitCols(scope);
    const columns = steps.map(st => eventColumn(this.spanSpec(st.checkpoint, scope)));
    const layer = this.layer;
    const n = ++this.counter;
    const q = (name: string) => `q${n}_${name}`;
    const units = (a: string) => U.map(u => `${a}.${u} AS ${u}`).join(', ');
    const noTime = d.name === 'clickhouse' ? 'CAST(NULL AS Nullable(Int64))' : 'CAST(NULL AS BIGINT)';
    const time = (x: string) => (d.name === 'clickhouse' ? `toNullable(${x})` : x);
    let prev = q('r1');
    this.cte(prev, `SELECT ${units('a')}, a._t AS _t, a._o AS _o FROM ${layer} a WHERE ${columns[0]} = 1`);
    steps.slice(1).forEach((st, i) => {
      const k = i + 2;
      const ms = (g: GapConstraint) => Math.round(g.count * MS[(g.unit as { unit: string }).unit]);
      const afters = st.constraints.filter(g => g.limit === 'after').map(ms);
      const withins = st.constraints.filter(g => g.limit === 'within').map(ms);
      const after = afters.length ? Math.max(...afters) : undefined;
      const within = withins.length ? Math.min(...withins) : undefined;
      // Sort key (k1, f, k2, kind): candidates (t, 0, order, 0); reached ends (t, 0, order, 1), or
      // (t + after, 1, order, 1) with an `after` gap: an end counts for the candidates sorted after it.
      const [c, r, z] = [`c${n}_${k}`, `e${n}_${k}`, `z${n}_${k}`];
      const m = q(`m${k}`);
      this.cte(m, `SELECT ${units(z)}, ${z}._t AS _t, ${z}._o AS _o, ${z}.kind AS kind, MAX(${z}.te) OVER (PARTITION BY ${U.map(u => `${z}.${u}`).join(', ')} ORDER BY ${z}.k1, ${z}.f, ${z}.k2, ${z}.kind ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS m
FROM (
  SELECT ${units(c)}, ${c}._t AS k1, 0 AS f, ${c}._o AS k2, 0 AS kind, ${c}._t AS _t, ${c}._o AS _o, ${noTime} AS te FROM ${layer} ${c} WHERE ${columns[i + 1]} = 1
  UNION ALL
  SELECT ${units(r)}, ${r}._t${after !== undefined ? ` + ${after}` : ''} AS k1, ${after !== undefined ? 1 : 0} AS f, ${r}._o AS k2, 1 AS kind, ${r}._t AS _t, ${r}._o AS _o, ${time(`${r}._t`)} AS te FROM ${prev} ${r}
) ${z}`);
      const w = `w${n}_${k}`;
      prev = q(`r${k}`);
      this.cte(prev, `SELECT ${units(w)}, ${w}._t AS _t, ${w}._o AS _o FROM ${m} ${w} WHERE ${w}.kind = 0 AND ${w}.m IS NOT NULL${within !== undefined ? ` AND ${w}._t - ${w}.m <= ${within}` : ''}`);
    });
    const result = q('hit');
    const h = `h${n}`;
    this.cte(result, `SELECT DISTINCT ${units(h)}, 1 AS hit FROM ${prev} ${h}`);
    return this.joinBack(result, U);
  }

  /**
   * A sequence as window functions over one timeline of the unit's events — linear in the events
   * (each step one sort per unit), no join between two steps' candidates, no correlated subquery:
   * the engine's dynamic programme (engine/sequence.ts) written in SQL.
   *
   * - Each gap `within`/`after N <unit>` measured from position e is a bound on positions: the
   *   last position whose key is at most key(e) + N (`lp` columns: MAX(_pos) over a RANGE frame).
   * - Reachable ends of checkpoint k give intervals [lo, hi] of starts for checkpoint k + 1 (after
   *   gaps raise lo, within gaps and the first exclude span between lower hi); a start is feasible
   *   when the running maximum of hi over the intervals with lo at or before it reaches it (one
   *   sorted sweep of intervals and candidate starts together).
   * - Exclude spans are looked up on the timeline: the first exclude start after a position (MIN
   *   over a following frame), the number of exclude ends before one (a running SUM).
   */
  private linearSequence(seq: Sequence, steps: SequenceStep[], scope: Scope): string {
    const U = this.unitCols(scope);
    // Window expressions of the timeline name columns as `@col`, qualified when written out: ClickHouse
    // resolves a bare name inside an inlined CTE to an alias of the outer query (a "correlated" subquery).
    const part = `PARTITION BY ${U.map(u => `@${u}`).join(', ')}`;
    const keys: SpanKeys = { calendar: false, instances: [] };
    for (const st of steps) for (const c of st.constraints) if (c.unit.kind === 'dimension' && !keys.instances.includes(c.unit.name.name)) keys.instances.push(c.unit.name.name);
    for (const name of keys.instances) this.instanceCounter(name, seq);
    const specs = steps.map(st => this.spanSpec(st.checkpoint, scope));
    const layer = this.layer;
    const n = ++this.counter;
    const q = (name: string) => `q${n}_${name}`;
    const BIG = '2147483647';
    const big = (x: string) => `COALESCE(${x}, ${BIG})`;
    const least = (xs: string[]) => (xs.length === 1 ? xs[0] : `LEAST(${xs.join(', ')})`);
    const greatest = (xs: string[]) => (xs.length === 1 ? xs[0] : `GREATEST(${xs.join(', ')})`);
    const int = (x: string) => `CAST(${x} AS BIGINT)`;

    // Each step's spans, one row each (unit, s, e); exclude spans are flattened to their items.
    const spanNames = specs.map((spec, k) => {
      const name = q(`sp${k + 1}`);
      this.cte(name, this.spanSql(spec, scope, layer, keys));
      return name;
    });
    const items = (spec: SpanSpec): SpanSpec[] => (spec.kind === 'union' ? spec.items.flatMap(items) : [spec]);

    // The timeline: one row per event of the layer, with the exclude items' starts and ends.
    const t0: string[] = [...U.map(u => `p.${u} AS ${u}`), 'p._pos AS _pos', 'p._t AS _t', 'p._s AS _sn', ...keys.instances.map((nm, i) => `p.${this.instanceCounters.get(nm)} AS _i${i}`)];
    const joins: string[] = [];
    const excl = new Map<number, number>(); // step index -> number of items
    steps.forEach((st, j) => {
      if (!st.exclude) return;
      const its = items(specs[j]);
      excl.set(j, its.length);
      its.forEach((it, i) => {
        const x = `x${j}_${i}`;
        if (it.kind === 'events') {
          t0.push(`CASE WHEN ${it.column} = 1 THEN p._pos END AS ${x}s`, `CASE WHEN ${it.column} = 1 THEN p._pos END AS ${x}e`, `CASE WHEN ${it.column} = 1 THEN 1 ELSE 0 END AS ${x}f`);
          return;
        }
        const groups = this.unitCols((it as { scope: Scope }).scope);
        const spans = `${q(`u${j}_${i}`)}`;
        this.cte(spans, `SELECT ${groups.join(', ')}, MIN(_pos) AS s, MAX(_pos) AS e FROM ${layer} WHERE ${(it as { column: string }).column} = 1 GROUP BY ${groups.join(', ')}`);
        joins.push(`LEFT JOIN ${spans} ${x}a ON ${x}a._p = p._p AND ${x}a.s = p._pos`, `LEFT JOIN ${spans} ${x}b ON ${x}b._p = p._p AND ${x}b.e = p._pos`);
        // COALESCE(…, 0) > 0, not IS NULL: a missing joined row reads as 0 under ClickHouse's join_use_nulls = 0.
        t0.push(`CASE WHEN COALESCE(${x}a.s, 0) > 0 THEN ${x}a.s END AS ${x}s`, `CASE WHEN COALESCE(${x}a.s, 0) > 0 THEN ${x}a.e END AS ${x}e`, `CASE WHEN COALESCE(${x}b.e, 0) > 0 THEN 1 ELSE 0 END AS ${x}f`);
      });
    });
    this.cte(q('t0'), `SELECT ${t0.join(', ')}\nFROM ${layer} p${joins.length ? `\n${joins.join('\n')}` : ''}`);

    // Window columns of the timeline, named once each.
    const t1 = new Map<string, string>();
    const t2 = new Map<string, string>();
    const col = (map: Map<string, string>, expr: string) => {
      let name = map.get(expr);
      if (!name) map.set(expr, (name = `w${map === t1 ? 1 : 2}_${map.size + 1}`));
      return name;
    };
    const keyOf = (g: GapConstraint): { key: string; c: number } => {
      switch (g.unit.kind) {
        case 'time':
          return { key: '@_t', c: Math.round(g.count * MS[g.unit.unit]) };
        case 'event':
          return { key: '@_pos', c: g.count };
        case 'session':
          return { key: '@_sn', c: g.count };
        case 'dimension':
          return { key: `@_i${keys.instances.indexOf(g.unit.name.name)}`, c: g.count };
      }
    };
    const ul = col(t1, `MAX(@_pos) OVER (${part})`);
    /** The last position of the unit whose key is at most key(here) + c. */
    const lp = (g: GapConstraint) => {
      const { key, c } = keyOf(g);
      return col(t1, `MAX(@_pos) OVER (${part} ORDER BY ${key} RANGE BETWEEN CURRENT ROW AND ${c} FOLLOWING)`);
    };
    /** Item columns `x` (start / end), the first one at or after the exclude window's start from here. */
    const firstFrom = (x: string, after: GapConstraint | undefined) => {
      const frame = after ? (() => {
        const { key, c } = keyOf(after);
        return `${part} ORDER BY ${key} RANGE BETWEEN ${c + 1} FOLLOWING AND UNBOUNDED FOLLOWING`;
      })() : `${part} ORDER BY @_pos ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING`;
      return { s: col(t1, `MIN(@${x}s) OVER (${frame})`), e: col(t1, `MIN(@${x}e) OVER (${frame})`) };
    };
    /**
     * An exclude step's window from a position e: per item, the first span start in it and that
     * span's end (as SQL on the timeline row `t`), and the window's last allowed start `b`. With
     * several `after` gaps the window starts at the latest of their bounds; the first start after
     * a bound is non-decreasing in the bound, so it is the greatest of the per-gap first starts.
     */
    const excludeWindow = (j: number) => {
      const st = steps[j];
      const after = st.constraints.filter(g => g.limit === 'after');
      const within = st.constraints.filter(g => g.limit === 'within');
      const b = least([`t.${ul}`, ...within.map(g => `t.${lp(g)}`)]);
      const firsts = Array.from({ length: excl.get(j)! }, (_, i) => {
        const per = (after.length ? after : [undefined]).map(g => firstFrom(`x${j}_${i}`, g));
        if (per.length === 1) return { s: big(`t.${per[0].s}`), e: `t.${per[0].e}` };
        const fs = greatest(per.map(f => big(`t.${f.s}`)));
        return { s: fs, e: `(CASE ${per.map(f => `WHEN ${big(`t.${f.s}`)} = ${fs} THEN t.${f.e}`).join(' ')} END)` };
      });
      return { b, firsts };
    };

    // Reachable ends per checkpoint; exclude steps in between are the next checkpoint's.
    const checkpoints = steps.map((st, k) => (st.exclude ? -1 : k)).filter(k => k >= 0);
    const result = q('hit');
    const tl = q('tl');
    const tl2 = q('tl2');
    const finish = (rows: Array<[string, string]>, body: () => void) => {
      body();
      // Aliases differ from the outer queries' (ClickHouse inlines CTEs and takes a repeated alias for a correlated one).
      this.cte(tl, `SELECT tw1.*${[...t1].map(([e, nm]) => `, ${e.replace(/@/g, 'tw1.')} AS ${nm}`).join('')} FROM ${q('t0')} tw1`);
      this.cte(tl2, `SELECT tw2.*${[...t2].map(([e, nm]) => `, ${e.replace(/@/g, 'tw2.')} AS ${nm}`).join('')} FROM ${tl} tw2`);
      for (const [name, sql] of rows) this.cte(name, unique(sql));
    };
    const rows: Array<[string, string]> = [];
    // Both sides BIGINT: ClickHouse's ROW_NUMBER is unsigned and it joins no Int64 to a UInt64.
    const onPos = (alias: string, pos: string) => `${U.map(u => `${alias}.${u} = r.${u}`).join(' AND ')} AND ${int(`${alias}._pos`)} = ${int(pos)}`;
    // Each query below names its own aliases `r` and `t`; renamed per query so no two inlined CTEs share one.
    let queries = 0;
    const unique = (sql: string) => {
      const k = ++queries;
      return sql.replace(/\b([rt])\./g, `$1${n}_${k}.`).replace(/ ([rt])(?= JOIN| ON| WHERE|\n|$)/g, ` $1${n}_${k}`);
    };

    if (!checkpoints.length) {
      // Only exclude checkpoints: units where none of them occurs.
      finish(rows, () => {
        const any = [...excl].flatMap(([j, count]) => Array.from({ length: count }, (_, i) => `@x${j}_${i}f`));
        const none = col(t1, `MAX(${any.length ? `GREATEST(${any.join(', ')}, 0)` : '0'}) OVER (${part})`);
        rows.push([result, `SELECT DISTINCT ${U.map(u => `t.${u} AS ${u}`).join(', ')}, 1 AS hit FROM ${tl2} t WHERE t.${none} = 0`]);
      });
      return this.joinBack(result, U);
    }

    finish(rows, () => {
      // Checkpoint 1: its spans, minus those with a start exclude's end in the look-back window.
      const first = checkpoints[0];
      const cp1 = steps[first];
      const hits: string[] = [];
      for (let j = 0; j < first; j++) {
        const count = excl.get(j)!;
        const f = Array.from({ length: count }, (_, i) => `@x${j}_${i}f`).join(' + ');
        // Exclude ends before each position (a running count), then that count at the window's bounds.
        const ce = col(t1, `COALESCE(SUM(${f}) OVER (${part} ORDER BY @_pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)`);
        // The count is non-decreasing in position, so its MIN over a frame is its value at the frame's first row.
        const at = (g: GapConstraint) => {
          const { key, c } = keyOf(g);
          return `t.${col(t2, `MIN(@${ce}) OVER (${part} ORDER BY ${key} RANGE BETWEEN ${c} PRECEDING AND CURRENT ROW)`)}`;
        };
        const after = cp1.constraints.filter(g => g.limit === 'after');
        const within = cp1.constraints.filter(g => g.limit === 'within');
        const upper = after.length ? least(after.map(at)) : `t.${ce}`;
        const lower = within.length ? greatest(within.map(at)) : '0';
        hits.push(`${upper} - ${lower} > 0`);
      }
      const r1 = q('r1');
      const exclude = hits.length ? `\nWHERE NOT (${hits.join(' OR ')})` : '';
      rows.push([r1, `SELECT DISTINCT ${U.map(u => `r.${u} AS ${u}`).join(', ')}, r.e AS e\nFROM ${spanNames[first]} r JOIN ${tl2} t ON ${onPos('t', 'r.s')}${exclude}`]);
      let prev = r1;
      checkpoints.slice(1).forEach((k, idx) => {
        const st = steps[k];
        const between = steps.slice(checkpoints[idx] + 1, k).map((_, j) => checkpoints[idx] + 1 + j);
        const after = st.constraints.filter(g => g.limit === 'after');
        const within = st.constraints.filter(g => g.limit === 'within');
        const lo = greatest(['t._pos + 1', ...after.map(g => `t.${lp(g)} + 1`)]);
        const his = [`t.${ul}`, ...within.map(g => `t.${lp(g)}`)];
        for (const j of between) {
          const w = excludeWindow(j);
          his.push(least(w.firsts.map(f => `(CASE WHEN ${f.s} <= ${w.b} THEN ${f.e} ELSE ${BIG} END)`)));
        }
        const iv = q(`iv${idx + 2}`);
        rows.push([iv, `SELECT ${U.map(u => `r.${u} AS ${u}`).join(', ')}, ${int(lo)} AS lo, ${int(least(his))} AS hi\nFROM ${prev} r JOIN ${tl2} t ON ${onPos('t', 'r.e')}`]);
        const sw = q(`sw${idx + 2}`);
        const cand = spanNames[k];
        const vs = `v${n}_${idx + 2}`;
        const ia = `i${n}_${idx + 2}`;
        const ca = `c${n}_${idx + 2}`;
        rows.push([sw, `SELECT ${U.map(u => `${vs}.${u} AS ${u}`).join(', ')}, ${vs}.k AS k, ${vs}.kind AS kind, ${vs}.e AS e, MAX(${vs}.hi) OVER (PARTITION BY ${U.map(u => `${vs}.${u}`).join(', ')} ORDER BY ${vs}.k, ${vs}.kind ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS mh\nFROM (\n  SELECT ${U.map(u => `${ia}.${u} AS ${u}`).join(', ')}, ${ia}.lo AS k, 0 AS kind, ${ia}.hi AS hi, ${int('-1')} AS e FROM ${iv} ${ia} WHERE ${ia}.lo <= ${ia}.hi\n  UNION ALL\n  SELECT ${U.map(u => `${ca}.${u} AS ${u}`).join(', ')}, ${int(`${ca}.s`)} AS k, 1 AS kind, ${int('-1')} AS hi, ${int(`${ca}.e`)} AS e FROM ${cand} ${ca}\n) ${vs}`]);
        const r = q(`r${idx + 2}`);
        rows.push([r, `SELECT DISTINCT ${U.map(u => `t.${u} AS ${u}`).join(', ')}, t.e AS e FROM ${sw} t WHERE t.kind = 1 AND t.mh >= t.k`]);
        prev = r;
      });
      // End excludes: no span of theirs starts in the window after the last checkpoint's end.
      const last = checkpoints[checkpoints.length - 1];
      const ends = steps.slice(last + 1).map((_, j) => last + 1 + j);
      const fails = ends.flatMap(j => {
        const w = excludeWindow(j);
        return w.firsts.map(f => `${f.s} <= ${w.b}`);
      });
      rows.push([result, `SELECT DISTINCT ${U.map(u => `r.${u} AS ${u}`).join(', ')}, 1 AS hit\nFROM ${prev} r${fails.length ? ` JOIN ${tl2} t ON ${onPos('t', 'r.e')}\nWHERE NOT (${fails.join(' OR ')})` : ''}`]);
    });
    return this.joinBack(result, U);
  }

  private joinBack(result: string, U: string[]): string {
    const name = `c${++this.counter}`;
    const next = `l${++this.layers}`;
    // COALESCE, not IS NULL: under ClickHouse's default join_use_nulls = 0 a missing right row reads as 0.
    this.cte(next, `SELECT p.*, COALESCE(r.hit, 0) AS ${name}\nFROM ${this.layer} p LEFT JOIN ${result} r ON ${U.map(u => `p.${u} = r.${u}`).join(' AND ')}`);
    this.layer = next;
    return name;
  }

  private instanceCounter(name: string, at: { start: number; end: number }): string {
    let col = this.instanceCounters.get(name);
    if (!col) {
      const flag = this.instanceFlag(this.source(name, at));
      col = this.column(`SUM(${flag}) OVER (PARTITION BY _p ORDER BY _pos ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`);
      this.instanceCounters.set(name, col);
    }
    return col;
  }

  /** The gap condition from the `fromEnd` key columns of `from` to the `toEnd` keys of `to`. */
  private gap(g: GapConstraint, from: string, fromEnd: 'e' | 's', to: string, toEnd: 'e' | 's', keys: SpanKeys): string {
    const sym = g.limit === 'within' ? '<=' : '>';
    const f = (k: string) => `${from}.${fromEnd}${k}`;
    const t = (k: string) => `${to}.${toEnd}${k}`;
    switch (g.unit.kind) {
      case 'time': {
        const months = MONTHS[g.unit.unit];
        if (months !== undefined) return `${t('_ts')} ${sym} ${this.d.addMonths(f('_ts'), Math.floor(g.count * months))}`;
        return `${t('_t')} ${sym} ${f('_t')} + ${Math.round(g.count * MS[g.unit.unit])}`;
      }
      case 'event':
        return `${t('')} ${sym} ${f('')} + ${g.count}`;
      case 'session':
        return `${t('_sn')} ${sym} ${f('_sn')} + ${g.count}`;
      case 'dimension': {
        const i = keys.instances.indexOf(g.unit.name.name);
        return `${t(`_i${i}`)} ${sym} ${f(`_i${i}`)} + ${g.count}`;
      }
    }
  }

  /** Where a checkpoint is matched: events of a 0/1 column, or whole units of a scope. */
  private spanSpec(cp: Expr, scope: Scope): SpanSpec {
    switch (cp.kind) {
      case 'container': {
        if (SCOPE_RANK[cp.scope] >= SCOPE_RANK[scope]) return { kind: 'units', scope, column: this.truth(cp.body, scope) };
        if (cp.scope === 'event') return { kind: 'events', column: this.truth(cp.body, 'event') };
        return { kind: 'units', scope: cp.scope, column: this.truth(cp.body, cp.scope) };
      }
      case 'logicGroup': {
        if (cp.mode === 'all' && cp.items.length > 1) {
          throw new SqlUnsupported('sql-unsupported-all-of', '`all of (...)` as a sequence checkpoint (items matched in any order, spanning events) does not compile to SQL.', cp);
        }
        return { kind: 'union', items: cp.items.map(i => this.spanSpec(i, scope)) };
      }
      case 'filterRef':
        return this.withReference(cp, root => this.spanSpec(root, scope));
      case 'sequence':
        throw new SqlUnsupported('sql-unsupported-sequence', 'A sequence used as an exclude checkpoint does not compile to SQL.', cp);
      default:
        return { kind: 'events', column: this.truth(cp, 'event') };
    }
  }

  private spanSql(spec: SpanSpec, scope: Scope, layer: string, keys: SpanKeys): string {
    const U = this.unitCols(scope);
    const keyOf = (alias: string, prefix: string) =>
      [...(keys.calendar ? [`${alias}._ts AS ${prefix}_ts`] : []), `${alias}._t AS ${prefix}_t`, `${alias}._s AS ${prefix}_sn`, ...keys.instances.map((n, i) => `${alias}.${this.instanceCounters.get(n)} AS ${prefix}_i${i}`)];
    switch (spec.kind) {
      case 'events':
        return `SELECT ${U.map(u => `x.${u} AS ${u}`).join(', ')}, x._pos AS s, x._pos AS e, ${[...keyOf('x', 's'), ...keyOf('x', 'e')].join(', ')}\nFROM ${layer} x WHERE ${spec.column} = 1`;
      case 'units': {
        const group = this.unitCols(spec.scope);
        const inner = `SELECT ${group.join(', ')}, MIN(_pos) AS s, MAX(_pos) AS e FROM ${layer} WHERE ${spec.column} = 1 GROUP BY ${group.join(', ')}`;
        return `SELECT ${U.map(u => `xs.${u} AS ${u}`).join(', ')}, a.s AS s, a.e AS e, ${[...keyOf('xs', 's'), ...keyOf('xe', 'e')].join(', ')}\nFROM (${inner}) a\nJOIN ${layer} xs ON xs._p = a._p AND xs._pos = a.s\nJOIN ${layer} xe ON xe._p = a._p AND xe._pos = a.e`;
      }
      case 'union':
        return spec.items.map(i => this.spanSql(i, scope, layer, keys)).join('\nUNION DISTINCT\n');
    }
  }
}

/**
 * Whether a sequence's gaps suit the linear form: fixed-length units only (calendar months,
 * quarters and years are not a constant offset of a RANGE frame), and on ClickHouse time gaps
 * that fit its 32-bit RANGE offsets.
 */
function linearGaps(steps: SequenceStep[], d: SqlDialect): boolean {
  for (const st of steps) {
    if (st.constraints.some(g => g.unit.kind === 'time' && MONTHS[g.unit.unit] !== undefined)) return false;
    // ClickHouse takes RANGE offsets up to 2^31 - 1 only: in milliseconds, gaps shorter than about 24.8 days.
    if (d.name === 'clickhouse' && st.constraints.some(g => g.unit.kind === 'time' && Math.round(g.count * MS[g.unit.unit]) + 1 > 2_147_483_647)) return false;
  }
  return true;
}

/** The 0/1 column of a checkpoint that matches single events (a union of them: either column). */
function eventColumn(spec: SpanSpec): string {
  if (spec.kind === 'events') return spec.column;
  if (spec.kind === 'union') return `(CASE WHEN ${spec.items.map(i => `${eventColumn(i)} = 1`).join(' OR ')} THEN 1 ELSE 0 END)`;
  throw new Error('eventColumn: not an event checkpoint');
}

type SpanSpec = { kind: 'events'; column: string } | { kind: 'units'; scope: Scope; column: string } | { kind: 'union'; items: SpanSpec[] };

function containsAnd(e: Expr): boolean {
  if (e.kind === 'and') return true;
  if (e.kind === 'or') return e.items.some(containsAnd);
  return false;
}


/** Literal segments of a glob (`*` wildcard, `\x` the character x), as the engine splits them. */
function globSegments(pattern: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) current += pattern[++i];
    else if (c === '*') {
      segments.push(current);
      current = '';
    } else current += c;
  }
  segments.push(current);
  return segments;
}
