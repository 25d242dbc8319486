import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { AudienceMetadata, Identity } from '../../core/src/publish/protocol';
import { EndpointOptions, RunningEndpoint, startEndpoint } from '../../endpoint/src/server';
import { ProtocolSchemas, findSchemasDir } from '../../endpoint/src/schemas';
import { seededRandom } from '../../endpoint/src/faults';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'af-endpoint-test-'));
}

export interface TestEndpoint extends RunningEndpoint {
  adminToken: string;
  dir: string;
  dbPath: string;
}

/** The real endpoint, in this process, on a fresh temporary database. */
export async function startTestEndpoint(options: Partial<EndpointOptions> = {}): Promise<TestEndpoint> {
  const dir = tempDir();
  const dbPath = options.dbPath ?? path.join(dir, 'endpoint.db');
  const running = await startEndpoint({ port: 0, dbPath, ...options });
  const adminToken = fs.readFileSync(running.adminTokenFile, 'utf8').trim();
  return { ...running, adminToken, dir, dbPath };
}

/** Creates an audience (the default `metadata()`) and opens a run on it, as the admin. */
export async function audienceWithOpenRun(ep: TestEndpoint): Promise<{ audienceId: string; runId: string }> {
  const created = await call(ep.url, 'POST', '/v1/audiences', { token: ep.adminToken, body: metadata() });
  const run = await call(ep.url, 'POST', `/v1/audiences/${created.body.id}/runs`, { token: ep.adminToken, body: {} });
  if (created.status !== 201 || run.status !== 201) throw new Error(`cannot open a run: ${JSON.stringify(created.body)} ${JSON.stringify(run.body)}`);
  return { audienceId: created.body.id, runId: run.body.id };
}

/** Stops the endpoints (closing twice is harmless) and removes their temporary folders. */
export async function stopAndRemove(...endpoints: TestEndpoint[]): Promise<void> {
  for (const ep of endpoints) {
    await ep.close();
    fs.rmSync(ep.dir, { recursive: true, force: true });
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One raw HTTP request: no retries, the path sent byte for byte as given. */
export function call(url: string, method: string, rawPath: string, options: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const target = new URL(url);
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, method, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // keep text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function futureDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function metadata(overrides: Partial<AudienceMetadata> = {}): AudienceMetadata {
  return {
    name: 'Checkout abandoners', description: 'Reached checkout, did not buy.', tags: ['ecommerce'], filterId: 'checkout-abandoners',
    definitionHash: 'sha256:abc123', refresh: 'daily', lookbackDays: 30, expires: futureDate(180), namespaces: ['ECID', 'Email'], ...overrides,
  };
}

/** `n` distinct identities, mixed namespaces, with a prefix so sets can overlap on purpose. */
export function makeIdentities(n: number, prefix = 'p', from = 0): Identity[] {
  const out: Identity[] = [];
  for (let i = from; i < from + n; i++) out.push(i % 3 === 0 ? { namespace: 'Email', id: `${prefix}${i}@example.com` } : { namespace: 'ECID', id: `${prefix}-${i}` });
  return out;
}

export function keys(identities: readonly Identity[]): string[] {
  return identities.map((i) => `${i.namespace}|${i.id}`).sort();
}

/** The committed membership, read through the protocol (every page). */
export async function committedMembers(url: string, token: string, audienceId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const res: RawResponse = await call(url, 'GET', `/v1/audiences/${audienceId}/members?limit=997${cursor ? `&cursor=${cursor}` : ''}`, { token });
    if (res.status !== 200) throw new Error(`members: ${res.status} ${JSON.stringify(res.body)}`);
    for (const m of res.body.members as Identity[]) out.push(`${m.namespace}|${m.id}`);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out.sort();
}

let schemas: ProtocolSchemas | undefined;
/** Asserts a response body against its JSON Schema in schemas/protocol/, so docs and behaviour agree. */
export function assertSchema(file: string, value: unknown): void {
  schemas ??= new ProtocolSchemas(findSchemasDir(__dirname) as string);
  const problem = schemas.check(file, value);
  if (problem) throw new Error(`${file}: ${problem.message} in ${JSON.stringify(value).slice(0, 500)}`);
}

/**
 * A TCP proxy on loopback that cuts connections: each connection is destroyed after a random
 * number of bytes (1..maxBytes, both directions counted), i.e. mid-request or mid-response;
 * a share `spareRate` of connections is left alone.
 */
export async function startCuttingProxy(targetPort: number, options: { spareRate: number; seed: number; maxBytes: number }): Promise<{ url: string; cuts: () => number; close(): Promise<void> }> {
  const random = seededRandom(options.seed);
  const sockets = new Set<net.Socket>();
  let cuts = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const cutAt = random() < options.spareRate ? Infinity : 1 + Math.floor(random() * options.maxBytes);
    let seen = 0;
    const cut = (): void => {
      cuts++;
      client.destroy();
      upstream.destroy();
    };
    const forward = (to: net.Socket) => (chunk: Buffer) => {
      if (seen + chunk.length >= cutAt) {
        to.write(chunk.subarray(0, Math.max(0, cutAt - seen)));
        seen = cutAt;
        return cut();
      }
      seen += chunk.length;
      to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    cuts: () => cuts,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
