import * as fs from 'fs';
import * as path from 'path';
import { RunningEndpoint, startEndpoint } from './server';

/**
 * The endpoint's options, for the CLI's generated help (`audience-filters endpoint --help`; the
 * CLI's test checks it against this table and this parser). Shaped like the CLI's `OptionSpec`.
 */
export const ENDPOINT_OPTIONS = [
  { name: 'db', value: '<file>', description: 'the SQLite database (created on first start; required)' },
  { name: 'port', value: '<n>', description: 'the port (0: any free port)', default: '7410' },
  { name: 'host', value: '<addr>', description: 'the address to listen on', default: '127.0.0.1' },
  { name: 'max-body-bytes', value: '<n>', description: 'the largest request body accepted (at least 1024)', default: '16777216 (16 MiB)' },
  { name: 'rate-limit', value: '<requests/s>', description: 'requests per second per token (bursts of twice that)', default: 'no limit' },
  { name: 'run-idle-minutes', value: '<n>', description: 'an open publish run without a batch for this long expires: aborted, nothing committed', default: '60' },
  { name: 'rotate-admin-token', description: 'write a new admin token to <db>.admin-token (mode 600); the old one stops working' },
  { name: 'tls-cert', value: '<cert.pem>', description: 'serve HTTPS with this certificate (with --tls-key), as clients require on any host but loopback' },
  { name: 'tls-key', value: '<key.pem>', description: 'the private key of --tls-cert' },
  { name: 'json', description: 'print the status as JSON lines on stdout: {"listening": url, "adminTokenFile": path} when ready, {"exit": …} on shutdown' },
] as const;

const USAGE = `Usage: audience-filters endpoint --db <file> [--port <n>] [--host <addr>] [--max-body-bytes <n>]
                                [--rate-limit <requests/s>] [--run-idle-minutes <n>] [--rotate-admin-token]
                                [--tls-cert <cert.pem> --tls-key <key.pem>] [--json]

Runs the reference profile endpoint on a SQLite database (created on first start).
On first start (or with --rotate-admin-token) an admin token is written to <db>.admin-token (mode 600).
With --tls-cert and --tls-key it serves HTTPS, which clients need on any host but loopback.
An open publish run that receives no batch for --run-idle-minutes (default 60) expires: it is
aborted, nothing of it is committed, and the audience can be published again.
When ready it prints, on stderr, where it listens and the line that gives a shell its admin token
(export AUDIENCE_FILTERS_TOKEN=…); with --json, stdout gets one JSON line {"listening": url,
"adminTokenFile": path}. Logs go to stderr.`;

export interface EndpointArgs {
  port: number;
  host: string;
  db: string;
  maxBodyBytes?: number;
  rateLimit?: number;
  runIdleMinutes?: number;
  tlsCert?: string;
  tlsKey?: string;
  rotateAdminToken: boolean;
  json: boolean;
}

/** Parses the `endpoint` command's arguments; a string is a usage error. */
export function parseEndpointArgs(argv: readonly string[]): EndpointArgs | string {
  const args: Partial<EndpointArgs> & { rotateAdminToken: boolean; json: boolean } = { port: 7410, host: '127.0.0.1', rotateAdminToken: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--port': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0 || v > 65535) return '--port needs a number from 0 to 65535';
        args.port = v;
        break;
      }
      case '--host': {
        const v = value();
        if (!v) return '--host needs an address';
        args.host = v;
        break;
      }
      case '--db': {
        const v = value();
        if (!v) return '--db needs a file name';
        args.db = path.resolve(v);
        break;
      }
      case '--max-body-bytes': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1024) return '--max-body-bytes needs a number of at least 1024';
        args.maxBodyBytes = v;
        break;
      }
      case '--rate-limit': {
        const v = Number(value());
        if (!(v > 0)) return '--rate-limit needs a positive number of requests per second';
        args.rateLimit = v;
        break;
      }
      case '--run-idle-minutes': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1) return '--run-idle-minutes needs a whole number of minutes, at least 1';
        args.runIdleMinutes = v;
        break;
      }
      case '--tls-cert':
      case '--tls-key': {
        const v = value();
        if (!v) return `${flag} needs a PEM file`;
        if (flag === '--tls-cert') args.tlsCert = path.resolve(v);
        else args.tlsKey = path.resolve(v);
        break;
      }
      case '--rotate-admin-token':
        args.rotateAdminToken = true;
        break;
      case '--json':
        args.json = true;
        break;
      case '--help':
      case '-h':
        return '';
      default:
        return `unknown option ${flag}`;
    }
  }
  if (!args.db) return '--db <file> is required';
  if ((args.tlsCert === undefined) !== (args.tlsKey === undefined)) return '--tls-cert and --tls-key go together';
  return args as EndpointArgs;
}

