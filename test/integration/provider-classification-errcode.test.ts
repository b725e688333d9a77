/**
 * The classification table of the errcode providers (WeChat `/cgi-bin/token`, WeChat
 * `/cgi-bin/stable_token`, WeCom `/cgi-bin/gettoken`), row by row, through the whole workflow: a
 * worker process, the fake APIs over real HTTP (errcodes in HTTP 200 bodies), and the client. Each
 * case asserts the status the credential reaches, how many upstream calls the fake saw, and that
 * the token served meanwhile is still the last valid one.
 */
import type { TokenView } from '../../src/credential';
import { isHalflifeError } from '../../src/errors';
import { startFakeWechatServer, type FakeWechatServer } from '../../src/fakes/wechat-server';
import { startFakeWecomServer, type FakeWecomServer } from '../../src/fakes/wecom-server';
import { fastPolicy } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { waitFor } from '../helpers/wait';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

/** Retries one second apart at first, so the degraded state is easy to observe. */
const policy = { ...fastPolicy, retryInitialMs: 1000, retryMaxMs: 2000 };

type TargetName = 'wechat' | 'wechat-stable' | 'wecom';

/** One errcode endpoint, seen through its fake. */
interface Target {
  /** Upstream calls so far (token endpoint hits) for one app. */
  calls(app: string): number;
  callTimes(app: string): readonly number[];
  /** Registers a credential with its own app (its first token lives 60 s). */
  register(): Promise<{ id: string; app: string; token: TokenView }>;
  /** Whether a successful refresh hands back the token already held. */
  repeats: boolean;
  isValid(token: string): boolean;
  fake: FakeWechatServer | FakeWecomServer;
  /** Makes the IP check fail (true) or pass again (false). */
  blockIp(blocked: boolean): void;
  /** The errcode the IP check answers. */
  ipErrcode: number;
}

