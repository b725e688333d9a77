/** Installs the Temporal runtime: the SDK's own logs routed into the service logger, and optionally its metrics exporter. */
import { DefaultLogger, Runtime, type LogLevel, type MetricsExporterConfig } from '@temporalio/worker';
import type { Logger } from '../logger';

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/**
 * Installs the Temporal runtime once per process, logging through `logger` and exporting the SDK's
 * metrics with `metrics` (see `src/metrics/sdk-metrics.ts`). Returns false when it was installed
 * already (the first call's settings stay).
 */
export function installTemporalLogging(logger: Logger, level: LogLevel = 'INFO', metrics?: MetricsExporterConfig): boolean {
  if (installed) return false;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      logger[levels[entry.level]]({ ...entry.meta, sdk: true }, entry.message);
    }),
    ...(metrics ? { telemetryOptions: { metrics } } : {}),
  });
  return true;
}
