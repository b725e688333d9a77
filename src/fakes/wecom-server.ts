/**
 * A fake of the WeCom token API (real HTTP on 127.0.0.1): `GET /cgi-bin/gettoken` answers
 * `{errcode:0, errmsg:'ok', access_token, expires_in}` with the same token until it expires
 * (`expires_in` counting down), or an errcode with HTTP 200: 41002/41004 (missing corpid/secret),
 * 40013 (unknown corpid), 40001 (wrong secret), 60020 (IP not allowed), 45009 (daily limit).
 * `GET /cgi-bin/user/get?access_token=` validates a token: 0, 42001 (expired), 40014 (invalid).
 * JS-SDK tickets (./ticket-desk.ts): `GET /cgi-bin/get_jsapi_ticket?access_token=` (the corp's) and
 * `GET /cgi-bin/ticket/get?access_token=&type=agent_config` (the application's), each call a new
 * ticket, at most 100 an hour per application and 400 per corp (45009).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrcodeInjections, remainingSeconds } from './errcode-fake';
import { chinaDay, randomToken, sendJson, startLoopbackServer, type LoopbackServer } from './fake-http';
import { TicketDesk, type TicketDeskOptions } from './ticket-desk';

/** Options of the fake WeCom server. */
export interface FakeWecomOptions {
  /** Port on 127.0.0.1. @default 0 (any free port) */
  port?: number;
  /** Lifetime of new tokens in seconds. @default 7200 */
  expiresIn?: number;
  /** gettoken calls per app per day (UTC+8) before 45009. @default Infinity */
  dailyQuota?: number;
  /** Echo the presented secret in errmsg of auth failures (to test that providers scrub it). @default false */
  echoSecretInErrmsg?: boolean;
  /** The fake's clock. @default Date.now */
  now?: () => number;
  /** The ticket endpoints: lifetimes, overlap, quotas. @default 7200 s, no overlap, 100 an hour per application, 400 per corp */
  tickets?: TicketDeskOptions;
}

interface AppState {
  /** The application's name in the ticket counters (`corpid#n`). */
  owner: string;
  token?: string;
  usage: Map<number, number>;
}

/** The fake WeCom server's handle. */
export class FakeWecomServer extends ErrcodeInjections {
  /** `${corpid}\n${secret}` → the app's state. */
  private readonly apps = new Map<string, AppState>();
  private readonly corps = new Set<string>();
  /** token → expiry, whether it was invalidated early, and its application and corp. */
  private readonly tokens = new Map<string, { expiresAt: number; invalidated: boolean; app: string; corpid: string }>();
  /** The ticket endpoints: their tickets, counters and failure injection. */
  readonly tickets: TicketDesk;
  private readonly clock: () => number;
  private expiresIn: number;
  private readonly dailyQuota: number;
  private readonly echoSecret: boolean;
  private ipAllowed = true;
  /** gettoken hits. */
  calls = 0;
  /** Date.now() at each gettoken hit. */
  readonly callTimes: number[] = [];
  /** The access token issued last. */
  lastAccessToken: string | undefined;
  /** corpid → Date.now() at each gettoken hit that named it. */
  private readonly hitsByCorp = new Map<string, number[]>();

  private constructor(private readonly server: LoopbackServer, options: FakeWecomOptions) {
    super();
    this.clock = options.now ?? Date.now;
    this.expiresIn = options.expiresIn ?? 7200;
    this.dailyQuota = options.dailyQuota ?? Number.POSITIVE_INFINITY;
    this.echoSecret = options.echoSecretInErrmsg ?? false;
    const hourly = (per: 'owner' | 'group', max: number) => ({ per, max, windowMs: 3_600_000 });
    this.tickets = new TicketDesk({ now: this.clock, windowOffsetMs: 0, quotas: [hourly('owner', 100), hourly('group', 400)], ...options.tickets });
  }

  /** Starts a fake on 127.0.0.1 with a random port. */
  static async start(options: FakeWecomOptions = {}): Promise<FakeWecomServer> {
    const holder: { fake?: FakeWecomServer } = {};
    const server = await startLoopbackServer((req, res) => holder.fake?.handle(req, res), options.port);
    const fake = new FakeWecomServer(server, options);
    holder.fake = fake;
    return fake;
  }

