/**
 * The platform providers against their fakes over real HTTP: the component refreshes from the
 * ticket it holds and sends nothing without one; the authorizer hands back the rotated refresh
 * token (the old one then refused by the fake), and keeps a rotated one from an answer that is
 * otherwise unusable; the suite repeats its live token and declares it renewable only at expiry.
 */
import { startFakeWechatComponentServer, type FakeWechatComponentServer } from '../../../src/fakes/wechat-component-server';
import { startFakeWecomSuiteServer, type FakeWecomSuiteServer } from '../../../src/fakes/wecom-suite-server';
import { context, countingFetch, providerFailure, refreshWith } from './kit';
import { wechatAuthorizerTarget, wechatComponentTarget, wecomSuiteTarget } from './platform-targets';

let wechat: FakeWechatComponentServer;
let wecom: FakeWecomSuiteServer;
beforeAll(async () => {
  [wechat, wecom] = await Promise.all([startFakeWechatComponentServer({ ticketOverlapMs: 0 }), startFakeWecomSuiteServer()]);
});
afterAll(async () => {
  await Promise.all([wechat.close(), wecom.close()]);
});

describe('wechat_component', () => {
  it('gets a component_access_token with the ticket it holds, and sends nothing without one', async () => {
    const target = wechatComponentTarget(wechat);
    const result = await refreshWith('wechat_component', target.config(), target.grant(), context());
    expect(wechat.componentTokens.status(result.token.accessToken).ok).toBe(true);
    expect(result.refreshToken).toBeUndefined();
    const sent = countingFetch();
    const err = await providerFailure(refreshWith('wechat_component', target.config(), {}, context({ fetch: sent.fetch })));
    expect({ kind: err.kind, code: err.code, requests: sent.urls.length }).toEqual({ kind: 'reauth', code: 'ticket_missing', requests: 0 });
  });
});

describe('wechat_authorizer', () => {
  it('hands back the rotated authorizer_refresh_token; the old one is refused afterwards', async () => {
    const target = wechatAuthorizerTarget(wechat);
    const held = target.grant().refreshToken!;
    const ctx = context(await target.context!());
    const first = await refreshWith('wechat_authorizer', target.config(), { refreshToken: held }, ctx);
    expect(first.refreshToken).toBeDefined();
    expect(first.refreshToken).not.toBe(held);
    expect(first.token.metadata).toMatchObject({ componentAppid: expect.any(String) });
    const replayed = await providerFailure(refreshWith('wechat_authorizer', target.config(), { refreshToken: held }, ctx));
    expect({ kind: replayed.kind, code: replayed.code }).toEqual({ kind: 'reauth', code: 'errcode_61023' });
    const second = await refreshWith('wechat_authorizer', target.config(), { refreshToken: first.refreshToken }, ctx);
    expect(second.refreshToken).not.toBe(first.refreshToken);
  });

  it('keeps a rotated refresh token from an answer that has no access token', async () => {
    const target = wechatAuthorizerTarget(wechat);
    wechat.authorizerEndpoint.respondNextWith(1, '{"expires_in":7200,"authorizer_refresh_token":"refreshtoken@@@rotated-in-a-bad-answer"}');
    const err = await providerFailure(refreshWith('wechat_authorizer', target.config(), target.grant(), context(await target.context!())));
    expect({ code: err.code, rotated: err.rotatedRefreshToken }).toEqual({ code: 'missing_access_token', rotated: 'refreshtoken@@@rotated-in-a-bad-answer' });
    expect(JSON.stringify(err)).not.toContain('rotated-in-a-bad-answer');
  });
});

describe('wecom_suite', () => {
  it('repeats the live suite_access_token, renewable only at its expiry', async () => {
    const target = wecomSuiteTarget(wecom);
    const first = await refreshWith('wecom_suite', target.config(), target.grant(), context());
    const again = await refreshWith('wecom_suite', target.config(), target.grant(), context({ current: first.token }));
    expect(again.token).toMatchObject({ accessToken: first.token.accessToken, issuedAt: first.token.issuedAt, renewableAt: again.token.expiresAt });
  });
});
