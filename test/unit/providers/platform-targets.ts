/**
 * Targets of the third-party platform providers: a platform (component or suite) on its fake
 * with a ticket the fake issued (as if pushed), and the derived ones (authorizer, corp) with a
 * real parent token obtained over HTTP from the fake, handed over through `context()` as the
 * refresh activity does. Each endpoint has its own failure injection.
 */
import type { FakeWechatComponentServer } from '../../../src/fakes/wechat-component-server';
import type { FakeWecomSuiteServer } from '../../../src/fakes/wecom-suite-server';
import { randomEncodingAesKey } from '../../../src/fakes/push-sealer';
import type { ErrcodeInjections } from '../../../src/fakes/errcode-fake';
import type { ProviderContext } from '../../../src/providers/provider';
import type { Target } from './targets';
import type { TicketParent } from './ticket-targets';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${(counter += 1)}`;

/** The failure injection and counters every platform target shares. */
function injections(endpoint: ErrcodeInjections, calls: () => number, secrets: string[], tokenField: string): Pick<Target, 'calls' | 'errcode' | 'http' | 'raw' | 'hang' | 'bodies' | 'endpointOverride' | 'secrets'> {
  return {
    secrets,
    endpointOverride: (baseUrl) => ({ baseUrl }),
    calls,
    errcode: (n) => endpoint.failNext(1, n, `failure ${n} for ${secrets[0] ?? ''}`),
    http: (status, retryAfter) => endpoint.failNextHttp(1, status, { retryAfter }),
    raw: (body, status, contentType) => endpoint.respondNextWith(1, body, status, contentType),
    hang: () => endpoint.hangNext(1),
    bodies: { missingAccessToken: '{"expires_in":7200}', invalidExpiresIn: `{"${tokenField}":"tk-x","expires_in":"soon"}` },
  };
}

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  return (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
}

/** A platform on the WeChat component fake: its configuration, and a valid ticket as its grant. */
function componentOn(fake: FakeWechatComponentServer) {
  const appid = unique('wxcomp');
  const secret = `compsecret-${unique('s')}`;
  const callback = { token: `cbtoken-${unique('t')}`, encodingAesKey: randomEncodingAesKey() };
  fake.addComponent(appid, secret, callback);
  const ticket = fake.issueTicket(appid);
  const config = { componentAppid: appid, componentAppsecret: secret, callbackToken: callback.token, encodingAesKey: callback.encodingAesKey, baseUrl: fake.url };
  return { appid, secret, ticket, config, callback };
}

/** A `wechat_component` target. */
export function wechatComponentTarget(fake: FakeWechatComponentServer): Target {
  const c = componentOn(fake);
  return {
    provider: 'wechat_component',
    ...injections(fake.componentEndpoint, () => fake.callsFor(`component:${c.appid}`), [c.secret, c.ticket, c.callback.token, c.callback.encodingAesKey], 'component_access_token'),
    config: (overrides = {}) => ({ ...c.config, ...overrides }),
    grant: () => ({ refreshToken: c.ticket }),
  };
}

/** A `wechat_authorizer` target: an account authorized on a fresh platform. */
export function wechatAuthorizerTarget(fake: FakeWechatComponentServer): Target & { parent: TicketParent } {
  const c = componentOn(fake);
  const authorizerAppid = unique('wxauth');
  const refreshToken = fake.authorize(c.appid, authorizerAppid);
  const secrets = [refreshToken];
  let token: Promise<string> | undefined;
  const parent: TicketParent = { provider: 'wechat_component', config: c.config, owner: c.appid, grant: { refreshToken: c.ticket } };
  return {
    provider: 'wechat_authorizer',
    parent,
    ...injections(fake.authorizerEndpoint, () => fake.callsFor(`authorizer:${authorizerAppid}`), secrets, 'authorizer_access_token'),
    errcode: (n) => {
      if ([40001, 40014, 42001, 41001].includes(n)) fake.componentTokens.revokeOwner(c.appid);
      fake.authorizerEndpoint.failNext(1, n, `failure ${n} for ${refreshToken} ${secrets[1] ?? ''}`);
    },
    config: (overrides = {}) => ({ authorizerAppid, ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'baseUrl')) }),
    grant: () => ({ refreshToken }),
    async context(overrides = {}): Promise<Partial<ProviderContext>> {
      const accessToken = await (token ??= postJson(`${fake.url}/cgi-bin/component/api_component_token`, { component_appid: c.appid, component_appsecret: c.secret, component_verify_ticket: c.ticket }).then((b) => String(b.component_access_token)));
      if (!secrets.includes(accessToken)) secrets.push(accessToken);
      const baseUrl = typeof overrides.baseUrl === 'string' ? overrides.baseUrl : fake.url;
      return { parent: { id: unique('parent'), provider: 'wechat_component', accessToken, version: 1, settings: { componentAppid: c.appid, baseUrl } } };
    },
  };
}

/** A suite on the WeCom suite fake: its configuration, and a valid ticket as its grant. */
function suiteOn(fake: FakeWecomSuiteServer) {
  const suiteId = unique('suite');
  const secret = `suitesecret-${unique('s')}`;
  const callback = { token: `cbtoken-${unique('t')}`, encodingAesKey: randomEncodingAesKey() };
  fake.addSuite(suiteId, secret, callback);
  const ticket = fake.issueTicket(suiteId);
  const config = { suiteId, suiteSecret: secret, callbackToken: callback.token, encodingAesKey: callback.encodingAesKey, baseUrl: fake.url };
  return { suiteId, secret, ticket, config, callback };
}

/** A `wecom_suite` target. */
export function wecomSuiteTarget(fake: FakeWecomSuiteServer): Target {
  const s = suiteOn(fake);
  return {
    provider: 'wecom_suite',
    ...injections(fake.suiteEndpoint, () => fake.callsFor(`suite:${s.suiteId}`), [s.secret, s.ticket, s.callback.token, s.callback.encodingAesKey], 'suite_access_token'),
    bodies: { missingAccessToken: '{"errcode":0,"errmsg":"ok","expires_in":7200}', invalidExpiresIn: '{"errcode":0,"errmsg":"ok","suite_access_token":"st-x","expires_in":0}' },
    config: (overrides = {}) => ({ ...s.config, ...overrides }),
    grant: () => ({ refreshToken: s.ticket }),
  };
}

/** A `wecom_corp` target: a corp that installed a fresh suite. */
export function wecomCorpTarget(fake: FakeWecomSuiteServer): Target & { parent: TicketParent } {
  const s = suiteOn(fake);
  const corpid = unique('corp');
  const permanentCode = fake.install(s.suiteId, corpid);
  const secrets = [permanentCode];
  let token: Promise<string> | undefined;
  const parent: TicketParent = { provider: 'wecom_suite', config: s.config, owner: s.suiteId, grant: { refreshToken: s.ticket } };
  return {
    provider: 'wecom_corp',
    parent,
    ...injections(fake.corpEndpoint, () => fake.callsFor(`corp:${corpid}`), secrets, 'access_token'),
    bodies: { missingAccessToken: '{"errcode":0,"errmsg":"ok","expires_in":7200}', invalidExpiresIn: '{"errcode":0,"errmsg":"ok","access_token":"ct-x","expires_in":0}' },
    errcode: (n) => {
      if (n === 40082 || n === 42009) fake.invalidateSuiteTokens(s.suiteId);
      fake.corpEndpoint.failNext(1, n, `failure ${n} for ${permanentCode} ${secrets[1] ?? ''}`);
    },
    config: (overrides = {}) => ({ authCorpid: corpid, ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'baseUrl')) }),
    grant: () => ({ refreshToken: permanentCode }),
    async context(overrides = {}): Promise<Partial<ProviderContext>> {
      const accessToken = await (token ??= postJson(`${fake.url}/cgi-bin/service/get_suite_token`, { suite_id: s.suiteId, suite_secret: s.secret, suite_ticket: s.ticket }).then((b) => String(b.suite_access_token)));
      if (!secrets.includes(accessToken)) secrets.push(accessToken);
      const baseUrl = typeof overrides.baseUrl === 'string' ? overrides.baseUrl : fake.url;
      return { parent: { id: unique('parent'), provider: 'wecom_suite', accessToken, version: 1, settings: { suiteId: s.suiteId, baseUrl } } };
    },
  };
}
