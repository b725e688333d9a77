/**
 * A fake of the WeChat token API (real HTTP on 127.0.0.1), faithful to its wire format: JSON
 * answers with HTTP 200, failures as `{errcode, errmsg}`.
 *
 * - `GET /cgi-bin/token`: a new token every call; the previous one stays valid for `overlapMs`.
 * - `POST /cgi-bin/stable_token`: a separate token line. Normal mode repeats the current token
 *   while more than `renewWindowMs` of its life remains; `force_refresh` issues a new one at once
 *   and invalidates the old, within a daily budget and a minimum spacing (else 45009).
 * - daily quota per app and endpoint (45009), wrong secret (40001), unknown appid (40013),
 *   IP whitelist (40164), missing appid/secret (41002/41004), bad grant_type (40002).
 * - `GET /cgi-bin/get_api_domain_ip?access_token=`: validates a token (0, 40001 invalid, 42001 expired).
 * - `GET /cgi-bin/ticket/getticket?access_token=&type=jsapi|wx_card`: JS-SDK and card tickets (./ticket-desk.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrcodeInjections, remainingSeconds, rid } from './errcode-fake';
import { chinaDay, randomToken, sendJson, startLoopbackServer, type LoopbackServer } from './fake-http';
import { TicketDesk, type TicketDeskOptions } from './ticket-desk';

/** Options of the fake WeChat server (durations in ms unless said). */
export interface FakeWechatOptions {
  /** Port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** Lifetime of new tokens in seconds. @default 7200 */
  expiresIn?: number;
  /** How long a `/cgi-bin/token` token survives its successor. @default 300_000 */
  overlapMs?: number;
  /** Stable normal mode issues a new token when less than this remains. @default 300_000 */
  renewWindowMs?: number;
  /** `/cgi-bin/token` calls per app per day (UTC+8). @default 2000 */
  dailyQuota?: number;
  /** `/cgi-bin/stable_token` calls per app per day. @default 500_000 */
  stableDailyQuota?: number;
  /** `force_refresh` calls per app per day. @default 20 */
  forceDailyLimit?: number;
  /** Minimum spacing of `force_refresh` calls. @default 30_000 */
  forceMinIntervalMs?: number;
  /** Echo the presented secret in errmsg of auth failures (to test that providers scrub it). @default false */
  echoSecretInErrmsg?: boolean;
  /** The fake's clock. @default Date.now */
  now?: () => number;
  /** The ticket endpoint: lifetimes, overlap, quotas. @default 7200 s, no overlap, 2000 per app, type and day */
  tickets?: TicketDeskOptions;
}

interface IssuedToken {
  appid: string;
  expiresAt: number;
  /** Superseded or revoked: invalid from this instant on. */
  invalidAfter?: number;
}

interface AppState {
  secret: string;
  normal?: string;
  stable?: string;
  lastForceAt?: number;
  /** `${day}:${endpoint}` → calls that day. */
  usage: Map<string, number>;
}

/** The fake WeChat server's handle. */
export class FakeWechatServer extends ErrcodeInjections {
  private readonly apps = new Map<string, AppState>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly clock: () => number;
  private readonly opts: Required<Omit<FakeWechatOptions, 'now' | 'port' | 'tickets'>>;
  private ipWhitelisted = true;
  /** The ticket endpoint (`getticket`): its tickets, counters and failure injection. */
  readonly tickets: TicketDesk;
  /** Hits on both token endpoints. */
  calls = 0;
  /** Hits on `/cgi-bin/stable_token`. */
  stableCalls = 0;
  /** Hits on `/cgi-bin/stable_token` with `force_refresh: true`. */
  forceCalls = 0;
  /** Date.now() at each token endpoint hit. */
  readonly callTimes: number[] = [];
  /** The access token issued last. */
  lastAccessToken: string | undefined;
  /** appid → Date.now() at each token endpoint hit that named it. */
  private readonly hitsByApp = new Map<string, number[]>();

