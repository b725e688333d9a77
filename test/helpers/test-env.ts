/**
 * The shared test environment written by the global setup: the dev server's address, Redis, and
 * the prebuilt workflow bundle. Plus helpers to open clients against it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient, type TokenClientOptions } from '../../src/client/token-client';
import { createDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';

/** What the global setup started. */
export interface TestEnv {
  temporalAddress: string;
  namespace: string;
  redisUrl: string;
  workflowBundlePath: string;
  /** The key ring every test worker and client encrypts with (`HALFLIFE_ENCRYPTION_KEYS` format). */
  encryptionKeys: string;
}

/** Folder of the files the global setup writes (logs, bundle, environment). */
export const testStateDir = path.join(__dirname, '..', '..', '.halflife');

/**
 * Where this test run's environment is: `HALFLIFE_TEST_ENV`, which the global setup sets (test
 * files and the worker processes they spawn inherit it), so concurrent runs never share servers.
 */
export function testEnvFile(): string {
  const file = process.env.HALFLIFE_TEST_ENV;
  if (!file) throw new Error('HALFLIFE_TEST_ENV is not set: run integration tests through jest (npm test)');
  return file;
}

/** Reads the environment written by the global setup. */
export function testEnv(): TestEnv {
  return JSON.parse(fs.readFileSync(testEnvFile(), 'utf8')) as TestEnv;
}

/** A fresh id for this test (credential ids, task queues). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** What a test may change in the environment of a Halflife process it starts. */
export interface ServiceEnvOptions {
  taskQueue: string;
  /** @default the test Redis */
  redisUrl?: string;
  /** @default the shared test key ring */
  encryptionKeys?: string;
  /** @default the global dev server */
  temporalAddress?: string;
}

/**
 * The environment `halflife worker`, `halflife api` or any CLI command sees in a test: the test
 * servers, a task queue and the key ring, nothing else set (the rest are the product's defaults).
 */
export function serviceEnv(options: ServiceEnvOptions): Record<string, string> {
  const env = testEnv();
  return {
    TEMPORAL_ADDRESS: options.temporalAddress ?? env.temporalAddress,
    TEMPORAL_NAMESPACE: env.namespace,
    REDIS_URL: options.redisUrl ?? env.redisUrl,
    HALFLIFE_TASK_QUEUE: options.taskQueue,
    HALFLIFE_ENCRYPTION_KEYS: options.encryptionKeys ?? env.encryptionKeys,
  };
}

/** Opens a Redis connection to the test Redis. */
export function openRedis(): Redis {
  return new Redis(testEnv().redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** A TokenClient on the test server; `close()` closes its connection and Redis too. */
export async function openTokenClient(
  taskQueue: string,
  options: Partial<TokenClientOptions> & { withRedis?: boolean; encryptionKeys?: string; temporalAddress?: string } = {},
): Promise<TokenClient & { shutdown(): Promise<void> }> {
  const env = testEnv();
  const connection = await connectTemporal({ address: options.temporalAddress ?? env.temporalAddress });
  const redis = options.withRedis === false ? undefined : openRedis();
  const { withRedis: _withRedis, encryptionKeys, temporalAddress: _temporalAddress, ...rest } = options;
  const dataConverter = createDataConverter(parseKeyring(encryptionKeys ?? env.encryptionKeys));
  const client = new TokenClient({ connection, namespace: env.namespace, taskQueue, redis, dataConverter, ...rest });
  return Object.assign(client, {
    async shutdown() {
      await client.close();
      redis?.disconnect();
      await connection.close();
    },
  });
}
