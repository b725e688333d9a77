/**
 * The worker's metrics: what the activity wrappers record, bounded failure codes, the visibility
 * counts behind `halflife_credentials` (cached, kept on failure), and the `/metrics` endpoint with
 * the SDK's text appended.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Registry } from 'prom-client';
import type { PublishCredentialInput, RefreshCredentialInput, RefreshCredentialResult } from '../../../src/activities/contracts';
import type { CredentialStatus } from '../../../src/credential';
import { providerFailureType } from '../../../src/failure-types';
import { observePublications, observeRefreshes } from '../../../src/metrics/activity-observers';
import { registerCredentialCounts } from '../../../src/metrics/credential-counts';
import { startMetricsServer } from '../../../src/metrics/metrics-server';
import { readSdkMetrics } from '../../../src/metrics/sdk-metrics';
import { WorkerMetrics } from '../../../src/metrics/worker-metrics';
import { freePort } from '../../../src/dev/net';

const token = (accessToken: string) => ({ accessToken, tokenType: 'Bearer', issuedAt: 0, expiresAt: 1 });
const input = (over: Partial<RefreshCredentialInput> = {}): RefreshCredentialInput => ({
  credentialId: 'c1',
  provider: 'oauth2',
  config: {},
  grant: { refreshToken: 'rt' },
  forced: false,
  defaultLifetimeMs: 1000,
  timeoutMs: 1000,
  ...over,
});
const providerFailure = (kind: string, code: string) =>
  ApplicationFailure.create({ type: providerFailureType, message: `${code}: x`, nonRetryable: true, details: [{ kind, code, message: 'x' }] });

/** The value of one series (`name` may be a histogram's `_count` or `_sum`), or undefined when it has none. */
async function value(metrics: WorkerMetrics | Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const registry = metrics instanceof Registry ? metrics : metrics.registry;
  const base = name.replace(/_(count|sum)$/, '');
  const metric = await (registry.getSingleMetric(name) ?? registry.getSingleMetric(base))?.get();
  const row = metric?.values.find((v) => ((v as { metricName?: string }).metricName ?? metric.name) === name && Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return row?.value;
}

describe('the refresh and publication wrappers', () => {
  it('record outcome, latency and failure code per provider; same token, new token and recoveries told apart', async () => {
    const metrics = new WorkerMetrics();
    const answers: (RefreshCredentialResult | Error)[] = [
      { token: token('new') },
      { token: token('old') },
      { token: token('new2'), recovered: 'write_ahead' },
      providerFailure('reauth', 'invalid_grant'),
      providerFailure('transient', 'http_503'),
      providerFailure('configuration', 'some_unlisted_error'),
      new Error('boom'),
    ];
    const refresh = observeRefreshes(async () => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    }, metrics);
    for (let i = 0; i < 7; i++) await refresh(input({ current: token('old') })).catch(() => undefined);

    expect(await value(metrics, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'new_token' })).toBe(2);
    expect(await value(metrics, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'same_token' })).toBe(1);
    expect(await value(metrics, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'reauth' })).toBe(1);
    expect(await value(metrics, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'transient' })).toBe(2);
    expect(await value(metrics, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'configuration' })).toBe(1);
    expect(await value(metrics, 'halflife_refresh_recovered_total', { provider: 'oauth2', source: 'write_ahead' })).toBe(1);
    expect(await value(metrics, 'halflife_refresh_failures_total', { code: 'invalid_grant' })).toBe(1);
    expect(await value(metrics, 'halflife_refresh_failures_total', { code: 'http_503' })).toBe(1);
    // Unknown codes are folded into `other` (bounded series); unexpected errors count as internal_error, which is in no table.
    expect(await value(metrics, 'halflife_refresh_failures_total', { code: 'some_unlisted_error' })).toBeUndefined();
    expect(await value(metrics, 'halflife_refresh_failures_total', { code: 'other' })).toBe(2);
    expect(await value(metrics, 'halflife_refresh_duration_seconds_count', { provider: 'oauth2', outcome: 'new_token' })).toBe(2);
    const text = (await metrics.render()).body;
    expect(text).not.toContain('c1'); // no credential id in any series
  });

  it('keeps the codes of each provider\'s table (errcodes, after-crash variants) and folds the rest', () => {
    const metrics = new WorkerMetrics();
    metrics.observeRefresh('wechat', 'transient', 0.1, 'errcode_45009');
    metrics.observeRefresh('wechat', 'configuration', 0.1, 'errcode_99999');
    metrics.observeRefresh('oauth2', 'reauth', 0.1, 'invalid_grant_after_crash');
    return metrics.render().then(({ body }) => {
      expect(body).toContain('halflife_refresh_failures_total{provider="wechat",code="errcode_45009"} 1');
      expect(body).toContain('halflife_refresh_failures_total{provider="wechat",code="other"} 1');
      expect(body).toContain('halflife_refresh_failures_total{provider="oauth2",code="invalid_grant_after_crash"} 1');
    });
  });

  it('count publications by result, failed when Redis throws (and the error still reaches the workflow)', async () => {
    const metrics = new WorkerMetrics();
    const results: ('written' | 'stale' | Error)[] = ['written', 'written', 'stale', new Error('redis down')];
    const publish = observePublications(async () => {
      const next = results.shift()!;
      if (next instanceof Error) throw next;
      return next;
    }, metrics);
    const one = {} as PublishCredentialInput;
    await publish(one);
    await publish(one);
    await publish(one);
    await expect(publish(one)).rejects.toThrow('redis down');
    expect(await value(metrics, 'halflife_publications_total', { result: 'written' })).toBe(2);
    expect(await value(metrics, 'halflife_publications_total', { result: 'stale' })).toBe(1);
    expect(await value(metrics, 'halflife_publications_total', { result: 'failed' })).toBe(1);
  });

  it('without metrics, the activities are returned as they are', () => {
    const refresh = async () => ({ token: token('t') });
    expect(observeRefreshes(refresh, undefined)).toBe(refresh);
  });
});

