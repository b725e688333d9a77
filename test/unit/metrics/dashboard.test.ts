/**
 * The Grafana dashboard (deploy/grafana/halflife.json): import-ready (a Prometheus data source
 * input used by every panel), and every query names a metric the worker's or the API's registry
 * exports. The Temporal SDK's `temporal_…` names are checked against a real worker's scrape in
 * test/integration/worker-metrics.test.ts; here only their prefix.
 */
import fs from 'node:fs';
import { Registry } from 'prom-client';
import { ApiMetrics } from '../../../src/api/metrics';
import { registerCredentialCounts } from '../../../src/metrics/credential-counts';
import { WorkerMetrics } from '../../../src/metrics/worker-metrics';
import { dashboardExpressions, dashboardFile, metricNamesIn, registryNames } from '../../helpers/dashboard';

/** Every name the worker's and the API's registries export, the credential counts included. */
async function exportedByHalflife(): Promise<Set<string>> {
  const worker = new WorkerMetrics({ defaultMetrics: true });
  registerCredentialCounts({ registry: worker.registry, count: async () => 0 });
  const api = new ApiMetrics({ defaultMetrics: true });
  return new Set([...(await registryNames(worker.registry)), ...(await registryNames(api.registry))]);
}

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(dashboardFile, 'utf8')) as {
    __inputs: { name: string; type: string; pluginId: string }[];
    panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
    uid: string;
    title: string;
  };

  it('is import-ready: a Prometheus data source input, used by every panel, titles and a stable uid', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(dashboard.uid).toBe('halflife');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect(panel.title).not.toBe('');
      expect(panel.datasource?.uid).toBe('${DS_PROMETHEUS}');
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });

  it('every query names a metric the service exports', async () => {
    const exported = await exportedByHalflife();
    const used = dashboardExpressions().flatMap((expr) => metricNamesIn(expr).map((name) => ({ name, expr })));
    expect(used.length).toBeGreaterThan(20);
    const missing = used.filter(({ name }) => !name.startsWith('temporal_') && !exported.has(name)).map(({ name, expr }) => `${name} (in ${expr})`);
    expect(missing).toEqual([]);
  });

  it('shows the metrics operators need: credentials by status, refreshes, latency, upstream calls, publications, webhooks, the API and the Temporal worker', () => {
    const names = new Set(dashboardExpressions().flatMap(metricNamesIn));
    for (const name of [
      'halflife_credentials',
      'halflife_refreshes_total',
      'halflife_refresh_duration_seconds_bucket',
      'halflife_refresh_failures_total',
      'halflife_upstream_calls_total',
      'halflife_publications_total',
      'halflife_webhook_deliveries_total',
      'halflife_http_requests_total',
      'temporal_worker_task_slots_available',
    ]) {
      expect(names).toContain(name);
    }
  });
});

describe('metric names in PromQL', () => {
  it('leaves out functions, label matchers, ranges, grouping labels, keywords and variables', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, route) (rate(halflife_http_request_duration_seconds_bucket{route=~"$r", x="a(b)"}[5m])))')).toEqual([
      'halflife_http_request_duration_seconds_bucket',
    ]);
    expect(metricNamesIn('sum(max by (status) (a_total{status!="revoked"})) / ignoring(x) b offset 5m and vector($daily_quota)')).toEqual(['a_total', 'b']);
  });

  it('a name the registries lack is reported (the check can fail)', async () => {
    const exported = await exportedByHalflife();
    expect(exported.has('halflife_refreshes_total')).toBe(true);
    expect(exported.has('halflife_refresh_duration_seconds_bucket')).toBe(true);
    expect(exported.has('halflife_refreshes')).toBe(false);
    expect(await registryNames(new Registry())).toEqual(new Set());
  });
});
