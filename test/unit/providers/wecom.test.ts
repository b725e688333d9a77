/** The `wecom` provider against the fake WeCom token API (real HTTP, a hand-moved clock). */
import type { TokenSet } from '../../../src/credential';
import { startFakeWecomServer, type FakeWecomOptions, type FakeWecomServer } from '../../../src/fakes/wecom-server';
import { context, expectNoSecrets, manualClock, providerFailure, refreshWith } from './kit';

describe('wecom provider', () => {
  let fake: FakeWecomServer;
  let clock: ReturnType<typeof manualClock>;
  const corpsecret = 'wecom-app-secret-0001';

  async function start(options: FakeWecomOptions = {}): Promise<void> {
    clock = manualClock();
    fake = await startFakeWecomServer({ now: clock.now, ...options });
    fake.addApp('ww-corp', corpsecret);
  }
  const config = (overrides: Record<string, unknown> = {}) => ({ corpid: 'ww-corp', corpsecret, baseUrl: fake.url, ...overrides });
  const ctx = (current?: TokenSet) => context({ now: clock.now, ...(current ? { current } : {}) });
  const validate = async (token: string) => ((await (await fetch(`${fake.url}/cgi-bin/user/get?access_token=${token}&userid=lisi`)).json()) as { errcode: number }).errcode;

  afterEach(async () => {
    await fake.close();
  });

  test('the same token until expiry: first issuedAt kept, earlier expiry kept, renewableAt = expiresAt', async () => {
    await start({ expiresIn: 10 });
    const first = await refreshWith('wecom', config(), {}, ctx());
    expect(first.token).toEqual({ accessToken: fake.lastAccessToken, tokenType: 'Bearer', issuedAt: clock.now(), expiresAt: clock.now() + 10_000, renewableAt: clock.now() + 10_000 });
    clock.advance(4_000);
    const again = await refreshWith('wecom', config(), {}, ctx(first.token));
    expect(again.token).toEqual(first.token);
    clock.advance(6_000);
    expect(await validate(first.token.accessToken)).toBe(42001);
    const renewed = await refreshWith('wecom', config(), {}, ctx(again.token));
    expect(renewed.token.accessToken).not.toBe(first.token.accessToken);
    expect(renewed.token.issuedAt).toBe(clock.now());
    expect(await validate(renewed.token.accessToken)).toBe(0);
    expect(await validate('garbage')).toBe(40014);
    expect(fake.calls).toBe(3);
  });

  test('without ctx.current a repeated token counts from now, with the remaining lifetime', async () => {
    await start({ expiresIn: 10 });
    await refreshWith('wecom', config(), {}, ctx());
    clock.advance(4_000);
    const repeated = await refreshWith('wecom', config(), {}, ctx());
    expect(repeated.token.expiresAt - repeated.token.issuedAt).toBe(6_000);
  });

  test('an early invalidation makes the old token 40014 and the next call gets a new one', async () => {
    await start();
    const first = await refreshWith('wecom', config(), {}, ctx());
    fake.invalidateAll();
    expect(await validate(first.token.accessToken)).toBe(40014);
    const next = await refreshWith('wecom', config(), {}, ctx(first.token));
    expect(next.token.accessToken).not.toBe(first.token.accessToken);
  });

  test('unknown corpid (40013), wrong secret (40001), IP not allowed (60020) are configuration; the secret is scrubbed', async () => {
    await start({ echoSecretInErrmsg: true });
    const corp = await providerFailure(refreshWith('wecom', config({ corpid: 'ww-nobody' }), {}, ctx()));
    expect({ kind: corp.kind, code: corp.code }).toEqual({ kind: 'configuration', code: 'errcode_40013' });
    const wrong = await providerFailure(refreshWith('wecom', config({ corpsecret: 'wrong-corp-secret' }), {}, ctx()));
    expect({ kind: wrong.kind, code: wrong.code }).toEqual({ kind: 'configuration', code: 'errcode_40001' });
    expect(wrong.message).toContain('[redacted]');
    expectNoSecrets(wrong, ['wrong-corp-secret', corpsecret]);
    fake.setIpAllowed(false);
    const ip = await providerFailure(refreshWith('wecom', config(), {}, ctx()));
    expect(ip.code).toBe('errcode_60020');
  });

  test('the daily limit answers 45009, retried after midnight in China time', async () => {
    await start({ dailyQuota: 1 });
    await refreshWith('wecom', config(), {}, ctx());
    const err = await providerFailure(refreshWith('wecom', config(), {}, ctx()));
    expect({ kind: err.kind, code: err.code, retryAfterMs: err.retryAfterMs }).toEqual({ kind: 'transient', code: 'errcode_45009', retryAfterMs: 14 * 3_600_000 + 120_000 });
  });

  test('-1 (system busy) is transient with a short delay', async () => {
    await start();
    fake.failNext(1, -1, 'system busy');
    const err = await providerFailure(refreshWith('wecom', config(), {}, ctx()));
    expect({ kind: err.kind, code: err.code, retryAfterMs: err.retryAfterMs }).toEqual({ kind: 'transient', code: 'errcode_-1', retryAfterMs: 2_000 });
  });

  test('a hanging endpoint is a timeout via the AbortSignal', async () => {
    await start();
    fake.hangNext(1);
    const err = await providerFailure(refreshWith('wecom', config(), {}, context({ now: clock.now, signal: AbortSignal.timeout(300) })));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind: 'transient', code: 'timeout' });
  });
});
