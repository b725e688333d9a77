/**
 * A fake of WeChat's third-party platform API (real HTTP on 127.0.0.1), faithful to its wire
 * format (JSON, HTTP 200, failures as `{errcode, errmsg}`), with lifetimes the tests compress:
 *
 * - `pushTicket` issues a `component_verify_ticket` and pushes it, encrypted and signed
 *   (./push-sealer.ts), to a callback URL; the previous ticket dies `ticketOverlapMs` later;
 * - `POST /cgi-bin/component/api_component_token`: a new `component_access_token` with a valid
 *   ticket (61006 unknown or superseded, 61005 expired), 40013 / 40125 / 41002 / 41004 for the
 *   AppID and AppSecret, 61004 IP not whitelisted, 45009 beyond the daily quota;
 * - `POST /cgi-bin/component/api_authorizer_token?component_access_token=`: an
 *   `authorizer_access_token` and, rotating, a new `authorizer_refresh_token` (the old one is
 *   refused at once: 61023); 41001 / 40001 / 42001 for the component token; 61003 when the
 *   account has not authorized the platform.
 * Failure injection per endpoint: `componentEndpoint` and `authorizerEndpoint`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrcodeInjections, rid } from './errcode-fake';
import { chinaDay, randomToken, sendJson, startLoopbackServer, type LoopbackServer } from './fake-http';
import { postPush, sealPush, type PushSealKeys } from './push-sealer';
import { TokenLedger } from './token-ledger';

/** Options of the fake (lifetimes in seconds, other durations in ms). */
export interface FakeWechatComponentOptions {
  port?: number;
  /** `component_access_token` lifetime. @default 7200 */
  expiresIn?: number;
  /** `authorizer_access_token` lifetime. @default 7200 */
  authorizerExpiresIn?: number;
  /** Ticket lifetime. @default 43_200_000 (12 h) */
  ticketLifetimeMs?: number;
  /** How long a ticket survives its successor. @default Infinity (until it expires) */
  ticketOverlapMs?: number;
  /** How long a component token survives its successor. @default 300_000 */
  tokenOverlapMs?: number;
  /** `api_component_token` calls per component per day (UTC+8). @default 2000 */
  dailyQuota?: number;
  now?: () => number;
}

interface Component {
  secret: string;
  keys: PushSealKeys;
  usage: Map<number, number>;
}

/** The fake's handle. */
export class FakeWechatComponentServer {
  private readonly components = new Map<string, Component>();
  /** authorizer AppID → the component it authorized (absent: not or no longer authorized). */
  private readonly authorizations = new Map<string, string>();
  private readonly clock: () => number;
  private readonly opts: Required<Omit<FakeWechatComponentOptions, 'now' | 'port'>>;
  private ipAllowed = true;
  readonly tickets: TokenLedger;
  readonly componentTokens: TokenLedger;
  readonly authorizerTokens: TokenLedger;
  readonly refreshTokens: TokenLedger;
  /** Failure injection of `api_component_token`. */
  readonly componentEndpoint = new ErrcodeInjections();
  /** Failure injection of `api_authorizer_token`. */
  readonly authorizerEndpoint = new ErrcodeInjections();
  /** component AppID → the tickets its token requests carried, in order. */
  readonly ticketsUsed = new Map<string, string[]>();
  /** Requests per endpoint and owner (`component:<appid>`, `authorizer:<appid>`), injected failures included. */
  readonly hits = new Map<string, number>();

  private constructor(private readonly server: LoopbackServer, options: FakeWechatComponentOptions) {
    this.clock = options.now ?? Date.now;
    this.opts = {
      expiresIn: options.expiresIn ?? 7200,
      authorizerExpiresIn: options.authorizerExpiresIn ?? 7200,
      ticketLifetimeMs: options.ticketLifetimeMs ?? 43_200_000,
      ticketOverlapMs: options.ticketOverlapMs ?? Number.POSITIVE_INFINITY,
      tokenOverlapMs: options.tokenOverlapMs ?? 300_000,
      dailyQuota: options.dailyQuota ?? 2000,
    };
    this.tickets = new TokenLedger(this.clock);
    this.componentTokens = new TokenLedger(this.clock);
    this.authorizerTokens = new TokenLedger(this.clock);
    this.refreshTokens = new TokenLedger(this.clock);
  }

  /** Starts a fake on 127.0.0.1. */
  static async start(options: FakeWechatComponentOptions = {}): Promise<FakeWechatComponentServer> {
    const holder: { fake?: FakeWechatComponentServer } = {};
    const server = await startLoopbackServer((req, res, body) => holder.fake?.handle(req, res, body), options.port);
    return (holder.fake = new FakeWechatComponentServer(server, options));
  }

