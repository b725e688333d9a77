/**
 * The Redis mirror: versioned compare-and-set, events, and a Redis outage that never repeats an
 * upstream call nor stops the workflow.
 */
import { freePort } from '../../src/dev/net';
import { TokenCache, type CredentialEvent } from '../../src/redis/token-cache';
import { eventChannel } from '../../src/redis/keys';
import type { CachedCredential } from '../../src/activities/contracts';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openRedis, openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess } from '../helpers/worker-process';

const record = (version: number, revision: number, accessToken: string): CachedCredential => ({
  accessToken,
  tokenType: 'Bearer',
  expiresAt: Date.now() + 60_000,
  version,
  revision,
  status: 'active',
});

describe('Redis mirror', () => {
  const redis = openRedis();
  const subscriber = openRedis();
  const space = { prefix: uniqueId('hl'), namespace: 'default' };
  const cache = new TokenCache(redis, space);

  afterAll(() => {
    redis.disconnect();
    subscriber.disconnect();
  });

  it('an older publication can never overwrite a newer one', async () => {
    const id = uniqueId('cred');
    expect(await cache.write(id, record(3, 7, 'token-v3'), 'rotated')).toBe(true);
    expect(await cache.write(id, record(2, 9, 'token-v2'), 'rotated')).toBe(false);
    expect(await cache.write(id, record(3, 6, 'token-v3-older-revision'), 'status')).toBe(false);
    expect((await cache.read(id))?.accessToken).toBe('token-v3');
    expect(await cache.write(id, { ...record(3, 8, 'token-v3'), status: 'degraded' }, 'status')).toBe(true);
    expect(await cache.read(id)).toMatchObject({ version: 3, revision: 8, status: 'degraded' });
  });

  it('concurrent writers converge on the newest version', async () => {
    const id = uniqueId('cred');
    const versions = Array.from({ length: 50 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    await Promise.all(versions.map((v) => cache.write(id, record(v, v, `token-${v}`), 'rotated')));
    expect(await cache.read(id)).toMatchObject({ version: 50, accessToken: 'token-50' });
  });

  it('publishes an event without the token for every accepted write', async () => {
    const id = uniqueId('cred');
    const events: CredentialEvent[] = [];
    await subscriber.subscribe(eventChannel(space, id));
    subscriber.on('message', (_channel: string, message: string) => events.push(JSON.parse(message) as CredentialEvent));
    await cache.write(id, record(1, 1, 'secret-access-token-1'), 'rotated');
    await cache.write(id, record(1, 1, 'secret-access-token-1'), 'rotated'); // rejected: no event
    await cache.write(id, record(2, 2, 'secret-access-token-2'), 'rotated');
    await waitFor('two events', () => events.length >= 2);
    expect(events.map((e) => e.version)).toEqual([1, 2]);
    expect(JSON.stringify(events)).not.toContain('secret-access-token');
  });

  it('a Redis outage never repeats an upstream call nor stops the workflow', async () => {
    const fake: FakeOAuth2Server = await startFakeOAuth2Server();
    const taskQueue = uniqueId('tq-noredis');
    const worker = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const client = await openTokenClient(taskQueue);
    try {
      fake.setExpiresIn(2);
      const cred = await registerOAuth2(client, fake);
      await waitFor('three refreshes without Redis', () => fake.callsFor(cred.clientId) >= 4, { timeoutMs: 30_000 });
      const described = await client.describe(cred.id);
      expect(described.counts.upstreamCalls).toBe(fake.callsFor(cred.clientId));
      expect(described.version).toBeGreaterThanOrEqual(fake.callsFor(cred.clientId) - 1);
      expect(described.counts.failures).toBe(0);
      // Healthy: 2 s tokens (believed 1 s) are renewed about every second, so one may be under way.
      expect(['active', 'refreshing']).toContain(described.status);
      await client.revoke(cred.id);
    } finally {
      await client.shutdown();
      await worker.stop();
      await fake.close();
    }
  });
});
