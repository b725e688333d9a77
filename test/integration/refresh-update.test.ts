/**
 * The `refresh` update: concurrent callers share one upstream call, stale versions cost nothing,
 * and the server's in-flight update limit never surfaces as an error.
 */
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('refresh update', () => {
  const taskQueue = uniqueId('tq-update');
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;

  beforeAll(async () => {
    fake = await startFakeOAuth2Server();
    fake.setExpiresIn(3600);
    worker = await startWorkerProcess(taskQueue);
    client = await openTokenClient(taskQueue);
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await fake?.close();
  });

  it('200 concurrent refreshes with the same stale version in one process make one upstream call', async () => {
    const cred = await registerOAuth2(client, fake);
    const before = fake.callsFor(cred.clientId);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () => client.refresh(cred.id, { staleVersion: cred.token.version })),
    );
    expect(fake.callsFor(cred.clientId) - before).toBe(1);
    const versions = new Set(outcomes.map((o) => o.token.version));
    expect([...versions]).toEqual([cred.token.version + 1]);
    expect(new Set(outcomes.map((o) => o.token.accessToken)).size).toBe(1);
    await client.revoke(cred.id);
  });

  it('200 concurrent refreshes from 20 connections make one upstream call, none fails', async () => {
    const cred = await registerOAuth2(client, fake);
    const clients = await Promise.all(Array.from({ length: 20 }, () => openTokenClient(taskQueue)));
    try {
      const before = fake.callsFor(cred.clientId);
      const outcomes = await Promise.all(
        clients.flatMap((c) => Array.from({ length: 10 }, () => c.refresh(cred.id, { staleVersion: cred.token.version }))),
      );
      expect(outcomes).toHaveLength(200);
      expect(fake.callsFor(cred.clientId) - before).toBe(1);
      expect(new Set(outcomes.map((o) => o.token.version))).toEqual(new Set([cred.token.version + 1]));
    } finally {
      await Promise.all(clients.map((c) => c.shutdown()));
    }
    await client.revoke(cred.id);
  });

  it('a stale version older than the current one is answered without an upstream call', async () => {
    const cred = await registerOAuth2(client, fake);
    const first = await client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(first.refreshed).toBe(true);
    const calls = fake.callsFor(cred.clientId);
    const again = await client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(again).toMatchObject({ refreshed: false, reason: 'superseded' });
    expect(again.token.version).toBe(first.token.version);
    expect(fake.callsFor(cred.clientId)).toBe(calls);
    expect((await client.describe(cred.id)).counts.coalesced).toBeGreaterThanOrEqual(1);
    await client.revoke(cred.id);
  });

  it('the cooldown answers a forced refresh with the current token and no upstream call', async () => {
    const cred = await registerOAuth2(client, fake, { minRefreshIntervalMs: 60_000 });
    const calls = fake.callsFor(cred.clientId);
    const outcome = await client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(outcome).toMatchObject({ refreshed: false, reason: 'cooldown' });
    expect(outcome.token.version).toBe(cred.token.version);
    expect(fake.callsFor(cred.clientId)).toBe(calls);
    await client.revoke(cred.id);
  });
});
