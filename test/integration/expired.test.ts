/**
 * A token endpoint failing past the token's expiry, through the product's worker, API and CLI:
 * the credential is `degraded` while its token is valid and `expired` from the instant the token
 * expires (before any further attempt fails); `getToken` then throws `UpstreamFailingError`, the
 * HTTP API answers 503 `upstream_failing` with `Retry-After`, `halflife get` exits 5, and the Redis
 * key, whose expiry is the token's, is gone. When the endpoint answers again the credential
 * recovers. And a refresh still in flight when the token expires: `TokenExpiredError`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { isHalflifeError } from '../../src/errors';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialKey } from '../../src/redis/keys';
import { startApiProcess, type ApiProcessHandle } from '../helpers/api-process';
import { runCli } from '../helpers/cli-process';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openRedis, openTokenClient, serviceEnv, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const adminKey = `expired-admin-${uniqueId('k')}-0123456789`;

describe('a provider failing past the token expiry', () => {
  const taskQueue = uniqueId('tq-expired');
  const space = { prefix: 'halflife', namespace: testEnv().namespace };
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let api: ApiProcessHandle;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  let redis: Redis;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-expired-'));
    [fake, worker, api, client] = await Promise.all([
      startFakeOAuth2Server(),
      startWorkerProcess(taskQueue),
      startApiProcess(taskQueue, [{ key: adminKey, scopes: ['admin'], credentials: '*' }]),
      openTokenClient(taskQueue),
    ]);
    redis = openRedis();
  });

  afterAll(async () => {
    redis?.disconnect();
    await client?.shutdown();
    await api?.stop();
    await worker?.stop();
    await fake?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('degraded, then expired at the expiry itself; the documented error in every interface; the Redis key expires with the token; recovery', async () => {
    fake.setExpiresIn(10);
    // The retry waits 16-20 s (20 s less its jitter): the token expires (at 10 s) between the failed
    // attempt and its retry, so the change to `expired` is the expiry's own, not one a failing
    // attempt made, and the checks below fit before the retry.
    const cred = await registerOAuth2(client, fake, { retryInitialMs: 20_000, retryMaxMs: 20_000 });
    const key = credentialKey(space, cred.id);
    // The Redis copy expires exactly when the token does.
    const mirrored = await waitFor('the first token in Redis', async () => ((await redis.exists(key)) ? redis.call('PEXPIRETIME', key) : undefined));
    expect(Number(mirrored)).toBe(cred.token.expiresAt);

    fake.failNext(1, { status: 503 });
    const reported = await client.refresh(cred.id, { staleVersion: cred.token.version });
    // Answered after the first failed attempt, with the token that is still valid.
    expect(reported).toMatchObject({ refreshed: false, reason: 'upstream_failing', token: { accessToken: cred.token.accessToken, status: 'degraded' } });
    const degraded = await client.describe(cred.id);
    expect(degraded).toMatchObject({ status: 'degraded', lastError: { kind: 'transient', code: 'http_503' } });

    const expired = await waitFor('the status to change after the expiry', async () => {
      const d = await client.describe(cred.id);
      return d.status !== 'degraded' ? d : undefined;
    }, { timeoutMs: cred.token.expiresAt - Date.now() + 5000, intervalMs: 50 });
    expect(expired.status).toBe('expired');
    expect(Date.now()).toBeGreaterThanOrEqual(cred.token.expiresAt);
    // No attempt since the failed one: the expiry alone made it `expired`.
    expect(expired.counts.upstreamCalls).toBe(2);
    expect(fake.callsFor(cred.clientId)).toBe(2);

    // The documented error, everywhere.
    const error = await client.getToken(cred.id).catch((e: unknown) => e);
    expect(isHalflifeError(error, 'UpstreamFailingError')).toBe(true);
    expect(error).toMatchObject({ code: 'upstream_failing' });
    const res = await fetch(`${api.url}/v1/credentials/${cred.id}/token`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await res.json()).toMatchObject({ error: { code: 'upstream_failing' } });
    const cli = await runCli(['get', cred.id], { ...serviceEnv({ taskQueue }), HALFLIFE_STATE_DIR: stateDir });
    expect(cli.code).toBe(5);
    expect(cli.stderr).toMatch(/failing/);
    expect(cli.stdout).toBe('');
    // Redis serves no expired token: the key went with the token.
    expect(await redis.exists(key)).toBe(0);
    expect(fake.callsFor(cred.clientId)).toBe(2); // all of that within the retry's wait

    // The endpoint answers again: the retry brings a new token, mirrored with its own expiry.
    const recovered = await waitFor('recovery', async () => {
      const d = await client.describe(cred.id);
      return d.status === 'active' ? d : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    expect(recovered.version).toBe(cred.token.version + 1);
    const token = await client.getToken(cred.id);
    expect(fake.isValidAccessToken(token.accessToken)).toBe(true);
    const again = await waitFor('the new token in Redis', async () => ((await redis.exists(key)) ? redis.call('PEXPIRETIME', key) : undefined));
    expect(Number(again)).toBe(token.expiresAt);
    expect(fake.replays).toBe(0);
    await client.revoke(cred.id);
  });

  it('a refresh still in flight when the token expires: getToken throws TokenExpiredError', async () => {
    fake.setExpiresIn(4);
    // The hanging call must outlive the token, so the upstream timeout is longer than the lifetime.
    const cred = await registerOAuth2(client, fake, { upstreamTimeoutMs: 60_000 });
    const impatient = await openTokenClient(taskQueue, { refreshTimeoutMs: 2000 });
    try {
      fake.hangNext(1);
      const calls = fake.callsFor(cred.clientId);
      void client.refresh(cred.id, { staleVersion: cred.token.version }).catch(() => undefined);
      await waitFor('the hanging call', () => fake.callsFor(cred.clientId) === calls + 1);
      await waitFor('the token to expire', () => Date.now() > cred.token.expiresAt, { timeoutMs: 10_000 });
      const error = await impatient.getToken(cred.id).catch((e: unknown) => e);
      expect(isHalflifeError(error, 'TokenExpiredError')).toBe(true);
      expect(error).toMatchObject({ code: 'token_expired', credentialId: cred.id });
    } finally {
      await impatient.shutdown();
      await client.revoke(cred.id);
    }
  });
});
