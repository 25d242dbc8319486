import * as fs from 'fs';
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
}

function* syntheticIdentities(n: number): Generator<Identity> {
  for (let i = 0; i < n; i++) {
    yield i % 4 === 0 ? { namespace: 'Email', id: `user${i}@example.com` } : { namespace: 'ECID', id: `ecid-${(i * 2654435761) % 4294967296}-${i}` };
  }
}

/**
 * Publishes `n` generated identities (a generator: the client never holds them all) to a fresh
 * endpoint running as a child process, and measures throughput and both processes' peak RSS.
 */
export async function benchPublish(n: number, options: { batchSize?: number; concurrency?: number } = {}): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-bench-'));
  const endpoint = await spawnEndpointProcess({ dbPath: path.join(dir, 'bench.db') });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  try {
    const token = fs.readFileSync(endpoint.adminTokenFile, 'utf8').trim();
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
        if (p.phase === 'commit' && !commitStarted) commitStarted = performance.now();
      },
    });
    const ended = performance.now();
    if (!result.ok) throw new Error(`bench publish failed: ${result.error.message}`);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    clearInterval(sampler);
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
    };
  } finally {
    clearInterval(sampler);
    await endpoint.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
