/**
 * The timer path: refresh at half-life, rotation without replays, Redis mirror newest version.
 */
import { TokenCache } from '../../src/redis/token-cache';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openRedis, openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('refresh cycle', () => {
  const taskQueue = uniqueId('tq-cycle');
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  const redis = openRedis();
  const cache = new TokenCache(redis, { prefix: 'halflife', namespace: testEnv().namespace });

  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
    worker = await startWorkerProcess(taskQueue);
    client = await openTokenClient(taskQueue);
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await fake?.close();
    redis.disconnect();
  });

  it('refreshes the first time between 45% and 65% of the lifetime', async () => {
    fake.setExpiresIn(10);
    const cred = await registerOAuth2(client, fake);
    expect(fake.callsFor(cred.clientId)).toBe(1);
    const times = fake.callTimesFor(cred.clientId);
    await waitFor('the first scheduled refresh', () => fake.callsFor(cred.clientId) >= 2, { timeoutMs: 20_000 });
    const fraction = (fake.callTimesFor(cred.clientId)[1]! - times[0]!) / 10_000;
    expect(fraction).toBeGreaterThanOrEqual(0.45);
    expect(fraction).toBeLessThanOrEqual(0.65);
    await client.revoke(cred.id);
  });

  it('rotates through several cycles without ever replaying a refresh token, and Redis holds the newest version', async () => {
    fake.setExpiresIn(2);
    const cred = await registerOAuth2(client, fake);
    await waitFor('six refreshes', () => fake.callsFor(cred.clientId) >= 6, { timeoutMs: 30_000 });
    expect(fake.replays).toBe(0);
    const described = await waitFor('a settled state', async () => {
      const d = await client.describe(cred.id);
      return d.status === 'active' && d.version >= 6 ? d : undefined;
    });
    expect(described.counts.failures).toBe(0);
    const cached = await waitFor('Redis to catch up', async () => {
      const record = await cache.read(cred.id);
      const current = await client.describe(cred.id);
      return record && record.version === current.version ? record : undefined;
    });
    expect(fake.isValidAccessToken(cached.accessToken!)).toBe(true);
    expect(JSON.stringify(cached)).not.toContain('refresh');
    await client.revoke(cred.id);
    await waitFor('the revoked credential to leave Redis', async () => (await cache.read(cred.id)) === undefined);
  });
});