  /** Base URL to configure as `baseUrl`. */
  get url(): string {
    return this.server.url;
  }
  /** Registers an application (a corp may have several, each with its own secret and token). */
  addApp(corpid: string, corpsecret: string): void {
    this.corps.add(corpid);
    this.apps.set(`${corpid}\n${corpsecret}`, { owner: `${corpid}#${this.apps.size + 1}`, usage: new Map() });
  }
  /** The name of an application in the ticket counters (`tickets.issuedFor(owner, type)`). */
  ticketOwner(corpid: string, corpsecret: string): string | undefined {
    return this.apps.get(`${corpid}\n${corpsecret}`)?.owner;
  }
  /** Turns the trusted-IP check off (`false` answers 60020). */
  setIpAllowed(allowed: boolean): void {
    this.ipAllowed = allowed;
  }
  /** Sets the lifetime (seconds) of tokens issued from now on. */
  setExpiresIn(seconds: number): void {
    this.expiresIn = seconds;
  }
  /** Invalidates every token early (WeCom may do so); the next gettoken issues new ones. */
  invalidateAll(): void {
    for (const token of this.tokens.values()) token.invalidated = true;
  }
  /** True for a token that the validation endpoint accepts now. */
  isValidAccessToken(token: string): boolean {
    return this.tokenStatus(token) === 0;
  }
  /** gettoken hits (injected failures included) that named `corpid`. */
  callsFor(corpid: string): number {
    return this.hitsByCorp.get(corpid)?.length ?? 0;
  }
  /** The instants (Date.now()) of the gettoken hits that named `corpid`. */
  callTimesFor(corpid: string): number[] {
    return [...(this.hitsByCorp.get(corpid) ?? [])];
  }
  /** Stops the server and destroys hanging sockets. */
  close(): Promise<void> {
    return this.server.close();
  }

  private tokenStatus(token: string): 0 | 40014 | 42001 {
    const issued = this.tokens.get(token);
    if (!issued || issued.invalidated) return 40014;
    return this.clock() >= issued.expiresAt ? 42001 : 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = url.searchParams;
    if (url.pathname === '/cgi-bin/user/get') return this.validate(res, q.get('access_token') ?? '', q.get('userid') ?? 'zhangsan');
    const ticketType = url.pathname === '/cgi-bin/get_jsapi_ticket' ? 'corp' : url.pathname === '/cgi-bin/ticket/get' ? q.get('type') ?? '' : undefined;
    if (ticketType !== undefined) {
      if (ticketType !== 'corp' && ticketType !== 'agent_config') return sendJson(res, 200, { errcode: 40097, errmsg: 'invalid args' });
      const check = (token: string) => {
        const issued = this.tokens.get(token);
        return { errcode: this.tokenStatus(token), owner: issued?.app ?? '', group: issued?.corpid ?? '' };
      };
      return this.tickets.handle(res, q.get('access_token'), ticketType, check, 'wcticket');
    }
    if (url.pathname !== '/cgi-bin/gettoken') return sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
    this.calls += 1;
    const at = Date.now();
    this.callTimes.push(at);
    const named = q.get('corpid');
    if (named) this.hitsByCorp.set(named, [...(this.hitsByCorp.get(named) ?? []), at]);
    if (this.apply(res)) return;
    const fail = (errcode: number, errmsg: string) => sendJson(res, 200, { errcode, errmsg: `${errmsg}, hint: [${Math.random().toString(36).slice(2, 12)}]` });
    const corpid = q.get('corpid') ?? '';
    const secret = q.get('corpsecret') ?? '';
    if (!corpid) return fail(41002, 'corpid missing');
    if (!secret) return fail(41004, 'corpsecret missing');
    if (!this.corps.has(corpid)) return fail(40013, 'invalid corpid');
    const app = this.apps.get(`${corpid}\n${secret}`);
    if (!app) return fail(40001, `invalid credential${this.echoSecret ? ` corpsecret=${secret}` : ''}`);
    if (!this.ipAllowed) return fail(60020, 'not allow to access from your ip, from ip: 127.0.0.1');
    const day = chinaDay(this.clock());
    const used = (app.usage.get(day) ?? 0) + 1;
    app.usage.set(day, used);
    if (used > this.dailyQuota) return fail(45009, 'api freq out of limit');
    const now = this.clock();
    if (!app.token || this.tokenStatus(app.token) !== 0) {
      app.token = randomToken('wc');
      this.tokens.set(app.token, { expiresAt: now + this.expiresIn * 1000, invalidated: false, app: app.owner, corpid });
      this.lastAccessToken = app.token;
    }
    const expiresAt = this.tokens.get(app.token)?.expiresAt ?? now;
    sendJson(res, 200, { errcode: 0, errmsg: 'ok', access_token: app.token, expires_in: remainingSeconds(expiresAt, now) });
  }

  private validate(res: ServerResponse, token: string, userid: string): void {
    const status = this.tokenStatus(token);
    if (status === 0) return sendJson(res, 200, { errcode: 0, errmsg: 'ok', userid, name: userid, department: [1] });
    sendJson(res, 200, { errcode: status, errmsg: status === 42001 ? 'access_token expired' : 'invalid access_token' });
  }
}

/** Starts a fake WeCom token API on 127.0.0.1 (port 0). */
export function startFakeWecomServer(options: FakeWecomOptions = {}): Promise<FakeWecomServer> {
  return FakeWecomServer.start(options);
}
