/**
 * The Temporal SDK's own metrics (worker task slots, poll and schedule-to-start latencies,
 * workflow and activity outcomes, sticky cache), served with the worker's: the SDK core's Prometheus
 * exporter listens on a loopback port only the worker's `/metrics` reads, and its text is appended
 * to the worker's own. One scrape target per worker; names as the Temporal SDK dashboards expect
 * them (`temporal_…_seconds`, `…_total`).
 */
import type { MetricsExporterConfig } from '@temporalio/worker';

/** The SDK runtime's metrics exporter, bound on `127.0.0.1:<port>`. */
export function sdkMetricsExporter(port: number): MetricsExporterConfig {
  return {
    prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
  };
}

/** Reads the SDK exporter's text; when it cannot, a comment line that says why (the worker's own metrics are still served). */
export async function readSdkMetrics(port: number, timeoutMs = 2_000): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
    const text = await res.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (err) {
    return `# Temporal SDK metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
  }
}