  /** Base URL to configure as `baseUrl`. */
  get url(): string {
    return this.server.url;
  }
  /** Registers a platform with its AppSecret and callback keys. */
  addComponent(appid: string, secret: string, callback: { token: string; encodingAesKey: string }): void {
    this.components.set(appid, { secret, keys: { ...callback, receiveId: appid }, usage: new Map() });
  }
  /** An account authorizes the platform: answers its first `authorizer_refresh_token`. */
  authorize(componentAppid: string, authorizerAppid: string): string {
    this.authorizations.set(authorizerAppid, componentAppid);
    return this.refreshTokens.add(randomToken('refreshtoken@@@'), authorizerAppid, 10 * 365 * 86_400_000, 0);
  }
  /** The account withdraws its authorization (61003 from now on). */
  deauthorize(authorizerAppid: string): void {
    this.authorizations.delete(authorizerAppid);
  }
  /** Turns the IP whitelist check off (`false` answers 61004). */
  setIpAllowed(allowed: boolean): void {
    this.ipAllowed = allowed;
  }
  /** Issues a new ticket for `appid` (without pushing it). */
  issueTicket(appid: string): string {
    return this.tickets.add(randomToken('ticket@@@'), appid, this.opts.ticketLifetimeMs, this.opts.ticketOverlapMs);
  }
  /**
   * Issues a ticket and pushes it to `callbackUrl`, sealed with the component's keys (or, to test
   * refusals, with `sealAs` changed: then the ticket is a random one the fake never accepts).
   */
  async pushTicket(appid: string, callbackUrl: string, sealAs?: Partial<PushSealKeys>): Promise<{ status: number; body: string; ticket: string }> {
    const component = this.components.get(appid);
    if (!component) throw new Error(`no component ${appid}`);
    const ticket = sealAs ? randomToken('ticket@@@forged') : this.issueTicket(appid);
    const created = Math.floor(this.clock() / 1000);
    const xml = `<xml><AppId><![CDATA[${appid}]]></AppId><CreateTime>${created}</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType><ComponentVerifyTicket><![CDATA[${ticket}]]></ComponentVerifyTicket></xml>`;
    const answer = await postPush(callbackUrl, sealPush({ ...component.keys, ...sealAs }, xml));
    return { ...answer, ticket };
  }
  /** Requests counted under `key` (`component:<appid>`, `authorizer:<appid>`). */
  callsFor(key: string): number {
    return this.hits.get(key) ?? 0;
  }
  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  private count(key: string): void {
    this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      return sendJson(res, 200, { errcode: 47001, errmsg: `data format error ${rid()}` });
    }
    const fail = (errcode: number, errmsg: string) => sendJson(res, 200, { errcode, errmsg: `${errmsg} ${rid()}` });
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    if (url.pathname === '/cgi-bin/component/api_component_token' && req.method === 'POST') {
      this.count(`component:${text('component_appid')}`);
      if (this.componentEndpoint.apply(res)) return;
      return this.componentToken(res, text('component_appid'), text('component_appsecret'), text('component_verify_ticket'), fail);
    }
    if (url.pathname === '/cgi-bin/component/api_authorizer_token' && req.method === 'POST') {
      this.count(`authorizer:${text('authorizer_appid')}`);
      if (this.authorizerEndpoint.apply(res)) return;
      return this.authorizerToken(res, url.searchParams.get('component_access_token') ?? '', text('component_appid'), text('authorizer_appid'), text('authorizer_refresh_token'), fail);
    }
    sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
  }

  private componentToken(res: ServerResponse, appid: string, secret: string, ticket: string, fail: (n: number, m: string) => void): void {
    if (!appid) return fail(41002, 'appid missing');
    const component = this.components.get(appid);
    if (!component) return fail(40013, `invalid appid hint: [${appid}]`);
    if (!secret) return fail(41004, 'appsecret missing');
    if (secret !== component.secret) return fail(40125, 'invalid appsecret');
    if (!this.ipAllowed) return fail(61004, 'access clientip is not registered');
    this.ticketsUsed.set(appid, [...(this.ticketsUsed.get(appid) ?? []), ticket]);
    const checked = this.tickets.status(ticket);
    if (!checked.ok || checked.owner !== appid) return fail(checked.ok || checked.reason !== 'expired' ? 61006 : 61005, checked.ok || checked.reason !== 'expired' ? 'component ticket is invalid' : 'component ticket is expired');
    const day = chinaDay(this.clock());
    const used = (component.usage.get(day) ?? 0) + 1;
    component.usage.set(day, used);
    if (used > this.opts.dailyQuota) return fail(45009, 'reach max api daily quota limit');
    const token = this.componentTokens.add(randomToken('component'), appid, this.opts.expiresIn * 1000, this.opts.tokenOverlapMs);
    sendJson(res, 200, { component_access_token: token, expires_in: this.opts.expiresIn });
  }

  private authorizerToken(res: ServerResponse, accessToken: string, componentAppid: string, authorizerAppid: string, refreshToken: string, fail: (n: number, m: string) => void): void {
    if (!accessToken) return fail(41001, 'access_token missing');
    const token = this.componentTokens.status(accessToken);
    if (!token.ok) return fail(token.reason === 'expired' ? 42001 : 40001, token.reason === 'expired' ? 'access_token expired' : 'invalid credential, access_token is invalid or not latest');
    if (token.owner !== componentAppid || this.authorizations.get(authorizerAppid) !== componentAppid) return fail(61003, 'component is not authorized by this account');
    const held = this.refreshTokens.status(refreshToken);
    if (!held.ok || held.owner !== authorizerAppid) return fail(61023, 'refresh_token is invalid');
    const access = this.authorizerTokens.add(randomToken('authorizer'), authorizerAppid, this.opts.authorizerExpiresIn * 1000, 300_000);
    const rotated = this.refreshTokens.add(randomToken('refreshtoken@@@'), authorizerAppid, 10 * 365 * 86_400_000, 0);
    sendJson(res, 200, { authorizer_access_token: access, expires_in: this.opts.authorizerExpiresIn, authorizer_refresh_token: rotated });
  }
}

/** Starts the fake third-party platform API on 127.0.0.1 (port 0). */
export function startFakeWechatComponentServer(options: FakeWechatComponentOptions = {}): Promise<FakeWechatComponentServer> {
  return FakeWechatComponentServer.start(options);
}
