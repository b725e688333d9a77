/**
 * getToken on each read path, with 1 and 64 concurrent callers: the in-process cache (warm), Redis
 * (TokenClient with `localCacheMs: 0`, so every read is an HGET), the workflow query (no Redis, no
 * local cache), and the floor: a raw ioredis HGET of the same hash field on a connection with the
 * product's options. Latency comes from a timed pass (every call timed); ops/s from an untimed pass
 * of the same shape, so the clock reads do not count against the fast paths. Measured in a process
 * set up as a consumer's is (./read-consumer.ts): one Temporal connection, no worker.
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

/** One path to measure: its operation, the sizes of its passes, and the TokenClient behind it (to count its workflow queries). */
export interface ReadPath {
  op: ReadOp;
  /** Calls in each timed pass. */
  n: number;
  /** Calls in each untimed pass. */
  throughputN: number;
  client?: TokenClient;
}

/** A path's figures: medians over the rounds, and the range of p99 they damped. */
export type RoundedFigures = ReadFigures & { p99_range_us: [number, number] };

const us = (ms: number) => Math.round(ms * 10_000) / 10;
const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;

/**
 * Measures every path with `callers` concurrent callers: a warm-up of each, then `rounds` rounds in
 * which each path in turn gets a timed pass and an untimed pass. Interleaving the paths gives them
 * the same share of whatever else the machine is doing; the median over rounds damps the rest.
 */
export async function measureInterleaved<K extends string>(paths: Record<K, ReadPath>, callers: number, rounds = 3, onRound?: (round: number) => void): Promise<Record<K, RoundedFigures>> {
  const names = Object.keys(paths) as K[];
  for (const name of names) await pass(paths[name].op, Math.min(paths[name].n, 2000), callers, false);
  const seen = Object.fromEntries(names.map((name) => [name, { rounds: [] as { p50: number; p99: number; opsPerS: number }[], queries: 0 }])) as Record<K, { rounds: { p50: number; p99: number; opsPerS: number }[]; queries: number }>;
  for (let r = 0; r < rounds; r++) {
    onRound?.(r + 1);
    for (const name of names) {
      const path = paths[name];
      const { value, queries } = await countingQueries(path.client, async () => ({
        timed: await pass(path.op, path.n, callers, true),
        untimed: await pass(path.op, path.throughputN, callers, false),
      }));
      const sorted = Array.from(value.timed.samples).sort((a, b) => a - b);
      seen[name].rounds.push({ p50: percentile(sorted, 50), p99: percentile(sorted, 99), opsPerS: (path.throughputN * 1000) / value.untimed.wallMs });
      seen[name].queries += queries;
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const got = seen[name];
      const p99s = got.rounds.map((x) => x.p99);
      const figures: RoundedFigures = {
        p50_us: us(medianOf(got.rounds.map((x) => x.p50))),
        p99_us: us(medianOf(p99s)),
        ops_per_s: Math.round(medianOf(got.rounds.map((x) => x.opsPerS))),
        n: paths[name].n,
        queries: got.queries,
        p99_range_us: [us(Math.min(...p99s)), us(Math.max(...p99s))],
      };
      return [name, figures];
    }),
  ) as Record<K, RoundedFigures>;
}

/** The four read operations on credential `id`, each checked once to read a valid token (the measured calls only read). */
export async function readOps(clients: { memory: TokenClient; redis: TokenClient; query: TokenClient }, raw: Redis, space: { prefix: string; namespace: string }, id: string): Promise<Record<'memory' | 'redis' | 'query' | 'raw_redis', ReadOp>> {
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
