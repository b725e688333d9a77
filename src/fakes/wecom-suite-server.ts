/**
 * A fake of WeCom's third-party application API (real HTTP on 127.0.0.1), faithful to its wire
 * format (JSON, HTTP 200, failures as `{errcode, errmsg}`), with lifetimes the tests compress:
 *
 * - `pushTicket` issues a `suite_ticket` and pushes it, encrypted and signed (./push-sealer.ts;
 *   the receiver id is the suite id), to a callback URL; the previous ticket dies `ticketOverlapMs` later;
 * - `POST /cgi-bin/service/get_suite_token`: the live `suite_access_token` again (with the
 *   remaining `expires_in`) or a new one at expiry, with a valid ticket (else 40085); 40083
 *   unknown suite, 40001 wrong secret, 60020 IP not allowed;
 * - `POST /cgi-bin/service/get_corp_token?suite_access_token=`: the installing corp's live token
 *   again, or a new one, with its permanent code (40084 unknown or withdrawn); 40082 invalid and
 *   42009 expired suite token.
 * Failure injection per endpoint: `suiteEndpoint` and `corpEndpoint`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrcodeInjections, remainingSeconds } from './errcode-fake';
import { randomToken, sendJson, startLoopbackServer, type LoopbackServer } from './fake-http';
import { postPush, sealPush, type PushSealKeys } from './push-sealer';
import { TokenLedger } from './token-ledger';

/** Options of the fake (lifetimes in seconds, other durations in ms). */
export interface FakeWecomSuiteOptions {
  port?: number;
  /** `suite_access_token` lifetime. @default 7200 */
  expiresIn?: number;
  /** Corp token lifetime. @default 7200 */
  corpExpiresIn?: number;
  /** Ticket lifetime. @default 1_800_000 (30 min) */
  ticketLifetimeMs?: number;
  /** How long a ticket survives its successor. @default Infinity (until it expires) */
  ticketOverlapMs?: number;
  now?: () => number;
}

/** The fake's handle. */
export class FakeWecomSuiteServer {
  private readonly suites = new Map<string, { secret: string; keys: PushSealKeys }>();
  /** corp id → the suite it installed and its permanent code. */
  private readonly installs = new Map<string, { suiteId: string; permanentCode: string }>();
  private readonly clock: () => number;
  private readonly opts: Required<Omit<FakeWecomSuiteOptions, 'now' | 'port'>>;
  private ipAllowed = true;
  readonly tickets: TokenLedger;
  readonly suiteTokens: TokenLedger;
  readonly corpTokens: TokenLedger;
  /** Failure injection of `get_suite_token`. */
  readonly suiteEndpoint = new ErrcodeInjections();
  /** Failure injection of `get_corp_token`. */
  readonly corpEndpoint = new ErrcodeInjections();
  /** suite id → the tickets its token requests carried, in order. */
  readonly ticketsUsed = new Map<string, string[]>();
  /** Requests per endpoint and owner (`suite:<id>`, `corp:<corpid>`), injected failures included. */
  readonly hits = new Map<string, number>();

  private constructor(private readonly server: LoopbackServer, options: FakeWecomSuiteOptions) {
    this.clock = options.now ?? Date.now;
    this.opts = {
      expiresIn: options.expiresIn ?? 7200,
      corpExpiresIn: options.corpExpiresIn ?? 7200,
      ticketLifetimeMs: options.ticketLifetimeMs ?? 1_800_000,
      ticketOverlapMs: options.ticketOverlapMs ?? Number.POSITIVE_INFINITY,
    };
    this.tickets = new TokenLedger(this.clock);
    this.suiteTokens = new TokenLedger(this.clock);
    this.corpTokens = new TokenLedger(this.clock);
  }

  /** Starts a fake on 127.0.0.1. */
  static async start(options: FakeWecomSuiteOptions = {}): Promise<FakeWecomSuiteServer> {
    const holder: { fake?: FakeWecomSuiteServer } = {};
    const server = await startLoopbackServer((req, res, body) => holder.fake?.handle(req, res, body), options.port);
    return (holder.fake = new FakeWecomSuiteServer(server, options));
  }

