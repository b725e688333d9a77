/**
 * `TokenClient.withToken(id, fn)` against a real worker and real providers: when `fn` fails with an
 * auth error (HTTP 401, errcode 40001 / 40014 / 42001, or the caller's own predicate) it refreshes
 * with the failed token's version as stale and calls `fn` once more with the new token; any other
 * error is thrown at once without a refresh; a second auth error is thrown, never retried again.
 */
import type { TokenView } from '../../src/credential';
import { startFakeOAuth2Server, type FakeOAuth2Server } from '../../src/fakes/oauth2-server';
import { startFakeWechatServer, type FakeWechatServer } from '../../src/fakes/wechat-server';
import { startFakeWecomServer, type FakeWecomServer } from '../../src/fakes/wecom-server';
import { registerOAuth2 } from '../helpers/oauth2-credential';
import { openTokenClient, uniqueId } from '../helpers/test-env';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

describe('withToken', () => {
  const taskQueue = uniqueId('tq-with-token');
  let oauth: FakeOAuth2Server;
  let wechat: FakeWechatServer;
  let wecom: FakeWecomServer;
  let worker: WorkerProcess;
  let client: Awaited<ReturnType<typeof openTokenClient>>;
  const registered: string[] = [];

  beforeAll(async () => {
    [oauth, wechat, wecom, worker, client] = await Promise.all([
      startFakeOAuth2Server({ expiresIn: 3600 }),
      // No overlap: a token superseded by another call is refused at once (40001), as WeChat does after ~5 min.
      startFakeWechatServer({ expiresIn: 7200, overlapMs: 0 }),
      startFakeWecomServer({ expiresIn: 7200 }),
      startWorkerProcess(taskQueue),
      openTokenClient(taskQueue),
    ]);
  });

  afterEach(async () => {
    for (const id of registered.splice(0)) await client.revoke(id).catch(() => undefined);
  });

  afterAll(async () => {
    await client?.shutdown();
    await worker?.stop();
    await Promise.all([oauth?.close(), wechat?.close(), wecom?.close()]);
  });

  async function oauthCredential() {
    const cred = await registerOAuth2(client, oauth);
    registered.push(cred.id);
    return { ...cred, calls: () => oauth.callsFor(cred.clientId) };
  }

  /** A consumer call to the fake's protected resource: throws the HTTP answer (with `status`) unless it is 200. */
  async function callResource(token: TokenView): Promise<unknown> {
    const res = await fetch(oauth.resourceUrl, { headers: { authorization: `Bearer ${token.accessToken}` } });
    const body: unknown = await res.json();
    if (!res.ok) throw Object.assign(new Error(`resource answered ${res.status}`), { status: res.status, body });
    return body;
  }

  /** Revokes one access token at the fake (its resource server then answers 401 for it). */
  function revokeAtFake(accessToken: string): void {
    const grant = (oauth['accessTokens'] as Map<string, { revoked: boolean }>).get(accessToken);
    if (!grant) throw new Error('the fake did not issue this token');
    grant.revoked = true;
  }

  it('a real 401 from the resource server: one refresh with the failed version as stale, one more call with the new token', async () => {
    const cred = await oauthCredential();
    revokeAtFake(cred.token.accessToken);
    const seen: TokenView[] = [];
    const before = cred.calls();
    const body = await client.withToken(cred.id, async (token) => {
      seen.push(token);
      return callResource(token);
    });
    expect(body).toMatchObject({ ok: true, client: cred.clientId });
    expect(seen.map((t) => t.version)).toEqual([cred.token.version, cred.token.version + 1]);
    expect(seen[1]?.accessToken).not.toBe(cred.token.accessToken);
    expect(cred.calls() - before).toBe(1);
    expect(oauth.replays).toBe(0);
  });

  it('a token superseded at WeChat (errcode 40001 from a real API call) is refreshed and the call retried', async () => {
    const appid = uniqueId('wxapp');
    const secret = `secret-${uniqueId('s')}`;
    wechat.addApp(appid, secret);
    const id = uniqueId('wt-wx');
    const reg = await client.register({ id, provider: 'wechat', config: { appid, secret, baseUrl: wechat.url } });
    registered.push(id);
    // Another tool fetches a token for the same app: WeChat's classic way to invalidate ours.
    const other = (await (await fetch(`${wechat.url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`)).json()) as { access_token: string };
    expect(other.access_token).not.toBe(reg.token.accessToken);
    const answers: number[] = [];
    const result = await client.withToken(id, async (token) => {
      const answer = (await (await fetch(`${wechat.url}/cgi-bin/get_api_domain_ip?access_token=${token.accessToken}`)).json()) as { errcode?: number };
      answers.push(answer.errcode ?? 0);
      if (answer.errcode) throw Object.assign(new Error(`errcode ${answer.errcode}`), answer);
      return token;
    });
    expect(answers).toEqual([40001, 0]);
    expect(result.version).toBe(reg.token.version + 1);
    expect(wechat.isValidAccessToken(result.accessToken)).toBe(true);
  });

  it('a WeCom token invalidated early (errcode 40014 from a real API call) is refreshed and the call retried', async () => {
    const corpid = uniqueId('corp');
    const corpsecret = `secret-${uniqueId('s')}`;
    wecom.addApp(corpid, corpsecret);
    const id = uniqueId('wt-wc');
    const reg = await client.register({ id, provider: 'wecom', config: { corpid, corpsecret, baseUrl: wecom.url } });
    registered.push(id);
    wecom.invalidateAll();
    const answers: number[] = [];
    const result = await client.withToken(id, async (token) => {
      const answer = (await (await fetch(`${wecom.url}/cgi-bin/user/get?access_token=${token.accessToken}&userid=u1`)).json()) as { errcode: number };
      answers.push(answer.errcode);
      if (answer.errcode !== 0) throw Object.assign(new Error(`errcode ${answer.errcode}`), { body: answer });
      return token;
    });
    expect(answers).toEqual([40014, 0]);
    expect(result.version).toBe(reg.token.version + 1);
    expect(result.accessToken).not.toBe(reg.token.accessToken);
  });

  // The shapes HTTP clients and WeChat SDKs throw: each one retried exactly once after one refresh.
  it.each<[string, unknown]>([
    ['status 401', { status: 401 }],
    ['response.status 401 (axios)', { response: { status: 401 } }],
    ['errcode 40001', { errcode: 40001 }],
    ['errcode 40014', { errcode: 40014 }],
    ['errcode 42001', { errcode: 42001 }],
    ['body.errcode 42001', { body: { errcode: 42001 } }],
  ])('%s: refreshed once and retried once', async (_name, authError) => {
    const cred = await oauthCredential();
    const before = cred.calls();
    const seen: TokenView[] = [];
    const result = await client.withToken(cred.id, async (token) => {
      seen.push(token);
      if (seen.length === 1) throw authError;
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen.map((t) => t.version)).toEqual([cred.token.version, cred.token.version + 1]);
    expect(cred.calls() - before).toBe(1);
  });

  it.each<[string, unknown]>([
    ['status 403', { status: 403 }],
    ['status 500', { status: 500 }],
    ['errcode 45009 (quota)', { errcode: 45009 }],
    ['a plain Error', new Error('connection reset')],
  ])('%s: thrown at once, no refresh, no second call', async (_name, otherError) => {
    const cred = await oauthCredential();
    const before = cred.calls();
    let called = 0;
    const outcome = await client
      .withToken(cred.id, async () => {
        called++;
        throw otherError;
      })
      .catch((e: unknown) => e);
    expect(outcome).toBe(otherError);
    expect(called).toBe(1);
    expect(cred.calls() - before).toBe(0);
    expect((await client.describe(cred.id)).version).toBe(cred.token.version);
  });

  it('a second auth error is thrown, not retried again: two calls, one refresh', async () => {
    const cred = await oauthCredential();
    const before = cred.calls();
    const thrown: unknown[] = [];
    const outcome = await client
      .withToken(cred.id, async (token) => {
        const err = { status: 401, version: token.version };
        thrown.push(err);
        throw err;
      })
      .catch((e: unknown) => e);
    expect(thrown).toHaveLength(2);
    expect(outcome).toBe(thrown[1]);
    expect(outcome).toMatchObject({ version: cred.token.version + 1 });
    expect(cred.calls() - before).toBe(1);
  });

  it('a custom isAuthError decides alone: its errors are retried once, a 401 it does not accept is not', async () => {
    const cred = await oauthCredential();
    const isRevoked = (err: unknown) => (err as { code?: string } | undefined)?.code === 'TOKEN_REVOKED';
    const seen: number[] = [];
    const result = await client.withToken(
      cred.id,
      async (token) => {
        seen.push(token.version);
        if (seen.length === 1) throw { code: 'TOKEN_REVOKED' };
        return 'ok';
      },
      { isAuthError: isRevoked },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([cred.token.version, cred.token.version + 1]);

    const before = cred.calls();
    let called = 0;
    const unauthorized = { status: 401 };
    const outcome = await client
      .withToken(
        cred.id,
        async () => {
          called++;
          throw unauthorized;
        },
        { isAuthError: isRevoked },
      )
      .catch((e: unknown) => e);
    expect(outcome).toBe(unauthorized);
    expect(called).toBe(1);
    expect(cred.calls() - before).toBe(0);
  });
});
