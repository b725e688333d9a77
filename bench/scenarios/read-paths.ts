/**
 * getToken latency on each read path: the in-process cache, Redis (local cache disabled with
 * `localCacheMs: 0`), and the workflow query (no Redis, local cache disabled).
 */
import type { TokenClient } from '../../src/client/token-client';
import { summarize, timeSequential, type LatencyStats } from '../measure';
import type { BenchStack } from '../stack';
import type { BenchCredential } from './credentials';

/** One read path's figures. */
export interface ReadPathResult {
  path: string;
  how: string;
  stats: LatencyStats;
  /** Workflow queries made during the measured calls (0 for the cache and Redis paths). */
  queries: number;
}

/** Counts `getHandle` calls (every workflow query goes through one) while `run` runs. */
async function countingQueries<T>(client: TokenClient, run: () => Promise<T>): Promise<{ value: T; queries: number }> {
  const workflow = client.temporal.workflow;
  const original = workflow.getHandle.bind(workflow);
  let queries = 0;
  workflow.getHandle = ((...args: Parameters<typeof original>) => {
    queries++;
    return original(...args);
  }) as typeof workflow.getHandle;
  try {
    return { value: await run(), queries };
  } finally {
    workflow.getHandle = original;
  }
}

async function measure(client: TokenClient, creds: readonly BenchCredential[], n: number): Promise<{ stats: LatencyStats; queries: number }> {
  // Warm-up: connections, JIT, and (for the cache path) the local entries.
  for (let i = 0; i < Math.min(200, n); i++) await client.getToken(creds[i % creds.length]!.id);
  const { value, queries } = await countingQueries(client, () =>
    timeSequential(n, async (i) => {
      const token = await client.getToken(creds[i % creds.length]!.id);
      if (token.expiresAt <= Date.now()) throw new Error('getToken returned an expired token');
    }),
  );
  return { stats: summarize(value.samples, value.wallMs), queries };
}

/** Measures the three read paths over `creds` (sizes chosen to keep the run short on 2 cores). */
export async function readPaths(stack: BenchStack, creds: readonly BenchCredential[], log: (msg: string) => void): Promise<ReadPathResult[]> {
  const results: ReadPathResult[] = [];
  const cached = await stack.openClient({ localCacheMs: 3_600_000 });
  const viaRedis = await stack.openClient({ localCacheMs: 0 });
  const viaQuery = await stack.openClient({ redis: false, localCacheMs: 0 });
  try {
    log('read path: in-process cache');
    results.push({ path: 'in-process cache hit', how: 'TokenClient, localCacheMs 1 h, warm', ...(await measure(cached, creds, 100_000)) });
    log('read path: Redis');
    results.push({ path: 'Redis', how: 'TokenClient with Redis, localCacheMs 0 (every read is an HGET)', ...(await measure(viaRedis, creds, 5_000)) });
    log('read path: workflow query');
    results.push({ path: 'workflow query', how: 'TokenClient without Redis, localCacheMs 0 (every read is a getToken query)', ...(await measure(viaQuery, creds, 1_000)) });
  } finally {
    await Promise.all([cached.shutdown(), viaRedis.shutdown(), viaQuery.shutdown()]);
  }
  return results;
}