describe('classification rows through the workflow: WeChat and WeCom', () => {
  const taskQueue = uniqueId('tq-class-errcode');
  let wechat: FakeWechatServer;
  let wecom: FakeWecomServer;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  const targets = {} as Record<TargetName, Target>;
  /** Stable mode repeats a token until its last 5 s (tokens here live 60 s). */
  const renewWindowMs = 5000;
  /** Credentials a test registered: revoked after it, even when it failed. */
  const registered: string[] = [];

  afterEach(async () => {
    for (const id of registered.splice(0)) await client.revoke(id).catch(() => undefined);
  });

  beforeAll(async () => {
    [wechat, wecom, worker, client] = await Promise.all([
      startFakeWechatServer({ expiresIn: 60, renewWindowMs }),
      startFakeWecomServer({ expiresIn: 60 }),
      startWorkerProcess(taskQueue),
      openTokenClient(taskQueue),
    ]);
    for (const stable of [false, true]) {
      targets[stable ? 'wechat-stable' : 'wechat'] = {
        fake: wechat,
        calls: (app) => wechat.callsFor(app),
        callTimes: (app) => wechat.callTimesFor(app),
        repeats: stable,
        isValid: (t) => wechat.isValidAccessToken(t),
        blockIp: (blocked) => wechat.setIpWhitelisted(!blocked),
        ipErrcode: 40164,
        async register() {
          const appid = uniqueId('wxapp');
          const secret = `secret-${uniqueId('s')}`;
          wechat.addApp(appid, secret);
          const id = uniqueId(stable ? 'class-wxs' : 'class-wx');
          const config = { appid, secret, baseUrl: wechat.url, stable, ...(stable ? { renewWindowMs: renewWindowMs } : {}) };
          const reg = await client.register({ id, provider: 'wechat', config, policy });
          registered.push(id);
          return { id, app: appid, token: reg.token };
        },
      };
    }
    targets.wecom = {
      fake: wecom,
      calls: (app) => wecom.callsFor(app),
      callTimes: (app) => wecom.callTimesFor(app),
      repeats: true,
      isValid: (t) => wecom.isValidAccessToken(t),
      blockIp: (blocked) => wecom.setIpAllowed(!blocked),
      ipErrcode: 60020,
      async register() {
        const corpid = uniqueId('corp');
        const corpsecret = `secret-${uniqueId('s')}`;
        wecom.addApp(corpid, corpsecret);
        const id = uniqueId('class-wc');
        const reg = await client.register({ id, provider: 'wecom', config: { corpid, corpsecret, baseUrl: wecom.url }, policy });
        registered.push(id);
        return { id, app: corpid, token: reg.token };
      },
    };
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await Promise.all([wechat?.close(), wecom?.close()]);
  });

  /** Registers on `name` and checks that registration took exactly one call. */
  async function register(name: TargetName) {
    const target = targets[name];
    const cred = await target.register();
    expect(target.calls(cred.app)).toBe(1);
    const calls = () => target.calls(cred.app) - 1;
    return { target, cred, calls };
  }

  // ---- permanent: configuration errors end in reauth_required after exactly one call ----

  const wechatConfigRows = [40001, 40125, 40013, 41002, 99_999];
  const wecomConfigRows = [40013, 40001, 40091, 99_999];
  const permanentCases: [TargetName, string, number | 'ip'][] = [
    ...(['wechat', 'wechat-stable'] as const).flatMap((n) => [...wechatConfigRows.map((e) => [n, `errcode=${e}`, e] as [TargetName, string, number]), [n, 'errcode=40164 (IP not whitelisted)', 'ip'] as [TargetName, string, 'ip']]),
    ...wecomConfigRows.map((e) => ['wecom', `errcode=${e}`, e] as [TargetName, string, number]),
    ['wecom', 'errcode=60020 (IP not allowed)', 'ip'],
  ];
  it.each(permanentCases)('%s %s: reauth_required after exactly one call, last token still served', async (name, _row, errcode) => {
    const { target, cred, calls } = await register(name);
    if (errcode === 'ip') target.blockIp(true);
    else target.fake.failNext(1, errcode);
    const expectedCode = `errcode_${errcode === 'ip' ? target.ipErrcode : errcode}`;
    try {
      const error = await client.refresh(cred.id).catch((e: unknown) => e);
      expect(isHalflifeError(error, 'ReauthRequiredError')).toBe(true);
    } finally {
      target.blockIp(false);
    }
    const described = await client.describe(cred.id);
    expect(described.status).toBe('reauth_required');
    expect(described.lastError).toMatchObject({ kind: 'configuration', code: expectedCode });
    expect(calls()).toBe(1);
    const served = await client.getToken(cred.id);
    expect(served.accessToken).toBe(cred.token.accessToken);
    expect(target.isValid(served.accessToken)).toBe(true);

    // A retry would come after retryInitialMs (1 s): watch a little longer for one that must not come.
    const watchUntil = Date.now() + 1500;
    await waitFor('the quiet window to pass without a retry', () => {
      if (calls() !== 1) throw new Error(`unexpected retry: ${calls()} calls`);
      return Date.now() >= watchUntil;
    }, { timeoutMs: 4000 });
    expect((await client.describe(cred.id)).counts.upstreamCalls).toBe(2);
    await client.revoke(cred.id);
  });

  // ---- retried rows: degraded meanwhile, retried after the row's delay, then active ----

  interface RetriedCase {
    row: string;
    inject(target: Target): void;
    kind: 'transient' | 'malformed';
    code: string;
    minGapMs: number;
    maxGapMs: number;
  }
  const backoff = { minGapMs: 900, maxGapMs: 2900 };
  const json = (body: Record<string, unknown>) => JSON.stringify(body);
  const common: RetriedCase[] = [
    { row: 'errcode=-1 (system busy)', inject: (t) => t.fake.failNext(1, -1, 'system error'), kind: 'transient', code: 'errcode_-1', minGapMs: 1950, maxGapMs: 4000 },
    { row: 'HTTP 5xx', inject: (t) => t.fake.failNextHttp(1, 502), kind: 'transient', code: 'http_502', ...backoff },
    { row: 'HTTP 429 + Retry-After', inject: (t) => t.fake.failNextHttp(1, 429, { retryAfter: '3' }), kind: 'transient', code: 'http_429', minGapMs: 2950, maxGapMs: 6000 },
    { row: 'non-JSON body', inject: (t) => t.fake.respondNextWith(1, '<html>busy</html>', 200, 'text/html'), kind: 'malformed', code: 'invalid_json', ...backoff },
    { row: 'body over 64 KiB', inject: (t) => t.fake.respondNextWith(1, json({ access_token: 'x', expires_in: 60, padding: 'p'.repeat(70_000) })), kind: 'malformed', code: 'body_too_large', ...backoff },
    { row: 'missing access_token', inject: (t) => t.fake.respondNextWith(1, json({ errcode: 0, errmsg: 'ok', expires_in: 60 })), kind: 'malformed', code: 'missing_access_token', ...backoff },
    { row: 'expires_in non-numeric', inject: (t) => t.fake.respondNextWith(1, json({ access_token: 'x', expires_in: 'soon' })), kind: 'malformed', code: 'invalid_expires_in', ...backoff },
    { row: 'expires_in zero', inject: (t) => t.fake.respondNextWith(1, json({ access_token: 'x', expires_in: 0 })), kind: 'malformed', code: 'invalid_expires_in', ...backoff },
    { row: 'expires_in negative', inject: (t) => t.fake.respondNextWith(1, json({ access_token: 'x', expires_in: -7200 })), kind: 'malformed', code: 'invalid_expires_in', ...backoff },
  ];
  const wecomOnly: RetriedCase[] = [
    { row: 'errcode=42001 (unexpected from gettoken)', inject: (t) => t.fake.failNext(1, 42001), kind: 'transient', code: 'errcode_42001', ...backoff },
  ];
  const retriedCases = [
    ...(['wechat', 'wechat-stable', 'wecom'] as const).flatMap((n) => common.map((c) => [n, c.row, c] as [TargetName, string, RetriedCase])),
    ...wecomOnly.map((c) => ['wecom', c.row, c] as [TargetName, string, RetriedCase]),
  ];
  it.each(retriedCases)('%s %s: degraded, last token served, retried after the row delay, then active', async (name, _row, c) => {
    const { target, cred, calls } = await register(name);
    c.inject(target);
    const refreshing = client.refresh(cred.id);
    const degraded = await waitFor('the degraded status', async () => {
      const d = await client.describe(cred.id);
      return d.status === 'degraded' ? d : undefined;
    }, { timeoutMs: 10_000, intervalMs: 25 });
    expect(degraded.lastError).toMatchObject({ kind: c.kind, code: c.code });
    const served = await client.getToken(cred.id);
    expect(served.accessToken).toBe(cred.token.accessToken);
    expect(target.isValid(served.accessToken)).toBe(true);

    // The caller is answered after the failed attempt, with the still valid token; the retry follows on its own.
    const answered = await refreshing;
    expect(answered).toMatchObject({ refreshed: false, reason: 'upstream_failing', token: { accessToken: cred.token.accessToken } });
    await waitFor('the retry to succeed', async () => {
      const d = await client.describe(cred.id);
      return d.status === 'active' && calls() >= 2 ? d : undefined;
    }, { timeoutMs: 30_000, intervalMs: 25 });
    const outcome = { token: await client.getToken(cred.id) };
    expect(calls()).toBe(2);
    const times = target.callTimes(cred.app);
    const gap = times[times.length - 1]! - times[times.length - 2]!;
    expect(gap).toBeGreaterThanOrEqual(c.minGapMs);
    expect(gap).toBeLessThanOrEqual(c.maxGapMs);
    if (target.repeats) {
      // stable_token (normal mode) and gettoken hand back the token already held: a normal outcome.
      expect(outcome.token.accessToken).toBe(cred.token.accessToken);
      expect(outcome.token.version).toBe(cred.token.version);
    } else {
      expect(outcome.token.accessToken).not.toBe(cred.token.accessToken);
    }
    expect(target.isValid(outcome.token.accessToken)).toBe(true);
    const recovered = await client.describe(cred.id);
    expect(recovered.status).toBe('active');
    expect(recovered.counts.failures).toBe(1);
    expect(recovered.lastError).toBeUndefined();
    await client.revoke(cred.id);
  });

  // ---- 45009: the daily quota is spent, so the retry waits for the next day ----

  it.each(['wechat', 'wechat-stable', 'wecom'] as TargetName[])('%s errcode=45009: stays serviceable and waits for the next day, no burst of calls', async (name) => {
    const { target, cred, calls } = await register(name);
    target.fake.failNext(1, 45009, 'reach max api daily quota limit');
    const pending = client.refresh(cred.id).catch((e: unknown) => e);
    const degraded = await waitFor('the degraded status', async () => {
      const d = await client.describe(cred.id);
      return d.status === 'degraded' ? d : undefined;
    }, { timeoutMs: 10_000, intervalMs: 25 });
    expect(degraded.lastError).toMatchObject({ kind: 'transient', code: 'errcode_45009' });
    expect(calls()).toBe(1);

    // With this policy a plain backoff would retry after 1 s, then 2 s: watch 3.5 s for a retry that must not come.
    const watchUntil = Date.now() + 3500;
    await waitFor('the watch window to pass without a retry', async () => {
      if (calls() !== 1) throw new Error(`unexpected retry: ${calls()} calls`);
      const served = await client.getToken(cred.id);
      if (served.accessToken !== cred.token.accessToken) throw new Error('a different token was served');
      return Date.now() >= watchUntil;
    }, { timeoutMs: 8000, intervalMs: 250 });
    const described = await client.describe(cred.id);
    expect(described.status).toBe('degraded');
    expect(described.counts.upstreamCalls).toBe(2);
    const served = await client.getToken(cred.id);
    expect(served.accessToken).toBe(cred.token.accessToken);
    expect(target.isValid(served.accessToken)).toBe(true);

    await client.revoke(cred.id);
    await pending; // the waiting refresh ends with the revoke
    expect(calls()).toBe(1);
  });
});
