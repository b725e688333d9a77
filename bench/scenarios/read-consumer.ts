/**
 * The measuring side of `npm run bench:read`, a process set up as a consumer service's is: one
 * Temporal connection (built as `openTokenClient` builds it) shared by three TokenClients (in-process
 * cache, Redis, query), Redis with the product's options, and no worker. Reads its job as JSON in
 * argv[2], prints progress on stderr and the figures as one JSON line on stdout.
 */
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import { createDataConverter } from '../../src/codec/data-converter';
import { loadConfig } from '../../src/config';
import { keyringOf, openRedis } from '../../src/service/connections';
import type { StormEnvironment } from '../storm/protocol';
import { measureInterleaved, readOps, type ReadPath, type RoundedFigures } from './read-paths';

/** What the parent asks for. */
export interface ReadJob {
  env: Omit<StormEnvironment, 'apiUrl' | 'apiKey'>;
  credentialId: string;
  sizes: Record<'memory' | 'redis' | 'query' | 'raw_redis', { n: number; throughputN: number }>;
  concurrencies: number[];
  rounds: number;
}

/** What it answers: figures per concurrency and path. */
export type ReadResult = Record<string, Record<'memory' | 'redis' | 'query' | 'raw_redis', RoundedFigures>>;

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as ReadJob;
  const config = loadConfig({
    TEMPORAL_ADDRESS: job.env.temporalAddress,
    TEMPORAL_NAMESPACE: job.env.namespace,
    HALFLIFE_TASK_QUEUE: job.env.taskQueue,
    REDIS_URL: job.env.redisUrl,
    HALFLIFE_ENCRYPTION_KEYS: job.env.encryptionKeys,
  });
  const connection = await connectTemporal({ address: config.temporal.address });
  const [redis, raw] = [await openRedis(config), await openRedis(config)];
  if (!redis || !raw) throw new Error('REDIS_URL: Redis did not answer');
  const base = { connection, namespace: config.namespace, taskQueue: config.taskQueue, redisPrefix: config.redisPrefix, dataConverter: createDataConverter(keyringOf(config)) };
  const clients = {
    memory: new TokenClient({ ...base, redis, localCacheMs: 3_600_000 }),
    redis: new TokenClient({ ...base, redis, localCacheMs: 0 }),
    query: new TokenClient({ ...base, localCacheMs: 0 }),
  };
  const ops = await readOps(clients, raw, { prefix: config.redisPrefix, namespace: config.namespace }, job.credentialId);
  const result: ReadResult = {};
  for (const callers of job.concurrencies) {
    const paths: Record<keyof typeof ops, ReadPath> = {
      memory: { op: ops.memory, ...job.sizes.memory, client: clients.memory },
      redis: { op: ops.redis, ...job.sizes.redis, client: clients.redis },
      query: { op: ops.query, ...job.sizes.query, client: clients.query },
      raw_redis: { op: ops.raw_redis, ...job.sizes.raw_redis },
    };
    result[String(callers)] = await measureInterleaved(paths, callers, job.rounds, (round) => process.stderr.write(`PROGRESS ${callers} ${round}\n`));
  }
  for (const c of Object.values(clients)) await c.close();
  redis.disconnect();
  raw.disconnect();
  await connection.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`read consumer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
