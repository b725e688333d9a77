/**
 * The JS-SDK config signature of WeChat and WeCom: the SHA-1 (hex) of
 * `jsapi_ticket=<ticket>&noncestr=<nonceStr>&timestamp=<timestamp>&url=<url>`, the keys in that
 * (ASCII) order, the URL exactly as the page has it up to its `#` (WeChat compares it byte for
 * byte, so it is not normalised). `wx.config` takes the signature with the same `nonceStr` and
 * `timestamp`; WeCom's `wx.agentConfig` signs the same way with the application's ticket.
 *
 * `signJssdkConfig` signs with a ticket credential's current token (a `wechat_jsapi_ticket` or a
 * `wecom_jsapi_ticket`, whose metadata carries the AppID / corp ID): read the token just before
 * signing (`TokenClient.getToken`), so a page never gets a signature made with a dead ticket.
 */
import { createHash, randomInt } from 'node:crypto';
import type { TokenView } from '../credential';
import { InvalidConfigError } from '../errors';

/** What one JS-SDK signature is made of. */
export interface JssdkSignatureInput {
  /** The `jsapi_ticket` (or WeCom agent ticket). */
  ticket: string;
  nonceStr: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** The page URL; anything from `#` on is dropped. */
  url: string;
}

/** A signed JS-SDK config: what `wx.config` (or `wx.agentConfig`, with `agentId`) needs besides `jsApiList`. */
export interface JssdkConfig {
  /** WeChat AppID, or WeCom corp ID. */
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  /** WeCom agent tickets with a configured `agentid`. */
  agentId?: string;
}

/** Longest page URL signed. */
export const maxSignedUrlLength = 4096;

/** Ticket types a JS-SDK config can be signed with (a card `api_ticket` cannot). */
export const signingTicketTypes: readonly string[] = ['jsapi', 'corp', 'agent'];

const nonceAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The page URL to sign: `url` up to its fragment; refused unless an absolute http(s) URL of printable characters. */
export function signedUrl(url: string): string {
  if (typeof url !== 'string' || url.length === 0) throw new InvalidConfigError('url', 'is required');
  if (url.length > maxSignedUrlLength) throw new InvalidConfigError('url', `must be at most ${maxSignedUrlLength} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(url)) throw new InvalidConfigError('url', 'must not contain spaces or control characters');
  const page = url.split('#')[0] ?? '';
  let parsed: URL;
  try {
    parsed = new URL(page);
  } catch {
    throw new InvalidConfigError('url', 'must be an absolute http or https URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidConfigError('url', 'must be an absolute http or https URL');
  return page;
}

/** The JS-SDK signature: SHA-1 hex of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (the URL without its fragment). */
export function jssdkSignature(input: JssdkSignatureInput): string {
  const text = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${signedUrl(input.url)}`;
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** A random nonce of 16 letters and digits. */
export function newNonceStr(): string {
  return Array.from({ length: 16 }, () => nonceAlphabet[randomInt(nonceAlphabet.length)]).join('');
}

/** True for the token of a JS-SDK ticket credential (a `wechat_jsapi_ticket` or `wecom_jsapi_ticket`). */
export function isSigningTicket(token: TokenView): boolean {
  const meta = token.metadata ?? {};
  return meta.ticketType !== undefined && signingTicketTypes.includes(meta.ticketType) && Boolean(meta.appId);
}

/**
 * Signs a JS-SDK config for the page at `url` with `ticket`, the current token of a JS-SDK ticket
 * credential. Throws `InvalidConfigError` on `url`, or on `ticket` when the token is not a JS-SDK
 * ticket (a card ticket, or another provider's token) or has expired.
 */
export function signJssdkConfig(ticket: TokenView, url: string, options: { now?: number; nonceStr?: string } = {}): JssdkConfig {
  if (!isSigningTicket(ticket)) throw new InvalidConfigError('ticket', 'is not a JS-SDK ticket (a wechat_jsapi_ticket or wecom_jsapi_ticket credential)');
  const meta = ticket.metadata ?? {};
  const now = options.now ?? Date.now();
  if (ticket.expiresAt <= now) throw new InvalidConfigError('ticket', 'has expired: read the current one first');
  const timestamp = Math.floor(now / 1000);
  const nonceStr = options.nonceStr ?? newNonceStr();
  const signature = jssdkSignature({ ticket: ticket.accessToken, nonceStr, timestamp, url });
  return { appId: meta.appId ?? '', timestamp, nonceStr, signature, ...(meta.agentId !== undefined ? { agentId: meta.agentId } : {}) };
}
