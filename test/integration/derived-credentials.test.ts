/**
 * Derived credentials through the whole system: a worker process, the WeChat fake over real HTTP
 * (access tokens and tickets with compressed lifetimes; a new ticket retires the old one after a
 * short overlap), a Redis server of the test's own (so it can be restarted empty), and a consumer
 * TokenClient reading through Redis.
 *
 * - a `wechat_jsapi_ticket` announces itself to its `wechat` parent; the parent's rotation brings
 *   the ticket's refresh within a second;
 * - the ticket endpoint refusing the parent's token (superseded by another caller) makes the
 *   parent refresh first, then the ticket comes at the retry;
 * - a parent without a valid token in `reauth_required` shows as `parent_reauth_required` on the
 *   ticket, which recovers as soon as the parent is re-registered; a revoked parent as
 *   `parent_revoked`, at once;
 * - Redis restarted empty loses nothing: the link lives in the workflows, the next ticket is
 *   published to the new Redis;
 * - a consumer signing JS-SDK configs throughout several rotations never signs with a dead ticket;
 * - the parent keeps its dependents across continue-as-new, and the runs of both replay.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import { createDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { freePort } from '../../src/dev/net';
import { startFakeWechatServer, type FakeWechatServer } from '../../src/fakes/wechat-server';
import { jssdkSignature, signJssdkConfig } from '../../src/jssdk/signature';
import { startRedisServer, type RedisServerHandle } from '../../scripts/redis-server';
import { TokenCache } from '../../src/redis/token-cache';
import { credentialWorkflowId } from '../../src/messages';
import { replay, runsOf } from '../helpers/replay-runs';
import { testEnv, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** Access tokens live 12 s (the parent refreshes every ~6 s), tickets 8 s (~4 s); a superseded one works 2 s more. */
const tokenLifetimeS = 12;
const ticketLifetimeS = 8;
const overlapMs = 2_000;
const policy = { retryInitialMs: 200, retryMaxMs: 1000, upstreamTimeoutMs: 2000, minRefreshIntervalMs: 300 };

