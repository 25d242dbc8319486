/**
 * PostgreSQL through `pg`, rows streamed with a server-side cursor (`pg-cursor`, 5,000 rows a
 * read) so an audience of millions never sits in memory at once. The URL names the server and
 * database; user and password come from `credentials` or libpq's environment (PGUSER, PGPASSWORD).
 * Abort cancels the running statement on the server (pg_cancel_backend through a second connection).
 */
import { Client } from 'pg';
import Cursor from 'pg-cursor';
import type { DataView, WarehouseSource } from '../dataview/model';
import type { Credentials, Row, WarehouseConnection } from './connection';
import { WarehouseError } from './connection';

const BATCH = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;

export async function openPostgres(dataView: DataView, source: WarehouseSource, credentials: Credentials): Promise<WarehouseConnection> {
  const url = new URL(source.url!);
  const where = `PostgreSQL ${url.host}${url.pathname}`;
  const config = {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    user: credentials.user ?? process.env.PGUSER,
    password: credentials.password ?? process.env.PGPASSWORD,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'audience-filters',
  };
  const client = new Client(config);
  // A connection that drops later surfaces as the running query's error; this keeps it from crashing the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw new WarehouseError(`Data view \`${dataView.id}\`: cannot connect to ${where}: ${pgMessage(e)}`, 'connect');
  }
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  return {
    engine: 'postgres',
    dialect: 'postgres',
    async *query(sql: string, options: { signal?: AbortSignal } = {}): AsyncIterable<Row[]> {
      const signal = options.signal;
      if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
      const cursor = client.query(new Cursor(sql, [], { rowMode: 'array' }));
      const onAbort = () => void cancelBackend(config, pid);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for (;;) {
          let rows: Row[];
          try {
            rows = await cursor.read(BATCH);
          } catch (e) {
            if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
            throw new WarehouseError(`Data view \`${dataView.id}\`, ${where}: ${pgMessage(e)}`);
          }
          if (rows.length === 0) break;
          yield rows;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        await cursor.close().catch(() => undefined);
      }
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}

async function cancelBackend(config: ConstructorParameters<typeof Client>[0], pid: number): Promise<void> {
  const other = new Client(config);
  other.on('error', () => undefined);
  try {
    await other.connect();
    await other.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The query ends with the connection anyway.
  } finally {
    await other.end().catch(() => undefined);
  }
}

function pgMessage(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return pgMessage(e.errors[0]);
  const err = e as { message?: string; code?: string };
  const text = (err.message || err.code || String(e)).split('\n')[0].trim();
  return text;
}
