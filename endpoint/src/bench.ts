import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { publish } from '../../core/src/publish/publish';
import { Identity } from '../../core/src/publish/protocol';
import { spawnEndpointProcess } from './childProcess';

export interface BenchResult {
  identities: number;
  batchSize: number;
  seconds: number;
  uploadSeconds: number;
  commitSeconds: number;
  identitiesPerSecond: number;
  clientPeakRssBytes: number;
  endpointPeakRssBytes: number;
  entered: number;
  /** Longest answer to a `GET /v1/audiences` sent every `probeMs` while uploading, and while committing. */
  longestUploadWaitMs: number;
  longestCommitWaitMs: number;
  probes: number;
}

/**
 * Sends `GET /v1/audiences` every `everyMs` (on its own connection) and keeps the longest time
 * from sending to the end of the answer, per phase. A probe is sent only when the previous one
 * answered, so a stalled endpoint shows as one long wait, not as many queued ones.
 */
class Prober {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  phase: 'upload' | 'commit' = 'upload';
  readonly longest = { upload: 0, commit: 0 };
  count = 0;
  failure: string | undefined;

  constructor(private readonly url: string, private readonly token: string, everyMs: number) {
    this.timer = setInterval(() => this.probe(), everyMs);
  }

  private probe(): void {
    if (this.busy) return;
    this.busy = true;
    const phase = this.phase;
    const started = performance.now();
    const req = http.get(`${this.url}/v1/audiences`, { agent: this.agent, headers: { authorization: `Bearer ${this.token}` } }, (res) => {
      res.resume();
      res.on('end', () => {
        const waited = performance.now() - started;
        if (res.statusCode !== 200) this.failure ??= `GET /v1/audiences answered ${res.statusCode}`;
        this.longest[phase] = Math.max(this.longest[phase], waited);
        this.count++;
        this.busy = false;
      });
    });
    req.on('error', (e) => {
      this.failure ??= e.message;
      this.busy = false;
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.agent.destroy();
  }
}

function* syntheticIdentities(n: number): Generator<Identity> {
  for (let i = 0; i < n; i++) {
    yield i % 4 === 0 ? { namespace: 'Email', id: `user${i}@example.com` } : { namespace: 'ECID', id: `ecid-${(i * 2654435761) % 4294967296}-${i}` };
  }
}

/**
 * Publishes `n` generated identities (a generator: the client never holds them all) to a fresh
 * endpoint running as a child process, and measures throughput, both processes' peak RSS and
 * how long a concurrent reader (`GET /v1/audiences` every `probeMs`, default 100) waited.
 */
export async function benchPublish(n: number, options: { batchSize?: number; concurrency?: number; probeMs?: number } = {}): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-'));
  const endpoint = await spawnEndpointProcess({ dbPath: path.join(dir, 'bench.db') });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  let prober: Prober | undefined;
  try {
    const token = fs.readFileSync(endpoint.adminTokenFile, 'utf8').trim();
    prober = new Prober(endpoint.url, token, options.probeMs ?? 100);
    const expires = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
    const batchSize = options.batchSize ?? 10_000;
    let commitStarted = 0;
    const started = performance.now();
    const result = await publish({
      endpoint: endpoint.url, token,
      audience: { name: 'Bench', filterId: 'bench', definitionHash: 'bench', refresh: 'daily', lookbackDays: 30, expires, namespaces: ['ECID', 'Email'] },
      identities: syntheticIdentities(n),
    }, {
      batchSize, concurrency: options.concurrency ?? 2,
      onProgress: (p) => {
        if (p.phase === 'commit' && !commitStarted) {
          commitStarted = performance.now();
          if (prober) prober.phase = 'commit';
        }
      },
    });
    const ended = performance.now();
    if (!result.ok) throw new Error(`bench publish failed: ${result.error.message}`);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    clearInterval(sampler);
    prober.stop();
    if (prober.failure) throw new Error(`bench probe failed: ${prober.failure}`);
    const seconds = (ended - started) / 1000;
    const exit = await endpoint.stop();
    return {
      identities: n, batchSize, seconds,
      uploadSeconds: ((commitStarted || ended) - started) / 1000,
      commitSeconds: commitStarted ? (ended - commitStarted) / 1000 : 0,
      identitiesPerSecond: Math.round(n / seconds),
      clientPeakRssBytes: peakRss,
      endpointPeakRssBytes: exit.maxRssBytes ?? 0,
      entered: result.value.entered,
      longestUploadWaitMs: prober.longest.upload,
      longestCommitWaitMs: prober.longest.commit,
      probes: prober.count,
    };
  } finally {
    clearInterval(sampler);
    prober?.stop();
    await endpoint.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