/**
 * Runs the endpoint until SIGINT/SIGTERM. Resolves with the process exit code.
 * On shutdown prints `{"exit":{"maxRssBytes":n}}` so benchmarks can read the peak memory.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseEndpointArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`${args ? `${args}\n\n` : ''}${USAGE}\n`);
    return args ? 2 : 0;
  }
  let endpoint: RunningEndpoint;
  try {
    let tls: { cert: Buffer; key: Buffer } | undefined;
    if (args.tlsCert && args.tlsKey) {
      const read = (file: string, what: string): Buffer => {
        try {
          return fs.readFileSync(file);
        } catch (e) {
          throw new Error(`cannot read the TLS ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      };
      tls = { cert: read(args.tlsCert, 'certificate'), key: read(args.tlsKey, 'key') };
    }
    endpoint = await startEndpoint({
      tls,
      port: args.port, host: args.host, dbPath: args.db, maxBodyBytes: args.maxBodyBytes,
      rateLimit: args.rateLimit ? { requestsPerSecond: args.rateLimit, burst: Math.ceil(args.rateLimit * 2) } : undefined,
      rotateAdminToken: args.rotateAdminToken,
      limits: args.runIdleMinutes ? { runIdleMs: args.runIdleMinutes * 60_000 } : undefined,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (e) {
    process.stderr.write(`Cannot start the endpoint: ${(e as Error).message}\n`);
    return 1;
  }
  for (const line of readyLines(endpoint.url, endpoint.adminTokenFile, args.db)) process.stderr.write(`${line}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify({ listening: endpoint.url, adminTokenFile: endpoint.adminTokenFile })}\n`);
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void endpoint.close().then(() => {
        if (args.json) process.stdout.write(`${JSON.stringify({ exit: { maxRssBytes: process.resourceUsage().maxRSS * 1024 } })}\n`);
        resolve(0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The CLI's default endpoint: a local endpoint there needs no `--endpoint` on the client. */
const CLIENT_DEFAULT_ENDPOINT = 'http://127.0.0.1:7410';

/**
 * What a person needs to publish to this endpoint from another shell: where it listens, and the
 * exact lines to paste (the token, and the endpoint when it is not the CLI's default).
 */
export function readyLines(url: string, adminTokenFile: string, db: string): string[] {
  let token: string | undefined;
  try {
    token = fs.readFileSync(adminTokenFile, 'utf8').trim();
  } catch {
    token = undefined;
  }
  const lines = [`Profile endpoint listening on ${url} (database ${db}).`];
  lines.push(`To publish to it from a shell, paste${url === CLIENT_DEFAULT_ENDPOINT ? '' : ' (it is not the default endpoint, ' + CLIENT_DEFAULT_ENDPOINT + ')'}:`);
  lines.push(`  export AUDIENCE_FILTERS_TOKEN=${token ?? `$(cat ${adminTokenFile})`}`);
  if (url !== CLIENT_DEFAULT_ENDPOINT) lines.push(`  export AUDIENCE_FILTERS_ENDPOINT=${url}`);
  lines.push(`(the admin token is in ${adminTokenFile}; in the editor run "Audience Filters: Set Profile Endpoint Token"${url === CLIENT_DEFAULT_ENDPOINT ? '' : ' and the audienceFilters.endpoint.url setting'})`);
  return lines;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
