/**
 * The HTTP API as part of a running service: a TokenClient of its own, the configured API keys
 * (or, in development, the generated admin key, printed once), the Web UI codec endpoint, health
 * probes for Temporal and Redis, and Prometheus metrics.
 */
import type { FastifyInstance } from 'fastify';
import { ApiKeys, loadApiKeys } from '../api/keys';
import { ApiMetrics } from '../api/metrics';
import { createApiServer } from '../api/server';
import { AesGcmCodec } from '../codec/aes-gcm-codec';
import type { Keyring } from '../codec/keyring';
import type { HalflifeConfig } from '../config';
import type { Logger } from '../logger';
import { openTokenClient } from './connections';

/** A listening API. */
export interface ApiProcess {
  /** The base URL it listens on. */
  url: string;
  /** The Fastify instance (tests inject requests into it). */
  app: FastifyInstance;
  /** Stops listening and closes the API's connections. */
  close(): Promise<void>;
}

/** Loads the keys; in development prints the generated admin key the first time it is made. */
function keysFor(config: HalflifeConfig, logger: Logger): ApiKeys {
  const { keys, devKey } = loadApiKeys({ json: config.apiKeysJson, production: config.production, stateDir: config.stateDir });
  if (devKey?.created) {
    // Printed once, to stdout only (never through the logger): it is a secret.
    process.stdout.write(`\nDevelopment API key (admin, kept in ${devKey.file}):\n  ${devKey.key}\n\n`);
  } else if (devKey) {
    logger.info({ file: devKey.file }, 'using the development API key');
  }
  return keys;
}

/** Starts the HTTP API against the Temporal server at `address`, encrypting with `keyring`. */
export async function startApiProcess(config: HalflifeConfig, logger: Logger, address: string, keyring: Keyring): Promise<ApiProcess> {
  const keys = keysFor(config, logger);
  const client = await openTokenClient({ ...config, temporal: { ...config.temporal, address } }, { keyring });
  const app = createApiServer({
    tokenClient: client,
    keys,
    logger,
    uiOrigins: config.uiOrigins,
    codec: { codec: new AesGcmCodec(keyring), allowLoopbackWithoutKey: !config.production },
    health: {
      temporal: async () => {
        await client.connection.healthService.check({});
        return true;
      },
      redis: client.redis ? async () => (await client.redis?.ping()) === 'PONG' : undefined,
    },
    metrics: new ApiMetrics({ defaultMetrics: true }),
  });
  try {
    await app.listen({ host: config.apiHost, port: config.apiPort });
  } catch (err) {
    await client.shutdown();
    throw err;
  }
  const url = `http://${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${config.apiPort}`;
  logger.info({ url }, 'HTTP API listening');
  return {
    url,
    app,
    async close() {
      await app.close();
      await client.shutdown();
    },
  };
}
