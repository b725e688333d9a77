/**
 * Opens what every Halflife process needs from its configuration: the Temporal connection, the
 * optional Redis, and the data converter that encrypts payloads.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { loadApiKeys, type ApiKeys } from '../api/keys';
import { createDataConverter } from '../codec/data-converter';
import { devKeyFileName, loadOrCreateDevKeyring, parseKeyring, type Keyring } from '../codec/keyring';
import type { HalflifeConfig } from '../config';
import type { Logger } from '../logger';
import { InvalidConfigError } from '../errors';
import { connectTemporal } from '../client/connect';
import { TokenClient } from '../client/token-client';
import { isRedisUp } from './redis-probe';
import { temporalUnreachable } from './temporal-unreachable';

/** The Redis a local development setup uses when `REDIS_URL` is not set and one answers. */
export const localRedisUrl = 'redis://127.0.0.1:6379';

/**
 * The encryption key ring: from `HALFLIFE_ENCRYPTION_KEYS`, or the development key kept in the
 * state folder. Only the service creates that key (`create`); a CLI that finds none is most likely
 * running in another folder than the service, and says so instead of encrypting with a new key.
 */
export function keyringOf(config: HalflifeConfig, options: { create?: boolean } = {}): Keyring {
  if (config.encryptionKeys) return parseKeyring(config.encryptionKeys);
  if (config.production) {
    throw new InvalidConfigError('HALFLIFE_ENCRYPTION_KEYS', 'is required when NODE_ENV=production');
  }
  const dir = config.stateDir;
  if (options.create === false && !fs.existsSync(path.join(dir, devKeyFileName))) {
    throw new InvalidConfigError(
      'HALFLIFE_ENCRYPTION_KEYS',
      `is not set and ${dir} holds no development key ring; run this where the service runs (or set HALFLIFE_STATE_DIR to its state folder)`,
    );
  }
  return loadOrCreateDevKeyring(dir);
}

/**
 * The API's keys: `HALFLIFE_API_KEYS` (required when NODE_ENV=production), else the development
 * admin key, printed the first time it is made. Loaded before anything starts, so a bad key set fails first.
 */
export function loadServiceApiKeys(config: HalflifeConfig, logger: Logger): ApiKeys {
  const { keys, devKey } = loadApiKeys({ json: config.apiKeysJson, production: config.production, stateDir: config.stateDir });
  if (devKey?.created) {
    // Printed once, to stdout only (never through the logger): it is a secret.
    process.stdout.write(`\nDevelopment API key (admin, kept in ${devKey.file}):\n  ${devKey.key}\n\n`);
  } else if (devKey) {
    logger.info({ file: devKey.file }, 'using the development API key');
  }
  return keys;
}

/** Redis for this process: `REDIS_URL`, else a local Redis if one answers, else none. */
export async function openRedis(config: HalflifeConfig, options: { probeLocal?: boolean } = {}): Promise<Redis | undefined> {
  const url = config.redisUrl ?? (options.probeLocal !== false && (await isRedisUp(localRedisUrl)) ? localRedisUrl : undefined);
  if (!url) return undefined;
  // Fail fast while disconnected: Redis is a mirror, callers fall back to the workflow.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2000, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect().catch(() => undefined);
  return redis;
}

/** A TokenClient with the connections it was opened with. */
export interface OpenedTokenClient extends TokenClient {
  /** The Temporal connection (for health checks). */
  readonly connection: Connection;
  /** Redis, when one is configured or answers locally. */
  readonly redis?: Redis;
  /** Closes the client and the connections it opened. */
  shutdown(): Promise<void>;
}

/**
 * A TokenClient for the configured deployment; `shutdown()` also closes the connections it opened.
 * It encrypts with `keyring` when given (a process that already loaded it), else with `keyringOf`;
 * `createKeys: false` refuses to create a development key ring there; `refreshTimeoutMs` is the
 * TokenClient's refresh deadline.
 */
export async function openTokenClient(
  config: HalflifeConfig,
  options: { keyring?: Keyring; createKeys?: boolean; connectTimeoutMs?: number; refreshTimeoutMs?: number } = {},
): Promise<OpenedTokenClient> {
  const dataConverter = createDataConverter(options.keyring ?? keyringOf(config, { create: options.createKeys }));
  let connection: Connection;
  try {
    connection = await connectTemporal({
      address: config.temporal.address,
      tls: config.temporal.tls,
      apiKey: config.temporal.apiKey as string | undefined,
      metadata: config.temporal.metadata,
      ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}),
    });
  } catch (err) {
    throw temporalUnreachable(config, config.temporal.address, err);
  }
  const redis = await openRedis(config);
  const client = new TokenClient({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    redis,
    redisPrefix: config.redisPrefix,
    dataConverter,
    ...(options.refreshTimeoutMs !== undefined ? { refreshTimeoutMs: options.refreshTimeoutMs } : {}),
  });
  return Object.assign(client, {
    connection,
    redis,
    async shutdown() {
      await client.close();
      redis?.disconnect();
      await connection.close();
    },
  });
}
