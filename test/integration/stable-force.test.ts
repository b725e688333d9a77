/**
 * WeChat stable_token's `force_refresh` has its own small budget (per rolling day, and a minimum
 * spacing) and is used only when a consumer reports the current token invalid. Past the budget, and
 * past the per-credential quota guard (cooldown, daily cap), a forced refresh is answered with the
 * current token and a clear reason, never an upstream call.
 */
import { startFakeWechatServer, type FakeWechatServer } from '../../src/fakes/wechat-server';
import { fastPolicy } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('stable_token force_refresh budget and the quota guard', () => {
  const taskQueue = uniqueId('tq-stable-force');
  const forceSpacingMs = 2500;
  let fake: FakeWechatServer;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;

  beforeAll(async () => {
    // WeChat's own force limits are looser than the credential's budget here (as in production: 20 vs 10).
    [fake, worker, client] = await Promise.all([
      startFakeWechatServer({ expiresIn: 60, renewWindowMs: 5000, forceDailyLimit: 5, forceMinIntervalMs: 1000 }),
      startWorkerProcess(taskQueue),
      openTokenClient(taskQueue),
    ]);
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await fake?.close();
  });

  /** Registers a WeChat credential with its own app. */
  async function register(config: Record<string, unknown>, policy: Record<string, number> = {}) {
    const appid = uniqueId('wxapp');
    const secret = `secret-${uniqueId('s')}`;
    fake.addApp(appid, secret);
    const id = uniqueId('wx-force');
    const reg = await client.register({ id, provider: 'wechat', config: { appid, secret, baseUrl: fake.url, ...config }, policy: { ...fastPolicy, ...policy } });
    expect(fake.callsFor(appid)).toBe(1);
    return { id, appid, token: reg.token };
  }

  /** Waits until the clock has passed `at` (the budget's spacing is a duration, not an event). */
  const clockPast = (at: number) => waitFor(`the clock to pass ${at}`, () => Date.now() > at, { timeoutMs: at - Date.now() + 2000 });

  it('forces only for a consumer that reports the current token invalid, and only within the budget', async () => {
    // No cooldown: the force budget's own spacing (2.5 s) is under test, and the default cooldown
    // (10 s, checked first) would answer every report inside it with reason `cooldown`.
    const cred = await register({ stable: true, renewWindowMs: 5000, forceRefreshPerDay: 2, forceRefreshMinIntervalMs: forceSpacingMs }, { minRefreshIntervalMs: 0 });
    const forceBefore = fake.forceCalls;
    expect((await client.describe(cred.id)).settings).toMatchObject({ forceRefreshPerDay: 2, forceRefreshMinIntervalMs: forceSpacingMs });

    // An ordinary refresh (no stale version) never forces: stable_token hands back the same token.
    const plain = await client.refresh(cred.id);
    expect(plain).toMatchObject({ refreshed: false, reason: 'same_token' });
    expect(fake.callsFor(cred.appid)).toBe(2);
    expect(fake.forceCalls - forceBefore).toBe(0);

    // The consumer reports version 1 invalid: force_refresh, a new token, the old one dead at once.
    const first = await client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(first.refreshed).toBe(true);
    expect(first.token.version).toBe(cred.token.version + 1);
    expect(fake.forceCalls - forceBefore).toBe(1);
    expect(fake.callsFor(cred.appid)).toBe(3);
    expect(fake.isValidAccessToken(first.token.accessToken)).toBe(true);
    expect(fake.isValidAccessToken(cred.token.accessToken)).toBe(false);
    const firstForceAt = fake.callTimesFor(cred.appid)[2]!;

    // A late report about the old version is superseded: no call.
    expect(await client.refresh(cred.id, { staleVersion: cred.token.version })).toMatchObject({ refreshed: false, reason: 'superseded' });

    // Reported again within the spacing: the current token, reason force_budget, no call.
    const tooSoon = await client.refresh(cred.id, { staleVersion: first.token.version });
    expect(Date.now() - firstForceAt).toBeLessThan(forceSpacingMs);
    expect(tooSoon).toMatchObject({ refreshed: false, reason: 'force_budget' });
    expect(tooSoon.token.accessToken).toBe(first.token.accessToken);
    expect(fake.callsFor(cred.appid)).toBe(3);

    // After the spacing, the second (and last) forced call of the day.
    await clockPast(firstForceAt + forceSpacingMs);
    const second = await client.refresh(cred.id, { staleVersion: first.token.version });
    expect(second.refreshed).toBe(true);
    expect(second.token.version).toBe(first.token.version + 1);
    expect(fake.forceCalls - forceBefore).toBe(2);
    expect(fake.callsFor(cred.appid)).toBe(4);

    // The daily budget is spent: answered with the current token and the reason, no upstream call.
    await clockPast(fake.callTimesFor(cred.appid)[3]! + forceSpacingMs);
    const spent = await client.refresh(cred.id, { staleVersion: second.token.version });
    expect(spent).toMatchObject({ refreshed: false, reason: 'force_budget' });
    expect(spent.token.accessToken).toBe(second.token.accessToken);
    expect(spent.token.version).toBe(second.token.version);
    expect(fake.callsFor(cred.appid)).toBe(4);
    expect(fake.forceCalls - forceBefore).toBe(2);

    const described = await client.describe(cred.id);
    expect(described.status).toBe('active');
    expect(described.counts).toMatchObject({ upstreamCalls: 4, failures: 0 });
    expect(described.counts.coalesced).toBeGreaterThanOrEqual(3);
    const served = await client.getToken(cred.id);
    expect(served.accessToken).toBe(second.token.accessToken);
    expect(fake.isValidAccessToken(served.accessToken)).toBe(true);
    await client.revoke(cred.id);
  });

  it('a budget of 0 never forces; /cgi-bin/token has no force mode and refreshes normally', async () => {
    const none = await register({ stable: true, renewWindowMs: 5000, forceRefreshPerDay: 0 });
    const forceBefore = fake.forceCalls;
    const declined = await client.refresh(none.id, { staleVersion: none.token.version });
    expect(declined).toMatchObject({ refreshed: false, reason: 'force_budget' });
    expect(declined.token.accessToken).toBe(none.token.accessToken);
    expect(fake.callsFor(none.appid)).toBe(1);

    const normal = await register({ stable: false });
    const renewed = await client.refresh(normal.id, { staleVersion: normal.token.version });
    expect(renewed.refreshed).toBe(true);
    expect(fake.callsFor(normal.appid)).toBe(2);
    expect(fake.forceCalls - forceBefore).toBe(0);
    await Promise.all([client.revoke(none.id), client.revoke(normal.id)]);
  });

  it('the quota guard: a repeated report in the cooldown or any past the daily cap gets the current token and the reason, no call; describe shows the quota', async () => {
    // The guard under test: a cooldown longer than the test and a daily cap reached within it.
    const cred = await register({ stable: false }, { minRefreshIntervalMs: 60_000, maxRefreshesPerDay: 3 });
    const firstCallAt = fake.callTimesFor(cred.appid)[0]!;
    const fresh = await client.describe(cred.id);
    expect(fresh.quota).toMatchObject({ callsLast24h: 1, maxPerDay: 3, minIntervalMs: 60_000 });
    expect(Math.abs(fresh.quota.nextAllowedAt - (firstCallAt + 60_000))).toBeLessThan(1000);

    // The first report of a version is honoured even inside the cooldown; a second report is not.
    const second = await client.refresh(cred.id, { staleVersion: cred.token.version });
    expect(second.refreshed).toBe(true);
    expect(fake.callsFor(cred.appid)).toBe(2);
    const cooling = await client.refresh(cred.id, { staleVersion: second.token.version });
    expect(cooling).toMatchObject({ refreshed: false, reason: 'cooldown' });
    expect(cooling.token.accessToken).toBe(second.token.accessToken);
    expect(fake.callsFor(cred.appid)).toBe(2);

    // Without the cooldown, one more call fills the daily cap of 3.
    await client.reconfigure(cred.id, { policy: { minRefreshIntervalMs: 0 } });
    const third = await client.refresh(cred.id, { staleVersion: second.token.version });
    expect(third.refreshed).toBe(true);
    expect(fake.callsFor(cred.appid)).toBe(3);

    const capped = await client.refresh(cred.id, { staleVersion: third.token.version });
    expect(capped).toMatchObject({ refreshed: false, reason: 'daily_quota' });
    expect(capped.token.accessToken).toBe(third.token.accessToken);
    expect(fake.callsFor(cred.appid)).toBe(3);
    const described = await client.describe(cred.id);
    expect(described.quota).toMatchObject({ callsLast24h: 3, maxPerDay: 3, minIntervalMs: 0 });
    expect(Math.abs(described.quota.nextAllowedAt - (firstCallAt + 24 * 3_600_000))).toBeLessThan(1000);
    expect(described.counts.upstreamCalls).toBe(3);
    expect(described.status).toBe('active');
    expect((await client.getToken(cred.id)).accessToken).toBe(third.token.accessToken);
    expect(fake.isValidAccessToken(third.token.accessToken)).toBe(true);
    await client.revoke(cred.id);
  });
});
