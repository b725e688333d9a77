/**
 * `halflife worker` with HALFLIFE_WORKER_METRICS_PORT, scraped after refreshes and failures: the
 * counts match what the fake token endpoint saw, the credential counts come from visibility, the
 * Temporal SDK's metrics are in the same scrape, no credential id appears, and every query of the
 * Grafana dashboard names a metric the worker or the API really exports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiMetrics } from '../../src/api/metrics';
import { freePort } from '../../src/dev/net';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { spawnCli, waitForCliOutput } from '../helpers/cli-process';
import { dashboardExpressions, exportedNames, metricNamesIn, registryNames } from '../helpers/dashboard';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { exited } from '../helpers/worker-process';

/** The value of the series `name{labels}` in an exposition text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('worker metrics, scraped', () => {
  const taskQueue = uniqueId('tq-metrics');
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-metrics-'));
  let worker: ReturnType<typeof spawnCli>;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  let fake: FakeOAuth2Server;
  let url: string;

  beforeAll(async () => {
    const env = testEnv();
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    fake = await startFakeOAuth2Server();
    worker = spawnCli(['worker'], {
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_NAMESPACE: env.namespace,
      TEMPORAL_CONFIG_FILE: path.join(stateDir, 'no-profile.toml'),
      HALFLIFE_TASK_QUEUE: taskQueue,
      REDIS_URL: env.redisUrl,
      HALFLIFE_ENCRYPTION_KEYS: env.encryptionKeys,
      HALFLIFE_STATE_DIR: stateDir,
      HALFLIFE_WORKER_METRICS_PORT: String(port),
      HALFLIFE_LOG_FORMAT: 'json',
    });
    await waitForCliOutput(worker, 'halflife is running', 120_000);
    client = await openTokenClient(taskQueue);
  });
  afterAll(async () => {
    await client?.shutdown();
    worker?.kill('SIGTERM');
    if (worker) await exited(worker);
    await fake?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const scrape = async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('counts refreshes by outcome and code, upstream calls as the provider saw them, publications, credentials by status, and the SDK metrics', async () => {
    fake.setExpiresIn(3600);
    const ok = await registerOAuth2(client, fake);
    await client.refresh(ok.id, { staleVersion: ok.token.version });
    const rejected = await registerOAuth2(client, fake);
    fake.rejectNextWith(1, 'invalid_grant');
    await client.refresh(rejected.id, { staleVersion: rejected.token.version }).catch(() => undefined);
    const retried = await registerOAuth2(client, fake, { retryInitialMs: 200 });
    fake.failNext(1, { status: 503 });
    await client.refresh(retried.id, { staleVersion: retried.token.version }).catch(() => undefined);
    await waitFor('the retry to succeed', async () => (await client.describe(retried.id)).version === 2);
    const calls = [ok, rejected, retried].reduce((sum, c) => sum + fake.callsFor(c.clientId), 0);

    const text = await waitFor('the scrape to show every refresh and the reauth_required credential', async () => {
      const t = await scrape();
      const n = sample(t, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'new_token' });
      return n === 5 && (sample(t, 'halflife_credentials', { status: 'reauth_required' }) ?? 0) >= 1 ? t : undefined;
    }, { timeoutMs: 40_000 });
    expect(sample(text, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'reauth' })).toBe(1);
    expect(sample(text, 'halflife_refreshes_total', { provider: 'oauth2', outcome: 'transient' })).toBe(1);
    expect(sample(text, 'halflife_refresh_failures_total', { provider: 'oauth2', code: 'invalid_grant' })).toBe(1);
    expect(sample(text, 'halflife_refresh_failures_total', { provider: 'oauth2', code: 'http_503' })).toBe(1);
    expect(sample(text, 'halflife_upstream_calls_total', { provider: 'oauth2' })).toBe(calls);
    expect(sample(text, 'halflife_refresh_duration_seconds_count', { provider: 'oauth2', outcome: 'new_token' })).toBe(5);
    expect(sample(text, 'halflife_publications_total', { result: 'written' })).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'halflife_publications_total', { result: 'failed' })).toBeUndefined();
    // The Temporal SDK's own metrics, in the same scrape.
    expect(sample(text, 'temporal_worker_task_slots_available', { task_queue: taskQueue, worker_type: 'ActivityWorker' })).toBeGreaterThan(0);
    expect(sample(text, 'temporal_activity_execution_latency_seconds_count', { activity_type: 'refreshCredential', task_queue: taskQueue })).toBeGreaterThanOrEqual(5);
    // Bounded labels: no series names a credential.
    for (const c of [ok, rejected, retried]) expect(text).not.toContain(c.id);
    for (const c of [ok, rejected, retried]) await client.revoke(c.id);
  });

  it('every query of the Grafana dashboard names a metric the worker or the API exports', async () => {
    const exported = new Set([...exportedNames(await scrape()), ...(await registryNames(new ApiMetrics({ defaultMetrics: true }).registry))]);
    const missing = dashboardExpressions().flatMap((expr) => metricNamesIn(expr).filter((name) => !exported.has(name)).map((name) => `${name} (in ${expr})`));
    expect(missing).toEqual([]);
  });
});
