/**
 * A TokenClient against real Redis and the dev server, with Redis stopped mid-test: reads fall back
 * to workflow queries and never hand out an expired token, refreshes keep working, the worker keeps
 * refreshing without repeating an upstream call, and a restarted Redis is repopulated by the next
 * publication. Plus a client built with no Redis at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import type { TokenView } from '../../src/credential';
import { createDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { withConfigDefaults } from '../../src/config';
import { freePort } from '../../src/dev/net';
import { openRedis as openServiceRedis } from '../../src/service/connections';
import { startRedisServer, type RedisServerHandle } from '../../scripts/redis-server';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { TokenCache, type CredentialEvent } from '../../src/redis/token-cache';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** Access token lifetime at the fake: long enough that publication retries against a dead Redis (a few seconds) fit in half of it. */
const lifetimeS = 10;

/** A consumer's Redis, opened as the service opens it (`openRedis` of src/service/connections.ts: fail fast while Redis is away). */
async function consumerRedis(url: string): Promise<Redis> {
  const redis = await openServiceRedis(withConfigDefaults({ redisUrl: url }), { probeLocal: false });
  if (!redis) throw new Error('openRedis gave no Redis for a configured URL');
  return redis;
}

describe('TokenClient through a Redis outage', () => {
  const taskQueue = uniqueId('tq-outage');
  const prefix = 'halflife';
  let dir: string;
  let port: number;
  let redisServer: RedisServerHandle;
  let fake: FakeOAuth2Server;
  let worker: WorkerProcess;
  let redis: Redis;
  let probe: Redis;
  let client: TokenClient;
  let closeConnection: () => Promise<void>;
  let listenerRedis: Redis;
  let listener: TokenClient;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-outage-'));
    port = await freePort();
    redisServer = await startRedisServer({ port, dir });
    fake = await startFakeOAuth2Server();
    fake.setExpiresIn(lifetimeS);
    worker = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_REDIS_URL: redisServer.url });
    const env = testEnv();
    const connection = await connectTemporal({ address: env.temporalAddress });
    closeConnection = () => connection.close();
    redis = await consumerRedis(redisServer.url);
    probe = await consumerRedis(redisServer.url);
    // localCacheMs 0: every read goes past the in-process cache, to Redis or the workflow.
    client = new TokenClient({
      connection,
      namespace: env.namespace,
      taskQueue,
      redis,
      redisPrefix: prefix,
      dataConverter: createDataConverter(parseKeyring(env.encryptionKeys)),
      localCacheMs: 0,
    });
    listenerRedis = new Redis(redisServer.url, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    listenerRedis.on('error', () => undefined);
    listener = new TokenClient({
      connection,
      namespace: env.namespace,
      taskQueue,
      redis: listenerRedis,
      redisPrefix: prefix,
      dataConverter: createDataConverter(parseKeyring(env.encryptionKeys)),
    });
  });

  afterAll(async () => {
    await client?.close();
    await listener?.close();
    listenerRedis?.disconnect();
    redis?.disconnect();
    probe?.disconnect();
    await closeConnection?.();
    await worker?.stop();
    await fake?.close();
    await redisServer?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Counts workflow queries (every query goes through `getHandle`) made by `read`. */
  async function countingQueries<T>(read: () => Promise<T>): Promise<{ value: T; queries: number }> {
    const spy = jest.spyOn(client.temporal.workflow, 'getHandle');
    try {
      const value = await read();
      return { value, queries: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  function expectUsable(token: TokenView): void {
    expect(token.expiresAt).toBeGreaterThan(Date.now());
    expect(fake.isValidAccessToken(token.accessToken)).toBe(true);
  }

  it('serves valid tokens before, during and after the outage; the worker never repeats an upstream call', async () => {
    const cache = new TokenCache(probe, { prefix, namespace: testEnv().namespace });
    const cred = await registerOAuth2(client, fake);
    // Subscriptions go through a second client whose Redis keeps the offline queue: with
    // `enableOfflineQueue: false` subscribing fails (see the subscription test below).
    const events: CredentialEvent[] = [];
    const unsubscribe = await listener.subscribe(cred.id, (event) => events.push(event));

    // Redis up: the read is served by Redis, no workflow query.
    await waitFor('the first token in Redis', async () => (await cache.read(cred.id))?.accessToken);
    const up = await countingQueries(() => client.getToken(cred.id));
    expect(up.queries).toBe(0);
    expectUsable(up.value);
    expect(up.value.version).toBe((await cache.read(cred.id))?.version);

    // Redis down.
    await redisServer.stop();
    const versionAtStop = (await client.describe(cred.id)).version;
    let queried = 0;
    let latest = up.value;
    const sawVersions = new Set<number>();
    const problems: string[] = [];
    // A deadline loop, not waitFor: every read is checked, and a bad one is never retried away.
    for (const deadline = Date.now() + 60_000; latest.version < versionAtStop + 2; ) {
      if (Date.now() > deadline) throw new Error(`no two rotations during the outage (versions seen: ${[...sawVersions].join(', ')})`);
      const floor = (await client.describe(cred.id)).version;
      const read = await countingQueries(() => client.getToken(cred.id));
      queried += read.queries;
      if (read.value.expiresAt <= Date.now()) problems.push(`v${read.value.version} expired`);
      if (!fake.isValidAccessToken(read.value.accessToken)) problems.push(`v${read.value.version} rejected by the provider`);
      if (read.value.version < floor) problems.push(`v${read.value.version} superseded by v${floor}`);
      if (read.value.version < latest.version) problems.push(`v${read.value.version} older than v${latest.version} read before`);
      latest = read.value;
      sawVersions.add(read.value.version);
      await new Promise((resolve) => setTimeout(resolve, 200)); // pacing between reads, not a wait for a state
    }
    expect(problems).toEqual([]);
    expect(queried).toBeGreaterThan(0);
    expect(sawVersions.size).toBeGreaterThanOrEqual(2);

    // A forced refresh works without Redis. First let the scheduled cycle finish (its next refresh
    // planned), so the forced one is a refresh of its own.
    const settled = await waitFor('the scheduled cycle to finish publishing', async () => {
      const d = await client.describe(cred.id);
      return d.nextRefreshAt !== undefined && d.lastRefreshAt !== undefined && d.nextRefreshAt > d.lastRefreshAt ? d : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    const forced = await client.refresh(cred.id, { staleVersion: settled.version });
    expect(forced.token.version).toBeGreaterThan(settled.version);
    expectUsable(forced.token);
    expect(await redis.ping().catch(() => 'down')).toBe('down'); // it really was down all along

    // Redis back on the same port (empty: no persistence): the next publication repopulates it.
    redisServer = await startRedisServer({ port, dir });
    const eventsBefore = events.length;
    const repopulated = await waitFor(
      'a publication after Redis came back',
      async () => {
        const record = await cache.read(cred.id).catch(() => undefined);
        return record && record.version >= forced.token.version + 1 ? record : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(repopulated.status).toBe('active');
    await waitFor('the subscriber resubscribed and got an event', () => events.length > eventsBefore && events.at(-1)!.version >= repopulated.version);
    const described = await client.describe(cred.id);
    await waitFor('the client reconnected to Redis', async () => (await redis.ping().catch(() => '')) === 'PONG');
    const back = await countingQueries(() => client.getToken(cred.id));
    expect(back.queries).toBe(0);
    expectUsable(back.value);
    expect(back.value.version).toBeGreaterThanOrEqual(repopulated.version);

    // One upstream call per version, no replayed refresh token, no failure, still running. Compared
    // between cycles (no upstream call in flight), or an answer on its way would be counted only once.
    const final = await waitFor('a moment between two refreshes', async () => {
      const d = await client.describe(cred.id);
      const calls = fake.callsFor(cred.clientId);
      return d.nextRefreshAt !== undefined && d.lastRefreshAt !== undefined && d.nextRefreshAt > d.lastRefreshAt && d.counts.upstreamCalls === calls
        ? { ...d, calls }
        : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    expect(final.version).toBeGreaterThanOrEqual(described.version);
    expect(final.version).toBe(final.calls);
    expect(final.counts.failures).toBe(0);
    expect(fake.replays).toBe(0);
    expect(final.status).toBe('active');
    expect(final.counts.refreshes).toBeGreaterThanOrEqual(4);

    await unsubscribe();
    await client.revoke(cred.id);
  });

  // A refresh is answered once its token is applied, not after its Redis publication (which takes
  // seconds while Redis is down): a caller whose stale version is the one just produced gets a newer
  // token instead of joining the finished refresh and receiving the same version back.
  it('with Redis down, a stale version that was just produced still gets a newer token', async () => {
    // No cooldown: two reports in a row are the point here, and the default cooldown declines the
    // second by design (src/workflows/refresh-requests.ts); what is tested is that the answer to
    // the first does not wait for its Redis publication.
    const cred = await registerOAuth2(client, fake, { refreshRatio: 0.9, minRefreshIntervalMs: 0 });
    await redisServer.stop();
    try {
      const first = await client.refresh(cred.id, { staleVersion: cred.token.version });
      expect(first.token.version).toBeGreaterThan(cred.token.version);
      // From another client (process): this client would coalesce with its own pending refresh.
      const second = await listener.refresh(cred.id, { staleVersion: first.token.version });
      expect(second.refreshed).toBe(true);
      expect(second.token.version).toBeGreaterThan(first.token.version);
      expect(fake.isValidAccessToken(second.token.accessToken)).toBe(true);
      expect(fake.replays).toBe(0);
    } finally {
      redisServer = await startRedisServer({ port, dir });
      await client.revoke(cred.id).catch(() => undefined);
    }
  });

  it('a client with no Redis at all reads and refreshes through the workflow', async () => {
    const bare = await openTokenClient(taskQueue, { withRedis: false, localCacheMs: 0 });
    try {
      const cred = await registerOAuth2(bare, fake);
      const token = await bare.getToken(cred.id);
      expectUsable(token);
      expect(token.version).toBe(cred.token.version);
      const outcome = await bare.refresh(cred.id, { staleVersion: token.version });
      expect(outcome.refreshed).toBe(true);
      expect((await bare.getToken(cred.id)).version).toBe(outcome.token.version);
      await expect(bare.subscribe(cred.id, () => undefined)).rejects.toMatchObject({ name: 'InvalidConfigError' });
      await bare.revoke(cred.id);
    } finally {
      await bare.shutdown();
    }
  });

  // The subscriber duplicates the consumer's fail-fast connection (no offline queue, lazy connect)
  // but must queue its SUBSCRIBE until connected.
  it('subscribes with the fail-fast Redis options of src/service/connections.ts', async () => {
    const events: CredentialEvent[] = [];
    const unsubscribe = await client.subscribe('*', (event) => events.push(event));
    try {
      const cred = await registerOAuth2(client, fake);
      await waitFor('an event for the new credential', () => events.some((e) => e.credentialId === cred.id), { timeoutMs: 10_000 });
      await client.revoke(cred.id);
    } finally {
      await unsubscribe();
    }
  });
});
