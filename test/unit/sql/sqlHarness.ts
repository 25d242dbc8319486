/**
 * Runs compiled SQL on real engines: DuckDB in-process and PostgreSQL (a private cluster started by
 * scripts/setup-postgres.sh, queried with `psql`). The events table is built from a loaded
 * Dataset, so both sides see exactly the values the engine sees.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventsTable } from '../../../core/src/warehouse/fromDataset';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export { eventsTable } from '../../../core/src/warehouse/fromDataset';
export type { EventsTable } from '../../../core/src/warehouse/fromDataset';

function sqlLiteral(v: string | number | null, type: EventsTable['columns'][number]['type']): string {
  if (v === null) return 'NULL';
  if (type === 'timestamp') return `TIMESTAMP '${new Date(v as number).toISOString().replace('T', ' ').replace('Z', '')}'`;
  if (typeof v === 'number') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

/** CREATE TABLE and INSERT statements (standard SQL, for DuckDB and PostgreSQL). */
export function tableSql(table: string, t: EventsTable): string[] {
  const types = { text: 'VARCHAR', number: 'DOUBLE PRECISION', timestamp: 'TIMESTAMP', integer: 'INTEGER' };
  const out = [`DROP TABLE IF EXISTS ${table}`, `CREATE TABLE ${table} (${t.columns.map(c => `"${c.name}" ${types[c.type]}`).join(', ')})`];
  for (let i = 0; i < t.rows.length; i += 500) {
    const chunk = t.rows.slice(i, i + 500).map(r => `(${r.map((v, j) => sqlLiteral(v, t.columns[j].type)).join(', ')})`);
    out.push(`INSERT INTO ${table} VALUES ${chunk.join(',\n')}`);
  }
  return out;
}

export type Audience = Array<{ namespace: string; id: string }>;

export class DuckDb {
  private constructor(private readonly conn: DuckDBConnection) {}

  static async open(): Promise<DuckDb> {
    const instance = await DuckDBInstance.create(':memory:');
    return new DuckDb(await instance.connect());
  }

  async exec(statements: string[]): Promise<void> {
    for (const s of statements) await this.conn.run(s);
  }

  async audience(sql: string): Promise<Audience> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRows().map(r => ({ namespace: String(r[0]), id: String(r[1]) }));
  }

  close(): void {
    this.conn.closeSync();
  }
}

/** A private PostgreSQL cluster; `start` fails with the reason when it cannot run. */
export class Postgres {
  private constructor(private readonly env: NodeJS.ProcessEnv, private readonly dir: string) {}

  static start(): Postgres {
    const script = path.join(REPO_ROOT, 'scripts', 'setup-postgres.sh');
    const r = spawnSync('bash', [script], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`PostgreSQL could not start (scripts/setup-postgres.sh exited ${r.status}): ${r.stderr || r.error?.message}`);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const line of r.stdout.split('\n')) {
      const m = /^(PG[A-Z]+)=(.*)$/.exec(line);
      if (m) env[m[1]] = m[2];
    }
    if (!env.PGPORT || !env.PGDIR) throw new Error(`scripts/setup-postgres.sh printed no connection info: ${r.stdout}`);
    return new Postgres(env, env.PGDIR);
  }

  stop(): void {
    spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'setup-postgres.sh'), '--stop', this.dir], { encoding: 'utf8' });
  }

  /** Runs a script of statements; throws with psql's message on the first error. */
  run(script: string): string {
    const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\x1f', '-R', '\x1e', '-f', '-'], { input: script, env: this.env, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`psql failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  exec(statements: string[]): void {
    this.run(statements.map(s => `${s};\n`).join(''));
  }

  /** Runs several audience queries in one psql session; one audience per query. */
  audiences(queries: string[]): Audience[] {
    const marker = '@@af-query@@';
    const script = queries.map(q => `\\echo ${marker}\n${q};\n`).join('');
    const out = this.run(script);
    const parts = out.split(`${marker}\n`).slice(1);
    return parts.map(part =>
      part
        .split('\x1e')
        .map(r => r.replace(/^\n+|\n+$/g, ''))
        .filter(r => r.length > 0)
        .map(r => {
          const [namespace, id] = r.split('\x1f');
          return { namespace, id };
        }),
    );
  }
}

const CH_TYPES = { text: 'Nullable(String)', number: 'Nullable(Float64)', timestamp: "DateTime64(3, 'UTC')", integer: 'Int64' } as const;

function chLiteral(v: string | number | null, type: keyof typeof CH_TYPES): string {
  if (v === null || v === undefined) return 'NULL';
  if (type === 'timestamp') return `toDateTime64('${new Date(v as number).toISOString().replace('T', ' ').replace('Z', '')}', 3, 'UTC')`;
  if (type === 'text') return `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return String(v);
}

/** Current ClickHouse (26.x) in-process through `chdb`, with its defaults (join_use_nulls = 0). */
export class ChDb {
  private constructor(private readonly session: import('chdb').Session) {}

  static async open(): Promise<ChDb> {
    const { Session } = await import('chdb');
    return new ChDb(new Session());
  }

  /** Creates table `table` holding `t` (MergeTree), in batches of 500 rows. */
  load(table: string, t: EventsTable): void {
    this.session.query(`DROP TABLE IF EXISTS ${table}`);
    this.session.query(`CREATE TABLE ${table} (${t.columns.map(c => `\`${c.name}\` ${CH_TYPES[c.type]}`).join(', ')}) ENGINE = MergeTree ORDER BY tuple()`);
    for (let i = 0; i < t.rows.length; i += 500) {
      this.session.query(`INSERT INTO ${table} VALUES ${t.rows.slice(i, i + 500).map(r => `(${r.map((v, j) => chLiteral(v, t.columns[j].type)).join(', ')})`).join(', ')}`);
    }
  }

  count(table: string): number {
    return Number(this.session.query(`SELECT count() FROM ${table}`, 'CSV').trim());
  }

  /** The audience a query returns (TabSeparated: namespace, id). */
  audience(sql: string): Audience {
    return this.session
      .query(sql, 'TSV')
      .split('\n')
      .filter(l => l.length > 0)
      .map(l => {
        const [namespace, id] = l.split('\t');
        return { namespace, id };
      });
  }

  close(): void {
    this.session.cleanup();
  }
}
