/**
 * Third-party platform tokens through the whole system: a worker process, the HTTP API's push
 * callback on loopback, the platform fakes (src/fakes/wechat-component-server.ts,
 * wecom-suite-server.ts) pushing encrypted, signed tickets to it over real HTTP, a Redis server
 * of the test's own (restarted empty in one test), and a TokenClient. Lifetimes are compressed:
 * platform tokens live 8 s; a new ticket retires the previous one at once.
 *
 * - a platform registered before any push waits (`ticket_missing`, no request sent); the first
 *   push brings its token at once;
 * - a later push is kept for the next refresh without a call, and that refresh uses it;
 * - a push with a bad signature or for another AppID is refused with the reason, and nothing is stored;
 * - an authorizer's refresh token rotates at every refresh, the old one is refused by the fake,
 *   and a Redis restart loses nothing;
 * - WeCom: `suite_ticket` push → `wecom_suite` → `wecom_corp` with the permanent code;
 * - every run replays deterministically.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { ApiKeys } from '../../src/api/keys';
import { createApiServer } from '../../src/api/server';
import { connectTemporal } from '../../src/client/connect';
import { TokenClient } from '../../src/client/token-client';
import { AesGcmCodec } from '../../src/codec/aes-gcm-codec';
import { createDataConverter } from '../../src/codec/data-converter';
import { parseKeyring } from '../../src/codec/keyring';
import { freePort } from '../../src/dev/net';
import { randomEncodingAesKey } from '../../src/fakes/push-sealer';
import { startFakeWechatComponentServer, type FakeWechatComponentServer } from '../../src/fakes/wechat-component-server';
import { startFakeWecomSuiteServer, type FakeWecomSuiteServer } from '../../src/fakes/wecom-suite-server';
import { credentialWorkflowId } from '../../src/messages';
import { createPushClient } from '../../src/platform/push-client';
import { TokenCache } from '../../src/redis/token-cache';
import { startRedisServer, type RedisServerHandle } from '../../scripts/redis-server';
import { replay, runsOf } from '../helpers/replay-runs';
import { testEnv, uniqueId } from '../helpers/test-env';
import { holdsFor, waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const lifetimeS = 8;
const policy = { retryInitialMs: 200, retryMaxMs: 1000, upstreamTimeoutMs: 2000, minRefreshIntervalMs: 300 };

describe('third-party platforms: pushed tickets, component and suite tokens, authorizer and corp tokens', () => {
  const taskQueue = uniqueId('tq-platform');
  let dir: string;
  let redisServer: RedisServerHandle;
  let wechat: FakeWechatComponentServer;
  let wecom: FakeWecomSuiteServer;
  let worker: WorkerProcess;
  let redis: Redis;
  let client: TokenClient;
  let api: FastifyInstance;
  let apiUrl: string;
  let closeConnection: () => Promise<void>;
  const registered: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halflife-platform-'));
    redisServer = await startRedisServer({ port: await freePort(), dir });
    wechat = await startFakeWechatComponentServer({ expiresIn: lifetimeS, authorizerExpiresIn: lifetimeS, ticketOverlapMs: 0, tokenOverlapMs: 1_000 });
    wecom = await startFakeWecomSuiteServer({ expiresIn: lifetimeS, corpExpiresIn: lifetimeS, ticketOverlapMs: 0 });
    worker = await startWorkerProcess(taskQueue, { HALFLIFE_TEST_REDIS_URL: redisServer.url });
    const env = testEnv();
    const connection = await connectTemporal({ address: env.temporalAddress });
    closeConnection = () => connection.close();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    client = new TokenClient({ connection, namespace: env.namespace, taskQueue, redis, dataConverter: createDataConverter(parseKeyring(env.encryptionKeys)) });
    api = createApiServer({ tokenClient: client, keys: ApiKeys.of([]), health: { temporal: async () => true }, push: createPushClient(client.temporal) });
    await api.listen({ host: '127.0.0.1', port: 0 });
    apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const id of registered.reverse()) await client?.revoke(id).catch(() => undefined);
    await api?.close();
    await client?.close();
    redis?.disconnect();
    await closeConnection?.();
    await worker?.stop();
    await wechat?.close();
    await wecom?.close();
    await redisServer?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const callback = (id: string) => `${apiUrl}/v1/push/${id}`;

  /** A platform on the WeChat fake, registered before any push (it waits for its ticket). */
  async function registerComponent() {
    const appid = uniqueId('wxcomp');
    const keys = { token: `cb-${uniqueId('t')}`, encodingAesKey: randomEncodingAesKey() };
    const secret = `compsecret-${uniqueId('s')}`;
    wechat.addComponent(appid, secret, keys);
    const id = uniqueId('component');
    const config = { componentAppid: appid, componentAppsecret: secret, callbackToken: keys.token, encodingAesKey: keys.encodingAesKey, baseUrl: wechat.url };
    const early = client.register({ id, provider: 'wechat_component', config, policy });
    registered.push(id);
    await expect(early).rejects.toMatchObject({ name: 'ReauthRequiredError' });
    return { id, appid, keys };
  }

  it('waits for the first push without calling, then takes its token from it; later pushes are kept for the next refresh', async () => {
    const c = await registerComponent();
    const waiting = await client.describe(c.id);
    expect(waiting).toMatchObject({ status: 'reauth_required', lastError: { kind: 'reauth', code: 'ticket_missing' } });
    expect(wechat.callsFor(`component:${c.appid}`)).toBe(0);

    const first = await wechat.pushTicket(c.appid, callback(c.id));
    expect({ status: first.status, body: first.body }).toEqual({ status: 200, body: 'success' });
    const active = await waitFor('the component token', async () => ((await client.describe(c.id)).status === 'active' ? client.getToken(c.id) : undefined), { timeoutMs: 5_000, intervalMs: 25 });
    expect(wechat.componentTokens.status(active.accessToken).ok).toBe(true);
    expect(wechat.ticketsUsed.get(c.appid)).toEqual([first.ticket]);

    // A new push retires the first ticket at the fake; the credential keeps its token (no call) and uses the new ticket next.
    const second = await wechat.pushTicket(c.appid, callback(c.id));
    expect(second.status).toBe(200);
    // (The answer comes once the ticket is durable, before any refresh it could start: watch for one.)
    await holdsFor('no call after the push', () => wechat.callsFor(`component:${c.appid}`) === 1, 1_500);
    expect((await client.describe(c.id)).version).toBe(active.version);
    const refreshed = await client.refresh(c.id, { staleVersion: active.version });
    expect(refreshed).toMatchObject({ refreshed: true, token: { version: active.version + 1 } });
    expect(wechat.ticketsUsed.get(c.appid)).toEqual([first.ticket, second.ticket]);

    // Its scheduled refresh (half of 8 s) uses the latest ticket too.
    const third = await wechat.pushTicket(c.appid, callback(c.id));
    await waitFor('a scheduled refresh with the third ticket', () => wechat.ticketsUsed.get(c.appid)?.at(-1) === third.ticket, { timeoutMs: lifetimeS * 1000 });
    await waitFor('the new version', async () => (await client.describe(c.id)).version > refreshed.token.version, { timeoutMs: 5_000 });
    expect((await client.describe(c.id)).status).toBe('active');

    // The runs that kept a ticket without a refresh carry the patch marker, and replay.
    const runs = await runsOf(client.temporal, credentialWorkflowId(c.id));
    const patches = runs.histories.flatMap((h) => h.events ?? []).map((e) => e.markerRecordedEventAttributes).filter((m) => m?.markerName === 'core_patch');
    expect(patches.length).toBeGreaterThanOrEqual(1);
    // Marker details travel through the payload codec like every payload: decode them to read the patch ids.
    const codec = new AesGcmCodec(parseKeyring(testEnv().encryptionKeys));
    const ids = await Promise.all(patches.flatMap((m) => Object.values(m?.details ?? {}).flatMap((d) => d.payloads ?? [])).map(async (p) => Buffer.from((await codec.decode([p as never]))[0]?.data ?? []).toString()));
    expect(ids.join(' ')).toContain('halflife-grant-material');
    expect((await replay(runs.inputs)).filter((o) => o.error)).toEqual([]);
  });

  it('refuses a push with a bad signature or for another AppID, naming the reason, and stores nothing', async () => {
    const c = await registerComponent();
    const good = await wechat.pushTicket(c.appid, callback(c.id));
    const token = await waitFor('the component token', async () => ((await client.describe(c.id)).status === 'active' ? client.getToken(c.id) : undefined), { timeoutMs: 5_000, intervalMs: 25 });
    for (const [sealAs, reason] of [[{ token: 'not-the-callback-token' }, 'bad_signature'], [{ receiveId: 'wx0000000000000000' }, 'receiver_mismatch'], [{ encodingAesKey: randomEncodingAesKey() }, 'undecryptable']] as const) {
      const refused = await wechat.pushTicket(c.appid, callback(c.id), sealAs);
      expect({ status: refused.status, error: (JSON.parse(refused.body) as { error: unknown }).error }).toEqual({ status: 400, error: { code: 'push_rejected', message: expect.stringContaining(`(${reason})`) } });
      expect(refused.body).not.toContain(c.keys.encodingAesKey);
    }
    // The refresh still uses the good ticket: a forged one stored would be refused by the fake (61006).
    const refreshed = await client.refresh(c.id, { staleVersion: token.version });
    expect(refreshed.refreshed).toBe(true);
    expect(wechat.ticketsUsed.get(c.appid)?.at(-1)).toBe(good.ticket);
  });

  it("rotates an authorizer's refresh token at every refresh, the old one dead at the fake, and loses nothing when Redis restarts empty", async () => {
    const c = await registerComponent();
    await wechat.pushTicket(c.appid, callback(c.id));
    await waitFor('the component token', async () => (await client.describe(c.id)).status === 'active', { timeoutMs: 5_000, intervalMs: 25 });
    const account = uniqueId('wxacct');
    const rt0 = wechat.authorize(c.appid, account);
    const id = uniqueId('authorizer');
    const first = await client.register({ id, provider: 'wechat_authorizer', parent: c.id, config: { authorizerAppid: account }, grant: { refreshToken: rt0 }, policy });
    registered.push(id);
    expect(first.token).toMatchObject({ metadata: { appId: account, componentAppid: c.appid } });
    expect(wechat.authorizerTokens.status(first.token.accessToken).ok).toBe(true);
    const rt1 = wechat.refreshTokens.current(account)!;
    expect(rt1).not.toBe(rt0);
    expect(wechat.refreshTokens.status(rt0)).toEqual({ ok: false, reason: 'superseded' });

    // Reusing the old refresh token is refused by the fake (what a replay of it would meet).
    const parent = await client.getToken(c.id);
    const reuse = await fetch(`${wechat.url}/cgi-bin/component/api_authorizer_token?component_access_token=${parent.accessToken}`, {
      method: 'POST',
      body: JSON.stringify({ component_appid: c.appid, authorizer_appid: account, authorizer_refresh_token: rt0 }),
    });
    expect(await reuse.json()).toMatchObject({ errcode: 61023 });

    await redisServer.stop();
    redisServer = await startRedisServer({ port: Number(new URL(redisServer.url).port), dir });
    expect(await waitFor('the new Redis', () => redis.dbsize().then((n) => String(n)), { retryOn: () => true })).toBe('0');

    let version = first.token.version;
    for (let i = 0; i < 2; i++) {
      const cooledAt = Date.now() + policy.minRefreshIntervalMs; // the cooldown between two reports
      await waitFor('the cooldown to pass', () => Date.now() > cooledAt);
      const outcome = await client.refresh(id, { staleVersion: version });
      expect(outcome.refreshed).toBe(true);
      version = outcome.token.version;
    }
    const rt3 = wechat.refreshTokens.current(account)!;
    expect(new Set([rt0, rt1, rt3]).size).toBe(3);
    expect(wechat.refreshTokens.status(rt3).ok).toBe(true);
    const cache = new TokenCache(redis, { prefix: 'halflife', namespace: testEnv().namespace });
    const cached = await waitFor('the rotated token in the new Redis', async () => {
      const t = await cache.readToken(id);
      return t && t.version === version ? t : undefined;
    }, { retryOn: () => true });
    expect(wechat.authorizerTokens.status(cached.accessToken).ok).toBe(true);
    // Its own half-life keeps rotating, always from the newest refresh token.
    await waitFor('a scheduled refresh', async () => (await client.getToken(id)).version > version, { timeoutMs: lifetimeS * 1000 });
    expect((await client.describe(id)).status).toBe('active');
    expect(wechat.refreshTokens.current(account)).not.toBe(rt3);
  });

  it('WeCom: a suite_ticket push brings the suite token, a corp gets its token with the permanent code; a push for another suite is refused', async () => {
    const suiteId = uniqueId('suite');
    const keys = { token: `cb-${uniqueId('t')}`, encodingAesKey: randomEncodingAesKey() };
    const secret = `suitesecret-${uniqueId('s')}`;
    wecom.addSuite(suiteId, secret, keys);
    const id = uniqueId('suite');
    const early = client.register({ id, provider: 'wecom_suite', config: { suiteId, suiteSecret: secret, callbackToken: keys.token, encodingAesKey: keys.encodingAesKey, baseUrl: wecom.url }, policy });
    registered.push(id);
    await expect(early).rejects.toMatchObject({ name: 'ReauthRequiredError' });
    expect(wecom.callsFor(`suite:${suiteId}`)).toBe(0);

    const refused = await wecom.pushTicket(suiteId, callback(id), { receiveId: 'another-suite' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('(receiver_mismatch)');
    const pushed = await wecom.pushTicket(suiteId, callback(id));
    expect(pushed).toMatchObject({ status: 200, body: 'success' });
    const suiteToken = await waitFor('the suite token', async () => ((await client.describe(id)).status === 'active' ? client.getToken(id) : undefined), { timeoutMs: 5_000, intervalMs: 25 });
    expect(wecom.suiteTokens.status(suiteToken.accessToken).ok).toBe(true);
    expect(wecom.ticketsUsed.get(suiteId)).toEqual([pushed.ticket]);

    const corpid = uniqueId('corp');
    const permanentCode = wecom.install(suiteId, corpid);
    const corpId = uniqueId('corp');
    const corp = await client.register({ id: corpId, provider: 'wecom_corp', parent: id, config: { authCorpid: corpid }, grant: { refreshToken: permanentCode }, policy });
    registered.push(corpId);
    expect(corp.token).toMatchObject({ metadata: { corpId: corpid, suiteId } });
    expect(wecom.corpTokens.status(corp.token.accessToken).ok).toBe(true);
    // The suite token dies early at WeCom: the corp's refresh is refused (40082), the suite refreshes, the retry succeeds.
    wecom.invalidateSuiteTokens(suiteId);
    wecom.corpTokens.revokeOwner(corpid);
    const again = await client.refresh(corpId, { staleVersion: corp.token.version });
    expect(again.refreshed).toBe(true);
    expect(wecom.corpTokens.status(again.token.accessToken).ok).toBe(true);
    expect((await client.describe(id)).version).toBeGreaterThan(suiteToken.version); // the suite refreshed first (describe: not the client's cache)

    for (const wid of [id, corpId]) {
      const runs = await runsOf(client.temporal, credentialWorkflowId(wid));
      const outcomes = await replay(runs.inputs);
      expect(outcomes.filter((o) => o.error)).toEqual([]);
    }
  });
});