describe('derived credentials: WeChat JS-SDK tickets', () => {
  const taskQueue = uniqueId('tq-derived');
  let dir: string;
  let redisServer: RedisServerHandle;
  let fake: FakeWechatServer;
  let worker: WorkerProcess;
  let redis: Redis;
  let client: TokenClient;
  let closeConnection: () => Promise<void>;
  const registered: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-derived-'));
    redisServer = await startRedisServer({ port: await freePort(), dir });
    fake = await startFakeWechatServer({ expiresIn: tokenLifetimeS, overlapMs, tickets: { expiresIn: ticketLifetimeS, overlapMs } });
    worker = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_REDIS_URL: redisServer.url });
    const env = testEnv();
    const connection = await connectTemporal({ address: env.temporalAddress });
    closeConnection = () => connection.close();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    client = new TokenClient({ connection, namespace: env.namespace, taskQueue, redis, dataConverter: createDataConverter(parseKeyring(env.encryptionKeys)) });
  });

  afterAll(async () => {
    for (const id of registered.reverse()) await client?.revoke(id).catch(() => undefined);
    await client?.close();
    redis?.disconnect();
    await closeConnection?.();
    await worker?.stop();
    await fake?.close();
    await redisServer?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A `wechat` parent with its own app at the fake, and a `wechat_jsapi_ticket` child of it. */
  async function registerPair(childPolicy: Record<string, number> = {}) {
    const appid = uniqueId('wxapp');
    const secret = `secret-${uniqueId('s')}`;
    fake.addApp(appid, secret);
    const parentId = uniqueId('wx');
    const childId = `${parentId}-jsapi`;
    const parent = await client.register({ id: parentId, provider: 'wechat', config: { appid, secret, baseUrl: fake.url }, policy });
    registered.push(parentId);
    const child = await client.register({ id: childId, provider: 'wechat_jsapi_ticket', parent: parentId, config: {}, policy: { ...policy, ...childPolicy } });
    registered.push(childId);
    return { appid, secret, parentId, childId, parent: parent.token, child: child.token };
  }

  const issued = (appid: string) => fake.tickets.issuedFor(appid, 'jsapi');

  it('the ticket names its parent, the parent lists it, and a rotation of the parent refreshes the ticket within a second', async () => {
    const pair = await registerPair();
    expect(fake.tickets.isValidTicket(pair.child.accessToken)).toBe(true);
    expect(pair.child).toMatchObject({ tokenType: 'Ticket', metadata: { appId: pair.appid, ticketType: 'jsapi' } });
    expect(await client.describe(pair.childId)).toMatchObject({ parent: pair.parentId, provider: 'wechat_jsapi_ticket' });
    await waitFor('the parent to list its ticket', async () => (await client.describe(pair.parentId)).dependents?.includes(pair.childId));

    // Three rotations, each timed from the parent's answer to the ticket request at the fake; the
    // median must be under a second (one slow turn on a loaded 2-core machine is not the mechanism).
    const delays: number[] = [];
    let version = pair.parent.version;
    for (let i = 0; i < 3; i++) {
      const before = issued(pair.appid);
      const cooledAt = Date.now() + policy.minRefreshIntervalMs; // the parent's cooldown between reports
      await waitFor('the parent cooldown to pass', () => Date.now() > cooledAt);
      const rotated = await client.refresh(pair.parentId, { staleVersion: version });
      expect(rotated).toMatchObject({ refreshed: true, token: { version: version + 1 } });
      version = rotated.token.version;
      const rotatedAt = Date.now();
      await waitFor('a new ticket', () => issued(pair.appid) > before, { timeoutMs: 5_000, intervalMs: 5 });
      delays.push(Date.now() - rotatedAt);
    }
    expect({ delays, median: [...delays].sort((a, b) => a - b)[1]! < 1_000 }).toEqual({ delays, median: true });
    const child = await waitFor('the ticket to carry its new version', async () => {
      const t = await client.getToken(pair.childId);
      return t.version >= pair.child.version + 3 ? t : undefined;
    });
    expect(child.accessToken).toBe(fake.tickets.currentTicket(pair.appid, 'jsapi'));
  });

  it("refreshes the parent first when the ticket endpoint refuses the parent's token, then gets the ticket at the retry", async () => {
    const pair = await registerPair();
    // Another caller takes a new access token: the parent's is superseded, and dead once the overlap is over.
    await fetch(`${fake.url}/cgi-bin/token?grant_type=client_credential&appid=${pair.appid}&secret=${pair.secret}`);
    await waitFor('the parent token to die', () => !fake.isValidAccessToken(pair.parent.accessToken), { timeoutMs: overlapMs + 2_000 });
    const failedBefore = fake.tickets.calls;
    const outcome = await client.refresh(pair.childId);
    expect(outcome.refreshed).toBe(true);
    expect(fake.tickets.isValidTicket(outcome.token.accessToken)).toBe(true);
    expect(fake.tickets.calls - failedBefore).toBe(2); // refused once, then the retry with the parent's new token
    const parent = await client.getToken(pair.parentId);
    expect(parent.version).toBeGreaterThan(pair.parent.version);
    expect(fake.isValidAccessToken(parent.accessToken)).toBe(true);
    expect((await client.describe(pair.childId)).status).toBe('active');
  });

  it('shows a parent without a valid token in reauth_required as parent_reauth_required, and recovers when the parent is re-registered', async () => {
    const pair = await registerPair();
    fake.addApp(pair.appid, `${pair.secret}-rotated`); // the AppSecret was reset: the parent's next refresh is refused
    await waitFor('the parent in reauth_required with its token expired', async () => {
      const d = await client.describe(pair.parentId);
      return d.status === 'reauth_required' && (d.expiresAt ?? 0) <= Date.now();
    }, { timeoutMs: tokenLifetimeS * 1000 + 5_000 });
    const failed = await waitFor('the ticket to show why', async () => {
      const d = await client.describe(pair.childId);
      return d.lastError?.code === 'parent_reauth_required' ? d : undefined;
    }, { timeoutMs: ticketLifetimeS * 1000 + 5_000 });
    expect(failed).toMatchObject({ status: 'reauth_required', lastError: { kind: 'configuration' } });
    expect(failed.lastError?.message).toContain(pair.parentId);

    const fixedAt = Date.now();
    await client.register({ id: pair.parentId, provider: 'wechat', config: { appid: pair.appid, secret: `${pair.secret}-rotated`, baseUrl: fake.url }, policy }, { replace: true });
    const recovered = await waitFor('the ticket to recover', async () => {
      const d = await client.describe(pair.childId);
      return d.status === 'active' ? d : undefined;
    }, { timeoutMs: 5_000, intervalMs: 25 });
    expect(Date.now() - fixedAt).toBeLessThan(3_000);
    expect(recovered.lastError).toBeUndefined();
    expect(fake.tickets.isValidTicket((await client.getToken(pair.childId)).accessToken)).toBe(true);
  });

  it('shows a revoked parent as parent_revoked at once, refuses a ticket whose parent does not exist, and comes back with a new parent', async () => {
    const pair = await registerPair();
    await client.revoke(pair.parentId);
    const failed = await waitFor('the ticket to show the parent is gone', async () => {
      const d = await client.describe(pair.childId);
      return d.lastError?.code === 'parent_revoked' ? d : undefined;
    }, { timeoutMs: 5_000, intervalMs: 25 });
    expect(failed.status).toBe('reauth_required');
    await expect(client.register({ id: uniqueId('orphan'), provider: 'wechat_jsapi_ticket', parent: pair.parentId, config: {} })).rejects.toMatchObject({ name: 'InvalidConfigError', field: 'parent' });
    await expect(client.register({ id: uniqueId('wrong-kind'), provider: 'wecom_jsapi_ticket', parent: pair.childId, config: {} })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      field: 'parent',
      reason: expect.stringContaining('must be a wecom credential'),
    });

    // The documented way back: register the parent again under its id, then reauthorize the ticket (empty body).
    await client.register({ id: pair.parentId, provider: 'wechat', config: { appid: pair.appid, secret: pair.secret, baseUrl: fake.url }, policy });
    const back = await client.reauthorize(pair.childId, {});
    expect(fake.tickets.isValidTicket(back.accessToken)).toBe(true);
    expect((await client.describe(pair.childId)).status).toBe('active');
    await waitFor('the new parent to list the ticket', async () => (await client.describe(pair.parentId)).dependents?.includes(pair.childId));
  });

  it('loses nothing when Redis restarts empty: the parent still signals, the new ticket reaches the new Redis', async () => {
    const pair = await registerPair();
    await waitFor('the parent to list its ticket', async () => (await client.describe(pair.parentId)).dependents?.includes(pair.childId));
    // A sentinel shows the new Redis starts empty (counting keys would race with other credentials' publications).
    await redis.set('derived-restart-sentinel', '1');
    await redisServer.stop();
    redisServer = await startRedisServer({ port: Number(new URL(redisServer.url).port), dir });
    expect(await waitFor('the new Redis', () => redis.exists('derived-restart-sentinel').then((n) => String(n)), { retryOn: () => true })).toBe('0');

    const before = issued(pair.appid);
    await client.refresh(pair.parentId, { staleVersion: pair.parent.version });
    await waitFor('a new ticket after the restart', () => issued(pair.appid) > before, { timeoutMs: 5_000 });
    const cache = new TokenCache(redis, { prefix: 'halflife', namespace: testEnv().namespace });
    const cached = await waitFor('the new ticket in the new Redis', async () => {
      const t = await cache.readToken(pair.childId);
      return t && t.accessToken === fake.tickets.currentTicket(pair.appid, 'jsapi') ? t : undefined;
    }, { retryOn: () => true });
    expect(cached.version).toBeGreaterThan(pair.child.version);
    expect(fake.tickets.isValidTicket(cached.accessToken)).toBe(true);
    expect((await client.describe(pair.parentId)).dependents).toContain(pair.childId);
  });

  it('a consumer signing JS-SDK configs throughout several rotations never signs with a dead ticket', async () => {
    const pair = await registerPair();
    const url = 'https://shop.example.com/cart?item=42#/checkout';
    const first = issued(pair.appid);
    let signed = 0;
    const dead: string[] = [];
    const seen = new Set<string>();
    // Rotations come from both sides: the ticket's own half-life (~4 s) and each parent rotation (~6 s).
    while (issued(pair.appid) < first + 5) {
      const ticket = await client.getToken(pair.childId, { minTtlMs: 500 });
      const config = signJssdkConfig(ticket, url);
      if (!fake.tickets.isValidTicket(ticket.accessToken)) dead.push(`v${ticket.version} at ${new Date().toISOString()}`);
      expect(config.signature).toBe(jssdkSignature({ ticket: ticket.accessToken, nonceStr: config.nonceStr, timestamp: config.timestamp, url: 'https://shop.example.com/cart?item=42' }));
      seen.add(ticket.accessToken);
      signed++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(dead).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(signed).toBeGreaterThan(100);
  });

  it('keeps its dependents across continue-as-new, marks the runs that signal them, and every run of both replays deterministically', async () => {
    const pair = await registerPair();
    await client.reconfigure(pair.parentId, { policy: { maxCyclesPerRun: 1 } }); // a new run after every cycle
    await waitFor('the parent to list its ticket', async () => (await client.describe(pair.parentId)).dependents?.includes(pair.childId));
    let version = pair.parent.version;
    for (let i = 0; i < 3; i++) {
      const before = issued(pair.appid);
      version = (await client.refresh(pair.parentId, { staleVersion: version })).token.version;
      await waitFor(`the ticket refreshed after rotation ${i + 1}`, () => issued(pair.appid) > before, { timeoutMs: 5_000 });
    }
    expect((await client.describe(pair.parentId)).counts.runs).toBeGreaterThanOrEqual(3);
    await client.revoke(pair.parentId);
    await waitFor('the ticket to see the end', async () => (await client.describe(pair.childId)).lastError?.code === 'parent_revoked', { timeoutMs: 5_000 });
    await client.revoke(pair.childId);

    const parentRuns = await runsOf(client.temporal, credentialWorkflowId(pair.parentId));
    const childRuns = await runsOf(client.temporal, credentialWorkflowId(pair.childId));
    expect(parentRuns.inputs.length).toBeGreaterThanOrEqual(3);
    const markers = parentRuns.histories.flatMap((h) => h.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(markers.length).toBeGreaterThanOrEqual(1);
    // Continued runs still signal the ticket: at least two runs did (the revocation's, and a rotation's).
    // Not every rotation needs a signal: a ticket that already read the new version at its own
    // half-life is not told again.
    const signalling = parentRuns.histories.filter((h) => (h.events ?? []).some((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes));
    expect(signalling.length).toBeGreaterThanOrEqual(2);
    const outcomes = await replay([...parentRuns.inputs, ...childRuns.inputs]);
    expect(outcomes.filter((o) => o.error)).toEqual([]);
    expect(outcomes).toHaveLength(parentRuns.inputs.length + childRuns.inputs.length);
  });
});