  private constructor(private readonly server: LoopbackServer, options: FakeWechatOptions) {
    super();
    this.clock = options.now ?? Date.now;
    this.opts = {
      expiresIn: options.expiresIn ?? 7200,
      overlapMs: options.overlapMs ?? 300_000,
      renewWindowMs: options.renewWindowMs ?? 300_000,
      dailyQuota: options.dailyQuota ?? 2000,
      stableDailyQuota: options.stableDailyQuota ?? 500_000,
      forceDailyLimit: options.forceDailyLimit ?? 20,
      forceMinIntervalMs: options.forceMinIntervalMs ?? 30_000,
      echoSecretInErrmsg: options.echoSecretInErrmsg ?? false,
    };
    this.tickets = new TicketDesk({ now: this.clock, types: ['jsapi', 'wx_card'], quotas: [{ per: 'owner', max: 2000, windowMs: 86_400_000 }], ...options.tickets });
  }

  /** Starts a fake on 127.0.0.1 with a random port. */
  static async start(options: FakeWechatOptions = {}): Promise<FakeWechatServer> {
    const holder: { fake?: FakeWechatServer } = {};
    const server = await startLoopbackServer((req, res, body) => holder.fake?.handle(req, res, body), options.port);
    const fake = new FakeWechatServer(server, options);
    holder.fake = fake;
    return fake;
  }

  /** Base URL to configure as `baseUrl`. */
  get url(): string {
    return this.server.url;
  }
  /** Registers an app. */
  addApp(appid: string, secret: string): void {
    this.apps.set(appid, { secret, usage: new Map() });
  }
  /** Turns the IP whitelist check off (`false` answers 40164). */
  setIpWhitelisted(allowed: boolean): void {
    this.ipWhitelisted = allowed;
  }
  /** Sets the lifetime (seconds) of tokens issued from now on. */
  setExpiresIn(seconds: number): void {
    this.opts.expiresIn = seconds;
  }
  /** The current token of an app's normal or stable line. */
  currentToken(appid: string, line: 'normal' | 'stable' = 'normal'): string | undefined {
    return this.apps.get(appid)?.[line];
  }
  /** True for a token that the validation endpoint accepts now. */
  isValidAccessToken(token: string): boolean {
    return this.tokenStatus(token) === 0;
  }
  /** Token endpoint hits (both endpoints, injected failures included) that named `appid`. */
  callsFor(appid: string): number {
    return this.hitsByApp.get(appid)?.length ?? 0;
  }
  /** The instants (Date.now()) of the token endpoint hits that named `appid`. */
  callTimesFor(appid: string): number[] {
    return [...(this.hitsByApp.get(appid) ?? [])];
  }
  /** Stops the server and destroys hanging sockets. */
  close(): Promise<void> {
    return this.server.close();
  }

  private tokenStatus(token: string): 0 | 40001 | 42001 {
    const issued = this.tokens.get(token);
    const now = this.clock();
    if (!issued || (issued.invalidAfter !== undefined && now >= issued.invalidAfter)) return 40001;
    return now >= issued.expiresAt ? 42001 : 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/cgi-bin/get_api_domain_ip') return this.validate(res, url.searchParams.get('access_token') ?? '');
    if (url.pathname === '/cgi-bin/ticket/getticket') {
      const check = (token: string) => ({ errcode: this.tokenStatus(token), owner: this.tokens.get(token)?.appid ?? '' });
      return this.tickets.handle(res, url.searchParams.get('access_token'), url.searchParams.get('type') ?? '', check, 'wxticket');
    }
    const stable = url.pathname === '/cgi-bin/stable_token';
    if (!stable && url.pathname !== '/cgi-bin/token') return sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
    this.calls += 1;
    this.callTimes.push(Date.now());
    if (stable) this.stableCalls += 1;
    let params: Record<string, unknown>;
    if (stable) {
      try {
        params = JSON.parse(body) as Record<string, unknown>;
      } catch {
        params = {};
      }
      if (params.force_refresh === true) this.forceCalls += 1;
    } else {
      params = Object.fromEntries(url.searchParams);
    }
    if (typeof params.appid === 'string') {
      const hits = this.hitsByApp.get(params.appid) ?? [];
      hits.push(this.callTimes[this.callTimes.length - 1] ?? Date.now());
      this.hitsByApp.set(params.appid, hits);
    }
    if (this.apply(res)) return;
    const fail = (errcode: number, errmsg: string) => sendJson(res, 200, { errcode, errmsg: `${errmsg} ${rid()}` });
    if (stable && req.method !== 'POST') return fail(43002, 'require POST method');
    if (stable && typeof params.grant_type !== 'string') return fail(47001, 'data format error');
    if (params.grant_type !== 'client_credential') return fail(40002, 'invalid grant_type');
    const appid = typeof params.appid === 'string' ? params.appid : '';
    const secret = typeof params.secret === 'string' ? params.secret : '';
    if (!appid) return fail(41002, 'appid missing');
    if (!secret) return fail(41004, 'appsecret missing');
    const app = this.apps.get(appid);
    if (!app) return fail(40013, `invalid appid hint: [${appid}]`);
    if (app.secret !== secret) return fail(40001, `invalid credential, access_token is invalid or not latest${this.opts.echoSecretInErrmsg ? ` secret=${secret}` : ''}`);
    if (!this.ipWhitelisted) return fail(40164, 'invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist');
    const usageKey = `${chinaDay(this.clock())}:${stable ? 'stable' : 'token'}`;
    const used = (app.usage.get(usageKey) ?? 0) + 1;
    app.usage.set(usageKey, used);
    if (used > (stable ? this.opts.stableDailyQuota : this.opts.dailyQuota)) return fail(45009, 'reach max api daily quota limit');
    if (!stable) return this.issueNormal(res, appid, app);
    return params.force_refresh === true ? this.forceStable(res, appid, app, fail) : this.normalStable(res, appid, app);
  }

