/**
 * The ticket endpoints shared by the WeChat and WeCom fakes (JS-SDK `jsapi_ticket`, card
 * `api_ticket`, WeCom corp and agent tickets): a ticket is obtained with an access token of the
 * fake, answered `{errcode: 0, errmsg: 'ok', ticket, expires_in}` with HTTP 200.
 *
 * - every call issues a new ticket; the previous one of the same owner and type stays valid for
 *   `overlapMs` (0: it dies at once), so a consumer that keeps signing with it is caught;
 * - the access token is checked by the fake that owns it (invalid → its errcode, e.g. 40001 or
 *   40014; expired → 42001; missing → 41001);
 * - quotas per owner (the app) and per group (the WeCom corp) in fixed windows (a China-time
 *   day for WeChat, an hour for WeCom): 45009 beyond them;
 * - failure injection (errcodes, HTTP failures, raw bodies, hangs) for the ticket requests only.
 */
import type { ServerResponse } from 'node:http';
import { ErrcodeInjections, rid } from './errcode-fake';
import { randomToken, sendJson } from './fake-http';

/** What the owning fake says of an access token: 0 and its owner, or the errcode to answer. */
export type AccessTokenCheck = { errcode: 0; owner: string; group?: string } | { errcode: number };

/** One quota: at most `max` tickets per owner (or per group) in each window of `windowMs`. */
export interface TicketQuota {
  per: 'owner' | 'group';
  max: number;
  windowMs: number;
}

/** Options of a ticket desk (durations in ms unless said). */
export interface TicketDeskOptions {
  /** Lifetime of new tickets in seconds. @default 7200 */
  expiresIn?: number;
  /** How long a ticket survives its successor. @default 0 */
  overlapMs?: number;
  /** @default none */
  quotas?: TicketQuota[];
  /** Windows are counted from this offset (China time: 8 h). @default 8 h */
  windowOffsetMs?: number;
  /** The ticket types the endpoint knows (another is answered 40097). @default any */
  types?: readonly string[];
  now?: () => number;
}

interface IssuedTicket {
  key: string;
  expiresAt: number;
  invalidAfter?: number;
}

/** Issues and checks tickets for one fake. */
export class TicketDesk extends ErrcodeInjections {
  private readonly tickets = new Map<string, IssuedTicket>();
  private readonly current = new Map<string, string>();
  private readonly usage = new Map<string, number>();
  private readonly clock: () => number;
  private expiresIn: number;
  private readonly overlapMs: number;
  private readonly quotas: TicketQuota[];
  private readonly offset: number;
  private readonly types?: readonly string[];
  /** Ticket requests answered (injected failures included). */
  calls = 0;
  /** Ticket requests by owner and type (`${owner}:${type}`), successful ones only. */
  readonly issuedBy = new Map<string, number>();

  constructor(options: TicketDeskOptions = {}) {
    super();
    this.clock = options.now ?? Date.now;
    this.expiresIn = options.expiresIn ?? 7200;
    this.overlapMs = options.overlapMs ?? 0;
    this.quotas = options.quotas ?? [];
    this.offset = options.windowOffsetMs ?? 8 * 3_600_000;
    this.types = options.types;
  }

  /** Sets the lifetime (seconds) of tickets issued from now on. */
  setExpiresIn(seconds: number): void {
    this.expiresIn = seconds;
  }
  /** True while `ticket` may sign: issued here, not expired, not superseded for longer than the overlap. */
  isValidTicket(ticket: string): boolean {
    const issued = this.tickets.get(ticket);
    const now = this.clock();
    return issued !== undefined && now < issued.expiresAt && (issued.invalidAfter === undefined || now < issued.invalidAfter);
  }
  /** The newest ticket of `owner` and `type`. */
  currentTicket(owner: string, type: string): string | undefined {
    return this.current.get(`${owner}:${type}`);
  }
  /** Successful ticket requests of `owner` and `type`. */
  issuedFor(owner: string, type: string): number {
    return this.issuedBy.get(`${owner}:${type}`) ?? 0;
  }

  /** Answers one ticket request made with `accessToken` (checked by `check`) for `type`. */
  handle(res: ServerResponse, accessToken: string | null, type: string, check: (token: string) => AccessTokenCheck, prefix = 'tk'): void {
    this.calls += 1;
    if (this.apply(res)) return;
    const fail = (errcode: number, errmsg: string) => sendJson(res, 200, { errcode, errmsg: `${errmsg} ${rid()}` });
    if (!accessToken) return fail(41001, 'access_token missing');
    if (this.types && !this.types.includes(type)) return fail(40097, 'invalid args');
    const checked = check(accessToken);
    if (checked.errcode !== 0 || !('owner' in checked)) return fail(checked.errcode, checked.errcode === 42001 ? 'access_token expired' : 'invalid credential, access_token is invalid or not latest');
    const now = this.clock();
    for (const quota of this.quotas) {
      const who = quota.per === 'owner' ? checked.owner : (checked.group ?? checked.owner);
      const key = `${quota.per}:${who}:${quota.windowMs}:${Math.floor((now + this.offset) / quota.windowMs)}`;
      const used = (this.usage.get(key) ?? 0) + 1;
      this.usage.set(key, used);
      if (used > quota.max) return fail(45009, 'reach max api daily quota limit');
    }
    const key = `${checked.owner}:${type}`;
    const previous = this.current.get(key);
    const old = previous !== undefined ? this.tickets.get(previous) : undefined;
    if (old && old.invalidAfter === undefined) old.invalidAfter = now + this.overlapMs;
    const ticket = randomToken(prefix);
    this.tickets.set(ticket, { key, expiresAt: now + this.expiresIn * 1000 });
    this.current.set(key, ticket);
    this.issuedBy.set(key, (this.issuedBy.get(key) ?? 0) + 1);
    sendJson(res, 200, { errcode: 0, errmsg: 'ok', ticket, expires_in: this.expiresIn });
  }
}
