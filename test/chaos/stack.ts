/**
 * The deployment the chaos scenarios break: a Temporal dev server with its SQLite file (so it can
 * be stopped and started again with its state), a Redis on a fixed port (stopped and started
 * again, empty, for the outage), the workflow bundle, a key ring, the HTTP API as its own process
 * and credential workers as child processes. `npm run chaos` starts its own (`startChaosStack`);
 * the short version in the integration suite uses the suite's dev server and Redis
 * (`chaosStackFromTestEnv`), which it may not stop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflows } from '../../scripts/bundle-workflows';
import { ensureRedisServerBinary, startRedisServer, type RedisServerHandle } from '../../scripts/redis-server';
import { generateKey } from '../../src/codec/keyring';
import { startDevServer, type DevServerHandle } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/net';
import { ensureTemporalCli } from '../../src/dev/temporal-cli';
import { requiredSearchAttributes } from '../../src/search-attributes';
import { versionOf } from '../../bench/report';
import { openTokenClient, testEnv, type TestEnv } from '../helpers/test-env';
import { startChaosApi, type ChaosApi } from './api-process';
import { WorkerFleet } from './worker-fleet';

/** A TokenClient of the coordinating process. */
export type ChaosClient = Awaited<ReturnType<typeof openTokenClient>>;

/** What a scenario may use and break. */
export interface ChaosStack {
  readonly env: TestEnv;
  /** The one task queue of the run: every credential and every worker is on it. */
  readonly taskQueue: string;
  readonly api: ChaosApi;
  readonly workers: WorkerFleet;
  /** A TokenClient of the coordinating process (registration, describe, revoke). */
  readonly client: ChaosClient;
  /** Versions of the external programs (for the report). */
  readonly versions: { temporalCli: string; redisServer: string };
  /** Stops the dev server (its SQLite file is kept); absent when the stack does not own it. */
  stopTemporal?(): Promise<void>;
  /** Starts it again on the same port with the same file. */
  startTemporal?(): Promise<void>;
  /** Stops Redis (the process ends: its memory is lost); absent when the stack does not own it. */
  stopRedis?(): Promise<void>;
  /** Starts an empty Redis again on the same port. */
  startRedis?(): Promise<void>;
  /** Stops everything this stack started. */
  close(): Promise<void>;
}

/** Starts the API, a client and an empty worker fleet over `env`; `owned` adds the stop/start of the servers. */
async function assemble(env: TestEnv, taskQueue: string, versions: ChaosStack['versions'], owned: Partial<ChaosStack> & { cleanup?: () => Promise<void> }): Promise<ChaosStack> {
  const api = await startChaosApi(env, taskQueue);
  const client = await openTokenClient(taskQueue);
  const workers = new WorkerFleet(taskQueue);
  const { cleanup, ...rest } = owned;
  return {
    env,
    taskQueue,
    api,
    workers,
    client,
    versions,
    ...rest,
    async close() {
      await workers.closeAll();
      await client.shutdown().catch(() => undefined);
      await api.stop();
      await cleanup?.();
    },
  };
}

/** Starts a dev server (SQLite in a temporary folder), a Redis, the bundle, the API; `log` gets progress. */
export async function startChaosStack(log: (msg: string) => void): Promise<ChaosStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-chaos-'));
  const [temporalCli, redisBinary] = [await ensureTemporalCli({ log }), await ensureRedisServerBinary({ log })];
  const [temporalPort, redisPort] = [await freePort(), await freePort()];
  const dbFilename = path.join(dir, 'temporal.sqlite');
  const serverOptions = { port: temporalPort, uiPort: null, dbFilename, searchAttributes: { ...requiredSearchAttributes }, logFile: path.join(dir, 'temporal.log'), log: () => undefined, temporalCli };
  const redisOptions = { port: redisPort, dir, log: () => undefined, logFile: path.join(dir, 'redis.log'), redisServer: redisBinary };
  let server: DevServerHandle | undefined;
  let redis: RedisServerHandle | undefined;
  try {
    const started = await Promise.all([startDevServer(serverOptions), startRedisServer(redisOptions), bundleWorkflows(path.join(dir, 'workflow-bundle.js'), { log })]);
    [server, redis] = started;
    if (server.reused || redis.reused) throw new Error('a free port was taken by another server meanwhile; run again');
    const env: TestEnv = { temporalAddress: server.address, namespace: server.namespace, redisUrl: redis.url, workflowBundlePath: started[2], encryptionKeys: generateKey('chaos1') };
    const envFile = path.join(dir, 'chaos-env.json');
    fs.writeFileSync(envFile, JSON.stringify(env, null, 2));
    // Worker processes (test/helpers/worker-main.ts) and clients read the environment from this file.
    process.env.HALFLIFE_TEST_ENV = envFile;
    log(`Temporal ${env.temporalAddress} (SQLite ${dbFilename}), Redis ${env.redisUrl}`);
    return await assemble(env, `chaos-${process.pid}`, { temporalCli: versionOf(temporalCli), redisServer: versionOf(redisBinary) }, {
      async stopTemporal() {
        await server?.stop();
      },
      async startTemporal() {
        server = await startDevServer({ ...serverOptions, readyTimeoutMs: 120_000 });
      },
      async stopRedis() {
        await redis?.stop();
      },
      async startRedis() {
        redis = await startRedisServer(redisOptions);
      },
      async cleanup() {
        await redis?.stop();
        await server?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    });
  } catch (err) {
    await redis?.stop();
    await server?.stop();
    throw err;
  }
}

/** The stack over the integration suite's servers (HALFLIFE_TEST_ENV): no restarts of Temporal or Redis. */
export async function chaosStackFromTestEnv(taskQueue: string): Promise<ChaosStack> {
  return assemble(testEnv(), taskQueue, { temporalCli: 'the test suite\'s', redisServer: 'the test suite\'s' }, {});
}
