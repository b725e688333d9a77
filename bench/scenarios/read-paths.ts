/**
 * getToken on each read path, with 1 and 64 concurrent callers: the in-process cache (warm), Redis
 * (TokenClient with `localCacheMs: 0`, so every read is an HGET), the workflow query (no Redis, no
 * local cache), and the floor: a raw ioredis HGET of the same hash field on a connection with the
 * product's options. Latency comes from a timed pass (every call timed); ops/s from an untimed pass
 * of the same shape, so the clock reads do not count against the fast paths.
 */
import type { Redis } from 'ioredis';
import type { TokenClient } from '../../src/client/token-client';
import { credentialKey } from '../../src/redis/keys';
import { elapsedMs, percentile } from '../measure';

/** One path at one concurrency. */
export interface ReadFigures {
  p50_us: number;
  p99_us: number;
  ops_per_s: number;
  /** Calls in the timed pass. */
  n: number;
  /** Workflow queries made during both passes (0 for the cache and Redis paths). */
  queries: number;
}

/** A read operation under test. */
export type ReadOp = () => Promise<unknown>;

/** Counts `getHandle` calls (every workflow query goes through one) while `run` runs. */
export async function countingQueries<T>(client: TokenClient | undefined, run: () => Promise<T>): Promise<{ value: T; queries: number }> {
  if (!client) return { value: await run(), queries: 0 };
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

/** `callers` loops doing `n` calls in all; the latency of each call (ms) when `timed`, and the wall time. */
async function pass(op: ReadOp, n: number, callers: number, timed: boolean): Promise<{ samples: Float64Array; wallMs: number }> {
  const samples = new Float64Array(timed ? n : 0);
  let next = 0;
  const begin = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = next++; i < n; i = next++) {
        if (!timed) {
          await op();
          continue;
        }
        const start = process.hrtime.bigint();
        await op();
        samples[i] = elapsedMs(start);
      }
    }),
  );
  return { samples, wallMs: elapsedMs(begin) };
}

/** Options of `measureRead`. */
export interface MeasureOptions {
  /** Calls in each timed pass. */
  n: number;
  /** Calls in each untimed pass. */
  throughputN: number;
  callers: number;
  /** Rounds of (timed pass, untimed pass); each figure is the median over the rounds. @default 3 */
  rounds?: number;
  /** The TokenClient behind `op`, to count its workflow queries. */
  client?: TokenClient;
}

const us = (ms: number) => Math.round(ms * 10_000) / 10;
const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;

/**
 * Measures `op` with `callers` concurrent callers: a warm-up, then `rounds` rounds of a timed pass
 * of `n` calls and an untimed pass of `throughputN` calls. The median over rounds damps the noise of
 * a machine shared with other work; `p99_range_us` shows what it damped.
 */
export async function measureRead(op: ReadOp, options: MeasureOptions): Promise<ReadFigures & { p99_range_us: [number, number] }> {
  await pass(op, Math.min(options.n, 2000), options.callers, false);
  const rounds: { p50: number; p99: number; opsPerS: number }[] = [];
  const { queries } = await countingQueries(options.client, async () => {
    for (let r = 0; r < (options.rounds ?? 3); r++) {
      const timed = await pass(op, options.n, options.callers, true);
      const untimed = await pass(op, options.throughputN, options.callers, false);
      const sorted = Array.from(timed.samples).sort((a, b) => a - b);
      rounds.push({ p50: percentile(sorted, 50), p99: percentile(sorted, 99), opsPerS: (options.throughputN * 1000) / untimed.wallMs });
    }
  });
  const p99s = rounds.map((r) => r.p99);
  return {
    p50_us: us(medianOf(rounds.map((r) => r.p50))),
    p99_us: us(medianOf(p99s)),
    ops_per_s: Math.round(medianOf(rounds.map((r) => r.opsPerS))),
    n: options.n,
    queries,
    p99_range_us: [us(Math.min(...p99s)), us(Math.max(...p99s))],
  };
}

/** The four read operations on credential `id`, each checked once to read a valid token (the measured calls only read). */
export async function readOps(clients: { memory: TokenClient; redis: TokenClient; query: TokenClient }, raw: Redis, space: { prefix: string; namespace: string }, id: string) {
  const key = credentialKey(space, id);
  const ops = {
    memory: () => clients.memory.getToken(id),
    redis: () => clients.redis.getToken(id),
    query: () => clients.query.getToken(id),
    raw_redis: () => raw.hget(key, 'record'),
  };
  for (const client of Object.values(clients)) {
    if ((await client.getToken(id)).expiresAt <= Date.now()) throw new Error('getToken returned an expired token');
  }
  if ((await ops.raw_redis()) === null) throw new Error(`no record at ${key}`);
  return ops;
}
