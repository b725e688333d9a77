/**
 * Targets of the derived ticket providers: a parent app on the WeChat or WeCom fake, a real access
 * token for it (obtained over HTTP from the fake, as the parent credential would), and the ticket
 * endpoint's failure injection. The parent comes in through `context()`, as the refresh activity
 * hands it over (`ctx.parent`); `baseUrl` overrides move the parent's base URL. Call `context()`
 * once before provoking an errcode: the injected errmsg then echoes the parent's token.
 */
import type { ProviderContext } from '../../../src/providers/provider';
import type { FakeWechatServer } from '../../../src/fakes/wechat-server';
import type { FakeWecomServer } from '../../../src/fakes/wecom-server';
import type { Target } from './targets';

let counter = 0;
/** The errcodes that say the parent's access token was refused. */
const parentTokenErrcodes = new Set([40001, 40014, 42001, 41001]);
const unique = (prefix: string) => `${prefix}-${process.pid}-${(counter += 1)}`;

async function accessToken(url: string): Promise<string> {
  const body = (await (await fetch(url)).json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`the fake gave no access token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The parent of a ticket target, for registering it (integration) or handing it over (`context`). */
export interface TicketParent {
  provider: 'wechat' | 'wecom' | 'wechat_component' | 'wecom_suite';
  config: Record<string, unknown>;
  /** The parent's grant (a platform's ticket), when it needs one. */
  grant?: { refreshToken?: string };
  /** The name under which the fake counts this app's tickets. */
  owner: string;
}

function ticketTarget(
  provider: 'wechat_jsapi_ticket' | 'wechat_card_ticket' | 'wecom_jsapi_ticket',
  parent: TicketParent,
  tokenUrl: string,
  desk: FakeWechatServer['tickets'],
  config: Record<string, unknown>,
  settings: Record<string, unknown>,
  /** Makes the parent's token really dead at the fake (an errcode about it is then what WeCom would answer). */
  killParentToken: () => void = () => undefined,
): Target & { parent: TicketParent } {
  // The ticket endpoint sees the parent's access token only (never its app secret): that is what it may echo.
  const secrets: string[] = [];
  let token: Promise<string> | undefined;
  return {
    provider,
    parent,
    secrets,
    config: (overrides = {}) => {
      const { baseUrl: _moved, ...rest } = overrides;
      return { ...config, ...rest };
    },
    endpointOverride: (baseUrl) => ({ baseUrl }),
    async context(overrides = {}): Promise<Partial<ProviderContext>> {
      const accessTokenValue = await (token ??= accessToken(tokenUrl));
      if (!secrets.includes(accessTokenValue)) secrets.push(accessTokenValue);
      const baseUrl = typeof overrides.baseUrl === 'string' ? overrides.baseUrl : parent.config.baseUrl;
      return { parent: { id: unique('parent'), provider: parent.provider, accessToken: accessTokenValue, version: 1, settings: { ...settings, baseUrl } } };
    },
    grant: () => ({}),
    calls: () => desk.calls,
    errcode: (n) => {
      if (parentTokenErrcodes.has(n)) killParentToken();
      desk.failNext(1, n, `failure ${n} for ${secrets[0] ?? 'a token not fetched yet'}`);
    },
    http: (status, retryAfter) => desk.failNextHttp(1, status, { retryAfter }),
    raw: (body, status, contentType) => desk.respondNextWith(1, body, status, contentType),
    hang: () => desk.hangNext(1),
    bodies: { missingAccessToken: '{"errcode":0,"errmsg":"ok","expires_in":7200}', invalidExpiresIn: '{"errcode":0,"errmsg":"ok","ticket":"tk-x","expires_in":"soon"}' },
  };
}

/** A `wechat_jsapi_ticket` or `wechat_card_ticket` target on a fresh app of the WeChat fake. */
export function wechatTicketTarget(provider: 'wechat_jsapi_ticket' | 'wechat_card_ticket', fake: FakeWechatServer): Target & { parent: TicketParent } {
  const appid = unique('wxapp');
  const secret = `wxsecret-${unique('s')}`;
  fake.addApp(appid, secret);
  const parent: TicketParent = { provider: 'wechat', config: { appid, secret, baseUrl: fake.url }, owner: appid };
  const tokenUrl = `${fake.url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`;
  return ticketTarget(provider, parent, tokenUrl, fake.tickets, {}, { appid });
}

/** A `wecom_jsapi_ticket` target (corp or agent ticket) on a fresh application of the WeCom fake. */
export function wecomTicketTarget(fake: FakeWecomServer, type: 'corp' | 'agent' = 'corp'): Target & { parent: TicketParent } {
  const corpid = unique('corp');
  const corpsecret = `wcsecret-${unique('s')}`;
  fake.addApp(corpid, corpsecret);
  const parent: TicketParent = { provider: 'wecom', config: { corpid, corpsecret, baseUrl: fake.url }, owner: fake.ticketOwner(corpid, corpsecret) ?? '' };
  const tokenUrl = `${fake.url}/cgi-bin/gettoken?corpid=${corpid}&corpsecret=${corpsecret}`;
  // WeCom's gettoken repeats a live token: only a dead one (WeCom invalidates early) makes the parent's refresh bring a new one.
  return ticketTarget('wecom_jsapi_ticket', parent, tokenUrl, fake.tickets, { type, ...(type === 'agent' ? { agentid: 1000002 } : {}) }, { corpid }, () => fake.invalidateAll());
}
