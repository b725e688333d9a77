/**
 * Credentials that live for years: a graceful restart never aborts a request that reached the
 * provider (strict-rotation OpenID peer answering after 2 s), a long provider outage keeps every
 * run's history bounded and recovers on its own, and the Redis mirror cannot resurrect a revoked
 * credential's token nor shadow a credential registered again under the same id.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { credentialWorkflowId } from '../../src/messages';
import { TokenCache } from '../../src/redis/token-cache';
import { startOidcPeer } from '../peers/oidc-peer';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { registerAtPeer } from '../helpers/oidc-credential';
import { historiesOf } from '../helpers/replay';
import { openRedis, openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { temporal } from '@temporalio/proto';

/** Attempts of the compressed outage: enough for two runs (a run continues as new after 3,000 events, about 270 attempts); `npm run chaos` runs 1,000. */
const outageAttempts = Number(process.env.HALFLIFE_TEST_OUTAGE_ATTEMPTS ?? 300);

describe('credentials that live for years', () => {
  const workers: WorkerProcess[] = [];
  let fake: FakeOAuth2Server;
  beforeAll(async () => {
    fake = await startFakeOAuth2Server({ expiresIn: 3600 });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await fake?.close();
  });

  it('SIGTERM while 20 refreshes are in flight (answers take 2 s): no request aborted, no grant lost', async () => {
    const peer = await startOidcPeer({ accessTokenTtlS: 3600, rotation: 'strict' });
    const taskQueue = uniqueId('tq-sigterm');
    const client = await openTokenClient(taskQueue);
    try {
      const first = await startWorkerProcess(taskQueue);
      workers.push(first);
      const creds = await Promise.all(Array.from({ length: 20 }, () => registerAtPeer(client, peer)));
      await peer.setAnswerDelayMs(2_000);
      const reports = creds.map((c) => client.refresh(c.id, { staleVersion: c.token.version }).catch((err: unknown) => err));
      await waitFor('20 refreshes decided by the provider and still answering', async () => {
        const events = await peer.events();
        return events.filter((e) => e.grantType === 'refresh_token' && e.decidedAt !== undefined && e.answeredAt === undefined).length >= 20;
      }, { timeoutMs: 30_000, intervalMs: 50 });
      await first.stop(); // SIGTERM: the worker lets them finish before it exits
      workers.push(await startWorkerProcess(taskQueue));
      const outcomes = await Promise.all(reports);
      for (const [i, o] of outcomes.entries()) {
        expect(o).toMatchObject({ token: { version: creds[i]!.token.version + 1 } });
      }
      const stats = await peer.stats();
      expect(stats.replays).toBe(0);
      expect(stats.abortedAnswers).toBe(0);
      for (const c of creds) expect(await peer.grant(c.grantId)).toMatchObject({ revoked: false });
      await peer.setAnswerDelayMs(0);
      await Promise.all(creds.map((c) => client.revoke(c.id)));
    } finally {
      await client.shutdown();
      await peer.close();
    }
  });

  it('an answer slower than the upstream timeout at a strict provider is waited for, not abandoned (the retry would replay)', async () => {
    const peer = await startOidcPeer({ accessTokenTtlS: 3600, rotation: 'strict' });
    const taskQueue = uniqueId('tq-slow');
    const client = await openTokenClient(taskQueue);
    try {
      workers.push(await startWorkerProcess(taskQueue));
      const cred = await registerAtPeer(client, peer, { policy: { upstreamTimeoutMs: 1_000 } });
      await peer.setAnswerDelayMs(1_500); // the provider rotates at once, answers after 1.5 timeouts
      const outcome = await client.refresh(cred.id, { staleVersion: cred.token.version });
      expect(outcome).toMatchObject({ refreshed: true, token: { version: cred.token.version + 1 } });
      const stats = await peer.stats();
      expect(stats.replays).toBe(0);
      expect(stats.abortedAnswers).toBe(0);
      expect(await peer.grant(cred.grantId)).toMatchObject({ revoked: false });
      await peer.setAnswerDelayMs(0);
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
      await peer.close();
    }
  });

  it(`a compressed ${outageAttempts}-attempt outage keeps every run under 4,096 events and recovers by itself`, async () => {
    const taskQueue = uniqueId('tq-outage');
    const client = await openTokenClient(taskQueue);
    const failing = await startFakeOAuth2Server({ expiresIn: 3600 });
    try {
      workers.push(await startWorkerProcess(taskQueue));
      // Retries every few milliseconds compress weeks of a real outage into a few minutes.
      const cred = await registerOAuth2(client, failing, { retryInitialMs: 5, retryMaxMs: 20 });
      failing.failNext(outageAttempts, { status: 503 });
      await client.refresh(cred.id, { staleVersion: cred.token.version });
      const started = Date.now();
      const recovered = await waitFor(`${outageAttempts} failed attempts, then recovery`, async () => {
        const d = await client.describe(cred.id);
        return d.counts.failures >= outageAttempts && d.status === 'active' ? d : undefined;
      }, { timeoutMs: 540_000, intervalMs: 500 });
      process.stderr.write(`[lifecycle] ${outageAttempts} attempts in ${Date.now() - started} ms, ${recovered.counts.runs} runs\n`);
      expect(recovered.version).toBeGreaterThan(cred.token.version); // recovered once the provider did
      expect(recovered.counts.runs).toBeGreaterThan(1);
      const runs = await historiesOf(client.temporal, credentialWorkflowId(cred.id));
      const lengths = runs.map((r) => temporal.api.history.v1.History.decode(Buffer.from(r.historyBase64, 'base64')).events?.length ?? 0);
      expect(Math.max(...lengths)).toBeLessThan(4_096);
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
      await failing.close();
    }
  }, 600_000);

  it('revoked while Redis refuses writes, then Redis back: readers see revoked, never the old token; the same id registered again is served', async () => {
    const env = testEnv();
    const taskQueue = uniqueId('tq-tombstone');
    const client = await openTokenClient(taskQueue);
    const admin = openRedis();
    const cache = new TokenCache(admin, { prefix: 'halflife', namespace: env.namespace });
    try {
      workers.push(await startWorkerProcess(taskQueue));
      const cred = await registerOAuth2(client, fake, {});
      const old = await waitFor('the token in Redis', async () => (await cache.read(cred.id))?.accessToken);
      // Redis keeps the old record but refuses every write (the tombstone publication fails and is retried).
      await admin.call('CLIENT', 'PAUSE', '8000', 'WRITE');
      await client.revoke(cred.id);
      expect((await cache.read(cred.id))?.accessToken).toBe(old);
      await admin.call('CLIENT', 'UNPAUSE');
      await waitFor('the tombstone', async () => (await cache.read(cred.id))?.status === 'revoked', { timeoutMs: 60_000, intervalMs: 100 });
      expect((await cache.read(cred.id))?.accessToken).toBeUndefined();
      await expect(client.getToken(cred.id)).rejects.toMatchObject({ name: 'CredentialNotFoundError' });
      // Registered again under the same id: a newer generation wins over the tombstone.
      const again = await registerOAuth2(client, fake, {}, cred.id);
      const served = await waitFor('the new token in Redis', async () => {
        const r = await cache.read(cred.id);
        return r?.accessToken === again.token.accessToken ? r : undefined;
      }, { timeoutMs: 30_000 });
      expect(served.status).toBe('active');
      expect((await client.getToken(cred.id)).accessToken).toBe(again.token.accessToken);
      await client.revoke(cred.id);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      admin.disconnect();
      await client.shutdown();
    }
  });
});
