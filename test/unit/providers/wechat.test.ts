/** The `wechat` provider against the fake WeChat token API (real HTTP, a hand-moved clock). */
import type { TokenSet } from '../../../src/credential';
import { startFakeWechatServer, type FakeWechatOptions, type FakeWechatServer } from '../../../src/fakes/wechat-server';
import { context, expectNoSecrets, manualClock, providerFailure, refreshWith } from './kit';

describe('wechat provider', () => {
  let fake: FakeWechatServer;
  let clock: ReturnType<typeof manualClock>;
  const secret = 'wx-app-secret-0001';

  async function start(options: FakeWechatOptions = {}): Promise<void> {
    clock = manualClock();
    fake = await startFakeWechatServer({ now: clock.now, ...options });
    fake.addApp('wxapp', secret);
  }
  const config = (overrides: Record<string, unknown> = {}) => ({ appid: 'wxapp', secret, baseUrl: fake.url, ...overrides });
  const ctx = (extra: { current?: TokenSet; forced?: boolean } = {}) => context({ now: clock.now, ...extra });
  const validate = async (token: string) => ((await (await fetch(`${fake.url}/cgi-bin/get_api_domain_ip?access_token=${token}`)).json()) as { errcode: number }).errcode;

  afterEach(async () => {
    await fake.close();
  });

  test('/cgi-bin/token: a new token each call; the previous one works for the overlap only', async () => {
    await start({ expiresIn: 60, overlapMs: 5_000 });
    const first = await refreshWith('wechat', config(), {}, ctx());
    expect(first.token).toEqual({ accessToken: first.token.accessToken, tokenType: 'Bearer', issuedAt: clock.now(), expiresAt: clock.now() + 60_000 });
    expect(first.token.renewableAt).toBeUndefined();
    const second = await refreshWith('wechat', config(), {}, ctx({ current: first.token }));
    expect(second.token.accessToken).not.toBe(first.token.accessToken);
    expect([await validate(first.token.accessToken), await validate(second.token.accessToken)]).toEqual([0, 0]);
    clock.advance(5_000);
    expect([await validate(first.token.accessToken), await validate(second.token.accessToken)]).toEqual([40001, 0]);
    clock.advance(55_000);
    expect(await validate(second.token.accessToken)).toBe(42001);
    expect([fake.calls, fake.stableCalls, fake.forceCalls]).toEqual([2, 0, 0]);
  });

  test('stable mode repeats the token: same issuedAt, earlier expiresAt, renewableAt = expiresAt - renewWindowMs', async () => {
    await start({ expiresIn: 10, renewWindowMs: 3_000 });
    const first = await refreshWith('wechat', config({ stable: true, renewWindowMs: 3_000 }), {}, ctx());
    expect(first.token.renewableAt).toBe(first.token.expiresAt - 3_000);
    clock.advance(2_000);
    const again = await refreshWith('wechat', config({ stable: true, renewWindowMs: 3_000 }), {}, ctx({ current: first.token }));
    expect(again.token.accessToken).toBe(first.token.accessToken);
    expect(again.token.issuedAt).toBe(first.token.issuedAt);
    expect(again.token.expiresAt).toBe(first.token.expiresAt);
    expect(again.token.renewableAt).toBe(first.token.expiresAt - 3_000);
    clock.advance(5_500); // inside the renew window: WeChat issues a new token, the old one lives on
    const renewed = await refreshWith('wechat', config({ stable: true, renewWindowMs: 3_000 }), {}, ctx({ current: again.token }));
    expect(renewed.token.accessToken).not.toBe(first.token.accessToken);
    expect(renewed.token.issuedAt).toBe(clock.now());
    expect(await validate(first.token.accessToken)).toBe(0);
    expect([fake.calls, fake.stableCalls, fake.forceCalls]).toEqual([3, 3, 0]);
  });

  test('a forced stable refresh sets force_refresh, invalidates the old token, and has a budget and a spacing (45009)', async () => {
    await start({ forceDailyLimit: 2, forceMinIntervalMs: 30_000 });
    const first = await refreshWith('wechat', config({ stable: true }), {}, ctx());
    const forced = await refreshWith('wechat', config({ stable: true }), {}, ctx({ current: first.token, forced: true }));
    expect(forced.token.accessToken).not.toBe(first.token.accessToken);
    expect(await validate(first.token.accessToken)).toBe(40001);
    const tooSoon = await providerFailure(refreshWith('wechat', config({ stable: true }), {}, ctx({ current: forced.token, forced: true })));
    expect({ kind: tooSoon.kind, code: tooSoon.code }).toEqual({ kind: 'transient', code: 'errcode_45009' });
    expect(tooSoon.retryAfterMs).toBeGreaterThan(0);
    clock.advance(30_000);
    await refreshWith('wechat', config({ stable: true }), {}, ctx({ forced: true }));
    clock.advance(30_000);
    const spent = await providerFailure(refreshWith('wechat', config({ stable: true }), {}, ctx({ forced: true })));
    expect(spent.code).toBe('errcode_45009');
    expect(fake.forceCalls).toBe(4);
  });

  test('the /cgi-bin/token daily quota answers 45009 until midnight in China time', async () => {
    await start({ dailyQuota: 2 });
    await refreshWith('wechat', config(), {}, ctx());
    await refreshWith('wechat', config(), {}, ctx());
    const err = await providerFailure(refreshWith('wechat', config(), {}, ctx()));
    expect(err.code).toBe('errcode_45009');
    // 02:00 UTC is 10:00 in China: 14 hours to midnight, plus the 2 minute margin.
    expect(err.retryAfterMs).toBe(14 * 3_600_000 + 120_000);
    clock.advance(err.retryAfterMs ?? 0);
    await expect(refreshWith('wechat', config(), {}, ctx())).resolves.toBeDefined();
  });

  test('wrong secret (40001), unknown appid (40013), IP whitelist (40164) are configuration; the secret is scrubbed from errmsg', async () => {
    await start({ echoSecretInErrmsg: true });
    const wrong = await providerFailure(refreshWith('wechat', config({ secret: 'wrong-secret-value' }), {}, ctx()));
    expect({ kind: wrong.kind, code: wrong.code }).toEqual({ kind: 'configuration', code: 'errcode_40001' });
    expect(wrong.message).toContain('errcode 40001');
    expect(wrong.message).toContain('[redacted]');
    expectNoSecrets(wrong, ['wrong-secret-value', secret]);
    const unknown = await providerFailure(refreshWith('wechat', config({ appid: 'wxnobody' }), {}, ctx()));
    expect(unknown.code).toBe('errcode_40013');
    expect(unknown.message).toContain('wxnobody'); // the appid is not secret
    fake.setIpWhitelisted(false);
    const ip = await providerFailure(refreshWith('wechat', config({ stable: true }), {}, ctx()));
    expect(ip.code).toBe('errcode_40164');
  });

  test('a missing expires_in means ctx.defaultLifetimeMs', async () => {
    await start();
    fake.respondNextWith(1, JSON.stringify({ access_token: 'wx-no-expiry' }));
    const result = await refreshWith('wechat', config(), {}, context({ now: clock.now, defaultLifetimeMs: 77_000 }));
    expect(result.token.expiresAt - result.token.issuedAt).toBe(77_000);
  });

  test('a hanging endpoint is a timeout via the AbortSignal', async () => {
    await start();
    fake.hangNext(1);
    const err = await providerFailure(refreshWith('wechat', config(), {}, context({ now: clock.now, signal: AbortSignal.timeout(300) })));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'transient', code: 'timeout' });
  });
});
