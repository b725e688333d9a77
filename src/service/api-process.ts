/**
 * The HTTP API as part of a running service: a TokenClient of its own, the API keys the service
 * loaded (`loadServiceApiKeys`), the Web UI codec endpoint, health probes for Temporal and Redis,
 * and Prometheus metrics.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiKeys } from '../api/keys';
import { ApiMetrics } from '../api/metrics';
import { createApiServer } from '../api/server';
import { createPushClient } from '../platform/push-client';
import { AesGcmCodec } from '../codec/aes-gcm-codec';
import type { Keyring } from '../codec/keyring';
import type { HalflifeConfig } from '../config';
import { ConnectClient } from '../connect/connect-client';
import { createEgressFetch, egressPolicyFromEnv } from '../egress';
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

/** Starts the HTTP API against the Temporal server at `address`, encrypting with `keyring`, admitting `keys`. */
export async function startApiProcess(config: HalflifeConfig, logger: Logger, address: string, keyring: Keyring, keys: ApiKeys): Promise<ApiProcess> {
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
    // Connect links (docs/connect.md); issuer discovery goes through the same egress policy as the workers' requests.
    connect: new ConnectClient({
      temporal: client.temporal,
      taskQueue: config.taskQueue,
      publicUrl: config.publicUrl,
      fetch: createEgressFetch(egressPolicyFromEnv(process.env, { development: !config.production })),
    }),
    // The platforms' ticket pushes (wechat_component, wecom_suite), authenticated by their signatures.
    push: createPushClient(client.temporal),
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
