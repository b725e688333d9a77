/**
 * The setup of the storm suites: on the test dev server and Redis, a worker process, the OpenID
 * peer with strict rotation, the real HTTP API process (`halflife api`), P storm caller processes
 * (bench/storm/child.ts) and a TokenClient for the test itself. Started in `beforeAll`, stopped in
 * `afterAll`.
 */
import type { Redis } from 'ioredis';
import { startApiService, type ApiService } from '../../bench/storm/api-service';
import { StormFleet } from '../../bench/storm/fleet';
import type { StormEnvironment } from '../../bench/storm/protocol';
import { oidcStormProvider } from '../../bench/storm/providers';
import type { StormContext } from '../../bench/storm/scenarios';
import { startOidcPeer, type OidcPeer } from '../peers/oidc-peer';
import { openRedis, openTokenClient, testEnv, uniqueId } from './test-env';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/** What `useStormStack` provides once the suite has started. */
export interface StormStack {
  readonly peer: OidcPeer;
  readonly worker: WorkerProcess;
  readonly apiService: ApiService;
  /** The storm context over the OpenID peer. */
  readonly ctx: StormContext;
  readonly taskQueue: string;
}

/** Registers `beforeAll` / `afterAll` hooks that start and stop the storm stack with `processes` caller processes. */
export function useStormStack(options: { processes: number; refreshTimeoutMs?: number }): StormStack {
  const taskQueue = uniqueId('tq-storm');
  const parts: { -readonly [K in keyof StormStack]?: StormStack[K] } & { owner?: Awaited<ReturnType<typeof openTokenClient>>; redis?: Redis; fleet?: StormFleet } = { taskQueue };
  beforeAll(async () => {
    const env = testEnv();
    const base: StormEnvironment = { temporalAddress: env.temporalAddress, namespace: env.namespace, taskQueue, redisUrl: env.redisUrl, encryptionKeys: env.encryptionKeys };
    const [peer, worker, apiService] = await Promise.all([startOidcPeer({ rotation: 'strict' }), startWorkerProcess(taskQueue), startApiService(base)]);
    Object.assign(parts, { peer, worker, apiService });
    const stormEnv = { ...base, apiUrl: apiService.url, apiKey: apiService.key };
    parts.fleet = await StormFleet.start(stormEnv, options.processes, { refreshTimeoutMs: options.refreshTimeoutMs });
    parts.owner = await openTokenClient(taskQueue);
    parts.redis = openRedis();
    parts.ctx = { env: stormEnv, fleet: parts.fleet, provider: oidcStormProvider(peer), owner: parts.owner, redis: parts.redis };
  }, 120_000);
  afterAll(async () => {
    await parts.fleet?.close();
    await parts.owner?.shutdown();
    parts.redis?.disconnect();
    await parts.apiService?.stop();
    await parts.worker?.stop();
    await parts.peer?.close();
  });
  const started = <K extends keyof StormStack>(key: K): StormStack[K] => {
    const part = parts[key];
    if (part === undefined) throw new Error(`the ${key} of the storm stack is not started (use it inside tests)`);
    return part as StormStack[K];
  };
  return {
    get peer() {
      return started('peer');
    },
    get worker() {
      return started('worker');
    },
    get apiService() {
      return started('apiService');
    },
    get ctx() {
      return started('ctx');
    },
    taskQueue,
  };
}
