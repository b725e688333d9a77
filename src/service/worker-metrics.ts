/**
 * The worker's metrics as part of a running service (`halflife worker`, `halflife start`): the
 * registry the activities record into, the credential counts from visibility, the SDK's exporter on
 * a loopback port, and the `/metrics` endpoint on `HALFLIFE_WORKER_METRICS_PORT`.
 */
import type { NativeConnection } from '@temporalio/worker';
import type { HalflifeConfig } from '../config';
import { freePort } from '../dev/net';
import type { Logger } from '../logger';
import { registerCredentialCounts, visibilityCounter } from '../metrics/credential-counts';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server';
import { readSdkMetrics, sdkMetricsExporter } from '../metrics/sdk-metrics';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { installTemporalLogging } from './temporal-logging';

/** The SDK exporter's port for this process, when worker metrics are on (chosen before the runtime is installed). */
export async function sdkMetricsPort(config: HalflifeConfig): Promise<number | undefined> {
  if (!config.workerMetrics) return undefined;
  return config.workerMetrics.sdkPort ?? (await freePort());
}

/** Installs the Temporal runtime with the service logger and, when `sdkPort` is given, the SDK's metrics exporter. */
export function installTemporalRuntime(logger: Logger, sdkPort: number | undefined): void {
  const installed = installTemporalLogging(logger, 'WARN', sdkPort !== undefined ? sdkMetricsExporter(sdkPort) : undefined);
  if (!installed && sdkPort !== undefined) logger.warn('the Temporal runtime was installed before; its SDK metrics are not exported');
}

/** A worker's metrics, served. */
export interface ServedWorkerMetrics {
  metrics: WorkerMetrics;
  server: MetricsServer;
}

/** Creates the worker's metrics and serves them (with the SDK's from `sdkPort`) on the configured host and port. */
export async function serveWorkerMetrics(
  settings: NonNullable<HalflifeConfig['workerMetrics']>,
  connection: NativeConnection,
  namespace: string,
  sdkPort: number | undefined,
): Promise<ServedWorkerMetrics> {
  const metrics = new WorkerMetrics({ defaultMetrics: true });
  registerCredentialCounts({ registry: metrics.registry, count: visibilityCounter(connection, namespace) });
  const server = await startMetricsServer({
    registry: metrics.registry,
    host: settings.host,
    port: settings.port,
    ...(sdkPort !== undefined ? { extra: () => readSdkMetrics(sdkPort) } : {}),
  });
  return { metrics, server };
}
