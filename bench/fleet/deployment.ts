/**
 * One ladder step's deployment: a Temporal dev server with its own SQLite file (as `halflife
 * start` runs it, plus a metrics port), `workers` worker processes (./worker-main.ts: the product's
 * `halflife worker`, each with its metrics endpoint), `apis` HTTP API processes (`halflife api`)
 * and the reader process (./reader.ts), all on one task queue against the shared Redis.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import { createDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { startDevServer, type DevServerHandle } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/net';
import { requiredSearchAttributes } from '../../src/search-attributes';
import { workerTuningVariables, type WorkerTuning } from '../../src/worker-tuning';
import { waitFor } from '../../test/helpers/wait';
import { exited } from '../../test/helpers/worker-process';
import { startApiService, type ApiService } from '../storm/api-service';
import type { FromReader, ToReader } from './reader';

/** What every step shares. */
export interface FleetBase {
  dir: string;
  temporalCli: string;
  redisUrl: string;
  encryptionKeys: string;
  bundlePath: string;
  log: (msg: string) => void;
}

/** What a step runs. */
export interface DeploymentSpec {
  label: string;
  workers: number;
  apis: number;
  tuning: WorkerTuning;
  /** `--sqlite-pragma` values for the dev server (e.g. `journal_mode=wal`). */
  sqlitePragmas: string[];
  /** `--dynamic-config-value` settings of the dev server. */
  dynamicConfig: string[];
  readRatePerS: number;
}

/** A worker process. */
export interface FleetWorker {
  pid: number;
  metricsUrl: string;
  /** Lines it logged at warn or above (JSON lines). */
  problems(): string[];
  stop(): Promise<void>;
}

/** A running deployment. */
export interface Deployment {
  server: DevServerHandle;
  serverMetricsUrl: string;
  taskQueue: string;
  workers: FleetWorker[];
  apis: ApiService[];
  reader: { pid: number; send(message: ToReader): void; next(): Promise<FromReader> };
  client: TokenClient;
  stop(): Promise<void>;
}

const root = path.join(__dirname, '..', '..');

async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

async function startWorker(base: FleetBase, env: Record<string, string>, logFile: string): Promise<FleetWorker> {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'worker-main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, HALFLIFE_WORKER_METRICS_PORT: String(metricsPort), HALFLIFE_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = fs.createWriteStream(logFile);
  let ready = false;
  const problems: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => (ready ||= chunk.toString().includes('WORKER READY')));
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n')) if (/"level":(4|5|6)\d/.test(line) && problems.length < 10_000) problems.push(line);
  });
  const stop = async () => {
    await stopChild(child);
    log.end();
  };
  try {
    await waitFor('a fleet worker to poll', () => {
      if (child.exitCode !== null) throw new Error(`fleet worker exited with ${child.exitCode}; log in ${logFile}`);
      return ready;
    }, { timeoutMs: 120_000, intervalMs: 100 });
  } catch (err) {
    await stop();
    throw err;
  }
  base.log(`worker ${child.pid} polling (log ${logFile})`);
  return { pid: child.pid ?? -1, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, problems: () => problems, stop };
}

function startReader(): Deployment['reader'] & { child: ChildProcess } {
  const child = fork(path.join(__dirname, 'reader.ts'), [], { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: FromReader[] = [];
  const waiting: ((m: FromReader) => void)[] = [];
  child.on('message', (m: FromReader) => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  return {
    child,
    pid: child.pid ?? -1,
    send: (message) => child.send(message),
    next: () => {
      const m = inbox.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Starts the step's deployment; what started is stopped again if a later part fails. */
export async function startDeployment(base: FleetBase, spec: DeploymentSpec): Promise<Deployment> {
  const dir = path.join(base.dir, spec.label);
  fs.mkdirSync(dir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const server = await startDevServer({
      port,
      uiPort: null,
      dbFilename: path.join(dir, 'temporal.db'),
      searchAttributes: { ...requiredSearchAttributes },
      logFile: path.join(dir, 'temporal.log'),
      temporalCli: base.temporalCli,
      // As `halflife start` runs it (write-ahead logging) unless pragmas are given (`--sqlite-pragma journal_mode=delete`).
      ...(spec.sqlitePragmas.length > 0 ? { sqlitePragmas: spec.sqlitePragmas } : {}),
      dynamicConfig: spec.dynamicConfig,
      extraArgs: ['--metrics-port', String(metricsPort)],
      log: base.log,
    });
    stops.push(() => server.stop());
    const taskQueue = `fleet-${spec.label}`;
    const env = {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      HALFLIFE_TASK_QUEUE: taskQueue,
      REDIS_URL: base.redisUrl,
      HALFLIFE_ENCRYPTION_KEYS: base.encryptionKeys,
      HALFLIFE_STATE_DIR: dir,
      HALFLIFE_LOG_LEVEL: 'warn',
      HALFLIFE_BENCH_BUNDLE: base.bundlePath,
      ...Object.fromEntries(Object.entries(spec.tuning).map(([k, v]) => [workerTuningVariables[k as keyof WorkerTuning], String(v)])),
    };
    const workers: FleetWorker[] = [];
    for (let i = 0; i < spec.workers; i++) {
      const worker = await startWorker(base, env, path.join(dir, `worker-${i + 1}.log`));
      workers.push(worker);
      stops.push(() => worker.stop());
    }
    const apiEnv = { temporalAddress: server.address, namespace: server.namespace, taskQueue, redisUrl: base.redisUrl, encryptionKeys: base.encryptionKeys, apiUrl: '', apiKey: '' };
    const apis: ApiService[] = [];
    for (let i = 0; i < spec.apis; i++) {
      const api = await startApiService(apiEnv);
      apis.push(api);
      stops.push(() => api.stop());
    }
    const reader = startReader();
    stops.push(() => stopChild(reader.child, 5_000));
    reader.send({ type: 'setup', env: apiEnv, apis: apis.map((a) => ({ url: a.url, key: a.key })), ratePerS: spec.readRatePerS });
    const ready = await reader.next();
    if (ready.type !== 'ready') throw new Error(`fleet reader: ${ready.type === 'error' ? ready.message : ready.type}`);
    const connection = await connectTemporal({ address: server.address });
    stops.push(() => connection.close());
    const client = new TokenClient({ connection, namespace: server.namespace, taskQueue, dataConverter: createDataConverter(parseKeyring(base.encryptionKeys)) });
    return { server, serverMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, taskQueue, workers, apis, reader, client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
