/**
 * "Same token again" is a normal outcome that never turns into a refresh storm. Providers that
 * hand back the token they already issued until near its expiry (WeChat stable_token in normal
 * mode, WeCom gettoken) are watched over three token lifetimes with no cooldown at all
 * (`minRefreshIntervalMs: 0`), so only the schedule can keep the upstream calls bounded.
 */
import type { CredentialDescription } from '../../src/credential';
import { startFakeWechatServer, type FakeWechatServer } from '../../src/fakes/wechat-server';
import { startFakeWecomServer, type FakeWecomServer } from '../../src/fakes/wecom-server';
import { fastPolicy } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** No cooldown and no jitter: the bound must come from the schedule alone. */
const policy = { ...fastPolicy, minRefreshIntervalMs: 0, jitterRatio: 0 };
const lifetimeS = 4;

describe('same token again: bounded upstream calls over three lifetimes', () => {
  const taskQueue = uniqueId('tq-same-token');
  let wechat: FakeWechatServer;
  let wecom: FakeWecomServer;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;

  beforeAll(async () => {
    [wechat, wecom, worker, client] = await Promise.all([
      // WeChat renews a stable token only in its last second.
      startFakeWechatServer({ expiresIn: lifetimeS, renewWindowMs: 1000 }),
      startFakeWecomServer({ expiresIn: lifetimeS }),
      startWorkerProcess(taskQueue),
      openTokenClient(taskQueue),
    ]);
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await Promise.all([wechat?.close(), wecom?.close()]);
  });

  /**
   * Watches a credential for three lifetimes after registration and checks the bound: at most
   * `perLifetime` upstream calls per lifetime (after the registration's; a storm would be dozens),
   * at most two calls per token obtained, and the schedule kept renewing. `calls` counts the
   * credential's upstream calls so far.
   */
  async function watchThreeLifetimes(id: string, calls: () => Promise<number>, isValid: (t: string) => boolean, perLifetime = 2): Promise<CredentialDescription> {
    const start = Date.now();
    const end = start + 3 * lifetimeS * 1000;
    const base = await calls();
    await waitFor('three lifetimes to pass', async () => {
      const elapsedLifetimes = Math.max(1, Math.ceil((Date.now() - start) / (lifetimeS * 1000)));
      const made = (await calls()) - base;
      // A storm is caught as it happens, not only at the end.
      if (made > perLifetime * elapsedLifetimes) throw new Error(`${made} upstream calls after ${Date.now() - start} ms`);
      return Date.now() >= end;
    }, { timeoutMs: end - start + 5000, intervalMs: 50 });
    expect((await calls()) - base).toBeLessThanOrEqual(perLifetime * 3);
    // WeCom hands out a new token only once the old one expired, so each cycle has a moment without a
    // valid token (status refreshing) while that call is made: the credential is active again right after.
    const described = await waitFor('the credential active', async () => {
      const d = await client.describe(id);
      return d.status === 'active' ? d : undefined;
    }, { timeoutMs: 3000 });
    expect(described.counts.failures).toBe(0);
    // every token took at most two calls: one that got it back once more, one that renewed it
    expect(described.counts.upstreamCalls).toBeLessThanOrEqual(2 * described.counts.refreshes);
    // and the schedule kept renewing: a new token in each lifetime
    expect(described.counts.refreshes).toBeGreaterThanOrEqual(3);
    const served = await client.getToken(id);
    expect(isValid(served.accessToken)).toBe(true);
    await client.revoke(id);
    return described;
  }

  it('WeChat stable_token, with the credential expecting renewal earlier than WeChat grants it (same token comes back)', async () => {
    const appid = uniqueId('wxapp');
    const secret = `secret-${uniqueId('s')}`;
    wechat.addApp(appid, secret);
    const id = uniqueId('same-wxs');
    // renewWindowMs 2 s vs WeChat's 1 s: the first call of every cycle, 2 s before expiry, gets the
    // same token back; the schedule then waits half the time left (1 s) and gets a new one. A cycle
    // is 3 s and two calls, so a 4 s lifetime sees at most three calls.
    await client.register({ id, provider: 'wechat', config: { appid, secret, baseUrl: wechat.url, stable: true, renewWindowMs: 2000 }, policy });
    const described = await watchThreeLifetimes(id, async () => wechat.callsFor(appid), (t) => wechat.isValidAccessToken(t), 3);
    // the same token did come back (calls that brought no new token), and it did not storm
    expect(described.counts.upstreamCalls).toBeGreaterThan(described.counts.refreshes);
  });

  it('WeCom gettoken', async () => {
    const corpid = uniqueId('corp');
    const corpsecret = `secret-${uniqueId('s')}`;
    wecom.addApp(corpid, corpsecret);
    const id = uniqueId('same-wc');
    await client.register({ id, provider: 'wecom', config: { corpid, corpsecret, baseUrl: wecom.url }, policy });
    await watchThreeLifetimes(id, async () => wecom.callsFor(corpid), (t) => wecom.isValidAccessToken(t));
  });

  it('WeCom gettoken, a second credential of the same app that starts mid-life with the cached token', async () => {
    const corpid = uniqueId('corp');
    const corpsecret = `secret-${uniqueId('s')}`;
    wecom.addApp(corpid, corpsecret);
    const config = { corpid, corpsecret, baseUrl: wecom.url };
    const first = uniqueId('same-wc');
    const reg = await client.register({ id: first, provider: 'wecom', config, policy });
    const mid = reg.token.expiresAt - (lifetimeS * 1000) / 2;
    await waitFor('half a lifetime', () => Date.now() >= mid, { timeoutMs: lifetimeS * 1000 });
    const second = uniqueId('same-wc');
    const reg2 = await client.register({ id: second, provider: 'wecom', config, policy });
    expect(reg2.token.accessToken).toBe(reg.token.accessToken);
    expect(reg2.token.expiresAt).toBeLessThanOrEqual(reg.token.expiresAt + 1000);
    // Both credentials call the same app: the fake counts both, describe counts each.
    await watchThreeLifetimes(second, async () => (await client.describe(second)).counts.upstreamCalls, (t) => wecom.isValidAccessToken(t));
    expect(wecom.callsFor(corpid)).toBeLessThanOrEqual(2 + 2 * 2 * 3);
    await client.revoke(first);
  });
});