  /** Base URL to configure as `baseUrl`. */
  get url(): string {
    return this.server.url;
  }
  /** Registers a suite with its secret and callback keys. */
  addSuite(suiteId: string, secret: string, callback: { token: string; encodingAesKey: string }): void {
    this.suites.set(suiteId, { secret, keys: { ...callback, receiveId: suiteId } });
  }
  /** A corp installs the suite: answers its permanent code. */
  install(suiteId: string, corpid: string): string {
    const permanentCode = randomToken('permanent');
    this.installs.set(corpid, { suiteId, permanentCode });
    return permanentCode;
  }
  /** The corp removes the suite (its permanent code is refused: 40084). */
  uninstall(corpid: string): void {
    this.installs.delete(corpid);
  }
  /** Kills every suite token of `suiteId` (WeCom may invalidate early); the next request gets a new one. */
  invalidateSuiteTokens(suiteId: string): void {
    this.suiteTokens.revokeOwner(suiteId);
  }
  /** Turns the trusted-IP check off (`false` answers 60020). */
  setIpAllowed(allowed: boolean): void {
    this.ipAllowed = allowed;
  }
  /** Issues a new ticket (without pushing it). */
  issueTicket(suiteId: string): string {
    return this.tickets.add(randomToken('suiteticket'), suiteId, this.opts.ticketLifetimeMs, this.opts.ticketOverlapMs);
  }
  /** Issues a ticket and pushes it, sealed with the suite's keys (or `sealAs`: then a forged ticket the fake never accepts). */
  async pushTicket(suiteId: string, callbackUrl: string, sealAs?: Partial<PushSealKeys>): Promise<{ status: number; body: string; ticket: string }> {
    const suite = this.suites.get(suiteId);
    if (!suite) throw new Error(`no suite ${suiteId}`);
    const ticket = sealAs ? randomToken('suiteticket-forged') : this.issueTicket(suiteId);
    const xml = `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>${Math.floor(this.clock() / 1000)}</TimeStamp><SuiteTicket><![CDATA[${ticket}]]></SuiteTicket></xml>`;
    return { ...(await postPush(callbackUrl, sealPush({ ...suite.keys, ...sealAs }, xml))), ticket };
  }
  /** Requests counted under `key` (`suite:<id>`, `corp:<corpid>`). */
  callsFor(key: string): number {
    return this.hits.get(key) ?? 0;
  }
  /** Stops the server. */
  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      return sendJson(res, 200, { errcode: 47001, errmsg: 'data format error' });
    }
    const fail = (errcode: number, errmsg: string) => sendJson(res, 200, { errcode, errmsg });
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const count = (key: string) => this.hits.set(key, (this.hits.get(key) ?? 0) + 1);
    if (url.pathname === '/cgi-bin/service/get_suite_token' && req.method === 'POST') {
      count(`suite:${text('suite_id')}`);
      if (this.suiteEndpoint.apply(res)) return;
      return this.suiteToken(res, text('suite_id'), text('suite_secret'), text('suite_ticket'), fail);
    }
    if (url.pathname === '/cgi-bin/service/get_corp_token' && req.method === 'POST') {
      count(`corp:${text('auth_corpid')}`);
      if (this.corpEndpoint.apply(res)) return;
      return this.corpToken(res, url.searchParams.get('suite_access_token') ?? '', text('auth_corpid'), text('permanent_code'), fail);
    }
    sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
  }

  /** Answers the owner's live token again (its remaining life), or a new one. */
  private repeatOrIssue(res: ServerResponse, ledger: TokenLedger, owner: string, field: string, lifetimeS: number, prefix: string): void {
    const live = ledger.current(owner);
    const now = this.clock();
    if (live && ledger.status(live).ok) return sendJson(res, 200, { errcode: 0, errmsg: 'ok', [field]: live, expires_in: remainingSeconds(ledger.expiresAt(live) ?? now, now) });
    const token = ledger.add(randomToken(prefix), owner, lifetimeS * 1000, 0);
    sendJson(res, 200, { errcode: 0, errmsg: 'ok', [field]: token, expires_in: lifetimeS });
  }

  private suiteToken(res: ServerResponse, suiteId: string, secret: string, ticket: string, fail: (n: number, m: string) => void): void {
    const suite = this.suites.get(suiteId);
    if (!suite) return fail(40083, 'invalid suite_id');
    if (secret !== suite.secret) return fail(40001, 'invalid secret');
    if (!this.ipAllowed) return fail(60020, 'not allow to access from your ip');
    this.ticketsUsed.set(suiteId, [...(this.ticketsUsed.get(suiteId) ?? []), ticket]);
    const checked = this.tickets.status(ticket);
    if (!checked.ok || checked.owner !== suiteId) return fail(40085, 'invalid suite_ticket');
    this.repeatOrIssue(res, this.suiteTokens, suiteId, 'suite_access_token', this.opts.expiresIn, 'suite');
  }

  private corpToken(res: ServerResponse, suiteToken: string, corpid: string, permanentCode: string, fail: (n: number, m: string) => void): void {
    const token = this.suiteTokens.status(suiteToken);
    if (!token.ok) return token.reason === 'expired' ? fail(42009, 'suite_access_token expired') : fail(40082, 'invalid suite_access_token');
    const installed = this.installs.get(corpid);
    if (!installed || installed.suiteId !== token.owner) return fail(40084, 'invalid permanent_code');
    if (installed.permanentCode !== permanentCode) return fail(40084, 'invalid permanent_code');
    this.repeatOrIssue(res, this.corpTokens, corpid, 'access_token', this.opts.corpExpiresIn, 'corp');
  }
}

/** Starts the fake WeCom third-party API on 127.0.0.1 (port 0). */
export function startFakeWecomSuiteServer(options: FakeWecomSuiteOptions = {}): Promise<FakeWecomSuiteServer> {
  return FakeWecomSuiteServer.start(options);
}
