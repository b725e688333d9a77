/**
 * The `refresh` update: concurrent callers share one upstream call, stale versions cost nothing,
 * and the server's in-flight update limit never surfaces as an error.
 */
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { useOAuth2Stack } from '../helpers/oauth2-stack';
import { openTokenClient, uniqueId } from '../helpers/test-env';

describe('refresh update', () => {
  const taskQueue = uniqueId('tq-update');
  const stack = useOAuth2Stack(taskQueue, { expiresIn: 3600 });

  it('200 concurrent refreshes with the same stale version in one process make one upstream call', async () => {
    const cred = await registerOAuth2(stack.client, stack.fake);
    const before = stack.fake.callsFor(cred.clientId);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () => stack.client.refresh(cred.id, { staleVersion: cred.token.version })),
    );
    expect(stack.fake.callsFor(cred.clientId) - before).toBe(1);
    const versions = new Set(outcomes.map((o) => o.token.version));
    expect([...versions]).toEqual([cred.token.version + 1]);
    expect(new Set(outcomes.map((o) => o.token.accessToken)).size).toBe(1);
    await stack.client.revoke(cred.id);
  });

  it('200 concurrent refreshes from 20 connections make one upstream call, none fails', async () => {
    const cred = await registerOAuth2(stack.client, stack.fake);
    const clients = await Promise.all(Array.from({ length: 20 }, () => openTokenClient(taskQueue)));
    try {
      const before = stack.fake.callsFor(cred.clientId);
      const outcomes = await Promise.all(
        clients.flatMap((c) => Array.from({ length: 10 }, () => c.refresh(cred.id, { staleVersion: cred.token.version }))),
      );
      expect(outcomes).toHaveLength(200);
      expect(stack.fake.callsFor(cred.clientId) - before).toBe(1);
      expect(new Set(outcomes.map((o) => o.token.version))).toEqual(new Set([cred.token.version + 1]));
    } finally {
      await Promise.all(clients.map((c) => c.shutdown()));
    }
    await stack.client.revoke(cred.id);
  });

  it('a stale version older than the current one is answered without an upstream call', async () => {
    const cred = await registerOAuth2(stack.client, stack.fake);
    const first = await stack.client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(first.refreshed).toBe(true);
    const calls = stack.fake.callsFor(cred.clientId);
    const again = await stack.client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(again).toMatchObject({ refreshed: false, reason: 'superseded' });
    expect(again.token.version).toBe(first.token.version);
    expect(stack.fake.callsFor(cred.clientId)).toBe(calls);
    expect((await stack.client.describe(cred.id)).counts.coalesced).toBeGreaterThanOrEqual(1);
    await stack.client.revoke(cred.id);
  });

  it('the first report of a version is honoured even right after the first token; a second report inside the cooldown is answered with the current token and no call', async () => {
    // A cooldown longer than the test, so the second report is inside it however slow the machine.
    const cred = await registerOAuth2(stack.client, stack.fake, { minRefreshIntervalMs: 60_000 });
    const calls = stack.fake.callsFor(cred.clientId);
    const first = await stack.client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(first).toMatchObject({ refreshed: true });
    expect(first.token.version).toBe(cred.token.version + 1);
    expect(stack.fake.callsFor(cred.clientId)).toBe(calls + 1);
    const second = await stack.client.refresh(cred.id, { staleVersion: first.token.version });
    expect(second).toMatchObject({ refreshed: false, reason: 'cooldown' });
    expect(second.token.version).toBe(first.token.version);
    expect(stack.fake.callsFor(cred.clientId)).toBe(calls + 1);
    // a plain request (no stale version) waits out the cooldown since the last call of any kind
    const plain = await stack.client.refresh(cred.id);
    expect(plain).toMatchObject({ refreshed: false, reason: 'cooldown' });
    expect(stack.fake.callsFor(cred.clientId)).toBe(calls + 1);
    await stack.client.revoke(cred.id);
  });
});
