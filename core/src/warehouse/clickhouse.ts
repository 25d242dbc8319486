/**
 * ClickHouse over its HTTP interface (port 8123), with plain HTTP rather than a client library so
 * that old servers (Debian's 18.16) work as well as current ones: the query goes in the POST body,
 * rows come back as TabSeparated lines, read as they arrive. User and password come from
 * `credentials` or CLICKHOUSE_USER / CLICKHOUSE_PASSWORD, sent as X-ClickHouse-* headers.
 * Abort closes the request, and the server stops the query (cancel_http_readonly_queries_on_client_close).
 */
import * as http from 'http';
import * as https from 'https';
import type { DataView, WarehouseSource } from '../dataview/model';
import type { Credentials, Row, WarehouseConnection } from './connection';
import { WarehouseError } from './connection';

export async function openClickHouse(dataView: DataView, source: WarehouseSource, credentials: Credentials): Promise<WarehouseConnection> {
  const url = new URL(source.url!);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const where = `ClickHouse ${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  const user = credentials.user ?? process.env.CLICKHOUSE_USER;
  const password = credentials.password ?? process.env.CLICKHOUSE_PASSWORD;
  if (user) headers['X-ClickHouse-User'] = user;
  if (password) headers['X-ClickHouse-Key'] = password;
  const endpoint = new URL(`${url.protocol}//${url.host}/`);
  if (database) endpoint.searchParams.set('database', database);

  const connection: WarehouseConnection = {
    engine: 'clickhouse',
    dialect: 'clickhouse',
    async *query(sql: string, options: { signal?: AbortSignal } = {}): AsyncIterable<Row[]> {
      const signal = options.signal;
      if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
      const body = `${sql}\nFORMAT TabSeparated`;
      const res = await request(endpoint, headers, body, signal).catch((e: Error) => {
        if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
        throw new WarehouseError(`Data view \`${dataView.id}\`: cannot reach ${where}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, 'connect');
      });
      if (res.statusCode !== 200) {
        const text = await readAll(res);
        throw new WarehouseError(`Data view \`${dataView.id}\`, ${where}: ${clickHouseMessage(text, res.statusCode)}`, res.statusCode === 401 || res.statusCode === 403 || /Authentication failed|password is incorrect/i.test(text) ? 'connect' : 'query');
      }
      let rest = '';
      try {
        for await (const chunk of res) {
          const text = rest + (chunk as Buffer).toString('utf8');
          const lines = text.split('\n');
          rest = lines.pop() ?? '';
          if (lines.length) yield lines.map(parseTsvRow);
        }
      } catch (e) {
        if (signal?.aborted) throw new WarehouseError('The query was cancelled.', 'cancelled');
        throw new WarehouseError(`Data view \`${dataView.id}\`, ${where}: the connection dropped during the query (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
      }
      if (!res.complete) throw new WarehouseError(`Data view \`${dataView.id}\`, ${where}: the connection dropped during the query.`);
      // ClickHouse reports an error met after the first rows inside the body.
      if (/^Code: \d+/.test(rest) || /\nCode: \d+\. DB::Exception/.test(rest)) throw new WarehouseError(`Data view \`${dataView.id}\`, ${where}: ${clickHouseMessage(rest, 500)}`);
      if (rest) yield [parseTsvRow(rest)];
    },
    async close() {},
  };
  // Fail early, naming the server, when it cannot be reached or refuses the credentials.
  for await (const _ of connection.query('SELECT 1')) void _;
  return connection;
}

function request(url: URL, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': Buffer.byteLength(body) }, signal, timeout: 10_000 }, resolve);
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** `Code: 60. DB::Exception: Table default.x doesn't exist. (UNKNOWN_TABLE) (version …)` → the exception text. */
function clickHouseMessage(text: string, status: number | undefined): string {
  const m = /DB::Exception: ([^\n]*?)(?:,? ?e\.what\(\) = DB::Exception|\s*\(version [^)]*\)|$)/m.exec(text);
  return (m ? m[1] : text.split('\n')[0] || `HTTP ${status}`).trim();
}

const TSV_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', 0: '\0', '\\': '\\', "'": "'" };

/** One TabSeparated row: `\N` is NULL, backslash escapes decoded. */
export function parseTsvRow(line: string): Row {
  return line.split('\t').map(cell => (cell === '\\N' ? null : cell.includes('\\') ? cell.replace(/\\(.)/g, (_, c: string) => TSV_ESCAPES[c] ?? c) : cell));
}
