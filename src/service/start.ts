/**
 * The service (`halflife start`, `worker`, `api`): a worker and the HTTP API against a Temporal
 * server, stopped cleanly on Ctrl-C / SIGTERM (worker drained, then everything closed in reverse
 * order). Which Temporal: the one the caller starts (`ServiceParts.temporalServer`: the CLI's dev
 * server), else `config.temporal.address`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import type { RefreshHooks } from '../activities/refresh-credential';
import type { Keyring } from '../codec/keyring';
import type { HalflifeConfig } from '../config';
import type { Logger } from '../logger';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { createCredentialWorker } from '../worker';
import { createWorkerDataConverter } from '../codec/data-converter';
import { keyringOf, loadServiceApiKeys, openRedis } from './connections';
import { temporalUnreachable } from './temporal-unreachable';
import { installTemporalRuntime, sdkMetricsPort, serveWorkerMetrics } from './worker-metrics';

/** A Temporal server started for the service by its caller (the CLI's dev server). */
export interface TemporalServer {
  /** `host:port` of its frontend. */
  address: string;
  /** Its Web UI, when it has one. */
  uiUrl?: string;
  /** Stops it (does nothing for a server that was already running). */
  stop(): Promise<void>;
}

/** What `startService` runs. */
export interface ServiceParts {
  /** Run a worker. @default true */
  worker?: boolean;
  /** Run the HTTP API (and codec endpoint). @default true */
  api?: boolean;
  /** Starts the Temporal server to run against; stopped with the service. @default none: use `config.temporal.address` */
  temporalServer?: () => Promise<TemporalServer>;
  /** Stop on SIGINT / SIGTERM. @default true */
  handleSignals?: boolean;
  /** Test seams of the worker (the integration tests' worker processes). @default none */
  workerSeams?: ServiceWorkerSeams;
}

/** What a test may change in the service's worker; everything else is the product's wiring. */
export interface ServiceWorkerSeams {
  /** Hooks inside the refresh activity (the crash seam). */
  hooks?: RefreshHooks;
  /** Worker identity. @default the worker's */
  identity?: string;
  /** How long in-flight refreshes may finish after shutdown. @default the worker's (45 s) */
  shutdownGraceTimeMs?: number;
  /** A workflow bundle built by `scripts/bundle-workflows.ts`. @default the prebuilt one next to `dist/`, else bundled at start-up */
  workflowBundlePath?: string;
  /** Run activities only (no workflow tasks), to hold workflow tasks back while activities complete. */
  activitiesOnly?: boolean;
}

/** `ServiceParts` with every default filled in. */
export type ResolvedServiceParts = Required<Omit<ServiceParts, 'temporalServer'>> & Pick<ServiceParts, 'temporalServer'>;

/**
 * The service's credential worker: the one factory `halflife start` / `halflife worker` and the
 * integration tests' worker processes use, so tests run the wiring users run.
 */
export function createServiceWorker(
  config: HalflifeConfig,
  connection: NativeConnection,
  redis: Redis | undefined,
  keyring: Keyring,
  seams: ServiceWorkerSeams = {},
  metrics?: WorkerMetrics,
): Promise<Worker> {
  return createCredentialWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    redis,
    redisPrefix: config.redisPrefix,
    dataConverter: createWorkerDataConverter(keyring),
    workflowBundlePath: seams.workflowBundlePath ?? prebuiltBundle(),
    publicUrl: config.publicUrl,
    metrics,
    ...(seams.identity !== undefined ? { identity: seams.identity } : {}),
    ...(seams.shutdownGraceTimeMs !== undefined ? { shutdownGraceTimeMs: seams.shutdownGraceTimeMs } : {}),
    ...(seams.hooks ? { hooks: seams.hooks } : {}),
    ...(seams.activitiesOnly ? { activitiesOnly: true } : {}),
  });
}

/** Fills in the defaults of `ServiceParts`: everything runs, signals stop it. */
export function withServiceDefaults(parts: ServiceParts = {}): ResolvedServiceParts {
  return { worker: true, api: true, handleSignals: true, workerSeams: {}, ...parts };
}

/** A running service. */
export interface RunningService {
  /** The Temporal server it uses. */
  address: string;
  /** The Web UI of the dev server it started or reused, if any. */
  uiUrl?: string;
  /** Resolves when the service has stopped. */
  done: Promise<void>;
  /** Stops everything (idempotent). */
  stop(): Promise<void>;
}

/** The prebuilt workflow bundle, when `npm run build` made one. */
function prebuiltBundle(): string | undefined {
  const candidate = path.join(__dirname, '..', 'workflow-bundle.js');
  return fs.existsSync(candidate) ? candidate : undefined;
}

/** Starts the service; see the module comment. What started is stopped again if a later part fails. */
export async function startService(config: HalflifeConfig, logger: Logger, options: ServiceParts = {}): Promise<RunningService> {
  const parts = withServiceDefaults(options);
  // Loaded once for the worker, the API's client and the codec endpoint; a bad ring or key set fails before anything starts.
  const keyring = keyringOf(config);
  const apiKeys = parts.api ? loadServiceApiKeys(config, logger) : undefined;
  const sdkPort = parts.worker ? await sdkMetricsPort(config) : undefined;
  installTemporalRuntime(logger, sdkPort);
  // Closers of what has started, run in reverse order on stop (or when a later part fails to start).
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      await Promise.resolve()
        .then(close)
        .catch((err: unknown) => logger.warn({ err }, 'error while stopping'));
    }
  };
  let worker: Worker | undefined;
  let server: TemporalServer | undefined;
  let address: string;
  try {
    server = await parts.temporalServer?.();
    if (server) closers.push(() => server?.stop());
    address = server?.address ?? config.temporal.address;
    const connection = await NativeConnection.connect({ ...config.temporal, address }).catch((err: unknown) => {
      throw temporalUnreachable(config, address, err);
    });
    closers.push(() => connection.close());
    const redis = await openRedis(config);
    if (redis) closers.push(() => redis.disconnect());
    logger.info({ temporal: address, namespace: config.namespace, redis: redis ? 'on' : 'off' }, 'connected');
    if (parts.worker) {
      const served = config.workerMetrics ? await serveWorkerMetrics(config.workerMetrics, connection, config.namespace, sdkPort) : undefined;
      if (served) {
        closers.push(() => served.server.close());
        logger.info({ url: `${served.server.url}/metrics` }, 'worker metrics');
      }
      worker = await createServiceWorker(config, connection, redis, keyring, parts.workerSeams, served?.metrics);
    }
    if (apiKeys) {
      // Loaded on demand: a worker-only process never loads Fastify.
      const api = await (await import('./api-process')).startApiProcess(config, logger, address, keyring, apiKeys);
      closers.push(() => api.close());
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  if (server?.uiUrl) logger.info(`Temporal Web UI: ${server.uiUrl}/namespaces/${config.namespace}/workflows`);
  const running = worker?.run();
  logger.info({ taskQueue: config.taskQueue }, 'halflife is running; Ctrl-C to stop');

  let markDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('stopping');
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running?.catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));
      await closeAll();
      logger.info('stopped');
      markDone();
    })());
  if (parts.handleSignals) {
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  }
  // A worker that ends on its own (fatal error) takes the service down with it.
  void running?.then(stop, stop);
  return { address, uiUrl: server?.uiUrl, done, stop };
}
