/**
 * `halflife start`: the whole service on embedded defaults. Starts (or reuses) the Temporal dev
 * server unless `TEMPORAL_ADDRESS` names one, runs a worker and the HTTP API, prints where the
 * Web UI is, and stops cleanly on Ctrl-C / SIGTERM (worker drained, children stopped).
 */
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { HalflifeConfig } from '../config';
import { startDevServer, type DevServerHandle } from '../dev/dev-server';
import { ensureTemporalCli } from '../dev/temporal-cli';
import type { Logger } from '../logger';
import { requiredSearchAttributes } from '../search-attributes';
import { createCredentialWorker } from '../worker';
import { createWorkerDataConverter } from '../codec/data-converter';
import { keyringOf, openRedis, stateDirOf } from './connections';
import { installTemporalLogging } from './temporal-logging';

/** What `startService` runs. */
export interface ServiceParts {
  /** Run a worker. @default true */
  worker?: boolean;
  /** Run the HTTP API (and codec endpoint). @default true */
  api?: boolean;
  /** Start (or reuse) a dev server when no Temporal address is configured. @default true */
  devServer?: boolean;
  /** Stop on SIGINT / SIGTERM. @default true */
  handleSignals?: boolean;
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

/** The dev server to use when no Temporal address was configured. */
async function devServerFor(config: HalflifeConfig, logger: Logger): Promise<DevServerHandle | undefined> {
  if (config.temporalAddressGiven) return undefined;
  const dir = stateDirOf(config);
  const log = (msg: string) => logger.info(msg);
  await ensureTemporalCli({ log });
  const [host = '127.0.0.1', port = '7233'] = config.temporal.address.split(':');
  return startDevServer({
    host: host === 'localhost' ? '127.0.0.1' : host,
    port: Number(port),
    uiPort: Number(port) + 1000,
    dbFilename: path.join(dir, 'temporal.db'),
    namespace: config.namespace,
    searchAttributes: { ...requiredSearchAttributes },
    uiCodecEndpoint: `http://${config.apiHost}:${config.apiPort}/codec`,
    logFile: path.join(dir, 'temporal.log'),
    log,
  });
}

/** Starts the service; see the module comment. What started is stopped again if a later part fails. */
export async function startService(config: HalflifeConfig, logger: Logger, parts: ServiceParts = {}): Promise<RunningService> {
  installTemporalLogging(logger, 'WARN');
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
  let server: DevServerHandle | undefined;
  let address: string;
  // Loaded once for the worker, the API's client and the codec endpoint; a bad ring fails before anything starts.
  const keyring = keyringOf(config);
  try {
    server = parts.devServer === false ? undefined : await devServerFor(config, logger);
    if (server) closers.push(() => server?.stop());
    address = server?.address ?? config.temporal.address;
    const connection = await NativeConnection.connect({ ...config.temporal, address });
    closers.push(() => connection.close());
    const redis = await openRedis(config);
    if (redis) closers.push(() => redis.disconnect());
    logger.info({ temporal: address, namespace: config.namespace, redis: redis ? 'on' : 'off' }, 'connected');
    if (parts.worker !== false) {
      worker = await createCredentialWorker({
        connection,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        redis,
        redisPrefix: config.redisPrefix,
        dataConverter: createWorkerDataConverter(keyring),
        workflowBundlePath: prebuiltBundle(),
      });
    }
    if (parts.api !== false) {
      const api = await (await import('./api-process')).startApiProcess(config, logger, address, keyring);
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
  if (parts.handleSignals !== false) {
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  }
  // A worker that ends on its own (fatal error) takes the service down with it.
  void running?.then(stop, stop);
  return { address, uiUrl: server?.uiUrl, done, stop };
}
