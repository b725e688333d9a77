/**
 * The servers a benchmark run needs, on free ports in a temporary state folder: a Temporal dev
 * server (in memory), a private Redis, an in-process credential worker and a fake OAuth 2.0 provider.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { Redis } from 'ioredis';
import { connectTemporal } from '../src/client/connect';
import { TokenClient, type TokenClientOptions } from '../src/client/token-client';
import { createDataConverter, createWorkerDataConverter } from '../src/codec/data-converter';
import { generateKey, parseKeyring } from '../src/codec/keyring';
import { bundleWorkflows } from '../scripts/bundle-workflows';
import { startDevServer } from '../src/dev/dev-server';
import { freePort } from '../src/dev/net';
import { ensureRedisServerBinary, startRedisServer } from '../scripts/redis-server';
import { ensureTemporalCli } from '../src/dev/temporal-cli';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../src/fakes/oauth2-server';
import { requiredSearchAttributes } from '../src/search-attributes';
import { createCredentialWorker } from '../src/worker';
import { versionOf } from './report';

/** Everything a scenario can use. */
export interface BenchStack {
  temporalAddress: string;
  namespace: string;
  redisUrl: string;
  taskQueue: string;
  /** The key ring the worker and clients encrypt with (`HALFLIFE_ENCRYPTION_KEYS` format). */
  encryptionKeys: string;
  fake: FakeOAuth2Server;
  /** Versions of the external programs, for the report. */
  versions: { temporalCli: string; redisServer: string };
  /** Opens a TokenClient; `redis: false` for one that only uses workflow queries. */
  openClient(options?: Omit<Partial<TokenClientOptions>, 'redis'> & { redis?: boolean }): Promise<TokenClient & { shutdown(): Promise<void> }>;
  /** A fresh Redis connection with the consumer's fail-fast options. */
  openRedis(): Redis;
  /** Stops everything and removes the state folder. */
  stop(): Promise<void>;
}

/** Starts the stack; `log` gets progress lines. */
export async function startStack(log: (msg: string) => void): Promise<BenchStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-bench-'));
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [temporalCli, redisBinary] = [await ensureTemporalCli({ log }), await ensureRedisServerBinary({ log })];
    const [temporalPort, redisPort] = [await freePort(), await freePort()];
    const [server, redisServer, bundle] = await Promise.all([
      startDevServer({ port: temporalPort, uiPort: null, searchAttributes: { ...requiredSearchAttributes }, logFile: path.join(dir, 'temporal.log'), log, temporalCli }),
      startRedisServer({ port: redisPort, dir, log, redisServer: redisBinary }),
      bundleWorkflows(path.join(dir, 'workflow-bundle.js'), { log }),
    ]);
    cleanups.push(() => server.stop(), () => redisServer.stop());

    const keys = generateKey('bench');
    const taskQueue = `bench-${process.pid}`;
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const workerRedis = new Redis(redisServer.url, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    workerRedis.on('error', () => undefined);
    const worker: Worker = await createCredentialWorker({
      connection: nativeConnection,
      namespace: server.namespace,
      taskQueue,
      redis: workerRedis,
      workflowBundlePath: bundle,
      dataConverter: createWorkerDataConverter(parseKeyring(keys)),
      identity: `bench-worker-${process.pid}`,
    });
    const running = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await running;
      workerRedis.disconnect();
      await nativeConnection.close();
    });

    const fake = await startFakeOAuth2Server();
    cleanups.push(() => fake.close());
    const connections: Connection[] = [];
    cleanups.push(async () => {
      await Promise.all(connections.map((c) => c.close()));
    });

    const openRedis = () => {
      const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
      redis.on('error', () => undefined);
      return redis;
    };
    return {
      temporalAddress: server.address,
      namespace: server.namespace,
      redisUrl: redisServer.url,
      taskQueue,
      encryptionKeys: keys,
      fake,
      versions: { temporalCli: versionOf(temporalCli), redisServer: versionOf(redisBinary) },
      openRedis,
      async openClient(options = {}) {
        const { redis: withRedis = true, ...rest } = options;
        const connection = await connectTemporal({ address: server.address });
        connections.push(connection);
        const redis = withRedis ? openRedis() : undefined;
        const client = new TokenClient({
          connection,
          namespace: server.namespace,
          taskQueue,
          redis,
          dataConverter: createDataConverter(parseKeyring(keys)),
          ...rest,
        });
        return Object.assign(client, {
          async shutdown() {
            await client.close();
            redis?.disconnect();
          },
        });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