  private issue(res: ServerResponse, appid: string): string {
    const token = randomToken('wx');
    this.tokens.set(token, { appid, expiresAt: this.clock() + this.opts.expiresIn * 1000 });
    this.lastAccessToken = token;
    sendJson(res, 200, { access_token: token, expires_in: this.opts.expiresIn });
    return token;
  }

  private issueNormal(res: ServerResponse, appid: string, app: AppState): void {
    const previous = app.normal !== undefined ? this.tokens.get(app.normal) : undefined;
    if (previous && previous.invalidAfter === undefined) previous.invalidAfter = this.clock() + this.opts.overlapMs;
    app.normal = this.issue(res, appid);
  }

  private normalStable(res: ServerResponse, appid: string, app: AppState): void {
    const current = app.stable !== undefined ? this.tokens.get(app.stable) : undefined;
    const now = this.clock();
    if (current && app.stable && this.tokenStatus(app.stable) === 0 && current.expiresAt - now > this.opts.renewWindowMs) {
      return sendJson(res, 200, { access_token: app.stable, expires_in: remainingSeconds(current.expiresAt, now) });
    }
    app.stable = this.issue(res, appid);
  }

  private forceStable(res: ServerResponse, appid: string, app: AppState, fail: (errcode: number, errmsg: string) => void): void {
    const now = this.clock();
    const forceKey = `${chinaDay(now)}:force`;
    const forced = (app.usage.get(forceKey) ?? 0) + 1;
    const tooSoon = app.lastForceAt !== undefined && now - app.lastForceAt < this.opts.forceMinIntervalMs;
    if (forced > this.opts.forceDailyLimit || tooSoon) return fail(45009, 'reach max api daily quota limit (force_refresh)');
    app.usage.set(forceKey, forced);
    app.lastForceAt = now;
    const previous = app.stable !== undefined ? this.tokens.get(app.stable) : undefined;
    if (previous) previous.invalidAfter = now;
    app.stable = this.issue(res, appid);
  }

  private validate(res: ServerResponse, token: string): void {
    const status = this.tokenStatus(token);
    if (status === 0) return sendJson(res, 200, { errcode: 0, errmsg: 'ok', ip_list: ['101.226.103.0', '101.226.62.0'] });
    const errmsg = status === 42001 ? 'access_token expired' : 'invalid credential, access_token is invalid or not latest';
    sendJson(res, 200, { errcode: status, errmsg: `${errmsg} ${rid()}` });
  }
}

/** Starts a fake WeChat token API on 127.0.0.1 (port 0). */
export function startFakeWechatServer(options: FakeWechatOptions = {}): Promise<FakeWechatServer> {
  return FakeWechatServer.start(options);
}
