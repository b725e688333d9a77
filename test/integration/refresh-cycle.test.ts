/**
 * The timer path: refresh at half-life, rotation without replays, Redis mirror newest version.
 */
import { TokenCache } from '../../src/redis/token-cache';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openRedis, testEnv, uniqueId } from '../helpers/test-env';
import { useOAuth2Stack } from '../helpers/oauth2-stack';
import { waitFor } from '../helpers/wait';

describe('refresh cycle', () => {
  const taskQueue = uniqueId('tq-cycle');
  const stack = useOAuth2Stack(taskQueue);
  const redis = openRedis();
  const cache = new TokenCache(redis, { prefix: 'halflife', namespace: testEnv().namespace });
  afterAll(async () => {
    redis.disconnect();
  });

  it('refreshes the first time between 45% and 65% of the believed lifetime', async () => {
    // 24 s: half of it (12 s) is past the default cooldown (10 s), so the default policy's ratio
    // alone decides (a shorter token would be refreshed at 90 %, before expiry, by the cooldown rule).
    stack.fake.setExpiresIn(24);
    const cred = await registerOAuth2(stack.client, stack.fake);
    expect(stack.fake.callsFor(cred.clientId)).toBe(1);
    const times = stack.fake.callTimesFor(cred.clientId);
    await waitFor('the first scheduled refresh', () => stack.fake.callsFor(cred.clientId) >= 2, { timeoutMs: 30_000 });
    // Halflife believes 23 s (a whole-second `expires_in` may be a second stale: issuerRoundingMs),
    // and the default policy refreshes at 0.5 ± 0.04 of that, plus the time the call takes.
    const fraction = (stack.fake.callTimesFor(cred.clientId)[1]! - times[0]!) / 23_000;
    expect(fraction).toBeGreaterThanOrEqual(0.45);
    expect(fraction).toBeLessThanOrEqual(0.65);
    await stack.client.revoke(cred.id);
  });

  it('rotates through several cycles without ever replaying a refresh token, and Redis holds the newest version', async () => {
    stack.fake.setExpiresIn(2);
    const cred = await registerOAuth2(stack.client, stack.fake);
    await waitFor('six refreshes', () => stack.fake.callsFor(cred.clientId) >= 6, { timeoutMs: 30_000 });
    expect(stack.fake.replays).toBe(0);
    const described = await waitFor('a settled state', async () => {
      const d = await stack.client.describe(cred.id);
      return d.status === 'active' && d.version >= 6 ? d : undefined;
    });
    expect(described.counts.failures).toBe(0);
    const cached = await waitFor('Redis to catch up', async () => {
      const record = await cache.read(cred.id);
      const current = await stack.client.describe(cred.id);
      return record && record.version === current.version ? record : undefined;
    });
    expect(stack.fake.isValidAccessToken(cached.accessToken!)).toBe(true);
    expect(JSON.stringify(cached)).not.toContain('refresh');
    await stack.client.revoke(cred.id);
    // Revocation leaves a tombstone: status revoked, no token (a late publication cannot resurrect it).
    const tombstone = await waitFor('the revoked tombstone in Redis', async () => {
      const record = await cache.read(cred.id);
      return record?.status === 'revoked' ? record : undefined;
    });
    expect(tombstone.accessToken).toBeUndefined();
  });
});