describe('halflife_credentials (visibility counts)', () => {
  it('counts every status once per max age, keeps the last values when a count fails, and counts the failure', async () => {
    const registry = new Registry();
    let now = 1_000;
    let fail = false;
    const asked: CredentialStatus[] = [];
    const counts: Partial<Record<CredentialStatus, number>> = { active: 5, reauth_required: 2 };
    registerCredentialCounts({
      registry,
      now: () => now,
      maxAgeMs: 10_000,
      count: async (status) => {
        asked.push(status);
        if (fail) throw new Error('visibility unavailable');
        return counts[status] ?? 0;
      },
    });
    expect(await value(registry, 'halflife_credentials', { status: 'active' })).toBe(5);
    expect(await value(registry, 'halflife_credentials', { status: 'reauth_required' })).toBe(2);
    expect(await value(registry, 'halflife_credentials', { status: 'degraded' })).toBe(0);
    expect(asked).toHaveLength(6);
    now += 5_000;
    counts.active = 7;
    await registry.metrics();
    expect(asked).toHaveLength(6); // served from the cache
    now += 6_000;
    expect(await value(registry, 'halflife_credentials', { status: 'active' })).toBe(7);
    expect(asked).toHaveLength(12);
    fail = true;
    now += 20_000;
    expect(await value(registry, 'halflife_credentials', { status: 'active' })).toBe(7);
    expect(await value(registry, 'halflife_credential_count_errors_total')).toBe(1);
  });
});

describe('the metrics endpoint', () => {
  it('serves the registry followed by the extra text on GET /metrics; 404 elsewhere, 405 for other methods', async () => {
    const metrics = new WorkerMetrics();
    metrics.observeUpstreamCall('wecom');
    const server = await startMetricsServer({ registry: metrics.registry, port: 0, extra: async () => '# sdk\ntemporal_x_total 3\n' });
    try {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const body = await res.text();
      expect(body).toContain('halflife_upstream_calls_total{provider="wecom"} 1');
      expect(body.indexOf('temporal_x_total 3')).toBeGreaterThan(body.indexOf('halflife_upstream_calls_total'));
      expect((await fetch(`${server.url}/other`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('says in a comment when the SDK exporter cannot be read', async () => {
    const text = await readSdkMetrics(await freePort(), 1_000);
    expect(text).toMatch(/^# Temporal SDK metrics unavailable: /);
    expect(text.endsWith('\n')).toBe(true);
  });
});
